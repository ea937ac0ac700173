/*
 * The bundled dashboard: built from the pages' scenes (jsdom, with the harness standing in for Grafana's runtime),
 * the committed JSON is the generator's output, it has the shape Grafana's classic dashboard
 * loader expects, and every panel query, with the dashboard's variables filled in, gives exact samples on the real
 * promtool of every Prometheus build we support. The expected samples are worked out by hand from the series below.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROMETHEUS_BUILDS, runPromtoolOnEveryBuild } from '@hexactf/testing/prometheus-builds';
import pluginJson from '../plugin.json';
import { DEFAULT_LABELS, STATES, WINDOW_CHOICES } from '../metric/contract';
import { MATRIX_COLUMN_LABEL } from '../queries/users';
import {
  DASHBOARD_FILE,
  DASHBOARD_UID,
  DATASOURCE_VARIABLE,
  WINDOW_VARIABLE_NAME,
  challengesDashboard,
} from './generate';
import { setupHarness } from '../test/scene-harness';

setupHarness();
const dashboard = challengesDashboard();
const dashboardPath = join(__dirname, DASHBOARD_FILE);
// `npm run dashboard:generate` runs this file with WRITE_DASHBOARD=1: it writes the file, then checks it like CI.
if (process.env.WRITE_DASHBOARD === '1') {
  writeFileSync(dashboardPath, JSON.stringify(dashboard, null, 2) + '\n');
}
const committed = JSON.parse(readFileSync(dashboardPath, 'utf8'));

type Labels = Record<string, string>;
interface Target {
  refId: string;
  expr: string;
  datasource: { type: string; uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource: { type: string; uid: string };
  targets: Target[];
}
const panels = dashboard.panels as unknown as Panel[];

describe('the bundled dashboard', () => {
  it('is committed as the generator writes it (run `npm run dashboard:generate` after changing the app)', () => {
    expect(committed).toEqual(JSON.parse(JSON.stringify(dashboard)));
  });

  it('is included by plugin.json at the path the build copies it to', () => {
    const include = pluginJson.includes.find((i: { type: string }) => i.type === 'dashboard') as
      { path: string; name: string } | undefined;
    expect(include).toEqual(expect.objectContaining({ path: `dashboards/${DASHBOARD_FILE}`, name: dashboard.title }));
  });

  it('has the fields Grafana loads a classic dashboard by', () => {
    expect(dashboard).toEqual(
      expect.objectContaining({ uid: DASHBOARD_UID, title: expect.any(String), schemaVersion: expect.any(Number) })
    );
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    for (const p of panels) {
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      expect(p.gridPos.w * p.gridPos.h).toBeGreaterThan(0);
      expect(p.datasource).toEqual({ type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` });
      expect(p.targets.length).toBeGreaterThan(0);
      expect(new Set(p.targets.map((t) => t.refId)).size).toBe(p.targets.length);
      for (const t of p.targets) {
        expect(t.datasource).toEqual(p.datasource);
      }
    }
    // No two panels overlap on the grid.
    const cells = new Set<string>();
    for (const { gridPos: g } of panels) {
      for (let x = g.x; x < g.x + g.w; x++) {
        for (let y = g.y; y < g.y + g.h; y++) {
          expect(cells.has(`${x},${y}`)).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });

  it('offers a Prometheus datasource variable and the contract window choices', () => {
    const [datasource, window] = dashboard.templating.list;
    expect(datasource).toMatchObject({ name: DATASOURCE_VARIABLE, type: 'datasource', query: 'prometheus' });
    expect(window).toMatchObject({ name: WINDOW_VARIABLE_NAME, type: 'custom', query: WINDOW_CHOICES.join(',') });
    expect(window.options?.map((o) => o.value)).toEqual([...WINDOW_CHOICES]);
    expect(window.options?.filter((o) => o.selected).map((o) => o.value)).toEqual([window.current.value]);
  });

  it('has the Overview state stats, per-challenge Running/Error, counts over time and the matrix', () => {
    expect(panels.map((p) => [p.type, p.title])).toEqual([
      ...STATES.map((s) => ['stat', s.name]),
      ['barchart', 'Running and Error instances per challenge'],
      ['timeseries', 'Instances per state over time'],
      ['table', 'Users x Challenges'],
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Every query on promtool

// The dashboard variables' values (the default window) and Grafana's built-in interval for the range panel.
const VARIABLES: Record<string, string> = { [`$${WINDOW_VARIABLE_NAME}`]: '2h', $__rate_interval: '2m' };
const L = DEFAULT_LABELS;
const formatLabels = (labels: Labels) =>
  `{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ')}}`;

// One sample a minute from t = 0; evaluated at 180m, so the 2h window is [60m, 180m].
const INSTANCES: Array<{ user: string; id: string; values: string }> = [
  { user: 'alice', id: 'web-1', values: '1x180' }, // Running throughout
  { user: 'bob', id: 'web-1', values: '0x10 3x170' }, // Error from 10m
  { user: 'carol', id: 'pwn-1', values: '1x180' }, // Running
  { user: 'dave', id: 'pwn-1', values: '0x180' }, // Pending
  { user: 'erin', id: 'web-1', values: '1x149 2x10' }, // Deleted 150m..160m, then removed: Deleted in the window
  { user: 'frank', id: 'pwn-1', values: '2x10' }, // Deleted and removed before the window: not counted
  { user: 'gina', id: 'web-1', values: '1x100' }, // vanished at 100m without a Deleted: not counted
];
const instance = (user: string, id: string): Labels => ({
  [L.namespace]: 'ctf',
  [L.challengeId]: id,
  [L.challengeName]: `${id}-${user}`,
  [L.username]: user,
});
// The bundled dashboard has no column step: every column carries its namespace (src/queries/users.ts).
const cell = (user: string, id: string): Labels => ({
  ...instance(user, id),
  [MATRIX_COLUMN_LABEL]: `${id} @ ${instance(user, id)[L.namespace]}`,
});
const unlabelled = (value: number) => [{ labels: {}, value }];
const perChallenge = (web: number, pwn: number) => [
  { labels: { [L.challengeId]: 'web-1' }, value: web },
  { labels: { [L.challengeId]: 'pwn-1' }, value: pwn },
];

/** Expected samples per panel title and refId, at each evaluation time. */
const EXPECTED: Record<string, Record<string, Array<{ labels: Labels; value: number }>>> = {
  '180m': {
    'Pending/Pending': unlabelled(1),
    'Running/Running': unlabelled(2),
    'Deleted/Deleted': unlabelled(1),
    'Error/Error': unlabelled(1),
    'Running and Error instances per challenge/Running': perChallenge(1, 1),
    'Running and Error instances per challenge/Error': perChallenge(1, 0),
    // Over the last 2m: erin's Deleted ended at 160m.
    'Instances per state over time/Pending': unlabelled(1),
    'Instances per state over time/Running': unlabelled(2),
    'Instances per state over time/Deleted': unlabelled(0),
    'Instances per state over time/Error': unlabelled(1),
    'Users x Challenges/A': [
      { labels: cell('alice', 'web-1'), value: 1 },
      { labels: cell('bob', 'web-1'), value: 3 },
      { labels: cell('carol', 'pwn-1'), value: 1 },
      { labels: cell('dave', 'pwn-1'), value: 0 },
      { labels: cell('erin', 'web-1'), value: 2 },
    ],
  },
  '155m': {
    // erin is being deleted now.
    'Instances per state over time/Deleted': unlabelled(1),
    'Instances per state over time/Running': unlabelled(2),
  },
};

function substitute(expr: string): string {
  let out = expr;
  for (const [variable, value] of Object.entries(VARIABLES)) {
    out = out.split(variable).join(value);
  }
  expect(out).not.toContain('$');
  return out;
}

function promtoolFile(expected: typeof EXPECTED) {
  const targets = new Map<string, string>(
    panels.flatMap((p) => p.targets.map((t) => [`${p.title}/${t.refId}`, t.expr]))
  );
  return {
    rule_files: [],
    evaluation_interval: '1m',
    tests: [
      {
        interval: '1m',
        input_series: INSTANCES.map((i) => ({
          series: `challenge_resource_status${formatLabels({ ...instance(i.user, i.id), job: 'op', instance: 'a' })}`,
          values: i.values,
        })),
        promql_expr_test: Object.entries(expected).flatMap(([evalTime, byTarget]) =>
          Object.entries(byTarget).map(([key, samples]) => {
            const expr = targets.get(key);
            if (expr === undefined) {
              throw new Error(`no panel query ${key}`);
            }
            return {
              expr: substitute(expr),
              eval_time: evalTime,
              exp_samples: samples.map((s) => ({ labels: formatLabels(s.labels), value: s.value })),
            };
          })
        ),
      },
    ],
  };
}

function runPromtool(file: object) {
  const dir = mkdtempSync(join(tmpdir(), 'hexactf-dashboard-'));
  try {
    const path = join(dir, 'dashboard.test.yaml');
    writeFileSync(path, JSON.stringify(file, null, 2)); // JSON is YAML
    return runPromtoolOnEveryBuild(['test', 'rules', path]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe(`every dashboard query, on promtool of Prometheus ${PROMETHEUS_BUILDS.map((b) => b.name).join(' and ')}`, () => {
  it('has expected samples for every panel target', () => {
    const keys = panels.flatMap((p) => p.targets.map((t) => `${p.title}/${t.refId}`));
    expect(Object.keys(EXPECTED['180m']).sort()).toEqual([...keys].sort());
  });

  it('gives the exact samples', () => {
    const { status, output } = runPromtool(promtoolFile(EXPECTED));
    expect(output).not.toContain('FAILED');
    expect(output.match(/--- promtool of Prometheus/g)).toHaveLength(PROMETHEUS_BUILDS.length);
    expect(status).toBe(0);
  });

  it('fails when a sample differs (the harness can fail)', () => {
    const { status, output } = runPromtool(promtoolFile({ '180m': { 'Running/Running': unlabelled(3) } }));
    expect(status).not.toBe(0);
    expect(output).toContain('FAILED');
  });
});
