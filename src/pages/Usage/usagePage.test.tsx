import { screen } from '@testing-library/react';
import { FieldType, type DataFrame } from '@grafana/data';
import { config } from '@grafana/runtime';
import { STATES } from '../../metric/contract';
import { CATEGORY_COLORS, QUANTITY_COLOR } from '../shared/chartColors';
import { sceneGraph } from '@grafana/scenes';
import { DEFAULT_SETTINGS } from '../../settings/settings';
import { prometheusInstantTable } from '../../test/prometheus-table';
import {
  instantNumberFrame,
  lastQueriesOf,
  panelTitled,
  printedColor,
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
  it('asks for the peak concurrent instances per user over the range, the top users and the distribution', async () => {
    const harness = setupHarness();
    await renderScene(usageScene(DEFAULT_SETTINGS));
    const peak = `max_over_time((count by (username, cluster) (${newest(ID)} == 1))[$__range:30s])`;
    expect(lastQueriesOf(harness, 'peak-per-user')).toEqual([
      expect.objectContaining({ expr: peak, instant: true, format: 'table' }),
    ]);
    expect(lastQueriesOf(harness, 'top-users')).toEqual([
      expect.objectContaining({ expr: `topk(10, ${peak})`, instant: true, legendFormat: '{{username}}' }),
    ]);
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
    for (const key of ['peak-per-user', 'top-users', 'peak-distribution']) {
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

  it('asks for instances and CPU / memory requests per challenge and category, with challeng_id', async () => {
    const harness = setupHarness();
    await renderScene(usageScene(LEGACY));
    // Running now (the only instances whose last state is Running) with their challenge_info and requests now.
    const current = newest(LEGACY_ID);
    const info = `max by (${LEGACY_ID}, definition, category) (challenge_info)`;
    const running = `(label_replace(${info}, "category", "uncategorized", "category", "") and on (${LEGACY_ID}) (${current} == 1))`;
    expect(lastQueriesOf(harness, 'instances-by-category')[0]).toMatchObject({
      expr: `count by (category, cluster) ${running}`,
      legendFormat: '{{category}}',
    });
    const requests = (r: string) =>
      `(${running} * on (namespace, definition, cluster) group_left () max by (namespace, definition, cluster) (challenge_definition_requests{resource="${r}"}))`;
    expect(lastQueriesOf(harness, 'requests-by-challenge')).toEqual([
      expect.objectContaining({
        refId: 'cpu',
        expr: `sum by (challeng_id, cluster) ${requests('cpu')}`,
        format: 'table',
      }),
      expect.objectContaining({
        refId: 'memory',
        expr: `sum by (challeng_id, cluster) ${requests('memory')}`,
        format: 'table',
      }),
    ]);
    expect(lastQueriesOf(harness, 'requests-by-category').map((q) => q.expr)).toEqual([
      `sum by (category, cluster) ${requests('cpu')}`,
      `sum by (category, cluster) ${requests('memory')}`,
    ]);
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

  it('renders requests per challenge with units, merged from the CPU and memory queries', async () => {
    const harness = setupHarness();
    harness.respond = (q) =>
      q.runner === 'requests-by-challenge'
        ? [
            prometheusInstantTable(
              [{ labels: { challenge_id: 'web-1' }, value: q.refId === 'cpu' ? 2.5 : 536870912 }],
              {
                timeMs: 1,
                refId: q.refId,
                refIdsInResponse: 2,
              }
            ),
          ]
        : presence(['info', 'requests'])(q);
    await renderScene(usageScene(DEFAULT_SETTINGS));
    expect(printedRows('Requested by running instances, per challenge')).toEqual([
      ['Challenge', 'CPU requested (cores)', 'Memory requested'],
      ['web-1', '2.50', '512 MiB'],
    ]);
  });

  it('draws each category in a colour of its own that is no state colour, the same in the count and the share', async () => {
    const harness = setupHarness();
    // Answered in no name order: web first.
    const byCategory = (values: Record<string, number>) =>
      Object.entries(values).map(([category, value]) => labelledFrame({ category }, value));
    harness.respond = (q) =>
      q.runner === 'category-share'
        ? byCategory({ web: 0.6, pwn: 0.3, crypto: 0.1 })
        : q.runner === 'instances-by-category'
          ? byCategory({ web: 6, pwn: 3, crypto: 1 })
          : presence(['info', 'requests'])(q);
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
      q.runner === 'top-users'
        ? [labelledFrame({ username: 'alice' }, 2)]
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

/** An instant series as the datasource gives it: its labels on the value field, named by the legend. */
function labelledFrame(labels: Record<string, string>, value: number): DataFrame {
  const name = Object.values(labels)[0];
  return {
    refId: 'A',
    name,
    length: 1,
    fields: [
      { name: 'Time', type: FieldType.time, config: {}, values: [1] },
      { name: 'Value', type: FieldType.number, labels, config: { displayNameFromDS: name }, values: [value] },
    ],
  };
}
