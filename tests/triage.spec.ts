import { ROUTES } from '../src/constants';
import { expect, expected, panelByTitle, tableCell, test } from './harness';

test('Triage: the instances in Error and the unfinished deletion of the fixture', async ({ gotoFixturePage }) => {
  const triage = await gotoFixturePage(ROUTES.Triage);
  const errors = panelByTitle(triage, 'Instances in Error');
  await expect(errors.locator.getByRole('row')).toHaveCount(expected.errorInstances.length + 1); // + header
  for (const { username, challenge_id } of expected.errorInstances) {
    await expect(await tableCell(errors, username, 'Challenge')).toHaveText(challenge_id);
    await expect(await tableCell(errors, username, 'State')).toHaveText('Error');
  }
  const stuck = panelByTitle(triage, 'Deletions not finished after 5m');
  await expect(stuck.locator.getByRole('row')).toHaveCount(expected.stuckDeletions.length + 1);
  for (const { username, challenge_id } of expected.stuckDeletions) {
    await expect(await tableCell(stuck, username, 'Challenge')).toHaveText(challenge_id);
    await expect(await tableCell(stuck, username, 'State')).toHaveText('Deleted');
  }
});
