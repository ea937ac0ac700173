import { ROUTES } from '../src/constants';
import { expect, expected, panelByTitle, tableCell, test } from './harness';

test('Usage: requests per category of the running instances; no missing-metrics notice', async ({
  gotoFixturePage,
  page,
}) => {
  const usage = await gotoFixturePage(ROUTES.Usage);
  const requests = panelByTitle(usage, 'Requested by running instances, per category');
  for (const [category, { cpu, memoryText }] of Object.entries(expected.usage.requestsPerCategory)) {
    await expect(await tableCell(requests, category, 'CPU cores')).toHaveText(String(cpu));
    await expect(await tableCell(requests, category, 'Memory')).toHaveText(memoryText);
  }
  // The fixture has challenge_info and challenge_definition_requests, so the page does not ask for them.
  await expect(page.getByText(/challenge_definition_requests/)).toHaveCount(0);
});
