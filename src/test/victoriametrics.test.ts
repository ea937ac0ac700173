/**
 * The app's queries on VictoriaMetrics (single-node, built by scripts/install-test-tools.sh): the e2e fixture
 * imported into it and backfilled into Prometheus 3, every query the pages build for that history (instant
 * at the fixture's end, and the range panels over its range) asked of both. None may be refused, and each answer
 * must equal Prometheus', except where docs/compatibility.md names the engine's different semantics.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { instantQuery, rangeQuery, type PromData } from '@hexactf/testing/prom-api';
import { removeTempDir, tempDir } from '@hexactf/testing/processes';
import { startPrometheus, type Prometheus } from '@hexactf/testing/prometheus';
import { PROMETHEUS_BUILDS } from '@hexactf/testing/prometheus-builds';
import { startVictoriaMetrics, type VictoriaMetrics } from '@hexactf/testing/victoriametrics';

import { ChallengeState, STATES } from '../metric/contract';
import { NO_FILTERS } from '../queries/common';
import { lastReportQuery, reportingQuery } from '../queries/heartbeat';
import { challengeStateCountQuery, stateCountOverTimeQuery, stateCountQuery } from '../queries/overview';
import { errorInstancesQuery, stuckDeletionsQuery } from '../queries/triage';
import {
  categoryShareQuery,
  instancesByCategoryQuery,
  peakConcurrentByUserQuery,
  peakDistributionQuery,
  requestsByCategoryQuery,
  requestsByChallengeQuery,
  topUsersQuery,
} from '../queries/usage';
import { matrixQuery, userInstancesQuery } from '../queries/users';
import { DEFAULT_SETTINGS } from '../settings/settings';

jest.setTimeout(120_000);

const FIXTURES = resolve(__dirname, '../../tests/fixtures');
const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8'));
const FROM_S = Date.parse(expected.timeRange.from) / 1000;
const TO_S = Date.parse(expected.timeRange.to) / 1000;
const RANGE = `${TO_S - FROM_S}s`;
/** Grafana's step for a 3 h range panel, and its $__rate_interval at the fixture's 60 s scrape interval. */
const STEP_S = 60;
const RATE_INTERVAL = '4m';
const s = DEFAULT_SETTINGS;

/** Every query the pages send for the fixture's history, by the panel that sends it. */
function instantQueries(): Record<string, string> {
  const out: Record<string, string> = {
    'check: reporting': reportingQuery(s),
    'check: last report': lastReportQuery(s, TO_S - FROM_S),
    'matrix (table)': matrixQuery(s, NO_FILTERS, expected.window),
    "one user's instances": userInstancesQuery(s, 'alice', NO_FILTERS, expected.window),
    'per challenge Running': challengeStateCountQuery(s, ChallengeState.Running, NO_FILTERS, expected.window),
    'per challenge Error': challengeStateCountQuery(s, ChallengeState.Error, NO_FILTERS, expected.window),
    'triage: errors': errorInstancesQuery(s),
    'triage: stuck deletions': stuckDeletionsQuery(s),
    'instances by category': instancesByCategoryQuery(s),
    'category share': categoryShareQuery(s),
    'cpu by challenge': requestsByChallengeQuery(s, 'cpu'),
    'memory by category': requestsByCategoryQuery(s, 'memory'),
    'peak per user': peakConcurrentByUserQuery(s, NO_FILTERS, RANGE),
    'top users': topUsersQuery(s, NO_FILTERS, 10, RANGE),
    'peak distribution': peakDistributionQuery(s, NO_FILTERS, RANGE),
  };
  for (const state of STATES) {
    out[`stat ${state.name}`] = stateCountQuery(s, state.value, NO_FILTERS, expected.window);
  }
  return out;
}

function rangeQueries(): Record<string, string> {
  return Object.fromEntries(
    STATES.map((state) => [
      `over time ${state.name}`,
      stateCountOverTimeQuery(s, state.value, NO_FILTERS, RATE_INTERVAL),
    ])
  );
}

/** An answer in a form both engines can be compared in: each series' labels and values, sorted. */
function normalized(data: PromData): string[] {
  const rows = (data.result as Array<{ metric: Record<string, string>; value?: unknown; values?: unknown[] }>).map(
    (r) => {
      const labels = Object.entries(r.metric)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      const points = (r.values ?? [r.value]) as Array<[number, string]>;
      return `{${labels}} ${points.map(([t, v]) => `${t}:${Number(v)}`).join(' ')}`;
    }
  );
  return rows.sort();
}

let workDir: string;
let prometheus: Prometheus | undefined;
let vm: VictoriaMetrics | undefined;

beforeAll(async () => {
  workDir = tempDir('hexactf-vm-fixture-');
  const tsdb = join(workDir, 'tsdb');
  execFileSync('sh', [join(FIXTURES, 'build-tsdb.sh'), tsdb], { stdio: 'pipe' });
  // Prometheus 3: like VictoriaMetrics, its lookback leaves out a sample exactly 5 m old (2.x takes it in, so
  // at the step where an ended series reaches that age 2.x still counts it).
  prometheus = await startPrometheus({
    binary: PROMETHEUS_BUILDS.find((b) => b.major === 3)!.prometheus,
    config: 'global:\n  scrape_interval: 60s\nscrape_configs: []\n',
    dataDir: tsdb,
    retention: '100y',
    startTimeoutMs: 30_000,
  });
  // The fixture is backfilled: no staleness markers. Series that end are held for Prometheus' 5 m lookback by both
  // (a scraping Prometheus would end them at the next scrape, VictoriaMetrics after about two scrape intervals).
  vm = await startVictoriaMetrics({ staleAfter: '5m' });
  await vm.importOpenMetrics(readFileSync(join(FIXTURES, 'challenges.om.txt'), 'utf8'));
});

afterAll(async () => {
  await vm?.stop();
  await prometheus?.stop();
  if (workDir) {
    removeTempDir(workDir);
  }
});

describe('VictoriaMetrics answers the app like Prometheus', () => {
  it.each(Object.entries(instantQueries()))('instant: %s', async (_name, panelExpr) => {
    // Grafana's $__interval for the panel: its step (the fixture's scrape interval).
    const expr = panelExpr.replaceAll('$__interval', `${STEP_S}s`);
    const want = normalized(await instantQuery(prometheus!.url, expr, TO_S));
    expect(normalized(await instantQuery(vm!.url, expr, TO_S))).toEqual(want);
  });

  it.each(Object.entries(rangeQueries()))('range: %s', async (_name, expr) => {
    const want = normalized(await rangeQuery(prometheus!.url, expr, FROM_S, TO_S, STEP_S));
    expect(normalized(await rangeQuery(vm!.url, expr, FROM_S, TO_S, STEP_S))).toEqual(want);
  });
});
