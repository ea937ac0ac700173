/**
 * Two clusters behind one Thanos Query, at the engine level. Cluster a holds the e2e fixture; cluster b a variant of
 * it (carol's instances gone, dave's under another user) in which alice's, bob's, erin's, frank's and o'brien's
 * instances have the same namespace, user and challenge as in a: two instances that a query grouping only by those
 * labels would merge. Cluster b is a replica pair (external label `replica` 0 and 1, the same history, replica 1
 * scraping 30 s earlier), and replica 0 was down for GAP: its samples in that stretch are missing.
 *
 * Truth: a plain Prometheus 3 per cluster over that cluster's history. Query (chain deduplication) must answer each
 * cluster's series as its truth, the replica pair once and whole, every page query asked of one cluster's stores
 * (Thanos' storeMatch[]) as that cluster's truth; and when one cluster's sidecar is gone, the other's answer with a
 * warning. What the default (penalty) deduplication gives instead is printed, for docs/compatibility.md.
 */
import { readFileSync } from 'node:fs';
import { instantQuery, promApiAnswer, rangeQuery, type PromData } from '@hexactf/testing/prom-api';
import { startThanosQuery, startThanosSidecar, type ThanosComponent, type ThanosSidecar } from '@hexactf/testing/thanos';

import { FIXTURE_TEXT, FROM_S, STEP_S, TO_S, instantQueries, normalized, rangeQueries } from './fixture-queries';
import { fixturePrometheus, renameUser, shiftedBy, withoutStretch, withoutUser, type FixturePrometheus } from './fixture-servers';

jest.setTimeout(180_000);

/** Replica 0's outage: 20 minutes inside the fixture's range (10:40 to 11:00 UTC). */
const GAP = { from: TO_S - 80 * 60, to: TO_S - 60 * 60 };
/** Replica 1 scrapes 30 s before replica 0 (replicas are never in phase). */
const REPLICA_PHASE_S = 30;
const METRICS = ['challenge_resource_status', 'challenge_info', 'challenge_definition_requests'];
const CLUSTERS = ['a', 'b'] as const;
type Cluster = (typeof CLUSTERS)[number];

const truth: Partial<Record<Cluster, FixturePrometheus>> = {};
const servers: FixturePrometheus[] = [];
const sidecars: Partial<Record<'a' | 'b0' | 'b1', ThanosSidecar>> = {};
let chain: ThanosComponent | undefined;
let penalty: ThanosComponent | undefined;
const started = Date.now();

/** Query's answer, optionally from one cluster's stores only (storeMatch[]), instant at TO_S or over the range. */
async function ask(q: ThanosComponent, expr: string, o: { cluster?: Cluster; range?: boolean } = {}) {
  const params: Record<string, string> = o.range
    ? { query: expr, start: String(FROM_S), end: String(TO_S), step: String(STEP_S) }
    : { query: expr, time: String(TO_S) };
  if (o.cluster) {
    // Thanos' store matcher selects stores by address only (`__address__`), not by their external labels.
    const stores = o.cluster === 'a' ? [sidecars.a!] : [sidecars.b0!, sidecars.b1!];
    params['storeMatch[]'] = `{__address__=~"${stores.map((st) => st.grpcAddress.replace(/\./g, '\\\\.')).join('|')}"}`;
  }
  return promApiAnswer<PromData>(q.url, o.range ? 'query_range' : 'query', params);
}

const truthOf = (c: Cluster, expr: string, range = false) =>
  range ? rangeQuery(truth[c]!.url, expr, FROM_S, TO_S, STEP_S) : instantQuery(truth[c]!.url, expr, TO_S);

/** One cluster's rows of an answer that keeps the cluster label, without it. */
function rowsOf(data: PromData, c: Cluster): string[] {
  const result = (data.result as Array<{ metric: Record<string, string> }>).filter((r) => r.metric.cluster === c);
  return normalized({ ...data, result } as PromData, ['cluster']);
}

beforeAll(async () => {
  const textA = readFileSync(FIXTURE_TEXT, 'utf8');
  const textB = renameUser(withoutUser(textA, 'carol'), 'dave', 'zed');
  truth.a = await fixturePrometheus(textA);
  truth.b = await fixturePrometheus(textB);
  const promA = await fixturePrometheus(textA, { cluster: 'a' });
  // The outage is replica 0's: penalty deduplication reads it first, and misreads the stretch (printed below).
  const promB0 = await fixturePrometheus(withoutStretch(textB, GAP.from, GAP.to), { cluster: 'b', replica: '0' });
  const promB1 = await fixturePrometheus(shiftedBy(textB, -REPLICA_PHASE_S), { cluster: 'b', replica: '1' });
  servers.push(truth.a, truth.b, promA, promB0, promB1);
  sidecars.a = await startThanosSidecar({ prometheusUrl: promA.url });
  sidecars.b0 = await startThanosSidecar({ prometheusUrl: promB0.url });
  sidecars.b1 = await startThanosSidecar({ prometheusUrl: promB1.url });
  const endpoints = [sidecars.a.grpcAddress, sidecars.b0.grpcAddress, sidecars.b1.grpcAddress];
  chain = await startThanosQuery({ endpoints, replicaLabel: 'replica', dedup: 'chain' });
  penalty = await startThanosQuery({ endpoints, replicaLabel: 'replica', dedup: 'penalty' });
  console.log(`thanos (two clusters): 5 Prometheus, 3 sidecars, 2 Query up in ${Date.now() - started} ms`);
});

afterAll(async () => {
  await chain?.stop();
  await penalty?.stop();
  for (const s of Object.values(sidecars)) {
    await s.stop();
  }
  for (const p of servers) {
    await p.close();
  }
  console.log(`thanos (two clusters): ${Date.now() - started} ms in all`);
});

describe('Thanos Query over two clusters, cluster b a replica pair (chain deduplication)', () => {
  it('the fixture variants make the clusters differ and share instances', async () => {
    const ids = async (c: Cluster) =>
      normalized(await truthOf(c, 'group by (namespace, username, challenge_id) (challenge_resource_status)'));
    const [a, b] = [await ids('a'), await ids('b')];
    expect(a.filter((row) => b.includes(row)).length).toBeGreaterThanOrEqual(3);
    expect(a).not.toEqual(b);
  });

  it.each(METRICS)('%s: each cluster\'s series, instant and over the range, are its truth', async (metric) => {
    for (const range of [false, true]) {
      const answer = await ask(chain!, metric, { range });
      expect(answer.warnings).toEqual([]);
      const labels = (answer.data.result as Array<{ metric: Record<string, string> }>).map((r) => r.metric);
      expect(labels.filter((l) => 'replica' in l || !CLUSTERS.includes(l.cluster as Cluster))).toEqual([]);
      for (const c of CLUSTERS) {
        expect(rowsOf(answer.data, c)).toEqual(normalized(await truthOf(c, metric, range)));
      }
    }
  });

  it.each(METRICS)('%s: count by (cluster) is each cluster\'s count, the replica pair counted once', async (metric) => {
    for (const range of [false, true]) {
      const answer = (await ask(chain!, `count by (cluster) (${metric})`, { range })).data;
      for (const c of CLUSTERS) {
        const want = normalized(await truthOf(c, `count(${metric})`, range));
        expect(want.length).toBe(1);
        expect(rowsOf(answer, c)).toEqual(want);
      }
    }
  });

  describe.each(CLUSTERS)('every page query asked of cluster %s\'s stores is its truth', (c) => {
    it.each(Object.entries(instantQueries()))('instant: %s', async (_name, expr) => {
      const answer = await ask(chain!, expr, { cluster: c });
      expect(normalized(answer.data, ['cluster'])).toEqual(normalized(await truthOf(c, expr)));
    });

    it.each(Object.entries(rangeQueries()))('range: %s', async (_name, expr) => {
      const answer = await ask(chain!, expr, { cluster: c, range: true });
      expect(normalized(answer.data, ['cluster'])).toEqual(normalized(await truthOf(c, expr, true)));
    });
  });

  it('for the record: what penalty deduplication answers for cluster b after replica 1\'s outage', async () => {
    const report: string[] = [];
    const asked = [
      ...METRICS.map((m) => [`raw ${m}`, m] as const),
      ...Object.entries(rangeQueries()),
    ];
    for (const [name, expr] of asked) {
      const want = normalized(await truthOf('b', expr, true));
      const got = normalized((await ask(penalty!, expr, { cluster: 'b', range: true })).data, ['cluster']);
      const { times, missing } = differingPoints(want, got);
      report.push(`${name}: ${times.length} of ${pointCount(want)} points differ` +
        (times.length ? ` (${missing} of them missing; ${describeSpan(times)})` : ''));
    }
    console.log(`penalty deduplication, cluster b, replica 0 down ${new Date(GAP.from * 1000).toISOString()} to ${new Date(GAP.to * 1000).toISOString()}:\n${report.join('\n')}`);
  });
});

describe('one cluster out', () => {
  it('answers the other cluster, whole, with a warning naming the lost store', async () => {
    await sidecars.a!.stop();
    for (const range of [false, true]) {
      const answer = await ask(chain!, 'count by (cluster) (challenge_resource_status)', { range });
      expect(answer.data.result.length).toBe(1);
      expect(rowsOf(answer.data, 'b')).toEqual(normalized(await truthOf('b', 'count(challenge_resource_status)', range)));
      expect(answer.warnings.join('\n')).toMatch(/./);
      if (!range) {
        console.log(`with cluster a's sidecar stopped, Query warns: ${answer.warnings.join(' | ')}`);
      }
    }
  });
});

/** `{labels} t:v t:v ...` rows -> the times of the points whose value differs or that one side lacks. */
function differingPoints(want: string[], got: string[]): { times: number[]; missing: number } {
  const points = (rows: string[]) =>
    new Map(rows.flatMap((row) => {
      const [labels, ...pts] = row.split(' ');
      return pts.map((p) => [`${labels}@${p.split(':')[0]}`, p.split(':')[1]] as const);
    }));
  const [w, g] = [points(want), points(got)];
  const keys = new Set([...w.keys(), ...g.keys()]);
  const differing = [...keys].filter((k) => w.get(k) !== g.get(k));
  return {
    times: differing.map((k) => Number(k.slice(k.lastIndexOf('@') + 1))),
    missing: differing.filter((k) => !g.has(k)).length,
  };
}

const pointCount = (rows: string[]) => rows.reduce((n, row) => n + row.split(' ').length - 1, 0);

function describeSpan(times: number[]): string {
  const iso = (t: number) => new Date(t * 1000).toISOString().slice(11, 16);
  return `steps ${iso(Math.min(...times))} to ${iso(Math.max(...times))} UTC`;
}
