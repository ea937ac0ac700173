/**
 * @jest-environment node
 */
/* The Triage page's queries on the shared promtool series (promtool.series.fixture.ts). */
import { PROMETHEUS_BUILDS } from '@hexactf/testing/prometheus-builds';
import { DEFAULT_SETTINGS } from '../settings/settings';
import type { QuerySettings } from './common';
import { errorInstancesQuery, stuckDeletionsQuery } from './triage';
import { caseHelpers, describeCases, promtoolTestRules, type Case } from './promtool.fixture';
import { EVAL } from './promtool.series.fixture';

function cases(s: QuerySettings): Case[] {
  const { f, inst } = caseHelpers(s);
  return [
    // Triage at T: Error now bob and abc; stuck deletions judy (since 3030 s), not leo (his new deletion is only
    // 150 s old: the HexaCTF write-up's query listed him, from the previous deletion's samples), not ken (only since 3480 s) and not
    // carol (removed).
    {
      expr: errorInstancesQuery(s),
      exp: [
        [inst('bob'), 3],
        [inst('abc'), 3],
      ],
    },
    { expr: errorInstancesQuery(s, f({ username: ['a.c'] })), exp: [] },
    { expr: errorInstancesQuery(s, f({ namespace: ['ctf'] })), exp: [[inst('bob'), 3]] },
    {
      expr: stuckDeletionsQuery(s),
      exp: [[inst('judy'), 2]],
    },
    // At 3120 s neither had been Deleted for 5 minutes yet (judy since 3030 s, leo since 2730 s → 390 s: leo yes).
    { expr: stuckDeletionsQuery(s), at: '3120s', exp: [[inst('leo'), 2]] },
    { expr: stuckDeletionsQuery(s, f({ username: ['judy'] })), exp: [[inst('judy'), 2]] },
  ];
}

describeCases('Triage', cases);

describe.each(PROMETHEUS_BUILDS)(
  'stuck deletions across a restart and a re-creation, evaluated by promtool of Prometheus $name',
  (build) => {
    // Job op-1 restarts: none of its series has samples 3330..3420 s. quinn has been Deleted since 2430 s across it.
    // Job op-2 keeps reporting: rex was deleted (Deleted 3030..3090 s, then removed), re-created under the same labels
    // and deleted again at 3420 s; steady runs throughout.
    const series = (job: string, user: string, values: string) => ({
      series: `challenge_resource_status{job="${job}", instance="x", namespace="ctf", challenge_id="web-1", challenge_name="web-1-${user}", username="${user}"}`,
      values,
    });
    const stuck = (at: string, exp: string[]) => ({
      expr: stuckDeletionsQuery(DEFAULT_SETTINGS),
      eval_time: at,
      exp_samples: exp.map((user) => ({
        labels: `{namespace="ctf", challenge_id="web-1", challenge_name="web-1-${user}", username="${user}"}`,
        value: 2,
      })),
    });

    it('lists the deletion stuck across its operator restart, not the one re-created and deleted again', () => {
      const { status, output } = promtoolTestRules(build, {
        rule_files: [],
        evaluation_interval: '30s',
        tests: [
          {
            interval: '30s',
            input_series: [
              series('op-1', 'other', '1x110 stale _x3 1x25'),
              series('op-1', 'quinn', '1x80 2x29 stale _x3 2x25'),
              series('op-2', 'steady', '1x140'),
              series('op-2', 'rex', '1x100 2x2 _x10 2x26'),
            ],
            promql_expr_test: [
              // At T, 180 s after rex's second deletion (the HexaCTF write-up's query listed him: its offset look-up found the first one).
              stuck(EVAL, ['quinn']),
              // At 3900 s rex's second deletion is 8 minutes old: stuck too.
              stuck('65m', ['quinn', 'rex']),
            ],
          },
        ],
      });
      expect(output).not.toContain('FAILED');
      expect(status).toBe(0);
    });
  }
);
