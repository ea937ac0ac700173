/**
 * The queries bench/queries.bench.ts times: every panel and variable query the pages build (src/queries/), the forms
 * before "newest sample wins" (BENCH_BEFORE=1), and the trivial baseline each figure is compared with.
 */
import { STATE_CODES, STATE_NAMES, STATUS_METRIC } from '@hexactf/contract';

import { ChallengeState } from '../src/metric/contract';
import * as q from '../src/queries';
import type { QuerySettings } from '../src/queries/common';
import { FILTER_ROLES, filterVariable } from '../src/settings/labelRoles';

export interface Bench {
  name: string;
  /** 'instant' at the range's end, 'range' over the dashboard range, 'labels' = the label values API. */
  kind: 'instant' | 'range' | 'labels';
  query: string;
}

/** Stand-ins replaced at run time: the last-report query depends on the range, the @ time on the range's end. */
export const LAST_REPORT_MARKER = 'hexactf-bench-last-report';
export const AT_MARKER = 1234567.125;

/** Every panel and variable query of the pages, as built by src/queries/. */
export function dashboardQueries(s: QuerySettings): Bench[] {
  const out: Bench[] = [];
  const states = STATE_NAMES.map((name): [string, ChallengeState] => [name, STATE_CODES[name]]);
  for (const [name, st] of states) {
    out.push({ name: `stat ${name}`, kind: 'instant', query: q.stateCountQuery(s, st) });
  }
  for (const [name, st] of states) {
    out.push({ name: `over time ${name}`, kind: 'range', query: q.stateCountOverTimeQuery(s, st) });
  }
  out.push({
    name: 'per challenge Running',
    kind: 'instant',
    query: q.challengeStateCountQuery(s, ChallengeState.Running),
  });
  out.push({
    name: 'per challenge Error',
    kind: 'instant',
    query: q.challengeStateCountQuery(s, ChallengeState.Error),
  });
  out.push({ name: 'matrix (table)', kind: 'instant', query: q.matrixQuery(s) });
  out.push({ name: "one user's instances", kind: 'instant', query: q.userInstancesQuery(s, 'player-00042') });
  out.push({ name: 'peak per user', kind: 'instant', query: q.peakConcurrentByUserQuery(s) });
  out.push({ name: 'top users', kind: 'instant', query: q.topUsersQuery(s) });
  out.push({ name: 'peak distribution', kind: 'instant', query: q.peakDistributionQuery(s) });
  out.push({ name: 'instances by category', kind: 'instant', query: q.instancesByCategoryQuery(s) });
  out.push({ name: 'category share', kind: 'instant', query: q.categoryShareQuery(s) });
  out.push({ name: 'cpu by challenge', kind: 'instant', query: q.requestsByChallengeQuery(s, 'cpu') });
  out.push({ name: 'memory by challenge', kind: 'instant', query: q.requestsByChallengeQuery(s, 'memory') });
  out.push({ name: 'cpu by category', kind: 'instant', query: q.requestsByCategoryQuery(s, 'cpu') });
  out.push({ name: 'memory by category', kind: 'instant', query: q.requestsByCategoryQuery(s, 'memory') });
  // What the Usage page sends for the six above: one runner, two queries (src/transforms/usageCounts.ts derives them).
  out.push({ name: 'usage: running instances', kind: 'instant', query: q.runningInstancesQuery(s) });
  out.push({ name: 'usage: definition requests', kind: 'instant', query: q.definitionRequestsQuery(s) });
  out.push({ name: 'triage: errors', kind: 'instant', query: q.errorInstancesQuery(s) });
  out.push({ name: 'triage: stuck deletions', kind: 'instant', query: q.stuckDeletionsQuery(s) });
  // The page-level operator check (src/data/operatorKnowledge.ts), asked once per page run; its range is the page's.
  out.push({ name: 'check: reporting', kind: 'instant', query: q.reportingQuery(s) });
  out.push({ name: 'check: last report (controller)', kind: 'instant', query: `${LAST_REPORT_MARKER}controller` });
  out.push({ name: 'check: last report (gauge)', kind: 'instant', query: `${LAST_REPORT_MARKER}gauge` });
  // A window figure while last known: evaluated @ 10 minutes before the range's end.
  out.push({
    name: 'stat Running @ last report',
    kind: 'instant',
    query: q.stateCountQuery({ ...s, at: AT_MARKER }, ChallengeState.Running),
  });
  for (const role of FILTER_ROLES) {
    out.push({ name: `variable ${filterVariable(role)}`, kind: 'labels', query: q.labelValuesVariableQuery(s, role) });
  }
  if (process.env.BENCH_BEFORE === '1') {
    out.push(...beforeQueries(s));
  }
  return out;
}

/**
 * BENCH_BEFORE=1: the forms before "newest sample wins" and the reporting 0 (the highest value per instance, the
 * Deleted branch folded before the comparison, `or vector(0)`), timed in the same run as the current ones.
 */
function beforeQueries(s: QuerySettings): Bench[] {
  const id = q.identity(s);
  const m = s.metricName;
  const last = (w: string) => `(max by (${id}) (${m}) or max by (${id}) (last_over_time(${m}[${w}])) == 2)`;
  return [
    { name: 'before: stat Running', kind: 'instant', query: `count(${last('$window')} == 1) or vector(0)` },
    {
      name: 'before: over time Running',
      kind: 'range',
      query: `count(${last('$__rate_interval')} == 1) or vector(0)`,
    },
    {
      name: 'before: per challenge Running',
      kind: 'instant',
      query: `sum by (challenge_id) (${last('$window')} == bool 1)`,
    },
    {
      name: 'before: matrix (table)',
      kind: 'instant',
      query: `label_join(${last('$window')}, "hexactf_matrix_column", "", "challenge_id")`,
    },
    { name: 'before: triage: errors', kind: 'instant', query: `max by (${id}) (${m}) == 3` },
  ];
}

/** The trivial query each figure is compared with, measured in the same run. */
export const BASELINE: Bench = {
  name: `baseline count(${STATUS_METRIC})`,
  kind: 'instant',
  query: `count(${STATUS_METRIC})`,
};
