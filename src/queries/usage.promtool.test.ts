/**
 * @jest-environment node
 */
/* The Usage page's queries on the shared promtool series (promtool.series.fixture.ts). */
import { PROMETHEUS_BUILDS } from '@hexactf/testing/prometheus-builds';
import { INFO_METRIC, REQUESTS_METRIC } from '../metric/contract';
import { DEFAULT_SETTINGS } from '../settings/settings';
import { NO_FILTERS, metricPresenceQuery, type QuerySettings } from './common';
import {
  categoryShareQuery,
  instancesByCategoryQuery,
  peakConcurrentByUserQuery,
  peakDistributionQuery,
  requestsByCategoryQuery,
  requestsByChallengeQuery,
  topUsersQuery,
} from './usage';
import { caseHelpers, describeCases, promtoolTestRules, substitute, type Case } from './promtool.fixture';
import { EVAL, ODD_CHALLENGE, ODD_USER, type Labels } from './promtool.series.fixture';

function cases(s: QuerySettings): Case[] {
  const { f, byId, byUser, category } = caseHelpers(s);
  return [
    // Peak concurrent Running instances per user over the hour: alice 2 (600..1470 s); bob, grace, abc never
    // Running; everyone else 1 (dave and nora too: they were Running at some time) (erin's two targets never overlap and count as one instance anyway).
    {
      expr: peakConcurrentByUserQuery(s),
      exp: [
        [byUser('alice'), 2],
        ...['carol', 'dave', 'erin', 'frank', ODD_USER, 'a.c', 'judy', 'ken', 'leo', 'mia', 'nora'].map(
          (u): [Labels, number] => [byUser(u), 1]
        ),
      ],
    },
    { expr: peakConcurrentByUserQuery(s, f({ namespace: ['ctf-2'] })), exp: [[byUser('a.c'), 1]] },
    { expr: topUsersQuery(s, NO_FILTERS, 1), exp: [[byUser('alice'), 2]] },
    {
      expr: peakDistributionQuery(s),
      exp: [
        [{ instances: '2' }, 1],
        [{ instances: '1' }, 11],
      ],
    },

    // Presence of the new operator's additive metrics: present in the input, and a name nothing exports.
    { expr: metricPresenceQuery(INFO_METRIC), exp: [[{}, 1]] },
    { expr: metricPresenceQuery(REQUESTS_METRIC), exp: [[{}, 1]] },
    { expr: metricPresenceQuery('challenge_info_absent'), exp: [[{}, 0]] },

    // Running instances with challenge_info: alice, erin, a.c (web), mia (no category), odd (rev). nora has none.
    {
      expr: instancesByCategoryQuery(s),
      exp: [
        [category('web'), 3],
        [category('uncategorized'), 1],
        [category('rev'), 1],
      ],
    },
    {
      expr: categoryShareQuery(s),
      exp: [
        [category('web'), 0.6],
        [category('uncategorized'), 0.2],
        [category('rev'), 0.2],
      ],
    },
    { expr: instancesByCategoryQuery(s, f({ username: ['a.c'] })), exp: [[category('web'), 1]] },
    // Requests: web-1 = alice 0.5 + erin 0.5 (ctf) + a.c 1.5 (ctf-2's own web-1); rev-1 1; re(v)*2 (rev-2) 0.25.
    {
      expr: requestsByChallengeQuery(s, 'cpu'),
      exp: [
        [byId('web-1'), 2.5],
        [byId('rev-1'), 1],
        [byId(ODD_CHALLENGE), 0.25],
      ],
    },
    {
      expr: requestsByChallengeQuery(s, 'memory'),
      exp: [
        [byId('web-1'), 2 * 268435456 + 100000000],
        [byId('rev-1'), 536870912],
        [byId(ODD_CHALLENGE), 134217728],
      ],
    },
    { expr: requestsByChallengeQuery(s, 'cpu', f({ namespace: ['ctf-2'] })), exp: [[byId('web-1'), 1.5]] },
    {
      expr: requestsByCategoryQuery(s, 'cpu'),
      exp: [
        [category('web'), 2.5],
        [category('uncategorized'), 1],
        [category('rev'), 0.25],
      ],
    },
    {
      expr: requestsByCategoryQuery(s, 'memory'),
      exp: [
        [category('web'), 2 * 268435456 + 100000000],
        [category('uncategorized'), 536870912],
        [category('rev'), 134217728],
      ],
    },
  ];
}

describeCases('Usage', cases);

describe.each(PROMETHEUS_BUILDS)(
  'requests of a definition deleted while its instance runs, evaluated by promtool of Prometheus $name',
  (build) => {
    // pat runs an instance of web-9 and one of pwn-9 throughout. web-9's definition is deleted at 2400 s: the operator
    // stops exporting its requests and renders pat's challenge_info again without a category (the definition held it).
    const labels = (id: string) => `namespace="ctf", challenge_id="${id}", challenge_name="${id}-pat", username="pat"`;
    const target = 'job="op", instance="x"';
    const requests = (definition: string, category: string, cpu: string, memory: string) => [
      {
        series: `challenge_definition_requests{${target}, namespace="ctf", definition="${definition}", category="${category}", resource="cpu"}`,
        values: cpu,
      },
      {
        series: `challenge_definition_requests{${target}, namespace="ctf", definition="${definition}", category="${category}", resource="memory"}`,
        values: memory,
      },
    ];
    const input = [
      { series: `challenge_resource_status{${target}, ${labels('web-9')}}`, values: '1x120' },
      { series: `challenge_resource_status{${target}, ${labels('pwn-9')}}`, values: '1x120' },
      {
        series: `challenge_info{${target}, ${labels('web-9')}, definition="web-9", category="web"}`,
        values: '1x79 stale',
      },
      { series: `challenge_info{${target}, ${labels('web-9')}, definition="web-9"}`, values: '_x80 1x40' },
      { series: `challenge_info{${target}, ${labels('pwn-9')}, definition="pwn-9", category="pwn"}`, values: '1x120' },
      ...requests('web-9', 'web', '0.5x79 stale', '1000x79 stale'),
      ...requests('pwn-9', 'pwn', '2x120', '3000x120'),
    ];
    const s = DEFAULT_SETTINGS;
    const expr = (q: string, at: string, exp: Array<[string, number]>) => ({
      expr: substitute(q),
      eval_time: at,
      exp_samples: exp.map(([l, value]) => ({ labels: l, value })),
    });

    it('counts its requests while the definition exports them, then no longer (they are unknown); the instance stays, uncategorized', () => {
      const { status, output } = promtoolTestRules(build, {
        rule_files: [],
        evaluation_interval: '30s',
        tests: [
          {
            interval: '30s',
            input_series: input,
            promql_expr_test: [
              // At 2100 s, before the deletion.
              expr(requestsByChallengeQuery(s, 'cpu'), '2100s', [
                ['{challenge_id="web-9"}', 0.5],
                ['{challenge_id="pwn-9"}', 2],
              ]),
              expr(requestsByCategoryQuery(s, 'memory'), '2100s', [
                ['{category="web"}', 1000],
                ['{category="pwn"}', 3000],
              ]),
              expr(instancesByCategoryQuery(s), '2100s', [
                ['{category="web"}', 1],
                ['{category="pwn"}', 1],
              ]),
              // At T, 20 minutes after it, within the 30 m window: web-9's requests are gone although its last
              // sample (2370 s) is in the window; pat's web-9 instance is still Running, now uncategorized.
              expr(requestsByChallengeQuery(s, 'cpu'), EVAL, [['{challenge_id="pwn-9"}', 2]]),
              expr(requestsByCategoryQuery(s, 'memory'), EVAL, [['{category="pwn"}', 3000]]),
              expr(instancesByCategoryQuery(s), EVAL, [
                ['{category="uncategorized"}', 1],
                ['{category="pwn"}', 1],
              ]),
            ],
          },
        ],
      });
      expect(output).not.toContain('FAILED');
      expect(status).toBe(0);
    });
  }
);
