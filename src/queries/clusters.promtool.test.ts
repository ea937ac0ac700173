/**
 * @jest-environment node
 */
/*
 * Two clusters behind one Thanos Query or VictoriaMetrics (each cluster's Prometheus adds an external `cluster`
 * label), evaluated by promtool of Prometheus 2.x and 3.x with both label settings. Every expected sample is worked
 * out by hand from the series below; "merged" says what a query without the cluster in its `by`/`on` lists answered.
 */
import { ChallengeState, type LabelNames } from '../metric/contract';
import { NO_FILTERS, type QueryFilters, type QuerySettings } from './common';
import {
  clusterLastReportQuery,
  clusterReportingQuery,
  lastReportQuery,
  reportingQuery,
  stoppedClustersQuery,
} from './heartbeat';
import { challengeStateCountQuery, stateCountQuery } from './overview';
import { stuckDeletionsQuery } from './triage';
import { peakConcurrentByUserQuery } from './usage';
import { MATRIX_COLUMN_LABEL, matrixQuery, userInstancesQuery } from './users';
import { describeGroups, type SeriesGroup } from './promtool.fixture';
import { formatLabels, type Labels } from './promtool.series.fixture';

const { Running, Deleted, Error: ErrorState } = ChallengeState;

type Group = SeriesGroup;
type Series = Group['series'][number];

// Every cluster's operator has the same job and pod names: only the external label tells them apart.
const target = (cluster: string): Labels => ({ cluster, job: 'challenge-operator', instance: 'op-a' });
const onlyCluster = (cluster: string): QueryFilters => ({ ...NO_FILTERS, cluster: [cluster] });

function helpers(L: LabelNames) {
  const id = (user: string, challenge = 'web-1'): Labels => ({
    [L.namespace]: 'ctf',
    [L.challengeId]: challenge,
    [L.challengeName]: `${challenge}-${user}`,
    [L.username]: user,
  });
  const inst = (cluster: string, user: string, challenge?: string): Labels => ({ ...id(user, challenge), cluster });
  const gauge = (cluster: string, user: string, values: string, challenge?: string): Series => ({
    series: `challenge_resource_status${formatLabels({ ...id(user, challenge), ...target(cluster) })}`,
    values,
  });
  const reconciles = (cluster: string, values: string): Series => ({
    series: `controller_runtime_reconcile_total${formatLabels({ controller: 'challenge', result: 'success', ...target(cluster) })}`,
    values,
  });
  const cell = (cluster: string, user: string, challenge = 'web-1'): Labels => ({
    ...inst(cluster, user, challenge),
    [MATRIX_COLUMN_LABEL]: `${challenge} @ ctf`,
  });
  return { inst, gauge, reconciles, cell };
}

const withoutCluster = ({ cluster: _cluster, ...labels }: Labels): Labels => labels;

function groups(s: QuerySettings): Record<string, Group> {
  const L = s.labels;
  const { inst, gauge, reconciles, cell } = helpers(L);
  return {
    // Both operators report throughout (one sample per 30 s, 0..3600 s). alice holds web-1 in both clusters (same
    // namespace, user, challenge and name); judy's web-1 is Running in a and stuck Deleted in b since 330 s.
    'the same instance in two clusters counts twice; a stuck deletion of one cluster is listed for it alone': {
      series: [
        gauge('a', 'alice', '1x120'),
        gauge('a', 'bob', '1x120', 'pwn-1'),
        gauge('a', 'judy', '1x120'),
        gauge('b', 'alice', '1x120'),
        gauge('b', 'carol', '3x120', 'pwn-1'),
        gauge('b', 'judy', '1x10 2x110'),
        reconciles('a', '0+1x120'),
        reconciles('b', '0+1x120'),
      ],
      cases: [
        // a: alice, bob, judy; b: alice. Merged: 2 (alice once, judy's two series one instance, Deleted).
        { expr: stateCountQuery(s, Running), exp: [[{}, 4]] },
        { expr: stateCountQuery(s, Running, onlyCluster('b')), exp: [[{}, 1]] },
        { expr: stateCountQuery(s, ErrorState), exp: [[{}, 1]] },
        // Per challenge and cluster, zeros included.
        {
          expr: challengeStateCountQuery(s, Running),
          exp: [
            [{ [L.challengeId]: 'web-1', cluster: 'a' }, 2],
            [{ [L.challengeId]: 'pwn-1', cluster: 'a' }, 1],
            [{ [L.challengeId]: 'web-1', cluster: 'b' }, 1],
            [{ [L.challengeId]: 'pwn-1', cluster: 'b' }, 0],
          ],
        },
        // One cell per instance and cluster: alice's web-1 twice (merged: one cell).
        {
          expr: matrixQuery(s),
          exp: [
            [cell('a', 'alice'), Running],
            [cell('a', 'bob', 'pwn-1'), Running],
            [cell('a', 'judy'), Running],
            [cell('b', 'alice'), Running],
            [cell('b', 'carol', 'pwn-1'), ErrorState],
            [cell('b', 'judy'), Deleted],
          ],
        },
        {
          expr: userInstancesQuery(s, 'alice'),
          exp: [
            [inst('a', 'alice'), Running],
            [inst('b', 'alice'), Running],
          ],
        },
        // judy in b only: Deleted at every sample of the last 5 m, as many samples as b's fullest instance.
        { expr: stuckDeletionsQuery(s), exp: [[inst('b', 'judy'), Deleted]] },
        // Peak per user and cluster over the hour; judy was Running in b until 300 s.
        {
          expr: peakConcurrentByUserQuery(s),
          exp: [
            [{ [L.username]: 'alice', cluster: 'a' }, 1],
            [{ [L.username]: 'bob', cluster: 'a' }, 1],
            [{ [L.username]: 'judy', cluster: 'a' }, 1],
            [{ [L.username]: 'alice', cluster: 'b' }, 1],
            [{ [L.username]: 'judy', cluster: 'b' }, 1],
          ],
        },
        {
          expr: clusterReportingQuery(s),
          exp: [
            [{ cluster: 'a' }, 1],
            [{ cluster: 'b' }, 1],
          ],
        },
        // Both report: no cluster stopped.
        { expr: stoppedClustersQuery(s, 3600), exp: [] },
      ],
    },
    // Cluster b's operator stops at 3000 s (its series end with staleness markers); a's reports throughout.
    "one cluster's operator stops: that cluster is not reporting, the other is live": {
      series: [
        gauge('a', 'alice', '1x120'),
        gauge('b', 'alice', '1x100 stale'),
        gauge('b', 'bob', '1x100 stale'),
        reconciles('a', '0+1x120'),
        reconciles('b', '0+1x100 stale'),
      ],
      cases: [
        // The page as a whole: live (a reports), so no page-level last known state. Merged the same: b was masked.
        { expr: reportingQuery(s), exp: [[{}, 1]] },
        // Per cluster: only a reports at T; b's last report was at 3000 s (its own banner).
        { expr: clusterReportingQuery(s), exp: [[{ cluster: 'a' }, 1]] },
        {
          expr: clusterLastReportQuery(s, 3600, 'controller'),
          exp: [
            [{ cluster: 'a' }, 3600],
            [{ cluster: 'b' }, 3000],
          ],
        },
        // What the banner lists: b alone, with its last report; with the filter on a, nothing.
        { expr: stoppedClustersQuery(s, 3600), exp: [[{ cluster: 'b' }, 3000]] },
        { expr: stoppedClustersQuery(s, 3600, onlyCluster('a')), exp: [] },
        // The cluster filter set to b: not reporting, its last report at 3000 s (what the page then evaluates at).
        { expr: reportingQuery(s, onlyCluster('b')), exp: [] },
        { expr: lastReportQuery(s, 3600, 'both', onlyCluster('b')), exp: [[{}, 3000]] },
        // All clusters at T: b's instances are not current (only a's alice counts).
        { expr: stateCountQuery(s, Running), exp: [[{}, 1]] },
        // b alone at T: nothing known (no 0: its operator does not report) ...
        { expr: stateCountQuery(s, Running, onlyCluster('b')), exp: [] },
        // ... and at its last report, its last known state: alice and bob Running.
        { expr: stateCountQuery({ ...s, at: 3000 }, Running, onlyCluster('b')), exp: [[{}, 2]] },
      ],
    },
    // A single Prometheus: no cluster label anywhere. The operator reports throughout, then (second series) stops.
    'a single Prometheus: no stopped cluster, answers as before': {
      series: [
        { series: `challenge_resource_status${formatLabels(withoutCluster(inst('x', 'alice')))}`, values: '1x120' },
        {
          series: 'controller_runtime_reconcile_total{controller="challenge",job="challenge-operator"}',
          values: '0+1x120',
        },
      ],
      cases: [
        { expr: stoppedClustersQuery(s, 3600), exp: [] },
        { expr: clusterReportingQuery(s), exp: [[{}, 1]] },
        { expr: stateCountQuery(s, Running), exp: [[{}, 1]] },
        { expr: matrixQuery(s), exp: [[withoutCluster(cell('x', 'alice')), Running]] },
      ],
    },
  };
}

describeGroups('two clusters', groups);
