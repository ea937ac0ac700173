// What the panel View and Inspect tests (src/pages/shared/inspect/*.test.tsx) share: the pages whose panels they
// open, the menu, drawer, tab and URL helpers, a download catcher, and a table of instances in Error.
import { act, screen } from '@testing-library/react';
import { type PanelMenuItem } from '@grafana/data';
import { locationService } from '@grafana/runtime';
import { VizPanel, sceneGraph, type EmbeddedScene, type SceneObject } from '@grafana/scenes';
import { DEFAULT_SETTINGS } from '../settings/settings';
import { prometheusInstantTable } from './prometheus-table';
import { settle } from './scene-harness';
import { renderUrlSyncedPage } from './url-sync';
import { lifecycleScene } from '../pages/Lifecycle/lifecyclePage';
import { overviewScene } from '../pages/Overview/overviewPage';
import { triageScene } from '../pages/Triage/triagePage';
import { usageScene } from '../pages/Usage/usagePage';
import { userScene } from '../pages/UsersChallenges/userPage';
import { usersChallengesScene } from '../pages/UsersChallenges/usersChallengesPage';

export const PAGES: Array<[string, () => EmbeddedScene]> = [
  ['Overview', () => overviewScene(DEFAULT_SETTINGS)],
  ['Users x Challenges', () => usersChallengesScene(DEFAULT_SETTINGS)],
  ['user page', () => userScene(DEFAULT_SETTINGS, 'o"b/x#1')],
  ['Usage', () => usageScene(DEFAULT_SETTINGS)],
  ['Triage', () => triageScene(DEFAULT_SETTINGS)],
  ['Lifecycle', () => lifecycleScene(DEFAULT_SETTINGS)],
];

export const ERROR_PANEL = 'Instances in Error';
export const ERROR_PANEL_KEY = 'panel-instances-in-error';

export const renderPage = renderUrlSyncedPage;

export const urlParam = (name: string) => locationService.getSearch().get(name);

export const drawer = () => screen.queryByRole('heading', { name: /^Inspect: / });

export function activeTab(): string | undefined {
  return screen
    .getAllByRole('tab')
    .find((tab) => tab.getAttribute('aria-selected') === 'true')
    ?.textContent?.trim();
}

/** The panel's menu items as its menu fills them when opened. */
export function menuItems(panel: VizPanel): PanelMenuItem[] {
  const menu = panel.state.menu!;
  let deactivate = () => {};
  act(() => {
    deactivate = menu.activate();
  });
  const items = menu.state.items ?? [];
  act(() => deactivate());
  return items;
}

export const item = (items: PanelMenuItem[] | undefined, text: string) => items?.find((i) => i.text === text);

export async function click(menuItem: PanelMenuItem | undefined) {
  expect(menuItem?.onClick).toBeDefined();
  await act(async () => menuItem!.onClick!({} as never));
  await settle(2);
}

export async function goBack() {
  await act(async () => locationService.getHistory().goBack());
  await settle(2);
}

/** The cells of an HTML table, row by row, header first. */
export const tableRows = (table: HTMLElement) =>
  [...table.querySelectorAll('tr')].map((tr) => [...tr.querySelectorAll('th,td')].map((c) => c.textContent ?? ''));

/** Captures what downloadText hands the browser: the file names and the Blobs' text. */
export function captureDownloads() {
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

export const errorInstances = () => [
  prometheusInstantTable(
    [
      { labels: { challenge_id: 'web-1', challenge_name: 'web-1-bob', namespace: 'ctf', username: 'bob' }, value: 3 },
      { labels: { challenge_id: 'pwn-2', challenge_name: 'pwn-2-o', namespace: 'ctf', username: 'o"b' }, value: 3 },
    ],
    { timeMs: 1_700_000_000_000 }
  ),
];

export const panelsOf = (scene: SceneObject) =>
  sceneGraph.findAllObjects(scene, (o) => o instanceof VizPanel) as VizPanel[];
