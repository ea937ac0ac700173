/**
 * Debian's Chromium, headless, driven by playwright-core, with a fresh profile (user-data-dir) per run. The
 * background-networking flags keep Chromium from opening connections of its own (refused here, many at a time).
 */
import { chromium, type BrowserContext } from 'playwright-core';
import { removeTempDir, tempDir } from '@hexactf/testing/processes';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export interface HostBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<HostBrowser> {
  const profile = tempDir('hexactf-chromium-');
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1440, height: 1000 },
      // Times a page prints (the banner's "stopped reporting at") read the same on every machine.
      timezoneId: 'UTC',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    return {
      context,
      close: async () => {
        await context.close();
        removeTempDir(profile);
      },
    };
  } catch (error) {
    removeTempDir(profile);
    throw error;
  }
}
