/**
 * What every page's queries share: the settings and filters they take, the Grafana variables they reference, and
 * the building blocks (the filtered gauge, each instance's state for the window's views; the operator's heartbeat is
 * in heartbeat.ts). The page modules beside this file build their PromQL from these; what each answer means:
 * docs/dashboard-semantics.md.
 *
 * - Label names come from the settings (the original HexaCTF operator spelled `challeng_id`) and are applied to
 *   all three metrics alike: whoever renamed a label (the old operator, or `exported_namespace` from a scrape
 *   without honor_labels) renamed it on every series the operator exports.
 * - Output labels are the configured label names, not rewritten with label_replace: the pages know the mapping
 *   (settings.labels), so a field is always `settings.labels.<role>`; only `category` (fixed name) is filled with
 *   "uncategorized" when a definition has none, so the label is always there.
 * - Instances are identified by the four labels. Everything is first reduced with `max by (<the four>)`, which drops
 *   target labels (instance, pod, job): an operator restart under a ServiceMonitor gives the same Challenge a new
 *   `pod`/`instance` label, and without the reduction the HexaCTF write-up's queries would count it twice for a
 *   whole window. Which sample wins is in lastStates: the series reported now (the newest state), not the highest.
 * - The cluster label (settings/clusterRole.ts) is in every `by`/`on` list too, so behind Thanos Query or
 *   VictoriaMetrics two clusters' instances with the same four labels stay two; a single Prometheus' series lack
 *   it, and the lists answer as without it.
 * - Grafana variables stay in the text (`$window`, `$__range`, `$__rate_interval`); scenes interpolate them.
 *   User-supplied values are escaped (promql-escape.ts) so they can neither break the query nor read as variables.
 */
import { ChallengeState, DEFAULT_LABELS, RECORDING_RULES, STATUS_METRIC } from '../metric/contract';
import { CLUSTER_FILTER, DEFAULT_CLUSTER_LABEL } from '../settings/clusterRole';
import { FILTER_ROLES, ROLES, type FilterRole } from '../settings/labelRoles';
import { isValidLabelName, isValidMetricName, type ResolvedSettings } from '../settings/settings';
import { labelMatcher } from './promql-escape';

/**
 * What the builders need from the settings. `recordingRules`: the Prometheus has the chart's dashboard recording
 * rules (operator/chart/files/rules.yaml, group hexactf-challenge-dashboard; detect with
 * metricPresenceQuery(STATE_COUNT_RULE)); the over-time and peak panels then read those instead of re-reading every
 * instance's samples at every step (bench/queries.bench.ts: tens of seconds for 6 h of 100,000 instances).
 */
export type QuerySettings = Pick<ResolvedSettings, 'metricName' | 'labels'> & {
  /** The cluster label (settings/clusterRole.ts); absent: DEFAULT_CLUSTER_LABEL (`cluster`). */
  clusterLabel?: string;
  recordingRules?: boolean;
  /**
   * Evaluation time (Unix seconds) of the window's instant queries: every selector and subquery gets `@ <at>`
   * (PromQL's @ modifier, Prometheus 2.33 and later). Set while the operator's last report within the page's range
   * is before the range's end (last known state); unset, the query is evaluated at the request's time.
   */
  at?: number;
};

/**
 * Recording rules of the chart (group hexactf-challenge-dashboard, written for the default label names): instances
 * per state (label `state`, "0".."3") per namespace and challenge id.
 */
export const STATE_COUNT_RULE = RECORDING_RULES.challengeStateCount;
/** Running instances per namespace and username. */
export const USER_RUNNING_RULE = RECORDING_RULES.userRunningInstances;
/** 1 while the operator reports, recorded in the same group as the counts (the rule forms' 0). */
export const REPORTING_RULE = RECORDING_RULES.operatorReporting;

/** What a page can filter on: the filter roles (settings/labelRoles.ts) and the cluster (settings/clusterRole.ts). */
export type FilterKey = FilterRole | typeof CLUSTER_FILTER;

/** Selected filter values per role and cluster; a missing or empty list means "all". */
export type QueryFilters = Readonly<Partial<Record<FilterKey, readonly string[]>>>;

/** The settings a label list or selector needs. */
export type LabelSettings = Pick<QuerySettings, 'labels' | 'clusterLabel'>;

/** The cluster label's name for these settings (the default when they name none). */
export const clusterLabelOf = (s: Pick<QuerySettings, 'clusterLabel'>): string =>
  s.clusterLabel ?? DEFAULT_CLUSTER_LABEL;

/** `<labels>, <cluster>`: a `by (...)` / `on (...)` list that keeps clusters apart. */
export const perCluster = (s: LabelSettings, ...labels: string[]): string => [...labels, clusterLabelOf(s)].join(', ');

export const NO_FILTERS: QueryFilters = Object.freeze({});

/**
 * Whether the rule forms can serve these settings: the chart's rules read the default metric and label names
 * (rules.yaml), so with any other name (challeng_id, exported_namespace, another metric) their series would not be
 * the instances the settings describe, and the raw form is used.
 */
export function rulesServe(s: QuerySettings): boolean {
  return (
    Boolean(s.recordingRules) &&
    s.metricName === STATUS_METRIC &&
    clusterLabelOf(s) === DEFAULT_CLUSTER_LABEL &&
    ROLES.every((role) => s.labels[role] === DEFAULT_LABELS[role])
  );
}

/** Whether a filter selects anything (an empty selection is "all"). */
export const filtered = (f: QueryFilters, role: FilterKey) => (f[role]?.length ?? 0) > 0;

/** Grafana variables the queries reference. */
export const WINDOW_VARIABLE = '$window';
export const RANGE_VARIABLE = '$__range';
export const RATE_INTERVAL_VARIABLE = '$__rate_interval';
/** The panel's interval: the range over its data points, never below the datasource's scrape interval. */
export const INTERVAL_VARIABLE = '$__interval';

// ---------------------------------------------------------------------------------------------------------------
// building blocks

export function checkSettings(s: QuerySettings): void {
  if (!isValidMetricName(s.metricName)) {
    throw new Error(`invalid metric name ${JSON.stringify(s.metricName)}`);
  }
  for (const name of [...Object.values(s.labels), clusterLabelOf(s)]) {
    if (!isValidLabelName(name)) {
      throw new Error(`invalid label name ${JSON.stringify(name)}`);
    }
  }
}

/** An instance's identity: the four labels and the cluster's, comma-separated (a `by (...)` / `on (...)` list). */
export function identity(s: LabelSettings): string {
  return perCluster(s, ...ROLES.map((role) => s.labels[role]));
}

/**
 * `{...}` for the filters; `only` restricts which role filters apply (metrics lacking a label skip its filter). The
 * cluster filter always applies: the cluster is an external label, on every series of its Prometheus.
 */
export function selector(
  s: LabelSettings,
  f: QueryFilters,
  only?: readonly FilterRole[],
  extra: string[] = []
): string {
  const matchers: string[] = [];
  for (const role of FILTER_ROLES) {
    if (only && !only.includes(role)) {
      continue;
    }
    const matcher = labelMatcher(s.labels[role], f[role] ?? []);
    if (matcher) {
      matchers.push(matcher);
    }
  }
  const cluster = labelMatcher(clusterLabelOf(s), f[CLUSTER_FILTER] ?? []);
  if (cluster) {
    matchers.push(cluster);
  }
  matchers.push(...extra);
  return matchers.length ? `{${matchers.join(', ')}}` : '';
}

/** ` @ <at>` when the settings fix an evaluation time, else nothing (checked: a finite number of seconds). */
export function atModifier(s: Pick<QuerySettings, 'at'>): string {
  if (s.at === undefined) {
    return '';
  }
  if (!Number.isFinite(s.at)) {
    throw new Error(`invalid evaluation time ${String(s.at)}`);
  }
  // Millisecond precision, as PromQL takes it; never an exponent.
  return ` @ ${Number(s.at.toFixed(3))}`;
}

/** An instant vector selector, at the settings' evaluation time. */
export const instantAt = (s: Pick<QuerySettings, 'at'>, sel: string) => `${sel}${atModifier(s)}`;
/** A range vector selector `<sel>[<range>]`, at the settings' evaluation time. */
export const rangeAt = (s: Pick<QuerySettings, 'at'>, sel: string, range: string) => `${sel}[${range}]${atModifier(s)}`;

/** The state gauge's selector, filtered (no evaluation time: see status, statusRange). */
export function statusSelector(s: QuerySettings, f: QueryFilters): string {
  checkSettings(s);
  return `${s.metricName}${selector(s, f)}`;
}

/** The state gauge, filtered, at the settings' evaluation time. */
export function status(s: QuerySettings, f: QueryFilters): string {
  return instantAt(s, statusSelector(s, f));
}

/** The state gauge over `range`, filtered, at the settings' evaluation time. */
export function statusRange(s: QuerySettings, f: QueryFilters, range: string): string {
  return rangeAt(s, statusSelector(s, f), range);
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
export function lastStates(s: QuerySettings, f: QueryFilters, window: string): string {
  const id = identity(s);
  // Per series before aggregating: a series whose last sample in the window is Deleted, whatever the instance's
  // other series (an old pod's Error that ended when the series identity changed) say.
  const deletedInWindow = `max by (${id}) (last_over_time(${statusRange(s, f, window)}) == ${ChallengeState.Deleted})`;
  return `(${currentStates(s, f)} or ${deletedInWindow})`;
}

/** States are codes 0 to STATE_BASE - 1: a sample's time and state packed in one number (see currentStates). */
const STATE_BASE = Math.max(...Object.values(ChallengeState).filter((v) => typeof v === 'number')) + 1;

/**
 * One sample per instance: its current state (Prometheus' lookback; a removed series is gone at once). When two
 * series of one instance are current at once (a leader handover: both pods export it for a scrape), the newest
 * sample wins: a state that existed, the latest one Prometheus saw, not the highest value (the highest of the
 * newest when two were scraped in the same millisecond).
 *
 * One pass, no join: each sample becomes `time in ms * STATE_BASE + state`, so the largest per instance is the newest
 * sample, and `% STATE_BASE` gives its state back (exact: ms times of this century times 4 stay below 2^53). The
 * form with a join on the newest timestamp (`S and timestamp(S) >= on (id) group_left () max by (id) (timestamp(S))`)
 * gives the same answers and reads the gauge three times: 3-12x slower at event scale (bench/queries.bench.ts).
 * Values outside the contract's codes are dropped, as no state matches them.
 */
export function currentStates(s: QuerySettings, f: QueryFilters): string {
  const id = identity(s);
  const m = status(s, f);
  const packed = `round(timestamp(${m}) * 1000) * ${STATE_BASE} + (${m} >= 0 < ${STATE_BASE})`;
  return `(max by (${id}) (${packed}) % ${STATE_BASE})`;
}

/**
 * Variable query (Grafana's `label_values`, not PromQL) for the options of a filter: values of that role's label on
 * the state gauge, narrowed by the *other* filters. The cluster's options: the gauge's cluster label values, narrowed
 * by no role filter (a cluster stays selectable whatever the other filters hold).
 */
export function labelValuesVariableQuery(s: QuerySettings, role: FilterKey, f: QueryFilters = NO_FILTERS): string {
  checkSettings(s);
  if (role === CLUSTER_FILTER) {
    return `label_values(${s.metricName}, ${clusterLabelOf(s)})`;
  }
  const others = FILTER_ROLES.filter((r) => r !== role);
  return `label_values(${s.metricName}${selector(s, f, others)}, ${s.labels[role]})`;
}

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

/** Checks a quantile for the histogram panels (Lifecycle, operator health). */
export function checkQuantile(q: number): void {
  if (!(q >= 0 && q <= 1)) {
    throw new Error(`invalid quantile ${q}`);
  }
}

/** `histogram_quantile(q, sum by (<by>, le) (<fn>(<metric>_bucket<sel>[<range>])))`. */
export function bucketQuantile(
  q: number,
  metric: string,
  sel: string,
  fn: 'rate' | 'increase',
  range: string,
  by: string[] = []
) {
  checkQuantile(q);
  return `histogram_quantile(${q}, sum by (${[...by, 'le'].join(', ')}) (${fn}(${metric}_bucket${sel}[${range}])))`;
}

export const namespaceOnly = (s: QuerySettings, f: QueryFilters) => {
  checkSettings(s);
  return selector(s, f, ['namespace']);
};
