import { act, fireEvent, screen, within } from '@testing-library/react';
import { EventBusSrv, type PanelMenuItem } from '@grafana/data';
import { locationService, setAppEvents } from '@grafana/runtime';
import { VizPanel, sceneGraph, type EmbeddedScene, type SceneObject } from '@grafana/scenes';
import { NO_FILTERS } from '../../../queries/common';
import { errorInstancesQuery } from '../../../queries/triage';
import { DEFAULT_SETTINGS } from '../../../settings/settings';
import { prometheusInstantTable } from '../../../test/prometheus-table';
import {
  lastQueriesOf,
  panelSection,
  panelTitled,
  setupHarness,
  settle,
  type SceneHarness,
} from '../../../test/scene-harness';
import { renderUrlSyncedPage } from '../../../test/url-sync';
import { lifecycleScene } from '../../Lifecycle/lifecyclePage';
import { overviewScene } from '../../Overview/overviewPage';
import { triageScene } from '../../Triage/triagePage';
import { usageScene } from '../../Usage/usagePage';
import { userScene } from '../../UsersChallenges/userPage';
import { usersChallengesScene } from '../../UsersChallenges/usersChallengesPage';

const PAGES: Array<[string, () => EmbeddedScene]> = [
  ['Overview', () => overviewScene(DEFAULT_SETTINGS)],
  ['Users x Challenges', () => usersChallengesScene(DEFAULT_SETTINGS)],
  ['user page', () => userScene(DEFAULT_SETTINGS, 'o"b/x#1')],
  ['Usage', () => usageScene(DEFAULT_SETTINGS)],
  ['Triage', () => triageScene(DEFAULT_SETTINGS)],
  ['Lifecycle', () => lifecycleScene(DEFAULT_SETTINGS)],
];

const ERROR_PANEL = 'Instances in Error';
const ERROR_PANEL_KEY = 'panel-instances-in-error';

const renderPage = renderUrlSyncedPage;

const urlParam = (name: string) => locationService.getSearch().get(name);

const drawer = () => screen.queryByRole('heading', { name: /^Inspect: / });

function activeTab(): string | undefined {
  return screen
    .getAllByRole('tab')
    .find((tab) => tab.getAttribute('aria-selected') === 'true')
    ?.textContent?.trim();
}

/** The panel's menu items as its menu fills them when opened. */
function menuItems(panel: VizPanel): PanelMenuItem[] {
  const menu = panel.state.menu!;
  let deactivate = () => {};
  act(() => {
    deactivate = menu.activate();
  });
  const items = menu.state.items ?? [];
  act(() => deactivate());
  return items;
}

const item = (items: PanelMenuItem[] | undefined, text: string) => items?.find((i) => i.text === text);

async function click(menuItem: PanelMenuItem | undefined) {
  expect(menuItem?.onClick).toBeDefined();
  await act(async () => menuItem!.onClick!({} as never));
  await settle(2);
}

async function goBack() {
  await act(async () => locationService.getHistory().goBack());
  await settle(2);
}

/** The cells of an HTML table, row by row, header first. */
const tableRows = (table: HTMLElement) =>
  [...table.querySelectorAll('tr')].map((tr) => [...tr.querySelectorAll('th,td')].map((c) => c.textContent ?? ''));

/** Captures what downloadText hands the browser: the file names and the Blobs' text. */
function captureDownloads() {
  const blobs: Blob[] = [];
  const names: string[] = [];
  // jsdom has no object URLs and does not download: record what would be.
  URL.createObjectURL = (blob: Blob) => (blobs.push(blob), 'blob:csv');
  URL.revokeObjectURL = () => {};
  jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    names.push(this.download);
  });
  const texts = () =>
    Promise.all(
      blobs.map(
        (blob) =>
          new Promise<string>((resolve) => {
            const reader = new FileReader();
            reader.onload = () => resolve(String(reader.result));
            reader.readAsText(blob);
          })
      )
    );
  return { names, texts };
}

const errorInstances = () => [
  prometheusInstantTable(
    [
      { labels: { challenge_id: 'web-1', challenge_name: 'web-1-bob', namespace: 'ctf', username: 'bob' }, value: 3 },
      { labels: { challenge_id: 'pwn-2', challenge_name: 'pwn-2-o', namespace: 'ctf', username: 'o"b' }, value: 3 },
    ],
    { timeMs: 1_700_000_000_000 }
  ),
];

const panelsOf = (scene: SceneObject) => sceneGraph.findAllObjects(scene, (o) => o instanceof VizPanel) as VizPanel[];

describe('panel View and Inspect', () => {
  let harness: SceneHarness;
  beforeEach(() => {
    harness = setupHarness();
    // A panel tells Grafana's app event bus which panel has the user's attention; the real bus, unset in jsdom.
    setAppEvents(new EventBusSrv());
  });
  afterEach(() => jest.restoreAllMocks());

  it.each(PAGES)(
    '%s: every panel has a unique key from its title, and a link to it opens the inspector',
    async (_, make) => {
      const scene = make();
      const panels = panelsOf(scene);
      const keys = panels.map((p) => p.state.key);
      expect(new Set(keys).size).toBe(panels.length);
      for (const key of keys) {
        expect(key).toMatch(/^panel-[a-z0-9]+(-[a-z0-9]+)*$/);
      }
      // The same page built again has the same keys (links stay valid).
      expect(panelsOf(make()).map((p) => p.state.key)).toEqual(keys);
      const last = panels.at(-1)!;
      await renderPage(scene, `?inspect=${last.state.key}&inspectTab=json`);
      expect(drawer()).toHaveTextContent(`Inspect: ${last.state.title}`);
      expect(activeTab()).toBe('Panel JSON');
    }
  );

  it('the menu opens Inspect on the chosen tab and View, each a history step that Back undoes', async () => {
    const scene = triageScene(DEFAULT_SETTINGS);
    await renderPage(scene);
    const items = menuItems(panelTitled(scene, ERROR_PANEL));
    expect(item(items, 'Inspect')?.subMenu?.map((i) => i.text)).toEqual(['Data', 'Query', 'Panel JSON']);

    await click(item(item(items, 'Inspect')?.subMenu, 'Query'));
    expect([urlParam('inspect'), urlParam('inspectTab')]).toEqual([ERROR_PANEL_KEY, 'query']);
    expect(drawer()).toHaveTextContent(`Inspect: ${ERROR_PANEL}`);
    expect(activeTab()).toBe('Query');
    // Switching tabs follows the URL, without a history step of its own.
    await act(async () => fireEvent.click(screen.getByRole('tab', { name: 'Data' })));
    expect(urlParam('inspectTab')).toBe('data');
    await goBack();
    expect(drawer()).toBeNull();
    expect(urlParam('inspect')).toBeNull();

    await click(item(items, 'Inspect'));
    expect([urlParam('inspect'), urlParam('inspectTab')]).toEqual([ERROR_PANEL_KEY, 'data']);
    expect(activeTab()).toBe('Data');
    await goBack();
    expect(drawer()).toBeNull();

    await click(item(items, 'View'));
    expect(urlParam('viewPanel')).toBe(ERROR_PANEL_KEY);
    expect(screen.getByTestId('panel-view')).toContainElement(panelSection(ERROR_PANEL));
    expect(screen.queryByRole('region', { name: 'Deletions not finished after 5m' })).toBeNull();
    await goBack();
    expect(screen.queryByTestId('panel-view')).toBeNull();
    expect(screen.getByRole('region', { name: 'Deletions not finished after 5m' })).toBeInTheDocument();
  });

  it('Data tab: the frames as the panel shows them, raw values on request, and the shown frame as CSV', async () => {
    harness.respond = (q) => (q.runner === 'error-instances' ? errorInstances() : []);
    await renderPage(triageScene(DEFAULT_SETTINGS), `?inspect=${ERROR_PANEL_KEY}&inspectTab=data`);
    expect(activeTab()).toBe('Data');
    expect(screen.getByTestId('data-testid drawer subtitle').textContent).toMatch(/^1 query, 2 rows, \d+ ms$/);
    const table = screen.getByRole('table', { name: `Data of ${ERROR_PANEL}` });
    expect(tableRows(table)).toEqual([
      ['Namespace', 'User', 'Challenge', 'Name', 'State'],
      ['ctf', 'bob', 'web-1', 'web-1-bob', 'Error'],
      ['ctf', 'o"b', 'pwn-2', 'pwn-2-o', 'Error'],
    ]);
    // One frame: no frame picker.
    expect(screen.queryByLabelText('Data frame')).toBeNull();

    const downloads = captureDownloads();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: /Download CSV/ })));
    await act(async () => fireEvent.click(screen.getByLabelText('Formatted data')));
    const raw = tableRows(screen.getByRole('table', { name: `Data of ${ERROR_PANEL}` }));
    expect(raw.slice(1).map((row) => row.at(-1))).toEqual(['3', '3']);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: /Download CSV/ })));

    expect(downloads.names).toEqual(['instances-in-error.csv', 'instances-in-error.csv']);
    const [formattedCsv, rawCsv] = await downloads.texts();
    expect(formattedCsv).toBe(
      [
        '"Namespace","User","Challenge","Name","State"',
        'ctf,bob,web-1,web-1-bob,Error',
        'ctf,"o""b",pwn-2,pwn-2-o,Error',
      ].join('\r\n')
    );
    expect(rawCsv.split('\r\n').slice(1)).toEqual(['ctf,bob,web-1,web-1-bob,3', 'ctf,"o""b",pwn-2,pwn-2-o,3']);
  });

  it('Data tab: a frame picker when the panel has several frames', async () => {
    const scene = overviewScene(DEFAULT_SETTINGS);
    const key = panelTitled(scene, 'Instances per state over time').state.key;
    harness.respond = (q) =>
      q.runner === 'counts-over-time' || q.range
        ? [
            {
              refId: q.refId,
              name: q.refId,
              length: 2,
              fields: [
                { name: 'Time', type: 'time', config: {}, values: [1_700_000_000_000, 1_700_000_060_000] },
                { name: 'Value', type: 'number', config: {}, values: [q.refId.length, q.refId.length + 1] },
              ],
            } as never,
          ]
        : [];
    // The picker sizes its menu by measuring text on a canvas, which jsdom lacks: about 7 px per character.
    jest
      .spyOn(HTMLCanvasElement.prototype, 'getContext')
      .mockImplementation(() => ({ font: '', measureText: (text: string) => ({ width: text.length * 7 }) }) as never);
    await renderPage(scene, `?inspect=${key}&inspectTab=data`);
    const picker = screen.getByLabelText('Data frame');
    const table = () => screen.getByRole('table', { name: 'Data of Instances per state over time' });
    const first = tableRows(table());
    const firstName = (picker as HTMLInputElement).value;
    // Pick the next frame with the keyboard, as a user can (jsdom lays out no list to click in).
    await act(async () => fireEvent.keyDown(picker, { key: 'ArrowDown' }));
    await act(async () => fireEvent.keyDown(picker, { key: 'ArrowDown' }));
    await act(async () => fireEvent.keyDown(picker, { key: 'Enter' }));
    expect((picker as HTMLInputElement).value).not.toBe(firstName);
    expect(tableRows(table())).not.toEqual(first);
  });

  it("Query tab: each query's PromQL as sent, the request's range and interval, and the response's size", async () => {
    const copied: string[] = [];
    // jsdom has no clipboard (and is no secure context): record what the copy button writes.
    Object.assign(navigator, { clipboard: { writeText: async (text: string) => void copied.push(text) } });
    Object.defineProperty(window, 'isSecureContext', { value: true, configurable: true });
    const scene = overviewScene(DEFAULT_SETTINGS);
    const title = 'Running and Error instances per challenge';
    await renderPage(scene, `?inspect=${panelTitled(scene, title).state.key}&inspectTab=query`);
    const sent = lastQueriesOf(harness, 'per-challenge');
    expect(sent.map((q) => q.refId)).toEqual(['Running', 'Error']);
    for (const query of sent) {
      const section = screen.getByRole('region', { name: `Query ${query.refId}` });
      expect(section.querySelector('pre')?.textContent).toBe(query.expr);
      expect(section).toHaveTextContent('instant');
    }
    const stats = Object.fromEntries(
      tableRows(screen.getByRole('table', { name: 'Request and response' })).map(([k, v]) => [k, v])
    );
    expect(stats['Time range']).toMatch(/^\d{4}-\d\d-\d\dT.* to \d{4}-\d\d-\d\dT.* \(now-6h to now\)$/);
    expect(stats['Interval (range query step)']).toMatch(/^\S+ \(\d+ ms\)$/);
    expect(stats.Queries).toBe('2');
    expect(stats['Frames (series)']).toBe('0');
    expect(stats.Rows).toBe('0');
    expect(stats['Request duration']).toMatch(/^\d+ ms$/);
    // Grafana's summary under the drawer's title.
    expect(screen.getByTestId('data-testid drawer subtitle').textContent).toMatch(/^2 queries, 0 rows, \d+ ms$/);

    await act(async () => fireEvent.click(screen.getByRole('button', { name: /Copy query/ })));
    expect(copied).toEqual([sent.map((q) => `# ${q.refId}\n${q.expr}`).join('\n\n')]);
  });

  it('Panel JSON tab: the panel as a classic dashboard panel', async () => {
    await renderPage(triageScene(DEFAULT_SETTINGS), `?inspect=${ERROR_PANEL_KEY}&inspectTab=json`);
    const json = JSON.parse(screen.getByLabelText('Panel JSON').textContent ?? '');
    const datasource = { type: 'prometheus', uid: '${ds}' };
    expect(json).toMatchObject({
      type: 'table',
      title: ERROR_PANEL,
      datasource,
      targets: [
        {
          datasource,
          refId: 'A',
          expr: errorInstancesQuery(DEFAULT_SETTINGS, NO_FILTERS),
          instant: true,
          format: 'table',
        },
      ],
      fieldConfig: { defaults: { noValue: 'No instance is in Error' } },
    });
    expect(json.description.length).toBeGreaterThan(0);
    expect(json.transformations.length).toBeGreaterThan(0);
    expect(json.transformations.every((t: { id?: unknown }) => typeof t.id === 'string')).toBe(true);
  });

  it('View: the panel alone until its button or Escape closes it', async () => {
    const scene = overviewScene(DEFAULT_SETTINGS);
    await renderPage(scene, '?viewPanel=panel-running');
    expect(screen.getByTestId('panel-view')).toContainElement(panelSection('Running'));
    expect(screen.queryByRole('region', { name: 'Instances per state over time' })).toBeNull();

    await act(async () => fireEvent.click(screen.getByRole('button', { name: /Back to all panels/ })));
    expect(urlParam('viewPanel')).toBeNull();
    expect(screen.queryByTestId('panel-view')).toBeNull();
    expect(panelSection('Instances per state over time')).toBeInTheDocument();

    await click(item(menuItems(panelTitled(scene, 'Running')), 'View'));
    expect(urlParam('viewPanel')).toBe('panel-running');
    await act(async () => fireEvent.keyDown(document, { key: 'Escape' }));
    expect(urlParam('viewPanel')).toBeNull();
    expect(screen.queryByTestId('panel-view')).toBeNull();
  });

  it('the drawer closes by its close button or Escape and clears the URL', async () => {
    const scene = triageScene(DEFAULT_SETTINGS);
    await renderPage(scene, `?inspect=${ERROR_PANEL_KEY}&inspectTab=query`);
    expect(drawer()).not.toBeNull();
    await act(async () => fireEvent.click(screen.getByTestId('data-testid Drawer close')));
    await settle(2);
    expect(drawer()).toBeNull();
    expect([urlParam('inspect'), urlParam('inspectTab')]).toEqual([null, null]);
    expect(panelSection(ERROR_PANEL)).toBeInTheDocument();

    await click(item(item(menuItems(panelTitled(scene, ERROR_PANEL)), 'Inspect')?.subMenu, 'Panel JSON'));
    expect(urlParam('inspectTab')).toBe('json');
    await act(async () => fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape', keyCode: 27 }));
    await settle(2);
    expect(drawer()).toBeNull();
    expect(urlParam('inspect')).toBeNull();
  });

  it('no data: a message in the Data tab, the queries still in the Query tab', async () => {
    await renderPage(triageScene(DEFAULT_SETTINGS), `?inspect=${ERROR_PANEL_KEY}&inspectTab=data`);
    expect(screen.getByText('No data')).toBeInTheDocument();
    expect(screen.queryByRole('table', { name: `Data of ${ERROR_PANEL}` })).toBeNull();
    await act(async () => fireEvent.click(screen.getByRole('tab', { name: 'Query' })));
    // The queries were sent all the same.
    expect(screen.getByRole('region', { name: 'Query A' }).querySelector('pre')?.textContent).toBe(
      lastQueriesOf(harness, 'error-instances')[0].expr
    );
  });

  it('a failed query: its error in the Data and Query tabs', async () => {
    harness.respond = (q) => {
      if (q.runner === 'error-instances') {
        throw new Error('bad_data: parse error at char 7');
      }
      return [];
    };
    await renderPage(triageScene(DEFAULT_SETTINGS), `?inspect=${ERROR_PANEL_KEY}&inspectTab=data`);
    const drawerContent = within(screen.getByRole('dialog'));
    expect(drawerContent.getByText("The panel's query failed")).toBeInTheDocument();
    expect(drawerContent.getByText('A: bad_data: parse error at char 7')).toBeInTheDocument();
    await act(async () => fireEvent.click(screen.getByRole('tab', { name: 'Query' })));
    expect(drawerContent.getByText('A: bad_data: parse error at char 7')).toBeInTheDocument();
  });

  it('a link to a panel the page does not have opens nothing and leaves the page as it was', async () => {
    await renderPage(triageScene(DEFAULT_SETTINGS), '?inspect=panel-gone&viewPanel=panel-gone');
    expect(drawer()).toBeNull();
    expect(screen.queryByTestId('panel-view')).toBeNull();
    expect(panelSection(ERROR_PANEL)).toBeInTheDocument();
  });
});
