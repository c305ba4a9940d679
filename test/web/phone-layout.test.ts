import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngines } from '../helpers/db.js';
import { recordContact, signInAs, startSite, viewports } from '../helpers/browser.js';
import { demo, potholeByPhone } from '../helpers/api.js';

const [engine] = testEngines();

test('on a phone no page scrolls sideways: wide tables scroll inside their own box', async (t) => {
  const site = await startSite(engine!, '2026-03-02T10:00:00-05:00');
  t.after(() => site.close());
  const reference = await recordContact(site, potholeByPhone());
  const page = await (await site.context({ viewport: viewports.phone })).newPage();
  const sideways = async (url: string) => {
    await page.goto(url);
    return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  };
  for (const url of ['/', '/report?type=pothole', '/contact', `/track/${reference}`, `/report/sent/${reference}`]) {
    assert.equal(await sideways(url), 0, url);
  }
  await signInAs(page, demo.csManager);
  for (const url of ['/staff', '/staff/queues/division', '/staff/search?q=pothole', `/staff/cases/${reference}`, '/staff/outbox', '/staff/targets/roads-operations']) {
    assert.equal(await sideways(url), 0, url);
  }
});
