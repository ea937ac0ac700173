import { locationUtil, toURLRange, urlUtil } from '@grafana/data';
import { sceneGraph, type VizPanel } from '@grafana/scenes';
import { PROMETHEUS_DS_REF } from '../../data/datasource';

/** One query of a panel as it reached the datasource: its refId and PromQL with the page's variables filled in. */
export interface PanelQuery {
  refId: string;
  expr: string;
  /** Instant or range query, as the target asked (range when it says neither, as Prometheus does). */
  instant: boolean;
}

/**
 * The panel's queries from its last data request (what its runner actually sent), interpolated in the panel's
 * scope. The Prometheus datasource's own variables ($__rate_interval, $__range) stay for Explore to fill in.
 */
export function panelQueries(panel: VizPanel): PanelQuery[] {
  const request = sceneGraph.getData(panel).state.data?.request;
  return (request?.targets ?? []).flatMap((target) => {
    const { expr, instant, range } = target as { expr?: unknown; instant?: unknown; range?: unknown };
    return typeof expr === 'string'
      ? [
          {
            refId: target.refId,
            expr: sceneGraph.interpolate(panel, expr, request?.scopedVars),
            instant: instant === true && range !== true,
          },
        ]
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
    queries: panelQueries(panel).map(({ refId, expr }) => ({ refId, expr, datasource })),
    range: toURLRange({ from: timeRange.from, to: timeRange.to }),
  };
  // The menu renders it as a plain link: under a Grafana served from a sub-path it must carry that path, which
  // Grafana's locationUtil knows (it is set up at boot; through @grafana/data, so Grafana 12.4 and 13 read it alike).
  return locationUtil.assureBaseUrl(
    urlUtil.renderUrl('/explore', { schemaVersion: 1, panes: JSON.stringify({ hexactf: pane }) })
  );
}

/** The PromQL to copy: one query as is, several each under a comment naming its refId. */
export function queryText(panel: VizPanel): string {
  const queries = panelQueries(panel);
  return queries.length === 1 ? queries[0].expr : queries.map((q) => `# ${q.refId}\n${q.expr}`).join('\n\n');
}
