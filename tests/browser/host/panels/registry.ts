/** The panel plugins the host offers (Grafana's importPanelPlugin): the types the app's pages use. */
import type { PanelPlugin } from '@grafana/data';
import { barChartPanel } from './BarChartPanel';
import { barGaugePanel } from './BarGaugePanel';
import { pieChartPanel } from './PieChartPanel';
import { statPanel } from './StatPanel';
import { tablePanel } from './TablePanel';
import { timeSeriesPanel } from './TimeSeriesPanel';

export const PANELS = new Map<string, PanelPlugin>(
  [statPanel, barGaugePanel, tablePanel, timeSeriesPanel, barChartPanel, pieChartPanel].map((p) => [
    p.meta.id,
    p as PanelPlugin,
  ])
);
