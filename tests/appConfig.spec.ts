import { test, expect } from './harness';

test('saves the app settings (the seed operator label name) and keeps them', async ({ appConfigPage, page }) => {
  const challengeId = page.getByRole('textbox', { name: 'Challenge id label' });
  await challengeId.fill('challeng_id');
  await page.getByRole('radio', { name: '6h' }).click();

  const saveResponse = appConfigPage.waitForSettingsResponse();
  await page.getByRole('button', { name: /Save settings/i }).click();
  await expect(saveResponse).toBeOK();

  // The page reloads with the saved jsonData.
  await expect(page.getByRole('textbox', { name: 'Challenge id label' })).toHaveValue('challeng_id');

  // Restore the provisioned default so the other specs see the operator's label names.
  await page.getByRole('textbox', { name: 'Challenge id label' }).fill('challenge_id');
  await page.getByRole('radio', { name: '2h' }).click();
  const restore = appConfigPage.waitForSettingsResponse();
  await page.getByRole('button', { name: /Save settings/i }).click();
  await expect(restore).toBeOK();
});
