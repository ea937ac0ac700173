// The Usage page in Chromium: the peaks per user, instances and requests per category, as expected.json says.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { barAxisLabels, cutTexts, tableLegend, tableRows, textBoxes } from '../dom.ts';
import { APP, commonChecks, expected, lines, pageAt } from '../pageSuite.ts';

export function usagePage(): void {
  describe('Usage', () => {
    const { page, reopen } = pageAt(`${APP}/usage`);

    it('gives the peak concurrent instances per user', async () => {
      const rows = (await tableRows(page().page, 'Peak concurrent instances per user')).slice(1);
      assert.deepEqual(Object.fromEntries(rows.map((r) => [r[0], Number(r.at(-1))])), expected.usage.peakRunningByUser);
    });

    it('orders users with the same peak the same way on every load (by name)', async () => {
      const rows = (await tableRows(page().page, 'Peak concurrent instances per user')).slice(1);
      const shown = rows.map((r) => ({ user: r[0], peak: Number(r.at(-1)) }));
      const stable = [...shown].sort((a, b) => b.peak - a.peak || a.user.localeCompare(b.user));
      assert.deepEqual(shown, stable);
    });

    it('gives the running instances per category', async () => {
      const shown = await lines(page(), 'Running instances per category');
      for (const [category, count] of Object.entries(expected.usage.runningPerCategory)) {
        const at = shown.indexOf(category);
        assert.ok(at >= 0 && shown.includes(String(count)), `${category} ${count} in ${shown.join(', ')}`);
      }
    });

    it('names every category in a table legend beside the share pie', async () => {
      const legend = await tableLegend(page().page, 'Share of running instances per category');
      assert.deepEqual([...legend.names].sort(), Object.keys(expected.usage.runningPerCategory).sort());
      assert.ok(legend.besidePlot, 'the legend is not beside the pie');
    });

    it('says what each axis of the peak distribution counts', async () => {
      assert.deepEqual(await barAxisLabels(page().page, 'Users by their peak concurrent instances'), {
        value: 'Users',
        x: 'Instances at once',
      });
    });

    it('draws the peak distribution without a legend (one series)', async () => {
      assert.deepEqual(await tableLegend(page().page, 'Users by their peak concurrent instances'), {
        names: [],
        besidePlot: false,
      });
    });

    it('heads the request tables CPU requested (cores) and Memory requested, not the query refIds', async () => {
      for (const title of [
        'Requested by running instances, per challenge',
        'Requested by running instances, per category',
      ]) {
        const [header] = await tableRows(page().page, title);
        assert.deepEqual(
          header.slice(1),
          ['CPU requested (cores)', 'Memory requested'],
          `${title}: ${header.join(' | ')}`
        );
      }
    });

    it('gives the requests per category', async () => {
      const rows = (await tableRows(page().page, 'Requested by running instances, per category')).slice(1);
      const want = Object.fromEntries(
        Object.entries(expected.usage.requestsPerCategory).map(([c, r]) => [c, [String(r.cpu), r.memoryText]])
      );
      assert.deepEqual(Object.fromEntries(rows.map(([c, ...v]) => [c, v])), want);
    });

    it("shows the distribution panel's labels whole", async () => {
      assert.deepEqual(await cutTexts(page().page, 'Users by their peak concurrent instances'), []);
    });

    it('lists the top users one under another, each by its whole name', async () => {
      const title = 'Top users by peak concurrent instances';
      assert.deepEqual(await cutTexts(page().page, title), []);
      const boxes = await textBoxes(page().page, title, Object.keys(expected.usage.peakRunningByUser));
      assert.ok(boxes.every(Boolean), `names drawn: ${JSON.stringify(boxes)}`);
      // Names left of their bars, in one column: side by side under upright bars, ten of them were cut to "she…".
      assert.equal(new Set(boxes.map((b) => b!.left)).size, 1, JSON.stringify(boxes));
      assert.equal(new Set(boxes.map((b) => b!.top)).size, boxes.length, JSON.stringify(boxes));
    });

    it('lists the top users by peak, then by name (the same order on every load)', async () => {
      const byName = new Intl.Collator('en', { sensitivity: 'base' }).compare;
      const want = Object.entries(expected.usage.peakRunningByUser)
        .sort(([a, pa], [b, pb]) => pb - pa || byName(a, b))
        .map(([user]) => user);
      const boxes = await textBoxes(page().page, 'Top users by peak concurrent instances', want);
      assert.ok(boxes.every(Boolean), `names drawn: ${JSON.stringify(boxes)}`);
      const drawn = [...boxes].sort((a, b) => a!.top - b!.top).map((b) => b!.text);
      assert.deepEqual(drawn, want);
    });

    it('draws the top users as list rows, not bars stretched to the panel', async () => {
      const users = Object.keys(expected.usage.peakRunningByUser);
      const tops = (await textBoxes(page().page, 'Top users by peak concurrent instances', users))
        .map((b) => b!.top)
        .sort((a, b) => a - b);
      const pitches = tops.slice(1).map((t, i) => t - tops[i]);
      // A bar of at most 28 px (TOP_USER_BAR_PX) and the repeater's 8 px between bars.
      assert.ok(Math.max(...pitches) <= 36, `rows ${pitches.join(', ')} px apart`);
    });

    commonChecks('usage', page, reopen);
  });
}
