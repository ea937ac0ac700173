import type { PromQuery } from './FilteredQueryRunner';

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
