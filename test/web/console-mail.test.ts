import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngines } from '../helpers/db.js';
import { expectAccessible, screenshot, signInAs, startSite } from '../helpers/browser.js';
import { demo } from '../helpers/api.js';
import { compose, tinyPng } from '../helpers/mail-messages.js';
import { takeMessage } from '../../src/mail/take-message.js';
import { at } from '../helpers/factories.js';

const [engine] = testEngines();
// Monday 9 March 2026, 10:00 in Lindsay.
const now = '2026-03-09T10:00:00-04:00';

test('the e-mail triage queue and an e-mail\'s page work without JavaScript and pass axe: Customer Service records an e-mail as a general inquiry with its arrival as receipt, and sets another aside (CSS §3.2, §3.3)', async (t) => {
  const site = await startSite(engine!, now);
  t.after(() => site.close());
  const take = async (raw: Buffer, arrived: string, uid: number) =>
    takeMessage({ db: site.db, raw, place: { mailbox: 'INBOX', uidValidity: 7, uid, arrivedAt: new Date(at(arrived)) }, now: new Date(now) });
  await take(await compose({ from: 'Dana Resident <dana@example.org>', subject: 'Property tax question', text: 'Why did my tax bill go up?\n\nThanks, Dana', messageId: '<q1@example.org>', attachments: [{ filename: 'bill.png', content: tinyPng, contentType: 'image/png' }] }), '2026-03-06 16:45', 1);
  await take(await compose({ from: 'deals@shop.example', subject: 'Huge savings this week', html: '<p>Buy now!</p>', messageId: '<ad@shop.example>' }), '2026-03-08 03:00', 2);

  // Without JavaScript, as staff on a locked-down machine.
  const page = await (await site.context({ javaScript: false })).newPage();
  await signInAs(page, demo.csRep);
  await page.getByRole('link', { name: 'E-mail', exact: true }).click();
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'E-mail triage');
  assert.match(await page.locator('.lede').innerText(), /waiting for Customer Service: 2/);
  // No mailbox is connected in this test site: the page says mail is entered by hand.
  assert.match(await page.getByText('No mailbox is connected').locator('..').innerText(), /Enter each e-mail contact by hand/);
  const rows = await page.getByRole('region', { name: 'E-mail' }).getByRole('row').allInnerTexts();
  assert.match(rows[1]!, /Dana Resident <dana@example.org>[\s\S]*Property tax question[\s\S]*1 attachment/);
  await page.getByRole('link', { name: 'Property tax question' }).click();
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Property tax question');
  assert.match(await page.getByRole('region', { name: 'The e-mail' }).innerText(), /Friday[\s\S]*acknowledge by Thursday/);
  const download = await page.getByRole('link', { name: 'bill.png' }).getAttribute('href');
  const file = await page.request.get(download!);
  assert.equal(file.status(), 200);
  assert.ok(Buffer.from(await file.body()).equals(tinyPng));
  assert.match(file.headers()['content-disposition'] ?? '', /attachment; filename="bill.png"/);

  // A refusal comes back beside its field.
  await page.getByLabel('Summary').first().fill('   ');
  await page.getByRole('button', { name: 'Record the general inquiry' }).click();
  assert.match(await page.getByRole('alert').innerText(), /Write the summary/);
  await page.getByLabel('Division responsible for the topic').selectOption('revenue-taxation');
  await page.getByLabel('Summary').first().fill('Asks why the property tax bill went up');
  await page.getByRole('button', { name: 'Record the general inquiry' }).click();
  await page.waitForURL(/\/staff\/cases\/GI-2026-\d+/);
  const reference = /GI-2026-\d+/.exec(page.url())![0];
  const c = await site.db.kysely.selectFrom('service_case').select(['received_at', 'channel', 'customer_email']).where('reference', '=', reference).executeTakeFirstOrThrow();
  assert.equal(new Date(c.received_at).toISOString(), new Date(at('2026-03-06 16:45')).toISOString());
  assert.deepEqual([c.channel, c.customer_email], ['email', 'dana@example.org']);

  // The advertisement is set aside as not a contact.
  await page.goto('/staff/mail');
  await page.getByRole('link', { name: 'Huge savings this week' }).click();
  await page.getByText('Not a contact (spam, newsletters)').click();
  await page.getByLabel('A newsletter, advertisement or mailing list').check();
  await page.getByRole('button', { name: 'Set it aside' }).click();
  assert.match(await page.getByRole('status').innerText(), /Set aside as not a contact/);
  await page.goto('/staff/mail?show=done');
  const done = await page.getByRole('region', { name: 'E-mail' }).innerText();
  assert.match(done, new RegExp(`Property tax question[\\s\\S]*Recorded[\\s\\S]*${reference}`));
  assert.match(done, /Huge savings this week[\s\S]*Not a contact/);

  // axe, in a context with scripts (axe runs as one), on each page.
  const checked = await (await site.context()).newPage();
  await signInAs(checked, demo.csRep);
  await checked.goto('/staff/mail');
  await expectAccessible(checked, 'e-mail triage queue');
  await checked.goto('/staff/mail?show=done');
  await expectAccessible(checked, 'e-mail dealt with');
  await screenshot(checked, 'console-mail-queue');
  const ad = await site.db.kysely.selectFrom('inbound_mail').select('id').where('message_id', '=', '<ad@shop.example>').executeTakeFirstOrThrow();
  await checked.goto(`/staff/mail/${ad.id}`);
  await expectAccessible(checked, 'e-mail set aside');
  await take(await compose({ from: 'road@example.org', subject: 'Pothole', text: 'Big pothole on Kent St.', messageId: '<p1@example.org>' }), '2026-03-09 08:00', 3);
  const p1 = await site.db.kysely.selectFrom('inbound_mail').select('id').where('message_id', '=', '<p1@example.org>').executeTakeFirstOrThrow();
  await checked.goto(`/staff/mail/${p1.id}?type=pothole`);
  await expectAccessible(checked, 'e-mail as a service request');
  await screenshot(checked, 'console-mail-item');

  // Division staff have no triage queue.
  const roads = await (await site.context({ javaScript: false })).newPage();
  await signInAs(roads, demo.roadsStaff);
  assert.equal(await roads.getByRole('link', { name: 'E-mail', exact: true }).count(), 0);
  const refused = await roads.goto('/staff/mail');
  assert.equal(refused?.status(), 403);
});
