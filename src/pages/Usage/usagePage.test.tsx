import { screen } from '@testing-library/react';
import { FieldType, type DataFrame } from '@grafana/data';
import { config } from '@grafana/runtime';
import { STATES } from '../../metric/contract';
import { CATEGORY_COLORS, QUANTITY_COLOR } from '../shared/chartColors';
import { sceneGraph, type SceneObject } from '@grafana/scenes';
import { DEFAULT_SETTINGS } from '../../settings/settings';
import { prometheusInstantTable } from '../../test/prometheus-table';
import {
  instantNumberFrame,
  lastQueriesOf,
  panelTitled,
  printedColor,
  printedDisplayValues,
  printedNoData,
  printedRows,
  printedSeriesColors,
  renderScene,
  setupHarness,
  type SentQuery,
  LEGACY_SETTINGS,
} from '../../test/scene-harness';
import { usageScene } from './usagePage';
import { recordingRulesDetector } from '../../data/recordingRules';
import {
  DEFINITION_REQUESTS_REF_ID,
  RUNNING_INSTANCES_REF_ID,
  categoryShareQuery,
  instancesByCategoryQuery,
  peakConcurrentByUserQuery,
  requestsByCategoryQuery,
} from '../../queries/usage';
import { panelJson } from '../shared/inspect/panelJson';
import { panelQueries } from '../shared/panelQueries';

const LEGACY = LEGACY_SETTINGS;
const ID = 'namespace, username, challenge_id, challenge_name, cluster';
const LEGACY_ID = 'namespace, username, challeng_id, challenge_name, cluster';

/** Presence answers: 1 for the metrics listed as present, 0 for the others. */
const presence = (present: string[]) => (q: SentQuery) =>
  q.runner === 'usage-metrics-presence' ? [instantNumberFrame(q.refId, present.includes(q.refId) ? 1 : 0)] : [];

/** Each instance's newest sample (src/queries/common.ts, currentStates). */
const newest = (id: string, m = 'challenge_resource_status') =>
  `(max by (${id}) (round(timestamp(${m}) * 1000) * 4 + (${m} >= 0 < 4)) % 4)`;

describe('Usage page', () => {
  it('asks for the peak concurrent instances per user over the range and the distribution: no topk of its own', async () => {
    const harness = setupHarness();
    await renderScene(usageScene(DEFAULT_SETTINGS));
    const peak = `max_over_time((count by (username, cluster) (${newest(ID)} == 1))[$__range:30s])`;
    expect(lastQueriesOf(harness, 'peak-per-user')).toEqual([
      expect.objectContaining({ expr: peak, instant: true, format: 'table' }),
    ]);
    // The top users are the table's peaks: the topk of the same peaks is not sent.
    expect(harness.queries.filter((q) => q.expr.includes('topk'))).toEqual([]);
    expect(lastQueriesOf(harness, 'peak-distribution')).toEqual([
      expect.objectContaining({ expr: `count_values("instances", ${peak})`, format: 'table' }),
    ]);
  });

  it('sends each peak query once: no second run of the same form', async () => {
    // The raw form names $__interval and the rule form does not: that alone must not look like new inputs. The
    // rules not yet known, as on a page's first load: the rule form goes out beside the check.
    const harness = setupHarness();
    recordingRulesDetector.clear();
    await renderScene(usageScene(DEFAULT_SETTINGS));
    for (const key of ['peak-per-user', 'peak-distribution']) {
      const sent = harness.queries.filter((q) => q.runner === key).map((q) => q.expr);
      expect(sent.length).toBeGreaterThan(0);
      expect(new Set(sent).size).toBe(sent.length);
      // No rules in this Prometheus: the raw form is what the panel shows.
      expect(sent.at(-1)).not.toContain('hexactf:user_running_instances:count');
    }
  });

  it('lists each user with their peak, largest first', async () => {
    const harness = setupHarness();
    harness.respond = (q) =>
      q.runner === 'peak-per-user'
        ? [
            prometheusInstantTable(
              [
                { labels: { username: 'bob' }, value: 1 },
                { labels: { username: 'alice' }, value: 3 },
              ],
              { timeMs: 1 }
            ),
          ]
        : [];
    await renderScene(usageScene(DEFAULT_SETTINGS));
    expect(printedRows('Peak concurrent instances per user')).toEqual([
      ['User', 'Peak instances'],
      ['alice', '3'],
      ['bob', '1'],
    ]);
  });

  it('orders users with the same peak by name, whatever order Prometheus answers in', async () => {
    const harness = setupHarness();
    const answer = ['frank', 'carol', 'erin', 'bob'].map((username) => ({ labels: { username }, value: 1 }));
    harness.respond = (q) =>
      q.runner === 'peak-per-user'
        ? [prometheusInstantTable([...answer, { labels: { username: 'zed' }, value: 2 }], { timeMs: 1 })]
        : [];
    await renderScene(usageScene(DEFAULT_SETTINGS));
    expect(printedRows('Peak concurrent instances per user').map((r) => r[0])).toEqual([
      'User',
      'zed',
      'bob',
      'carol',
      'erin',
      'frank',
    ]);
  });

  it('draws the top users by peak, then by name, at most ten, from the peak per user (whatever order it came in)', async () => {
    const harness = setupHarness();
    // Twelve users: three at 7 and seven at 1 (a tie at the tenth place), and two above; in no order.
    const peaks: Array<[string, number]> = [
      ['shellwizard', 7],
      ['null_smith18', 7],
      ['zoe', 1],
      ['shellcrab', 7],
      ['mallory', 1],
      ['ivan', 9],
      ['bob', 1],
      ['heidi', 1],
      ['judy', 1],
      ['alice', 1],
      ['grace', 1],
      ['dave', 12],
    ];
    harness.respond = (q) =>
      q.runner === 'peak-per-user'
        ? [
            prometheusInstantTable(
              peaks.map(([username, value]) => ({ labels: { username }, value })),
              { timeMs: 1 }
            ),
          ]
        : [];
    const scene = usageScene(DEFAULT_SETTINGS);
    await renderScene(scene);
    expect(printedDisplayValues('Top users by peak concurrent instances')).toEqual([
      ['dave', '12'],
      ['ivan', '9'],
      ['null_smith18', '7'],
      ['shellcrab', '7'],
      ['shellwizard', '7'],
      ['alice', '1'],
      ['bob', '1'],
      ['grace', '1'],
      ['heidi', '1'],
      ['judy', '1'],
    ]);
    expect(harness.queries.filter((q) => q.expr.includes('topk'))).toEqual([]);
    // The menu, Explore and Inspect say the query the panel's bars come from: the table's.
    const peak = panelQueries(panelTitled(scene, 'Peak concurrent instances per user'));
    expect(peak).toHaveLength(1);
    expect(panelQueries(panelTitled(scene, 'Top users by peak concurrent instances'))).toEqual(peak);
    expect(panelJson(panelTitled(scene, 'Top users by peak concurrent instances'))).toMatchObject({
      targets: [expect.objectContaining({ expr: peakConcurrentByUserQuery(DEFAULT_SETTINGS), format: 'table' })],
      transformations: expect.arrayContaining([{ id: 'limit', options: { limitField: 10 } }]),
      options: expect.objectContaining({ reduceOptions: expect.objectContaining({ values: true }) }),
    });
  });

  it("asks for the Running instances and the definitions' requests: two queries for question 2, not six", async () => {
    const harness = setupHarness();
    await renderScene(usageScene(LEGACY));
    // Running now (the only instances whose last state is Running) with their challenge_info and requests now.
    const current = newest(LEGACY_ID);
    const info = `max by (${LEGACY_ID}, definition, category) (challenge_info)`;
    const running = `(label_replace(${info}, "category", "uncategorized", "category", "") and on (${LEGACY_ID}) (${current} == 1))`;
    expect(lastQueriesOf(harness, 'capacity')).toEqual([
      expect.objectContaining({
        refId: RUNNING_INSTANCES_REF_ID,
        expr: `count by (challeng_id, namespace, definition, category, cluster) ${running}`,
        instant: true,
        format: 'table',
      }),
      expect.objectContaining({
        refId: DEFINITION_REQUESTS_REF_ID,
        expr: 'max by (namespace, definition, cluster, resource) (challenge_definition_requests{resource=~"cpu|memory"})',
        instant: true,
        format: 'table',
      }),
    ]);
    // Question 2's queries (challenge_info or the requests, bar the notices' checks of the metrics and the
    // operator): these two, in one request.
    const checks = ['usage-metrics-presence', 'legacy-operator'];
    const question2 = harness.queries.filter(
      (q) => !checks.includes(q.runner) && /challenge_info|challenge_definition_requests/.test(q.expr)
    );
    expect(new Set(question2.map((q) => q.runner))).toEqual(new Set(['capacity']));
    expect(lastQueriesOf(harness, 'capacity')).toHaveLength(2);
    expect(lastQueriesOf(harness, 'usage-metrics-presence')).toEqual([
      expect.objectContaining({
        refId: 'info',
        expr: '(count(last_over_time(challenge_info[2h])) > bool 0) or vector(0)',
      }),
      expect.objectContaining({
        refId: 'requests',
        expr: '(count(last_over_time(challenge_definition_requests[2h])) > bool 0) or vector(0)',
      }),
    ]);
  });

  it("shows each category's instances and share and the requests per challenge and category from the two answers", async () => {
    const harness = setupHarness();
    // ctf-2 defines web-1 with requests of its own; pwn-1 requests CPU only (no memory: no memory for its instance).
    harness.respond = (q) =>
      capacity(
        q,
        [
          [run('web-1', 'ctf', 'web-1', 'web'), 2],
          [run('web-1', 'ctf-2', 'web-1', 'web'), 1],
          [run('re(v)*2', 'ctf', 'rev-2', 'rev'), 1],
          [run('rev-1', 'ctf', 'rev-1', 'uncategorized'), 1],
          [run('pwn-1', 'ctf', 'pwn-1', 'pwn'), 1],
        ],
        [
          ...requests('ctf', 'web-1', 0.5, 268435456),
          ...requests('ctf-2', 'web-1', 1.5, 100000000),
          ...requests('ctf', 'rev-2', 0.25, 134217728),
          ...requests('ctf', 'rev-1', 1, 536870912),
          [{ namespace: 'ctf', definition: 'pwn-1', resource: 'cpu' }, 2],
        ]
      ) ?? presence(['info', 'requests'])(q);
    const scene = usageScene(DEFAULT_SETTINGS);
    await renderScene(scene);
    // What instancesByCategoryQuery and categoryShareQuery gave: a series per category, named by it.
    expect(seriesOf(scene, 'Running instances per category')).toEqual({ web: 3, rev: 1, uncategorized: 1, pwn: 1 });
    expect(seriesOf(scene, 'Share of running instances per category')).toEqual({
      web: 3 / 6,
      rev: 1 / 6,
      uncategorized: 1 / 6,
      pwn: 1 / 6,
    });
    expect(Object.keys(printedSeriesColors('Running instances per category')).sort()).toEqual([
      'pwn',
      'rev',
      'uncategorized',
      'web',
    ]);
    // What requestsByChallengeQuery and requestsByCategoryQuery gave per resource, merged: web-1 0.5 x 2 + 1.5.
    expect(printedRows('Requested by running instances, per challenge')).toEqual([
      ['Challenge', 'CPU requested (cores)', 'Memory requested'],
      ['web-1', '2.50', '607 MiB'],
      ['pwn-1', '2', ''],
      ['rev-1', '1', '512 MiB'],
      ['re(v)*2', '0.250', '128 MiB'],
    ]);
    expect(printedRows('Requested by running instances, per category')).toEqual([
      ['Category', 'CPU requested (cores)', 'Memory requested'],
      ['web', '2.50', '607 MiB'],
      ['pwn', '2', ''],
      ['uncategorized', '1', '512 MiB'],
      ['rev', '0.250', '128 MiB'],
    ]);
  });

  it("shows the page's two queries as each panel's (Explore, Inspect); Panel JSON gives the panel on its own", async () => {
    const harness = setupHarness();
    const scene = usageScene(DEFAULT_SETTINGS);
    await renderScene(scene);
    const sent = lastQueriesOf(harness, 'capacity').map((q) => `${q.refId}: ${q.expr}`);
    expect(sent).toHaveLength(2);
    const question2 = [
      'Running instances per category',
      'Share of running instances per category',
      'Requested by running instances, per challenge',
      'Requested by running instances, per category',
    ];
    for (const title of question2) {
      expect([title, panelQueries(panelTitled(scene, title)).map((q) => `${q.refId}: ${q.expr}`)]).toEqual([
        title,
        sent,
      ]);
    }
    // A dashboard cannot hold the steps that derive the panels: Panel JSON writes each with its own queries.
    expect(panelJson(panelTitled(scene, 'Running instances per category'))).toMatchObject({
      targets: [{ refId: 'A', expr: instancesByCategoryQuery(DEFAULT_SETTINGS), legendFormat: '{{category}}' }],
    });
    expect(panelJson(panelTitled(scene, 'Share of running instances per category'))).toMatchObject({
      targets: [{ refId: 'A', expr: categoryShareQuery(DEFAULT_SETTINGS) }],
    });
    const perCategory = panelJson(panelTitled(scene, 'Requested by running instances, per category'));
    expect(perCategory.targets).toEqual([
      expect.objectContaining({
        refId: 'cpu',
        expr: requestsByCategoryQuery(DEFAULT_SETTINGS, 'cpu'),
        format: 'table',
      }),
      expect.objectContaining({ refId: 'memory', expr: requestsByCategoryQuery(DEFAULT_SETTINGS, 'memory') }),
    ]);
    expect(perCategory.transformations?.map((t) => t.id)).toEqual(['merge', 'organize', 'sortBy', 'sortBy']);
  });

  it('says which metrics are missing when Prometheus has neither (the original operator)', async () => {
    const harness = setupHarness();
    harness.respond = presence([]);
    const scene = usageScene(DEFAULT_SETTINGS);
    await renderScene(scene);
    expect(screen.getByText('No challenge_info or challenge_definition_requests in Prometheus')).toBeInTheDocument();
    expect(printedNoData('Running instances per category')).toMatch(/needs challenge_info/);
    expect(panelTitled(scene, 'Share of running instances per category').state.fieldConfig.defaults.unit).toBe(
      'percentunit'
    );
  });

  it('names only the missing one', async () => {
    const harness = setupHarness();
    harness.respond = presence(['info']);
    await renderScene(usageScene(DEFAULT_SETTINGS));
    expect(screen.getByText('No challenge_definition_requests in Prometheus')).toBeInTheDocument();
  });

  it('says nothing when both are there', async () => {
    const complete = setupHarness();
    complete.respond = presence(['info', 'requests']);
    await renderScene(usageScene(DEFAULT_SETTINGS));
    expect(screen.queryByText(/in Prometheus$/)).not.toBeInTheDocument();
  });

  it('draws the peak distribution as upright bars per peak, in order, each axis named, no one-series legend', async () => {
    const harness = setupHarness();
    harness.respond = (q) =>
      q.runner === 'peak-distribution'
        ? [
            prometheusInstantTable(
              [
                { labels: { instances: '2' }, value: 4 },
                { labels: { instances: '10' }, value: 1 },
                { labels: { instances: '1' }, value: 7 },
              ],
              { timeMs: 1 }
            ),
          ]
        : [];
    const scene = usageScene(DEFAULT_SETTINGS);
    await renderScene(scene);
    const title = 'Users by their peak concurrent instances';
    // x: the peaks as numbers order them (a string sort puts 10 before 2), as the string field the bar chart needs.
    expect(printedRows(title)).toEqual([
      ['Instances at once', 'Users'],
      ['1', '7'],
      ['2', '4'],
      ['10', '1'],
    ]);
    const panel = panelTitled(scene, title);
    const frame = sceneGraph.getData(panel).state.data!.series[0];
    expect(frame.fields.map((f) => f.type)).toEqual([FieldType.string, FieldType.number]);
    // The x field named as the frame names it (the peak label), so a chart finds it with or without display names.
    expect(frame.fields[0].name).toBe((panel.state.options as { xField: string }).xField);
    expect(panel.state.options).toMatchObject({
      orientation: 'vertical',
      legend: { showLegend: false },
    });
    // The axes' labels: the value axis counts users, the x axis the instances at once.
    const [shown] = panel.applyFieldConfig(sceneGraph.getData(panel).state.data).series;
    expect(shown.fields.map((f) => (f.config.custom as { axisLabel?: string }).axisLabel)).toEqual([
      'Instances at once',
      'Users',
    ]);
  });

  it('renders requests per challenge with units, merged from the CPU and memory requests', async () => {
    const harness = setupHarness();
    harness.respond = (q) =>
      capacity(q, [[run('web-1', 'ctf', 'web-1', 'web'), 2]], requests('ctf', 'web-1', 1.25, 268435456)) ??
      presence(['info', 'requests'])(q);
    await renderScene(usageScene(DEFAULT_SETTINGS));
    expect(printedRows('Requested by running instances, per challenge')).toEqual([
      ['Challenge', 'CPU requested (cores)', 'Memory requested'],
      ['web-1', '2.50', '512 MiB'],
    ]);
  });

  it('draws each category in a colour of its own that is no state colour, the same in the count and the share', async () => {
    const harness = setupHarness();
    // Answered in no name order: web first.
    const counts = { web: 6, pwn: 3, crypto: 1 };
    harness.respond = (q) =>
      capacity(
        q,
        Object.entries(counts).map(([c, n]): [Record<string, string>, number] => [
          run(`${c}-1`, 'ctf', `${c}-1`, c),
          n,
        ]),
        []
      ) ?? presence(['info', 'requests'])(q);
    await renderScene(usageScene(DEFAULT_SETTINGS));
    const resolve = (c: string) => config.theme2.visualization.getColorByName(c);
    const states = STATES.map((st) => resolve(st.color));
    const share = printedSeriesColors('Share of running instances per category');
    const count = printedSeriesColors('Running instances per category');
    expect(share).toEqual({
      crypto: resolve(CATEGORY_COLORS[0]),
      pwn: resolve(CATEGORY_COLORS[1]),
      web: resolve(CATEGORY_COLORS[2]),
    });
    expect(count).toEqual(share);
    for (const color of Object.values(share)) {
      expect(states).not.toContain(color);
    }
  });

  it('draws the top users and the peak distribution in the quantity colour, not Running green', async () => {
    const harness = setupHarness();
    harness.respond = (q) =>
      q.runner === 'peak-per-user'
        ? [prometheusInstantTable([{ labels: { username: 'alice' }, value: 2 }], { timeMs: 1 })]
        : q.runner === 'peak-distribution'
          ? [prometheusInstantTable([{ labels: { instances: '2' }, value: 4 }], { timeMs: 1 })]
          : [];
    await renderScene(usageScene(DEFAULT_SETTINGS));
    const quantity = config.theme2.visualization.getColorByName(QUANTITY_COLOR);
    expect(STATES.map((st) => config.theme2.visualization.getColorByName(st.color))).not.toContain(quantity);
    expect(printedColor('Top users by peak concurrent instances', '2')).toBe(quantity);
    expect(printedColor('Users by their peak concurrent instances', '4')).toBe(quantity);
  });
});

/** The labels of runningInstancesQuery's sample of a challenge id, namespace, definition and category. */
const run = (challenge_id: string, namespace: string, definition: string, category: string) => ({
  challenge_id,
  namespace,
  definition,
  category,
});

/** definitionRequestsQuery's samples of a definition. */
const requests = (namespace: string, definition: string, cpu: number, memory: number): Array<[Labels, number]> => [
  [{ namespace, definition, resource: 'cpu' }, cpu],
  [{ namespace, definition, resource: 'memory' }, memory],
];

type Labels = Record<string, string>;

/** The page's answer to its two queries of question 2 (instant tables, two refIds in the response), else undefined. */
function capacity(
  q: SentQuery,
  running: Array<[Labels, number]>,
  requested: Array<[Labels, number]>
): DataFrame[] | undefined {
  if (q.runner !== 'capacity') {
    return undefined;
  }
  const samples = q.refId === RUNNING_INSTANCES_REF_ID ? running : requested;
  return [
    prometheusInstantTable(
      samples.map(([labels, value]) => ({ labels, value })),
      { timeMs: 1, refId: q.refId, refIdsInResponse: 2 }
    ),
  ];
}

/** Each series a panel gets: its name (as the legend names it) and its value. */
function seriesOf(scene: SceneObject, title: string): Record<string, number> {
  const frames = sceneGraph.getData(panelTitled(scene, title)).state.data?.series ?? [];
  return Object.fromEntries(
    frames.map((frame) => {
      const value = frame.fields.find((f) => f.type === FieldType.number)!;
      return [value.config.displayNameFromDS ?? frame.name, value.values[0]];
    })
  );
}
