/**
 * @jest-environment node
 */
/*
 * The over-time panel's recording-rule form against the chart's own rules (operator/chart/files/rules.yaml),
 * evaluated by promtool of Prometheus 2.x and 3.x: the rules are evaluated every 30 s, the operator scraped every
 * 10 s, so after a gap its first scrape comes before the rules' next evaluation.
 */
import { join } from 'node:path';
import { PROMETHEUS_BUILDS } from '@hexactf/testing/prometheus-builds';
import { ChallengeState } from '../metric/contract';
import { DEFAULT_SETTINGS } from '../settings/settings';
import { REPORTING_RULE, type QuerySettings } from './common';
import { CONTROLLER_HEARTBEAT } from './heartbeat';
import { stateCountOverTimeQuery } from './overview';
import { promtoolTestRules, substitute } from './promtool.fixture';
import { formatLabels } from './promtool.series.fixture';

const RULES_FILE = join(__dirname, '../../operator/chart/files/rules.yaml');
const WITH_RULES: QuerySettings = { ...DEFAULT_SETTINGS, recordingRules: true };
const { Running, Error: ErrorState } = ChallengeState;

// Scrapes every 10 s; failing from 300 s (staleness markers), back at 500 s. The rules are evaluated at 30 s steps:
// nothing at 300-480 s, the counts back at 510 s. The panel's interval ($__rate_interval) is 2 m.
const GAP = '1x29 stale _x18 1x20';
const series = (users: string[]) => [
  ...users.map((user) => ({
    series: `challenge_resource_status${formatLabels({
      namespace: 'ctf',
      challenge_id: 'web-1',
      challenge_name: `web-1-${user}`,
      username: user,
    })}`,
    values: GAP,
  })),
  {
    series: `controller_runtime_reconcile_total${formatLabels({ controller: 'challenge', result: 'success' })}`,
    values: GAP,
  },
];

function file(users: string[], cases: Array<{ at: string; state: ChallengeState; exp: number[] }>) {
  return {
    rule_files: [RULES_FILE],
    evaluation_interval: '30s',
    tests: [
      {
        interval: '10s',
        input_series: series(users),
        promql_expr_test: cases.map((c) => ({
          expr: substitute(stateCountOverTimeQuery(WITH_RULES, c.state)),
          eval_time: c.at,
          exp_samples: c.exp.map((value) => ({ labels: '{}', value })),
        })),
      },
    ],
  };
}

describe.each(PROMETHEUS_BUILDS)('the rule form after a gap, promtool of Prometheus $name', (build) => {
  const run = (f: object) => {
    const { status, output } = promtoolTestRules(build, f);
    expect(output).not.toContain('FAILED');
    expect(status).toBe(0);
  };

  it('shows nothing from the first scrape after the gap until the rules are evaluated, then the count', () => {
    run(
      file(
        ['ann'],
        [
          { at: '290s', state: Running, exp: [1] },
          // In the gap, past the panel's 2 m interval: nothing known.
          { at: '440s', state: Running, exp: [] },
          // The operator's first scrape (490 s) is back, the rules not yet (510 s). Before: 0 here, from the raw
          // heartbeat in the 0 branch.
          { at: '500s', state: Running, exp: [] },
          { at: '500s', state: ErrorState, exp: [] },
          { at: '510s', state: Running, exp: [1] },
          { at: '510s', state: ErrorState, exp: [0] },
        ]
      )
    );
  });

  it('gives 0 for an empty cluster from the recorded reporting series', () => {
    // No Challenge at all: the state rule has no series; the operator's counter alone gives the reporting rule.
    run(
      file(
        [],
        [
          { at: '290s', state: Running, exp: [0] },
          { at: '500s', state: Running, exp: [] },
          { at: '520s', state: Running, exp: [0] },
        ]
      )
    );
  });

  it('can fail: with the raw heartbeat in the 0 branch (the form before), 500 s reads 0', () => {
    const before = substitute(stateCountOverTimeQuery(WITH_RULES, ErrorState)).replace(
      REPORTING_RULE,
      CONTROLLER_HEARTBEAT
    );
    // (promtool loads no sample at the last evaluation time of a file: the 520 s case keeps the one at 500 s.)
    const f = file(
      ['ann'],
      [
        { at: '500s', state: ErrorState, exp: [0] },
        { at: '520s', state: Running, exp: [1] },
      ]
    );
    f.tests[0].promql_expr_test[0].expr = before;
    run(f);
  });
});
