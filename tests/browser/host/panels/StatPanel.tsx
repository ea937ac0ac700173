/** Grafana's stat panel, drawn as it draws it: getFieldDisplayValues, then a BigValue per value in a VizRepeater. */
import React from 'react';
import {
  getFieldDisplayValues,
  VizOrientation,
  type FieldDisplay,
  type PanelProps,
  type ReduceDataOptions,
} from '@grafana/data';
import type { VizTextDisplayOptions } from '@grafana/schema';
import {
  BigValue,
  BigValueColorMode,
  BigValueGraphMode,
  BigValueJustifyMode,
  BigValueTextMode,
  useTheme2,
  VizRepeater,
} from '@grafana/ui';
import { definePanel } from './plugin';

interface StatOptions {
  reduceOptions: ReduceDataOptions;
  colorMode: BigValueColorMode;
  graphMode: BigValueGraphMode;
  textMode: BigValueTextMode;
  justifyMode: BigValueJustifyMode;
  orientation: VizOrientation;
  text?: VizTextDisplayOptions;
}

function StatPanel({ data, options, fieldConfig, replaceVariables, width, height, timeZone }: PanelProps<StatOptions>) {
  const theme = useTheme2();
  const values = getFieldDisplayValues({
    data: data.series,
    reduceOptions: options.reduceOptions,
    fieldConfig,
    replaceVariables,
    theme,
    timeZone,
    sparkline: options.graphMode !== BigValueGraphMode.None,
  });
  return (
    <VizRepeater<FieldDisplay>
      source={data}
      getValues={() => values}
      renderCounter={0}
      width={width}
      height={height}
      orientation={options.orientation}
      itemSpacing={3}
      autoGrid
      renderValue={({ value, width: w, height: h, count }) => (
        <BigValue
          value={value.display}
          sparkline={value.sparkline}
          width={w}
          height={h}
          colorMode={options.colorMode}
          graphMode={options.graphMode}
          textMode={options.textMode}
          justifyMode={options.justifyMode}
          text={options.text}
          count={count}
          theme={theme}
        />
      )}
    />
  );
}

export const statPanel = definePanel<StatOptions>({
  id: 'stat',
  component: StatPanel,
  options: {
    reduceOptions: { calcs: ['lastNotNull'], values: false, fields: '' },
    colorMode: BigValueColorMode.Value,
    graphMode: BigValueGraphMode.Area,
    textMode: BigValueTextMode.Auto,
    justifyMode: BigValueJustifyMode.Auto,
    orientation: VizOrientation.Auto,
  },
});
