import type { PanelMenuItem } from '@grafana/data';
import { VizPanel, VizPanelMenu, sceneGraph, type SceneObject } from '@grafana/scenes';
import { PanelInspector } from './inspect/PanelInspector';
import { csvFilename, downloadText, panelCsv } from './panelCsv';
import { exploreUrl, panelQueries, queryText } from './panelQueries';

/**
 * The menu's items for `panel`, built when the menu opens (so they carry the current query and time range), in
 * Grafana's order: View, Explore, Inspect, then the app's own.
 */
export function panelMenuItems(panel: VizPanel): PanelMenuItem[] {
  const queries = panelQueries(panel);
  const inspector = PanelInspector.of(panel);
  const items: PanelMenuItem[] = [];
  if (inspector) {
    items.push({ text: 'View', iconClassName: 'eye', onClick: () => inspector.view(panel) });
  }
  items.push({ text: 'Explore', iconClassName: 'compass', href: exploreUrl(panel) });
  if (inspector) {
    items.push({
      text: 'Inspect',
      type: 'submenu',
      iconClassName: 'info-circle',
      onClick: () => inspector.inspect(panel, 'data'),
      subMenu: [
        { text: 'Data', onClick: () => inspector.inspect(panel, 'data') },
        { text: 'Query', onClick: () => inspector.inspect(panel, 'query') },
        { text: 'Panel JSON', onClick: () => inspector.inspect(panel, 'json') },
      ],
    });
  }
  items.push(
    {
      text: 'Copy query',
      iconClassName: 'copy',
      onClick: () => void navigator.clipboard?.writeText(queryText(panel)),
    },
    {
      text: 'Query',
      type: 'submenu',
      iconClassName: 'brackets-curly',
      // Each query's PromQL as it was sent; selecting one copies it.
      subMenu: queries.map((q) => ({
        text: `${q.refId}: ${q.expr}`,
        onClick: () => void navigator.clipboard?.writeText(q.expr),
      })),
    }
  );
  if (panel.state.pluginId === 'table') {
    items.push({
      text: 'Download CSV',
      iconClassName: 'download-alt',
      onClick: () => downloadText(csvFilename(panel.state.title), panelCsv(panel)),
    });
  }
  return items;
}

function fillMenu(menu: VizPanelMenu) {
  const panel = menu.parent;
  if (panel instanceof VizPanel) {
    menu.setItems(panelMenuItems(panel));
  }
}

export const panelMenu = () => new VizPanelMenu({ $behaviors: [fillMenu] });

/** Gives every panel in `scene` that has none the standard menu (the pages call this once, in pageScene). */
export function addPanelMenus(scene: SceneObject) {
  for (const panel of sceneGraph.findAllObjects(scene, (o) => o instanceof VizPanel) as VizPanel[]) {
    if (!panel.state.menu) {
      panel.setState({ menu: panelMenu() });
    }
  }
}
