// Around the pages, in Chromium: the app's configuration page, and Grafana served from a sub-path.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { panel } from '../dom.ts';
import { openPage } from '../pageProbe.ts';
import { APP, commonChecks, pageAt, rig } from '../pageSuite.ts';

export function configurationPage(): void {
  describe('Configuration page', () => {
    const { page, reopen } = pageAt('/plugins/hexactf-challenges-app');

    it('shows the provisioned settings', async () => {
      const p = page().page;
      for (const label of [
        'Prometheus datasource',
        'Default window',
        'Metric name',
        'Namespace label',
        'Username label',
        'Challenge id label',
        'Challenge name label',
      ]) {
        assert.equal(await p.getByText(label, { exact: true }).count(), 1, label);
      }
      assert.equal(await p.getByLabel('Metric name').inputValue(), 'challenge_resource_status');
    });

    commonChecks('configuration', page, reopen, false);
  });
}

export function subPath(): void {
  describe('Grafana served from a sub-path (/grafana)', () => {
    it("points the panel menu's Explore link into the sub-path", async () => {
      const o = await openPage(rig!.browser.context, rig!.subPath.url, `${APP}/overview`);
      try {
        await panel(o.page, 'Running').hover();
        await o.page.getByTestId('data-testid Panel menu Running').click();
        const href = await o.page.getByRole('menuitem', { name: 'Explore' }).getAttribute('href');
        assert.ok(href?.startsWith('/grafana/'), `Explore link ${href}`);
        assert.deepEqual(o.failedRequests, []);
      } finally {
        await o.close();
      }
    });
  });
}
