// The Triage page in Chromium (instances in Error, deletions not finished), and the Inspect drawer opened there.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { panel, tableRecords, tableRows } from '../dom.ts';
import { openPage, settle, type OpenedPage } from '../pageProbe.ts';
import { APP, INSTANCE_COLUMNS, commonChecks, expected, pageAt, rig } from '../pageSuite.ts';

export function triagePage(): void {
  describe('Triage', () => {
    const { page, reopen } = pageAt(`${APP}/triage`);
    const pairs = (records: Array<Record<string, string>>) =>
      records.map((r) => ({ username: r.User, challenge_id: r.Challenge }));

    it('lists the instances in Error, headed by the display names', async () => {
      const title = 'Instances in Error';
      assert.deepEqual((await tableRows(page().page, title))[0], INSTANCE_COLUMNS);
      const records = await tableRecords(page().page, title);
      assert.deepEqual(pairs(records), expected.errorInstances);
      assert.deepEqual([...new Set(records.map((r) => r.State))], ['Error']);
    });

    it('lists the deletions that have not finished, headed by the display names', async () => {
      const title = 'Deletions not finished after 5m';
      assert.deepEqual((await tableRows(page().page, title))[0], INSTANCE_COLUMNS);
      const records = await tableRecords(page().page, title);
      assert.deepEqual(pairs(records), expected.stuckDeletions);
      assert.deepEqual([...new Set(records.map((r) => r.State))], ['Deleted']);
    });

    commonChecks('triage', page, reopen);
  });
}

export function inspectDrawer(): void {
  describe('Inspect drawer (Instances in Error, from the panel menu)', () => {
    let opened: OpenedPage | undefined;
    const title = 'Instances in Error';
    const viaMenu = async (theme: 'dark' | 'light' = 'dark') => {
      const o = await openPage(rig!.browser.context, rig!.root.url, `${APP}/triage`, theme);
      await panel(o.page, title).hover();
      await o.page.getByTestId(`data-testid Panel menu ${title}`).click();
      await o.page.getByRole('menuitem', { name: 'Inspect', exact: true }).click();
      await o.page.getByRole('heading', { name: `Inspect: ${title}` }).waitFor();
      await settle(o.page);
      return o;
    };
    before(async () => {
      opened = await viaMenu();
    });
    after(async () => {
      await opened?.close();
    });

    it("shows the panel's data", async () => {
      const drawer = opened!.page.getByRole('dialog');
      const text = await drawer.innerText();
      for (const { username, challenge_id } of expected.errorInstances) {
        assert.ok(text.includes(username) && text.includes(challenge_id), `${username} ${challenge_id} in the drawer`);
      }
    });

    commonChecks('inspect-instances-in-error', () => opened!, viaMenu, false);
  });
}
