/**
 * The queries the pages send for the e2e fixture's history (tests/fixtures), by the panel that sends them, and a
 * normal form of an answer: what the engine comparisons (victoriametrics.test.ts, thanos*.test.ts) ask of each
 * engine and compare.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type PromData } from '@hexactf/testing/prom-api';

import { ChallengeState, STATES } from '../metric/contract';
import { NO_FILTERS, type QueryFilters } from '../queries/common';
import { lastReportQuery, reportingQuery } from '../queries/heartbeat';
import { challengeStateCountQuery, stateCountOverTimeQuery, stateCountQuery } from '../queries/overview';
import { errorInstancesQuery, stuckDeletionsQuery } from '../queries/triage';
import {
  categoryShareQuery,
  instancesByCategoryQuery,
  peakConcurrentByUserQuery,
  peakDistributionQuery,
  requestsByCategoryQuery,
  requestsByChallengeQuery,
  topUsersQuery,
} from '../queries/usage';
import { matrixQuery, userInstancesQuery } from '../queries/users';
import { DEFAULT_SETTINGS } from '../settings/settings';

export const FIXTURES = resolve(__dirname, '../../tests/fixtures');
export const FIXTURE_TEXT = join(FIXTURES, 'challenges.om.txt');
export const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8'));
export const FROM_S = Date.parse(expected.timeRange.from) / 1000;
export const TO_S = Date.parse(expected.timeRange.to) / 1000;
const RANGE = `${TO_S - FROM_S}s`;
/** Grafana's step for a 3 h range panel, and its $__rate_interval at the fixture's 60 s scrape interval. */
export const STEP_S = 60;
const RATE_INTERVAL = '4m';
const s = DEFAULT_SETTINGS;

/** Every instant query the pages send for the fixture's history with filters `f`, by the panel that sends it. */
export function instantQueries(f: QueryFilters = NO_FILTERS): Record<string, string> {
  const out: Record<string, string> = {
    'check: reporting': reportingQuery(s, f),
    'check: last report': lastReportQuery(s, TO_S - FROM_S, 'both', f),
    'matrix (table)': matrixQuery(s, f, expected.window),
    "one user's instances": userInstancesQuery(s, 'alice', f, expected.window),
    'per challenge Running': challengeStateCountQuery(s, ChallengeState.Running, f, expected.window),
    'per challenge Error': challengeStateCountQuery(s, ChallengeState.Error, f, expected.window),
    'triage: errors': errorInstancesQuery(s, f),
    'triage: stuck deletions': stuckDeletionsQuery(s, f),
    'instances by category': instancesByCategoryQuery(s, f),
    'category share': categoryShareQuery(s, f),
    'cpu by challenge': requestsByChallengeQuery(s, 'cpu', f),
    'memory by category': requestsByCategoryQuery(s, 'memory', f),
    'peak per user': peakConcurrentByUserQuery(s, f, RANGE),
    'top users': topUsersQuery(s, f, 10, RANGE),
    'peak distribution': peakDistributionQuery(s, f, RANGE),
  };
  for (const state of STATES) {
    out[`stat ${state.name}`] = stateCountQuery(s, state.value, f, expected.window);
  }
  // Grafana's $__interval for the panels: their step (the fixture's scrape interval).
  return Object.fromEntries(Object.entries(out).map(([k, q]) => [k, q.replaceAll('$__interval', `${STEP_S}s`)]));
}

/** The range panels' queries with filters `f` (over the fixture's range at STEP_S). */
export function rangeQueries(f: QueryFilters = NO_FILTERS): Record<string, string> {
  return Object.fromEntries(
    STATES.map((state) => [`over time ${state.name}`, stateCountOverTimeQuery(s, state.value, f, RATE_INTERVAL)])
  );
}

/** Settings with the chart's dashboard rules present: the over-time and peak panels read the recorded series. */
const RULES = { ...s, recordingRules: true };

/** The rule forms (RULES) of the peak panels with filters `f`: instant at the fixture's end over its range. */
export function ruleInstantQueries(f: QueryFilters = NO_FILTERS): Record<string, string> {
  return {
    'rules: peak per user': peakConcurrentByUserQuery(RULES, f, RANGE),
    'rules: top users': topUsersQuery(RULES, f, 10, RANGE),
    'rules: peak distribution': peakDistributionQuery(RULES, f, RANGE),
  };
}

/** The rule forms (RULES) of the over-time panel with filters `f`, one per state, over the range at STEP_S. */
export function ruleRangeQueries(f: QueryFilters = NO_FILTERS): Record<string, string> {
  return Object.fromEntries(
    STATES.map((state) => [
      `rules: over time ${state.name}`,
      stateCountOverTimeQuery(RULES, state.value, f, RATE_INTERVAL),
    ])
  );
}

/**
 * An answer in a form engines can be compared in: each series' labels (less `dropLabels`, e.g. the external labels
 * Thanos adds) and values, sorted.
 */
export function normalized(data: PromData, dropLabels: readonly string[] = []): string[] {
  const rows = (data.result as Array<{ metric: Record<string, string>; value?: unknown; values?: unknown[] }>).map(
    (r) => {
      const labels = Object.entries(r.metric)
        .filter(([k]) => !dropLabels.includes(k))
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      const points = (r.values ?? [r.value]) as Array<[number, string]>;
      return `{${labels}} ${points.map(([t, v]) => `${t}:${Number(v)}`).join(' ')}`;
    }
  );
  return rows.sort();
}
