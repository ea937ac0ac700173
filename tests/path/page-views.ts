// What the pages whose answer is the instances' state show at a checkpoint (path.jest.ts): the stats, per-challenge
// counts, the matrix per namespace and for all, each user's page, Triage and the over-time panel's last step, as the
// app builds and transforms them; the same computed from the cluster's truth; what the pages know of the operator;
// and checkPath, which compares them at every checkpoint.
import { FieldType, dateTime, type DataFrame } from '@grafana/data';
import { instantQuery, rangeQuery } from '@hexactf/testing/prom-api';

import { ChallengeState, STATES } from '../../src/metric/contract';
import { knowledgeFrom, knowledgeQueries, type OperatorKnowledge } from '../../src/data/operatorKnowledge';
import { NO_FILTERS } from '../../src/queries/common';
import { challengeStateCountQuery, stateCountOverTimeQuery, stateCountQuery } from '../../src/queries/overview';
import { errorInstancesQuery, stuckDeletionsQuery } from '../../src/queries/triage';
import { MATRIX_COLUMN_LABEL, matrixPivotLabels, matrixQuery, userInstancesQuery } from '../../src/queries/users';
import { type ResolvedSettings } from '../../src/settings/settings';
import { applyTransformations, matrixTransformations, singleNamespaceColumns } from '../../src/transforms/matrix';
import type { TruthRow } from './checkpoints';
import { seriesFrames, statValues, tableFrame, valuesBy } from './grafana-frames';
import { STUCK_AFTER, cluster, count, interpolate } from './cluster-run';

export type Matrix = Record<string, Record<string, number | null>>;

/** The grouping-to-matrix frame as user -> challenge -> cell, checked to be the only frame. */
function matrixCells(frames: DataFrame[]): Matrix {
  if (frames.length === 0 || frames[0].length === 0) {
    return {}; // no instance in that namespace (yet)
  }
  expect(frames).toHaveLength(1);
  return matrixCellsOf(frames);
}

/** The grouping-to-matrix frame as user -> challenge -> cell (the edge plays' views, edges-views.ts). */
export function matrixCellsOf(frames: DataFrame[]): Matrix {
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

/** Instant series frames keyed by namespace/name (one instance per series). */
export function byInstance(frames: DataFrame[], s: ResolvedSettings): Record<string, number> {
  const out: Record<string, number> = {};
  for (const frame of frames) {
    const value = frame.fields.find((f) => f.type === FieldType.number)!;
    const key = `${value.labels?.[s.labels.namespace]}/${value.labels?.[s.labels.challengeName]}`;
    expect(out[key]).toBeUndefined(); // one instance is one series
    out[key] = value.values[value.values.length - 1];
  }
  return out;
}

export const namespacesOf = (rows: Array<{ namespace: string }>) => [...new Set(rows.map((r) => r.namespace))].sort();
export const usersOf = (rows: Array<{ user: string }>) => [...new Set(rows.map((r) => r.user))].sort();

/**
 * What the pages know of the operator for a range from the cluster's start to `at` (the page-level check's own
 * queries, through knowledgeOf): live, last known since when, or no data.
 */
export async function knowledge(
  promUrl: string,
  s: ResolvedSettings,
  at: number,
  startTime = cluster.startTime
): Promise<OperatorKnowledge> {
  const from = startTime - 60;
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
export async function views(
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
export function expectedViews(truth: TruthRow[], users: string[], namespaces: string[]) {
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

/** Every checkpoint: each page's answer is the cluster's truth, or the documented "not reporting" state. */
export async function checkPath(promUrl: string, s: ResolvedSettings) {
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
