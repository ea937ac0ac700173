/** Full-page PNGs per page and theme in tests/browser/screenshots/ (gitignored; CI keeps them as its artifact). */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { REPO } from './buildHost.ts';
import type { Theme } from './pageProbe.ts';

export const SCREENSHOT_DIR = join(REPO, 'tests/browser/screenshots');

export async function saveScreenshot(page: Page, name: string, theme: Theme): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}-${theme}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
