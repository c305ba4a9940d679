import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngines } from '../helpers/db.js';
import { expectAccessible, screenshot, signInAs, signInThroughPage, startSite, viewports } from '../helpers/browser.js';
import { demo } from '../helpers/api.js';

const [engine] = testEngines();

test('the page shell: sign-in page is accessible, a form from another site is refused, unknown pages say so', async (t) => {
  const site = await startSite(engine!, '2026-03-02T10:00:00-05:00');
  t.after(() => site.close());
  const page = await (await site.context({ viewport: viewports.phone })).newPage();
  await page.goto('/staff/sign-in');
  await expectAccessible(page);
  await screenshot(page, 'console-sign-in-phone');

  await page.getByLabel('Work e-mail').fill(demo.csRep);
  await page.getByLabel('Password').fill('wrong password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await assert.doesNotReject(page.getByRole('alert').waitFor());
  assert.match(await page.getByRole('alert').innerText(), /e-mail address and password do not match/);
  await expectAccessible(page, 'sign-in with an error');

  await signInThroughPage(page, demo.csRep);
  assert.equal(new URL(page.url()).pathname, '/staff');

  // Security headers on every page: scripts from this site only, no framing by others, no sniffing.
  const headers = (await fetch(`${site.baseUrl}/staff/sign-in`)).headers;
  assert.match(headers.get('content-security-policy') ?? '', /script-src 'self'/);
  assert.match(headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
  assert.equal(headers.get('x-content-type-options'), 'nosniff');
  assert.equal(headers.get('referrer-policy'), 'same-origin');

  const forged = await fetch(`${site.baseUrl}/staff/sign-out`, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
  assert.equal(forged.status, 403);

  const withoutScripts = await (await site.context({ javaScript: false })).newPage();
  await signInAs(withoutScripts, demo.roadsStaff);
  assert.equal(new URL(withoutScripts.url()).pathname, '/staff');

  const missing = await page.goto('/no-such-page');
  assert.equal(missing?.status(), 404);
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Page not found');
  await expectAccessible(page, 'not found page');
});
