/**
 * The Prometheus requests a page sends (through the host's datasource proxy), their sizes, and the time Prometheus
 * itself takes to answer them when they are sent to it directly from Node: in the page's waves (a wave starts when
 * nothing of the previous one is in flight: the filter variables' label values, then the panels), each wave's
 * requests at once, waves one after the other.
 */
import { request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Page } from 'playwright-core';

const PROXY = '/api/datasources/proxy/uid/';

export interface SentQuery {
  method: string;
  /** Path and query string below the proxy, e.g. /api/v1/query_range. */
  path: string;
  body: string;
  /** The PromQL (query / match[]). */
  expr: string;
  /** The PromQL, bytes. */
  exprBytes: number;
  /** URL + body, bytes. */
  requestBytes: number;
  start: number;
  end: number;
}

/** Records the page's Prometheus requests from now on; `stop()` returns them. */
export function recordQueries(page: Page): { stop(): SentQuery[] } {
  const open = new Map<object, SentQuery>();
  const done: SentQuery[] = [];
  const onRequest = (r: import('playwright-core').Request) => {
    const url = new URL(r.url());
    const at = url.pathname.indexOf(PROXY);
    if (at < 0) {
      return;
    }
    const rest = url.pathname.slice(at + PROXY.length);
    const path = rest.slice(rest.indexOf('/')) + url.search;
    const body = r.postData() ?? '';
    const params = new URLSearchParams(body || url.search);
    const expr = params.get('query') ?? params.getAll('match[]').join('');
    open.set(r, {
      method: r.method(),
      path,
      body,
      expr,
      exprBytes: Buffer.byteLength(expr),
      requestBytes: Buffer.byteLength(r.url()) + Buffer.byteLength(body),
      start: performance.now(),
      end: Infinity,
    });
  };
  const onEnd = (r: import('playwright-core').Request) => {
    const q = open.get(r);
    if (q) {
      q.end = performance.now();
      done.push(q);
      open.delete(r);
    }
  };
  page.on('request', onRequest);
  page.on('requestfinished', onEnd);
  page.on('requestfailed', onEnd);
  return {
    stop() {
      page.off('request', onRequest);
      page.off('requestfinished', onEnd);
      page.off('requestfailed', onEnd);
      return [...done, ...open.values()].sort((a, b) => a.start - b.start);
    },
  };
}

/** The page's requests in waves: a wave ends when none of its requests is in flight. */
export function waves(sent: SentQuery[]): SentQuery[][] {
  const out: SentQuery[][] = [];
  let end = -Infinity;
  for (const q of sent) {
    if (q.start >= end || out.length === 0) {
      out.push([]);
    }
    out.at(-1)!.push(q);
    end = Math.max(end, q.end);
  }
  return out;
}

/** The page's waves, a line per request: its time in the page, its API and the start of its PromQL. */
export function describeWaves(sent: SentQuery[], exprChars = 110): string[] {
  const t0 = sent[0]?.start ?? 0;
  return waves(sent).flatMap((wave, i) =>
    wave.map(
      (q) =>
        `wave ${i + 1}  ${(q.start - t0).toFixed(0).padStart(6)} ms +${(q.end - q.start).toFixed(0).padStart(6)} ms  ` +
        `${q.path.split('?')[0].replace('/api/v1/', '').padEnd(13)}${q.expr.replace(/\s+/g, ' ').slice(0, exprChars)}`
    )
  );
}

function send(prometheusUrl: string, q: SentQuery): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      new URL(q.path, prometheusUrl),
      {
        method: q.method,
        headers: q.body
          ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(q.body) }
          : {},
      },
      (res) => {
        res.resume();
        // An error answer (Prometheus' own query timeout, 2 min by default) is an answer too: the page got the same.
        res.on('end', () => resolve());
      }
    );
    req.on('error', reject);
    req.end(q.body);
  });
}

/** Wall time of answering the waves directly, ms. */
export async function replay(prometheusUrl: string, sent: SentQuery[]): Promise<number> {
  const t0 = performance.now();
  for (const wave of waves(sent)) {
    await Promise.all(wave.map((q) => send(prometheusUrl, q)));
  }
  return performance.now() - t0;
}
