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

    commonChecks('lifecycle', page, reopen);
  });
}
