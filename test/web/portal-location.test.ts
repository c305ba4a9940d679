import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngines } from '../helpers/db.js';
import { expectAccessible, startSite, viewports } from '../helpers/browser.js';

const [engine] = testEngines();

test('on a phone, "Use my current location" fills the point of a report; without JavaScript the button is not offered and the form still works', async (t) => {
  const site = await startSite(engine!, '2026-03-02T23:00:00-05:00');
  t.after(() => site.close());
  const context = await site.browser.newContext({
    baseURL: site.baseUrl,
    viewport: viewports.phone,
    geolocation: { latitude: 44.350123, longitude: -78.739151, accuracy: 12 },
    permissions: ['geolocation'],
  });
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto('/report?type=pothole');
  const locate = page.getByRole('button', { name: 'Use my current location' });
  await locate.click();
  await page.getByRole('status').filter({ hasText: 'Your location is filled in below' }).waitFor();
  assert.equal(await page.getByLabel('Latitude').inputValue(), '44.35012');
  assert.equal(await page.getByLabel('Longitude').inputValue(), '-78.73915');
  await expectAccessible(page, 'the report form with the location filled in');

  const withoutScripts = await (await site.context({ javaScript: false, viewport: viewports.phone })).newPage();
  await withoutScripts.goto('/report?type=pothole');
  assert.equal(await withoutScripts.getByRole('button', { name: 'Use my current location' }).isVisible(), false);
  await withoutScripts.getByLabel('Latitude').fill('44.35');
  await withoutScripts.getByLabel('Longitude').fill('-78.74');
  await withoutScripts.getByLabel('Describe the problem').fill('A deep pothole by the curb.');
  await withoutScripts.getByRole('button', { name: 'Continue' }).click();
  assert.match(await withoutScripts.getByRole('heading', { level: 1 }).innerText(), /Check your answers/);
});
