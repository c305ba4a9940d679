import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngines } from '../helpers/db.js';
import { expectAccessible, signInAs, startSite } from '../helpers/browser.js';
import { demo } from '../helpers/api.js';

/** Issue 17: the administrators' mailbox status page in Chromium; axe finds nothing. */
const [engine] = testEngines();

test('the mailbox status page is reachable from the administration page and passes axe', async (t) => {
  const site = await startSite(engine!, '2026-11-23T15:00:00Z');
  t.after(() => site.close());
  const page = await (await site.context()).newPage();
  await signInAs(page, demo.admin);
  await page.goto('/staff/admin');
  await page.getByRole('link', { name: /Mailbox status/ }).click();
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Mailbox status');
  assert.match(await page.getByRole('main').innerText(), /No mailbox is connected/);
  await expectAccessible(page, '/staff/mailbox');
});
