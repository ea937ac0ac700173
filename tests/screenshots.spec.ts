/**
 * The plugin catalog's screenshots: each page of the app, opened at the fixture's time range in a running Grafana
 * (the e2e stack, tests/README.md), saved as src/img/screenshots/<route>.png, and listed in src/plugin.json's
 * info.screenshots. Only with SCREENSHOTS=1, so that e2e runs do not rewrite them:
 *
 *   npm run build && npm run server:e2e    # then, in another shell
 *   SCREENSHOTS=1 npx playwright test tests/screenshots.spec.ts --project chromium
 *
 * Commit the PNGs and plugin.json together (the build and the plugin validator need every listed file).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { ROUTES } from '../src/constants';
import { expect, test } from './harness';

const SRC = join(__dirname, '..', 'src');
const DIR = 'img/screenshots';

const PAGES: Array<{ route: ROUTES; name: string; heading: string }> = [
  { route: ROUTES.Overview, name: 'Overview: instances per state and per challenge', heading: 'Overview' },
  { route: ROUTES.UsersChallenges, name: 'Users x Challenges: the state of every instance', heading: 'Users x Challenges' },
  { route: ROUTES.Usage, name: 'Usage: peaks per user, instances and requests per category', heading: 'Usage' },
  { route: ROUTES.Triage, name: 'Triage: instances in Error and unfinished deletions', heading: 'Triage' },
];

test.describe('catalog screenshots', () => {
  test.skip(process.env.SCREENSHOTS !== '1', 'set SCREENSHOTS=1 to (re)make the catalog screenshots');
  test.describe.configure({ mode: 'serial' });
  test.use({ viewport: { width: 1600, height: 1000 } });

  for (const { route, heading } of PAGES) {
    test(`screenshot of ${heading}`, async ({ gotoFixturePage, page, selectors }) => {
      await gotoFixturePage(route);
      await expect(page.getByRole('heading', { name: heading, exact: true })).toBeVisible();
      // Every panel done loading (no spinner left), none in error.
      await expect(page.getByLabel(selectors.components.Panels.Panel.loadingBar(''))).toHaveCount(0, { timeout: 30_000 });
      await expect(page.getByTestId(selectors.components.Panels.Panel.status('error') as string)).toHaveCount(0);
      mkdirSync(join(SRC, DIR), { recursive: true });
      await page.screenshot({ path: join(SRC, DIR, `${route}.png`) });
    });
  }

  test('plugin.json lists the screenshots', () => {
    const file = join(SRC, 'plugin.json');
    const list = PAGES.map(({ route, name }) => ({ name, path: `${DIR}/${route}.png` }));
    const text = readFileSync(file, 'utf8');
    const updated = text.replace(
      /"screenshots": \[[^\]]*\]/,
      `"screenshots": ${JSON.stringify(list, null, 2).replaceAll('\n', '\n    ')}`
    );
    writeFileSync(file, updated);
    expect(JSON.parse(updated).info.screenshots).toEqual(list);
  });
});
