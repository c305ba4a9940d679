import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { testEngines } from '../helpers/db.js';
import { expectAccessible, screenshot, signInAs, startSite, viewports, type BrowserSite } from '../helpers/browser.js';
import { apiAs, demo, potholeByPhone } from '../helpers/api.js';
import { sweep } from '../../src/escalation/sweep.js';

/** The case page in Chromium: every state accessible (axe), the actions without JavaScript, by keyboard alone. */

const [engine] = testEngines();

/** Posts to the staff API as `email` (the shared session, see sessions.ts); anything but a success fails the test. */
async function poster(site: BrowserSite, email: string) {
  const client = await apiAs(site, email);
  return async (url: string, payload: Record<string, unknown>) => {
    const response = await client.post(url, payload);
    assert.ok(response.status < 300, `${url}: ${JSON.stringify(response.body)}`);
    return response.body;
  };
}

/** Cases in each state the page must show, as the API makes them. */
async function casesInEveryState(site: BrowserSite) {
  const create = async () => (await (await poster(site, demo.csRep))('/api/v1/cases', potholeByPhone())).case.reference as string;
  // Received last week and never acknowledged: the sweep escalates it to the Division Head.
  site.clock.set('2026-02-23T11:00:00-05:00');
  const escalated = await create();
  site.clock.set('2026-03-02T10:00:00-05:00');
  await sweep({ db: site.db, now: site.clock.now() });
  const roads = await poster(site, demo.roadsStaff);
  const fresh = await create();
  const acknowledged = await create();
  await roads(`/api/v1/cases/${acknowledged}/acknowledge`, { nextSteps: 'A crew will fill it this week.', contact: 'Roads Operations at 705-324-9411' });
  await roads(`/api/v1/cases/${acknowledged}/notes`, { text: 'Customer called back with a photo.' });
  const transferring = await create();
  await roads(`/api/v1/cases/${transferring}/transfer`, { toDivision: 'traffic-streetlights', note: 'It is the streetlight above the pothole.' });
  const resolved = await create();
  await roads(`/api/v1/cases/${resolved}/resolve`, { resolution: 'The crew filled the pothole on Monday.' });
  return { escalated, fresh, acknowledged, transferring, resolved };
}

const statusText = async (page: Page) => page.getByRole('status').innerText();

test('the case page meets WCAG 2.1 AA in every state (new, acknowledged, transfer pending, resolved, escalated, an inline refusal) and looks the part', async (t) => {
  const site = await startSite(engine!, '2026-03-02T10:00:00-05:00');
  t.after(() => site.close());
  const cases = await casesInEveryState(site);

  const page = await (await site.context()).newPage();
  await signInAs(page, demo.roadsStaff);
  for (const [state, reference] of Object.entries(cases)) {
    await page.goto(`/staff/cases/${reference}`);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), reference, state);
    await expectAccessible(page, `the case page: ${state}`);
  }
  await page.goto(`/staff/cases/${cases.fresh}`);
  assert.match(await page.getByRole('row', { name: /Acknowledgment/ }).innerText(), /Due in 2 business days \(Wednesday 4 March, 4:30 pm\)/);
  await page.getByRole('heading', { name: 'The message the customer will get' }).waitFor();
  await screenshot(page, 'console-case');

  // A refusal, through htmx (JavaScript on): the page comes back with the use case's words.
  await page.getByRole('button', { name: 'Acknowledge and send' }).click();
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').innerText(), /Outline the next steps for the customer \(CSS §4\.1\)/);
  assert.match(await page.locator('#f-acknowledge-nextSteps-error').innerText(), /Outline the next steps/);
  await expectAccessible(page, 'the case page with an inline refusal');

  await page.goto(`/staff/cases/${cases.acknowledged}`);
  const note = page.getByRole('listitem').filter({ hasText: 'Customer called back with a photo.' });
  assert.match(await note.innerText(), /Internal: the customer never sees it/);

  const head = await (await site.context()).newPage();
  await signInAs(head, demo.roadsHead);
  await head.goto(`/staff/cases/${cases.escalated}`);
  assert.match(await head.getByRole('main').innerText(), /Escalated: level 1, Division Head/);
  await head.getByLabel('What the review found and the actions decided').waitFor();
  await expectAccessible(head, 'the escalated case, as its Division Head');

  const phone = await (await site.context({ viewport: viewports.phone })).newPage();
  await signInAs(phone, demo.roadsStaff);
  await phone.goto(`/staff/cases/${cases.fresh}`);
  await expectAccessible(phone, 'the case page on a phone');
  await screenshot(phone, 'console-case-phone');
});

test('every action on the case page works without JavaScript: acknowledge, note, a refusal with its field, transfer and its confirmation', async (t) => {
  const site = await startSite(engine!, '2026-03-02T10:00:00-05:00');
  t.after(() => site.close());
  const cases = await casesInEveryState(site);
  const page = await (await site.context({ javaScript: false })).newPage();
  await signInAs(page, demo.roadsStaff);

  await page.goto(`/staff/cases/${cases.fresh}`);
  await page.getByLabel('Next steps').fill('A crew will fill the pothole within a week.');
  await page.getByRole('button', { name: 'Preview the message' }).click();
  assert.match(await page.locator('.case-preview').innerText(), /What happens next: A crew will fill the pothole within a week\./);
  await page.getByRole('button', { name: 'Acknowledge and send' }).click();
  assert.match(await statusText(page), /Acknowledged\./);
  assert.match(await page.getByRole('row', { name: /Acknowledgment/ }).innerText(), /Met/);

  await page.getByText('Add an internal note').click();
  await page.getByLabel('Internal note').fill('Spoke to the foreman.');
  await page.getByRole('button', { name: 'Add the note' }).click();
  assert.match(await statusText(page), /Internal note added\./);

  await page.getByText('Send an update with a revised timeline').click();
  // The progress note (no new date) asks "Where things stand" too: fill the update's own field.
  await page.locator('#action-update').getByLabel('Where things stand').fill('Crew booked.');
  await page.getByLabel('Revised timeline').fill('2026-02-27');
  await page.getByLabel('Why the date changes').fill('Asphalt plant closed.');
  await page.getByRole('button', { name: 'Send the update' }).click();
  const summary = page.getByRole('alert');
  assert.match(await summary.innerText(), /has already passed: give a date in the future/);
  await summary.getByRole('link').click();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'f-update-timeline');

  await page.goto(`/staff/cases/${cases.acknowledged}`);
  await page.getByText('Transfer to another division').click();
  await page.getByLabel('Division', { exact: true }).selectOption({ label: 'Traffic and Streetlights' });
  await page.getByLabel('Note for the receiving division').fill('The streetlight is out, not a pothole.');
  await page.getByRole('button', { name: 'Transfer', exact: true }).click();
  assert.match(await statusText(page), /Transfer requested/);

  const traffic = await (await site.context({ javaScript: false })).newPage();
  await signInAs(traffic, demo.trafficStaff);
  await traffic.goto(`/staff/cases/${cases.acknowledged}`);
  await traffic.getByRole('button', { name: 'Confirm receipt' }).click();
  assert.match(await statusText(traffic), /Transfer confirmed/);
  const row = await site.db.kysely
    .selectFrom('service_case as c')
    .innerJoin('division as d', 'd.id', 'c.division_id')
    .select(['d.code', 'c.transfer_to_division_id'])
    .where('c.reference', '=', cases.acknowledged)
    .executeTakeFirstOrThrow();
  assert.deepEqual(row, { code: 'traffic-streetlights', transfer_to_division_id: null });
});

test('§4.1 a keyboard alone acknowledges a case: tab to the next steps, type, tab to the button, press Enter', async (t) => {
  const site = await startSite(engine!, '2026-03-02T10:00:00-05:00');
  t.after(() => site.close());
  const reference = (await (await poster(site, demo.csRep))('/api/v1/cases', potholeByPhone())).case.reference as string;
  const page = await (await site.context()).newPage();
  await signInAs(page, demo.roadsStaff);
  await page.goto(`/staff/cases/${reference}`);

  const focused = () => page.evaluate(() => `${document.activeElement?.tagName} ${document.activeElement?.id ?? ''} ${document.activeElement?.textContent?.trim() ?? ''}`);
  const tabTo = async (matches: (f: string) => boolean, what: string) => {
    for (let i = 0; i < 80; i += 1) {
      await page.keyboard.press('Tab');
      if (matches(await focused())) return;
    }
    assert.fail(`Tab never reached ${what}`);
  };
  await tabTo((f) => f.includes('f-acknowledge-nextSteps'), 'the next steps');
  await page.keyboard.type('A crew will fill it within a week.');
  await tabTo((f) => f.startsWith('BUTTON') && f.includes('Acknowledge and send'), 'the acknowledge button');
  await page.keyboard.press('Enter');
  await page.getByRole('status').waitFor();
  assert.match(await statusText(page), /Acknowledged\./);
  const row = await site.db.kysely.selectFrom('service_case').select(['acknowledged_at']).where('reference', '=', reference).executeTakeFirstOrThrow();
  assert.ok(row.acknowledged_at);
});
