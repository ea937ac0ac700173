/** Grafana's time series panel: @grafana/ui's TimeSeries (uPlot, the graph the core panel is built on) and its legend. */
import React from 'react';
import { FieldColorModeId, FieldConfigProperty, type PanelProps } from '@grafana/data';
import { LegendDisplayMode, type VizLegendOptions } from '@grafana/schema';
import { TimeSeries } from '@grafana/ui';
import { definePanel } from './plugin';
import { NoData, hasData } from './NoData';

interface TimeSeriesOptions {
  legend: VizLegendOptions;
}

function TimeSeriesPanel({
  data,
  options,
  fieldConfig,
  width,
  height,
  timeRange,
  timeZone,
}: PanelProps<TimeSeriesOptions>) {
  if (!hasData(data)) {
    return <NoData fieldConfig={fieldConfig} />;
  }
  return (
    <TimeSeries
      frames={data.series}
      structureRev={data.structureRev}
      width={width}
      height={height}
      timeRange={timeRange}
      timeZone={timeZone}
      legend={options.legend}
      options={options}
    />
  );
}

export const timeSeriesPanel = definePanel<TimeSeriesOptions>({
  id: 'timeseries',
  component: TimeSeriesPanel,
  options: { legend: { showLegend: true, displayMode: LegendDisplayMode.List, placement: 'bottom', calcs: [] } },
  standardDefaults: { [FieldConfigProperty.Color]: { mode: FieldColorModeId.PaletteClassic } },
  // The time series panel's field defaults (its fieldConfig builder in Grafana).
  custom: {
    drawStyle: 'line',
    lineInterpolation: 'linear',
    lineWidth: 1,
    fillOpacity: 0,
    gradientMode: 'none',
    showPoints: 'auto',
    pointSize: 5,
    spanNulls: false,
    insertNulls: false,
    barAlignment: 0,
    barWidthFactor: 0.6,
    stacking: { mode: 'none', group: 'A' },
    axisPlacement: 'auto',
    axisLabel: '',
    axisColorMode: 'text',
    axisBorderShow: false,
    axisCenteredZero: false,
    scaleDistribution: { type: 'linear' },
    hideFrom: { legend: false, tooltip: false, viz: false },
    thresholdsStyle: { mode: 'off' },
    showValues: false,
  },
});
