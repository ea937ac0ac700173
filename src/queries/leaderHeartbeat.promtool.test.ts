/**
 * @jest-environment node
 */
/*
 * The heartbeat of a replicated operator, evaluated by promtool of Prometheus 2.x and 3.x: only a replica that leads
 * (leader_election_master_status 1) or takes no part in leader election (no status series: election off, the
 * original operator) says "the operator reports". A standby that once led keeps its reconcile counter, with status
 * 0; when the leader dies hard (SIGKILL, a lost node: its series end with staleness markers) the standby's counter
 * must not make the pages live, nor the counts an invented 0, until the new leader is scraped. The recorded
 * reporting rule (operator/chart/files/rules.yaml) answers the same. Every expected sample is worked out by hand.
 */
import { join } from 'node:path';
import { PROMETHEUS_BUILDS } from '@hexactf/testing/prometheus-builds';
import { ChallengeState, CONTROLLER_METRICS, RECORDING_RULES } from '../metric/contract';
import { DEFAULT_SETTINGS } from '../settings/settings';
import { clusterReportingQuery, lastReportQuery, reportingQuery, stoppedClustersQuery } from './heartbeat';
import { NO_FILTERS } from './common';
import { reconcileErrorRateQuery, reconcileErrorsInRangeQuery } from './operatorHealth';
import { stateCountQuery } from './overview';
import { promtoolTestRules, substitute } from './promtool.fixture';
import { formatLabels, type Labels } from './promtool.series.fixture';

const RULES_FILE = join(__dirname, '../../operator/chart/files/rules.yaml');
const { Running } = ChallengeState;
const s = DEFAULT_SETTINGS;
const LEASE = { name: 'challenge-operator-lock' };

/** The labels Prometheus gives a replica's series through the chart's ServiceMonitor (honorLabels). */
const podTarget = (pod: string, ip: string): Labels => ({
  job: 'challenge-operator',
  namespace: 'hexactf-system',
  service: 'challenge-operator-metrics',
  endpoint: 'operator-metrics',
  container: 'operator',
  pod,
  instance: `${ip}:8080`,
});
const metric = (name: string, labels: Labels, values: string) => ({
  series: `${name}${formatLabels(labels)}`,
  values,
});
const counter = (target: Labels, values: string, result = 'success') =>
  metric(CONTROLLER_METRICS.reconcileTotal, { controller: 'challenge', result, ...target }, values);
const leaderStatus = (target: Labels, values: string) =>
  metric(CONTROLLER_METRICS.leaderStatus, { ...LEASE, ...target }, values);
/** The state gauge: the chart drops its pod, instance and job, so the new leader continues the old one's series. */
const gauge = (values: string, extra: Labels = {}) =>
  metric(
    'challenge_resource_status',
    { namespace: 'ctf', challenge_id: 'web-1', challenge_name: 'web-1-ann', username: 'ann', ...extra },
    values
  );

// Scraped every 10 s. op-a leads until it is SIGKILLed: its last scrape at 290 s, the failed one at 300 s ends its
// series. op-b led once (its counter stays at 7, status 0) and waits out the Lease: it leads from 330 s on. The gauge
// (only the leader exports it) is missing at 300-320 s.
const A = podTarget('challenge-operator-7d9f-a', '10.0.0.11');
const B = podTarget('challenge-operator-7d9f-b', '10.0.0.12');
const HANDOVER = [
  counter(A, '0+1x29 stale'),
  counter(A, '0x29 stale', 'error'),
  leaderStatus(A, '1x29 stale'),
  counter(B, '7x59'),
  leaderStatus(B, '0x32 1x26'),
  gauge('1x29 stale _x2 1x26'),
];

interface Case {
  expr: string;
  at: string;
  exp: Array<[string, number]>;
}
function file(input: object[], cases: Case[], rules: string[] = []) {
  return {
    rule_files: rules,
    evaluation_interval: '10s',
    tests: [
      {
        interval: '10s',
        input_series: input,
        promql_expr_test: cases.map((c) => ({
          expr: substitute(c.expr),
          eval_time: c.at,
          exp_samples: c.exp.map(([labels, value]) => ({ labels, value })),
        })),
      },
    ],
  };
}

/** In the handover's gap (300-320 s): nothing, where the standby's counter gave "reporting" and a 0. */
const GAP_CASES: Case[] = ['305s', '315s', '325s'].flatMap((at) => [
  { expr: reportingQuery(s), at, exp: [] },
  { expr: stateCountQuery(s, Running), at, exp: [] },
]);

describe.each(PROMETHEUS_BUILDS)('the heartbeat of a replicated operator, promtool of Prometheus $name', (build) => {
  const run = (f: object) => {
    const { status, output } = promtoolTestRules(build, f);
    expect(output).not.toContain('FAILED');
    expect(status).toBe(0);
  };

  it('leader SIGKILLed: the standby (status 0) does not report, the counts are not 0, until the new leader', () => {
    run(
      file(HANDOVER, [
        { expr: reportingQuery(s), at: '290s', exp: [['{}', 1]] },
        { expr: stateCountQuery(s, Running), at: '290s', exp: [['{}', 1]] },
        ...GAP_CASES,
        // The last report is the dead leader's (290 s, or a subquery step of 15 s earlier), not the standby's.
        { expr: lastReportQuery(s, 600), at: '315s', exp: [['{}', 280]] },
        { expr: lastReportQuery(s, 600, 'controller'), at: '315s', exp: [['{}', 280]] },
        // The Lifecycle page's reconcile errors: 0 while a leader reports, nothing from the standby alone.
        { expr: reconcileErrorRateQuery(s, NO_FILTERS, '1m'), at: '290s', exp: [['{}', 0]] },
        { expr: reconcileErrorRateQuery(s, NO_FILTERS, '1m'), at: '315s', exp: [] },
        { expr: reconcileErrorsInRangeQuery(s, NO_FILTERS, '10s'), at: '315s', exp: [] },
        { expr: reconcileErrorsInRangeQuery(s, NO_FILTERS, '1m'), at: '315s', exp: [['{}', 0]] },
        // op-b leads from 330 s: live again, its Challenge counted.
        { expr: reportingQuery(s), at: '335s', exp: [['{}', 1]] },
        { expr: stateCountQuery(s, Running), at: '335s', exp: [['{}', 1]] },
      ])
    );
  });

  it('the recorded reporting rule agrees: nothing in the gap, 1 before and after', () => {
    const rule = RECORDING_RULES.operatorReporting;
    run(
      file(
        HANDOVER,
        [
          { expr: rule, at: '290s', exp: [[rule, 1]] },
          { expr: rule, at: '305s', exp: [] },
          { expr: rule, at: '325s', exp: [] },
          { expr: rule, at: '335s', exp: [[rule, 1]] },
        ],
        [RULES_FILE]
      )
    );
  });

  it('a single replica without leader election (no status series, a static config) reports, its 0 a 0', () => {
    const target = { job: 'challenge-operator', instance: 'localhost:8080' };
    run(
      file(
        [counter(target, '0+1x59')],
        [
          { expr: reportingQuery(s), at: '300s', exp: [['{}', 1]] },
          { expr: stateCountQuery(s, Running), at: '300s', exp: [['{}', 0]] },
          { expr: RECORDING_RULES.operatorReporting, at: '300s', exp: [[RECORDING_RULES.operatorReporting, 1]] },
        ],
        [RULES_FILE]
      )
    );
  });

  it('a leader (status 1) with no Challenge reports, and its count is 0; its standby changes nothing', () => {
    run(
      file(
        [counter(A, '0+1x59'), leaderStatus(A, '1x59'), counter(B, '7x59'), leaderStatus(B, '0x59')],
        [
          { expr: reportingQuery(s), at: '300s', exp: [['{}', 1]] },
          { expr: stateCountQuery(s, Running), at: '300s', exp: [['{}', 0]] },
          { expr: lastReportQuery(s, 600, 'controller'), at: '300s', exp: [['{}', 300]] },
        ]
      )
    );
  });

  it("per cluster (Thanos, same pod and job names in both): one cluster's standby never hides the other's leader", () => {
    // Cluster a has no Challenge: its leader op-a's counter alone reports. In cluster b the same pod name op-a is a
    // standby (status 0) and op-b, the leader, is SIGKILLed at 300 s.
    const inCluster = (cluster: string, t: Labels) => ({ ...t, cluster });
    const input = [
      counter(inCluster('a', A), '0+1x59'),
      leaderStatus(inCluster('a', A), '1x59'),
      counter(inCluster('b', A), '7x59'),
      leaderStatus(inCluster('b', A), '0x59'),
      counter(inCluster('b', B), '0+1x29 stale'),
      leaderStatus(inCluster('b', B), '1x29 stale'),
      gauge('1x29 stale', { cluster: 'b' }),
    ];
    const rule = RECORDING_RULES.operatorReporting;
    run(
      file(
        input,
        [
          {
            expr: clusterReportingQuery(s),
            at: '290s',
            exp: [
              ['{cluster="a"}', 1],
              ['{cluster="b"}', 1],
            ],
          },
          { expr: clusterReportingQuery(s), at: '315s', exp: [['{cluster="a"}', 1]] },
          { expr: stoppedClustersQuery(s, 600), at: '315s', exp: [['{cluster="b"}', 280]] },
          { expr: rule, at: '315s', exp: [[`${rule}{cluster="a"}`, 1]] },
        ],
        [RULES_FILE]
      )
    );
  });
});
