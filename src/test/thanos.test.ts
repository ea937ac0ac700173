/**
 * The app's queries on Thanos (sidecar and Query, built by scripts/install-test-tools.sh) over one cluster: the e2e
 * fixture backfilled into a Prometheus 3 with the external label `cluster="a"`, a sidecar in front of it, Query in
 * front of the sidecar (replica label and chain deduplication as docs/compatibility.md recommends). Every query the
 * pages build for that history (instant at the fixture's end, the range panels over its range) is asked of Query
 * and of a plain Prometheus 3 over the same fixture. None may be refused, and each answer must be equal, less the
 * `cluster` label Query adds to every series a query keeps labels of (Prometheus' own API never adds its external
 * labels).
 */
import { readFileSync } from 'node:fs';
import { instantQuery, rangeQuery } from '@hexactf/testing/prom-api';
import { startThanosQuery, startThanosSidecar, type ThanosComponent, type ThanosSidecar } from '@hexactf/testing/thanos';

import { FIXTURE_TEXT, FROM_S, STEP_S, TO_S, instantQueries, normalized, rangeQueries } from './fixture-queries';
import { fixturePrometheus, type FixturePrometheus } from './fixture-servers';

jest.setTimeout(120_000);

const EXTERNAL = ['cluster'];
let truth: FixturePrometheus | undefined;
let clusterA: FixturePrometheus | undefined;
let sidecar: ThanosSidecar | undefined;
let query: ThanosComponent | undefined;
const started = Date.now();

beforeAll(async () => {
  const text = readFileSync(FIXTURE_TEXT, 'utf8');
  truth = await fixturePrometheus(text);
  clusterA = await fixturePrometheus(text, { cluster: 'a' });
  sidecar = await startThanosSidecar({ prometheusUrl: clusterA.url });
  query = await startThanosQuery({ endpoints: [sidecar.grpcAddress], replicaLabel: 'replica', dedup: 'chain' });
  console.log(`thanos (one cluster): servers up in ${Date.now() - started} ms`);
});

afterAll(async () => {
  await query?.stop();
  await sidecar?.stop();
  await clusterA?.close();
  await truth?.close();
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
});
