import { FieldType, type DataFrame, type Field } from '@grafana/data';

/** The string field of a table answer that holds the label `name` (a Prometheus instant table's label column). */
export const labelField = (frame: DataFrame, name: string): Field | undefined =>
  frame.fields.find((f) => f.name === name && f.type === FieldType.string);
