/**
 * The Usage page, the HexaCTF write-up's two capacity questions: how many servers does one person keep at once (the
 * peak panels), and which categories use what (challenge_info, challenge_definition_requests: the new operator only).
 */
import {
  CATEGORY_LABEL,
  ChallengeState,
  DEFINITION_LABEL,
  INFO_METRIC,
  REQUESTS_METRIC,
  REQUEST_RESOURCES,
  RESOURCE_LABEL,
  UNCATEGORIZED,
  type RequestResource,
} from '../metric/contract';
import {
  INTERVAL_VARIABLE,
  NO_FILTERS,
  RANGE_VARIABLE,
  USER_RUNNING_RULE,
  checkSettings,
  currentStates,
  filtered,
  identity,
  instantAt,
  perCluster,
  rulesServe,
  selector,
  type QueryFilters,
  type QuerySettings,
} from './common';
import { labelMatcher, quoteString } from './promql-escape';

/** Output label of peakDistributionQuery: the peak number of concurrent instances (value: how many users had it). */
export const PEAK_LABEL = 'instances';
/**
 * The peak panels' subquery step. Explicit: a step-less subquery takes the engine's default (Prometheus: its
 * evaluation interval; VictoriaMetrics: 5 m for an instant query, which loses short peaks). The panel's interval, as
 * a graph of the range would sample it: the scrape interval at the least, so both engines see the same steps and a
 * state that lasts a scrape is seen over short ranges (a fixed 30 s missed the path test's few-second instances).
 */
export const PEAK_SUBQUERY_STEP = INTERVAL_VARIABLE;
/** How many users the Usage page's top users panel shows, and topUsersQuery returns by default. */
export const TOP_USERS = 10;

/**
 * Instances whose last state in the window is Running, valued 1, with `definition` and `category` from
 * challenge_info (category "uncategorized" where empty). Read at the evaluation time, not over the window: an
 * instance's last state is Running only while the operator reports it (lastStates), and the operator exports its
 * challenge_info for just as long. Reading both over the window instead (6 h of 100,000 instances) took 1.5-3.2 s.
 */
function runningWithInfo(s: QuerySettings, f: QueryFilters): string {
  const id = identity(s);
  const info = `max by (${id}, ${DEFINITION_LABEL}, ${CATEGORY_LABEL}) (${instantAt(s, INFO_METRIC + selector(s, f))})`;
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
  const sel = selector(s, f, ['namespace'], [`${RESOURCE_LABEL}=${quoteString(resource)}`]);
  return `max by (${definitionKey(s)}) (${instantAt(s, REQUESTS_METRIC + sel)})`;
}

/** Requested resource of every Running instance, labelled like runningWithInfo. */
function runningRequests(s: QuerySettings, resource: RequestResource, f: QueryFilters): string {
  return `(${runningWithInfo(s, f)} * on (${definitionKey(s)}) group_left () ${definitionRequests(s, resource, f)})`;
}

/** A definition: its namespace and name, in its cluster (two clusters may define the same one differently). */
const definitionKey = (s: QuerySettings) => perCluster(s, s.labels.namespace, DEFINITION_LABEL);

// ---------------------------------------------------------------------------------------------------------------
// Usage: question 1 (how many servers does one person keep at once?)

/**
 * Per user (and cluster): the peak number of instances Running at the same time over the dashboard range (instant
 * query at the range's end; subquery every PEAK_SUBQUERY_STEP). Labels: username, and the cluster when present.
 */
export function peakConcurrentByUserQuery(
  s: QuerySettings,
  f: QueryFilters = NO_FILTERS,
  range = RANGE_VARIABLE
): string {
  // Per user and cluster: a user of two clusters holds each cluster's instances apart.
  const user = perCluster(s, s.labels.username);
  // Over the range, at the request's time: never at a fixed evaluation time (the subquery's selectors follow its steps).
  s = { ...s, at: undefined };
  // The rule counts per namespace and user: a challenge filter needs the raw form. Across namespaces the rule form
  // takes the highest per-namespace peak (the same when each user plays in one namespace).
  if (rulesServe(s) && !filtered(f, 'challengeId')) {
    checkSettings(s);
    return `max by (${user}) (max_over_time(${USER_RUNNING_RULE}${selector(s, f, ['namespace', 'username'])}[${range}]))`;
  }
  const running = `count by (${user}) (${currentStates(s, f)} == ${ChallengeState.Running})`;
  return `max_over_time((${running})[${range}:${PEAK_SUBQUERY_STEP}])`;
}

/**
 * The `limit` users with the highest peak. The page derives its top users from peakConcurrentByUserQuery instead
 * (ties by name, which topk leaves to chance); this is the reference the tests check those users against.
 */
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
/** Running instances per category (label `category`). */
export function instancesByCategoryQuery(s: QuerySettings, f: QueryFilters = NO_FILTERS): string {
  return `count by (${perCluster(s, CATEGORY_LABEL)}) ${runningWithInfo(s, f)}`;
}

/** Each category's share (0..1) of the Running instances (label `category`). */
export function categoryShareQuery(s: QuerySettings, f: QueryFilters = NO_FILTERS): string {
  const running = runningWithInfo(s, f);
  // The share of all the clusters' Running instances shown: per cluster, the shares of all clusters add up to 1.
  return `count by (${perCluster(s, CATEGORY_LABEL)}) ${running} / scalar(count ${running})`;
}

/** Requested CPU cores or memory bytes of the Running instances, per challenge id (label: challengeId). */
export function requestsByChallengeQuery(
  s: QuerySettings,
  resource: RequestResource,
  f: QueryFilters = NO_FILTERS
): string {
  return `sum by (${perCluster(s, s.labels.challengeId)}) ${runningRequests(s, resource, f)}`;
}

/** Requested CPU cores or memory bytes of the Running instances, per category (label `category`). */
export function requestsByCategoryQuery(
  s: QuerySettings,
  resource: RequestResource,
  f: QueryFilters = NO_FILTERS
): string {
  return `sum by (${perCluster(s, CATEGORY_LABEL)}) ${runningRequests(s, resource, f)}`;
}

/** The refId of runningInstancesQuery in the page's one runner of question 2. */
export const RUNNING_INSTANCES_REF_ID = 'RunningInstances';
/** The refId of definitionRequestsQuery in the page's one runner of question 2. */
export const DEFINITION_REQUESTS_REF_ID = 'DefinitionRequests';

/**
 * Running instances per challenge id, namespace, definition and category (and cluster): runningWithInfo evaluated
 * once for every panel of question 2 (src/transforms/usageCounts.ts derives them with definitionRequestsQuery). Per
 * category, the sum of its samples is instancesByCategoryQuery; per definition, its samples times the definition's
 * requests add up to runningRequests. Labels: challengeId, namespace, definition, category (and the cluster's).
 */
export function runningInstancesQuery(s: QuerySettings, f: QueryFilters = NO_FILTERS): string {
  const by = perCluster(s, s.labels.challengeId, s.labels.namespace, DEFINITION_LABEL, CATEGORY_LABEL);
  return `count by (${by}) ${runningWithInfo(s, f)}`;
}

/**
 * Requests of one instance of each definition, both resources (definitionRequests' samples, one query): one sample
 * per (namespace, definition, cluster, resource). Labels: namespace, definition, resource (and the cluster's).
 */
export function definitionRequestsQuery(s: QuerySettings, f: QueryFilters = NO_FILTERS): string {
  const sel = selector(s, f, ['namespace'], [labelMatcher(RESOURCE_LABEL, REQUEST_RESOURCES)!]);
  return `max by (${definitionKey(s)}, ${RESOURCE_LABEL}) (${instantAt(s, REQUESTS_METRIC + sel)})`;
}
