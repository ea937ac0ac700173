/**
 * @jest-environment node
 */
/* The Usage page's queries on the shared promtool series (promtool.series.fixture.ts). */
import { PROMETHEUS_BUILDS } from '@hexactf/testing/prometheus-builds';
import { INFO_METRIC, REQUESTS_METRIC } from '../metric/contract';
import { DEFAULT_SETTINGS } from '../settings/settings';
import { NO_FILTERS, clusterLabelOf, metricPresenceQuery, type QueryFilters, type QuerySettings } from './common';
import {
  DEFINITION_REQUESTS_REF_ID,
  RUNNING_INSTANCES_REF_ID,
  categoryShareQuery,
  definitionRequestsQuery,
  instancesByCategoryQuery,
  peakConcurrentByUserQuery,
  peakDistributionQuery,
  requestsByCategoryQuery,
  requestsByChallengeQuery,
  runningInstancesQuery,
  topUsersQuery,
} from './usage';
import {
  LABEL_SETTINGS,
  caseHelpers,
  describeCases,
  promtoolTestRules,
  substitute,
  type Case,
} from './promtool.fixture';
import { EVAL, ODD_CHALLENGE, ODD_USER, REQUESTS, formatLabels, type Labels } from './promtool.series.fixture';
import { prometheusInstantTable } from '../test/prometheus-table';
import { categoryCounts, requestsBy } from '../transforms/usageCounts';
import { FieldType, type DataFrame } from '@grafana/data';

/**
 * The page's two queries of question 2 at T (runningInstancesQuery, definitionRequestsQuery), for the filters of the
 * cases below: Running with challenge_info, alice and erin on ctf's web-1 (web), a.c on ctf-2's web-1, odd on rev-2
 * (rev), mia on rev-1 (no category); every definition's requests (ctf/web-1 exported by two targets, one sample).
 */
function twoQueries(s: QuerySettings, f: QueryFilters = NO_FILTERS) {
  const L = s.labels;
  const run = (id: string, namespace: string, definition: string, category: string, users: string[]) => ({
    labels: { [L.challengeId]: id, [L.namespace]: namespace, definition, category },
    users: users.filter((u) => !f.username || f.username.includes(u)),
  });
  const all = [
    run('web-1', 'ctf', 'web-1', 'web', ['alice', 'erin']),
    run('web-1', 'ctf-2', 'web-1', 'web', ['a.c']),
    run(ODD_CHALLENGE, 'ctf', 'rev-2', 'rev', [ODD_USER]),
    run('rev-1', 'ctf', 'rev-1', 'uncategorized', ['mia']),
  ];
  const requests = REQUESTS.filter((r) => !r.instance).flatMap((r) =>
    (['cpu', 'memory'] as const).map((resource): [Labels, number] => [
      { [L.namespace]: r.ns, definition: r.definition, resource },
      r[resource],
    ])
  );
  const inNamespace = ([labels]: [Labels, number]) => !f.namespace || f.namespace.includes(labels[L.namespace]);
  return {
    running: all
      .filter((r) => r.users.length > 0)
      .map((r): [Labels, number] => [r.labels, r.users.length])
      .filter(inNamespace),
    requests: requests.filter(inNamespace),
  };
}

/** The filters of the cases that check the page's two queries and what the panels derive from them. */
const TWO_QUERY_FILTERS: Array<Partial<QueryFilters>> = [{}, { username: ['a.c'] }, { namespace: ['ctf-2'] }];

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

    // The page's two queries of question 2: the Running instances per challenge, namespace, definition and category
    // and the definitions' requests, which the panels derive the six cases above from (checked below).
    ...TWO_QUERY_FILTERS.flatMap((filters): Case[] => {
      const { running, requests } = twoQueries(s, f(filters));
      return [
        { expr: runningInstancesQuery(s, f(filters)), exp: running },
        { expr: definitionRequestsQuery(s, f(filters)), exp: requests },
      ];
    }),
  ];
}

describeCases('Usage', cases);

/** The two answers as the Prometheus datasource hands them to the page's runner (two instant tables). */
function answerFrames(answers: { running: Array<[Labels, number]>; requests: Array<[Labels, number]> }): DataFrame[] {
  const table = (refId: string, samples: Array<[Labels, number]>) =>
    prometheusInstantTable(
      samples.map(([labels, value]) => ({ labels, value })),
      { timeMs: 3600000, refId, refIdsInResponse: 2 }
    );
  return [table(RUNNING_INSTANCES_REF_ID, answers.running), table(DEFINITION_REQUESTS_REF_ID, answers.requests)];
}

/** A derived series' samples: its labels and value. */
const seriesSamples = (frames: DataFrame[]) =>
  frames.map((frame): [Labels, number] => {
    const value = frame.fields.find((field) => field.type === FieldType.number)!;
    return [value.labels as Labels, value.values[0]];
  });

/** A derived table's samples: the row's labels and value. */
const tableSamples = (frames: DataFrame[], resource: string) =>
  frames
    .filter((frame) => frame.refId === resource)
    .flatMap((frame) =>
      Array.from({ length: frame.length }, (_, i): [Labels, number] => {
        const labels: Labels = {};
        let value = NaN;
        for (const field of frame.fields) {
          if (field.type === FieldType.string) {
            labels[field.name] = field.values[i];
          } else if (field.type === FieldType.number) {
            value = field.values[i];
          }
        }
        return [labels, value];
      })
    );

const sorted = (samples: Array<[Labels, number]>) =>
  [...samples].sort((a, b) => JSON.stringify(a[0]).localeCompare(JSON.stringify(b[0])));

describe.each(LABEL_SETTINGS)("question 2's panels derived from the page's two queries, with %s", (_name, s) => {
  const { f } = caseHelpers(s);
  const labels = { challengeId: s.labels.challengeId, namespace: s.labels.namespace, cluster: clusterLabelOf(s) };
  const expectedOf = (expr: string) => cases(s).find((c) => c.expr === expr)?.exp;

  it.each(TWO_QUERY_FILTERS)('equal the six queries’ cases (filters %j)', (filters) => {
    const frames = answerFrames(twoQueries(s, f(filters)));
    const derived: Array<[string, Array<[Labels, number]>]> = [
      [instancesByCategoryQuery(s, f(filters)), seriesSamples(categoryCounts(frames, labels, false))],
      [categoryShareQuery(s, f(filters)), seriesSamples(categoryCounts(frames, labels, true))],
      ...(['cpu', 'memory'] as const).flatMap((r): Array<[string, Array<[Labels, number]>]> => [
        [requestsByChallengeQuery(s, r, f(filters)), tableSamples(requestsBy(frames, labels, 'challengeId'), r)],
        [requestsByCategoryQuery(s, r, f(filters)), tableSamples(requestsBy(frames, labels, 'category'), r)],
      ]),
    ];
    let compared = 0;
    for (const [expr, samples] of derived) {
      const expected = expectedOf(expr);
      if (expected) {
        expect(sorted(samples)).toEqual(sorted(expected));
        compared++;
      }
    }
    // Every filter set has at least one of the six queries' cases to equal (all six without filters).
    expect(compared).toBeGreaterThanOrEqual(Object.keys(filters).length === 0 ? 6 : 1);
  });
});

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
    // At T, the page's two queries: both instances Running, web-9's now uncategorized; pwn-9's requests only.
    const ns = { namespace: 'ctf' };
    const running: Array<[Labels, number]> = [
      [{ challenge_id: 'web-9', ...ns, definition: 'web-9', category: 'uncategorized' }, 1],
      [{ challenge_id: 'pwn-9', ...ns, definition: 'pwn-9', category: 'pwn' }, 1],
    ];
    const requested: Array<[Labels, number]> = [
      [{ ...ns, definition: 'pwn-9', resource: 'cpu' }, 2],
      [{ ...ns, definition: 'pwn-9', resource: 'memory' }, 3000],
    ];
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
              expr(
                runningInstancesQuery(s),
                EVAL,
                running.map(([l, v]) => [formatLabels(l), v])
              ),
              expr(
                definitionRequestsQuery(s),
                EVAL,
                requested.map(([l, v]) => [formatLabels(l), v])
              ),
            ],
          },
        ],
      });
      expect(output).not.toContain('FAILED');
      expect(status).toBe(0);
    });

    it('the panels derived from the two queries at T count the instance, not its requests, as the six queries do', () => {
      const frames = answerFrames({ running, requests: requested });
      const labels = { challengeId: 'challenge_id', namespace: 'namespace', cluster: clusterLabelOf(s) };
      expect(tableSamples(requestsBy(frames, labels, 'challengeId'), 'cpu')).toEqual([[{ challenge_id: 'pwn-9' }, 2]]);
      expect(tableSamples(requestsBy(frames, labels, 'category'), 'memory')).toEqual([[{ category: 'pwn' }, 3000]]);
      expect(sorted(seriesSamples(categoryCounts(frames, labels, false)))).toEqual([
        [{ category: 'pwn' }, 1],
        [{ category: 'uncategorized' }, 1],
      ]);
    });
  }
);
