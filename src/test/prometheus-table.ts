import { FieldType, type DataFrame, type Field } from '@grafana/data';

/** One series of an instant vector: its labels and its sample value. */
export interface InstantSample {
  labels: Record<string, string>;
  value: number;
}

/**
 * Builds the frame Grafana's Prometheus datasource hands to a panel for an instant query with `format: table`
 * (@grafana/prometheus 13.2, result_transformer transformDFToTable, which turns the backend's one-frame-per-series
 * response into one table per refId):
 * - fields: `Time` (ms), then one string field per label (first seen order, each series' labels sorted by name,
 *   config `filterable: true`, "" where a series lacks the label), then the value field;
 * - the value field is `Value` when the response has a single refId, `Value #<refId>` otherwise;
 * - rows keep the backend's series order (all samples of an instant query share one timestamp).
 * Written from that behaviour rather than importing @grafana/prometheus (AGPL, and it drags in Monaco).
 */
export function prometheusInstantTable(
  samples: InstantSample[],
  { timeMs, refId = 'A', refIdsInResponse = 1 }: { timeMs: number; refId?: string; refIdsInResponse?: number }
): DataFrame {
  const labelNames: string[] = [];
  for (const sample of samples) {
    for (const name of Object.keys(sample.labels).sort()) {
      if (!labelNames.includes(name)) {
        labelNames.push(name);
      }
    }
  }
  const time: Field = { name: 'Time', type: FieldType.time, config: {}, values: samples.map(() => timeMs) };
  const labelFields: Field[] = labelNames.map((name) => ({
    name,
    type: FieldType.string,
    config: { filterable: true },
    values: samples.map((sample) => (Object.hasOwn(sample.labels, name) ? sample.labels[name] : '')),
  }));
  const value: Field = {
    name: refIdsInResponse > 1 ? `Value #${refId}` : 'Value',
    type: FieldType.number,
    config: { displayNameFromDS: undefined },
    values: samples.map((sample) => sample.value),
  };
  return {
    refId,
    fields: [time, ...labelFields, value],
    meta: { preferredVisualisationType: 'rawPrometheus' },
    length: samples.length,
  };
}
