/**
 * The four states of knowledge (docs/dashboard-semantics.md, "What the pages know") on every page with data, in
 * Chromium against a real Prometheus holding knowledgeFixture.ts: live (no notice, the cluster's figures), last known
 * (a banner with the last report's time, the figures as of then), no data (a notice, "No data", never a 0) and an
 * empty cluster (no notice, 0). A screenshot per page and state: knowledge-<state>-<page>-dark.png.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { panel } from './dom.ts';
import {
  KNOWLEDGE_RANGES,
  LAST_REPORT_S,
  REPORTED_COUNTS,
  startKnowledgePrometheus,
  type KnowledgeState,
} from './knowledgeFixture.ts';
import { settle } from './pageProbe.ts';
import { startRig, type Rig } from './rig.ts';
import { saveScreenshot } from './screenshots.ts';

const APP = '/a/hexactf-challenges-app';
const PAGES = {
  overview: 'overview',
  'users-challenges': 'users-challenges',
  'user-alice': `users-challenges/user/${Buffer.from('alice').toString('base64url')}`,
  usage: 'usage',
  triage: 'triage',
  lifecycle: 'lifecycle',
};
const STOPPED = `The Challenge operator stopped reporting at ${new Date(LAST_REPORT_S * 1000).toISOString().replace('T', ' ').slice(0, 19)}`;
const NO_DATA = 'No data from the Challenge operator in this time range';
const STATES: KnowledgeState[] = ['live', 'lastKnown', 'noData', 'empty'];

let rig: Rig | undefined;

before(async () => {
  rig = await startRig({ subPath: false, prometheus: startKnowledgePrometheus });
});

after(async () => {
  await rig?.stop();
});

/** Each panel's lines of text, by title. */
async function panelTexts(page: Page): Promise<Record<string, string[]>> {
  return page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll('section[data-testid^="data-testid Panel header "]')].map((s) => [
        s.querySelector('h2')?.textContent?.trim() ?? '',
        (s as HTMLElement).innerText
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean)
          .slice(1),
      ])
    )
  );
}

/** The colours painted inside a panel's content (backgrounds and gradients), transparent ones left out. */
const paintedColours = (page: Page, title: string) =>
  panel(page, title).evaluate((section) => {
    const colours = new Set<string>();
    const body = section.querySelector('[class*="panel-content"]');
    const content = body ? [body, ...body.querySelectorAll('*')] : [];
    for (const e of content) {
      const style = getComputedStyle(e);
      for (const c of [style.backgroundColor, ...(style.backgroundImage.match(/rgba?\([^)]*\)/g) ?? [])]) {
        if (!/^rgba\([^)]*,\s*0\)$/.test(c) && c !== 'transparent') {
          colours.add(c);
        }
      }
    }
    return [...colours];
  });

const statLines = async (page: Page, title: string) =>
  (await panel(page, title).innerText())
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

for (const state of STATES) {
  describe(`${state}`, () => {
    for (const [name, path] of Object.entries(PAGES)) {
      describe(name, () => {
        let page: Page | undefined;
        const problems: string[] = [];
        before(async () => {
          page = await rig!.browser.context.newPage();
          page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
          page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
          page.on('response', (r) => r.status() >= 400 && problems.push(`${r.url()}: HTTP ${r.status()}`));
          await page.addInitScript(() => Object.assign(window, { __hostTheme: 'dark' }));
          const { from, to } = KNOWLEDGE_RANGES[state];
          await page.goto(`${rig!.root.url}${APP}/${path}?from=${from}&to=${to}`);
          await settle(page);
          await saveScreenshot(page, `knowledge-${state}-${name}`, 'dark');
        });
        after(async () => {
          await page?.close();
        });

        it('logs no console error', () => {
          assert.deepEqual(problems, []);
        });

        it(
          state === 'lastKnown'
            ? 'says when the operator stopped reporting'
            : state === 'noData'
              ? 'says Prometheus holds nothing from the operator in the range'
              : 'shows no notice about the operator',
          async () => {
            const text = await page!.locator('body').innerText();
            assert.equal(text.includes(STOPPED), state === 'lastKnown', `banner "${STOPPED}"`);
            assert.equal(text.includes('stopped reporting'), state === 'lastKnown');
            assert.equal(text.includes(NO_DATA), state === 'noData', `notice "${NO_DATA}"`);
          }
        );

        if (state === 'noData') {
          it('shows no 0 in any panel', async () => {
            const zeros = Object.entries(await panelTexts(page!)).filter(([, lines]) => lines.includes('0'));
            assert.deepEqual(zeros, []);
          });
          it('says No data in every empty panel, no empty text that reads as an all-clear', async () => {
            // "No instance is in Error", "No running instances in the time range": statements about the cluster.
            const allClear = Object.entries(await panelTexts(page!)).filter(([, lines]) =>
              lines.some((l) => /^No /.test(l) && l !== 'No data')
            );
            assert.deepEqual(allClear, []);
          });
        }

        if (name === 'overview') {
          it('shows the state counts this state of knowledge gives', async () => {
            for (const s of ['Pending', 'Running', 'Error'] as const) {
              const want = state === 'noData' ? 'No data' : state === 'empty' ? '0' : String(REPORTED_COUNTS[s]);
              assert.deepEqual(await statLines(page!, s), [s, want], `stat ${s}`);
            }
          });
          it(
            state === 'noData' ? 'paints no colour behind "No data"' : 'paints each count in its state colour',
            async () => {
              for (const s of ['Pending', 'Running', 'Error'] as const) {
                const painted = await paintedColours(page!, s);
                assert.equal(painted.length === 0, state === 'noData', `stat ${s} painted ${painted.join(', ')}`);
              }
            }
          );
        }

        if (name === 'triage') {
          it('lists the instance in Error only while it is known', async () => {
            const text = await panel(page!, 'Instances in Error').innerText();
            assert.equal(text.includes('bob'), state === 'live' || state === 'lastKnown', text);
          });
        }

        if (name === 'users-challenges') {
          it('shows the matrix rows only while they are known', async () => {
            const text = await panel(page!, 'Users x Challenges').innerText();
            for (const user of ['alice', 'bob', 'carol']) {
              assert.equal(text.includes(user), state === 'live' || state === 'lastKnown', `${user} in ${text}`);
            }
          });
        }
      });
    }
  });
}
