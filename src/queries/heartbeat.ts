/**
 * The operator's heartbeat (docs/dashboard-semantics.md, "What the pages know"): whether it reports at the
 * evaluation time, the 0 of a count while it does, and its last report within a range.
 */
import { CHALLENGE_CONTROLLER, CONTROLLER_LABEL, CONTROLLER_METRICS, REPLICA_OWN_LABELS } from '../metric/contract';
import { CLUSTER_FILTER } from '../settings/clusterRole';
import {
  NO_FILTERS,
  atModifier,
  checkSettings,
  clusterLabelOf,
  instantAt,
  type QueryFilters,
  type QuerySettings,
} from './common';
import { labelMatcher } from './promql-escape';

/**
 * The Challenge controller's reconcile counter: controller-runtime exports it (our operator and the original Go one),
 * whether or not any Challenge exists; a replica that no longer leads keeps exporting it (see standbyExcluded).
 */
export const CONTROLLER_HEARTBEAT = `${CONTROLLER_METRICS.reconcileTotal}{${CONTROLLER_LABEL}="${CHALLENGE_CONTROLLER}"}`;

/**
 * `<counter> unless <the standbys>`: of the Challenge controller's counter (`counter`, an expression keeping its
 * series' labels: the selector, timestamp() of it, ...) only the replicas that lead or take no part in leader
 * election. A replica that has led keeps its counter after it loses the Lease, with leader_election_master_status 0;
 * without this its counter would say "the operator reports" once the leader has died hard (SIGKILL, a lost node),
 * until the new leader's first scrape, and the counts would read an invented 0. A replica without the status series
 * (leader election off; the original operator, whose standbys export neither) counts. A replica's counter and status are paired by every
 * label but their own (REPLICA_OWN_LABELS): the target's labels, whatever the scrape config adds (job, instance, pod,
 * namespace; a static config's), and the cluster's external label. `standby`: the status as the counter is read (the
 * selector at the same evaluation time, or over the same range).
 */
export function standbyExcluded(counter: string, standby: string): string {
  return `(${counter} unless ignoring (${REPLICA_OWN_LABELS.join(', ')}) (${standby} == 0))`;
}

/** leader_election_master_status in the clusters shown (`f`: only its cluster filter applies). */
export function leaderStatusSelector(s: QuerySettings, f: QueryFilters = NO_FILTERS): string {
  checkSettings(s);
  const cluster = labelMatcher(clusterLabelOf(s), f[CLUSTER_FILTER] ?? []);
  return cluster ? `${CONTROLLER_METRICS.leaderStatus}{${cluster}}` : CONTROLLER_METRICS.leaderStatus;
}

/**
 * The heartbeat's expressions (the state gauge; the controller's counter of the replicas that lead, standbyExcluded),
 * each selector passed through `read` (the evaluation time, timestamp(), ...) and the leader status through
 * `readStatus` (the selector as the counter is read: `read` unless it changes the labels or values).
 */
export function heartbeatExprs(
  s: QuerySettings,
  f: QueryFilters,
  read: (sel: string) => string,
  readStatus: (sel: string) => string = read
): [gauge: string, controller: string] {
  const [gauge, controller] = heartbeatSelectors(s, f);
  return [read(gauge), standbyExcluded(read(controller), readStatus(leaderStatusSelector(s, f)))];
}

/**
 * The selectors of the operator's heartbeat (docs/dashboard-semantics.md, "What the pages know"): the operator
 * reports at t when Prometheus has a sample of one of them at t (Prometheus' lookback; a failed scrape's staleness
 * markers end it at once), the controller's counter from a replica that is not a standby (heartbeatExprs; the state
 * gauge only the leader exports). Of the filters only the cluster's applies (`f`): an organizer's namespace, user or
 * challenge filter does not make the operator silent, but the operator of a cluster not shown is not this page's.
 * The scrape job is not involved: renaming it (static config to ServiceMonitor) changes nothing.
 */
export function heartbeatSelectors(s: QuerySettings, f: QueryFilters = NO_FILTERS): string[] {
  checkSettings(s);
  const cluster = labelMatcher(clusterLabelOf(s), f[CLUSTER_FILTER] ?? []);
  if (!cluster) {
    return [s.metricName, CONTROLLER_HEARTBEAT];
  }
  return [`${s.metricName}{${cluster}}`, `${CONTROLLER_HEARTBEAT.slice(0, -1)}, ${cluster}}`];
}

/**
 * One unlabelled sample, 1, when the operator of some cluster shown reports at the evaluation time (at the settings'
 * `at`); else nothing.
 */
export function reportingQuery(s: QuerySettings, f: QueryFilters = NO_FILTERS): string {
  return `group(${heartbeatExprs(s, f, (h) => instantAt(s, h)).join(' or ')})`;
}

/**
 * Per cluster (the cluster label), 1 for each cluster whose operator reports at the evaluation time. One unlabelled
 * sample with a single Prometheus (no cluster label).
 */
export function clusterReportingQuery(s: QuerySettings, f: QueryFilters = NO_FILTERS): string {
  return `group by (${clusterLabelOf(s)}) (${heartbeatExprs(s, f, (h) => instantAt(s, h)).join(' or ')})`;
}

/**
 * The 0 of a count: one unlabelled 0 when the operator reports at the evaluation time, nothing otherwise. Counts use
 * `<count> or <this>` instead of `or vector(0)`, so "nothing known" (no data, a scrape gap, an operator that has
 * stopped) is no answer, and only "the operator reports and nothing is in that state" is 0.
 */
export function zeroWhileReporting(s: QuerySettings, f: QueryFilters = NO_FILTERS): string {
  return `(0 * ${reportingQuery(s, f)})`;
}

/**
 * The subquery step of lastReportQuery for a range of `rangeSeconds`: about 200 steps, at least 15 s, at most 1 m
 * below Prometheus' default lookback (5 m) so every sample is seen by some step.
 */
export function lastReportStep(rangeSeconds: number): number {
  return Math.min(240, Math.max(15, Math.ceil(rangeSeconds / 200 / 15) * 15));
}

/** Which heartbeat selectors a last-report query reads (see lastReportQuery). */
export type HeartbeatSource = 'controller' | 'gauge' | 'both';

/**
 * The operator's last report within the `rangeSeconds` before the evaluation time: Unix seconds of the heartbeat's
 * last sample (its own time, not a subquery step's: timestamp() of a selector gives each sample's time). One
 * unlabelled sample, or nothing when Prometheus holds nothing from the operator in the range. Nothing after the
 * evaluation time counts. Exact to the scrape, except for a report after the last subquery step when the series
 * ended (a staleness marker) before the range's end: then it is the report before it, at most one step earlier.
 *
 * `source`: the heartbeat's selectors it reads. The gauge has a series per Challenge, so reading its samples at
 * every step costs seconds for large events (bench/queries.bench.ts); the controller's counter has a handful. The
 * page-level check (src/data/operatorKnowledge.ts) asks the controller's first and the gauge's only when the
 * controller's has nothing in the range (a Prometheus that drops controller-runtime's metrics).
 */
export function lastReportQuery(
  s: QuerySettings,
  rangeSeconds: number,
  source: HeartbeatSource = 'both',
  f: QueryFilters = NO_FILTERS
): string {
  return `max(${lastReportStamps(s, rangeSeconds, source, f)})`;
}

/**
 * Per cluster (the cluster label), the last report of its operator within the range, as lastReportQuery: one sample
 * per cluster Prometheus holds anything from in the range (one unlabelled sample with a single Prometheus).
 */
export function clusterLastReportQuery(
  s: QuerySettings,
  rangeSeconds: number,
  source: HeartbeatSource = 'both',
  f: QueryFilters = NO_FILTERS
): string {
  return `max by (${clusterLabelOf(s)}) (${lastReportStamps(s, rangeSeconds, source, f)})`;
}

/**
 * The clusters (of those the filter shows) whose operator reported within the range but does not at its end, each
 * valued with its last report (Unix seconds). The page is live while another cluster reports; these get their own
 * banner line. Nothing with a single Prometheus (its one unlabelled report is removed by its one unlabelled reporting
 * sample, or the page is not live).
 */
export function stoppedClustersQuery(s: QuerySettings, rangeSeconds: number, f: QueryFilters = NO_FILTERS): string {
  const cluster = clusterLabelOf(s);
  return `${clusterLastReports(s, rangeSeconds, f)} unless on (${cluster}) ${clusterReportingQuery(s, f)}`;
}

/**
 * Per cluster, its operator's last report within the range: at each step the controller's counter where the cluster
 * has it, else the state gauge (a Prometheus that drops controller-runtime's metrics still gets its clusters' lines,
 * as the page-level check falls back to the gauge). Each selector is aggregated per cluster inside the subquery, so
 * its steps hold a series or two per cluster, not the gauge's series per Challenge; the gauge's samples are still
 * read at every step (bench/queries.bench.ts measures that read for lastReportQuery).
 */
function clusterLastReports(s: QuerySettings, rangeSeconds: number, f: QueryFilters): string {
  const step = checkedStep(rangeSeconds);
  const [gauge, controller] = heartbeatStamps(s, f);
  const perCluster = (h: string) => `max by (${clusterLabelOf(s)}) (${h})`;
  return `max_over_time((${perCluster(controller)} or ${perCluster(gauge)})[${rangeSeconds}s:${step}s]${atModifier(s)})`;
}

/**
 * timestamp() of the heartbeat's selectors themselves (each sample's own time: timestamp() of any other expression
 * gives the evaluation time), the standbys' counters removed after it.
 */
function heartbeatStamps(s: QuerySettings, f: QueryFilters): [gauge: string, controller: string] {
  return heartbeatExprs(
    s,
    f,
    (h) => `timestamp(${h})`,
    (h) => h
  );
}

/** lastReportStep of a valid range (a whole number of seconds above 0). */
function checkedStep(rangeSeconds: number): number {
  if (!(Number.isInteger(rangeSeconds) && rangeSeconds > 0)) {
    throw new Error(`invalid range ${rangeSeconds}`);
  }
  return lastReportStep(rangeSeconds);
}

/** The heartbeat's sample times over the range, per series (lastReportQuery aggregates them). */
function lastReportStamps(s: QuerySettings, rangeSeconds: number, source: HeartbeatSource, f: QueryFilters): string {
  const step = checkedStep(rangeSeconds);
  const [gauge, controller] = heartbeatStamps(s, f);
  const selectors = source === 'controller' ? [controller] : source === 'gauge' ? [gauge] : [gauge, controller];
  // The selectors inside the subquery follow its steps; only the subquery as a whole takes the evaluation time.
  const stamps = selectors.join(' or ');
  return `max_over_time((${stamps})[${rangeSeconds}s:${step}s]${atModifier(s)})`;
}
