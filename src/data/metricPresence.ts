import type { PanelData } from '@grafana/data';
import { metricPresenceQuery } from '../queries/common';
import type { PromQuery } from './promQuery';

/** Instant queries asking whether each metric has a series within `window`, one per metric, refId = its key. */
export function presenceQueries(metrics: Readonly<Record<string, string>>, window?: string): PromQuery[] {
  return Object.entries(metrics).map(([refId, metric]) => ({
    refId,
    expr: metricPresenceQuery(metric, window),
    instant: true,
    range: false,
  }));
}

/** The answer of the presence query `refId` in `data`: 1 means present; 0, or no answer, means absent. */
export function isPresent(data: PanelData, refId: string): boolean {
  const frame = data.series.find((f) => f.refId === refId);
  return frame?.fields.find((field) => field.type === 'number')?.values.at(-1) === 1;
}
