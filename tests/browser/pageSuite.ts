/**
 * What the browser test's page groups (pages/*.ts, run by pages.test.ts) share: the rig, started once for the whole
 * run (Chromium, the host page, Prometheus), the numbers tests/fixtures/expected.json says a person reads, a page
 * opened per describe block, and the checks every app page gets.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { REPO } from './buildHost.ts';
import { seriousViolations } from './axe.ts';
import { bandAboveFirstPanel, blankIcons, panel, refreshOffsetFromTimePicker, urlParameterCounts } from './dom.ts';
import { openPage, type OpenedPage } from './pageProbe.ts';
import { startRig, type Rig } from './rig.ts';
import { saveScreenshot } from './screenshots.ts';

export const APP = '/a/hexactf-challenges-app';
/** The instance tables' headers: the label roles' display names and the state (src/pages/shared/instancesTable.ts). */
export const INSTANCE_COLUMNS = ['Namespace', 'User', 'Challenge', 'Name', 'State'];
/** Controls and first panel are separated by the layout's gaps only (Grafana: 16 px or so). */
const MAX_BAND_PX = 40;

export interface Expected {
  stateCounts: Record<string, number>;
  stateCountsByWindow: Record<string, Record<string, number>>;
  matrix: Record<string, Record<string, string>>;
  challenges: string[];
  perChallenge: Record<string, { Running: number; Error: number }>;
  errorInstances: Array<{ username: string; challenge_id: string }>;
  stuckDeletions: Array<{ username: string; challenge_id: string }>;
  usage: {
    peakRunningByUser: Record<string, number>;
    runningPerCategory: Record<string, number>;
    requestsPerCategory: Record<string, { cpu: number; memoryText: string }>;
  };
}
export const expected = JSON.parse(readFileSync(join(REPO, 'tests/fixtures/expected.json'), 'utf8')) as Expected;

export let rig: Rig | undefined;

/** Starts the rig before the run's first test and stops it after its last (pages.test.ts calls this once). */
export function rigForTheRun(): void {
  before(async () => {
    rig = await startRig();
  });

  after(async () => {
    const icons = [...new Set([...(rig?.root.iconsNotPublished ?? []), ...(rig?.subPath.iconsNotPublished ?? [])])];
    if (icons.length > 0) {
      // Grafana's server ships these; neither @grafana/ui nor Unicons has them (README.md): the pages' blank-icon check fails.
      console.log(`icons answered with an empty SVG (only Grafana ships them): ${icons.sort().join(', ')}`);
    }
    await rig?.stop();
  });
}

export const lines = async (opened: OpenedPage, title: string) =>
  (await panel(opened.page, title).innerText())
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/**
 * The checks every app page gets: no console error, no failed request, no blank band above the panels, one time
 * range in the URL, no serious axe violation, and its screenshots in both themes.
 */
export function commonChecks(
  name: string,
  page: () => OpenedPage,
  reopen: (theme: 'light') => Promise<OpenedPage>,
  panels = true
) {
  it('logs no console error', () => {
    assert.deepEqual(page().consoleErrors, []);
  });
  it('makes no failed request', () => {
    assert.deepEqual(page().failedRequests, []);
  });
  if (panels) {
    it(`has no blank band between the controls and the first panel (< ${MAX_BAND_PX} px)`, async () => {
      const band = await bandAboveFirstPanel(page().page);
      assert.ok(band < MAX_BAND_PX, `${band} px of blank space above the first panel`);
    });
    it('keeps the Refresh button on the row of the time range it refreshes', async () => {
      const offset = await refreshOffsetFromTimePicker(page().page);
      assert.ok(offset < 4, `Refresh is ${offset} px below or above the time picker`);
    });
    it('draws every icon (none answered blank by the host)', async () => {
      assert.deepEqual(
        await blankIcons(page().page),
        [],
        'run `bash scripts/install-test-tools.sh` for the Unicons icons'
      );
    });
    it('keeps exactly one time range in the URL (from, to; no from-2, to-2, timezone-2)', () => {
      const counts = urlParameterCounts(page().page.url());
      assert.equal(counts.from, 1);
      assert.equal(counts.to, 1);
      const doubled = Object.keys(counts).filter((k) => /-\d+$/.test(k));
      assert.deepEqual(doubled, [], `URL: ${page().page.url()}`);
    });
  }
  it('has no serious or critical accessibility violation (axe)', async () => {
    assert.deepEqual(await seriousViolations(page().page), []);
  });
  it('is saved as a screenshot in the dark and the light theme', async () => {
    await saveScreenshot(page().page, name, 'dark');
    const light = await reopen('light');
    try {
      await saveScreenshot(light.page, name, 'light');
    } finally {
      await light.close();
    }
  });
}

/** A describe block's page, opened before its checks and closed after. */
export function pageAt(path: string) {
  let opened: OpenedPage | undefined;
  const open = (theme: 'dark' | 'light' = 'dark') => openPage(rig!.browser.context, rig!.root.url, path, theme);
  before(async () => {
    opened = await open();
  });
  after(async () => {
    await opened?.close();
  });
  return { page: () => opened!, reopen: open };
}
