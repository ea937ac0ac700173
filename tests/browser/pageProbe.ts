/**
 * Opens an app URL in the host page at the fixture's time range, in a theme, and records what went wrong on the
 * way: console errors, uncaught exceptions, requests that failed or answered >= 400.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { REPO } from './buildHost.ts';

export type Theme = 'dark' | 'light';

const expected = JSON.parse(readFileSync(join(REPO, 'tests/fixtures/expected.json'), 'utf8')) as {
  timeRange: { from: string; to: string };
};
/** The fixture's fixed time range as Grafana's URL carries it (epoch ms). */
export const FIXTURE_RANGE = `from=${Date.parse(expected.timeRange.from)}&to=${Date.parse(expected.timeRange.to)}`;

export interface OpenedPage {
  page: Page;
  consoleErrors: string[];
  failedRequests: string[];
  close(): Promise<void>;
}

export async function openPage(
  context: BrowserContext,
  baseUrl: string,
  path: string,
  theme: Theme = 'dark'
): Promise<OpenedPage> {
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  const failedRequests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') {
      consoleErrors.push(m.text());
    }
  });
  page.on('pageerror', (e) => consoleErrors.push(`uncaught: ${e.message}`));
  page.on('requestfailed', (r) => {
    const error = r.failure()?.errorText ?? 'failed';
    // ERR_ABORTED: the page itself cancelled it (an icon whose component unmounted, a navigation), nothing failed.
    if (error !== 'net::ERR_ABORTED') {
      failedRequests.push(`${r.method()} ${r.url()}: ${error}`);
    }
  });
  page.on('response', (r) => {
    if (r.status() >= 400) {
      failedRequests.push(`${r.request().method()} ${r.url()}: HTTP ${r.status()}`);
    }
  });
  await page.addInitScript((t) => {
    (window as unknown as { __hostTheme: string }).__hostTheme = t;
  }, theme);
  await page.goto(`${baseUrl}${path}${path.includes('?') ? '&' : '?'}${FIXTURE_RANGE}`);
  await settle(page);
  return { page, consoleErrors, failedRequests, close: () => page.close() };
}

/** Waits until the page has booted, its requests are done and panels have drawn. */
export async function settle(page: Page) {
  await page.waitForFunction(
    () => document.body.hasAttribute('data-host-boot-error') || document.querySelector('[data-host-page]') !== null,
    undefined,
    { timeout: 60_000 }
  );
  const bootError = await page.getAttribute('body', 'data-host-boot-error');
  if (bootError) {
    throw new Error(`the host page did not boot: ${bootError}`);
  }
  await page.waitForLoadState('networkidle', { timeout: 60_000 });
  // Panels draw after their data arrives (uPlot on the next frame).
  await page.waitForTimeout(500);
}
