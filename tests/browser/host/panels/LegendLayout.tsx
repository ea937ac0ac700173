/**
 * How Grafana's bar chart and pie chart panels place their legend: @grafana/ui's VizLayout, the plot in what the
 * legend leaves, and VizLegend drawn as the panel's `options.legend` says (hidden, list or table, bottom or right).
 */
import React, { type ReactNode } from 'react';
import { LegendDisplayMode, type VizLegendOptions } from '@grafana/schema';
import { VizLayout, VizLegend, type VizLegendItem } from '@grafana/ui';

/** The legend options Grafana's bar chart and pie chart panels default to. */
export const DEFAULT_LEGEND: VizLegendOptions = {
  showLegend: true,
  displayMode: LegendDisplayMode.List,
  placement: 'bottom',
  calcs: [],
};

interface Props {
  legend: VizLegendOptions | undefined;
  items: VizLegendItem[];
  width: number;
  height: number;
  children: (width: number, height: number) => ReactNode;
}

export function LegendLayout({ legend = DEFAULT_LEGEND, items, width, height, children }: Props) {
  // Saved panels may still say displayMode 'hidden' (deprecated for showLegend: false); Grafana hides those too.
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  const hidden = legend.showLegend === false || legend.displayMode === LegendDisplayMode.Hidden;
  const shown = !hidden && items.length > 0;
  return (
    <VizLayout
      width={width}
      height={height}
      legend={
        shown ? (
          <VizLayout.Legend placement={legend.placement} width={legend.width}>
            <VizLegend
              placement={legend.placement}
              displayMode={legend.displayMode}
              items={items}
              sortBy={legend.sortBy}
              sortDesc={legend.sortDesc}
            />
          </VizLayout.Legend>
        ) : null
      }
    >
      {children}
    </VizLayout>
  );
}
