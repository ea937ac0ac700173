/** The Overview page: instances per state, per challenge, and over time. */
import { ChallengeState, STATE_RULE_LABEL } from '../metric/contract';
import {
  NO_FILTERS,
  RATE_INTERVAL_VARIABLE,
  REPORTING_RULE,
  STATE_COUNT_RULE,
  WINDOW_VARIABLE,
  checkSettings,
  filtered,
  lastStates,
  perCluster,
  rulesServe,
  selector,
  type QueryFilters,
  type QuerySettings,
} from './common';
import { zeroWhileReporting } from './heartbeat';
import { quoteString } from './promql-escape';

/**
 * Instances whose last state in the window is `state` (the HexaCTF write-up's stat panels). One unlabelled sample: 0
 * when there are none while the operator reports at the evaluation time; nothing (the panel's "No data") when it
 * does not, so "nothing known" never reads as "nothing running".
 */
export function stateCountQuery(
  s: QuerySettings,
  state: ChallengeState,
  f: QueryFilters = NO_FILTERS,
  window = WINDOW_VARIABLE
): string {
  return `count(${lastStates(s, f, window)} == ${state}) or ${zeroWhileReporting(s, f)}`;
}

/**
 * Range query: instances in `state` at each step (last state within `$__rate_interval`, so a state shorter than the
 * step, like a 60 s Deleted, still shows). One unlabelled series, 0 where there are none and the operator reports at
 * that step; no sample where it does not (a scrape gap is a gap, not a fall to 0).
 */
export function stateCountOverTimeQuery(
  s: QuerySettings,
  state: ChallengeState,
  f: QueryFilters = NO_FILTERS,
  interval = RATE_INTERVAL_VARIABLE
): string {
  // The rule has no per-user series: a user filter needs the raw form.
  if (rulesServe(s) && !filtered(f, 'username')) {
    checkSettings(s);
    const sel = selector(s, f, ['namespace', 'challengeId'], [`${STATE_RULE_LABEL}=${quoteString(String(state))}`]);
    // The 0 from recorded series only (not the raw heartbeat, which is back at the operator's first scrape after a
    // gap, before the rule's next evaluation: that step would read 0), and not the raw gauge, whose every series the
    // rule form exists not to read at every step.
    // Only the clusters shown (the filter applies to the recorded series' external label too).
    const shown = selector(s, f, []);
    return `sum(last_over_time(${STATE_COUNT_RULE}${sel}[${interval}])) or (0 * group(${STATE_COUNT_RULE}${shown} or ${REPORTING_RULE}${shown}))`;
  }
  return `count(${lastStates(s, f, interval)} == ${state}) or ${zeroWhileReporting(s, f)}`;
}

/**
 * Per challenge id: instances whose last state in the window is `state` (the HexaCTF write-up's per-challenge Running / Error
 * counts). Every challenge seen in the window gets a sample, 0 where none is in that state. Label: challengeId.
 */
export function challengeStateCountQuery(
  s: QuerySettings,
  state: ChallengeState,
  f: QueryFilters = NO_FILTERS,
  window = WINDOW_VARIABLE
): string {
  // `== bool` keeps every instance as 1 (in that state) or 0, so one pass gives the count and the zeros (a count plus
  // an `or` branch for the zeros read the whole window twice: 2 s instead of 1 s for 6 h of 100,000 instances).
  return `sum by (${perCluster(s, s.labels.challengeId)}) (${lastStates(s, f, window)} == bool ${state})`;
}

/** The label `challengeStateCountsQuery` puts each instance's state code in (count_values' label). */
export const STATE_CODE_LABEL = 'hexactf_state';

/**
 * Per challenge id and state code (label `hexactf_state`): instances whose last state in the window is that state,
 * one sample per pair that has any; plus one unlabelled 0 while the operator reports at the evaluation time (the 0
 * of stateCountQuery). One evaluation of every instance's last state serves the Overview's four stats and its
 * per-challenge Running and Error counts (src/transforms/stateCounts.ts derives them): per state, the sum of its
 * samples equals stateCountQuery, or that 0 when it has none; per challenge, every challenge with a sample gets a
 * count per state, 0 where it has none, as challengeStateCountQuery gives. Labels: challengeId (and the cluster's),
 * hexactf_state.
 */
export function challengeStateCountsQuery(
  s: QuerySettings,
  f: QueryFilters = NO_FILTERS,
  window = WINDOW_VARIABLE
): string {
  return `count_values by (${perCluster(s, s.labels.challengeId)}) ("${STATE_CODE_LABEL}", ${lastStates(s, f, window)}) or ${zeroWhileReporting(s, f)}`;
}
