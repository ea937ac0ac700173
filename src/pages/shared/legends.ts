import { VizPanel, sceneGraph, type SceneObject } from '@grafana/scenes';
import { LegendDisplayMode, type VizLegendOptions } from '@grafana/schema';

/** The panel types that draw @grafana/ui's legend. */
const LEGEND_PANELS = new Set(['timeseries', 'barchart', 'piechart']);

/**
 * Legends as a table, beside the plot. @grafana/ui's list legend names every series' button "All series selected"
 * (or "Only X selected") instead of the series it shows, which screen readers read out and axe reports as a
 * serious label-content-name-mismatch; the table legend's buttons are named by their series.
 */
export const TABLE_LEGEND: Readonly<VizLegendOptions> = Object.freeze({
  displayMode: LegendDisplayMode.Table,
  placement: 'right',
  showLegend: true,
  calcs: [],
});

/** Gives every legend-drawing panel in `scene` the table legend, except where a panel hides its legend. */
export function applyTableLegends(scene: SceneObject) {
  for (const panel of sceneGraph.findAllObjects(scene, (o) => o instanceof VizPanel) as VizPanel[]) {
    const legend = (panel.state.options as { legend?: Partial<VizLegendOptions> }).legend;
    if (LEGEND_PANELS.has(panel.state.pluginId) && legend?.showLegend !== false) {
      panel.setState({ options: { ...panel.state.options, legend: { ...TABLE_LEGEND } } });
    }
  }
}
