/**
 * @jest-environment node
 */
/*
 * Two clusters' operators behind one Thanos Query or VictoriaMetrics (an external `cluster` label on every series),
 * evaluated by promtool of Prometheus 2.x and 3.x: the Lifecycle page's operator health per cluster, and the
 * per-cluster not-reporting check when Prometheus keeps no controller-runtime metrics (the state gauge only). Every
 * expected sample is worked out by hand from the series below.
 */
import { NO_FILTERS, type QueryFilters, type QuerySettings } from './common';
import { stoppedClustersQuery } from './heartbeat';
import { transitionsPerMinuteQuery } from './lifecycle';
import { NO_STATE, TRANSITIONS_METRIC } from '../metric/contract';
import { reconcileErrorRateQuery, reconcileErrorsInRangeQuery, workQueueDepthQuery } from './operatorHealth';
import { describeGroups, type SeriesGroup } from './promtool.fixture';
import { formatLabels, type Labels } from './promtool.series.fixture';

type Group = SeriesGroup;
type Series = Group['series'][number];

// A cluster name is an external label an organizer writes: one with a quote and a backslash, escaped in the filter.
const ODD = 'o"d\\d';
const target = (cluster: string): Labels => ({ cluster, job: 'challenge-operator', instance: 'op-a' });
const only = (cluster: string): QueryFilters => ({ ...NO_FILTERS, cluster: [cluster] });
const metric = (name: string, labels: Labels, values: string): Series => ({
  series: `${name}${formatLabels(labels)}`,
  values,
});

function groups(s: QuerySettings): Record<string, Group> {
  const L = s.labels;
  const gauge = (cluster: string, user: string, values: string) =>
    metric(
      'challenge_resource_status',
      {
        [L.namespace]: 'ctf',
        [L.challengeId]: 'web-1',
        [L.challengeName]: `web-1-${user}`,
        [L.username]: user,
        ...target(cluster),
      },
      values
    );
  const controller = { controller: 'challenge' };
  return {
    // a's controller fails 6 reconciles per 30 s with 5 Challenges queued; the other cluster is healthy. Added up,
    // the errors and the queue read as one operator's; per cluster, the healthy one reads 0.
    "a cluster's failing operator is not averaged away by a healthy one": {
      series: [
        metric('controller_runtime_reconcile_total', { ...controller, result: 'success', ...target('a') }, '0+1x120'),
        metric('controller_runtime_reconcile_total', { ...controller, result: 'success', ...target(ODD) }, '0+1x120'),
        metric('controller_runtime_reconcile_errors_total', { ...controller, ...target('a') }, '0+6x120'),
        metric('workqueue_depth', { name: 'challenge', ...target('a') }, '5x120'),
        metric('workqueue_depth', { name: 'challenge', ...target(ODD) }, '0x120'),
      ],
      cases: [
        // 12 errors over the last minute: 0.2 per second (exact on both versions: a linear counter).
        {
          expr: reconcileErrorRateQuery(s, NO_FILTERS, '1m'),
          exp: [
            [{ cluster: 'a' }, 0.2],
            [{ cluster: ODD }, 0],
          ],
        },
        { expr: reconcileErrorRateQuery(s, only(ODD), '1m'), exp: [[{ cluster: ODD }, 0]] },
        { expr: reconcileErrorsInRangeQuery(s, only(ODD), '1h'), exp: [[{ cluster: ODD }, 0]] },
        {
          expr: workQueueDepthQuery(s),
          exp: [
            [{ cluster: 'a' }, 5],
            [{ cluster: ODD }, 0],
          ],
        },
      ],
    },
    // No controller-runtime metrics kept (the gauge only). Cluster b's operator stops at 3000 s; a's reports.
    'the state gauge alone still names a stopped cluster': {
      series: [gauge('a', 'alice', '1x120'), gauge('b', 'alice', '1x100 stale'), gauge('b', 'bob', '1x100 stale')],
      cases: [
        { expr: stoppedClustersQuery(s, 3600), exp: [[{ cluster: 'b' }, 3000]] },
        { expr: stoppedClustersQuery(s, 3600, only('a')), exp: [] },
      ],
    },
    // Cluster b's operator stopped at 3000 s (its counter gone); a's still counts: a opened 2 per 30 s. Filtered to
    // b, nothing is known: no 0 from a's counter (before: 0 at every step).
    'the per-minute counts of a stopped cluster are not 0': {
      series: [
        metric(TRANSITIONS_METRIC, { namespace: 'ctf', from: NO_STATE, to: 'Pending', ...target('a') }, '0+2x120'),
        metric(
          TRANSITIONS_METRIC,
          { namespace: 'ctf', from: NO_STATE, to: 'Pending', ...target('b') },
          '0+2x100 stale'
        ),
      ],
      cases: [
        { expr: transitionsPerMinuteQuery(s, 'opened', only('b'), '1m'), exp: [] },
        { expr: transitionsPerMinuteQuery(s, 'opened', only('a'), '1m'), exp: [[{}, 4]] },
        // A quiet namespace of a reporting cluster reads 0.
        { expr: transitionsPerMinuteQuery(s, 'opened', { ...only('a'), namespace: ['quiet'] }, '1m'), exp: [[{}, 0]] },
      ],
    },
    // One cluster with controller metrics, one without (its Prometheus drops them): both report, none stopped.
    'a cluster without the controller counter reporting beside one with it: no stopped cluster': {
      series: [
        gauge('a', 'alice', '1x120'),
        metric('controller_runtime_reconcile_total', { ...controller, result: 'success', ...target('a') }, '0+1x120'),
        gauge('b', 'alice', '1x120'),
      ],
      cases: [{ expr: stoppedClustersQuery(s, 3600), exp: [] }],
    },
  };
}

describeGroups("two clusters' operators", groups);
