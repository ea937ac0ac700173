import { ROUTES } from '../src/constants';
import { exactText, expect, expected, panelByTitle, test, type StateName } from './harness';

const STATE_NAMES: StateName[] = ['Pending', 'Running', 'Deleted', 'Error'];

test('Overview: one stat per state with the fixture counts (2h window)', async ({ gotoFixturePage }) => {
  const overview = await gotoFixturePage(ROUTES.Overview);
  for (const state of STATE_NAMES) {
    const panel = panelByTitle(overview, state);
    await expect(exactText(panel, expected.stateCounts[state])).toBeVisible();
    await expect(panel.getErrorIcon()).toHaveCount(0);
  }
});

test('Overview: a wider window takes in the instance that ended before the 2h window', async ({ gotoFixturePage }) => {
  const overview = await gotoFixturePage(ROUTES.Overview, { 'var-window': '6h' });
  for (const state of STATE_NAMES) {
    await expect(exactText(panelByTitle(overview, state), expected.stateCountsByWindow['6h'][state])).toBeVisible();
  }
});
