/**
 * Grafana's bar gauge panel, drawn as it draws it: getFieldDisplayValues, then a BarGauge per value, all sized by
 * the same alignment factors when there are several (so their names and values line up, as in Grafana).
 */
import React from 'react';
import {
  getDisplayValueAlignmentFactors,
  type DisplayValueAlignmentFactors,
  getFieldDisplayValues,
  VizOrientation,
  type FieldDisplay,
  type PanelProps,
  type ReduceDataOptions,
} from '@grafana/data';
import { BarGaugeDisplayMode, BarGaugeNamePlacement, BarGaugeSizing, BarGaugeValueMode } from '@grafana/schema';
import { BarGauge, useTheme2, VizRepeater } from '@grafana/ui';
import { definePanel } from './plugin';

interface BarGaugeOptions {
  reduceOptions: ReduceDataOptions;
  displayMode: BarGaugeDisplayMode;
  orientation: VizOrientation;
  showUnfilled: boolean;
  valueMode: BarGaugeValueMode;
  namePlacement: BarGaugeNamePlacement;
  sizing: BarGaugeSizing;
  minVizWidth: number;
  minVizHeight: number;
  maxVizHeight: number;
}

/** Grafana's bar gauge defaults: bars sized to fill the panel unless the sizing is manual. */
const DEFAULT_SIZES = { minVizWidth: 8, minVizHeight: 16, maxVizHeight: 300 };

/** As Grafana's panel: the manual sizes apply to the orientation they are for, the defaults otherwise. */
function barSizes(options: BarGaugeOptions, width: number, height: number) {
  const orientation =
    options.orientation === VizOrientation.Auto
      ? width > height
        ? VizOrientation.Vertical
        : VizOrientation.Horizontal
      : options.orientation;
  const manual = options.sizing === BarGaugeSizing.Manual;
  const horizontal = manual && orientation === VizOrientation.Horizontal;
  return {
    minVizWidth: manual && orientation === VizOrientation.Vertical ? options.minVizWidth : DEFAULT_SIZES.minVizWidth,
    minVizHeight: horizontal ? options.minVizHeight : DEFAULT_SIZES.minVizHeight,
    maxVizHeight: horizontal ? options.maxVizHeight : DEFAULT_SIZES.maxVizHeight,
  };
}

function BarGaugePanel({
  data,
  options,
  fieldConfig,
  replaceVariables,
  width,
  height,
  timeZone,
}: PanelProps<BarGaugeOptions>) {
  const theme = useTheme2();
  const values = getFieldDisplayValues({
    data: data.series,
    reduceOptions: options.reduceOptions,
    fieldConfig,
    replaceVariables,
    theme,
    timeZone,
  });
  return (
    <VizRepeater<FieldDisplay, DisplayValueAlignmentFactors>
      source={data}
      getValues={() => values}
      renderCounter={0}
      width={width}
      height={height}
      orientation={options.orientation}
      {...barSizes(options, width, height)}
      itemSpacing={8}
      getAlignmentFactors={(all) => getDisplayValueAlignmentFactors(all)}
      renderValue={({ value, width: w, height: h, orientation, alignmentFactors, count }) => (
        <BarGauge
          value={value.display}
          field={value.field}
          width={w}
          height={h}
          orientation={orientation}
          displayMode={options.displayMode}
          showUnfilled={options.showUnfilled}
          valueDisplayMode={options.valueMode}
          namePlacement={options.namePlacement}
          alignmentFactors={count > 1 ? alignmentFactors : undefined}
          theme={theme}
        />
      )}
    />
  );
}

export const barGaugePanel = definePanel<BarGaugeOptions>({
  id: 'bargauge',
  component: BarGaugePanel,
  options: {
    reduceOptions: { calcs: ['lastNotNull'], values: false, fields: '' },
    displayMode: BarGaugeDisplayMode.Gradient,
    orientation: VizOrientation.Auto,
    showUnfilled: true,
    valueMode: BarGaugeValueMode.Color,
    namePlacement: BarGaugeNamePlacement.Auto,
    sizing: BarGaugeSizing.Auto,
    ...DEFAULT_SIZES,
  },
});
