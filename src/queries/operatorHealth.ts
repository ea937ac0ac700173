/**
 * The operator's health on the Lifecycle page: its own controller metrics. Per cluster (the cluster label): one
 * cluster's failing operator is never averaged away by a healthy one's; with a single Prometheus (no cluster label)
 * each query gives one series, as before. Of the filters only the cluster's applies (an organizer's namespace filter
 * does not narrow the operator's own work).
 */
import { CHALLENGE_CONTROLLER, CONTROLLER_LABEL, CONTROLLER_METRICS } from '../metric/contract';
import { CLUSTER_FILTER } from '../settings/clusterRole';
import {
  NO_FILTERS,
  RANGE_VARIABLE,
  RATE_INTERVAL_VARIABLE,
  bucketQuantile,
  checkSettings,
  clusterLabelOf,
  type QueryFilters,
  type QuerySettings,
} from './common';
import { heartbeatExprs, heartbeatSelectors, leaderStatusSelector, standbyExcluded } from './heartbeat';
import { labelMatcher } from './promql-escape';

/** `{<matcher>, <the cluster filter's matcher>}`: the cluster's value escaped (an external label is user-controlled). */
function controllerSelector(s: QuerySettings, f: QueryFilters, matcher: string): string {
  checkSettings(s);
  const cluster = labelMatcher(clusterLabelOf(s), f[CLUSTER_FILTER] ?? []);
  return `{${[matcher, ...(cluster ? [cluster] : [])].join(', ')}}`;
}

/** The Challenge controller's metrics. */
const controller = (s: QuerySettings, f: QueryFilters) =>
  controllerSelector(s, f, `${CONTROLLER_LABEL}="${CHALLENGE_CONTROLLER}"`);
/** The Challenge controller's work queue (controller-runtime names it after the controller). */
const queue = (s: QuerySettings, f: QueryFilters) => controllerSelector(s, f, `name="${CHALLENGE_CONTROLLER}"`);
/** The controller's heartbeat (its reconcile counter, of the replicas that are not standbys) in the clusters shown. */
const heartbeat = (s: QuerySettings, f: QueryFilters) => heartbeatExprs(s, f, (h) => h)[1];

/** Range: per cluster, the Challenge controller's reconciles per second by result (label `result`). */
export function reconcileRateQuery(
  s: QuerySettings,
  f: QueryFilters = NO_FILTERS,
  interval = RATE_INTERVAL_VARIABLE
): string {
  const by = `result, ${clusterLabelOf(s)}`;
  return `sum by (${by}) (rate(${CONTROLLER_METRICS.reconcileTotal}${controller(s, f)}[${interval}]))`;
}

/**
 * Range: per cluster, reconcile errors per second: 0 where there were none while that cluster's Challenge controller
 * reported (its reconcile counter has a sample), no sample where it did not.
 */
export function reconcileErrorRateQuery(
  s: QuerySettings,
  f: QueryFilters = NO_FILTERS,
  interval = RATE_INTERVAL_VARIABLE
): string {
  const cluster = clusterLabelOf(s);
  const errors = `sum by (${cluster}) (rate(${CONTROLLER_METRICS.reconcileErrors}${controller(s, f)}[${interval}]))`;
  return `${errors} or (0 * group by (${cluster}) (${heartbeat(s, f)}))`;
}

/**
 * Instant: per cluster, reconcile errors over the range; the page points at Triage when one is above 0. 0 only for a
 * cluster whose Challenge controller reported within the range; nothing (No data, not a green 0) when Prometheus
 * holds none of its metrics.
 */
export function reconcileErrorsInRangeQuery(
  s: QuerySettings,
  f: QueryFilters = NO_FILTERS,
  range = RANGE_VARIABLE
): string {
  const cluster = clusterLabelOf(s);
  // A replica that led at some time in the range (or takes no part in leader election).
  const led = standbyExcluded(
    `last_over_time(${heartbeatSelectors(s, f)[1]}[${range}])`,
    `max_over_time(${leaderStatusSelector(s, f)}[${range}])`
  );
  const reported = `group by (${cluster}) (${led})`;
  const errors = `sum by (${cluster}) (increase(${CONTROLLER_METRICS.reconcileErrors}${controller(s, f)}[${range}]))`;
  return `${errors} or (0 * ${reported})`;
}

/** Range: per cluster, the q-quantile of the time one reconcile takes. */
export function reconcileDurationQuantileQuery(
  s: QuerySettings,
  q: number,
  f: QueryFilters = NO_FILTERS,
  interval = RATE_INTERVAL_VARIABLE
): string {
  const by = [clusterLabelOf(s)];
  return bucketQuantile(q, CONTROLLER_METRICS.reconcileTime, controller(s, f), 'rate', interval, by);
}

/** Range: per cluster, Challenges waiting in the work queue (all replicas; only the leader's is ever above 0). */
export function workQueueDepthQuery(s: QuerySettings, f: QueryFilters = NO_FILTERS): string {
  return `sum by (${clusterLabelOf(s)}) (${CONTROLLER_METRICS.queueDepth}${queue(s, f)})`;
}

/** Range: per cluster, the q-quantile of how long a Challenge waits in the work queue before a worker takes it. */
export function workQueueWaitQuantileQuery(
  s: QuerySettings,
  q: number,
  f: QueryFilters = NO_FILTERS,
  interval = RATE_INTERVAL_VARIABLE
): string {
  const by = [clusterLabelOf(s)];
  return bucketQuantile(q, CONTROLLER_METRICS.queueDuration, queue(s, f), 'rate', interval, by);
}
