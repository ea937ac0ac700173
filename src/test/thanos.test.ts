/**
 * @jest-environment node
 *
 * The app's queries on Thanos (sidecar and Query, built by scripts/install-test-tools.sh) over one cluster: the e2e
 * fixture backfilled into a Prometheus 3 with the external label `cluster="a"`, a sidecar in front of it, Query in
 * front of the sidecar (replica label and chain deduplication as docs/compatibility.md recommends). Every query the
 * pages build for that history (instant at the fixture's end, the range panels over its range) is asked of Query
 * and of a plain Prometheus 3 over the same fixture. None may be refused, and each answer must be equal, less the
 * `cluster` label Query adds to every series a query keeps labels of (Prometheus' own API never adds its external
 * labels). The history also holds the operator's lifecycle and controller metrics (lifecycle-history.ts), so the
 * Lifecycle page's rates, increases and quantiles are compared too (its range panels up to the operator's restart:
 * after it Thanos' range answers differ, see the last test), and the chart's dashboard recording rules
 * backfilled over it (rule-history.ts), so the rule forms of the over-time and peak panels are. Every one of those
 * answers must be non-empty: an empty answer on both engines would prove nothing.
 */
import { readFileSync } from 'node:fs';
import { instantQuery, rangeQuery, type PromMatrixSeries, type PromVectorSample } from '@hexactf/testing/prom-api';
import {
  startThanosQuery,
  startThanosSidecar,
  type ThanosComponent,
  type ThanosSidecar,
} from '@hexactf/testing/thanos';

import {
  FIXTURE_TEXT,
  FROM_S,
  STEP_S,
  TO_S,
  instantQueries,
  normalized,
  rangeQueries,
  ruleInstantQueries,
  ruleRangeQueries,
} from './fixture-queries';
import { fixturePrometheus, type FixturePrometheus } from './fixture-servers';
import { RESTART_S, lifecycleInstantQueries, lifecycleRangeQueries, withLifecycleFamilies } from './lifecycle-history';
import { dashboardRuleHistory, type RuleBlocks } from './rule-history';

jest.setTimeout(120_000);

const EXTERNAL = ['cluster'];
let truth: FixturePrometheus | undefined;
let clusterA: FixturePrometheus | undefined;
let sidecar: ThanosSidecar | undefined;
let query: ThanosComponent | undefined;
let rules: RuleBlocks | undefined;
const started = Date.now();

beforeAll(async () => {
  const text = withLifecycleFamilies(readFileSync(FIXTURE_TEXT, 'utf8'));
  rules = await dashboardRuleHistory(text, FROM_S, TO_S, STEP_S);
  truth = await fixturePrometheus(text, {}, rules.dir);
  clusterA = await fixturePrometheus(text, { cluster: 'a' }, rules.dir);
  sidecar = await startThanosSidecar({ prometheusUrl: clusterA.url });
  query = await startThanosQuery({ endpoints: [sidecar.grpcAddress], replicaLabel: 'replica', dedup: 'chain' });
  console.log(`thanos (one cluster): servers up in ${Date.now() - started} ms`);
});

afterAll(async () => {
  await query?.stop();
  await sidecar?.stop();
  await clusterA?.close();
  await truth?.close();
  rules?.remove();
  console.log(`thanos (one cluster): ${Date.now() - started} ms in all`);
});

describe('Thanos Query over one cluster answers the app like Prometheus', () => {
  it('serves the backfilled history through the sidecar, each series with the cluster label', async () => {
    const answer = await instantQuery(query!.url, 'count by (cluster) ({__name__=~"challenge_.+"})', TO_S);
    const want = await instantQuery(truth!.url, 'count({__name__=~"challenge_.+"})', TO_S);
    expect(normalized(answer)).toEqual(normalized(want).map((row) => row.replace('{}', '{cluster=a}')));
  });

  it.each(Object.entries(instantQueries()))('instant: %s', async (_name, expr) => {
    const want = normalized(await instantQuery(truth!.url, expr, TO_S));
    expect(normalized(await instantQuery(query!.url, expr, TO_S), EXTERNAL)).toEqual(want);
  });

  it.each(Object.entries(rangeQueries()))('range: %s', async (_name, expr) => {
    const want = normalized(await rangeQuery(truth!.url, expr, FROM_S, TO_S, STEP_S));
    expect(normalized(await rangeQuery(query!.url, expr, FROM_S, TO_S, STEP_S), EXTERNAL)).toEqual(want);
  });

  const instantEqual = async (expr: string) => {
    const want = normalized(await instantQuery(truth!.url, expr, TO_S));
    expect(want.length).toBeGreaterThan(0);
    expect(normalized(await instantQuery(query!.url, expr, TO_S), EXTERNAL)).toEqual(want);
  };
  const rangeEqual = async (expr: string, toS = TO_S) => {
    const want = normalized(await rangeQuery(truth!.url, expr, FROM_S, toS, STEP_S));
    expect(want.length).toBeGreaterThan(0);
    expect(normalized(await rangeQuery(query!.url, expr, FROM_S, toS, STEP_S), EXTERNAL)).toEqual(want);
  };

  it.each(Object.entries(lifecycleInstantQueries()))('lifecycle instant: %s', async (_name, expr) => {
    await instantEqual(expr);
  });

  it.each(Object.entries(lifecycleRangeQueries()))('lifecycle range (up to the restart): %s', async (_name, expr) => {
    await rangeEqual(expr, RESTART_S - STEP_S);
  });

  // Known difference (Thanos 0.42): after a counter reset a range query's rate can come out higher on Query than on
  // Prometheus. 3 min after the restart the 4 m window starts at the reset sample (value 1, 7 more in 3 min);
  // Prometheus stops the extrapolation at the counter's zero point (rate 2/min), Query extrapolates over the whole
  // window (7/3 per min) as if the counter had not reset. An instant query at the same time agrees. When this test
  // fails, Thanos changed: drop the range cap above and the row in docs/compatibility.md.
  it('range: opened per minute after the restart differs (counter reset extrapolated on Query)', async () => {
    const expr = lifecycleRangeQueries()['opened per minute'];
    const at = RESTART_S + 3 * STEP_S;
    // A range that starts before the reset: a query of that one step alone agrees (Query then sees no earlier sample).
    const value = async (url: string) => {
      const [series] = (await rangeQuery(url, expr, RESTART_S - 10 * STEP_S, at, STEP_S)).result as PromMatrixSeries[];
      const values = series.values;
      return Number(values[values.length - 1][1]);
    };
    const onPrometheus = await value(truth!.url);
    expect(onPrometheus).toBeCloseTo(2);
    expect(await value(query!.url)).toBeCloseTo(7 / 3);
    const [instant] = (await instantQuery(query!.url, expr, at)).result as PromVectorSample[];
    expect(Number(instant.value[1])).toBeCloseTo(onPrometheus);
  });

  it.each(Object.entries(ruleInstantQueries()))('%s', async (_name, expr) => {
    expect(expr).toContain('hexactf:'); // the rule form, not the raw one
    await instantEqual(expr);
  });

  it.each(Object.entries(ruleRangeQueries()))('%s', async (_name, expr) => {
    expect(expr).toContain('hexactf:');
    await rangeEqual(expr);
  });
});
