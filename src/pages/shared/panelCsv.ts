import { toCSV, type DataFrame } from '@grafana/data';
import { sceneGraph, type VizPanel } from '@grafana/scenes';
import { titleSlug } from './inspect/panelKeys';

/** CSV of frames: cells through each field's display processor when it has one (field config applied). */
export const framesCsv = (frames: DataFrame[]) => toCSV(frames, { delimiter: ',' });

/** The CSV of the panel's current data, field config applied so cells read as shown ('' before any data). */
export function panelCsv(panel: VizPanel): string {
  const data = sceneGraph.getData(panel).state.data;
  return data ? framesCsv(panel.applyFieldConfig(data).series) : '';
}

export function downloadText(filename: string, text: string, type = 'text/csv;charset=utf-8') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.click();
  URL.revokeObjectURL(url);
}

/** A file name from the panel title (its slug, as panel keys use it). */
export const csvFilename = (title: string) => `${titleSlug(title) || 'panel'}.csv`;
