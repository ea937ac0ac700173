import type { SceneDataQuery } from '@grafana/scenes';

/** A Prometheus query as the panels send it (fields of Grafana's PromQuery the app uses). */
export interface PromQuery extends SceneDataQuery {
  expr: string;
  instant?: boolean;
  range?: boolean;
  format?: 'time_series' | 'table';
  legendFormat?: string;
}

/** Instant query, table format: one row per series, labels as columns, the value in `Value` (`Value #<refId>`). */
export const instantTable = (refId: string, expr: string): PromQuery => ({
  refId,
  expr,
  instant: true,
  range: false,
  format: 'table',
});

/** Instant query, one series per label set, named by `legendFormat` (e.g. `{{username}}`). */
export const instantSeries = (refId: string, expr: string, legendFormat?: string): PromQuery => ({
  refId,
  expr,
  instant: true,
  range: false,
  ...(legendFormat ? { legendFormat } : {}),
});

/** Range query over the time range, named by `legendFormat`. */
export const rangeSeries = (refId: string, expr: string, legendFormat?: string): PromQuery => ({
  refId,
  expr,
  instant: false,
  range: true,
  ...(legendFormat ? { legendFormat } : {}),
});
