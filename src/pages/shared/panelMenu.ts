import { toCSV, toURLRange, urlUtil, type PanelMenuItem } from '@grafana/data';
import { VizPanel, VizPanelMenu, sceneGraph, type SceneObject } from '@grafana/scenes';
import { PROMETHEUS_DS_REF } from './datasource';

/** One query of a panel as it reached the datasource: its refId and PromQL with the page's variables filled in. */
export interface PanelQuery {
  refId: string;
  expr: string;
}

/**
 * The panel's queries from its last data request (what its runner actually sent), interpolated in the panel's
 * scope. The Prometheus datasource's own variables ($__rate_interval, $__range) stay for Explore to fill in.
 */
export function panelQueries(panel: VizPanel): PanelQuery[] {
  const request = sceneGraph.getData(panel).state.data?.request;
  return (request?.targets ?? []).flatMap((target) => {
    const expr = (target as { expr?: unknown }).expr;
    return typeof expr === 'string'
      ? [{ refId: target.refId, expr: sceneGraph.interpolate(panel, expr, request?.scopedVars) }]
      : [];
  });
}

/** The Explore URL for the panel's queries, on the page's Prometheus datasource and time range. */
export function exploreUrl(panel: VizPanel): string {
  const uid = sceneGraph.interpolate(panel, PROMETHEUS_DS_REF.uid);
  const datasource = { type: PROMETHEUS_DS_REF.type, uid };
  // The range as the picker has it (relative stays relative), so Explore's own refresh moves it along.
  const timeRange = sceneGraph.getTimeRange(panel).state;
  const pane = {
    datasource: uid,
    queries: panelQueries(panel).map((q) => ({ ...q, datasource })),
    range: toURLRange({ from: timeRange.from, to: timeRange.to }),
  };
  return urlUtil.renderUrl('/explore', { schemaVersion: 1, panes: JSON.stringify({ hexactf: pane }) });
}

/** The PromQL to copy: one query as is, several each under a comment naming its refId. */
export function queryText(panel: VizPanel): string {
  const queries = panelQueries(panel);
  return queries.length === 1 ? queries[0].expr : queries.map((q) => `# ${q.refId}\n${q.expr}`).join('\n\n');
}

/** The CSV of the panel's current data, field config applied so cells read as shown ('' before any data). */
export function panelCsv(panel: VizPanel): string {
  const data = sceneGraph.getData(panel).state.data;
  return data ? toCSV(panel.applyFieldConfig(data).series, { delimiter: ',' }) : '';
}

export function downloadText(filename: string, text: string, type = 'text/csv;charset=utf-8') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.click();
  URL.revokeObjectURL(url);
}

/** A file name from the panel title: lower case, runs of anything but letters and digits as one dash. */
export const csvFilename = (title: string) =>
  `${title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'panel'}.csv`;

/** The menu's items for `panel`, built when the menu opens (so they carry the current query and time range). */
export function panelMenuItems(panel: VizPanel): PanelMenuItem[] {
  const queries = panelQueries(panel);
  const items: PanelMenuItem[] = [
    { text: 'Explore', iconClassName: 'compass', href: exploreUrl(panel) },
    {
      text: 'Copy query',
      iconClassName: 'copy',
      onClick: () => void navigator.clipboard?.writeText(queryText(panel)),
    },
    {
      text: 'Query',
      type: 'submenu',
      iconClassName: 'info-circle',
      // Each query's PromQL as it was sent; selecting one copies it.
      subMenu: queries.map((q) => ({
        text: `${q.refId}: ${q.expr}`,
        onClick: () => void navigator.clipboard?.writeText(q.expr),
      })),
    },
  ];
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
