/**
 * Grafana's bar chart panel is core code (not in @grafana/ui): drawn here from the published pieces it reads, the
 * frame's x field (options.xField, else the first string field) as the category labels under each group of bars,
 * one bar per numeric field in the field's display colour with its display text, the axes' labels
 * (custom.axisLabel), and @grafana/ui's VizLegend as options.legend says (LegendLayout).
 */
import React from 'react';
import {
  FieldColorModeId,
  FieldConfigProperty,
  FieldType,
  formattedValueToString,
  getFieldDisplayName,
  type Field,
  type PanelProps,
} from '@grafana/data';
import type { VizLegendOptions } from '@grafana/schema';
import { useTheme2 } from '@grafana/ui';
import { definePanel } from './plugin';
import { NoData, hasData } from './NoData';
import { DEFAULT_LEGEND, LegendLayout } from './LegendLayout';

interface BarChartOptions {
  xField?: string;
  legend: VizLegendOptions;
}

const LABEL_HEIGHT = 20;
const AXIS_LABEL_SIZE = 20;

const axisLabel = (f: Field | undefined): string => (f?.config.custom as { axisLabel?: string })?.axisLabel ?? '';

function BarChartPanel({ data, options, fieldConfig, width, height }: PanelProps<BarChartOptions>) {
  const theme = useTheme2();
  if (!hasData(data)) {
    return <NoData fieldConfig={fieldConfig} />;
  }
  const frame = data.series[0];
  const name = (f: Field) => getFieldDisplayName(f, frame, data.series);
  // As Grafana's bar chart: the configured x field, or the first string field when none is configured.
  const x = options.xField
    ? frame.fields.find((f) => name(f) === options.xField || f.name === options.xField)
    : frame.fields.find((f) => f.type === FieldType.string);
  if (!x) {
    return (
      <div data-host-panel-warning="">
        {options.xField ? 'Configured x field not found' : 'Bar charts requires a string field'}
      </div>
    );
  }
  const bars = frame.fields.filter((f) => f !== x && f.type === FieldType.number);
  const max = Math.max(1, ...bars.flatMap((f) => f.values.map(Number).filter(Number.isFinite)));
  const items = bars.map((f, i) => ({
    label: name(f),
    color: f.display!(f.values[0]).color,
    yAxis: 1,
    getItemKey: () => `${i}`,
  }));
  return (
    <LegendLayout legend={options.legend} items={items} width={width} height={height}>
      {(plotWidth, plotAreaHeight) => {
        // The axes' labels (custom.axisLabel): the value axis' from the bars' field, the x axis' from the x field.
        const valueAxis = axisLabel(bars[0]);
        const xAxis = axisLabel(x);
        const leftPad = valueAxis ? AXIS_LABEL_SIZE : 0;
        const plotHeight = plotAreaHeight - LABEL_HEIGHT - (xAxis ? AXIS_LABEL_SIZE : 0);
        const groupWidth = (plotWidth - leftPad) / Math.max(1, frame.length);
        const barWidth = (groupWidth * 0.8) / Math.max(1, bars.length);
        return (
          <svg width={plotWidth} height={plotAreaHeight} role="img" aria-label="Bar chart">
            {valueAxis && (
              <text
                data-host-axis-label="value"
                transform={`translate(12, ${plotHeight / 2}) rotate(-90)`}
                textAnchor="middle"
                fill={theme.colors.text.primary}
                fontSize={12}
              >
                {valueAxis}
              </text>
            )}
            {xAxis && (
              <text
                data-host-axis-label="x"
                x={leftPad + (plotWidth - leftPad) / 2}
                y={plotAreaHeight - 4}
                textAnchor="middle"
                fill={theme.colors.text.primary}
                fontSize={12}
              >
                {xAxis}
              </text>
            )}
            {Array.from({ length: frame.length }, (_, row) => {
              const left = leftPad + row * groupWidth + groupWidth * 0.1;
              const label = formattedValueToString(
                x.display ? x.display(x.values[row]) : { text: String(x.values[row]) }
              );
              return (
                <g key={row} data-host-bar-group={label}>
                  {bars.map((f, i) => {
                    const shown = f.display!(f.values[row]);
                    const h = ((Number(f.values[row]) || 0) / max) * (plotHeight - 16);
                    return (
                      <g key={i}>
                        <rect
                          x={left + i * barWidth}
                          y={plotHeight - h}
                          width={barWidth - 2}
                          height={h}
                          fill={shown.color}
                        />
                        <text
                          x={left + (i + 0.5) * barWidth}
                          y={plotHeight - h - 3}
                          textAnchor="middle"
                          fill={theme.colors.text.primary}
                          fontSize={12}
                        >
                          {formattedValueToString(shown)}
                        </text>
                      </g>
                    );
                  })}
                  <text
                    data-host-x-label=""
                    x={left + groupWidth * 0.4}
                    y={plotHeight + 15}
                    textAnchor="middle"
                    fill={theme.colors.text.secondary}
                    fontSize={12}
                  >
                    {label}
                  </text>
                </g>
              );
            })}
          </svg>
        );
      }}
    </LegendLayout>
  );
}

export const barChartPanel = definePanel<BarChartOptions>({
  id: 'barchart',
  component: BarChartPanel,
  options: { legend: DEFAULT_LEGEND },
  // The bar chart's axis label option (its fieldConfig builder in Grafana), for fields' defaults and overrides.
  custom: { axisLabel: '' },
  standardDefaults: { [FieldConfigProperty.Color]: { mode: FieldColorModeId.PaletteClassic } },
});
