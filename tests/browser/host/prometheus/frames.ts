/**
 * Prometheus API results -> the data frames Grafana's Prometheus datasource hands to panels (backend response
 * parsing in pkg/promlib, then the frontend's result transformer), written from that behaviour:
 * - `format: table`, instant: one table per refId (src/test/prometheus-table.ts, shared with the jsdom tests);
 * - otherwise one frame per series: `Time` and `Value`, the series' labels on the value field, and the legend
 *   (legendFormat with {{label}} filled in; without one the metric name and labels; with no labels the expression)
 *   as the field's displayNameFromDS and the frame's name.
 */
import { FieldType, type DataFrame } from '@grafana/data';
import { prometheusInstantTable } from '../../../../src/test/prometheus-table';

export interface PromSeries {
  metric: Record<string, string>;
  /** instant vector */
  value?: [number, string];
  /** range vector */
  values?: Array<[number, string]>;
}

export interface FrameTarget {
  refId: string;
  expr: string;
  format?: string;
  instant: boolean;
  legendFormat?: string;
}

const sampleValue = (text: string) => Number(text);

function legend(target: FrameTarget, metric: Record<string, string>): string {
  const { __name__: name = '', ...labels } = metric;
  if (target.legendFormat && target.legendFormat !== '__auto') {
    return target.legendFormat.replace(/\{\{\s*(.+?)\s*\}\}/g, (_, label: string) => metric[label] ?? '');
  }
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  if (pairs.length === 0) {
    return name || target.expr;
  }
  return `${name}{${pairs.join(', ')}}`;
}

export function toFrames(
  target: FrameTarget,
  result: PromSeries[],
  refIdsInResponse: number,
  stepMs: number
): DataFrame[] {
  if (target.format === 'table' && target.instant) {
    if (result.length === 0) {
      return [];
    }
    const samples = result.map((s) => ({ labels: s.metric, value: sampleValue(s.value![1]) }));
    return [
      prometheusInstantTable(samples, { timeMs: result[0].value![0] * 1000, refId: target.refId, refIdsInResponse }),
    ];
  }
  return result.map((series) => {
    const points = series.values ?? (series.value ? [series.value] : []);
    const { __name__, ...labels } = series.metric;
    const name = legend(target, series.metric);
    return {
      refId: target.refId,
      name,
      length: points.length,
      fields: [
        { name: 'Time', type: FieldType.time, config: { interval: stepMs }, values: points.map(([t]) => t * 1000) },
        {
          name: 'Value',
          type: FieldType.number,
          labels: __name__ === undefined ? labels : { __name__, ...labels },
          config: { displayNameFromDS: name },
          values: points.map(([, v]) => sampleValue(v)),
        },
      ],
    };
  });
}
