/**
 * @jest-environment node
 */
/*
 * What every page says about the exporter (operator not reporting; the original HexaCTF operator recognised, and
 * what the pages show of it), evaluated by promtool of Prometheus 2.x and 3.x.
 */
import { PROMETHEUS_BUILDS } from '@hexactf/testing/prometheus-builds';
import { ChallengeState, DEFAULT_LABELS, INFO_METRIC } from '../metric/contract';
import { DEFAULT_SETTINGS } from '../settings/settings';
import { metricPresenceQuery } from './common';
import { lastReportQuery, reportingQuery } from './heartbeat';
import { legacyLabelPresenceQuery } from './operatorStatus';
import { stateCountOverTimeQuery, stateCountQuery } from './overview';
import { errorInstancesQuery } from './triage';
import { userInstancesQuery } from './users';
import { promtoolTestRules, substitute } from './promtool.fixture';
import { EVAL } from './promtool.series.fixture';

const { Running, Deleted, Error: ErrorState } = ChallengeState;

describe.each(PROMETHEUS_BUILDS)('operator not reporting, evaluated by promtool of Prometheus $name', (build) => {
  // Three scrape targets exporting the gauge: op-a goes down at 3000 s (a failed scrape: up 0, staleness markers),
  // op-b leaves service discovery at 3000 s (its series end), op-c keeps reporting. A fourth job is down but never
  // exported the gauge. The pages read the operator's heartbeat (the gauge, the Challenge controller's counter), not
  // `up` or the job: while one target still reports, the operator reports. (Before, the check named the silent jobs
  // op-a and op-b from `up`, and the page moved its time range to their last `up`.)
  const gauge = (job: string, values: string) => ({
    series: `challenge_resource_status{job="${job}", instance="x", namespace="ctf", challenge_id="web-1", challenge_name="web-1-${job}", username="u"}`,
    values,
  });
  const up = (job: string, values: string) => ({ series: `up{job="${job}", instance="x"}`, values });
  const silent = [
    up('op-a', '1x99 0x21'),
    gauge('op-a', '1x99 stale'),
    up('op-b', '1x99 stale'),
    gauge('op-b', '1x99 stale'),
    up('unrelated', '0x120'),
  ];
  const file = (input: object[], cases: Array<{ expr: string; at: string; exp: Array<[string, number]> }>) => ({
    rule_files: [],
    evaluation_interval: '1m',
    tests: [
      {
        interval: '30s',
        input_series: input,
        promql_expr_test: cases.map((c) => ({
          expr: c.expr,
          eval_time: c.at,
          exp_samples: c.exp.map(([labels, value]) => ({ labels, value })),
        })),
      },
    ],
  });

  it('is live while one target reports, whatever `up` says of the others', () => {
    const { status, output } = promtoolTestRules(
      build,
      file(
        [...silent, up('op-c', '1x120'), gauge('op-c', '1x120')],
        [{ expr: reportingQuery(DEFAULT_SETTINGS), at: EVAL, exp: [['{}', 1]] }]
      )
    );
    expect(output).not.toContain('FAILED');
    expect(status).toBe(0);
  });

  it('gives the last report (the last scrape, 2970 s) once none reports, and is live before', () => {
    const { status, output } = promtoolTestRules(
      build,
      file(silent, [
        { expr: reportingQuery(DEFAULT_SETTINGS), at: EVAL, exp: [] },
        { expr: lastReportQuery(DEFAULT_SETTINGS, 3600), at: EVAL, exp: [['{}', 2970]] },
        { expr: reportingQuery(DEFAULT_SETTINGS), at: '2400s', exp: [['{}', 1]] },
      ])
    );
    expect(output).not.toContain('FAILED');
    expect(status).toBe(0);
  });
});

describe.each(PROMETHEUS_BUILDS)(
  "the original operator's exposition, evaluated by promtool of Prometheus $name",
  (build) => {
    // Shaped like the original HexaCTF operator (Go, v0.0.5): `challeng_id`, no challenge_info or requests; it forgets
    // its instances when it restarts (p3's series ends at 3030 s without a Deleted although the instance still runs)
    // and deletes an Errored instance itself (p2: Error 2730..2850 s, Deleted at 2880 s, then gone).
    const legacy = { ...DEFAULT_SETTINGS, labels: { ...DEFAULT_LABELS, challengeId: 'challeng_id' } };
    const gauge = (user: string, values: string) => ({
      series: `challenge_resource_status{job="legacy", instance="x", namespace="ctf", challeng_id="7", challenge_name="c7-${user}", username="${user}"}`,
      values,
    });
    const file = (cases: Array<{ expr: string; at?: string; exp: Array<[string, number]> }>) => ({
      rule_files: [],
      evaluation_interval: '30s',
      tests: [
        {
          interval: '30s',
          input_series: [
            { series: 'up{job="legacy", instance="x"}', values: '1x120' },
            gauge('p1', '1x120'),
            gauge('p2', '1x90 3x4 2x1 stale'),
            gauge('p3', '1x100 stale'),
          ],
          promql_expr_test: cases.map((c) => ({
            expr: substitute(c.expr),
            eval_time: c.at ?? EVAL,
            exp_samples: c.exp.map(([labels, value]) => ({ labels, value })),
          })),
        },
      ],
    });
    const user = (u: string) => `{namespace="ctf", challeng_id="7", challenge_name="c7-${u}", username="${u}"}`;

    it('is recognised, and the pages show what it exports', () => {
      const { status, output } = promtoolTestRules(
        build,
        file([
          // Recognised whatever the settings: the legacy label is there, challenge_info is not.
          { expr: legacyLabelPresenceQuery(DEFAULT_SETTINGS), exp: [['{}', 1]] },
          { expr: legacyLabelPresenceQuery(legacy), exp: [['{}', 1]] },
          { expr: metricPresenceQuery(INFO_METRIC), exp: [['{}', 0]] },
          // At T: p1 Running; p2 Deleted (its self-deletion); p3, forgotten by the restart, is on no page.
          { expr: stateCountQuery(legacy, Running), exp: [['{}', 1]] },
          { expr: stateCountQuery(legacy, Deleted), exp: [['{}', 1]] },
          { expr: stateCountQuery(legacy, ErrorState), exp: [['{}', 0]] },
          { expr: userInstancesQuery(legacy, 'p3'), exp: [] },
          // While p2 was in Error (2820 s), it shows as Error over time and in Triage.
          { expr: stateCountOverTimeQuery(legacy, ErrorState), at: '2820s', exp: [['{}', 1]] },
          { expr: errorInstancesQuery(legacy), at: '2820s', exp: [[user('p2'), 3]] },
          // The operator keeps reporting: no banner.
          { expr: reportingQuery(legacy), exp: [['{}', 1]] },
        ])
      );
      expect(output).not.toContain('FAILED');
      expect(status).toBe(0);
    });

    it('is not taken for the original when the gauge uses challenge_id', () => {
      const { status, output } = promtoolTestRules(build, {
        ...file([]),
        tests: [
          {
            interval: '30s',
            input_series: [{ series: 'challenge_resource_status{challenge_id="7", username="u"}', values: '1x120' }],
            promql_expr_test: [
              {
                expr: substitute(legacyLabelPresenceQuery(DEFAULT_SETTINGS)),
                eval_time: EVAL,
                exp_samples: [{ labels: '{}', value: 0 }],
              },
            ],
          },
        ],
      });
      expect(output).not.toContain('FAILED');
      expect(status).toBe(0);
    });
  }
);
