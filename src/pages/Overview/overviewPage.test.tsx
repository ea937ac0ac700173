import { act, screen } from '@testing-library/react';
import { FieldColorModeId, FieldMatcherID, FieldType } from '@grafana/data';
import { sceneGraph, type MultiValueVariable } from '@grafana/scenes';
import { DEFAULT_SETTINGS } from '../../settings/settings';
import {
  TEST_PROMETHEUS,
  lastQueriesOf,
  panelTitled,
  printedColor,
  printedNoData,
  printedRows,
  renderScene,
  setupHarness,
  settle,
  LEGACY_SETTINGS,
  viewStatesText,
  REPORTING_ZERO,
} from '../../test/scene-harness';
import { prometheusInstantTable } from '../../test/prometheus-table';
import { overviewScene } from './overviewPage';

const LEGACY = LEGACY_SETTINGS;
const BY = 'namespace, username, challenge_id, challenge_name, cluster';
const LEGACY_BY = 'namespace, username, challeng_id, challenge_name, cluster';

describe('Overview page', () => {
  it('sends one instant query for the stats and the per-challenge bars: counts per challenge and state, 0 while reporting', async () => {
    const harness = setupHarness();
    await renderScene(overviewScene(DEFAULT_SETTINGS));
    expect(lastQueriesOf(harness, 'state-counts')).toEqual([
      expect.objectContaining({
        refId: 'StateCounts',
        expr: `count_values by (challenge_id, cluster) ("hexactf_state", ${viewStatesText(BY, 'challenge_resource_status', '2h')}) or ${REPORTING_ZERO}`,
        format: 'table',
        instant: true,
        range: false,
        datasourceUid: 'hexactf-prometheus',
      }),
    ]);
    // Nothing else evaluates the instances' last states: the six panels' former queries are gone.
    const window = harness.queries.filter((q) => q.expr.includes('[2h]'));
    expect(new Set(window.map((q) => q.runner))).toEqual(new Set(['state-counts']));
  });

  it('sends per-state range series', async () => {
    const harness = setupHarness();
    await renderScene(overviewScene(DEFAULT_SETTINGS));
    const overTime = lastQueriesOf(harness, 'counts-over-time');
    expect(overTime.map((q) => [q.refId, q.legendFormat, q.range])).toEqual([
      ['Pending', 'Pending', true],
      ['Running', 'Running', true],
      ['Deleted', 'Deleted', true],
      ['Error', 'Error', true],
    ]);
    // $__rate_interval is the Prometheus datasource's own variable: it stays for the datasource to fill in.
    expect(overTime[1].expr).toBe(
      `count(${viewStatesText(BY, 'challenge_resource_status', '$__rate_interval')} == 1) or ${REPORTING_ZERO}`
    );
  });

  it('uses the configured label names (challeng_id) and escapes an odd username filter', async () => {
    const harness = setupHarness();
    const odd = 'o"brien\\x|.*$window';
    harness.labelValues.username = ['alice', odd];
    const scene = overviewScene(LEGACY);
    await renderScene(scene);
    expect(harness.variableQueries.map((q) => q.query)).toEqual([
      'label_values(challenge_resource_status, namespace)',
      'label_values(challenge_resource_status, username)',
      'label_values(challenge_resource_status, challeng_id)',
      'label_values(challenge_resource_status, cluster)',
    ]);
    const user = sceneGraph.lookupVariable('user', scene) as MultiValueVariable;
    await act(async () => user.changeValueTo([odd]));
    await settle();
    expect(lastQueriesOf(harness, 'state-counts')[0].expr).toBe(
      `count_values by (challeng_id, cluster) ("hexactf_state", ${viewStatesText(LEGACY_BY, 'challenge_resource_status{username="o\\"brien\\\\x|.*\\x24window"}', '2h')}) or ${REPORTING_ZERO}`
    );
    await act(async () => user.changeValueTo(['alice', odd]));
    await settle();
    expect(lastQueriesOf(harness, 'state-counts')[0].expr).toContain(
      `challenge_resource_status{username=~"alice|o\\"brien\\\\\\\\x\\\\|\\\\.\\\\*\\\\\\x24window"}[2h]`
    );
  });

  it('sends no value list for "All": with every user of an event in the filter, the queries have no user matcher', async () => {
    const harness = setupHarness();
    harness.labelValues.username = Array.from({ length: 500 }, (_, i) => `player-${i}`);
    const scene = overviewScene(DEFAULT_SETTINGS);
    await renderScene(scene);
    const user = sceneGraph.lookupVariable('user', scene) as MultiValueVariable;
    // The real scenes variable: "All" is selected by default, and its getValue() lists every option.
    expect(user.hasAllValue()).toBe(true);
    expect(user.getValue()).toHaveLength(500);
    const sent = harness.queries.map((q) => q.expr).join('\n');
    expect(sent).not.toContain('player-');
    expect(lastQueriesOf(harness, 'state-counts')[0].expr).toBe(
      `count_values by (challenge_id, cluster) ("hexactf_state", ${viewStatesText(BY, 'challenge_resource_status', '2h')}) or ${REPORTING_ZERO}`
    );
    // Picking one user, then "All" again, goes back to no matcher.
    await act(async () => user.changeValueTo(['player-7']));
    await settle();
    expect(lastQueriesOf(harness, 'state-counts')[0].expr).toContain('username="player-7"');
    await act(async () => user.changeValueTo(['$__all']));
    await settle();
    expect(lastQueriesOf(harness, 'state-counts')[0].expr).not.toContain('player-');
  });

  it('never lets a $window from the URL into PromQL unless it is one of the choices', async () => {
    const harness = setupHarness();
    const scene = overviewScene({ ...DEFAULT_SETTINGS, defaultWindow: '6h' });
    const window = sceneGraph.lookupVariable('window', scene) as MultiValueVariable;
    // What scenes does with ?var-window=... before the page is active: the value is kept without validation.
    window.urlSync!.updateFromUrl({ 'var-window': '1h])) or vector(99) or (x[1h' });
    await renderScene(scene);
    expect(lastQueriesOf(harness, 'state-counts')[0].expr).toBe(
      `count_values by (challenge_id, cluster) ("hexactf_state", ${viewStatesText(BY, 'challenge_resource_status', '6h')}) or ${REPORTING_ZERO}`
    );
    await act(async () => window.changeValueTo('24h'));
    await settle();
    expect(lastQueriesOf(harness, 'state-counts')[0].expr).toContain('[24h]');
  });

  it('queries the datasource chosen in the settings, among several', async () => {
    const harness = setupHarness([TEST_PROMETHEUS, { uid: 'second', name: 'Second' }]);
    await renderScene(overviewScene({ ...DEFAULT_SETTINGS, datasourceUid: 'second' }));
    expect(new Set(harness.queries.map((q) => q.datasourceUid))).toEqual(new Set(['second']));
    expect(screen.queryByText('Configured datasource not found')).not.toBeInTheDocument();
  });

  // Changed on purpose: a stat has no noValue any more. Its query answers 0 while the operator reports, nothing when
  // nothing is known, which the panel shows as "No data", never as 0 (docs/dashboard-semantics.md).
  it('styles each stat: display name and fixed colour by override, colour mode background, No data for no answer', async () => {
    const harness = setupHarness();
    // Two Error instances on two challenges, nothing else, and no reporting 0: the Error stat sums them, the others
    // have nothing known.
    harness.respond = (q) =>
      q.runner === 'state-counts'
        ? [
            prometheusInstantTable(
              [
                { labels: { challenge_id: 'web-1', hexactf_state: '3' }, value: 1 },
                { labels: { challenge_id: 'pwn-2', hexactf_state: '3' }, value: 1 },
              ],
              { timeMs: 1, refId: q.refId }
            ),
          ]
        : [];
    const scene = overviewScene(DEFAULT_SETTINGS);
    await renderScene(scene);
    const error = panelTitled(scene, 'Error');
    expect(error.state.pluginId).toBe('stat');
    expect(error.state.options).toMatchObject({ colorMode: 'background', graphMode: 'none' });
    expect(error.state.fieldConfig.defaults.noValue).toBeUndefined();
    expect(error.state.fieldConfig.overrides).toEqual([
      {
        matcher: { id: FieldMatcherID.byFrameRefID, options: 'Error' },
        properties: [
          { id: 'displayName', value: 'Error' },
          { id: 'color', value: { mode: FieldColorModeId.Fixed, fixedColor: 'red' } },
        ],
      },
    ]);
    // Rendered: the Error count with its name and colour; the others, with no answer, say No data (not 0).
    // (the stat panel shows the number field; its name and colour come from the override)
    expect(printedRows('Error').map((row) => row.at(-1))).toEqual(['Error', '2']);
    expect(printedColor('Error', '2')).toBe('#F2495C');
    expect(printedNoData('Running')).toBe('No data');
  });

  it('derives one row per challenge with its Running and Error counts, 0 where none, from the counts per state', async () => {
    const harness = setupHarness();
    harness.respond = (q) =>
      q.runner === 'state-counts'
        ? [
            prometheusInstantTable(
              [
                { labels: {}, value: 0 },
                { labels: { challenge_id: 'web-1', hexactf_state: '1' }, value: 2 },
                { labels: { challenge_id: 'pwn-2', hexactf_state: '3' }, value: 1 },
                { labels: { challenge_id: 'web-1', hexactf_state: '2' }, value: 5 },
                // Only Pending: a row of zeros, as the per-state sums gave it.
                { labels: { challenge_id: 'rev-3', hexactf_state: '0' }, value: 1 },
              ],
              { timeMs: 1, refId: q.refId }
            ),
          ]
        : [];
    await renderScene(overviewScene(DEFAULT_SETTINGS));
    expect(printedRows('Running and Error instances per challenge')).toEqual([
      ['Challenge', 'Running', 'Error'],
      ['web-1', '2', '0'],
      ['pwn-2', '0', '1'],
      ['rev-3', '0', '0'],
    ]);
    // The stats from the same answer: sums per state, and the reporting 0 where none is in it.
    expect(printedRows('Running').map((row) => row.at(-1))).toEqual(['Running', '2']);
    expect(printedRows('Deleted').map((row) => row.at(-1))).toEqual(['Deleted', '5']);
    expect(printedRows('Error').map((row) => row.at(-1))).toEqual(['Error', '1']);
    expect(printedRows('Pending').map((row) => row.at(-1))).toEqual(['Pending', '1']);
  });

  it('shows 0 in a stat while the operator reports and nothing is in that state', async () => {
    const harness = setupHarness();
    harness.respond = (q) =>
      q.runner === 'state-counts'
        ? [prometheusInstantTable([{ labels: {}, value: 0 }], { timeMs: 1, refId: q.refId })]
        : [];
    await renderScene(overviewScene(DEFAULT_SETTINGS));
    for (const state of ['Pending', 'Running', 'Deleted', 'Error']) {
      expect(printedRows(state).map((row) => row.at(-1))).toEqual([state, '0']);
    }
  });

  it('labels the per-challenge bars by challenge id: x is the string id field, found by its name', async () => {
    const harness = setupHarness();
    harness.respond = (q) =>
      q.runner === 'state-counts'
        ? [
            prometheusInstantTable(
              [
                // Numeric-looking ids and a label the scrape added: x stays the id, the only string field.
                { labels: { challenge_id: '101', job: 'operator', hexactf_state: '1' }, value: 2 },
                { labels: { challenge_id: '101', job: 'operator', hexactf_state: '3' }, value: 1 },
                { labels: { challenge_id: '102', job: 'operator', hexactf_state: '1' }, value: 1 },
              ],
              { timeMs: 1, refId: q.refId }
            ),
          ]
        : [];
    const scene = overviewScene(DEFAULT_SETTINGS);
    await renderScene(scene);
    const bars = panelTitled(scene, 'Running and Error instances per challenge');
    const [frame] = sceneGraph.getData(bars).state.data!.series;
    const { xField } = bars.state.options as { xField: string };
    // As a chart that does not work out display names finds it (field.name), and Grafana's (either).
    const x = frame.fields.find((f) => f.name === xField);
    expect(x?.type).toBe(FieldType.string);
    expect(x?.values).toEqual(['101', '102']);
    expect(frame.fields.filter((f) => f.type === FieldType.string)).toEqual([x]);
    expect(printedRows('Running and Error instances per challenge')).toEqual([
      ['Challenge', 'Running', 'Error'],
      ['101', '2', '1'],
      ['102', '1', '0'],
    ]);
  });

  it('colours and names the per-challenge bars and the series by state', async () => {
    setupHarness();
    const scene = overviewScene(DEFAULT_SETTINGS);
    await renderScene(scene);
    const bars = panelTitled(scene, 'Running and Error instances per challenge');
    expect(bars.state.options).toMatchObject({ xField: 'challenge_id' });
    expect(bars.state.fieldConfig.overrides.map((o) => [o.matcher.options, o.properties[1].value.fixedColor])).toEqual([
      ['Running', 'green'],
      ['Error', 'red'],
    ]);
    const series = panelTitled(scene, 'Instances per state over time');
    expect(series.state.fieldConfig.overrides).toHaveLength(4);
  });

  it('says so when Grafana has no Prometheus datasource, and sends nothing', async () => {
    const harness = setupHarness([]);
    await renderScene(overviewScene(DEFAULT_SETTINGS));
    expect(screen.getByText('No Prometheus datasource')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Add a Prometheus datasource' })).toHaveAttribute(
      'href',
      '/connections/datasources/new'
    );
    expect(screen.getByRole('link', { name: 'app configuration' })).toHaveAttribute(
      'href',
      '/plugins/hexactf-challenges-app'
    );
    expect(harness.queries).toEqual([]);
  });

  it('warns when the configured datasource is gone and queries the one the picker fell back to', async () => {
    const harness = setupHarness([{ uid: 'other-prom', name: 'Other' }]);
    await renderScene(overviewScene(DEFAULT_SETTINGS));
    expect(screen.getByText('Configured datasource not found')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'datasource settings' })).toHaveAttribute(
      'href',
      `/connections/datasources/edit/${TEST_PROMETHEUS.uid}`
    );
    expect(harness.queries.length).toBeGreaterThan(0);
    expect(new Set(harness.queries.map((q) => q.datasourceUid))).toEqual(new Set(['other-prom']));
  });
});
