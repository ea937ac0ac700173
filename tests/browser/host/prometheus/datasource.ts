/**
 * A Prometheus datasource for the host: what Grafana's Prometheus datasource (AGPL, not published for plugins to
 * bundle) does for the queries this app sends, over Grafana's datasource proxy
 * (`/api/datasources/proxy/uid/<uid>/api/v1/...`), which the test server forwards to a real Prometheus.
 * - the query text is interpolated by the template service, with the datasource's own variables ($__range,
 *   $__rate_interval, $__interval) filled in as Grafana's does;
 * - range queries: step = max(interval, scrape interval 15s), at most 11000 points, start/end aligned to the step;
 * - instant queries at the range's end;
 * - label_values(...) variable queries through the label values API.
 */
import {
  DataSourceApi,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceInstanceSettings,
  type MetricFindValue,
  type ScopedVars,
  type TimeRange,
} from '@grafana/data';
import { config, getTemplateSrv } from '@grafana/runtime';
import type { DataQuery } from '@grafana/schema';
import { toFrames, type PromSeries } from './frames';

const SCRAPE_INTERVAL_S = 15;
const MAX_POINTS = 11_000;

interface PromTarget extends DataQuery {
  expr?: string;
  instant?: boolean;
  range?: boolean;
  format?: string;
  legendFormat?: string;
}

interface ApiAnswer<T> {
  status: 'success' | 'error';
  data: T;
  error?: string;
}

export class HostPrometheusDatasource extends DataSourceApi<PromTarget> {
  private readonly proxyBase: string;

  constructor(settings: DataSourceInstanceSettings) {
    super(settings);
    this.proxyBase = `${config.appSubUrl}/api/datasources/proxy/uid/${settings.uid}`;
  }

  /** query and query_range are POSTed (the datasource's default method); label values are GET only. */
  private async api<T>(path: string, params: Record<string, string>, method: 'GET' | 'POST' = 'POST'): Promise<T> {
    const body = new URLSearchParams(params);
    const url = `${this.proxyBase}/api/v1/${path}`;
    const response =
      method === 'GET'
        ? await fetch(`${url}?${body}`)
        : await fetch(url, { method, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body });
    const answer = (await response.json()) as ApiAnswer<T>;
    if (answer.status !== 'success') {
      throw new Error(answer.error ?? `${path}: HTTP ${response.status}`);
    }
    return answer.data;
  }

  /** The scoped variables the Prometheus datasource adds before interpolating a query. */
  private rangeVars(range: TimeRange, stepS: number, scopedVars: ScopedVars): ScopedVars {
    const rangeS = Math.round((range.to.valueOf() - range.from.valueOf()) / 1000);
    const rate = Math.max(stepS + SCRAPE_INTERVAL_S, 4 * SCRAPE_INTERVAL_S);
    const v = (value: string | number) => ({ text: String(value), value });
    return {
      ...scopedVars,
      __interval: v(`${stepS}s`),
      __interval_ms: v(stepS * 1000),
      __range: v(`${rangeS}s`),
      __range_s: v(rangeS),
      __range_ms: v(rangeS * 1000),
      __rate_interval: v(`${rate}s`),
    };
  }

  async query(request: DataQueryRequest<PromTarget>): Promise<DataQueryResponse> {
    const targets = request.targets.filter((t) => !t.hide && t.expr);
    const startS = request.range.from.valueOf() / 1000;
    const endS = request.range.to.valueOf() / 1000;
    const stepS = Math.max(
      Math.ceil((request.intervalMs ?? 0) / 1000),
      SCRAPE_INTERVAL_S,
      Math.ceil((endS - startS) / MAX_POINTS)
    );
    const scopedVars = this.rangeVars(request.range, stepS, request.scopedVars);
    const refIds = new Set(targets.map((t) => t.refId)).size;
    const perTarget = await Promise.all(
      targets.map(async (target) => {
        const expr = getTemplateSrv().replace(target.expr!, scopedVars);
        const instant = target.instant === true && target.range !== true;
        const frameTarget = {
          refId: target.refId,
          expr,
          format: target.format,
          instant,
          legendFormat: target.legendFormat,
        };
        if (instant) {
          const data = await this.api<{ result: PromSeries[] }>('query', { query: expr, time: String(endS) });
          return toFrames(frameTarget, data.result, refIds, stepS * 1000);
        }
        const data = await this.api<{ result: PromSeries[] }>('query_range', {
          query: expr,
          start: String(Math.floor(startS / stepS) * stepS),
          end: String(Math.floor(endS / stepS) * stepS),
          step: String(stepS),
        });
        return toFrames(frameTarget, data.result, refIds, stepS * 1000);
      })
    );
    return { data: perTarget.flat() };
  }

  /** `label_values(selector, label)` / `label_values(label)`, as the Prometheus datasource's variable support. */
  async metricFindQuery(
    query: { query?: string } | string,
    options?: { range?: TimeRange; scopedVars?: ScopedVars }
  ): Promise<MetricFindValue[]> {
    const text = getTemplateSrv().replace(typeof query === 'string' ? query : (query.query ?? ''), options?.scopedVars);
    const match = /^label_values\((?:(.*),\s*)?([a-zA-Z_][a-zA-Z0-9_]*)\)\s*$/.exec(text.trim());
    if (!match) {
      throw new Error(`the host's Prometheus datasource only answers label_values(...), not ${text}`);
    }
    const [, selector, label] = match;
    const params: Record<string, string> = {};
    if (selector) {
      params['match[]'] = selector;
    }
    if (options?.range) {
      params.start = String(Math.floor(options.range.from.valueOf() / 1000));
      params.end = String(Math.ceil(options.range.to.valueOf() / 1000));
    }
    const values = await this.api<string[]>(`label/${encodeURIComponent(label)}/values`, params, 'GET');
    return values.map((value) => ({ text: value, value }));
  }

  async testDatasource() {
    await this.api('query', { query: '1' });
    return { status: 'success', message: 'Data source is working' };
  }
}
