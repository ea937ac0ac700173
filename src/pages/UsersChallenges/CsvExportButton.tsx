import React from 'react';
import {
  SceneObjectBase,
  VizPanel,
  sceneGraph,
  type SceneComponentProps,
  type SceneObjectState,
} from '@grafana/scenes';
import { Button } from '@grafana/ui';
import { downloadText, panelCsv } from '../shared/panelCsv';

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
    return panelCsv(sceneGraph.getAncestor(this, VizPanel));
  }

  public download = () => downloadText(this.state.filename, this.csv());
}

function CsvExportButtonRenderer({ model }: SceneComponentProps<CsvExportButton>) {
  return (
    <Button size="sm" variant="secondary" icon="download-alt" fill="text" onClick={model.download}>
      CSV
    </Button>
  );
}
