/**
 * Every PromQL the app emits, as pure functions of (settings, filters, variable text). What each answer means:
 * docs/dashboard-semantics.md.
 *
 * - Label names come from the settings (the seed's original operator spelled `challeng_id`) and are applied to all
 *   three metrics alike: whoever renamed a label (the old operator, or `exported_namespace` from a scrape without
 *   honor_labels) renamed it on every series the operator exports.
 * - Output labels are the configured label names, not rewritten with label_replace: the pages know the mapping
 *   (settings.labels), so a field is always `settings.labels.<role>`; only `category` (fixed name) is filled with
 *   "uncategorized" when a definition has none, so the label is always there.
 * - Instances are identified by the four labels. Everything is first reduced with `max by (<the four>)`, which drops
 *   target labels (instance, pod, job): an operator restart under a ServiceMonitor gives the same Challenge a new
 *   `pod`/`instance` label, and without the reduction the seed's queries would count it twice for a whole window.
 *   Which sample wins is in lastStates: the series reported now (the newest state), not the highest value.
 * - Grafana variables stay in the text (`$window`, `$__range`, `$__rate_interval`); scenes interpolate them.
 *   User-supplied values are escaped (promql-escape.ts) so they can neither break the query nor read as variables.
 */
import {
  CATEGORY_LABEL,
  ChallengeState,
  DEFAULT_LABELS,
  DEFAULT_STUCK_DELETION_AFTER,
  DEFINITION_LABEL,
  INFO_METRIC,
  LEGACY_CHALLENGE_ID_LABEL,
  RECORDING_RULES,
  REQUESTS_METRIC,
  RESOURCE_LABEL,
  STATE_RULE_LABEL,
  STATUS_METRIC,
  UNCATEGORIZED,
  type LabelNames,
  type RequestResource,
} from '../metric/contract';
import {
  CHALLENGE_CONTROLLER,
  CONTROLLER_LABEL,
  CONTROLLER_METRICS,
  LIFETIME_METRIC,
  NO_STATE,
  TIME_TO_RUNNING_METRIC,
  TRANSITIONS_METRIC,
} from '@hexactf/contract';
import { FILTER_ROLES, ROLES, type FilterRole } from '../settings/labelRoles';
import { isValidLabelName, isValidMetricName, type ResolvedSettings } from '../settings/settings';
import { labelMatcher, quoteString } from './promql-escape';

/**
 * What the builders need from the settings. `recordingRules`: the Prometheus has the chart's dashboard recording
 * rules (operator/chart/files/rules.yaml, group hexactf-challenge-dashboard; detect with
 * metricPresenceQuery(STATE_COUNT_RULE)); the over-time and peak panels then read those instead of re-reading every
 * instance's samples at every step (bench/queries.bench.ts: tens of seconds for 6 h of 100,000 instances).
 */
export type QuerySettings = Pick<ResolvedSettings, 'metricName' | 'labels'> & { recordingRules?: boolean };

/**
 * Recording rules of the chart (group hexactf-challenge-dashboard, written for the default label names): instances
 * per state (label `state`, "0".."3") per namespace and challenge id.
 */
export const STATE_COUNT_RULE = RECORDING_RULES.challengeStateCount;
/** Running instances per namespace and username. */
export const USER_RUNNING_RULE = RECORDING_RULES.userRunningInstances;

/** Selected filter values per role (settings/labelRoles.ts); a missing or empty list means "all". */
export type QueryFilters = Readonly<Partial<Record<FilterRole, readonly string[]>>>;

export const NO_FILTERS: QueryFilters = Object.freeze({});

/**
 * Whether the rule forms can serve these settings: the chart's rules read the default metric and label names
 * (rules.yaml), so with any other name (challeng_id, exported_namespace, another metric) their series would not be
 * the instances the settings describe, and the raw form is used.
 */
function rulesServe(s: QuerySettings): boolean {
  return (
    Boolean(s.recordingRules) &&
    s.metricName === STATUS_METRIC &&
    ROLES.every((role) => s.labels[role] === DEFAULT_LABELS[role])
  );
}

/** Whether a filter selects anything (an empty selection is "all"). */
const filtered = (f: QueryFilters, role: FilterRole) => (f[role]?.length ?? 0) > 0;

/** Grafana variables the queries reference. */
export const WINDOW_VARIABLE = '$window';
export const RANGE_VARIABLE = '$__range';
export const RATE_INTERVAL_VARIABLE = '$__rate_interval';

/** Output label of peakDistributionQuery: the peak number of concurrent instances (value: how many users had it). */
export const PEAK_LABEL = 'instances';
/** Default number of users topUsersQuery returns. */
export const TOP_USERS = 10;

// ---------------------------------------------------------------------------------------------------------------
// building blocks

function checkSettings(s: QuerySettings): void {
  if (!isValidMetricName(s.metricName)) {
    throw new Error(`invalid metric name ${JSON.stringify(s.metricName)}`);
  }
  for (const name of Object.values(s.labels)) {
    if (!isValidLabelName(name)) {
      throw new Error(`invalid label name ${JSON.stringify(name)}`);
    }
  }
}

/** The four identity labels, comma-separated (a `by (...)` / `on (...)` list). */
function identity(labels: LabelNames): string {
  return ROLES.map((role) => labels[role]).join(', ');
}

/** `{...}` for the filters; `only` restricts which filters apply (metrics lacking a label skip its filter). */
function selector(labels: LabelNames, f: QueryFilters, only?: readonly FilterRole[], extra: string[] = []): string {
  const matchers: string[] = [];
  for (const role of FILTER_ROLES) {
    if (only && !only.includes(role)) {
      continue;
    }
    const matcher = labelMatcher(labels[role], f[role] ?? []);
    if (matcher) {
      matchers.push(matcher);
    }
  }
  matchers.push(...extra);
  return matchers.length ? `{${matchers.join(', ')}}` : '';
}

/** The state gauge, filtered. */
function status(s: QuerySettings, f: QueryFilters): string {
  checkSettings(s);
  return `${s.metricName}${selector(s.labels, f)}`;
}

/**
 * One sample per instance, the state it is in for the window's views (docs/dashboard-semantics.md):
 * - an instance the operator reports now: its current state. Only the series that still has samples counts, so
 *   after a restart under a new target label the old series (ended by a staleness marker) cannot win: the newest
 *   state, not the highest;
 * - an instance whose last state within the window is Deleted: Deleted (a finished deletion stays visible for the
 *   window after the operator removed its series);
 * - an instance whose series is gone without a Deleted: nothing. It is not Running any more (a finalizer removed by
 *   hand, a lost tombstone); while the operator itself is not reporting, the pages evaluate at its last report.
 */
function lastStates(s: QuerySettings, f: QueryFilters, window: string): string {
  const id = identity(s.labels);
  const deletedInWindow = `max by (${id}) (last_over_time(${status(s, f)}[${window}])) == ${ChallengeState.Deleted}`;
  return `(${currentStates(s, f)} or ${deletedInWindow})`;
}

/** One sample per instance: its current state (Prometheus' lookback; a removed series is gone at once). */
function currentStates(s: QuerySettings, f: QueryFilters): string {
  return `max by (${identity(s.labels)}) (${status(s, f)})`;
}

/**
 * Instances whose last state in the window is Running, valued 1, with `definition` and `category` from
 * challenge_info (category "uncategorized" where empty). Read at the evaluation time, not over the window: an
 * instance's last state is Running only while the operator reports it (lastStates), and the operator exports its
 * challenge_info for just as long. Reading both over the window instead (6 h of 100,000 instances) took 1.5-3.2 s.
 */
function runningWithInfo(s: QuerySettings, f: QueryFilters): string {
  const id = identity(s.labels);
  const info = `max by (${id}, ${DEFINITION_LABEL}, ${CATEGORY_LABEL}) (${INFO_METRIC}${selector(s.labels, f)})`;
  const categorized = `label_replace(${info}, "${CATEGORY_LABEL}", "${UNCATEGORIZED}", "${CATEGORY_LABEL}", "")`;
  return `(${categorized} and on (${id}) (${currentStates(s, f)} == ${ChallengeState.Running}))`;
}

/**
 * Requests of one instance of each definition for one resource, as exported at the evaluation time (the operator
 * exports them while the definition exists): one sample per (namespace, definition). Not over the window: any range
 * selector widens what Prometheus reads for the whole query, so the instant reads of runningWithInfo then went
 * through every block of the window (6 h of 100,000 instances: about twice the time, bench/queries.bench.ts).
 */
function definitionRequests(s: QuerySettings, resource: RequestResource, f: QueryFilters): string {
  const ns = s.labels.namespace;
  const sel = selector(s.labels, f, ['namespace'], [`${RESOURCE_LABEL}=${quoteString(resource)}`]);
  return `max by (${ns}, ${DEFINITION_LABEL}) (${REQUESTS_METRIC}${sel})`;
}

/** Requested resource of every Running instance, labelled like runningWithInfo. */
function runningRequests(s: QuerySettings, resource: RequestResource, f: QueryFilters): string {
  const on = `${s.labels.namespace}, ${DEFINITION_LABEL}`;
  return `(${runningWithInfo(s, f)} * on (${on}) group_left () ${definitionRequests(s, resource, f)})`;
}

// ---------------------------------------------------------------------------------------------------------------
// Overview

/**
 * Instances whose last state in the window is `state` (the seed's stat panels). One unlabelled sample, 0 when there
 * are none (never "No data").
 */
export function stateCountQuery(
  s: QuerySettings,
  state: ChallengeState,
  f: QueryFilters = NO_FILTERS,
  window = WINDOW_VARIABLE
): string {
  return `count(${lastStates(s, f, window)} == ${state}) or vector(0)`;
}

/**
 * Range query: instances in `state` at each step (last state within `$__rate_interval`, so a state shorter than the
 * step, like a 60 s Deleted, still shows). One unlabelled series, 0 where there are none.
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
    const sel = selector(
      s.labels,
      f,
      ['namespace', 'challengeId'],
      [`${STATE_RULE_LABEL}=${quoteString(String(state))}`]
    );
    return `sum(last_over_time(${STATE_COUNT_RULE}${sel}[${interval}])) or vector(0)`;
  }
  return `count(${lastStates(s, f, interval)} == ${state}) or vector(0)`;
}

/**
 * Per challenge id: instances whose last state in the window is `state` (the seed's per-challenge Running / Error
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
  return `sum by (${s.labels.challengeId}) (${lastStates(s, f, window)} == bool ${state})`;
}

// ---------------------------------------------------------------------------------------------------------------
// Users x Challenges

/**
 * The matrix source (instant, table format): each instance's state in the window's views, labelled with the four
 * labels and its column (MATRIX_COLUMN_LABEL). The transforms pivot it into users x challenges.
 */
export function matrixQuery(
  s: QuerySettings,
  f: QueryFilters = NO_FILTERS,
  window = WINDOW_VARIABLE,
  severalNamespaces = false
): string {
  const { challengeId, namespace } = s.labels;
  const column = severalNamespaces
    ? `"${MATRIX_COLUMN_SEPARATOR}", "${challengeId}", "${namespace}"`
    : `"", "${challengeId}"`;
  return `label_join(${lastStates(s, f, window)}, "${MATRIX_COLUMN_LABEL}", ${column})`;
}

/**
 * Label the matrix query adds to name its columns: the challenge id, or `<challenge id> @ <namespace>` when several
 * namespaces are shown, so each cell is one (namespace, user, challenge).
 */
export const MATRIX_COLUMN_LABEL = 'hexactf_matrix_column';
const MATRIX_COLUMN_SEPARATOR = ' @ ';

/** The labels the matrix transforms pivot on: a row per user, a column per MATRIX_COLUMN_LABEL. */
export const matrixPivotLabels = (labels: LabelNames) => ({
  username: labels.username,
  challengeId: MATRIX_COLUMN_LABEL,
});

/** One user's instances (the per-user view): the matrix query restricted to that user. */
export function userInstancesQuery(
  s: QuerySettings,
  user: string,
  f: QueryFilters = NO_FILTERS,
  window = WINDOW_VARIABLE
): string {
  return lastStates(s, { ...f, username: [user] }, window);
}

/**
 * Variable query (Grafana's `label_values`, not PromQL) for the options of a filter: values of that role's label on
 * the state gauge, narrowed by the *other* filters.
 */
export function labelValuesVariableQuery(s: QuerySettings, role: FilterRole, f: QueryFilters = NO_FILTERS): string {
  checkSettings(s);
  const others = FILTER_ROLES.filter((r) => r !== role);
  return `label_values(${s.metricName}${selector(s.labels, f, others)}, ${s.labels[role]})`;
}

// ---------------------------------------------------------------------------------------------------------------
// Usage: question 1 (how many servers does one person keep at once?)

/**
 * Per user: the peak number of instances Running at the same time over the dashboard range (instant query at the
 * range's end; subquery at Prometheus' evaluation interval). Label: username.
 */
export function peakConcurrentByUserQuery(
  s: QuerySettings,
  f: QueryFilters = NO_FILTERS,
  range = RANGE_VARIABLE
): string {
  const user = s.labels.username;
  // The rule counts per namespace and user: a challenge filter needs the raw form. Across namespaces the rule form
  // takes the highest per-namespace peak (the same when each user plays in one namespace).
  if (rulesServe(s) && !filtered(f, 'challengeId')) {
    checkSettings(s);
    return `max by (${user}) (max_over_time(${USER_RUNNING_RULE}${selector(s.labels, f, ['namespace', 'username'])}[${range}]))`;
  }
  return `max_over_time((count by (${user}) (${currentStates(s, f)} == ${ChallengeState.Running}))[${range}:])`;
}

/** The `limit` users with the highest peak. */
export function topUsersQuery(
  s: QuerySettings,
  f: QueryFilters = NO_FILTERS,
  limit = TOP_USERS,
  range = RANGE_VARIABLE
): string {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new Error(`invalid limit ${limit}`);
  }
  return `topk(${limit}, ${peakConcurrentByUserQuery(s, f, range)})`;
}

/** Distribution of the peak: one sample per peak value (label PEAK_LABEL), valued with the number of users. */
export function peakDistributionQuery(s: QuerySettings, f: QueryFilters = NO_FILTERS, range = RANGE_VARIABLE): string {
  return `count_values("${PEAK_LABEL}", ${peakConcurrentByUserQuery(s, f, range)})`;
}

// ---------------------------------------------------------------------------------------------------------------
// Usage: question 2 (which categories use what?); needs challenge_info / challenge_definition_requests

/**
 * 1 when `metric` has any series within the window, else 0 (one unlabelled sample either way). The Usage page asks
 * it of challenge_info and challenge_definition_requests, which only the new operator exports, to say so instead of
 * showing empty panels.
 */
export function metricPresenceQuery(metric: string, window = WINDOW_VARIABLE): string {
  if (!isValidMetricName(metric)) {
    throw new Error(`invalid metric name ${JSON.stringify(metric)}`);
  }
  return `(count(last_over_time(${metric}[${window}])) > bool 0) or vector(0)`;
}

/** Running instances per category (label `category`). */
export function instancesByCategoryQuery(s: QuerySettings, f: QueryFilters = NO_FILTERS): string {
  return `count by (${CATEGORY_LABEL}) ${runningWithInfo(s, f)}`;
}

/** Each category's share (0..1) of the Running instances (label `category`). */
export function categoryShareQuery(s: QuerySettings, f: QueryFilters = NO_FILTERS): string {
  const running = runningWithInfo(s, f);
  return `count by (${CATEGORY_LABEL}) ${running} / scalar(count ${running})`;
}

/** Requested CPU cores or memory bytes of the Running instances, per challenge id (label: challengeId). */
export function requestsByChallengeQuery(s: QuerySettings, resource: RequestResource, f: QueryFilters = NO_FILTERS): string {
  return `sum by (${s.labels.challengeId}) ${runningRequests(s, resource, f)}`;
}

/** Requested CPU cores or memory bytes of the Running instances, per category (label `category`). */
export function requestsByCategoryQuery(s: QuerySettings, resource: RequestResource, f: QueryFilters = NO_FILTERS): string {
  return `sum by (${CATEGORY_LABEL}) ${runningRequests(s, resource, f)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Operator status (every page)

/**
 * 1 when the state gauge has series with the original HexaCTF operator's label spelling (`challeng_id`) within the
 * window, else 0. With metricPresenceQuery(INFO_METRIC) absent, the exporter looks like the original operator.
 */
export function legacyLabelPresenceQuery(s: QuerySettings, window = WINDOW_VARIABLE): string {
  checkSettings(s);
  const selector = `${s.metricName}{${LEGACY_CHALLENGE_ID_LABEL}!=""}`;
  return `(count(last_over_time(${selector}[${window}])) > bool 0) or vector(0)`;
}

/** How far back the pages look for an operator that stopped reporting (how long they keep saying so). */
export const OPERATOR_LOOKBACK = '1d';
/** Target label that ties the gauge's series to the scrape target's `up` series. */
export const JOB_LABEL = 'job';

/**
 * The operator's targets that are not reporting: each job that exported the state gauge within `lookback` and has
 * no target up now (down, or gone from service discovery), valued with the last time one of its targets was up
 * (Unix seconds, at the subquery's 1 m resolution). Empty while the operator reports. Label: job.
 */
export function operatorSilenceQuery(s: QuerySettings, lookback = OPERATOR_LOOKBACK): string {
  checkSettings(s);
  if (!/^[0-9]+[smhdwy]$/.test(lookback)) {
    throw new Error(`invalid duration ${JSON.stringify(lookback)}`);
  }
  const lastUp = `max by (${JOB_LABEL}) (max_over_time(timestamp(up == 1)[${lookback}:1m]))`;
  const exportedGauge = `group by (${JOB_LABEL}) (last_over_time(${s.metricName}[${lookback}]))`;
  return `${lastUp} unless on (${JOB_LABEL}) (up == 1) and on (${JOB_LABEL}) ${exportedGauge}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Triage

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
  const id = identity(s.labels);
  const m = status(s, f);
  const deleted = ChallengeState.Deleted;
  const samples = (selector: string) => `sum by (${id}, ${JOB_LABEL}) (count_over_time(${selector}[${olderThan}]))`;
  // The fullest instance of each job, over the whole gauge: a filter must not make a partial one the measure.
  const scrapes = `max by (${JOB_LABEL}) (${samples(s.metricName)})`;
  return [
    `(${currentStates(s, f)} == ${deleted})`,
    `(min by (${id}) (min_over_time(${m}[${olderThan}])) == ${deleted})`,
    `(max by (${id}) (max_over_time(${m}[${olderThan}])) == ${deleted})`,
    `(${samples(m)} >= on (${JOB_LABEL}) group_left () ${scrapes})`,
  ].join(` and on (${id}) `);
}

// ---------------------------------------------------------------------------------------------------------------
// Lifecycle: how long players wait, how long they keep an instance, how often instances fail, operator health.
// The lifecycle metrics carry `namespace` (the Challenge's) and `definition` only, so only the namespace filter
// applies; the controller metrics are the operator's own and take no filter.

/** The quantiles the Lifecycle page shows. */
export const LIFECYCLE_QUANTILES = [0.5, 0.9, 0.99] as const;

function checkQuantile(q: number): void {
  if (!(q >= 0 && q <= 1)) {
    throw new Error(`invalid quantile ${q}`);
  }
}

/** `histogram_quantile(q, sum by (<by>, le) (<fn>(<metric>_bucket<sel>[<range>])))`. */
function bucketQuantile(q: number, metric: string, sel: string, fn: 'rate' | 'increase', range: string, by: string[] = []) {
  checkQuantile(q);
  return `histogram_quantile(${q}, sum by (${[...by, 'le'].join(', ')}) (${fn}(${metric}_bucket${sel}[${range}])))`;
}

const namespaceOnly = (s: QuerySettings, f: QueryFilters) => {
  checkSettings(s);
  return selector(s.labels, f, ['namespace']);
};

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
  return bucketQuantile(q, TIME_TO_RUNNING_METRIC, namespaceOnly(s, f), 'increase', range, [DEFINITION_LABEL]);
}

/** Instant: the q-quantile of the lifetime (creation to the end of cleanup) of the instances that ended in the range. */
export function lifetimeQuantileQuery(s: QuerySettings, q: number, f: QueryFilters = NO_FILTERS, range = RANGE_VARIABLE) {
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
  failed: { metric: TRANSITIONS_METRIC, matcher: 'to="Error"' },
  deleted: { metric: `${LIFETIME_METRIC}_count` },
});

/** Range: instances opened / failed / deleted per minute (one unlabelled series, 0 where there were none). */
export function transitionsPerMinuteQuery(
  s: QuerySettings,
  kind: TransitionKind,
  f: QueryFilters = NO_FILTERS,
  interval = RATE_INTERVAL_VARIABLE
): string {
  checkSettings(s);
  const { metric, matcher } = KIND_SOURCE[kind];
  const sel = selector(s.labels, f, ['namespace'], matcher ? [matcher] : []);
  return `sum(rate(${metric}${sel}[${interval}])) * 60 or vector(0)`;
}

const CONTROLLER = `{${CONTROLLER_LABEL}="${CHALLENGE_CONTROLLER}"}`;
/** The Challenge controller's work queue (controller-runtime names it after the controller). */
const QUEUE = `{name="${CHALLENGE_CONTROLLER}"}`;

/** Range: the Challenge controller's reconciles per second by result (label `result`: success, error, requeue...). */
export function reconcileRateQuery(interval = RATE_INTERVAL_VARIABLE): string {
  return `sum by (result) (rate(${CONTROLLER_METRICS.reconcileTotal}${CONTROLLER}[${interval}]))`;
}

/** Range: reconcile errors per second (0 where there were none). */
export function reconcileErrorRateQuery(interval = RATE_INTERVAL_VARIABLE): string {
  return `sum(rate(${CONTROLLER_METRICS.reconcileErrors}${CONTROLLER}[${interval}])) or vector(0)`;
}

/** Instant: reconcile errors over the range; the page points at Triage when it is above 0. */
export function reconcileErrorsInRangeQuery(range = RANGE_VARIABLE): string {
  return `sum(increase(${CONTROLLER_METRICS.reconcileErrors}${CONTROLLER}[${range}])) or vector(0)`;
}

/** Range: the q-quantile of the time one reconcile takes. */
export function reconcileDurationQuantileQuery(q: number, interval = RATE_INTERVAL_VARIABLE): string {
  return bucketQuantile(q, CONTROLLER_METRICS.reconcileTime, CONTROLLER, 'rate', interval);
}

/** Range: Challenges waiting in the work queue (all replicas; only the leader's is ever above 0). */
export function workQueueDepthQuery(): string {
  return `sum(${CONTROLLER_METRICS.queueDepth}${QUEUE})`;
}

/** Range: the q-quantile of how long a Challenge waits in the work queue before a worker takes it. */
export function workQueueWaitQuantileQuery(q: number, interval = RATE_INTERVAL_VARIABLE): string {
  return bucketQuantile(q, CONTROLLER_METRICS.queueDuration, QUEUE, 'rate', interval);
}
