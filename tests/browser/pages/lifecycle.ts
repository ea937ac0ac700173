// The Lifecycle page in Chromium.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LIFECYCLE_METRIC_PANELS, MISSING_LIFECYCLE_METRICS_TITLE } from '@hexactf/testing/lifecycle-expectations';
import { APP, commonChecks, lines, pageAt } from '../pageSuite.ts';

export function lifecyclePage(): void {
  describe('Lifecycle', () => {
    const { page, reopen } = pageAt(`${APP}/lifecycle`);

    it('says No data for reconcile errors when Prometheus has no operator metrics', async () => {
      assert.deepEqual(await lines(page(), 'Reconcile errors in the range'), [
        'Reconcile errors in the range',
        'No data',
      ]);
    });

    it('says the lifecycle metrics are missing, and their panels say No data, not that nothing happened', async () => {
      const notice = page().page.getByText(MISSING_LIFECYCLE_METRICS_TITLE);
      assert.equal(await notice.count(), 1);
      for (const title of LIFECYCLE_METRIC_PANELS) {
        assert.deepEqual(await lines(page(), title), [title, 'No data'], title);
      }
      const text = await page().page.locator('body').innerText();
      assert.ok(!/No instance (got Running|ended)/.test(text), 'an empty text speaks of the event');
    });

    commonChecks('lifecycle', page, reopen);
  });
}
