import { ChallengeState } from '../metric/contract';
import { DEFAULT_SETTINGS } from '../settings/settings';
import { NO_FILTERS, labelValuesVariableQuery } from './common';
import { stateCountOverTimeQuery, stateCountQuery } from './overview';
import { stuckDeletionsQuery } from './triage';
import {
  categoryShareQuery,
  definitionRequestsQuery,
  instancesByCategoryQuery,
  peakConcurrentByUserQuery,
  requestsByCategoryQuery,
  requestsByChallengeQuery,
  runningInstancesQuery,
  topUsersQuery,
} from './usage';
import { matrixQuery } from './users';

// What Prometheus returns is proven in the page modules' promtool tests; these cover the text the scenes receive.
describe('query text', () => {
  const s = DEFAULT_SETTINGS;

  it('keeps the Grafana variables for the scenes to interpolate', () => {
    expect(stateCountQuery(s, ChallengeState.Running)).toContain('[$window]');
    expect(stateCountOverTimeQuery(s, ChallengeState.Running)).toContain('[$__rate_interval]');
    expect(peakConcurrentByUserQuery(s)).toContain('[$__range:$__interval]');
    expect(matrixQuery(s, NO_FILTERS, '6h')).toContain('[6h]');
  });

  // Changed on purpose: the newest sample wins (not the highest), Deleted is compared per series before the
  // aggregation, and the 0 is only there while the operator reports (docs/dashboard-semantics.md).
  it('counts each instance once, in its newest state or Deleted within the window, 0 only while the operator reports', () => {
    const by = 'max by (namespace, username, challenge_id, challenge_name, cluster)';
    const m = 'challenge_resource_status';
    expect(stateCountQuery(s, ChallengeState.Error)).toBe(
      `count(((${by} (round(timestamp(${m}) * 1000) * 4 + (${m} >= 0 < 4)) % 4) or ` +
        `${by} (last_over_time(${m}[$window]) == 2)) == 3) or ` +
        `(0 * group(${m} or (controller_runtime_reconcile_total{controller="challenge"} ` +
        `unless ignoring (controller, result, name) (leader_election_master_status == 0))))`
    );
  });

  it('evaluates every selector at the last report while the state is last known', () => {
    const q = stateCountQuery({ ...s, at: 1767000000.5 }, ChallengeState.Running);
    expect(q).toContain(
      'round(timestamp(challenge_resource_status @ 1767000000.5) * 1000) * 4 + (challenge_resource_status @ 1767000000.5 >= 0 < 4)'
    );
    expect(q).toContain('last_over_time(challenge_resource_status[$window] @ 1767000000.5)');
    expect(q).toContain(
      'group(challenge_resource_status @ 1767000000.5 or (controller_runtime_reconcile_total{controller="challenge"} @ 1767000000.5 ' +
        'unless ignoring (controller, result, name) (leader_election_master_status @ 1767000000.5 == 0)))'
    );
    // Every gauge selector, and the heartbeat's counter and leader status.
    expect(q.match(/challenge_resource_status/g)?.length).toBe(q.match(/@ 1767000000\.5/g)?.length! - 2);
    expect(() => stateCountQuery({ ...s, at: Number.NaN }, ChallengeState.Running)).toThrow('invalid evaluation time');
  });

  it('uses the configured metric and label names', () => {
    const legacy = { metricName: 'my_status', labels: { ...s.labels, challengeId: 'challeng_id' } };
    const text = matrixQuery(legacy, { ...NO_FILTERS, challengeId: ['web-1'] });
    expect(text).toContain('my_status{challeng_id="web-1"}');
    expect(text).not.toContain('challenge_id');
  });

  it('filters challenge_definition_requests by namespace only (it has no user or challenge label)', () => {
    const text = requestsByChallengeQuery(s, 'cpu', {
      namespace: ['ctf'],
      username: ['alice'],
      challengeId: ['web-1'],
    });
    expect(text).toContain('challenge_definition_requests{namespace="ctf", resource="cpu"}');
    // The page's one query of both resources.
    expect(definitionRequestsQuery(s, { namespace: ['ctf'], username: ['alice'], challengeId: ['web-1'] })).toBe(
      'max by (namespace, definition, cluster, resource) (challenge_definition_requests{namespace="ctf", resource=~"cpu|memory"})'
    );
  });

  it('reads the category and requests panels at the evaluation time, with no range anywhere', () => {
    // One range selector makes Prometheus read every block of that range for the whole query, the instant
    // selectors too (bench/queries.bench.ts: the requests panels took about twice as long at 6 h with a [$window]).
    for (const text of [
      instancesByCategoryQuery(s),
      categoryShareQuery(s),
      requestsByChallengeQuery(s, 'cpu'),
      requestsByCategoryQuery(s, 'memory'),
      runningInstancesQuery(s),
      definitionRequestsQuery(s),
    ]) {
      expect(text).not.toMatch(/\[/);
    }
  });

  it('builds label_values variable queries narrowed by the other filters only', () => {
    const f = { namespace: ['ctf'], username: ['alice'], challengeId: [] };
    expect(labelValuesVariableQuery(s, 'username', f)).toBe(
      'label_values(challenge_resource_status{namespace="ctf"}, username)'
    );
    expect(labelValuesVariableQuery(s, 'namespace', NO_FILTERS)).toBe(
      'label_values(challenge_resource_status, namespace)'
    );
  });

  it('reads the recording rules only with the names the rules are written for', () => {
    const rules = { ...s, recordingRules: true };
    expect(stateCountOverTimeQuery(rules, ChallengeState.Running)).toContain('hexactf:challenge_state:count');
    expect(peakConcurrentByUserQuery(rules)).toContain('hexactf:user_running_instances:count');
    for (const other of [
      { ...rules, labels: { ...s.labels, challengeId: 'challeng_id' } },
      { ...rules, labels: { ...s.labels, namespace: 'exported_namespace' } },
      { ...rules, metricName: 'my_status' },
    ]) {
      expect(stateCountOverTimeQuery(other, ChallengeState.Running)).not.toContain('hexactf:');
      expect(peakConcurrentByUserQuery(other)).not.toContain('hexactf:');
    }
  });

  it('refuses names that would inject PromQL', () => {
    expect(() => matrixQuery({ ...s, metricName: 'up or vector(1)' })).toThrow(/metric name/);
    expect(() => matrixQuery({ ...s, labels: { ...s.labels, username: 'a) or (b' } })).toThrow(/label name/);
    expect(() => stuckDeletionsQuery(s, NO_FILTERS, '5m) or vector(1')).toThrow(/duration/);
    expect(() => topUsersQuery(s, NO_FILTERS, 0)).toThrow(/limit/);
  });

  it('keeps clusters apart in every grouping, and filters by cluster with escaped values', () => {
    const f = { ...NO_FILTERS, cluster: ['b"x'] };
    expect(matrixQuery(s, f)).toContain('challenge_resource_status{cluster="b\\"x"}');
    expect(stuckDeletionsQuery(s)).toContain('on (job, cluster) group_left () max by (job, cluster)');
    expect(peakConcurrentByUserQuery(s)).toContain('count by (username, cluster)');
    expect(requestsByChallengeQuery(s, 'cpu')).toContain('on (namespace, definition, cluster)');
    expect(runningInstancesQuery(s)).toContain('count by (challenge_id, namespace, definition, category, cluster)');
    expect(definitionRequestsQuery(s)).toContain('max by (namespace, definition, cluster, resource)');
    const renamed = { ...s, clusterLabel: 'region' };
    expect(stateCountQuery(renamed, ChallengeState.Running)).toContain('challenge_name, region)');
    expect(labelValuesVariableQuery(renamed, 'cluster')).toBe('label_values(challenge_resource_status, region)');
    // The chart's rules are written for the default cluster label.
    expect(peakConcurrentByUserQuery({ ...renamed, recordingRules: true })).not.toContain('hexactf:');
    expect(() => matrixQuery({ ...s, clusterLabel: 'a) or (b' })).toThrow(/label name/);
  });
});
