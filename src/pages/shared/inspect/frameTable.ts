import { formattedValueToString, getFieldDisplayName, type DataFrame, type Field } from '@grafana/data';

/** A frame as text: column names and rows of cells, at most `maxRows` rows (`total` says how many there are). */
export interface FrameText {
  header: string[];
  rows: string[][];
  total: number;
}

/** A cell as the panel shows it when the field has a display processor (field config applied), else its value. */
export function cellText(field: Field, value: unknown): string {
  if (field.display) {
    return formattedValueToString(field.display(value));
  }
  return value === null || value === undefined ? '' : String(value);
}

export function frameText(frame: DataFrame, frames: DataFrame[], maxRows: number): FrameText {
  const shown = Math.min(frame.length, maxRows);
  return {
    header: frame.fields.map((field) => getFieldDisplayName(field, frame, frames)),
    rows: Array.from({ length: shown }, (_, row) => frame.fields.map((field) => cellText(field, field.values[row]))),
    total: frame.length,
  };
}

/** Whether the data holds any row at all (frames without rows are what Prometheus' empty answers become). */
export const hasRows = (frames: DataFrame[]) => frames.some((frame) => frame.length > 0);
