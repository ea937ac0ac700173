import { ROUTES } from '../src/constants';
import { expect, expected, panelByTitle, tableCell, test } from './harness';

test('Users x Challenges: every matrix cell equals the fixture, missing pairs are empty', async ({
  gotoFixturePage,
}) => {
  const matrix = panelByTitle(await gotoFixturePage(ROUTES.UsersChallenges), 'Users x Challenges');
  // First the user column, then one column per challenge (in the order Prometheus returned them).
  await expect(matrix.fieldNames.first()).toHaveText('User');
  await expect
    .poll(async () =>
      (await matrix.fieldNames.allTextContents())
        .slice(1)
        .map((t) => t.trim())
        .sort()
    )
    .toEqual(expected.challenges);
  for (const [user, cells] of Object.entries(expected.matrix)) {
    for (const challenge of expected.challenges) {
      await expect(await tableCell(matrix, user, challenge)).toHaveText(cells[challenge] ?? '');
    }
  }
  // The instance that ended before the 2h window is not a row.
  await expect(matrix.locator.getByRole('gridcell', { name: 'frank', exact: true })).toHaveCount(0);
});

test("Users x Challenges: selecting a user opens that user's instances", async ({ gotoFixturePage, page }) => {
  const user = "o'brien.*+";
  const matrix = panelByTitle(await gotoFixturePage(ROUTES.UsersChallenges), 'Users x Challenges');
  await matrix.locator.getByRole('link', { name: user, exact: true }).click();
  await expect(page.getByRole('heading', { name: user, exact: true })).toBeVisible();
  const instances = page.getByTestId(/Panel header Instances of/);
  for (const challenge of Object.keys(expected.matrix[user])) {
    await expect(instances.getByRole('gridcell', { name: challenge, exact: true })).toBeVisible();
  }
});
