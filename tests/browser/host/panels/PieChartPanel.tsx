/**
 * Grafana's pie chart panel is core code (not in @grafana/ui): drawn here from what it reads, getFieldDisplayValues
 * (one slice per value, its display colour and title), SVG arcs, and @grafana/ui's VizLegend naming each slice.
 */
import React from 'react';
import {
  FieldColorModeId,
  FieldConfigProperty,
  formattedValueToString,
  getFieldDisplayValues,
  type PanelProps,
  type ReduceDataOptions,
} from '@grafana/data';
import type { VizLegendOptions } from '@grafana/schema';
import { useTheme2 } from '@grafana/ui';
import { definePanel } from './plugin';
import { NoData, hasData } from './NoData';
import { DEFAULT_LEGEND, LegendLayout } from './LegendLayout';

interface PieChartOptions {
  reduceOptions: ReduceDataOptions;
  legend: VizLegendOptions;
}

function arc(cx: number, cy: number, r: number, from: number, to: number): string {
  const point = (a: number) => `${cx + r * Math.sin(a)} ${cy - r * Math.cos(a)}`;
  const large = to - from > Math.PI ? 1 : 0;
  return `M ${cx} ${cy} L ${point(from)} A ${r} ${r} 0 ${large} 1 ${point(to)} Z`;
}

function PieChartPanel({
  data,
  options,
  fieldConfig,
  replaceVariables,
  width,
  height,
  timeZone,
}: PanelProps<PieChartOptions>) {
  const theme = useTheme2();
  if (!hasData(data)) {
    return <NoData fieldConfig={fieldConfig} />;
  }
  const values = getFieldDisplayValues({
    data: data.series,
    reduceOptions: options.reduceOptions,
    fieldConfig,
    replaceVariables,
    theme,
    timeZone,
  });
  const total = values.reduce((sum, v) => sum + (v.display.numeric > 0 ? v.display.numeric : 0), 0);
  // Each slice's start and end angle, clockwise from twelve o'clock.
  const slices = values.reduce<Array<{ from: number; to: number; share: number }>>((acc, v) => {
    const share = total > 0 ? Math.max(0, v.display.numeric) / total : 0;
    const from = acc.at(-1)?.to ?? 0;
    return [...acc, { from, to: from + share * 2 * Math.PI, share }];
  }, []);
  const items = values.map((v, i) => ({
    label: v.display.title ?? '',
    color: v.display.color,
    yAxis: 1,
    getItemKey: () => `${i}`,
  }));
  return (
    <LegendLayout legend={options.legend} items={items} width={width} height={height}>
      {(w, h) => {
        const r = Math.max(0, Math.min(w, h) / 2 - 4);
        return (
          <svg width={w} height={h} role="img" aria-label="Pie chart">
            {values.map((v, i) => {
              const { from, to, share } = slices[i];
              const path = share >= 1 ? undefined : arc(w / 2, h / 2, r, from, to);
              return path ? (
                <path key={i} d={path} fill={v.display.color}>
                  <title>{`${v.display.title}: ${formattedValueToString(v.display)}`}</title>
                </path>
              ) : (
                <circle key={i} cx={w / 2} cy={h / 2} r={r} fill={v.display.color} />
              );
            })}
          </svg>
        );
      }}
    </LegendLayout>
  );
}

export const pieChartPanel = definePanel<PieChartOptions>({
  id: 'piechart',
  component: PieChartPanel,
  options: { reduceOptions: { calcs: ['lastNotNull'], values: false, fields: '' }, legend: DEFAULT_LEGEND },
  standardDefaults: { [FieldConfigProperty.Color]: { mode: FieldColorModeId.PaletteClassic } },
});
