/** What Grafana's panels show without data (PanelDataErrorView): the panel's no-value text, else "No data". */
import React from 'react';
import type { FieldConfigSource, PanelData } from '@grafana/data';

export const hasData = (data: PanelData) => data.series.some((frame) => frame.fields.length > 0 && frame.length > 0);

export function NoData({ fieldConfig }: { fieldConfig: FieldConfigSource }) {
  return (
    <div
      data-host-no-data=""
      style={{ display: 'flex', alignItems: 'center', justifyContent: 'center', height: '100%' }}
    >
      {fieldConfig.defaults.noValue ?? 'No data'}
    </div>
  );
}
