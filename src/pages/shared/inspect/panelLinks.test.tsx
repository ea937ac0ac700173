// Panel View and Inspect, how they are reached: every panel's link, the menu's entries as history steps, the View
// and the drawer closing, and a link to a panel that is not there. Helpers in src/test/inspect-harness.tsx.
import { act, fireEvent, screen } from '@testing-library/react';
import { EventBusSrv } from '@grafana/data';
import { setAppEvents } from '@grafana/runtime';
import { DEFAULT_SETTINGS } from '../../../settings/settings';
import { panelSection, panelTitled, setupHarness, settle } from '../../../test/scene-harness';
import { overviewScene } from '../../Overview/overviewPage';
import { triageScene } from '../../Triage/triagePage';
import {
  ERROR_PANEL,
  ERROR_PANEL_KEY,
  PAGES,
  activeTab,
  click,
  drawer,
  goBack,
  item,
  menuItems,
  panelsOf,
  renderPage,
  urlParam,
} from '../../../test/inspect-harness';

describe('panel View and Inspect', () => {
  beforeEach(() => {
    setupHarness();
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

  it('a link to a panel the page does not have opens nothing and leaves the page as it was', async () => {
    await renderPage(triageScene(DEFAULT_SETTINGS), '?inspect=panel-gone&viewPanel=panel-gone');
    expect(drawer()).toBeNull();
    expect(screen.queryByTestId('panel-view')).toBeNull();
    expect(panelSection(ERROR_PANEL)).toBeInTheDocument();
  });
});
