/**
 * Measures in the page when it has settled: an init script counts the page's fetches in flight (started by
 * window.fetch, ended by their resource-timing entry, i.e. with the body read), watches the DOM, and on every
 * animation frame notes whether a panel loading indicator (the panel's loading bar, a spinner, a loading icon) is
 * shown and whether the DOM changed since the last frame. "Settled" = no fetch in flight and no loading indicator
 * for QUIET_MS; its time is the last frame that painted a change or the last fetch's end, whichever is later
 * (performance.mark 'bench:settled'). The same frames give the frame gaps, and long-animation-frame entries the
 * longest frames, for the scroll measurement.
 */
import type { CDPSession, Page } from 'playwright-core';

export const QUIET_MS = 1000;

export interface Probe {
  inflight: number;
  lastFetchEnd: number;
  lastChangePaint: number;
  lastBusy: number;
  maxFrameGap: number;
  longestLoaf: number;
  frames: number;
  /** Frames and long animation frames before this time (performance.now()) are not counted. */
  since: number;
}

const LOADING = [
  '[aria-label="Panel loading bar"]',
  '[data-testid="Spinner"]',
  '[data-testid="Loading indicator"]',
  '[data-testid="data-testid Loading indicator"]',
].join(',');

function install(loading: string) {
  const p = {
    inflight: 0,
    lastFetchEnd: 0,
    lastChangePaint: 0,
    lastBusy: 0,
    maxFrameGap: 0,
    longestLoaf: 0,
    frames: 0,
    since: 0,
  };
  (window as unknown as { __probe: typeof p }).__probe = p;
  performance.setResourceTimingBufferSize(100_000);
  const original = window.fetch.bind(window);
  window.fetch = (...args: Parameters<typeof fetch>) => {
    p.inflight++;
    return original(...args).catch((e: unknown) => {
      p.inflight--;
      throw e;
    });
  };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries() as PerformanceResourceTiming[]) {
      if (e.initiatorType === 'fetch') {
        p.inflight--;
        p.lastFetchEnd = Math.max(p.lastFetchEnd, e.responseEnd);
      }
    }
  }).observe({ type: 'resource', buffered: true });
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        p.longestLoaf = e.startTime >= p.since ? Math.max(p.longestLoaf, e.duration) : p.longestLoaf;
      }
    }).observe({ type: 'long-animation-frame' });
  } catch {
    // not offered by this Chromium: the frame gaps still say it
  }
  let changed = true;
  const watch = () =>
    new MutationObserver(() => (changed = true)).observe(document, {
      subtree: true,
      childList: true,
      attributes: true,
      characterData: true,
    });
  if (document.documentElement) {
    watch();
  } else {
    document.addEventListener('DOMContentLoaded', watch);
  }
  let last = 0;
  const frame = (ts: number) => {
    if (last && last >= p.since) {
      p.maxFrameGap = Math.max(p.maxFrameGap, ts - last);
    }
    last = ts;
    p.frames++;
    if (changed) {
      p.lastChangePaint = ts;
      changed = false;
    }
    if (p.inflight > 0 || document.querySelector(loading)) {
      p.lastBusy = ts;
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

export async function installProbe(page: Page): Promise<void> {
  await page.addInitScript(install, LOADING);
}

/** Resets the frame and long-frame maxima (before the scroll). */
export async function resetFrames(page: Page): Promise<void> {
  await page.evaluate(() => {
    const p = (window as unknown as { __probe: Probe }).__probe;
    p.maxFrameGap = 0;
    p.longestLoaf = 0;
    p.frames = 0;
    p.since = performance.now();
  });
}

export async function probe(page: Page): Promise<Probe> {
  return page.evaluate(() => ({ ...(window as unknown as { __probe: Probe }).__probe }));
}

/**
 * Waits until the page has settled after `fromMs` (performance.now() of the navigation; 0 = the document's start)
 * and `ready` holds; resolves with the settled time relative to fromMs, ms. The default timeout outlasts Prometheus'
 * own query timeout (2 min), after which the panels show the error and the page settles.
 */
export async function waitSettled(page: Page, fromMs: number, ready: string, timeoutMs = 200_000): Promise<number> {
  const handle = await page.waitForFunction(
    ({ quiet, from, ready: sel }) => {
      const p = (window as unknown as { __probe: Probe }).__probe;
      const now = performance.now();
      const end = Math.max(p.lastChangePaint, p.lastFetchEnd);
      if (p.inflight > 0 || !document.querySelector(sel) || now - Math.max(end, p.lastBusy) < quiet || end < from) {
        return false;
      }
      performance.mark('bench:settled', { startTime: end });
      return { ms: end - from };
    },
    { quiet: QUIET_MS, from: fromMs, ready },
    { timeout: timeoutMs, polling: 100 }
  );
  return ((await handle.jsonValue()) as { ms: number }).ms;
}

/** JS heap in use (CDP Runtime.getHeapUsage), and again after a full garbage collection: bytes. */
export async function heap(cdp: CDPSession): Promise<{ used: number; afterGc: number }> {
  const used = (await cdp.send('Runtime.getHeapUsage')).usedSize;
  await cdp.send('HeapProfiler.collectGarbage');
  const afterGc = (await cdp.send('Runtime.getHeapUsage')).usedSize;
  return { used, afterGc };
}
