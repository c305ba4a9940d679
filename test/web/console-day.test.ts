import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { testEngines } from '../helpers/db.js';
import { expectAccessible, recordContact, signInAs, startSite, type BrowserSite } from '../helpers/browser.js';
import { demo, potholeByPhone } from '../helpers/api.js';
import { sweep } from '../../src/escalation/sweep.js';

/**
 * A day at the City, played in Chromium through the console alone: intake by Customer Service,
 * acknowledgment, a transfer and its confirmed receipt, a resolution, and an escalation the
 * sweep makes and the Division Head reviews. Each step is checked on the page and in the database.
 * The day is played twice: with JavaScript (htmx) and without it.
 */

const [engine] = testEngines();

const caseRow = (site: BrowserSite, reference: string) =>
  site.db.kysely
    .selectFrom('service_case')
    .innerJoin('division', 'division.id', 'service_case.division_id')
    .selectAll('service_case')
    .select('division.code as division_code')
    .where('reference', '=', reference)
    .executeTakeFirstOrThrow();

/** Opens an action's panel on the case page (a <details>), unless it is open already. */
async function openAction(page: Page, title: string | RegExp): Promise<void> {
  const details = page.locator('details').filter({ has: page.locator('summary', { hasText: title }) }).first();
  if ((await details.getAttribute('open')) === null) await details.locator('summary').click();
}

async function statusSays(page: Page, text: RegExp): Promise<void> {
  const status = page.getByRole('status').filter({ hasText: text });
  await status.waitFor();
}

async function playTheDay(site: BrowserSite, javaScript: boolean): Promise<void> {
  const newPage = async () => (await site.context({ javaScript })).newPage();
  const check = async (page: Page, what: string) => {
    if (javaScript) await expectAccessible(page, what);
  };

  // Logged on Friday: a pothole nobody acknowledged (recorded through the API before the day starts).
  site.clock.set('2026-02-27T09:00:00-05:00');
  const forgotten = await recordContact(site, potholeByPhone({ summary: 'Pothole on Angeline St. S. at the bridge.', location: { address: '12 Angeline St. S., Lindsay' } }));

  // Monday 2 March 2026, 9:00: the Customer Service representative takes two calls.
  site.clock.set('2026-03-02T09:00:00-05:00');
  const rep = await newPage();
  await signInAs(rep, demo.csRep);
  const logPothole = async (summary: string, address: string): Promise<string> => {
    await rep.goto('/staff/intake');
    await rep.getByLabel('Service request: something needs City action').check();
    await rep.getByLabel('Request type').selectOption('pothole');
    await rep.getByRole('button', { name: 'Continue' }).click();
    await rep.getByLabel('Telephone').check();
    await rep.getByLabel('Class 4: a local road with moderate traffic').check();
    await rep.getByLabel('Address or place').fill(address);
    await rep.getByLabel(/^Name/).fill('Dana Resident');
    await rep.getByLabel('E-mail address').fill('dana@example.org');
    await rep.getByLabel('What the customer reported').fill(`${summary} Reported by phone.`);
    await rep.getByLabel('Summary to read back to the customer').fill(summary);
    await rep.getByRole('button', { name: 'Continue to read-back' }).click();
    assert.equal(await rep.locator('blockquote').innerText(), summary);
    await rep.getByLabel('Yes, the customer confirmed the summary is right').check();
    await rep.getByRole('button', { name: 'Record the service request' }).click();
    await rep.waitForURL(/\/staff\/intake\/done\/SR-2026-\d{6}$/);
    const reference = rep.url().split('/').pop()!;
    const tell = await rep.getByRole('region', { name: 'Tell the customer' }).innerText();
    assert.match(tell, /Roads Operations will contact you to acknowledge it by Wednesday 4 March 2026, 4:30 pm/);
    return reference;
  };
  const pothole = await logPothole('Pothole on Kent St. W. near Victoria Ave.', '50 Kent St. W., Lindsay');
  await check(rep, 'intake done');
  // The second caller described a dark streetlight, but it went in as a pothole: misfiled.
  const misfiled = await logPothole('Streetlight out above the pothole on William St. N.', '80 William St. N., Lindsay');
  for (const reference of [pothole, misfiled]) {
    const row = await caseRow(site, reference);
    assert.equal(row.channel, 'phone');
    assert.equal(row.division_code, 'roads-operations');
    assert.equal(row.acknowledged_at, null);
  }

  // 10:00: Roads Operations opens its home page, sees the new reports and acknowledges one (CSS §4.1).
  site.clock.set('2026-03-02T10:00:00-05:00');
  const roads = await newPage();
  await signInAs(roads, demo.roadsStaff);
  const home = await roads.getByRole('main').innerText();
  assert.match(home, new RegExp(pothole));
  assert.match(home, new RegExp(misfiled));
  await check(roads, 'Roads Operations home');
  await roads.getByRole('link', { name: pothole }).first().click();
  assert.equal(await roads.getByRole('heading', { level: 1 }).innerText(), pothole);
  await openAction(roads, 'Acknowledge');
  await roads.getByLabel('Next steps').fill('A crew will inspect the pothole and fill it within the week.');
  await roads.getByRole('button', { name: 'Acknowledge and send' }).click();
  await statusSays(roads, /Acknowledged/);
  assert.match(await roads.getByRole('row', { name: /Acknowledgment/ }).innerText(), /Met/);
  const acknowledged = await caseRow(site, pothole);
  assert.notEqual(acknowledged.acknowledged_at, null);
  const acknowledgment = await site.db.kysely
    .selectFrom('case_message')
    .select(['automated', 'body'])
    .where('case_id', '=', acknowledged.id)
    .where('kind', '=', 'acknowledgment')
    .executeTakeFirstOrThrow();
  assert.equal(acknowledgment.automated, false);
  assert.match(acknowledgment.body, /Roads Operations/);

  // The misfiled report goes to Traffic and Streetlights with a note (CSS §3.1).
  await roads.goto(`/staff/cases/${misfiled}`);
  await openAction(roads, 'Transfer to another division');
  await roads.getByLabel('Division', { exact: true }).selectOption({ label: 'Traffic and Streetlights' });
  await roads.getByLabel('Note for the receiving division').fill('The caller means the streetlight, not the road.');
  await roads.getByRole('button', { name: 'Transfer', exact: true }).click();
  await statusSays(roads, /Transfer/i);
  const pending = await caseRow(site, misfiled);
  assert.equal(pending.division_code, 'roads-operations', 'the case stays with Roads until Traffic confirms receipt');
  assert.notEqual(pending.transfer_to_division_id, null);

  // 11:00: Traffic and Streetlights sees the transfer waiting and confirms its receipt.
  site.clock.set('2026-03-02T11:00:00-05:00');
  const traffic = await newPage();
  await signInAs(traffic, demo.trafficStaff);
  assert.match(await traffic.getByRole('main').innerText(), new RegExp(misfiled));
  await traffic.goto(`/staff/cases/${misfiled}`);
  await openAction(traffic, 'Confirm receipt of the transfer');
  await traffic.getByRole('button', { name: 'Confirm receipt' }).click();
  await statusSays(traffic, /receipt|confirmed/i);
  const moved = await caseRow(site, misfiled);
  assert.equal(moved.division_code, 'traffic-streetlights');
  assert.equal(moved.transfer_to_division_id, null);
  await check(traffic, 'case page after the transfer');

  // 15:00: the crew filled the pothole; Roads resolves it with a message to the customer.
  site.clock.set('2026-03-02T15:00:00-05:00');
  await roads.goto(`/staff/cases/${pothole}`);
  await openAction(roads, 'Resolve');
  await roads.getByLabel('Resolution message').fill('The crew filled the pothole this afternoon.');
  await roads.getByRole('button', { name: 'Resolve and send' }).click();
  await statusSays(roads, /Resolved/);
  assert.match(await roads.getByRole('main').innerText(), /Resolved/);
  const resolved = await caseRow(site, pothole);
  assert.equal(resolved.status, 'resolved');
  assert.notEqual(resolved.resolved_at, null);

  // Wednesday 4 March, 9:00: Friday's pothole missed its acknowledgment target (Tuesday 4:30 pm).
  // The sweep escalates it, and only it, to the Division Head (CSS §5.1, §5.2).
  site.clock.set('2026-03-04T09:00:00-05:00');
  await sweep({ db: site.db, now: site.clock.now() });
  const escalations = await site.db.kysely
    .selectFrom('escalation')
    .innerJoin('service_case', 'service_case.id', 'escalation.case_id')
    .select(['service_case.reference', 'escalation.level'])
    .execute();
  assert.deepEqual(escalations, [{ reference: forgotten, level: 1 }]);

  // The Division Head sees it on the home page and reviews it with a revised timeline.
  const head = await newPage();
  await signInAs(head, demo.roadsHead);
  assert.match(await head.getByRole('main').innerText(), new RegExp(forgotten));
  await check(head, 'Division Head home with an escalation');
  await head.goto(`/staff/cases/${forgotten}`);
  assert.match(await head.getByRole('main').innerText(), /Escalated: level 1, Division Head/);
  await openAction(head, /Review the escalation/);
  await head.getByLabel('What the review found and the actions decided').fill('Missed in the weekend hand-over; crew booked.');
  await head.getByLabel('Revised resolution timeline').fill('2026-03-13');
  await head.getByLabel('Message to the customer: where things stand').fill('We are sorry for the delay. A crew will fill the pothole by Friday 13 March.');
  await head.getByRole('button', { name: 'Record the review and update the customer' }).click();
  await statusSays(head, /review/i);
  assert.match(await head.getByRole('main').innerText(), /Friday 13 March/);
  const reviewed = await caseRow(site, forgotten);
  assert.notEqual(reviewed.revised_resolve_by, null);
  const reviews = await site.db.kysely.selectFrom('escalation_review').selectAll().execute();
  assert.equal(reviews.length, 1);
  await check(head, 'the reviewed escalation');
}

test('a day in the console (CSS §3.1, §4.1, §5): intake, acknowledgment, transfer and its receipt, resolution, and an escalation reviewed by the Division Head, with JavaScript', async (t) => {
  const site = await startSite(engine!, '2026-03-02T09:00:00-05:00');
  t.after(() => site.close());
  await playTheDay(site, true);
});

test('the same day in the console without JavaScript', async (t) => {
  const site = await startSite(engine!, '2026-03-02T09:00:00-05:00');
  t.after(() => site.close());
  await playTheDay(site, false);
});
