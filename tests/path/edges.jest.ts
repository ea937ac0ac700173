/**
 * @jest-environment jsdom
 *
 * The path test's edge plays (tests/README.md): what the real parts produce at the edges of what the pages know.
 * tests/path/edges-cluster.ts (a child process, Node 24) runs a real kube-apiserver + etcd, operator replicas under
 * leader election and, per Prometheus version, a real Prometheus with the chart's scrape settings and rules, and plays
 * a two-replica handover (the leader SIGKILLed, then a graceful one), a scrape job renamed mid-run (a config
 * reload of every Prometheus under a new job name) and a namespace torn down with the operator stopped, viewed later.
 * Here the app's own queries (src/queries), run as their panels run them and turned into Grafana's frames, and the
 * app's operator check (src/data/operatorKnowledge.ts) must show at every checkpoint what the apiserver held, or, while
 * nobody reported, the documented last known state; across each handover the over-time panel must show the cluster's
 * counts or nothing, never a state that did not exist.
 *
 * Here the test cases; edges-cluster.ts is spawned and awaited by edges-run.ts, and what the pages show and should
 * show at each checkpoint is built and compared in edges-views.ts.
 */
import { rangeQuery, instantQuery } from '@hexactf/testing/prom-api';

import { ChallengeState, STATES } from '../../src/metric/contract';
import { stateCountOverTimeQuery } from '../../src/queries/overview';
import { DEFAULT_SETTINGS } from '../../src/settings/settings';
import { registerStandardTransformers } from '../../src/test/register-transformers';
import { BUILDS } from './builds';
import { WINDOW, count } from './cluster-run';
import { cluster, interpolate, startEdges, stopEdges } from './edges-run';
import { checkPlay, expectedViews, knowledge, views } from './edges-views';
import { usersOf } from './page-views';

const WITH_RULES = { ...DEFAULT_SETTINGS, recordingRules: true };
const startedMs = Date.now();
let readyMs = 0;

beforeAll(async () => {
  registerStandardTransformers();
  await startEdges();
  readyMs = Date.now();
}, 300_000);

afterAll(stopEdges, 40_000);

describe('path, at the edges: handover, job rename, torn-down namespace', () => {
  it('played them on the real parts', () => {
    const steps = cluster.checkpoints.map((cp) => [cp.play, cp.reporting]);
    expect(steps).toEqual([
      ['handover', true],
      ['handover', false],
      ['handover', true],
      ['handover', true],
      ['handover', true],
      ['handover', true],
      ['teardown', true],
      ['teardown', false],
      ['rename', true],
      ['rename', true],
      ['rename', true],
    ]);
    const state = (i: number, ns: string, name: string) =>
      cluster.checkpoints[i].truth.find((r) => r.namespace === ns && r.name === name)?.state;
    expect([state(0, 'edge', 'ch-2-ben'), state(3, 'edge', 'ch-2-ben')]).toEqual(['Error', 'Deleted']);
    expect([state(5, 'gone', 'ch-1-dan'), state(6, 'gone', 'ch-1-dan')]).toEqual(['Running', 'Deleted']);
    expect([state(9, 'edge', 'ch-2-fay'), state(10, 'edge', 'ch-2-fay')]).toEqual(['Error', 'Deleted']);
    process.stdout.write(`edge plays: cluster ready after ${Math.round((readyMs - startedMs) / 1000)} s\n`);
  });

  describe.each(BUILDS.map((b) => [b.name] as const))('Prometheus %s', (build) => {
    const url = () => cluster.prometheus[build];

    it.each([
      ['default settings', DEFAULT_SETTINGS],
      ['recording rules', WITH_RULES],
    ] as const)(
      'two-replica handover (%s): the truth at every checkpoint, last known while nobody leads',
      async (_, s) => {
        await checkPlay(url(), s, 'handover');
      },
      60_000
    );

    it.each([
      ['default settings', DEFAULT_SETTINGS],
      ['recording rules', WITH_RULES],
    ] as const)(
      'handover (%s): the over-time panel shows the cluster or nothing, never an invented state',
      async (_, s) => {
        expect(cluster.spans).toHaveLength(2);
        for (const span of cluster.spans) {
          for (const { value, name } of STATES) {
            if (value === ChallengeState.Deleted) {
              continue; // the panel draws the live states
            }
            const want = count(span.truth, (r) => r.value === value);
            const data = await rangeQuery(
              url(),
              interpolate(stateCountOverTimeQuery(s, value), span.to),
              Math.ceil(span.from),
              Math.floor(span.to),
              1
            );
            const points =
              data.resultType === 'matrix' ? data.result.flatMap((r) => r.values.map(([t, v]) => [t, Number(v)])) : [];
            const other = points.filter(([, v]) => v !== want);
            expect({ span: span.what, state: name, other }).toEqual({ span: span.what, state: name, other: [] });
            const values = points.map(([, v]) => v);
            expect(values.length).toBeGreaterThan(0);
          }
        }
      },
      60_000
    );

    it.each([
      ['default settings', DEFAULT_SETTINGS],
      ['recording rules', WITH_RULES],
    ] as const)(
      'job renamed by a config reload (%s): live, no "stopped reporting", the figures equal the truth',
      async (_, s) => {
        // The rename really happened (the heartbeat has a series under each job in the window), and the Challenge
        // series kept one identity through it: the chart's scrape settings drop job from them.
        const at = cluster.checkpoints.at(-1)!.at;
        const jobsOf = async (metric: string) => {
          const r = await instantQuery(url(), `count by (job) (last_over_time(${metric}[${WINDOW}]))`, at);
          return r.resultType === 'vector' ? r.result.map((x) => x.metric.job ?? '').sort() : [];
        };
        expect(await jobsOf('controller_runtime_reconcile_total')).toEqual([...cluster.jobs].sort());
        expect(await jobsOf('challenge_resource_status')).toEqual(['']);
        await checkPlay(url(), s, 'rename', 2);
      },
      60_000
    );

    it.each([
      ['default settings', DEFAULT_SETTINGS],
      ['recording rules', WITH_RULES],
    ] as const)(
      'after the rename, a deleted Error instance (%s) reads Deleted: no series of the old job keeps its Error',
      async (_, s) => {
        // Before the chart dropped job from the Challenge series, the reload left the old job's series of fay
        // (Error) current for Prometheus' 5 m lookback, with no staleness marker, and every view read Error.
        const cp = cluster.checkpoints.at(-1)!;
        expect(cp.step).toMatch(/fay \(Error\) deleted/);
        const users = usersOf(cluster.checkpoints.flatMap((c) => c.truth));
        expect(await knowledge(url(), s, cp.at)).toEqual({ kind: 'live' });
        expect(cp.truth.find((r) => r.name === 'ch-2-fay')?.state).toBe('Deleted');
        expect({ step: cp.step, ...(await views(url(), s, cp.at, users)) }).toEqual({
          step: cp.step,
          ...expectedViews(cp.truth, users),
        });
      },
      60_000
    );

    it.each([
      ['default settings', DEFAULT_SETTINGS],
      ['recording rules', WITH_RULES],
    ] as const)(
      'a torn-down namespace viewed later (%s): the final state, last known since its teardown',
      async (_, s) => {
        await checkPlay(url(), s, 'teardown');
      },
      60_000
    );
  });
});
