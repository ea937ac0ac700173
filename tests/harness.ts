/**
 * Shared support for the e2e specs: plugin-e2e's test with the app's pages opened at the fixture's fixed time
 * range, and panel lookup by title. The data behind every number is tests/fixtures/challenges.om.txt, served by the
 * Prometheus of tests/docker-compose.e2e.yaml; the numbers are tests/fixtures/expected.json, proven against a real
 * Prometheus by src/test/e2e-fixture.test.ts.
 */
import { AppConfigPage, AppPage, Panel, test as base } from '@grafana/plugin-e2e';
import type { Locator } from '@playwright/test';

import pluginJson from '../src/plugin.json';
import expectedJson from './fixtures/expected.json';

export type StateName = 'Pending' | 'Running' | 'Deleted' | 'Error';

export interface Expected {
  timeRange: { from: string; to: string };
  window: string;
  stateCounts: Record<StateName, number>;
  stateCountsByWindow: Record<string, Record<StateName, number>>;
  matrix: Record<string, Record<string, StateName>>;
  challenges: string[];
  perChallenge: Record<string, { Running: number; Error: number }>;
  errorInstances: Array<{ username: string; challenge_id: string }>;
  stuckDeletions: Array<{ username: string; challenge_id: string }>;
  usage: {
    peakRunningByUser: Record<string, number>;
    runningPerCategory: Record<string, number>;
    requestsPerCategory: Record<string, { cpu: number; memory: number; memoryText: string }>;
  };
}

export const expected = expectedJson as Expected;

/** URL parameters that pin a page to the fixture: its time range, its window, the provisioned datasource. */
export function fixtureParams(extra: Record<string, string> = {}): URLSearchParams {
  return new URLSearchParams({
    from: String(Date.parse(expected.timeRange.from)),
    to: String(Date.parse(expected.timeRange.to)),
    'var-window': expected.window,
    ...extra,
  });
}

/** A panel of an app page, by its title (plugin-e2e's Panel: `data` = grid cells, `fieldNames` = column headers). */
export function panelByTitle(appPage: AppPage, title: string): Panel {
  const locator = appPage.getByGrafanaSelector(appPage.ctx.selectors.components.Panels.Panel.title(title));
  return new Panel(appPage.ctx, locator);
}

/** The element of a panel whose whole text is `value` (a stat's big number, a table cell). */
export function exactText(panel: Panel, value: string | number): Locator {
  return panel.locator.getByText(String(value), { exact: true });
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A table panel's cell, by the text of a cell in its row (e.g. the user) and its column header. Grafana's table
 * (react-data-grid) marks rows `row`, cells `gridcell` and headers `columnheader`, each with its `aria-colindex`.
 */
export async function tableCell(panel: Panel, rowKey: string, column: string): Promise<Locator> {
  const header = panel.locator
    .getByRole('columnheader')
    .filter({ hasText: new RegExp(`^\\s*${escapeRegExp(column)}\\s*$`) });
  const colIndex = await header.getAttribute('aria-colindex');
  const row = panel.locator
    .getByRole('row')
    .filter({ has: panel.locator.page().getByRole('gridcell', { name: rowKey, exact: true }) });
  return row.locator(`[role="gridcell"][aria-colindex="${colIndex}"]`);
}

type AppTestFixture = {
  appConfigPage: AppConfigPage;
  /** Opens an app route at the fixture's time range (plus extra URL parameters). */
  gotoFixturePage: (route: string, extra?: Record<string, string>) => Promise<AppPage>;
};

export const test = base.extend<AppTestFixture>({
  appConfigPage: async ({ gotoAppConfigPage }, use) => {
    await use(await gotoAppConfigPage({ pluginId: pluginJson.id }));
  },
  gotoFixturePage: async ({ gotoAppPage }, use) => {
    await use((route, extra) => gotoAppPage({ pluginId: pluginJson.id, path: `${route}?${fixtureParams(extra)}` }));
  },
});

export { expect } from '@grafana/plugin-e2e';
