import { act, fireEvent, screen, within } from '@testing-library/react';
import { EventBusSrv, type PanelMenuItem } from '@grafana/data';
import { config, setAppEvents } from '@grafana/runtime';
import {
  SceneQueryRunner,
  VizPanel,
  VizPanelMenu,
  sceneGraph,
  type EmbeddedScene,
  type SceneObject,
  SceneDataTransformer,
} from '@grafana/scenes';
import { DEFAULT_SETTINGS } from '../../settings/settings';
import {
  TEST_PROMETHEUS,
  lastQueriesOf,
  panelTitled,
  renderScene,
  setupHarness,
  viewStatesText,
  REPORTING_ZERO,
  type SceneHarness,
} from '../../test/scene-harness';
import { prometheusInstantTable } from '../../test/prometheus-table';
import { lifecycleScene } from '../Lifecycle/lifecyclePage';
import { overviewScene } from '../Overview/overviewPage';
import { triageScene } from '../Triage/triagePage';
import { usageScene } from '../Usage/usagePage';
import { userScene } from '../UsersChallenges/userPage';
import { usersChallengesScene } from '../UsersChallenges/usersChallengesPage';

const PAGES: Array<[string, () => EmbeddedScene]> = [
  ['Overview', () => overviewScene(DEFAULT_SETTINGS)],
  ['Users x Challenges', () => usersChallengesScene(DEFAULT_SETTINGS)],
  ['user page', () => userScene(DEFAULT_SETTINGS, 'alice')],
  ['Usage', () => usageScene(DEFAULT_SETTINGS)],
  ['Triage', () => triageScene(DEFAULT_SETTINGS)],
  ['Lifecycle', () => lifecycleScene(DEFAULT_SETTINGS)],
];

const panelsOf = (scene: SceneObject) => sceneGraph.findAllObjects(scene, (o) => o instanceof VizPanel) as VizPanel[];

/** Opens the panel's menu the way its renderer does (activating it runs the behaviour that fills it). */
function openMenu(panel: VizPanel): PanelMenuItem[] {
  const menu = panel.state.menu;
  expect(menu).toBeInstanceOf(VizPanelMenu);
  let deactivate = () => {};
  act(() => {
    deactivate = menu!.activate();
  });
  const items = menu!.state.items ?? [];
  act(() => deactivate());
  return items;
}

const item = (items: PanelMenuItem[], text: string) => items.find((i) => i.text === text);

/** The Explore pane a menu's Explore link opens. */
function explorePane(items: PanelMenuItem[]) {
  const href = item(items, 'Explore')?.href ?? '';
  expect(href.startsWith('/explore?')).toBe(true);
  const params = new URLSearchParams(href.slice('/explore?'.length));
  return Object.values(JSON.parse(params.get('panes') ?? '{}'))[0] as {
    datasource: string;
    queries: Array<{ refId: string; expr: string; datasource: { type: string; uid: string } }>;
    range: { from: string; to: string };
  };
}

/** The key of the query runner that feeds a panel (directly or under its transformer). */
function runnerKey(panel: VizPanel): string {
  const data = sceneGraph.getData(panel);
  // A transformer with no source of its own reads its panel's parents' data (the Overview's shared counts).
  const shared = data instanceof SceneDataTransformer && !data.state.$data ? sceneGraph.getData(panel.parent!) : data;
  const runner = shared instanceof SceneQueryRunner ? shared : sceneGraph.findDescendents(shared, SceneQueryRunner)[0];
  return runner?.state.key ?? '';
}

describe('panel menus', () => {
  let harness: SceneHarness;
  beforeEach(() => {
    harness = setupHarness();
  });

  it.each(PAGES)(
    '%s: every panel has a description and the menu, whose Explore carries what it sent',
    async (_, make) => {
      const scene = make();
      await renderScene(scene);
      const panels = panelsOf(scene);
      expect(panels.length).toBeGreaterThan(0);
      for (const panel of panels) {
        const title = panel.state.title;
        expect([title, panel.state.description?.length ?? 0]).not.toEqual([title, 0]);
        const items = openMenu(panel);
        const table = panel.state.pluginId === 'table';
        expect([title, items.map((i) => i.text)]).toEqual([
          title,
          ['View', 'Explore', 'Inspect', 'Copy query', 'Query', ...(table ? ['Download CSV'] : [])],
        ]);
        const sent = lastQueriesOf(harness, runnerKey(panel)).map((q) => ({ refId: q.refId, expr: q.expr }));
        expect(sent.length).toBeGreaterThan(0);
        const pane = explorePane(items);
        expect([title, pane.queries.map((q) => ({ refId: q.refId, expr: q.expr }))]).toEqual([title, sent]);
        expect(pane.datasource).toBe(TEST_PROMETHEUS.uid);
        expect(item(items, 'Query')?.subMenu?.map((s) => s.text)).toEqual(sent.map((q) => `${q.refId}: ${q.expr}`));
      }
    }
  );

  it('renders a menu button on each panel that opens the items', async () => {
    // A panel tells Grafana's app event bus which panel has the user's attention; the real bus, unset in jsdom.
    setAppEvents(new EventBusSrv());
    const scene = triageScene(DEFAULT_SETTINGS);
    await renderScene(scene);
    const button = screen.getByLabelText('Menu for panel Instances in Error');
    await act(async () => fireEvent.click(button));
    const menu = await screen.findByRole('menu');
    for (const text of ['View', 'Explore', 'Inspect', 'Copy query', 'Query', 'Download CSV']) {
      expect(within(menu).getByText(text)).toBeInTheDocument();
    }
    expect(screen.getByLabelText('Menu for panel Deletions not finished after 5m')).toBeInTheDocument();
  });

  it('Explore opens the exact interpolated query on the Prometheus datasource and the page time range', async () => {
    const scene = overviewScene(DEFAULT_SETTINGS);
    await renderScene(scene);
    await act(async () => sceneGraph.getTimeRange(scene).setState({ from: 'now-24h', to: 'now-1h' }));
    const pane = explorePane(openMenu(panelTitled(scene, 'Running')));
    // The stat's query is the page's counts per challenge and state, which the stats and the bars derive from.
    const expr = `count_values by (challenge_id, cluster) ("hexactf_state", ${viewStatesText('namespace, username, challenge_id, challenge_name, cluster', 'challenge_resource_status', '2h')}) or ${REPORTING_ZERO}`;
    expect(pane).toEqual({
      datasource: TEST_PROMETHEUS.uid,
      queries: [{ refId: 'StateCounts', expr, datasource: { type: 'prometheus', uid: TEST_PROMETHEUS.uid } }],
      range: { from: 'now-24h', to: 'now-1h' },
    });
  });

  it("Explore links under Grafana's sub-path when Grafana is served from one, root-relative otherwise", async () => {
    const scene = overviewScene(DEFAULT_SETTINGS);
    await renderScene(scene);
    const exploreHref = () => item(openMenu(panelTitled(scene, 'Running')), 'Explore')?.href ?? '';
    const served = config.appSubUrl;
    try {
      config.appSubUrl = '/grafana';
      expect(exploreHref()).toMatch(/^\/grafana\/explore\?/);
      config.appSubUrl = '';
      expect(exploreHref()).toMatch(/^\/explore\?/);
    } finally {
      config.appSubUrl = served;
    }
  });

  it('Copy query puts the PromQL on the clipboard, each query under its refId when there are several', async () => {
    // jsdom has no clipboard: record what the item writes.
    const copied: string[] = [];
    Object.assign(navigator, { clipboard: { writeText: async (text: string) => void copied.push(text) } });
    const scene = overviewScene(DEFAULT_SETTINGS);
    await renderScene(scene);
    item(openMenu(panelTitled(scene, 'Running')), 'Copy query')?.onClick?.({} as never);
    item(openMenu(panelTitled(scene, 'Instances per state over time')), 'Copy query')?.onClick?.({} as never);
    const last = viewStatesText(
      'namespace, username, challenge_id, challenge_name, cluster',
      'challenge_resource_status',
      '2h'
    );
    const overTime = lastQueriesOf(harness, 'counts-over-time');
    expect(copied).toEqual([
      `count_values by (challenge_id, cluster) ("hexactf_state", ${last}) or ${REPORTING_ZERO}`,
      overTime.map((q) => `# ${q.refId}\n${q.expr}`).join('\n\n'),
    ]);
    expect(overTime.map((q) => q.refId)).toEqual(['Pending', 'Running', 'Deleted', 'Error']);
  });

  it("Download CSV writes the table's rows as the table shows them", async () => {
    harness.respond = (q) =>
      q.runner === 'error-instances'
        ? [
            prometheusInstantTable(
              [
                {
                  labels: { challenge_id: 'web-1', challenge_name: 'web-1-bob', namespace: 'ctf', username: 'bob' },
                  value: 3,
                },
                {
                  labels: { challenge_id: 'pwn-2', challenge_name: 'pwn-2-o', namespace: 'ctf', username: 'o"b' },
                  value: 3,
                },
              ],
              { timeMs: 1_700_000_000_000 }
            ),
          ]
        : [];
    const scene = triageScene(DEFAULT_SETTINGS);
    await renderScene(scene);
    // jsdom has no object URLs: capture the Blob the item hands over.
    const blobs: Blob[] = [];
    URL.createObjectURL = (blob: Blob) => (blobs.push(blob), 'blob:csv');
    URL.revokeObjectURL = () => {};
    const downloaded: string[] = [];
    jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      downloaded.push(this.download);
    });
    item(openMenu(panelTitled(scene, 'Instances in Error')), 'Download CSV')?.onClick?.({} as never);
    expect(downloaded).toEqual(['instances-in-error.csv']);
    const text = await new Promise<string>((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result));
      reader.readAsText(blobs[0]);
    });
    expect(text).toBe(
      [
        '"Namespace","User","Challenge","Name","State"',
        'ctf,bob,web-1,web-1-bob,Error',
        'ctf,"o""b",pwn-2,pwn-2-o,Error',
      ].join('\r\n')
    );
  });
});
