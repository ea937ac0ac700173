/** The Triage page: instances in Error, and deletions that have not finished. */
import { ChallengeState, DEFAULT_STUCK_DELETION_AFTER } from '../metric/contract';
import {
  NO_FILTERS,
  currentStates,
  identity,
  perCluster,
  rangeAt,
  statusRange,
  type QueryFilters,
  type QuerySettings,
} from './common';
import { JOB_LABEL } from './operatorStatus';

/** Instances in Error now (current value; a removed Challenge is gone at once). Labels: the four; value 3. */
export function errorInstancesQuery(s: QuerySettings, f: QueryFilters = NO_FILTERS): string {
  return `${currentStates(s, f)} == ${ChallengeState.Error}`;
}

/**
 * Deletions that have not finished: Deleted now, Deleted at every sample of the last `olderThan`, and reported at
 * every scrape of that span at which its target reported the gauge (as many samples as the job's fullest instance).
 * The operator removes a finished deletion's series `--deleted-series-retention` (60 s) after the Challenge is gone,
 * so with `olderThan` well above that only a stuck finalizer stays. A Challenge that only just turned Deleted, or
 * one deleted, removed, re-created under the same labels and deleted again, has fewer samples in the span than its
 * job's instances that were there all along, and is not listed. A scrape gap of the whole target (an operator
 * restart) does not hide one. Labels: the four; value 2.
 */
export function stuckDeletionsQuery(
  s: QuerySettings,
  f: QueryFilters = NO_FILTERS,
  olderThan = DEFAULT_STUCK_DELETION_AFTER
): string {
  if (!/^([0-9]+(ms|s|m|h|d|w|y))+$/.test(olderThan)) {
    throw new Error(`invalid duration ${JSON.stringify(olderThan)}`);
  }
  const id = identity(s);
  const m = statusRange(s, f, olderThan);
  const deleted = ChallengeState.Deleted;
  const samples = (range: string) => `sum by (${id}, ${JOB_LABEL}) (count_over_time(${range}))`;
  // The fullest instance of each job of each cluster (every cluster's operator has the same job name), over the
  // whole gauge: a filter must not make a partial one the measure, nor one cluster's scrapes the other's.
  const job = perCluster(s, JOB_LABEL);
  const scrapes = `max by (${job}) (${samples(rangeAt(s, s.metricName, olderThan))})`;
  return [
    `(${currentStates(s, f)} == ${deleted})`,
    `(min by (${id}) (min_over_time(${m})) == ${deleted})`,
    `(max by (${id}) (max_over_time(${m})) == ${deleted})`,
    `(${samples(m)} >= on (${job}) group_left () ${scrapes})`,
  ].join(` and on (${id}) `);
}
