/**
 * How the browser bench (pages.bench.ts) measures: the event's size and time range (BENCH_SHORT, BENCH_RUNS), a tab
 * with the probe installed, a page opened cold and in-app, the matrix scrolled through frame by frame, a page's
 * figures (settle times, its Prometheus requests replayed alone, JS heap) and the bare table's.
 */

import type { BrowserContext, Page } from 'playwright-core';

import { BARE_TABLE_MODULE } from './buildBench.ts';
import { heap, installProbe, probe, resetFrames, waitSettled } from './probe.ts';
import { recordQueries, replay, type SentQuery } from './queries.ts';

export const SHORT = process.env.BENCH_SHORT === '1';
export const RUNS = Number(process.env.BENCH_RUNS ?? 3);
export const USERS = SHORT ? 100 : 500;
export const CHALLENGES = SHORT ? 20 : 40;
export const SPAN_S = (SHORT ? 2 : 3) * 3600;
export const END_S = Date.UTC(2026, 0, 10, 12, 0, 0) / 1000;
export const RANGE = `from=${(END_S - SPAN_S) * 1000}&to=${END_S * 1000}`;
export const APP = '/a/hexactf-challenges-app';

export const SLOW_MS = 20_000;
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const mb = (b: number) => b / 2 ** 20;
export const PAGE_READY = '[data-host-page]';
export const GRID = '[role="grid"]';

export interface PageFigures {
  name: string;
  coldMs: number;
  navMs: number;
  promMs: number;
  queries: number;
  exprBytes: number;
  requestBytes: number;
  heapMB: number;
  heapGcMB: number;
  sent: SentQuery[];
  /** Measured once (over SLOW_MS). */
  once: boolean;
}

export async function newPage(context: BrowserContext, init?: Record<string, unknown>): Promise<Page> {
  const page = await context.newPage();
  if (init) {
    await page.addInitScript((o) => Object.assign(window, o), init);
  }
  await installProbe(page);
  return page;
}

/** A fresh tab on the host with the plugin loaded and no app page, then the app page pushed as Grafana's router does. */
export async function navigateInApp(context: BrowserContext, base: string, path: string) {
  const page = await newPage(context);
  await page.goto(`${base}/bench/blank?${RANGE}`);
  await page.waitForSelector('.main-view', { state: 'attached' });
  await page.waitForLoadState('networkidle');
  const recorder = recordQueries(page);
  const from = await page.evaluate((url) => {
    const t = performance.now();
    performance.mark('bench:navigate');
    history.pushState({}, '', url);
    dispatchEvent(new PopStateEvent('popstate', { state: {} }));
    return t;
  }, `${path}?${RANGE}`);
  const ms = await waitSettled(page, from, PAGE_READY);
  return { page, ms, sent: recorder.stop() };
}

export async function scrollThrough(page: Page, grid: string) {
  await resetFrames(page);
  const t = await page.evaluate(async (sel) => {
    const g = document.querySelector(sel)!;
    const t0 = performance.now();
    let steps = 0;
    while (g.scrollTop + g.clientHeight < g.scrollHeight - 1) {
      g.scrollTop += 120;
      steps++;
      await new Promise((r) => requestAnimationFrame(r));
    }
    await new Promise((r) => requestAnimationFrame(r));
    return {
      ms: performance.now() - t0,
      steps,
      rows: g.querySelectorAll('[role="row"]').length,
      height: g.scrollHeight,
    };
  }, grid);
  const p = await probe(page);
  return { ...t, maxGap: p.maxFrameGap, longestLoaf: p.longestLoaf, frames: p.frames };
}

export async function measurePage(context: BrowserContext, base: string, prom: string, name: string, path: string) {
  const url = `${APP}/${path}`;
  const cold = await newPage(context);
  await cold.goto(`${base}${url}?${RANGE}`);
  const coldMs = await waitSettled(cold, 0, PAGE_READY);
  await cold.close();
  const navs: number[] = [];
  let last: Awaited<ReturnType<typeof navigateInApp>> | undefined;
  // A page that takes over SLOW_MS is measured once (its figure is then marked *), as the query benchmark does.
  for (let r = 0; r < RUNS && !(navs[0] > SLOW_MS); r++) {
    await last?.page.close();
    last = await navigateInApp(context, base, url);
    navs.push(last.ms);
  }
  const cdp = await context.newCDPSession(last!.page);
  const h = await heap(cdp);
  const sent = last!.sent;
  const proms: number[] = [];
  for (let r = 0; r < RUNS && !(proms[0] > SLOW_MS); r++) {
    proms.push(await replay(prom, sent));
  }
  const figures: PageFigures = {
    name,
    coldMs,
    navMs: median(navs),
    promMs: median(proms),
    once: navs.length < RUNS || proms.length < RUNS,
    queries: sent.length,
    exprBytes: Math.max(0, ...sent.map((q) => q.exprBytes)),
    requestBytes: Math.max(0, ...sent.map((q) => q.requestBytes)),
    heapMB: mb(h.used),
    heapGcMB: mb(h.afterGc),
    sent,
  };
  return { figures, page: last!.page, cdp };
}

export async function bareTable(context: BrowserContext, base: string, body: string, width: number, height: number) {
  const runs: number[] = [];
  let page: Page | undefined;
  let coldMs = 0;
  for (let r = 0; r < RUNS; r++) {
    await page?.close();
    page = await newPage(context, {
      __hostBenchModule: `${base}/public/build/${BARE_TABLE_MODULE}`,
      __benchBare: { body, width, height },
    });
    await page.goto(`${base}/bench/bare`);
    const settled = await waitSettled(page, 0, `[data-bench-bare] ${GRID}`);
    const start = await page.evaluate(() => performance.getEntriesByName('bench:start')[0].startTime);
    coldMs = settled;
    runs.push(settled - start);
  }
  const cdp = await context.newCDPSession(page!);
  const h = await heap(cdp);
  const scroll = await scrollThrough(page!, `[data-bench-bare] ${GRID}`);
  await page!.close();
  return { ms: median(runs), coldMs, heapMB: mb(h.used), heapGcMB: mb(h.afterGc), scroll };
}
