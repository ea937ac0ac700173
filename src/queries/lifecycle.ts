/**
 * The Lifecycle page: how long players wait, how long they keep an instance, how often instances fail. The
 * lifecycle metrics carry `namespace` (the Challenge's) and `definition` only, so only the namespace filter applies.
 */
import {
  ChallengeState,
  DEFINITION_LABEL,
  LIFETIME_METRIC,
  NO_STATE,
  TIME_TO_RUNNING_METRIC,
  TRANSITIONS_METRIC,
} from '../metric/contract';
import {
  NO_FILTERS,
  RANGE_VARIABLE,
  RATE_INTERVAL_VARIABLE,
  bucketQuantile,
  checkSettings,
  clusterLabelOf,
  namespaceOnly,
  selector,
  type QueryFilters,
  type QuerySettings,
} from './common';

/** The quantiles the Lifecycle page shows. */
export const LIFECYCLE_QUANTILES = [0.5, 0.9, 0.99] as const;

/**
 * Range: the q-quantile of the time from Pending to Running of the instances that got Running within each step's
 * `$__rate_interval`, all definitions together. No sample at a step where none did.
 */
export function timeToRunningQuantileQuery(
  s: QuerySettings,
  q: number,
  f: QueryFilters = NO_FILTERS,
  interval = RATE_INTERVAL_VARIABLE
): string {
  return bucketQuantile(q, TIME_TO_RUNNING_METRIC, namespaceOnly(s, f), 'rate', interval);
}

/** Instant at the range's end: per definition (label `definition`), the q-quantile of time to Running over the range. */
export function timeToRunningByDefinitionQuery(
  s: QuerySettings,
  q: number,
  f: QueryFilters = NO_FILTERS,
  range = RANGE_VARIABLE
): string {
  // Per cluster too: two clusters' definitions of one name are two definitions.
  const by = [DEFINITION_LABEL, clusterLabelOf(s)];
  return bucketQuantile(q, TIME_TO_RUNNING_METRIC, namespaceOnly(s, f), 'increase', range, by);
}

/** Instant: the q-quantile of the lifetime (creation to the end of cleanup) of the instances that ended in the range. */
export function lifetimeQuantileQuery(
  s: QuerySettings,
  q: number,
  f: QueryFilters = NO_FILTERS,
  range = RANGE_VARIABLE
) {
  return bucketQuantile(q, LIFETIME_METRIC, namespaceOnly(s, f), 'increase', range);
}

/**
 * Instant: of the instances that ended in the range, the share (0..1) that lived at most each bucket bound (label
 * `le`, seconds): the share a TTL of that length would have cut short is 1 minus it. No sample when none ended.
 */
export function lifetimeDistributionQuery(s: QuerySettings, f: QueryFilters = NO_FILTERS, range = RANGE_VARIABLE) {
  const sel = namespaceOnly(s, f);
  const ended = `sum(increase(${LIFETIME_METRIC}_count${sel}[${range}])) > 0`;
  return `sum by (le) (increase(${LIFETIME_METRIC}_bucket${sel}[${range}])) / ignoring (le) group_left () (${ended})`;
}

/** What the Lifecycle page counts per minute: instances opened, instances that failed, deletions. */
export type TransitionKind = 'opened' | 'failed' | 'deleted';

/**
 * What counts each kind: challenge_state_transitions_total (the operator writes from="None" for an instance's first
 * state) for opens and failures; for deletions the lifetime histogram's count, observed once per instance when the
 * operator ends its cleanup (it writes no status once the finalizer is removed, so the transition to Deleted is only
 * written for a deletion that waits on its children). The operator creates all of these series at 0 before their
 * first observation, so rate() sees the first one too.
 */
const KIND_SOURCE: Readonly<Record<TransitionKind, { metric: string; matcher?: string }>> = Object.freeze({
  opened: { metric: TRANSITIONS_METRIC, matcher: `from="${NO_STATE}"` },
  failed: { metric: TRANSITIONS_METRIC, matcher: `to="${ChallengeState[ChallengeState.Error]}"` },
  deleted: { metric: `${LIFETIME_METRIC}_count` },
});

/**
 * Range: instances opened / failed / deleted per minute (one unlabelled series, 0 where there were none while the
 * operator exported the kind's metric, in any namespace; no sample where it did not). Not 0 merely while the
 * operator reports: an operator without the lifecycle metrics (the original one) reports, and its "0 opened" would
 * be a figure Prometheus does not have.
 */
export function transitionsPerMinuteQuery(
  s: QuerySettings,
  kind: TransitionKind,
  f: QueryFilters = NO_FILTERS,
  interval = RATE_INTERVAL_VARIABLE
): string {
  checkSettings(s);
  const { metric, matcher } = KIND_SOURCE[kind];
  const sel = selector(s, f, ['namespace'], matcher ? [matcher] : []);
  // The 0 while the operator of the clusters shown exports the counter: a quiet namespace reads 0, a cluster whose
  // operator stopped reads nothing (not the 0 of another cluster's counter).
  return `sum(rate(${metric}${sel}[${interval}])) * 60 or (0 * group(${metric}${selector(s, f, [])}))`;
}
