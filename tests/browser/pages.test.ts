/**
 * Every page of the built app in Chromium, in the host page (host/, README.md), against a real Prometheus serving
 * tests/fixtures/challenges.om.txt: what a person reads (tests/fixtures/expected.json's numbers and cells, state
 * words, headers, legends), the layout, the URL, accessibility, and a screenshot per page and theme.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO } from './buildHost.ts';
import { seriousViolations } from './axe.ts';
import {
  bandAboveFirstPanel,
  barAxisLabels,
  barGroupLabels,
  barValues,
  cellPaint,
  cutTexts,
  panel,
  refreshOffsetFromTimePicker,
  tableLegend,
  tableRecords,
  tableRows,
  urlParameterCounts,
} from './dom.ts';
import { openPage, settle, type OpenedPage } from './pageProbe.ts';
import { startRig, type Rig } from './rig.ts';
import { saveScreenshot } from './screenshots.ts';

const APP = '/a/hexactf-challenges-app';
/** The instance tables' headers: the label roles' display names and the state (src/pages/shared/instancesTable.ts). */
const INSTANCE_COLUMNS = ['Namespace', 'User', 'Challenge', 'Name', 'State'];
/** Controls and first panel are separated by the layout's gaps only (Grafana: 16 px or so). */
const MAX_BAND_PX = 40;

interface Expected {
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
const expected = JSON.parse(readFileSync(join(REPO, 'tests/fixtures/expected.json'), 'utf8')) as Expected;

let rig: Rig | undefined;

before(async () => {
  rig = await startRig();
});

after(async () => {
  const icons = [...new Set([...(rig?.root.iconsNotPublished ?? []), ...(rig?.subPath.iconsNotPublished ?? [])])];
  if (icons.length > 0) {
    // Not a failure of the app: Grafana's server ships these, @grafana/ui does not publish them (README.md).
    console.log(`icons answered with an empty SVG (only Grafana ships them): ${icons.sort().join(', ')}`);
  }
  await rig?.stop();
});

const lines = async (opened: OpenedPage, title: string) =>
  (await panel(opened.page, title).innerText())
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/**
 * The checks every app page gets: no console error, no failed request, no blank band above the panels, one time
 * range in the URL, no serious axe violation, and its screenshots in both themes.
 */
function commonChecks(
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
function pageAt(path: string) {
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

  commonChecks('usage', page, reopen);
});

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
