// The operator's own exposition of its lifecycle metrics, as the cluster side reads it from the operator's /metrics at
// each checkpoint (operator-process.ts; JSON-safe: path.jest.ts gets it through the PATH-READY line).
import { CONTROLLER_METRICS, LIFETIME_METRIC, TIME_TO_RUNNING_METRIC, TRANSITIONS_METRIC } from '@hexactf/contract';
import { expositionSamples } from './exposition.ts';

/** namespace/definition -> `le` as exported -> cumulative count. */
export type HistogramBuckets = Record<string, Record<string, number>>;

export interface LifecycleExposition {
  timeToRunning: HistogramBuckets;
  lifetime: HistogramBuckets;
  transitions: Array<{ namespace: string; from: string; to: string; value: number }>;
  /** leader_election_master_status: only the leader reconciles, so only the leader observes anything. */
  leading: boolean;
}

export function parseLifecycle(text: string): LifecycleExposition {
  const out: LifecycleExposition = { timeToRunning: {}, lifetime: {}, transitions: [], leading: false };
  for (const { name, labels, value } of expositionSamples(text)) {
    if (name === `${TIME_TO_RUNNING_METRIC}_bucket` || name === `${LIFETIME_METRIC}_bucket`) {
      const into = name.startsWith(TIME_TO_RUNNING_METRIC) ? out.timeToRunning : out.lifetime;
      (into[`${labels.namespace}/${labels.definition}`] ??= {})[labels.le] = value;
    } else if (name === TRANSITIONS_METRIC) {
      out.transitions.push({ namespace: labels.namespace, from: labels.from, to: labels.to, value });
    } else if (name === CONTROLLER_METRICS.leaderStatus) {
      out.leading = value === 1;
    }
  }
  return out;
}
