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
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { FieldType, dateTime, type DataFrame } from '@grafana/data';
import { instantQuery, promApi, rangeQuery } from '@hexactf/testing/prom-api';

import { ChallengeState, INFO_METRIC, LEGACY_CHALLENGE_ID_LABEL, STATES } from '../../src/metric/contract';
import { knowledgeFrom, knowledgeQueries, type OperatorKnowledge } from '../../src/data/operatorKnowledge';
import {
  NO_FILTERS,
  labelValuesVariableQuery,
  metricPresenceQuery,
  STATE_COUNT_RULE,
  USER_RUNNING_RULE,
} from '../../src/queries/common';
import {
  LIFECYCLE_QUANTILES,
  lifetimeDistributionQuery,
  lifetimeQuantileQuery,
  timeToRunningByDefinitionQuery,
  transitionsPerMinuteQuery,
  type TransitionKind,
} from '../../src/queries/lifecycle';
import {
  reconcileDurationQuantileQuery,
  reconcileErrorsInRangeQuery,
  reconcileRateQuery,
  workQueueDepthQuery,
} from '../../src/queries/operatorHealth';
import { legacyLabelPresenceQuery } from '../../src/queries/operatorStatus';
import { challengeStateCountQuery, stateCountOverTimeQuery, stateCountQuery } from '../../src/queries/overview';
import { errorInstancesQuery, stuckDeletionsQuery } from '../../src/queries/triage';
import {
  categoryShareQuery,
  instancesByCategoryQuery,
  peakConcurrentByUserQuery,
  peakDistributionQuery,
  PEAK_LABEL,
  requestsByCategoryQuery,
  requestsByChallengeQuery,
  topUsersQuery,
} from '../../src/queries/usage';
import { MATRIX_COLUMN_LABEL, matrixPivotLabels, matrixQuery, userInstancesQuery } from '../../src/queries/users';
import { FILTER_ROLES } from '../../src/settings/labelRoles';
import { DEFAULT_SETTINGS, resolveSettings, type ResolvedSettings } from '../../src/settings/settings';
import { registerStandardTransformers } from '../../src/test/register-transformers';
import { applyTransformations, matrixTransformations, singleNamespaceColumns } from '../../src/transforms/matrix';
import { BUILDS } from './builds';
import type { Checkpoint, LifecycleTruth, OriginalCheckpoint, TruthRow } from './cluster';
import { seriesFrames, statValues, tableFrame, valuesBy } from './grafana-frames';
import { addBuckets, bucketsOf, histogramQuantile, type Buckets } from './histogram-quantile';
import type { HistogramBuckets, LifecycleExposition } from './lifecycle-exposition';

interface Cluster {
  /** Per Prometheus build: the server with the chart's settings and rules, the challeng_id one, the original's. */
  prometheus: Record<string, { default: string; legacy: string; original: string }>;
  checkpoints: Checkpoint[];
  originalCheckpoints: OriginalCheckpoint[];
  startTime: number;
  peakRunning: Record<string, number>;
  categories: Record<string, string>;
  requests: Record<string, { cpu: number; memory: number }>;
  job: string;
  /** namespace/definition of every ChallengeDefinition of the run. */
  definitionKeys: string[];
}

const CLUSTER = resolve(__dirname, 'cluster.ts');
const WINDOW = '5m'; // covers the whole run (a few minutes at most)
const SCRAPE_INTERVAL_S = 1;
/** Grafana's $__rate_interval: max($__interval + scrape interval, 4 x scrape interval); $__interval = step = 1 s. */
const RATE_INTERVAL_S = 4 * SCRAPE_INTERVAL_S;
const RATE_INTERVAL = `${RATE_INTERVAL_S}s`;
/**
 * The stuck-deletion span, scaled like the operator's retention (10 s here, 60 s in the chart, whose 5 m span is 5x
 * the retention): a finished deletion must never be listed, a re-created and deleted again one neither.
 */
const STUCK_AFTER = '50s';
const round = (v: number) => Math.round(v * 1e6) / 1e6;
const roundAll = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, round(v)]));
const count = <T>(xs: T[], pred: (x: T) => boolean) => xs.filter(pred).length;

let child: ChildProcess | undefined;
let cluster: Cluster;
let childLog = '';

beforeAll(async () => {
  registerStandardTransformers();
  child = spawn(process.execPath, ['--no-warnings', CLUSTER], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stderr!.on('data', (b) => (childLog = (childLog + b).slice(-20_000)));
  cluster = await new Promise<Cluster>((res, rej) => {
    let out = '';
    child!.stdout!.on('data', (b) => {
      out += b;
      const line = out.split('\n').find((l) => l.startsWith('PATH-READY '));
      if (line) {
        res(JSON.parse(line.slice('PATH-READY '.length)));
      }
    });
    child!.once('exit', (code) => rej(new Error(`cluster exited (${code}) before it was ready:\n${childLog}`)));
  });
}, 240_000);

afterAll(async () => {
  if (!child || child.exitCode !== null) {
    return;
  }
  const exited = new Promise((res) => child!.once('exit', res));
  child.stdin!.end(); // the cluster tears everything down when its stdin closes
  const killer = setTimeout(() => child!.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(killer);
}, 40_000);

/** The dashboard variables, as scenes interpolate them for a page evaluated at `at`. */
function interpolate(query: string, at: number): string {
  const rangeS = Math.ceil(at - cluster.startTime) + 60;
  return query
    .replaceAll('$window', WINDOW)
    .replaceAll('$__range', `${rangeS}s`)
    .replaceAll('$__rate_interval', RATE_INTERVAL);
}

type Matrix = Record<string, Record<string, number | null>>;

/** The grouping-to-matrix frame as user -> challenge -> cell. */
function matrixCells(frames: DataFrame[]): Matrix {
  if (frames.length === 0 || frames[0].length === 0) {
    return {}; // no instance in that namespace (yet)
  }
  expect(frames).toHaveLength(1);
  const [rowsField, ...columns] = frames[0].fields;
  const out: Matrix = {};
  rowsField.values.forEach((user: string, i: number) => {
    out[user] = Object.fromEntries(columns.map((c) => [c.name, c.values[i] ?? null]));
  });
  return out;
}

/** Instant series frames keyed by namespace/name (one instance per series). */
function byInstance(frames: DataFrame[], s: ResolvedSettings): Record<string, number> {
  const out: Record<string, number> = {};
  for (const frame of frames) {
    const value = frame.fields.find((f) => f.type === FieldType.number)!;
    const key = `${value.labels?.[s.labels.namespace]}/${value.labels?.[s.labels.challengeName]}`;
    expect(out[key]).toBeUndefined(); // one instance is one series
    out[key] = value.values[value.values.length - 1];
  }
  return out;
}

const namespacesOf = (rows: Array<{ namespace: string }>) => [...new Set(rows.map((r) => r.namespace))].sort();
const usersOf = (rows: Array<{ user: string }>) => [...new Set(rows.map((r) => r.user))].sort();

/**
 * What the pages know of the operator for a range from the cluster's start to `at` (the page-level check's own
 * queries, through knowledgeOf): live, last known since when, or no data.
 */
async function knowledge(promUrl: string, s: ResolvedSettings, at: number): Promise<OperatorKnowledge> {
  const from = cluster.startTime - 60;
  const range = { from: dateTime(from * 1000), to: dateTime(at * 1000), raw: { from: '', to: '' } };
  return knowledgeFrom(knowledgeQueries(s, range as never), async (q) => {
    const frame = seriesFrames(await instantQuery(promUrl, q.expr, at))[0];
    const v = frame?.fields.find((f) => f.type === FieldType.number)?.values.at(-1);
    return typeof v === 'number' ? v : undefined;
  });
}

/** The page's column step of the matrix (src/transforms/matrix.ts): the namespace only when the answer holds several. */
const columnsOf = (s: ResolvedSettings) => (frames: DataFrame[]) =>
  singleNamespaceColumns(frames, {
    challengeId: s.labels.challengeId,
    namespace: s.labels.namespace,
    column: MATRIX_COLUMN_LABEL,
  });

/**
 * What the window's views show at `at` (stats, per-challenge counts, the matrix per namespace, each user's page,
 * Triage, the over-time panel's last step): the panels whose answer is the instances' state.
 */
async function views(
  promUrl: string,
  settings: ResolvedSettings,
  at: number,
  users: string[],
  namespaces: string[],
  evalAt?: number
) {
  // The window's instant figures at `evalAt` (the last report, while it is last known), as the pages' runners build
  // them; the over-time panel over the range, as is.
  const s = { ...settings, at: evalAt };
  const columns = columnsOf(settings);
  const instant = async (q: string) => seriesFrames(await instantQuery(promUrl, interpolate(q, at), at));
  const id = s.labels.challengeId;
  const stateCounts: Record<string, number[]> = {};
  const overTimeAtEnd: Record<string, number | null> = {};
  const perChallenge: Record<string, Record<string, number>> = {};
  for (const { value, name } of STATES) {
    stateCounts[name] = statValues(await instant(stateCountQuery(s, value)));
    perChallenge[name] = valuesBy(await instant(challengeStateCountQuery(s, value)), id);
    if (value !== ChallengeState.Deleted) {
      const frames = seriesFrames(
        await rangeQuery(promUrl, interpolate(stateCountOverTimeQuery(settings, value), at), at - 30, at, 1)
      );
      // No sample at the end (null) while the operator does not report there: a gap, not a 0.
      const values = (frames[0]?.fields[1].values ?? []) as number[];
      const times = (frames[0]?.fields[0].values ?? []) as number[];
      overTimeAtEnd[name] = Math.abs((times.at(-1) ?? 0) - at * 1000) < 1000 ? values[values.length - 1] : null;
    }
  }
  // The matrix, one per namespace (the page's namespace filter): instant, table format, then the app's transforms.
  const matrix: Record<string, Matrix> = {};
  for (const ns of namespaces) {
    const table = tableFrame(
      await instantQuery(promUrl, interpolate(matrixQuery(s, { namespace: [ns] }), at), at),
      at * 1000
    );
    matrix[ns] = matrixCells(
      await applyTransformations(columns([table]), matrixTransformations(matrixPivotLabels(s.labels)))
    );
  }
  // "All" of several namespaces: one cell per (namespace, user, challenge), the columns per challenge and namespace
  // (decided from the answer, as the page does).
  const allTable = tableFrame(await instantQuery(promUrl, interpolate(matrixQuery(s, NO_FILTERS), at), at), at * 1000);
  const allNamespaces = matrixCells(
    await applyTransformations(columns([allTable]), matrixTransformations(matrixPivotLabels(s.labels)))
  );
  const userInstances: Record<string, Record<string, number>> = {};
  for (const user of users) {
    userInstances[user] = byInstance(await instant(userInstancesQuery(s, user)), s);
  }
  return {
    stateCounts,
    overTimeAtEnd,
    perChallenge,
    matrix,
    allNamespaces,
    userInstances,
    errorInstances: Object.keys(byInstance(await instant(errorInstancesQuery(s)), s)).sort(),
    stuckDeletions:
      (await instant(stuckDeletionsQuery(s, NO_FILTERS, STUCK_AFTER))).length +
      (await instant(stuckDeletionsQuery(s))).length,
  };
}

/** The same views computed from the cluster's truth. */
function expectedViews(truth: TruthRow[], users: string[], namespaces: string[]) {
  const challenges = [...new Set(truth.map((r) => r.challengeId))].sort();
  const stateCounts: Record<string, number[]> = {};
  const overTimeAtEnd: Record<string, number | null> = {};
  const perChallenge: Record<string, Record<string, number>> = {};
  for (const { value, name } of STATES) {
    stateCounts[name] = [count(truth, (r) => r.value === value)];
    if (value !== ChallengeState.Deleted) {
      overTimeAtEnd[name] = count(truth, (r) => r.value === value);
    }
    perChallenge[name] = Object.fromEntries(
      challenges.map((c) => [c, count(truth, (r) => r.challengeId === c && r.value === value)])
    );
  }
  const matrix: Record<string, Matrix> = {};
  for (const ns of namespaces) {
    const rows = truth.filter((r) => r.namespace === ns);
    const nsChallenges = [...new Set(rows.map((r) => r.challengeId))].sort();
    matrix[ns] = Object.fromEntries(
      usersOf(rows).map((u) => [
        u,
        Object.fromEntries(
          nsChallenges.map((c) => [c, rows.find((r) => r.user === u && r.challengeId === c)?.value ?? null])
        ),
      ])
    );
  }
  // "All": columns per challenge and namespace when the instances shown are in several namespaces, else per challenge.
  const several = namespacesOf(truth).length > 1;
  const columnOf = (r: TruthRow) => (several ? `${r.challengeId} @ ${r.namespace}` : r.challengeId);
  const columns = [...new Set(truth.map(columnOf))].sort();
  const allNamespaces: Matrix = Object.fromEntries(
    usersOf(truth).map((u) => [
      u,
      Object.fromEntries(columns.map((c) => [c, truth.find((r) => r.user === u && columnOf(r) === c)?.value ?? null])),
    ])
  );
  const userInstances = Object.fromEntries(
    users.map((u) => [
      u,
      Object.fromEntries(truth.filter((r) => r.user === u).map((r) => [`${r.namespace}/${r.name}`, r.value])),
    ])
  );
  return {
    stateCounts,
    overTimeAtEnd,
    perChallenge,
    matrix,
    allNamespaces,
    userInstances,
    errorInstances: truth
      .filter((r) => r.value === ChallengeState.Error)
      .map((r) => `${r.namespace}/${r.name}`)
      .sort(),
    stuckDeletions: 0,
  };
}

/** The Usage page and the history panels, at the CTF's checkpoint (the peaks are the script's own history). */
async function usage(promUrl: string, s: ResolvedSettings, at: number) {
  const instant = async (q: string) => seriesFrames(await instantQuery(promUrl, interpolate(q, at), at));
  const id = s.labels.challengeId;
  const deleted = seriesFrames(
    await rangeQuery(
      promUrl,
      interpolate(stateCountOverTimeQuery(s, ChallengeState.Deleted), at),
      at - (Math.ceil(at - cluster.startTime) + 30),
      at,
      1
    )
  );
  const deletedMax = Math.max(...(deleted[0].fields[1].values as number[]));
  return {
    deletedSeenOverTime: deletedMax >= 1 && deletedMax <= 2,
    peakByUser: valuesBy(await instant(peakConcurrentByUserQuery(s)), s.labels.username),
    topUsers: valuesBy(await instant(topUsersQuery(s)), s.labels.username),
    peakDistribution: valuesBy(await instant(peakDistributionQuery(s)), PEAK_LABEL),
    byCategory: valuesBy(await instant(instancesByCategoryQuery(s)), 'category'),
    categoryShare: roundAll(valuesBy(await instant(categoryShareQuery(s)), 'category')),
    requestsByChallenge: {
      cpu: roundAll(valuesBy(await instant(requestsByChallengeQuery(s, 'cpu')), id)),
      memory: roundAll(valuesBy(await instant(requestsByChallengeQuery(s, 'memory')), id)),
    },
    requestsByCategory: {
      cpu: roundAll(valuesBy(await instant(requestsByCategoryQuery(s, 'cpu')), 'category')),
      memory: roundAll(valuesBy(await instant(requestsByCategoryQuery(s, 'memory')), 'category')),
    },
  };
}

/** The filters' options over the whole run (label values are answered per stored block, not per sample). */
async function labelValues(promUrl: string, s: ResolvedSettings, at: number) {
  const labelValues: Record<string, string[]> = {};
  for (const role of FILTER_ROLES) {
    // Grafana runs label_values(<selector>, <label>) as the label values API, matched to the dashboard range.
    const m = /^label_values\((.*), (\w+)\)$/.exec(labelValuesVariableQuery(s, role, NO_FILTERS))!;
    labelValues[role] = (
      await promApi<string[]>(
        promUrl,
        `label/${m[2]}/values`,
        {
          'match[]': m[1],
          start: String(cluster.startTime - 60),
          end: String(at),
        },
        'GET'
      )
    ).sort();
  }
  return labelValues;
}

function expectedUsage(truth: TruthRow[]) {
  const running = truth.filter((r) => r.value === ChallengeState.Running);
  const category = (r: TruthRow) => cluster.categories[r.definition];
  const sumBy = (key: (r: TruthRow) => string, v: (r: TruthRow) => number) => {
    const out: Record<string, number> = {};
    for (const r of running) {
      out[key(r)] = (out[key(r)] ?? 0) + v(r);
    }
    return roundAll(out);
  };
  const byCategory = sumBy(category, () => 1);
  const peakDistribution: Record<string, number> = {};
  for (const peak of Object.values(cluster.peakRunning)) {
    peakDistribution[String(peak)] = (peakDistribution[String(peak)] ?? 0) + 1;
  }
  return {
    deletedSeenOverTime: true,
    peakByUser: cluster.peakRunning,
    topUsers: cluster.peakRunning,
    peakDistribution,
    byCategory,
    categoryShare: roundAll(Object.fromEntries(Object.entries(byCategory).map(([c, n]) => [c, n / running.length]))),
    requestsByChallenge: {
      cpu: sumBy(
        (r) => r.challengeId,
        (r) => cluster.requests[r.definition].cpu
      ),
      memory: sumBy(
        (r) => r.challengeId,
        (r) => cluster.requests[r.definition].memory
      ),
    },
    requestsByCategory: {
      cpu: sumBy(category, (r) => cluster.requests[r.definition].cpu),
      memory: sumBy(category, (r) => cluster.requests[r.definition].memory),
    },
  };
}

const LEGACY = resolveSettings({ challengeIdLabel: LEGACY_CHALLENGE_ID_LABEL });
const WITH_RULES = { ...DEFAULT_SETTINGS, recordingRules: true };

/** Every checkpoint: each page's answer is the cluster's truth, or the documented "not reporting" state. */
async function checkPath(promUrl: string, s: ResolvedSettings) {
  const all = cluster.checkpoints.flatMap((c) => c.truth);
  const users = usersOf(all);
  const namespaces = namespacesOf(all);
  for (const cp of cluster.checkpoints) {
    const known = await knowledge(promUrl, s, cp.at);
    if (cp.reporting) {
      expect({ step: cp.step, known }).toEqual({ step: cp.step, known: { kind: 'live' } });
      expect({ step: cp.step, ...(await views(promUrl, s, cp.at, users, namespaces)) }).toEqual({
        step: cp.step,
        ...expectedViews(cp.truth, users, namespaces),
      });
      continue;
    }
    // Not reporting: last known, since the operator's last scrape (no job involved).
    expect(known.kind).toBe('lastKnown');
    const since = (known as { sinceS: number }).sinceS;
    expect(since).toBeLessThanOrEqual(cp.killedAt!);
    expect(since).toBeGreaterThanOrEqual(cp.stableFrom!);
    // The page's range is not moved: its window figures are evaluated @ the last report and show the last known
    // state; the over-time panel has no sample at the range's end (a gap, not a 0).
    const expected = expectedViews(cp.truth, users, namespaces);
    expect({ step: cp.step, ...(await views(promUrl, s, cp.at, users, namespaces, since)) }).toEqual({
      step: cp.step,
      ...expected,
      overTimeAtEnd: Object.fromEntries(Object.keys(expected.overTimeAtEnd).map((k) => [k, null])),
    });
    // Without the evaluation time (the bundled dashboard), the queries hold only the deletions within the window
    // and never a 0: nothing is known of Pending, Running or Error at the range's end.
    const now = await views(promUrl, s, cp.at, users, namespaces);
    const deleted = expected.stateCounts.Deleted[0];
    expect(now.stateCounts).toEqual({ Pending: [], Running: [], Error: [], Deleted: deleted > 0 ? [deleted] : [] });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The Lifecycle page. Its histogram and counter figures are increases and rates, which Prometheus extrapolates; they
// are exact where every series in the range started at 0 at the same scrapes (the operator creates them at 0 before
// any observation), so the extrapolation scales every bucket of a series alike and quantiles and shares are exact.
// That holds over one operator pod's life (PodLifecycle.since to the checkpoint): the page's range is set so.

const TRANSITION_KINDS: readonly TransitionKind[] = ['opened', 'failed', 'deleted'];

/** The page's variables for a page whose time range runs from `since` to `at`. */
function interpolateFrom(query: string, at: number, since: number): string {
  return query.replaceAll('$__range', `${Math.ceil(at - since)}s`).replaceAll('$__rate_interval', RATE_INTERVAL);
}

/** An `le` label value as a number (Prometheus 3 writes 1 as "1.0"; both write "+Inf"). */
const leOf = (le: string) => (le === '+Inf' ? Infinity : Number(le));
const toBuckets = (h: Record<string, number>): Buckets => new Map(Object.entries(h).map(([le, c]) => [leOf(le), c]));

/** A histogram's series summed by group (what `sum by (<group>, le)` does). */
function sumBy(h: HistogramBuckets, group: (key: string) => string): Record<string, Buckets> {
  const out: Record<string, Buckets> = {};
  for (const [key, buckets] of Object.entries(h)) {
    const g = group(key);
    out[g] = addBuckets(out[g] ?? new Map(), toBuckets(buckets));
  }
  return out;
}

/** The raw counter each per-minute panel reads: `sum(<its selector>)`, taken from the panel's own query. */
function rawCountQuery(s: ResolvedSettings, kind: TransitionKind): string {
  const m = /rate\((.+)\[\$__rate_interval\]\)/.exec(transitionsPerMinuteQuery(s, kind));
  return `sum(${m![1]})`;
}

/** The Lifecycle page's figures, computed from an operator pod's own exposition. */
function expectedLifecycle(e: LifecycleExposition) {
  const definitionOf = (key: string) => key.split('/')[1];
  const ttr = sumBy(e.timeToRunning, definitionOf);
  const life = sumBy(e.lifetime, () => '')[''];
  const ended = life.get(Infinity)!;
  const transitions = (pred: (t: LifecycleExposition['transitions'][number]) => boolean) =>
    e.transitions.filter(pred).reduce((acc, t) => acc + t.value, 0);
  return {
    timeToRunning: Object.fromEntries(
      LIFECYCLE_QUANTILES.map((q) => [
        q,
        Object.fromEntries(Object.entries(ttr).map(([d, b]) => [d, round(histogramQuantile(q, b))])),
      ])
    ),
    lifetime: Object.fromEntries(LIFECYCLE_QUANTILES.map((q) => [q, round(histogramQuantile(q, life))])),
    lifetimeShare: ended > 0 ? Object.fromEntries([...life].map(([le, c]) => [String(le), round(c / ended)])) : {},
    counts: {
      opened: transitions((t) => t.from === 'None'),
      failed: transitions((t) => t.to === 'Error'),
      deleted: ended,
    },
  };
}

/** What the Lifecycle page shows for a range from `since` to `at`. */
async function lifecycleShown(url: string, s: ResolvedSettings, at: number, since: number) {
  const vector = async (q: string) => {
    const data = await instantQuery(url, interpolateFrom(q, at, since), at);
    return data.resultType === 'vector' ? data.result : [];
  };
  const timeToRunning: Record<string, Record<string, number>> = {};
  const lifetime: Record<string, number> = {};
  for (const q of LIFECYCLE_QUANTILES) {
    timeToRunning[q] = Object.fromEntries(
      (await vector(timeToRunningByDefinitionQuery(s, q))).map((r) => [r.metric.definition, round(Number(r.value[1]))])
    );
    lifetime[q] = (await vector(lifetimeQuantileQuery(s, q))).map((r) => round(Number(r.value[1])))[0];
  }
  const counts: Record<string, number> = {};
  for (const kind of TRANSITION_KINDS) {
    counts[kind] = (await vector(rawCountQuery(s, kind))).map((r) => Number(r.value[1]))[0];
  }
  return {
    timeToRunning,
    lifetime,
    lifetimeShare: Object.fromEntries(
      (await vector(lifetimeDistributionQuery(s))).map((r) => [String(leOf(r.metric.le)), round(Number(r.value[1]))])
    ),
    counts,
  };
}

/** Where the pod's exposition disagrees with the cluster's truth (empty when it counts what happened). */
function exposedAgainstTruth(e: LifecycleExposition, t: LifecycleTruth): string[] {
  const wrong: string[] = [];
  for (const [key, buckets] of Object.entries(e.timeToRunning)) {
    const bounds = Object.keys(buckets)
      .map(Number)
      .filter((le) => le !== Infinity);
    const want = bucketsOf(bounds, t.timeToRunning[key] ?? []);
    for (const [le, count] of toBuckets(buckets)) {
      if (want.get(le) !== count) {
        wrong.push(`time to Running ${key} le=${le}: ${count}, the statuses say ${want.get(le)}`);
      }
    }
  }
  for (const [key, buckets] of Object.entries(e.lifetime)) {
    const spans = t.lifetimes[key] ?? [];
    for (const [le, count] of toBuckets(buckets)) {
      const least = spans.filter(([, hi]) => hi <= le).length;
      const most = spans.filter(([lo]) => lo <= le).length;
      if (count < least || count > most) {
        wrong.push(`lifetime ${key} le=${le}: ${count}, the deletions say ${least}..${most}`);
      }
    }
  }
  const e2 = expectedLifecycle(e).counts;
  const deleted = Object.values(t.lifetimes).reduce((acc, l) => acc + l.length, 0);
  if (e2.opened !== t.opened || e2.failed !== t.failed || e2.deleted !== deleted) {
    wrong.push(
      `counted ${JSON.stringify(e2)}, the cluster did ${JSON.stringify({ opened: t.opened, failed: t.failed, deleted })}`
    );
  }
  return wrong;
}

const eventsOf = (t: LifecycleTruth): Record<TransitionKind, number> => ({
  opened: t.opened,
  failed: t.failed,
  deleted: Object.values(t.lifetimes).reduce((acc, l) => acc + l.length, 0),
});

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
      // Over the whole run (the page's usual range, across the restart) each figure mixes both pods' observations, each
      // pod's extrapolated by its own factor: it lies between the two pods' own figures (is one's when the other has none).
      const last = withLifecycle[withLifecycle.length - 1];
      const pods = [withLifecycle[0], last].map((cp) => expectedLifecycle(cp.lifecycle!.exposition));
      const outside: string[] = [];
      const between = (what: string, v: number | undefined, a: number | undefined, b: number | undefined) => {
        const known = [a, b].filter((x): x is number => x !== undefined && !Number.isNaN(x));
        const ok =
          known.length === 0
            ? v === undefined || Number.isNaN(v)
            : v !== undefined && v >= Math.min(...known) && v <= Math.max(...known);
        if (!ok) {
          outside.push(`${what}: ${v}, the pods ${a} and ${b}`);
        }
      };
      let mixed = 0;
      for (const [url, s] of [
        [prom().default, DEFAULT_SETTINGS],
        [prom().legacy, LEGACY],
      ] as const) {
        const whole = await lifecycleShown(url, s, last.at, cluster.startTime - 60);
        for (const q of LIFECYCLE_QUANTILES) {
          for (const d of Object.keys(pods[0].timeToRunning[q])) {
            between(
              `time to Running p${q * 100} ${d}`,
              whole.timeToRunning[q][d],
              pods[0].timeToRunning[q][d],
              pods[1].timeToRunning[q][d]
            );
            mixed += Number(pods.every((p) => !Number.isNaN(p.timeToRunning[q][d])));
          }
          between(`lifetime p${q * 100}`, whole.lifetime[q], pods[0].lifetime[q], pods[1].lifetime[q]);
        }
        for (const le of Object.keys(pods[1].lifetimeShare)) {
          between(
            `lifetime share le=${le}`,
            whole.lifetimeShare[le],
            pods[0].lifetimeShare[le],
            pods[1].lifetimeShare[le]
          );
        }
      }
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
      const phases = cluster.checkpoints
        .filter((cp) => cp.lifecycle)
        .map((cp, i, all) => {
          const prev = all[i - 1]?.lifecycle;
          const now = eventsOf(cp.lifecycle!.truth);
          // A new pod counts from 0 again: its events are all after the previous checkpoint.
          const before =
            prev && prev.since === cp.lifecycle!.since ? eventsOf(prev.truth) : { opened: 0, failed: 0, deleted: 0 };
          return {
            step: cp.step,
            from: i === 0 ? cluster.startTime : all[i - 1].at,
            to: cp.at,
            events: Object.fromEntries(TRANSITION_KINDS.map((k) => [k, now[k] - before[k]])) as Record<
              TransitionKind,
              number
            >,
          };
        });
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
      expect((await instant(reconcileRateQuery())).map((r) => r.labels.result)).toContain('success');
      expect((await instant(workQueueDepthQuery())).map((r) => r.value >= 0)).toEqual([true]);
      expect((await instant(reconcileErrorsInRangeQuery())).map((r) => r.value >= 0)).toEqual([true]);
      expect((await steps(reconcileDurationQuantileQuery(0.99))).some((v) => v > 0)).toBe(true);
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
