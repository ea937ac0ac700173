// The Overview page in Chromium: its stats and per-challenge bars as tests/fixtures/expected.json says, per window.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { barGroupLabels, barValues, tableLegend } from '../dom.ts';
import { openPage } from '../pageProbe.ts';
import { APP, commonChecks, expected, lines, pageAt, rig } from '../pageSuite.ts';

export function overviewPage(): void {
  describe('Overview', () => {
    const { page, reopen } = pageAt(`${APP}/overview`);

    it('shows the number of instances in each state', async () => {
      for (const [state, count] of Object.entries(expected.stateCounts)) {
        const shown = await lines(page(), state);
        assert.deepEqual(shown, [state, String(count)], `stat ${state}`);
      }
    });

    it('counts over another window when the Window control says so', async () => {
      for (const [window, counts] of Object.entries(expected.stateCountsByWindow)) {
        const other = await openPage(rig!.browser.context, rig!.root.url, `${APP}/overview?var-window=${window}`);
        try {
          for (const [state, count] of Object.entries(counts)) {
            assert.deepEqual(await lines(other, state), [state, String(count)], `stat ${state}, window ${window}`);
          }
        } finally {
          await other.close();
        }
      }
    });

    it('labels each group of per-challenge bars with its challenge, and names Running and Error in a table legend beside the bars', async () => {
      const title = 'Running and Error instances per challenge';
      assert.deepEqual(await barGroupLabels(page().page, title), expected.challenges);
      const values = await barValues(page().page, title);
      assert.deepEqual(
        values,
        Object.fromEntries(
          Object.entries(expected.perChallenge).map(([id, c]) => [id, [String(c.Running), String(c.Error)]])
        )
      );
      assert.deepEqual(await tableLegend(page().page, title), { names: ['Running', 'Error'], besidePlot: true });
    });

    it('draws the instances per state over time with a table legend of the four states beside the plot', async () => {
      const legend = await tableLegend(page().page, 'Instances per state over time');
      assert.deepEqual([...legend.names].sort(), Object.keys(expected.stateCounts).sort(), legend.names.join(', '));
      assert.ok(legend.besidePlot, 'the legend is not beside the plot');
    });

    commonChecks('overview', page, reopen);
  });
}
