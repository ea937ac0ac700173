/** The operator's health on the Lifecycle page: its own controller metrics, which take no filter. */
import { CHALLENGE_CONTROLLER, CONTROLLER_LABEL, CONTROLLER_METRICS } from '../metric/contract';
import { RANGE_VARIABLE, RATE_INTERVAL_VARIABLE, bucketQuantile } from './common';
import { CONTROLLER_HEARTBEAT } from './heartbeat';

const CONTROLLER = `{${CONTROLLER_LABEL}="${CHALLENGE_CONTROLLER}"}`;
/** The Challenge controller's work queue (controller-runtime names it after the controller). */
const QUEUE = `{name="${CHALLENGE_CONTROLLER}"}`;

/** Range: the Challenge controller's reconciles per second by result (label `result`: success, error, requeue...). */
export function reconcileRateQuery(interval = RATE_INTERVAL_VARIABLE): string {
  return `sum by (result) (rate(${CONTROLLER_METRICS.reconcileTotal}${CONTROLLER}[${interval}]))`;
}

/**
 * Range: reconcile errors per second: 0 where there were none while the Challenge controller reported (its reconcile
 * counter has a sample), no sample where it did not.
 */
export function reconcileErrorRateQuery(interval = RATE_INTERVAL_VARIABLE): string {
  return `sum(rate(${CONTROLLER_METRICS.reconcileErrors}${CONTROLLER}[${interval}])) or (0 * group(${CONTROLLER_HEARTBEAT}))`;
}

/**
 * Instant: reconcile errors over the range; the page points at Triage when it is above 0. 0 only when the Challenge
 * controller reported within the range; nothing (No data, not a green 0) when Prometheus holds none of its metrics.
 */
export function reconcileErrorsInRangeQuery(range = RANGE_VARIABLE): string {
  const reported = `group(last_over_time(${CONTROLLER_HEARTBEAT}[${range}]))`;
  return `sum(increase(${CONTROLLER_METRICS.reconcileErrors}${CONTROLLER}[${range}])) or (0 * ${reported})`;
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
