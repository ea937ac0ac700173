import React from 'react';
import { toCSV } from '@grafana/data';
import {
  SceneObjectBase,
  VizPanel,
  sceneGraph,
  type SceneComponentProps,
  type SceneObjectState,
} from '@grafana/scenes';
import { Button } from '@grafana/ui';

interface CsvExportButtonState extends SceneObjectState {
  filename: string;
}

/**
 * Downloads the panel it sits in (as a header action) as CSV: the transformed frames with the panel's field config
 * applied, so cells read as the table shows them (state names, not gauge values), written by Grafana's toCSV.
 */
export class CsvExportButton extends SceneObjectBase<CsvExportButtonState> {
  static Component = CsvExportButtonRenderer;

  /** The CSV text of the panel's current data ('' before the panel has data). */
  public csv(): string {
    const panel = sceneGraph.getAncestor(this, VizPanel);
    const data = sceneGraph.getData(panel).state.data;
    if (!data) {
      return '';
    }
    return toCSV(panel.applyFieldConfig(data).series, { delimiter: ',' });
  }

  public download = () => {
    const url = URL.createObjectURL(new Blob([this.csv()], { type: 'text/csv;charset=utf-8' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = this.state.filename;
    link.click();
    URL.revokeObjectURL(url);
  };
}

function CsvExportButtonRenderer({ model }: SceneComponentProps<CsvExportButton>) {
  return (
    <Button size="sm" variant="secondary" icon="download-alt" fill="text" onClick={model.download}>
      CSV
    </Button>
  );
}
