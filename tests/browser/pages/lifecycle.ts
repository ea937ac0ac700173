// The Lifecycle page in Chromium.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
      const notice = page().page.getByText(
        'No challenge_time_to_running_seconds, challenge_lifetime_seconds, challenge_state_transitions_total in Prometheus for the time range'
      );
      assert.equal(await notice.count(), 1);
      for (const title of [
        'Time to Running',
        'Time to Running per definition',
        'Instance lifetime',
        'Share of instances that ended within each lifetime',
        'Opens, failures and deletions per minute',
      ]) {
        assert.deepEqual(await lines(page(), title), [title, 'No data'], title);
      }
      const text = await page().page.locator('body').innerText();
      assert.ok(!/No instance (got Running|ended)/.test(text), 'an empty text speaks of the event');
    });

    commonChecks('lifecycle', page, reopen);
  });
}
