// The Usage page and the history panels at the CTF's checkpoint (path.jest.ts), as the app's queries answer there
// and as the cluster's truth and the script's own history say; and the filters' options over the whole run.
import { instantQuery, promApi, rangeQuery } from '@hexactf/testing/prom-api';

import { ChallengeState } from '../../src/metric/contract';
import { NO_FILTERS, labelValuesVariableQuery } from '../../src/queries/common';
import { stateCountOverTimeQuery } from '../../src/queries/overview';
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
import { FILTER_ROLES } from '../../src/settings/labelRoles';
import { type ResolvedSettings } from '../../src/settings/settings';
import type { TruthRow } from './checkpoints';
import { seriesFrames, valuesBy } from './grafana-frames';
import { cluster, interpolate, roundAll } from './cluster-run';

/** The Usage page and the history panels, at the CTF's checkpoint (the peaks are the script's own history). */
export async function usage(promUrl: string, s: ResolvedSettings, at: number) {
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
export async function labelValues(promUrl: string, s: ResolvedSettings, at: number) {
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

export function expectedUsage(truth: TruthRow[]) {
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
