/**
 * Prometheus API answers turned into the data frames a Grafana panel receives from the Prometheus datasource.
 *
 * Why not @grafana/prometheus itself: its 13.x releases pin their peers exactly (@grafana/data, ui, runtime 13.1.x,
 * React 18.3), which the app's 13.2 / React 19 tree cannot satisfy without forcing the install, and the package pulls
 * Monaco and the query editor along. Also, most of the conversion is not in that package: since Grafana 10 the
 * datasource sends queries through the Grafana server, whose Go code (promlib) turns the API JSON into frames; the
 * frontend package only reshapes those for `format: table`. This file reproduces both steps:
 *
 * 1. Server step, for every query: one frame per series, fields `Time` (ms) and `Value` (number) with the series'
 *    labels on the Value field, frame name = the series' labels; a range query's frame has one row per step, an
 *    instant query's one row. An empty result is an empty list of frames.
 * 2. Frontend step, for table-format instant queries (the matrix): one table per refId as built by
 *    src/test/prometheus-table.ts (the shared description of @grafana/prometheus' transformDFToTable).
 *
 * Panels then reduce (stat: `lastNotNull` of each Value field) or transform (the matrix) these frames.
 */
import { FieldType, type DataFrame, type Field } from '@grafana/data';
import type { PromData } from '@hexactf/testing/prom-api';

import { prometheusInstantTable } from '../../src/test/prometheus-table';

const seriesName = (labels: Record<string, string>) => {
  const { __name__: name = '', ...rest } = labels;
  const inner = Object.keys(rest)
    .sort()
    .map((k) => `${k}="${rest[k]}"`)
    .join(', ');
  return `${name}{${inner}}`;
};

/** Step 1: the server's frames (one per series). */
export function seriesFrames(data: PromData, refId = 'A'): DataFrame[] {
  const rows: Array<{ labels: Record<string, string>; points: Array<[number, string]> }> =
    data.resultType === 'vector'
      ? data.result.map((s) => ({ labels: s.metric, points: [s.value] }))
      : data.resultType === 'matrix'
        ? data.result.map((s) => ({ labels: s.metric, points: s.values }))
        : [{ labels: {}, points: [data.result] }];
  return rows.map(({ labels, points }) => {
    const time: Field = {
      name: 'Time',
      type: FieldType.time,
      config: { interval: undefined },
      values: points.map(([t]) => Math.round(t * 1000)),
    };
    const value: Field = {
      name: 'Value',
      type: FieldType.number,
      config: {},
      labels: { ...labels },
      values: points.map(([, v]) => parseFloat(v)),
    };
    return { refId, name: seriesName(labels), fields: [time, value], length: points.length };
  });
}

/** Step 2 for an instant `format: table` query: the single table the panel gets. */
export function tableFrame(data: PromData, timeMs: number, refId = 'A'): DataFrame {
  if (data.resultType !== 'vector') {
    throw new Error(`a table query expects a vector, got ${data.resultType}`);
  }
  return prometheusInstantTable(
    data.result.map((s) => ({ labels: s.metric, value: parseFloat(s.value[1]) })),
    { timeMs, refId }
  );
}

/** What a stat panel shows per Value field: its last non-null value (reduceOptions.calcs = ['lastNotNull']). */
export function statValues(frames: DataFrame[]): number[] {
  const out: number[] = [];
  for (const frame of frames) {
    for (const field of frame.fields) {
      if (field.type !== FieldType.number) {
        continue;
      }
      const values = field.values.filter((v: number | null) => v !== null && !Number.isNaN(v));
      if (values.length) {
        out.push(values[values.length - 1]);
      }
    }
  }
  return out;
}

/** Instant series frames as label value -> value, keyed by one label (per-challenge, per-user, per-category panels). */
export function valuesBy(frames: DataFrame[], label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const frame of frames) {
    const value = frame.fields.find((f) => f.type === FieldType.number)!;
    const key = value.labels?.[label];
    if (key === undefined) {
      throw new Error(`series ${frame.name} has no label ${label}`);
    }
    out[key] = value.values[value.values.length - 1];
  }
  return out;
}
