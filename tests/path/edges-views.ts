// What the pages show at an edge play's checkpoint (edges.jest.ts): the stats, per-challenge counts, the matrix of
// all namespaces, each user's page and Triage, as the app builds and transforms them; the same computed from the
// cluster's truth; and checkPlay, which compares them at every checkpoint of a play, with what the pages know of the
// operator (page-views.ts' knowledge, over the edge plays' range).
import { instantQuery } from '@hexactf/testing/prom-api';

import { ChallengeState, STATES } from '../../src/metric/contract';
import { type OperatorKnowledge } from '../../src/data/operatorKnowledge';
import { NO_FILTERS } from '../../src/queries/common';
import { challengeStateCountQuery, stateCountQuery } from '../../src/queries/overview';
import { errorInstancesQuery } from '../../src/queries/triage';
import { MATRIX_COLUMN_LABEL, matrixPivotLabels, matrixQuery, userInstancesQuery } from '../../src/queries/users';
import { type ResolvedSettings } from '../../src/settings/settings';
import { applyTransformations, matrixTransformations, singleNamespaceColumns } from '../../src/transforms/matrix';
import type { TruthRow } from './checkpoints';
import { count } from './cluster-run';
import type { Play } from './edges-checkpoints';
import { cluster, interpolate } from './edges-run';
import { seriesFrames, statValues, tableFrame, valuesBy } from './grafana-frames';
import { byInstance, knowledge as knowledgeFrom, matrixCellsOf, usersOf, type Matrix } from './page-views';

/** What the pages know of the operator for a range from before the edge plays to `at`. */
export const knowledge = (url: string, s: ResolvedSettings, at: number): Promise<OperatorKnowledge> =>
  knowledgeFrom(url, s, at, cluster.startTime);

/** What the window's views show at `at` (instant figures evaluated at `evalAt` while last known). */
export async function views(url: string, settings: ResolvedSettings, at: number, users: string[], evalAt?: number) {
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
  const matrix = matrixCellsOf(await applyTransformations(columns, matrixTransformations(matrixPivotLabels(s.labels))));
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

/** The same views computed from the cluster's truth. */
export function expectedViews(truth: TruthRow[], users: string[]) {
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
export async function checkPlay(url: string, s: ResolvedSettings, play: Play, last = Infinity) {
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
