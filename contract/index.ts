// The metric contract between the Challenge operator and the Grafana app: the names of what the operator exports,
// its label names by role, the state codes and the chart's recording rule names. The operator writes these, the
// chart's rules (operator/chart/files/rules.yaml) and the app read them, the tests and benches generate them.
// This file is the one place their names and codes are written; everything else imports them from here. What they
// mean: docs/metric-contract.md.
//
// Dependency-free and erasable-only TypeScript (no enums, no namespaces): Node 24 runs it by stripping the types,
// in the operator's dev runs and in its image, and webpack, jest and ts-node compile it like the app's own code.

// ---------------------------------------------------------------------------------------------------------------
// Challenge series

/** One gauge series per Challenge, valued with its state code (STATES). */
export const STATUS_METRIC = 'challenge_resource_status';
/** `challenge_info{<status labels>, definition, category} 1` per live Challenge (not on a Deleted one). */
export const INFO_METRIC = 'challenge_info';
/** `challenge_definition_requests{namespace, definition, category, resource}`: what one instance requests. */
export const REQUESTS_METRIC = 'challenge_definition_requests';

/** The four labels of the status gauge, by role. */
export interface LabelNames {
  challengeId: string;
  challengeName: string;
  username: string;
  namespace: string;
}
export type LabelRole = keyof LabelNames;

/** The status label roles in the order the operator writes them on every Challenge series. */
export const STATUS_LABEL_ORDER: readonly LabelRole[] = Object.freeze(['challengeId', 'challengeName', 'username', 'namespace']);

/** The operator's label names. */
export const STATUS_LABELS: Readonly<LabelNames> = Object.freeze({
  challengeId: 'challenge_id',
  challengeName: 'challenge_name',
  username: 'username',
  namespace: 'namespace',
});

/** The original HexaCTF operator (Go, v0.0.5) spelled the challenge id label this way. */
export const LEGACY_CHALLENGE_ID_LABEL = 'challeng_id';

/** Labels `challenge_info` adds to the status labels, and `challenge_definition_requests`' own. */
export const DEFINITION_LABEL = 'definition';
export const CATEGORY_LABEL = 'category';
export const RESOURCE_LABEL = 'resource';
/** Label of the namespace on the requests series (the definition's namespace; always this name). */
export const REQUESTS_NAMESPACE_LABEL = 'namespace';

/** `challenge_info`'s labels in exposition order. */
export const INFO_LABELS: readonly string[] = Object.freeze([...STATUS_LABEL_ORDER.map((r) => STATUS_LABELS[r]), DEFINITION_LABEL, CATEGORY_LABEL]);
/** `challenge_definition_requests`' labels in exposition order. */
export const REQUEST_LABELS: readonly string[] = Object.freeze([REQUESTS_NAMESPACE_LABEL, DEFINITION_LABEL, CATEGORY_LABEL, RESOURCE_LABEL]);

/** Values of the `resource` label: cpu in cores, memory in bytes. */
export const REQUEST_RESOURCES = Object.freeze(['cpu', 'memory'] as const);
export type RequestResource = (typeof REQUEST_RESOURCES)[number];

// ---------------------------------------------------------------------------------------------------------------
// States

/** The Challenge states (status.currentStatus.state) and the gauge value each is exported as. */
export const STATE_CODES = Object.freeze({ Pending: 0, Running: 1, Deleted: 2, Error: 3 } as const);
export type StateName = keyof typeof STATE_CODES;

/** All states in code order. */
export const STATE_NAMES: readonly StateName[] = Object.freeze(
  (Object.keys(STATE_CODES) as StateName[]).sort((a, b) => STATE_CODES[a] - STATE_CODES[b]),
);

export function isStateName(value: unknown): value is StateName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(STATE_CODES, value);
}

/** The gauge's HELP text, listing the codes. */
export const STATUS_HELP = `State of each Challenge: ${STATE_NAMES.map((s) => `${STATE_CODES[s]} ${s}`).join(', ')}.`;

/**
 * How long the operator keeps exporting a deleted Challenge's series as Deleted (its --deleted-series-retention
 * default), so that a scrape sees the deletion.
 */
export const DEFAULT_DELETED_SERIES_RETENTION_SECONDS = 60;

// ---------------------------------------------------------------------------------------------------------------
// Lifecycle metrics (operator's own, written at transitions)

/** `{namespace, from, to}` per state change the operator writes; from/to are state names, from NO_STATE at first. */
export const TRANSITIONS_METRIC = 'challenge_state_transitions_total';
/** The `from` of an instance's first state. */
export const NO_STATE = 'None';
export const TRANSITION_LABELS = Object.freeze(['namespace', 'from', 'to'] as const);
/** Histogram `{namespace, definition}`: seconds from Pending to Running per instance. */
export const TIME_TO_RUNNING_METRIC = 'challenge_time_to_running_seconds';
/** Histogram `{namespace, definition}`: seconds from creation to the end of cleanup per instance. */
export const LIFETIME_METRIC = 'challenge_lifetime_seconds';
export const LIFECYCLE_LABELS = Object.freeze(['namespace', 'definition'] as const);
/**
 * The `definition` of a lifecycle observation whose Challenge names a definition the operator never saw (not a
 * valid definition name, so it cannot collide with one): players cannot add series by naming made-up definitions.
 */
export const UNKNOWN_DEFINITION = '(unknown)';

// ---------------------------------------------------------------------------------------------------------------
// Controller metrics, under controller-runtime's names so existing operator dashboards work

export const CONTROLLER_METRICS = Object.freeze({
  reconcileTotal: 'controller_runtime_reconcile_total',
  reconcileErrors: 'controller_runtime_reconcile_errors_total',
  reconcileTime: 'controller_runtime_reconcile_time_seconds',
  activeWorkers: 'controller_runtime_active_workers',
  maxConcurrentReconciles: 'controller_runtime_max_concurrent_reconciles',
  leaderStatus: 'leader_election_master_status',
  queueDepth: 'workqueue_depth',
  queueAdds: 'workqueue_adds_total',
  queueRetries: 'workqueue_retries_total',
  queueDuration: 'workqueue_queue_duration_seconds',
  workDuration: 'workqueue_work_duration_seconds',
  unfinishedWork: 'workqueue_unfinished_work_seconds',
  longestRunningProcessor: 'workqueue_longest_running_processor_seconds',
} as const);
/** Label of the controller metrics naming the controller (work-queue metrics call it `name`). */
export const CONTROLLER_LABEL = 'controller';
/** The `controller` label value of the Challenge controller (and the `name` of its work queue). */
export const CHALLENGE_CONTROLLER = 'challenge';
/**
 * The labels the Challenge controller's reconcile counter (controller, result) and the leader-election status (name,
 * the Lease's) carry of their own. Every other label of their series is the scrape target's (job, instance, pod,
 * namespace, ...) or an external one (cluster), the same on both for one replica: the heartbeat pairs a replica's
 * counter with its status ignoring these (a standby's counter does not count).
 */
export const REPLICA_OWN_LABELS: readonly string[] = Object.freeze([CONTROLLER_LABEL, 'result', 'name']);

// ---------------------------------------------------------------------------------------------------------------
// Recording rules of operator/chart/files/rules.yaml (written for STATUS_LABELS)

export const RECORDING_RULES = Object.freeze({
  /** Instances (not Deleted) per namespace and username. */
  userInstances: 'hexactf:user_instances:count',
  /** Peak of userInstances over a day. */
  userInstancesMax1d: 'hexactf:user_instances:max_over_time_1d',
  /** Live instances per namespace and category. */
  categoryInstances: 'hexactf:category_instances:count',
  /** Running instances per namespace, definition and category. */
  definitionRunningInstances: 'hexactf:definition_running_instances:count',
  /** Requests of the running instances per namespace, category and resource. */
  categoryRequests: 'hexactf:category_requests:sum',
  /** Instances per state (label STATE_RULE_LABEL, the code as text) per namespace and challenge id. */
  challengeStateCount: 'hexactf:challenge_state:count',
  /** Running instances per namespace and username. */
  userRunningInstances: 'hexactf:user_running_instances:count',
  /**
   * 1 while the operator reports (its state gauge or the Challenge controller's counter of a replica that is not a
   * standby has a sample), recorded in the same group as the counts: the rule forms take their 0 from it, so after a
   * gap both come back together.
   */
  operatorReporting: 'hexactf:operator_reporting:group',
} as const);
/** The label challengeStateCount puts the state code in. */
export const STATE_RULE_LABEL = 'state';

/** Every metric name the operator exports for the Challenges and their lifecycle (not the controller metrics). */
export const CHALLENGE_METRICS: readonly string[] = Object.freeze([
  STATUS_METRIC, INFO_METRIC, REQUESTS_METRIC, TRANSITIONS_METRIC, TIME_TO_RUNNING_METRIC, LIFETIME_METRIC,
]);
