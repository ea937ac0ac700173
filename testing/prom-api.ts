// Prometheus' HTTP API over node:http, not fetch: the jest tests that use it run in jsdom, which has no fetch.
import { request } from 'node:http';

export interface PromVectorSample {
  metric: Record<string, string>;
  value: [number, string];
}
export interface PromMatrixSeries {
  metric: Record<string, string>;
  values: Array<[number, string]>;
}
export type PromData =
  | { resultType: 'vector'; result: PromVectorSample[] }
  | { resultType: 'matrix'; result: PromMatrixSeries[] }
  | { resultType: 'scalar'; result: [number, string] };

/**
 * Calls /api/v1/<path> and returns `data`; throws on a non-success answer. Queries go as a POSTed form (as Grafana
 * sends them); the label values API only answers GET.
 */
export async function promApi<T = PromData>(baseUrl: string, path: string, params: Record<string, string | string[]>, method: 'GET' | 'POST' = 'POST'): Promise<T> {
  return (await promApiAnswer<T>(baseUrl, path, params, method)).data;
}

/**
 * promApi's `data` with the answer's `warnings`: a Thanos Query that lost one of its stores still answers (partial
 * response) and says so there, as Grafana shows it.
 */
export function promApiAnswer<T = PromData>(baseUrl: string, path: string, params: Record<string, string | string[]>, method: 'GET' | 'POST' = 'POST'): Promise<{ data: T; warnings: string[] }> {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    for (const one of Array.isArray(v) ? v : [v]) {
      form.append(k, one);
    }
  }
  const body = form.toString();
  return new Promise((resolve, reject) => {
    const url = `${baseUrl}/api/v1/${path}${method === 'GET' ? `?${body}` : ''}`;
    const req = request(url, {
      method,
      headers: method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } : {},
      timeout: 300_000,
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        try {
          const json = JSON.parse(text) as { status: string; data: T; error?: string; warnings?: string[] };
          if (json.status !== 'success') {
            reject(new Error(`${path} ${String(params.query ?? params['match[]'])}: ${json.error ?? res.statusCode}`));
          } else {
            resolve({ data: json.data, warnings: json.warnings ?? [] });
          }
        } catch (err) {
          reject(new Error(`${path}: ${res.statusCode} ${text.slice(0, 200)} (${String(err)})`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${path}: timeout`)));
    req.on('error', reject);
    req.end(method === 'POST' ? body : undefined);
  });
}

export function instantQuery(baseUrl: string, query: string, timeS: number): Promise<PromData> {
  return promApi(baseUrl, 'query', { query, time: String(timeS) });
}

export function rangeQuery(baseUrl: string, query: string, startS: number, endS: number, stepS: number): Promise<PromData> {
  return promApi(baseUrl, 'query_range', { query, start: String(startS), end: String(endS), step: String(stepS) });
}

/** The status code of a GET whose body is not needed; 0 when nothing answers (yet). */
export function httpStatus(url: string, timeoutMs = 2000): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
    req.end();
  });
}
