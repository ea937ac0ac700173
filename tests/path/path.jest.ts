/**
 * @jest-environment jsdom
 *
 * The path test: what the operator exports is what the app reads, through the situations in which dashboards used
 * to lie (tests/README.md). tests/path/cluster.ts (a child process, Node 24) runs a real kube-apiserver + etcd, the
 * operator and, per Prometheus version, real Prometheus servers scraping it every second (one with the chart's scrape
 * settings and rules, one renaming challenge_id to challeng_id and keeping the target labels), plus a stand-in for
 * the original operator's exposition on its own Prometheus. It plays a CTF, an operator SIGKILLed, down with
 * deletions meanwhile and back as a new pod, an Error that recovers, a finalizer removed by hand, a delete and
 * re-create under the same name, the same id and user in two namespaces, and records the cluster's truth after each
 * step. Here every query the app ships is built
 * by the app's own query module (src/queries), run through Prometheus' HTTP API at each step's time as its panel
 * runs it (instant or range), turned into frames as Grafana's Prometheus datasource does (grafana-frames.ts), passed
 * through the app's own transforms (src/transforms/matrix.ts) and operator check (src/data/operatorKnowledge.ts),
 * and the answers must equal what the apiserver held, or, while the operator was down, the documented "last known"
 * state: the banner, the last report, and the window evaluated there (docs/dashboard-semantics.md).
 * The Lifecycle page's quantiles, lifetime shares and counts must equal what each operator pod's own exposition gives
 * (histogram-quantile.ts), and that exposition what the cluster did while the pod ran.
 *
 * Here the test cases; cluster.ts is spawned and awaited by cluster-run.ts, and what the pages show and should show
 * is built in page-views.ts, usage-views.ts and lifecycle-views.ts.
 */
import { FieldType } from '@grafana/data';
import { instantQuery, promApi, rangeQuery } from '@hexactf/testing/prom-api';

import { ChallengeState, INFO_METRIC, LEGACY_CHALLENGE_ID_LABEL, STATES } from '../../src/metric/contract';
import { metricPresenceQuery, STATE_COUNT_RULE, USER_RUNNING_RULE } from '../../src/queries/common';
import { transitionsPerMinuteQuery, type TransitionKind } from '../../src/queries/lifecycle';
import {
  reconcileDurationQuantileQuery,
  reconcileErrorsInRangeQuery,
  reconcileRateQuery,
  workQueueDepthQuery,
} from '../../src/queries/operatorHealth';
import { legacyLabelPresenceQuery } from '../../src/queries/operatorStatus';
import { stateCountOverTimeQuery } from '../../src/queries/overview';
import { peakConcurrentByUserQuery } from '../../src/queries/usage';
import { userInstancesQuery } from '../../src/queries/users';
import { DEFAULT_SETTINGS, resolveSettings } from '../../src/settings/settings';
import { registerStandardTransformers } from '../../src/test/register-transformers';
import { BUILDS } from './builds';
import type { TruthRow } from './checkpoints';
import { seriesFrames, statValues } from './grafana-frames';
import {
  WINDOW,
  RATE_INTERVAL_S,
  SCRAPE_INTERVAL_S,
  cluster,
  interpolate,
  startCluster,
  stopCluster,
} from './cluster-run';
import { checkPath, knowledge, namespacesOf, usersOf, views, expectedViews } from './page-views';
import { expectedUsage, labelValues, usage } from './usage-views';
import {
  TRANSITION_KINDS,
  expectedLifecycle,
  exposedAgainstTruth,
  lifecycleShown,
  outsideThePods,
  transitionPhases,
} from './lifecycle-views';

beforeAll(async () => {
  registerStandardTransformers();
  await startCluster();
}, 240_000);

afterAll(stopCluster, 40_000);

const LEGACY = resolveSettings({ challengeIdLabel: LEGACY_CHALLENGE_ID_LABEL });
const WITH_RULES = { ...DEFAULT_SETTINGS, recordingRules: true };

describe('path: apiserver -> operator -> Prometheus -> app queries -> frames -> transforms', () => {
  it('played the situations in which dashboards used to lie on the real operator', () => {
    const steps = cluster.checkpoints;
    const state = (step: number, ns: string, name: string) =>
      steps[step].truth.find((r) => r.namespace === ns && r.name === name)?.state;
    for (const s of ['Pending', 'Running', 'Deleted', 'Error']) {
      expect(steps[0].truth.map((r) => r.state)).toContain(s);
    }
    expect(state(0, 'ctf', 'ch-3-alice')).toBe('Error'); // over --max-per-user=2
    expect(steps[1].reporting).toBe(false);
    // Back after the outage: both deletions done (one by the finalizer, one by hand), the quota Error recovered.
    expect([state(2, 'ctf', 'ch-2-alice'), state(2, 'ctf', 'ch-1-carol'), state(2, 'ctf', 'ch-3-alice')]).toEqual([
      'Deleted',
      'Deleted',
      'Running',
    ]);
    expect([state(3, 'ctf', 'ch-1-bob'), state(4, 'ctf', 'ch-1-bob')]).toEqual(['Running', 'Deleted']);
    expect([state(5, 'ctf', 'ch-3-erin'), state(5, 'ctf2', 'ch-3-erin')]).toEqual(['Running', 'Pending']);
  });

  describe.each(BUILDS.map((b) => [b.name, b.major] as const))('Prometheus %s', (build, major) => {
    const prom = () => cluster.prometheus[build];

    it('is that version', async () => {
      for (const url of Object.values(prom())) {
        const info = await promApi<{ version: string }>(url, 'status/buildinfo', {}, 'GET');
        expect(info.version).toMatch(new RegExp(`^${major}\\.`));
      }
    });

    it('default settings: at every step every panel shows the cluster, or that the operator is not reporting', async () => {
      await checkPath(prom().default, DEFAULT_SETTINGS);
    }, 120_000);

    it("with the chart's recording rules loaded: the same answers", async () => {
      // The builders really switch to the rules (else this would only repeat the first test).
      expect(stateCountOverTimeQuery(WITH_RULES, ChallengeState.Running)).toContain(STATE_COUNT_RULE);
      expect(peakConcurrentByUserQuery(WITH_RULES)).toContain(USER_RUNNING_RULE);
      await checkPath(prom().default, WITH_RULES);
    }, 120_000);

    it('challeng_id and target labels kept (identity changes at the restart), with the legacy label setting: the same answers', async () => {
      expect(LEGACY.labels.challengeId).toBe(LEGACY_CHALLENGE_ID_LABEL);
      // That Prometheus really has the typo and the pod label, so the setting and the newest-state choice matter.
      const at = cluster.checkpoints[2].at;
      const raw = await instantQuery(
        prom().legacy,
        'count(challenge_resource_status{challenge_id!=""}) or vector(0)',
        at
      );
      expect(raw.resultType === 'vector' && raw.result[0].value[1]).toBe('0');
      const pods = await instantQuery(
        prom().legacy,
        `count by (pod) (last_over_time(challenge_resource_status[${WINDOW}]))`,
        at
      );
      expect(pods.resultType === 'vector' && pods.result.length).toBe(2);
      await checkPath(prom().legacy, LEGACY);
    }, 120_000);

    it('the Usage page and the peaks at the end of the CTF', async () => {
      const cp = cluster.checkpoints[0];
      expect(await usage(prom().default, DEFAULT_SETTINGS, cp.at)).toEqual(expectedUsage(cp.truth));
      expect(await usage(prom().default, WITH_RULES, cp.at)).toEqual(expectedUsage(cp.truth));
      expect(await usage(prom().legacy, LEGACY, cp.at)).toEqual(expectedUsage(cp.truth));
      const all = cluster.checkpoints.flatMap((c) => c.truth);
      const options = {
        namespace: namespacesOf(all),
        username: usersOf(all),
        challengeId: [...new Set(all.map((r) => r.challengeId))].sort(),
      };
      const last = cluster.checkpoints[cluster.checkpoints.length - 1].at;
      expect(await labelValues(prom().default, DEFAULT_SETTINGS, last)).toEqual(options);
      expect(await labelValues(prom().legacy, LEGACY, last)).toEqual(options);
    }, 60_000);

    it("the Lifecycle page at every step: exact quantiles, lifetime shares and counts over each operator pod's life", async () => {
      const withLifecycle = cluster.checkpoints.filter((cp) => cp.lifecycle);
      expect(withLifecycle.map((cp) => cp.step)).toEqual(
        cluster.checkpoints.filter((cp) => cp.reporting).map((cp) => cp.step)
      );
      for (const cp of withLifecycle) {
        const { since, truth, exposition } = cp.lifecycle!;
        // The pod counted what the cluster did, in every definition's series (created at 0 before any instance).
        expect({ step: cp.step, wrong: exposedAgainstTruth(exposition, truth) }).toEqual({ step: cp.step, wrong: [] });
        expect(Object.keys(exposition.timeToRunning).sort()).toEqual(cluster.definitionKeys);
        expect(Object.keys(exposition.lifetime).sort()).toEqual(cluster.definitionKeys);
        // The page, on both servers and every settings, shows exactly those figures.
        const expected = { step: cp.step, ...expectedLifecycle(exposition) };
        for (const [url, s] of [
          [prom().default, DEFAULT_SETTINGS],
          [prom().default, WITH_RULES],
          [prom().legacy, LEGACY],
        ] as const) {
          expect({ step: cp.step, ...(await lifecycleShown(url, s, cp.at, since)) }).toEqual(expected);
        }
      }
      // Over the whole run (the page's usual range, across the restart) each figure lies between the two pods' own.
      const { outside, mixed } = await outsideThePods(
        [
          [prom().default, DEFAULT_SETTINGS],
          [prom().legacy, LEGACY],
        ],
        withLifecycle
      );
      expect(outside).toEqual([]);
      expect(mixed).toBeGreaterThan(0); // a definition with waits in both pods: a real mixture was checked
      // The run has each kind of figure: waits and lifetimes in several buckets, and NaN for a definition never Running.
      const first = expectedLifecycle(withLifecycle[0].lifecycle!.exposition);
      expect(first.counts).toEqual({ opened: 10, failed: 3, deleted: 2 });
      expect(first.timeToRunning[0.5]['web-broken']).toBeNaN();
      expect(Object.values(first.timeToRunning[0.99]).filter((v) => v > 0).length).toBeGreaterThanOrEqual(3);
    }, 120_000);

    it('the per-minute panels rise in every step where the cluster had such events, and stay 0 where it had none', async () => {
      const last = cluster.checkpoints[cluster.checkpoints.length - 1].at;
      const phases = transitionPhases();
      const quietChecked: Record<TransitionKind, number> = { opened: 0, failed: 0, deleted: 0 };
      for (const [url, s] of [
        [prom().default, DEFAULT_SETTINGS],
        [prom().legacy, LEGACY],
      ] as const) {
        for (const kind of TRANSITION_KINDS) {
          const data = await rangeQuery(
            url,
            interpolate(transitionsPerMinuteQuery(s, kind), last),
            cluster.startTime,
            last,
            1
          );
          expect(data.resultType === 'matrix' && data.result.length).toBe(1);
          const points =
            data.resultType === 'matrix' ? data.result[0].values.map(([t, v]) => [t, Number(v)] as const) : [];
          phases.forEach((phase, i) => {
            const values = (from: number, to: number) => points.filter(([t]) => t > from && t <= to).map(([, v]) => v);
            if (phase.events[kind] > 0) {
              // An event's rate shows for a rate interval after the scrape that saw it, which may be after the checkpoint.
              const max = Math.max(...values(phase.from, phase.to + RATE_INTERVAL_S));
              expect({ kind, step: phase.step, rises: max > 0 }).toEqual({ kind, step: phase.step, rises: true });
              return;
            }
            // After a step with events, their rate may show at this step's start: from one rate interval and a scrape on.
            const quiet = values(
              i > 0 && phases[i - 1].events[kind] > 0 ? phase.from + RATE_INTERVAL_S + SCRAPE_INTERVAL_S : phase.from,
              phase.to
            );
            expect({ kind, step: phase.step, quiet: quiet.filter((v) => v !== 0) }).toEqual({
              kind,
              step: phase.step,
              quiet: [],
            });
            quietChecked[kind] += quiet.length;
          });
        }
      }
      // Each kind had events and quiet stretches in this run, so both sides of the check ran.
      for (const kind of TRANSITION_KINDS) {
        expect({
          kind,
          withEvents: phases.some((p) => p.events[kind] > 0),
          quietSteps: quietChecked[kind] > 0,
        }).toEqual({ kind, withEvents: true, quietSteps: true });
      }
    }, 60_000);

    it("the Lifecycle page's operator health panels read the controller metrics", async () => {
      const url = prom().default;
      const at = cluster.checkpoints[0].at;
      const instant = async (q: string) => {
        const data = await instantQuery(url, interpolate(q, at), at);
        return data.resultType === 'vector'
          ? data.result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) }))
          : [];
      };
      const steps = async (q: string) =>
        seriesFrames(await rangeQuery(url, interpolate(q, at), cluster.startTime, at, 1)).flatMap((f) =>
          f.fields.filter((x) => x.type === FieldType.number).flatMap((x) => x.values as number[])
        );
      // The Challenge controller reconciled successfully; its queue and error figures are there.
      expect((await instant(reconcileRateQuery(DEFAULT_SETTINGS))).map((r) => r.labels.result)).toContain('success');
      expect((await instant(workQueueDepthQuery(DEFAULT_SETTINGS))).map((r) => r.value >= 0)).toEqual([true]);
      expect((await instant(reconcileErrorsInRangeQuery(DEFAULT_SETTINGS))).map((r) => r.value >= 0)).toEqual([true]);
      expect((await steps(reconcileDurationQuantileQuery(DEFAULT_SETTINGS, 0.99))).some((v) => v > 0)).toBe(true);
    }, 60_000);

    it("the original operator's exposition (stand-in): what the pages show, and the legacy notice", async () => {
      const url = prom().original;
      for (const cp of cluster.originalCheckpoints) {
        const at = cp.at;
        const value = async (q: string) => statValues(seriesFrames(await instantQuery(url, interpolate(q, at), at)));
        // The notice's detection: the legacy label is there, challenge_info is not; whatever the settings say.
        expect({
          step: cp.step,
          legacy: await value(legacyLabelPresenceQuery(DEFAULT_SETTINGS, '1h')),
          info: await value(metricPresenceQuery(INFO_METRIC, '1h')),
        }).toEqual({ step: cp.step, legacy: [1], info: [0] });
        const shown: TruthRow[] = cp.shown.map((i) => ({
          ...i,
          definition: '',
          state: STATES.find((x) => x.value === i.value)!.name,
          value: i.value,
        }));
        const users = usersOf([...cp.shown, ...cp.lost]);
        expect({ step: cp.step, ...(await views(url, LEGACY, at, users, ['ctf'])) }).toEqual({
          step: cp.step,
          ...expectedViews(shown, users, ['ctf']),
        });
        // An instance it lost in its restart is on no page (never a ghost Running), as the notice says.
        for (const lost of cp.lost) {
          expect(await instantQuery(url, interpolate(userInstancesQuery(LEGACY, lost.user), at), at)).toEqual({
            resultType: 'vector',
            result: [],
          });
        }
        expect(await knowledge(url, LEGACY, at)).toEqual({ kind: 'live' });
      }
      // This operator's Prometheus is not taken for the original.
      const at = cluster.checkpoints[0].at;
      const v = async (q: string) => statValues(seriesFrames(await instantQuery(prom().default, q, at)));
      expect([
        await v(legacyLabelPresenceQuery(DEFAULT_SETTINGS, '1h')),
        await v(metricPresenceQuery(INFO_METRIC, '1h')),
      ]).toEqual([[0], [1]]);
    }, 60_000);
  });
});
