// The Users x Challenges page in Chromium, and the user page its matrix leads to (alice).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cellPaint, panel, tableRecords, tableRows } from '../dom.ts';
import { openPage, settle, type OpenedPage } from '../pageProbe.ts';
import { APP, INSTANCE_COLUMNS, commonChecks, expected, pageAt, rig } from '../pageSuite.ts';

export function usersChallengesPage(): void {
  describe('Users x Challenges', () => {
    const { page, reopen } = pageAt(`${APP}/users-challenges`);
    const title = 'Users x Challenges';

    it('heads the matrix User, then the challenge ids', async () => {
      const [header] = await tableRows(page().page, title);
      assert.deepEqual(header, ['User', ...expected.challenges]);
    });

    it('shows every user and the last state of each of their instances, and nothing where they have none', async () => {
      const [, ...rows] = await tableRows(page().page, title);
      const shown = Object.fromEntries(rows.map(([user, ...cells]) => [user, cells]));
      const want = Object.fromEntries(
        Object.entries(expected.matrix).map(([user, states]) => [user, expected.challenges.map((c) => states[c] ?? '')])
      );
      assert.deepEqual(shown, want);
    });

    it('paints no state colour in a cell where the user has no instance (bob, 102)', async () => {
      const paint = await cellPaint(page().page, title, 'bob', '102');
      assert.equal(paint.text, '');
      assert.equal(paint.backgroundImage, 'none', `empty cell painted: ${paint.backgroundImage}`);
      assert.ok(
        paint.backgroundColor === paint.tableBackground || paint.backgroundColor === 'rgba(0, 0, 0, 0)',
        `empty cell background ${paint.backgroundColor}, table ${paint.tableBackground}`
      );
    });

    commonChecks('users-challenges', page, reopen);
  });
}

export function userDrilldown(): void {
  describe('User drilldown (alice, from the matrix)', () => {
    let opened: OpenedPage | undefined;
    const viaMatrix = async (theme: 'dark' | 'light' = 'dark') => {
      const o = await openPage(rig!.browser.context, rig!.root.url, `${APP}/users-challenges`, theme);
      await panel(o.page, 'Users x Challenges').getByRole('link', { name: 'alice', exact: true }).click();
      await o.page.waitForURL(/\/users-challenges\/user\//);
      await settle(o.page);
      return o;
    };
    before(async () => {
      opened = await viaMatrix();
    });
    after(async () => {
      await opened?.close();
    });

    it("lists alice's instances with their states", async () => {
      const [header] = await tableRows(opened!.page, 'Instances of alice');
      assert.deepEqual(header, INSTANCE_COLUMNS);
      const records = await tableRecords(opened!.page, 'Instances of alice');
      assert.deepEqual([...new Set(records.map((r) => r.User))], ['alice']);
      const shown = Object.fromEntries(records.map((r) => [r.Challenge, r.State]));
      assert.deepEqual(shown, expected.matrix.alice);
    });

    commonChecks('user-alice', () => opened!, viaMatrix);
  });
}
