/**
 * npm run screenshots: the plugin catalog's screenshots (src/img/screenshots/<page>.png) of every page on a realistic
 * event (event.ts), in the dark theme at 1440x900, through the browser test's rig (the built plugin in the host page,
 * Chromium, Prometheus on the backfilled event). The viewport, not the full page, as the catalog shows them.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../buildHost.ts';
import { startEventPrometheus } from '../eventPrometheus.ts';
import { settle } from '../pageProbe.ts';
import { startRig } from '../rig.ts';
import { END_S, EVENT, SPAN_S } from './event.ts';

export const CATALOG_DIR = join(REPO, 'src/img/screenshots');
const PAGES = ['overview', 'users-challenges', 'usage', 'triage', 'lifecycle'];
const RANGE = `from=${(END_S - SPAN_S) * 1000}&to=${END_S * 1000}`;

async function main() {
  const rig = await startRig({ subPath: false, prometheus: () => startEventPrometheus(EVENT) });
  try {
    mkdirSync(CATALOG_DIR, { recursive: true });
    for (const name of PAGES) {
      const page = await rig.browser.context.newPage();
      await page.setViewportSize({ width: 1440, height: 900 });
      await page.addInitScript(() => Object.assign(window, { __hostTheme: 'dark' }));
      await page.goto(`${rig.root.url}/a/hexactf-challenges-app/${name}?${RANGE}`);
      await settle(page);
      await page.mouse.move(0, 0);
      const path = join(CATALOG_DIR, `${name}.png`);
      await page.screenshot({ path });
      console.log(path);
      await page.close();
    }
  } finally {
    await rig.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  }
);
