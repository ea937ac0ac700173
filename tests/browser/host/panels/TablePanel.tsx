/**
 * Grafana's table panel (12.4+): the frames' display names worked out and cached first (cacheFieldDisplayNames, as
 * Grafana's table panel does before it draws, so a column renamed by a transformation or an override is headed by
 * its display name), then @grafana/ui's TableNG on the first frame (Grafana offers a frame picker when there are
 * several; the app's tables have one frame each after their transformations).
 */
import React from 'react';
import { cacheFieldDisplayNames, type PanelProps } from '@grafana/data';
import { TableCellDisplayMode, TableCellHeight } from '@grafana/schema';
import { TableNG } from '@grafana/ui/unstable';
import { definePanel } from './plugin';
import { NoData, hasData } from './NoData';

interface TableOptions {
  showHeader: boolean;
  cellHeight: TableCellHeight;
}

function TablePanel({ data, options, fieldConfig, width, height, timeRange, title }: PanelProps<TableOptions>) {
  if (!data.series.some((frame) => frame.fields.length > 0) || !hasData(data)) {
    return <NoData fieldConfig={fieldConfig} />;
  }
  cacheFieldDisplayNames(data.series);
  return (
    <TableNG
      ariaLabel={title}
      data={data.series[0]}
      width={width}
      height={height}
      noHeader={!options.showHeader}
      cellHeight={options.cellHeight}
      fieldConfig={fieldConfig}
      timeRange={timeRange}
      structureRev={data.structureRev}
    />
  );
}

export const tablePanel = definePanel<TableOptions>({
  id: 'table',
  component: TablePanel,
  options: { showHeader: true, cellHeight: TableCellHeight.Sm },
  custom: {
    align: 'auto',
    cellOptions: { type: TableCellDisplayMode.Auto },
    inspect: false,
    filterable: false,
    minWidth: undefined,
    width: undefined,
    hideFrom: { viz: false, legend: false, tooltip: false },
  },
});
