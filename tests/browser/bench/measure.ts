/**
 * How the browser bench (pages.bench.ts) measures: the event's size and time range (BENCH_SHORT, BENCH_RUNS), a tab
 * with the probe installed, a page opened cold and in-app, the matrix scrolled through frame by frame, a page's
 * figures (settle times, its Prometheus requests replayed alone, JS heap) and the bare table's.
 */

import type { BrowserContext, Page } from 'playwright-core';

import { BARE_TABLE_MODULE } from './buildBench.ts';
import { heap, installProbe, probe, resetFrames, waitSettled } from './probe.ts';
import { recordQueries, replay, waves, type SentQuery } from './queries.ts';

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
  /** In-app: from the last instant query's answer to settled (dataToPaint), median. */
  paintMs: number;
  promMs: number;
  queries: number;
  /** Sequential waves of requests (queries.ts). */
  waves: number;
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
  return { page, ms, paintMs: await dataToPaint(page), sent: recorder.stop() };
}

/**
 * From the page's last instant query answered (its body read: the matrix's data, on Users x Challenges and in the
 * bare table) to the settled time: what the page does with its data until the table is painted, without the
 * Prometheus waves before it. Read right after waitSettled.
 */
export async function dataToPaint(page: Page): Promise<number> {
  return page.evaluate(() => {
    const settled = performance.getEntriesByName('bench:settled').at(-1)!.startTime;
    const answered = (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
      .filter((e) => new URL(e.name).pathname.endsWith('/api/v1/query'))
      .map((e) => e.responseEnd);
    return settled - Math.max(0, ...answered);
  });
}

/** One pass: the grid from its top to its last row, 120 px a frame; its longest frame gap and animation frame. */
async function scrollPass(page: Page, grid: string) {
  await page.evaluate(async (sel) => {
    document.querySelector(sel)!.scrollTop = 0;
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => requestAnimationFrame(r));
    }
  }, grid);
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

/**
 * The grid scrolled through RUNS times from its top (a single pass's longest frame is at the mercy of the machine's
 * other jobs): the median pass by its longest frame gap, and the worst gap and animation frame of all passes.
 */
export async function scrollThrough(page: Page, grid: string) {
  const passes: Array<Awaited<ReturnType<typeof scrollPass>>> = [];
  for (let r = 0; r < RUNS; r++) {
    passes.push(await scrollPass(page, grid));
  }
  const byGap = [...passes].sort((a, b) => a.maxGap - b.maxGap);
  return {
    ...byGap[Math.floor(byGap.length / 2)],
    passes: passes.length,
    worstGap: byGap.at(-1)!.maxGap,
    worstLoaf: Math.max(...passes.map((p) => p.longestLoaf)),
  };
}

export async function measurePage(context: BrowserContext, base: string, prom: string, name: string, path: string) {
  const url = `${APP}/${path}`;
  const cold = await newPage(context);
  await cold.goto(`${base}${url}?${RANGE}`);
  const coldMs = await waitSettled(cold, 0, PAGE_READY);
  await cold.close();
  const navs: number[] = [];
  const paints: number[] = [];
  let last: Awaited<ReturnType<typeof navigateInApp>> | undefined;
  // A page that takes over SLOW_MS is measured once (its figure is then marked *), as the query benchmark does.
  for (let r = 0; r < RUNS && !(navs[0] > SLOW_MS); r++) {
    await last?.page.close();
    last = await navigateInApp(context, base, url);
    navs.push(last.ms);
    paints.push(last.paintMs);
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
    paintMs: median(paints),
    promMs: median(proms),
    once: navs.length < RUNS || proms.length < RUNS,
    queries: sent.length,
    waves: waves(sent).length,
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
  const paints: number[] = [];
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
    paints.push(await dataToPaint(page));
  }
  const cdp = await context.newCDPSession(page!);
  const h = await heap(cdp);
  const scroll = await scrollThrough(page!, `[data-bench-bare] ${GRID}`);
  await page!.close();
  return { ms: median(runs), paintMs: median(paints), coldMs, heapMB: mb(h.used), heapGcMB: mb(h.afterGc), scroll };
}
