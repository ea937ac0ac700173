import { act, screen } from '@testing-library/react';
import { FieldType, getFieldDisplayValues, type DataFrame } from '@grafana/data';
import { config } from '@grafana/runtime';
import { sceneGraph, type MultiValueVariable } from '@grafana/scenes';
import { BigValueColorMode } from '@grafana/schema';
import { ChallengeState, stateInfo, STATES } from '../../metric/contract';
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
  settle,
} from '../../test/scene-harness';
import { QUANTITY_COLOR } from '../shared/chartColors';
import { LIFETIME_AXIS, lifecycleScene } from './lifecyclePage';
import { TRIAGE_LINK } from './operatorHealth';
import { LIFECYCLE_METRIC_PANELS, MISSING_LIFECYCLE_METRICS_TITLE } from '@hexactf/testing/lifecycle-expectations';

const TTR = 'challenge_time_to_running_seconds_bucket';

describe('Lifecycle page', () => {
  it('asks for the time to Running, lifetimes and transitions of the selected namespace, escaped', async () => {
    const harness = setupHarness();
    harness.labelValues.namespace = ['ctf', 'ctf"}) or vector(1) #'];
    const scene = lifecycleScene(DEFAULT_SETTINGS);
    await renderScene(scene);
    await act(async () =>
      (sceneGraph.lookupVariable('namespace', scene) as MultiValueVariable).changeValueTo(['ctf"}) or vector(1) #'])
    );
    await settle();
    const ns = '{namespace="ctf\\"}) or vector(1) #"}';
    expect(lastQueriesOf(harness, 'time-to-running').map((q) => [q.refId, q.expr, q.range])).toEqual(
      [0.5, 0.9, 0.99].map((q) => [
        `p${Math.round(q * 100)}`,
        `histogram_quantile(${q}, sum by (le) (rate(${TTR}${ns}[$__rate_interval])))`,
        true,
      ])
    );
    expect(lastQueriesOf(harness, 'time-to-running-by-definition')[0]).toMatchObject({
      expr: `histogram_quantile(0.5, sum by (definition, cluster, le) (increase(${TTR}${ns}[$__range])))`,
      instant: true,
      format: 'table',
    });
    // 0 only while the operator exports the metric (not merely while it reports: the original operator has none).
    const exported = (m: string) => `(0 * group(${m}))`;
    expect(lastQueriesOf(harness, 'transitions').map((q) => q.expr)).toEqual([
      `sum(rate(challenge_state_transitions_total{namespace="ctf\\"}) or vector(1) #", from="None"}[$__rate_interval])) * 60 or ${exported('challenge_state_transitions_total')}`,
      `sum(rate(challenge_state_transitions_total{namespace="ctf\\"}) or vector(1) #", to="Error"}[$__rate_interval])) * 60 or ${exported('challenge_state_transitions_total')}`,
      `sum(rate(challenge_lifetime_seconds_count{namespace="ctf\\"}) or vector(1) #"}[$__rate_interval])) * 60 or ${exported('challenge_lifetime_seconds_count')}`,
    ]);
    // The operator's own health is not per namespace; it is per cluster.
    expect(lastQueriesOf(harness, 'reconcile-rate').map((q) => q.expr)).toEqual([
      'sum by (result, cluster) (rate(controller_runtime_reconcile_total{controller="challenge"}[$__rate_interval]))',
      'sum by (cluster) (rate(controller_runtime_reconcile_errors_total{controller="challenge"}[$__rate_interval])) or (0 * group by (cluster) ((controller_runtime_reconcile_total{controller="challenge"} unless ignoring (controller, result, name) (leader_election_master_status == 0))))',
    ]);
    expect(lastQueriesOf(harness, 'work-queue')[0].expr).toBe('sum by (cluster) (workqueue_depth{name="challenge"})');
  });

  it('offers the namespace filter only: the lifecycle metrics have no user or challenge label', async () => {
    setupHarness();
    const scene = lifecycleScene(DEFAULT_SETTINGS);
    await renderScene(scene);
    expect(sceneGraph.lookupVariable('namespace', scene)).not.toBeNull();
    expect(sceneGraph.lookupVariable('user', scene)).toBeNull();
    expect(sceneGraph.lookupVariable('challenge', scene)).toBeNull();
  });

  it('turns the reconcile errors red from 1 and links them to the Triage page', async () => {
    const harness = setupHarness();
    harness.respond = (q) => (q.runner === 'reconcile-errors-in-range' ? [instantNumberFrame('A', 3)] : []);
    const scene = lifecycleScene(DEFAULT_SETTINGS);
    await renderScene(scene);
    const errors = panelTitled(scene, 'Reconcile errors in the range').state.fieldConfig.defaults;
    expect(errors.thresholds?.steps).toEqual([
      { value: -Infinity, color: 'green' },
      { value: 1, color: 'red' },
    ]);
    expect(errors.links).toEqual([{ title: 'Open Triage: the instances in Error', url: TRIAGE_LINK }]);
    expect(TRIAGE_LINK).toMatch(/^\/a\/hexactf-challenges-app\/triage\?/);
    expect(printedNoData('Reconcile errors in the range')).toBeUndefined();
  });

  it('shows the per-definition waits as one table: a row per definition in name order, a column per quantile', async () => {
    const harness = setupHarness();
    const answer = (refId: string, scale: number) =>
      prometheusInstantTable(
        [
          // One cluster in the answer: no Cluster column.
          { labels: { definition: 'web-login', cluster: 'a' }, value: 2 * scale },
          { labels: { definition: 'crypto-rsa', cluster: 'a' }, value: 1 * scale },
        ],
        { timeMs: 1, refId, refIdsInResponse: 3 }
      );
    harness.respond = (q) =>
      q.runner === 'time-to-running-by-definition' ? [answer('p50', 1), answer('p90', 10), answer('p99', 100)] : [];
    await renderScene(lifecycleScene(DEFAULT_SETTINGS));
    expect(printedRows('Time to Running per definition')).toEqual([
      ['Definition', 'p50', 'p90', 'p99'],
      ['crypto-rsa', '1 s', '10 s', '1.67 mins'],
      ['web-login', '2 s', '20 s', '3.33 mins'],
    ]);
  });

  it('says so when no instance got Running or ended in the range, while Prometheus has the lifecycle metrics', async () => {
    const harness = setupHarness();
    harness.respond = (q) => (q.runner === 'lifecycle-metrics-presence' ? [instantNumberFrame(q.refId, 1)] : []);
    await renderScene(lifecycleScene(DEFAULT_SETTINGS));
    expect(printedNoData('Time to Running')).toBe('No instance got Running in the range');
    expect(printedNoData('Time to Running per definition')).toBe('No instance got Running in the range');
    expect(printedNoData('Instance lifetime')).toBe('No instance ended in the range');
    expect(printedNoData('Share of instances that ended within each lifetime')).toBe('No instance ended in the range');
    expect(screen.queryByText(/in Prometheus for the time range/)).not.toBeInTheDocument();
  });

  it('without the lifecycle metrics: a notice naming them, and the panels say No data, not that nothing happened', async () => {
    const harness = setupHarness();
    harness.respond = (q) => (q.runner === 'lifecycle-metrics-presence' ? [instantNumberFrame(q.refId, 0)] : []);
    await renderScene(lifecycleScene(DEFAULT_SETTINGS));
    expect(lastQueriesOf(harness, 'lifecycle-metrics-presence').map((q) => q.expr)).toEqual([
      '(count(last_over_time(challenge_time_to_running_seconds_count[$__range])) > bool 0) or vector(0)',
      '(count(last_over_time(challenge_lifetime_seconds_count[$__range])) > bool 0) or vector(0)',
      '(count(last_over_time(challenge_state_transitions_total[$__range])) > bool 0) or vector(0)',
    ]);
    expect(screen.getByText(MISSING_LIFECYCLE_METRICS_TITLE)).toBeInTheDocument();
    for (const title of LIFECYCLE_METRIC_PANELS) {
      expect([title, printedNoData(title)]).toEqual([title, 'No data']);
    }
  });

  it('says No data only on the panels of the metric that is missing', async () => {
    const harness = setupHarness();
    harness.respond = (q) =>
      q.runner === 'lifecycle-metrics-presence' ? [instantNumberFrame(q.refId, q.refId === 'lifetime' ? 0 : 1)] : [];
    await renderScene(lifecycleScene(DEFAULT_SETTINGS));
    expect(screen.getByText('No challenge_lifetime_seconds in Prometheus for the time range')).toBeInTheDocument();
    expect(printedNoData('Instance lifetime')).toBe('No data');
    expect(printedNoData('Time to Running per definition')).toBe('No instance got Running in the range');
  });

  it('shows reconcile errors No data on no colour, and a real 0 still green', async () => {
    const harness = setupHarness();
    harness.respond = (q) => (q.runner === 'reconcile-errors-in-range' ? [instantNumberFrame('A', 0)] : []);
    const scene = lifecycleScene(DEFAULT_SETTINGS);
    await renderScene(scene);
    const theme = config.theme2;
    const panel = panelTitled(scene, 'Reconcile errors in the range');
    expect(panel.state.options).toMatchObject({ colorMode: BigValueColorMode.Background });
    // What Grafana's stat draws without data (its no-value display): the mapping's colour, not the base green.
    const [noData] = getFieldDisplayValues({
      data: [],
      fieldConfig: panel.state.fieldConfig,
      reduceOptions: { calcs: ['lastNotNull'] },
      replaceVariables: (v) => v,
      theme,
    });
    expect(noData.display.text).toBe('No data');
    expect(noData.display.color).toMatch(/^(transparent|rgba\(0, ?0, ?0, ?0\))$/);
    expect(printedColor('Reconcile errors in the range', '0')).toBe(theme.visualization.getColorByName('green'));
  });

  it('draws the lifetimes in the text colour at a modest size, and says No instance ended when every one is NaN', async () => {
    const harness = setupHarness();
    harness.respond = (q) =>
      q.runner === 'lifetime-quantiles'
        ? [instantNumberFrame(q.refId, Number.NaN)]
        : q.runner === 'lifecycle-metrics-presence'
          ? [instantNumberFrame(q.refId, 1)]
          : [];
    const scene = lifecycleScene(DEFAULT_SETTINGS);
    await renderScene(scene);
    expect(panelTitled(scene, 'Instance lifetime').state.options).toMatchObject({
      colorMode: BigValueColorMode.None,
      text: { valueSize: expect.any(Number) },
    });
    expect(
      (panelTitled(scene, 'Instance lifetime').state.options as { text: { valueSize: number } }).text.valueSize
    ).toBeLessThanOrEqual(32);
    expect(printedNoData('Instance lifetime')).toBe('No instance ended in the range');
  });

  it('colours each transition as the state it enters: Failed in Error red, not Pending yellow', async () => {
    const harness = setupHarness();
    const values: Record<string, number> = { opened: 4, failed: 1, deleted: 2 };
    const names: Record<string, string> = { opened: 'Opened', failed: 'Failed (to Error)', deleted: 'Deleted' };
    harness.respond = (q) =>
      q.runner === 'transitions' ? [rangeFrame(q.refId, [values[q.refId]], names[q.refId])] : [];
    await renderScene(lifecycleScene(DEFAULT_SETTINGS));
    const color = (state: ChallengeState) => config.theme2.visualization.getColorByName(stateInfo(state).color);
    expect(printedSeriesColors('Opens, failures and deletions per minute')).toEqual({
      Opened: color(ChallengeState.Pending),
      'Failed (to Error)': color(ChallengeState.Error),
      Deleted: color(ChallengeState.Deleted),
    });
  });

  it('draws the reconcile errors per second in the Error colour, and the other results in no state colour', async () => {
    const harness = setupHarness();
    harness.respond = (q) =>
      q.runner === 'reconcile-rate'
        ? q.refId === 'errors'
          ? [rangeFrame(q.refId, [1], 'errors')]
          : ['error', 'requeue', 'success'].map((result) => rangeFrame(q.refId, [2], result))
        : [];
    await renderScene(lifecycleScene(DEFAULT_SETTINGS));
    const color = (state: ChallengeState) => config.theme2.visualization.getColorByName(stateInfo(state).color);
    const { errors, error, ...others } = printedSeriesColors('Reconciles per second');
    expect([errors, error]).toEqual([color(ChallengeState.Error), color(ChallengeState.Error)]);
    expect(Object.keys(others).sort()).toEqual(['requeue', 'success']);
    for (const c of Object.values(others)) {
      expect(STATES.map((st) => color(st.value))).not.toContain(c);
    }
  });

  it('prints the reconcile errors in the range as a whole number', async () => {
    const harness = setupHarness();
    harness.respond = (q) => (q.runner === 'reconcile-errors-in-range' ? [instantNumberFrame('A', 59.02)] : []);
    await renderScene(lifecycleScene(DEFAULT_SETTINGS));
    expect(printedColor('Reconcile errors in the range', '59')).toBeDefined();
  });

  it('draws the Time to Running steps that have a figure and leaves the NaN windows empty', async () => {
    const harness = setupHarness();
    harness.respond = (q) =>
      q.runner === 'time-to-running' ? [rangeFrame(q.refId, [Number.NaN, 12, Number.NaN, 20], q.refId)] : [];
    await renderScene(lifecycleScene(DEFAULT_SETTINGS));
    const printed = printedRows('Time to Running').flat();
    expect(printed).not.toContain('NaN');
    expect(printed).toEqual(expect.arrayContaining(['12 s', '20 s']));
    // p50, p90, p99 are no states: three shades of the quantity colour, not the classic palette's green, yellow, blue.
    const states = STATES.map((st) => config.theme2.visualization.getColorByName(st.color));
    const colors = Object.values(printedSeriesColors('Time to Running'));
    expect(new Set(colors).size).toBe(3);
    for (const c of colors) {
      expect(states).not.toContain(c);
    }
  });

  it('says No instance got Running when every Time to Running window is NaN, instead of an empty chart', async () => {
    const harness = setupHarness();
    harness.respond = (q) =>
      q.runner === 'time-to-running'
        ? [rangeFrame(q.refId, [Number.NaN, Number.NaN])]
        : q.runner === 'lifecycle-metrics-presence'
          ? [instantNumberFrame(q.refId, 1)]
          : [];
    await renderScene(lifecycleScene(DEFAULT_SETTINGS));
    expect(printedNoData('Time to Running')).toBe('No instance got Running in the range');
  });

  it('lists the lifetime buckets in ascending order as durations, in the quantity colour', async () => {
    const harness = setupHarness();
    // As Prometheus answers: the bounds as strings, in no useful order ("1800" before "300").
    const shares: Array<[string, number]> = [
      ['+Inf', 1],
      ['1800', 0.9],
      ['300', 0.5],
      ['60', 0.2],
      ['86400', 1],
    ];
    harness.respond = (q) =>
      q.runner === 'lifetime-distribution'
        ? [
            prometheusInstantTable(
              shares.map(([le, value]) => ({ labels: { le }, value })),
              { timeMs: 1 }
            ),
          ]
        : [];
    const scene = lifecycleScene(DEFAULT_SETTINGS);
    await renderScene(scene);
    const title = 'Share of instances that ended within each lifetime';
    const [header, ...rows] = printedRows(title);
    const axis = header.indexOf(LIFETIME_AXIS);
    const value = header.indexOf('Value');
    expect(rows.map((r) => [r[axis], r[value]])).toEqual([
      ['≤ 1 m', '20%'],
      ['≤ 5 m', '50%'],
      ['≤ 30 m', '90%'],
      ['≤ 1 d', '100%'],
    ]);
    expect(panelTitled(scene, title).state.options).toMatchObject({ xField: LIFETIME_AXIS });
    const quantity = config.theme2.visualization.getColorByName(QUANTITY_COLOR);
    expect(printedColor(title, '50%')).toBe(quantity);
    const states = STATES.map((st) => config.theme2.visualization.getColorByName(st.color));
    expect(states).not.toContain(quantity);
  });
});

/** A range series frame as the datasource gives it: one value per 30 s step. */
function rangeFrame(refId: string, values: number[], name?: string): DataFrame {
  return {
    refId,
    length: values.length,
    fields: [
      { name: 'Time', type: FieldType.time, config: { interval: 30_000 }, values: values.map((_, i) => i * 30_000) },
      { name: 'Value', type: FieldType.number, config: name ? { displayNameFromDS: name } : {}, values },
    ],
  };
}
