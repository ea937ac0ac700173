/**
 * @jest-environment node
 */
/* The Users x Challenges page's and the user page's queries on the shared promtool series (promtool.series.fixture.ts). */
import { PROMETHEUS_BUILDS } from '@hexactf/testing/prometheus-builds';
import { DEFAULT_SETTINGS } from '../settings/settings';
import { NO_FILTERS, type QuerySettings } from './common';
import { MATRIX_COLUMN_LABEL, matrixQuery, userInstancesQuery } from './users';
import { caseHelpers, describeCases, promtoolTestRules, substitute, type Case } from './promtool.fixture';
import { EVAL, ODD_USER } from './promtool.series.fixture';

function cases(s: QuerySettings): Case[] {
  const { f, inst, cell } = caseHelpers(s);
  return [
    // The matrix source: one sample per instance with the four labels only, and its column: `<challenge id> @ <namespace>`.
    {
      expr: matrixQuery(s),
      exp: [
        [cell('alice', 'web-1'), 1],
        [cell('bob'), 3],
        [cell('carol'), 2],
        [cell('erin'), 1],
        [cell(ODD_USER), 1],
        [cell('a.c'), 1],
        [cell('abc'), 3],
        [cell('judy'), 2],
        [cell('ken'), 2],
        [cell('leo'), 2],
        [cell('mia'), 1],
        [cell('nora'), 1],
      ],
    },
    {
      expr: matrixQuery(s, f({ namespace: ['ctf-2'] })),
      exp: [
        [cell('a.c'), 1],
        [cell('abc'), 3],
      ],
    },
    { expr: userInstancesQuery(s, ODD_USER), exp: [[inst(ODD_USER), 1]] },
    { expr: userInstancesQuery(s, 'a.c'), exp: [[inst('a.c'), 1]] },
    { expr: userInstancesQuery(s, 'alice'), exp: [[inst('alice', 'web-1'), 1]] },
    { expr: userInstancesQuery(s, 'nora'), exp: [[inst('nora'), 1]] },
    { expr: userInstancesQuery(s, 'dave'), exp: [] },
  ];
}

describeCases('Users x Challenges', cases);

describe.each(PROMETHEUS_BUILDS)(
  'the matrix with several namespaces, evaluated by promtool of Prometheus $name',
  (build) => {
    // The same user and challenge id in two namespaces: two instances, two cells.
    const series = (ns: string, value: string) => ({
      series: `challenge_resource_status{job="op", instance="x", namespace="${ns}", challenge_id="web-1", challenge_name="web-1-alice", username="alice"}`,
      values: value,
    });
    const cell = (ns: string, column: string) =>
      `{namespace="${ns}", challenge_id="web-1", challenge_name="web-1-alice", username="alice", ${MATRIX_COLUMN_LABEL}="${column}"}`;

    // The query names every column `<challenge id> @ <namespace>`, whatever the filters offer; the app's matrix drops
    // the namespace when its answer holds one (src/transforms/matrix.ts, singleNamespaceColumns, tested there).
    // Before, the column depended on the filter's options (severalNamespacesShown): a filter offering one namespace
    // while the window reached another merged the two instances into one cell.
    it('names a column per challenge and namespace, decided from the answer, not from the filter', () => {
      const { status, output } = promtoolTestRules(build, {
        rule_files: [],
        evaluation_interval: '30s',
        tests: [
          {
            interval: '30s',
            input_series: [series('ctf', '1x120'), series('ctf-2', '3x120')],
            promql_expr_test: [
              {
                expr: substitute(matrixQuery(DEFAULT_SETTINGS, NO_FILTERS, '30m')),
                eval_time: EVAL,
                exp_samples: [
                  { labels: cell('ctf', 'web-1 @ ctf'), value: 1 },
                  { labels: cell('ctf-2', 'web-1 @ ctf-2'), value: 3 },
                ],
              },
              {
                expr: substitute(matrixQuery(DEFAULT_SETTINGS, { namespace: ['ctf-2'] }, '30m')),
                eval_time: EVAL,
                exp_samples: [{ labels: cell('ctf-2', 'web-1 @ ctf-2'), value: 3 }],
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
