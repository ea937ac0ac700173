/**
 * @jest-environment node
 */
/*
 * The operator's real output from two clusters behind one Thanos Query (clusters-stage.ts plays them): per cluster a
 * control plane, the operator, a Prometheus with the chart's relabelings and its external label `cluster`, a
 * sidecar. Checked at the engine level against each cluster's truth (its Challenges read back from its apiserver):
 * Query answers the union of the clusters, each series under its cluster label, the instance both clusters have
 * twice; after cluster a's operator stops, cluster a's series and heartbeat end and cluster b's stay. And with the
 * app's queries: the Running count is the union's, the operator check reports per cluster, and the banner's query
 * names cluster a with a last report between the two moments.
 */
import { resolve } from 'node:path';
import { instantQuery, type PromData } from '@hexactf/testing/prom-api';

import { ChallengeState } from '../../src/metric/contract';
import { NO_FILTERS } from '../../src/queries/common';
import { clusterReportingQuery, heartbeatSelectors, stoppedClustersQuery } from '../../src/queries/heartbeat';
import { stateCountQuery } from '../../src/queries/overview';
import { DEFAULT_SETTINGS } from '../../src/settings/settings';
import type { TruthRow } from './checkpoints';
import { spawnCluster, type ClusterChild } from './cluster-run';

interface Stage {
  query: string;
  prometheus: Record<'a' | 'b', string>;
  running: number;
  stopped: number;
  truth: Record<'a' | 'b', TruthRow[]>;
}

const s = DEFAULT_SETTINGS;
let run: ClusterChild<Stage> | undefined;
let stage: Stage;
const started = Date.now();

beforeAll(async () => {
  run = spawnCluster<Stage>(resolve(__dirname, 'clusters-stage.ts'), 'CLUSTERS-READY', 'two clusters');
  stage = await run.ready;
  console.log(`two clusters: played in ${Date.now() - started} ms`);
}, 170_000);

afterAll(async () => {
  await run?.stop();
});

type Row = Record<string, string> & { value: number };

const rows = async (expr: string, at: number): Promise<Row[]> =>
  ((await instantQuery(stage.query, expr, at)) as PromData & { resultType: 'vector' }).result.map(
    (r) => ({ ...r.metric, value: Number(r.value[1]) }) as Row
  );

/** cluster/namespace/user/challenge=value, sorted. */
const key = (r: Record<string, string | number>) =>
  `${r.cluster}/${r.namespace}/${r.username ?? r.user}/${r.challenge_id ?? r.challengeId}=${r.value}`;

describe('two clusters behind Thanos Query', () => {
  it('every Challenge of both clusters, each under its cluster label, as its apiserver says', async () => {
    const got = await rows(s.metricName, stage.running);
    const want = (['a', 'b'] as const).flatMap((c) => stage.truth[c].map((t) => key({ ...t, cluster: c })));
    expect(got.map(key).sort()).toEqual(want.sort());
    // The chart's relabelings dropped the target labels; Query removed no label and added only the external one.
    expect(got.filter((r) => 'pod' in r || 'instance' in r || 'replica' in r)).toEqual([]);
  });

  it('count by (cluster) is each cluster\'s count; the instance both clusters have is there twice', async () => {
    const counts = await rows(`count by (cluster) (${s.metricName})`, stage.running);
    expect(Object.fromEntries(counts.map((r) => [r.cluster, r.value]))).toEqual({
      a: stage.truth.a.length,
      b: stage.truth.b.length,
    });
    const twice = await rows(`count by (namespace, username, challenge_id) (${s.metricName}) > 1`, stage.running);
    expect(twice.map((r) => `${r.namespace}/${r.username}/${r.challenge_id}=${r.value}`)).toEqual(['ctf/alice/101=2']);
  });

  it('the pages\' Running count is both clusters\' together', async () => {
    const running = (['a', 'b'] as const).flatMap((c) => stage.truth[c]).filter((t) => t.state === 'Running').length;
    const stat = await rows(stateCountQuery(s, ChallengeState.Running, NO_FILTERS, '5m'), stage.running);
    expect(stat.map((r) => r.value)).toEqual([running]);
  });

  it('the operator check per cluster, and the banner naming the stopped cluster with its last report', async () => {
    const reportingAt = async (at: number) => (await rows(clusterReportingQuery(s), at)).map((r) => r.cluster).sort();
    expect(await reportingAt(stage.running)).toEqual(['a', 'b']);
    expect(await reportingAt(stage.stopped)).toEqual(['b']);
    expect(await rows(stoppedClustersQuery(s, 300), stage.running)).toEqual([]);
    const stopped = await rows(stoppedClustersQuery(s, 300), stage.stopped);
    expect(stopped.map((r) => r.cluster)).toEqual(['a']);
    // Exact to the scrape, or one subquery step (15 s for this range) earlier (lastReportQuery).
    expect(stopped[0].value).toBeGreaterThanOrEqual(stage.running - 16);
    expect(stopped[0].value).toBeLessThanOrEqual(stage.stopped);
  });

  it('with cluster a\'s operator stopped, its series and heartbeat end; cluster b\'s stay', async () => {
    const heartbeat = `group by (cluster) (${heartbeatSelectors(s).join(' or ')})`;
    const reporting = async (at: number) => (await rows(heartbeat, at)).map((r) => r.cluster).sort();
    expect(await reporting(stage.running)).toEqual(['a', 'b']);
    expect(await reporting(stage.stopped)).toEqual(['b']);
    const after = await rows(s.metricName, stage.stopped);
    expect(after.map(key).sort()).toEqual(stage.truth.b.map((t) => key({ ...t, cluster: 'b' })).sort());
  });
});
