import { testIds } from '../src/components/testIds';
import pluginJson from '../src/plugin.json';
import { expect, test } from './harness';

// Only the default window changes here: the page specs pin `var-window` in the URL, so they can run in parallel.
test('the config page saves the settings, and they are there after the reload', async ({ appConfigPage, page }) => {
  const window6h = page.getByRole('radio', { name: '6h', exact: true });
  const window2h = page.getByRole('radio', { name: '2h', exact: true });
  try {
    await expect(page.getByTestId(testIds.appConfig.challengeIdLabel)).toHaveValue('challenge_id');
    await window6h.check({ force: true });
    const saved = appConfigPage.waitForSettingsResponse();
    await page.getByTestId(testIds.appConfig.submit).click();
    await expect(saved).toBeOK();
    // Saving reloads the page so the app sees the new jsonData.
    await expect(window6h).toBeChecked();
    const settings = await (await page.request.get(`/api/plugins/${pluginJson.id}/settings`)).json();
    expect(settings.jsonData).toMatchObject({ defaultWindow: '6h', challengeIdLabel: 'challenge_id' });
  } finally {
    // Back to the provisioned defaults whatever happened above.
    await window2h.check({ force: true });
    const restored = appConfigPage.waitForSettingsResponse();
    await page.getByTestId(testIds.appConfig.submit).click();
    await expect(restored).toBeOK();
  }
});

test('the config page refuses a label name Prometheus would not accept', async ({ appConfigPage, page }) => {
  await expect(appConfigPage.ctx.page.getByTestId(testIds.appConfig.container)).toBeVisible();
  const label = page.getByTestId(testIds.appConfig.usernameLabel);
  await label.fill('user-name');
  await expect(page.getByText(/Not a Prometheus label name/)).toBeVisible();
  await expect(page.getByTestId(testIds.appConfig.submit)).toBeDisabled();
  await label.fill('challeng_id');
  await page.getByTestId(testIds.appConfig.challengeIdLabel).fill('challeng_id');
  await expect(page.getByText(/Same label as/)).toBeVisible();
  await expect(page.getByTestId(testIds.appConfig.submit)).toBeDisabled();
});
