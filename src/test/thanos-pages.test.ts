/**
 * @jest-environment node
 *
 * The pages' queries over three clusters behind one Thanos Query (chain deduplication), with the cluster label role
 * (settings/clusterRole.ts) in every query: cluster a holds the e2e fixture; b a variant sharing several instances
 * (same namespace, user and challenge) with a, served by a replica pair; c the fixture again whose operator stopped
 * reporting 30 minutes before the end. Truth: a plain Prometheus 3 per cluster over that cluster's history.
 *
 * - every page query filtered to one cluster (`cluster` filter) answers as that cluster's own Prometheus;
 * - unfiltered, the state counts are the sum of the clusters' counts (an instance both clusters have counts twice),
 *   instant and over the range, and the matrix has each cluster's cells, under its cluster label;
 * - the operator check per cluster: a and b report, c does not, and c's last report is its own; the banner's query
 *   (stoppedClustersQuery) names c alone, with its last report.
 * Every cluster's history carries the operator's lifecycle and controller metrics (lifecycle-history.ts: among
 * them the controller's reconcile counter, the banner's heartbeat) up to its end, and each cluster's Prometheus (the
 * truth and the sidecars' alike) the chart's dashboard rules recorded over its own history (rule-history.ts): the
 * Lifecycle page's queries (its range panels up to the operator's restart, as in thanos.test.ts: after it Thanos'
 * range rates differ) and the rule forms of the over-time and peak panels, filtered to one cluster, answer as that
 * cluster's own Prometheus too, none of them empty.
 */
import { readFileSync } from 'node:fs';
import { instantQuery, rangeQuery, type PromData } from '@hexactf/testing/prom-api';
import {
  startThanosQuery,
  startThanosSidecar,
  type ThanosComponent,
  type ThanosSidecar,
} from '@hexactf/testing/thanos';

import { STATES } from '../metric/contract';
import { NO_FILTERS, type QueryFilters } from '../queries/common';
import {
  clusterLastReportQuery,
  clusterReportingQuery,
  reportingQuery,
  stoppedClustersQuery,
} from '../queries/heartbeat';
import { stateCountOverTimeQuery, stateCountQuery } from '../queries/overview';
import { matrixQuery } from '../queries/users';
import { DEFAULT_SETTINGS } from '../settings/settings';
import {
  FIXTURE_TEXT,
  FROM_S,
  STEP_S,
  TO_S,
  expected,
  instantQueries,
  normalized,
  rangeQueries,
  ruleInstantQueries,
  ruleRangeQueries,
} from './fixture-queries';
import { fixturePrometheus, renameUser, withoutStretch, withoutUser, type FixturePrometheus } from './fixture-servers';
import { RESTART_S, lifecycleInstantQueries, lifecycleRangeQueries, withLifecycleFamilies } from './lifecycle-history';
import { dashboardRuleHistory, type RuleBlocks } from './rule-history';

jest.setTimeout(180_000);

const s = DEFAULT_SETTINGS;
const CLUSTERS = ['a', 'b', 'c'] as const;
type Cluster = (typeof CLUSTERS)[number];
/** Cluster c's operator stops reporting here (its history ends). */
const C_STOPS = TO_S - 30 * 60;
const RANGE_S = TO_S - FROM_S;

const truth: Partial<Record<Cluster, FixturePrometheus>> = {};
const servers: FixturePrometheus[] = [];
const sidecars: ThanosSidecar[] = [];
const rules: RuleBlocks[] = [];
let query: ThanosComponent | undefined;
const started = Date.now();

const only = (c: Cluster): QueryFilters => ({ ...NO_FILTERS, cluster: [c] });
const instant = (url: string, expr: string) => instantQuery(url, expr, TO_S);
const range = (url: string, expr: string, toS = TO_S) => rangeQuery(url, expr, FROM_S, toS, STEP_S);

/** A single-sample answer's value, 0 when there is none (no sample: nothing counted, or nobody reporting). */
function scalarOf(data: PromData): number {
  const result = data.result as Array<{ value: [number, string] }>;
  expect(result.length).toBeLessThanOrEqual(1);
  return result.length ? Number(result[0].value[1]) : 0;
}

/** A one-series range answer as step -> value. */
function pointsOf(data: PromData): Map<number, number> {
  const result = data.result as Array<{ values: Array<[number, string]> }>;
  expect(result.length).toBeLessThanOrEqual(1);
  return new Map((result[0]?.values ?? []).map(([t, v]) => [t, Number(v)]));
}

/** Rows of an answer per value of its cluster label, each row without it. */
function byCluster(data: PromData): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of data.result as Array<{ metric: Record<string, string> }>) {
    (out[r.metric.cluster ?? ''] ??= []).push(
      ...normalized({ ...data, result: [r] } as unknown as PromData, ['cluster'])
    );
  }
  return Object.fromEntries(Object.entries(out).map(([k, rows]) => [k, rows.sort()]));
}

beforeAll(async () => {
  const textA = withLifecycleFamilies(readFileSync(FIXTURE_TEXT, 'utf8'));
  const texts: Record<Cluster, string> = {
    a: textA,
    b: renameUser(withoutUser(textA, 'carol'), 'dave', 'zed'),
    c: withoutStretch(textA, C_STOPS, TO_S + 1),
  };
  const served: Array<[string, Record<string, string>]> = [
    [texts.a, { cluster: 'a' }],
    [texts.b, { cluster: 'b', replica: '0' }],
    [texts.b, { cluster: 'b', replica: '1' }],
    [texts.c, { cluster: 'c' }],
  ];
  const blocks: Partial<Record<Cluster, string>> = {};
  for (const c of CLUSTERS) {
    rules.push(await dashboardRuleHistory(texts[c], FROM_S, TO_S, STEP_S));
    blocks[c] = rules[rules.length - 1].dir;
    truth[c] = await fixturePrometheus(texts[c], {}, blocks[c]);
    servers.push(truth[c]);
  }
  for (const [text, labels] of served) {
    const prom = await fixturePrometheus(text, labels, blocks[labels.cluster as Cluster]);
    servers.push(prom);
    sidecars.push(await startThanosSidecar({ prometheusUrl: prom.url }));
  }
  query = await startThanosQuery({
    endpoints: sidecars.map((sc) => sc.grpcAddress),
    replicaLabel: 'replica',
    dedup: 'chain',
  });
  console.log(`thanos (pages, three clusters): 7 Prometheus, 4 sidecars, Query up in ${Date.now() - started} ms`);
});

afterAll(async () => {
  await query?.stop();
  for (const sc of sidecars) {
    await sc.stop();
  }
  for (const p of servers) {
    await p.close();
  }
  for (const r of rules) {
    r.remove();
  }
  console.log(`thanos (pages, three clusters): ${Date.now() - started} ms in all`);
});

// The truth's series have no cluster label: it is asked the same panels unfiltered.
describe.each(CLUSTERS)('every page query filtered to cluster %s answers as its own Prometheus', (c) => {
  const [unfiltered, unfilteredRange] = [instantQueries(), rangeQueries()];

  it.each(Object.entries(instantQueries(only(c))))('instant: %s', async (name, expr) => {
    const want = normalized(await instant(truth[c]!.url, unfiltered[name]));
    expect(normalized(await instant(query!.url, expr), ['cluster'])).toEqual(want);
  });

  it.each(Object.entries(rangeQueries(only(c))))('range: %s', async (name, expr) => {
    const want = normalized(await range(truth[c]!.url, unfilteredRange[name]));
    expect(normalized(await range(query!.url, expr), ['cluster'])).toEqual(want);
  });
});

// As above, for the Lifecycle page and the rule forms; each answer non-empty (empty on both would prove nothing).
describe.each(CLUSTERS)(
  'the Lifecycle page and the rule forms filtered to cluster %s answer as its own Prometheus',
  (c) => {
    const instantEqual = async (filtered: string, unfiltered: string) => {
      const want = normalized(await instant(truth[c]!.url, unfiltered));
      expect(want.length).toBeGreaterThan(0);
      expect(normalized(await instant(query!.url, filtered), ['cluster'])).toEqual(want);
    };
    const rangeEqual = async (filtered: string, unfiltered: string, toS = TO_S) => {
      const want = normalized(await range(truth[c]!.url, unfiltered, toS));
      expect(want.length).toBeGreaterThan(0);
      expect(normalized(await range(query!.url, filtered, toS), ['cluster'])).toEqual(want);
    };
    const [lifecycle, lifecycleRange] = [lifecycleInstantQueries(), lifecycleRangeQueries()];
    const [rule, ruleRange] = [ruleInstantQueries(), ruleRangeQueries()];

    it.each(Object.entries(lifecycleInstantQueries(only(c))))('lifecycle instant: %s', async (name, expr) => {
      await instantEqual(expr, lifecycle[name]);
    });

    it.each(Object.entries(lifecycleRangeQueries(only(c))))(
      'lifecycle range (up to the restart): %s',
      async (name, expr) => {
        await rangeEqual(expr, lifecycleRange[name], RESTART_S - STEP_S);
      }
    );

    it.each(Object.entries(ruleInstantQueries(only(c))))('%s', async (name, expr) => {
      expect(expr).toContain('hexactf:'); // the rule form, not the raw one
      await instantEqual(expr, rule[name]);
    });

    it.each(Object.entries(ruleRangeQueries(only(c))))('%s', async (name, expr) => {
      expect(expr).toContain('hexactf:');
      await rangeEqual(expr, ruleRange[name]);
    });
  }
);

describe('unfiltered, the pages show the union of the clusters', () => {
  it.each(STATES.map((st) => [st.name, st.value] as const))(
    "stat %s: the sum of the clusters' counts",
    async (_name, state) => {
      const expr = stateCountQuery(s, state, NO_FILTERS, expected.window);
      let sum = 0;
      for (const c of CLUSTERS) {
        sum += scalarOf(await instant(truth[c]!.url, expr));
      }
      expect(scalarOf(await instant(query!.url, expr))).toBe(sum);
    }
  );

  it.each(STATES.map((st) => [st.name, st.value] as const))(
    'over time %s: the sum at every step',
    async (_name, state) => {
      const expr = stateCountOverTimeQuery(s, state, NO_FILTERS, '4m');
      const sum = new Map<number, number>();
      for (const c of CLUSTERS) {
        for (const [t, v] of pointsOf(await range(truth[c]!.url, expr))) {
          sum.set(t, (sum.get(t) ?? 0) + v);
        }
      }
      expect([...pointsOf(await range(query!.url, expr))].sort()).toEqual([...sum].sort());
    }
  );

  it("the matrix: each cluster's cells under its cluster label, shared instances once per cluster", async () => {
    const expr = matrixQuery(s, NO_FILTERS, expected.window);
    const got = byCluster(await instant(query!.url, expr));
    const want: Record<string, string[]> = {};
    for (const c of CLUSTERS) {
      want[c] = normalized(await instant(truth[c]!.url, expr));
    }
    expect(got).toEqual(want);
    expect(want.a.filter((row) => want.b.includes(row)).length).toBeGreaterThanOrEqual(3);
  });
});

describe('the operator check per cluster', () => {
  it('a and b report at the end, c does not', async () => {
    const reporting = (await instant(query!.url, clusterReportingQuery(s))).result as Array<{
      metric: Record<string, string>;
    }>;
    expect(reporting.map((r) => r.metric.cluster).sort()).toEqual(['a', 'b']);
    for (const c of CLUSTERS) {
      expect(scalarOf(await instant(query!.url, reportingQuery(s, only(c))))).toBe(c === 'c' ? 0 : 1);
    }
  });

  it("each cluster's last report is its own; c's is before it stopped", async () => {
    const got = byCluster(await instant(query!.url, clusterLastReportQuery(s, RANGE_S)));
    for (const c of CLUSTERS) {
      expect(got[c]).toEqual(normalized(await instant(truth[c]!.url, clusterLastReportQuery(s, RANGE_S))));
    }
    const last = (got.c[0] ?? '').split(':').pop();
    expect(Number(last)).toBeLessThan(C_STOPS);
    expect(Number(last)).toBeGreaterThanOrEqual(C_STOPS - 5 * 60);
  });

  it('the banner names cluster c alone, with its last report; filtered to a, nothing', async () => {
    const stopped = (await instant(query!.url, stoppedClustersQuery(s, RANGE_S))).result as Array<{
      metric: Record<string, string>;
      value: [number, string];
    }>;
    expect(stopped.map((r) => r.metric.cluster)).toEqual(['c']);
    const lastOfC = normalized(await instant(truth.c!.url, clusterLastReportQuery(s, RANGE_S, 'controller')));
    expect(lastOfC).toEqual([`{} ${TO_S}:${stopped[0].value[1]}`]);
    expect(Number(stopped[0].value[1])).toBeLessThan(C_STOPS);
    expect((await instant(query!.url, stoppedClustersQuery(s, RANGE_S, only('a')))).result).toEqual([]);
    // A single Prometheus whose operator reports has no cluster to name (one that stopped: the page's own banner).
    expect((await instant(truth.a!.url, stoppedClustersQuery(s, RANGE_S))).result).toEqual([]);
  });
});
