import { ROUTES } from '../src/constants';
import { expect, test } from './harness';

const PAGES: Array<{ route: ROUTES; title: string }> = [
  { route: ROUTES.Overview, title: 'Overview' },
  { route: ROUTES.UsersChallenges, title: 'Users x Challenges' },
  { route: ROUTES.Usage, title: 'Usage' },
  { route: ROUTES.Triage, title: 'Triage' },
];

for (const { route, title } of PAGES) {
  test(`${title} loads with its variables and no panel in error`, async ({ gotoFixturePage, page, selectors }) => {
    await gotoFixturePage(route);
    await expect(page.getByRole('heading', { name: title, exact: true })).toBeVisible();
    // The provisioned Prometheus is there: no "no datasource" message, the datasource picker shows it.
    await expect(page.getByText(/No Prometheus datasource/i)).toHaveCount(0);
    await expect(page.getByText('Prometheus', { exact: true }).first()).toBeVisible();
    await expect(
      page.getByTestId(selectors.components.Panels.Panel.status('error') as string).first()
    ).not.toBeVisible();
  });
}
