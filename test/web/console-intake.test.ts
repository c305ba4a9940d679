import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngines } from '../helpers/db.js';
import { expectAccessible, recordContact, screenshot, signInAs, startSite, tabTo, type BrowserSite } from '../helpers/browser.js';
import { demo, potholeByPhone } from '../helpers/api.js';

const [engine] = testEngines();
// Monday 2 March 2026, 10:00 in Lindsay.
const now = '2026-03-02T10:00:00-05:00';


const caseRow = (site: BrowserSite, reference: string) => site.db.kysely.selectFrom('service_case').selectAll().where('reference', '=', reference).executeTakeFirstOrThrow();

test('intake walks staff through the Standard: kind and type, the type\'s questions, location, customer with earlier cases and nearby duplicates, a read-back the customer confirms (CSS §3.1), and the reference with its targets to tell the caller (CSS §3.3, §4)', async (t) => {
  const site = await startSite(engine!, now);
  t.after(() => site.close());
  // The same customer called last week about a sidewalk; a neighbour reported the same pothole this morning.
  const earlier = await recordContact(site, potholeByPhone({ requestType: 'sidewalk-hazard', attributes: {}, summary: 'Raised slab on Kent St. W.', receivedAt: '2026-02-24T09:00' }));
  const neighbour = await recordContact(site, potholeByPhone({ customer: { name: 'Neighbour', phone: '705-555-0100' }, summary: 'Pothole outside 50 Kent St. W.', location: { address: '50 kent st. w., lindsay' } }));

  const page = await (await site.context()).newPage();
  await signInAs(page, demo.csRep);
  await page.getByRole('link', { name: 'New contact' }).click();
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Record a new contact');
  await expectAccessible(page, 'intake start');

  // A service request needs its type.
  await page.getByLabel('Service request: something needs City action').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  assert.match(await page.getByRole('alert').innerText(), /Choose the request type of the service request/);
  await expectAccessible(page, 'intake start with an error');
  await page.getByLabel('Request type').selectOption('pothole');
  await page.getByRole('button', { name: 'Continue' }).click();
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'New service request: Pothole');
  assert.match(await page.locator('.lede').innerText(), /Roads Operations is responsible for it/);
  // The pothole's own question, from its request type.
  await page.getByRole('group', { name: 'What kind of road is it?' }).waitFor();
  await expectAccessible(page, 'intake details');

  // Nothing filled: the errors are listed, each linked to its field.
  await page.getByRole('button', { name: 'Continue to read-back' }).click();
  const summary = page.getByRole('alert');
  assert.match(await summary.innerText(), /Describe what the customer asked or reported/);
  assert.match(await summary.innerText(), /Write the summary you will read back to the customer/);
  assert.equal(await summary.getByRole('link', { name: /Describe what/ }).getAttribute('href'), '#f-description');
  await expectAccessible(page, 'intake details with errors');

  await page.getByLabel('Telephone').check();
  await page.getByLabel('Class 3: a collector road between neighbourhoods').check();
  await page.getByLabel('Address or place').fill('50 Kent St. W., Lindsay');
  await page.getByLabel(/^Name/).fill('Dana Resident');
  await page.getByLabel('E-mail address').fill('DANA@example.org');
  await page.getByLabel('Phone number').fill('(705) 555-0142');
  await page.getByLabel('What the customer reported').fill('Deep pothole in the eastbound lane, about a metre from the curb.');
  await page.getByLabel('Summary to read back to the customer').fill('Pothole on Kent St. W. near Victoria Ave., eastbound lane.');
  await screenshot(page, 'console-intake');
  await page.getByRole('button', { name: 'Continue to read-back' }).click();

  // The read-back: the summary to read, the same customer's earlier cases and the possible duplicate.
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Read back and confirm');
  assert.equal(await page.locator('blockquote').innerText(), 'Pothole on Kent St. W. near Victoria Ave., eastbound lane.');
  const earlierCases = page.getByRole('region', { name: "The customer's earlier cases" });
  assert.match(await earlierCases.innerText(), new RegExp(`${earlier}[\\s\\S]*Sidewalk trip hazard`));
  const nearby = page.getByRole('region', { name: /reports nearby/ });
  assert.match(await nearby.innerText(), new RegExp(neighbour));
  assert.match(await page.getByRole('region', { name: 'What will be recorded' }).innerText(), /What kind of road is it\?\s+Class 3/);
  await expectAccessible(page, 'intake read-back');
  await screenshot(page, 'console-intake-check');

  // Recording without the customer's confirmation is refused by the use case (CSS §3.1).
  await page.getByRole('button', { name: 'Record the service request' }).click();
  assert.match(await page.getByRole('alert').innerText(), /tick that they confirmed it/);
  await page.getByLabel('Yes, the customer confirmed the summary is right').check();
  const sent = await page.locator('form.intake-confirm').evaluate((form) => new URLSearchParams(new FormData(form as HTMLFormElement) as unknown as Record<string, string>).toString());
  await page.getByRole('button', { name: 'Record the service request' }).click();
  await page.waitForURL(/\/staff\/intake\/done\/SR-2026-\d{6}$/);
  const reference = page.url().split('/').pop()!;
  assert.equal(await page.locator('.done-reference').innerText(), reference);
  const tell = await page.getByRole('region', { name: 'Tell the customer' }).innerText();
  assert.match(tell, new RegExp(`Your reference number is ${reference}`));
  assert.match(tell, /Roads Operations will contact you to acknowledge it by Wednesday 4 March 2026, 4:30 pm/);
  // Class 3: 7 calendar days (of 24 hours, across the change to daylight time on Sunday 8 March), said as the day.
  assert.match(tell, /The target to resolve it is Monday 9 March 2026\./);
  await expectAccessible(page, 'intake done');

  const row = await caseRow(site, reference);
  assert.equal(row.kind, 'service_request');
  assert.equal(row.channel, 'phone');
  assert.equal(row.customer_email, 'DANA@example.org');
  assert.equal(row.address, '50 Kent St. W., Lindsay');
  assert.deepEqual(row.attributes, { road_class: '3' });
  const received = await site.db.kysely.selectFrom('case_event').select('data').where('case_id', '=', row.id).where('type', '=', 'received').executeTakeFirstOrThrow();
  assert.equal((received.data as { summaryConfirmed: boolean }).summaryConfirmed, true);

  // The same form sent again (a double click, a retry) does not record it twice: its idempotency key.
  const again = await page.request.post('/staff/intake', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, data: sent, maxRedirects: 0 });
  assert.equal(again.status(), 303);
  assert.equal(again.headers()['location'], `/staff/intake/done/${reference}`);
  const pothole = await site.db.kysely.selectFrom('service_case').select((eb) => eb.fn.countAll<number>().as('n')).where('summary', '=', 'Pothole on Kent St. W. near Victoria Ave., eastbound lane.').executeTakeFirstOrThrow();
  assert.equal(Number(pothole.n), 1);
});

test('intake shows the use case\'s refusals beside the fields before the read-back: social media takes no service requests (CSS §3.2), an in-person contact names its Service Centre, a back-dated contact cannot be in the future', async (t) => {
  const site = await startSite(engine!, now);
  t.after(() => site.close());
  const page = await (await site.context()).newPage();
  await signInAs(page, demo.csRep);
  const fillBasics = async () => {
    await page.getByLabel('Address or place').fill('12 Lindsay St. S., Lindsay');
    await page.getByLabel('What the customer reported').fill('Streetlight flickering then out.');
    await page.getByLabel('Summary to read back to the customer').fill('Streetlight out at 12 Lindsay St. S.');
  };
  // A refusal comes before the read-back, while the caller is still on the line.
  const continueToReadBack = async () => page.getByRole('button', { name: 'Continue to read-back' }).click();
  const readBackAndRecord = async () => {
    await continueToReadBack();
    await page.getByLabel('Yes, the customer confirmed the summary is right').check();
    await page.getByRole('button', { name: /^Record/ }).click();
  };

  await page.goto('/staff/intake?kind=service_request&type=streetlight');
  await page.getByLabel(/^Social media/).check();
  await fillBasics();
  await continueToReadBack();
  const refusal = await page.getByRole('alert').innerText();
  assert.match(refusal, /Social media is not an official channel for service requests \(CSS §3\.2\)\. Log this contact as a general inquiry/);
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'New service request: Streetlight out', 'back on the details, values kept');
  assert.equal(await page.getByLabel('Address or place').inputValue(), '12 Lindsay St. S., Lindsay');
  await expectAccessible(page, 'refused social-media request');

  await page.getByLabel(/^In person at/).check();
  await continueToReadBack();
  const centre = page.getByRole('alert').getByRole('link', { name: /An in-person contact needs the Service Centre/ });
  assert.equal(await centre.getAttribute('href'), '#f-serviceCentre');
  await page.getByRole('combobox', { name: /^Service Centre/ }).selectOption('lindsay');
  await page.getByLabel('Received at').fill('2026-03-02T11:00');
  await continueToReadBack();
  assert.match(await page.getByRole('alert').innerText(), /A contact cannot be received in the future/);
  await page.getByLabel('Received at').fill('2026-03-02T08:45');
  await readBackAndRecord();
  await page.waitForURL(/\/staff\/intake\/done\//);
  const row = await caseRow(site, page.url().split('/').pop()!);
  assert.equal(row.channel, 'in_person');
  assert.equal(new Date(row.received_at).toISOString(), '2026-03-02T13:45:00.000Z', 'back-dated to 08:45 local time');
  const count = await site.db.kysely.selectFrom('service_case').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  assert.equal(Number(count.n), 1, 'the refused attempts recorded nothing');
});

test('intake works without JavaScript: an inquiry answered at first contact is recorded as acknowledged and resolved in one step (INTERPRETATION §2)', async (t) => {
  const site = await startSite(engine!, now);
  t.after(() => site.close());
  const page = await (await site.context({ javaScript: false })).newPage();
  await signInAs(page, demo.csRep);
  await page.goto('/staff/intake');
  await page.getByLabel('General inquiry: the customer needs information').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'New general inquiry');
  await page.getByLabel('Division responsible for the topic').selectOption('parks-recreation-culture');
  await page.getByLabel(/^Name/).fill('Lee Swimmer');
  await page.getByLabel('Phone number').fill('705-555-0199');
  await page.getByLabel('What the customer asked').fill('When does the Lindsay pool reopen after maintenance?');
  await page.getByLabel('Summary to read back to the customer').fill('Asks when the Lindsay pool reopens.');
  await page.getByLabel('Answered at first contact? The answer you gave').fill('It reopens Monday 9 March at 6 am.');
  await page.getByRole('button', { name: 'Continue to read-back' }).click();
  assert.equal(await page.locator('blockquote').innerText(), 'Asks when the Lindsay pool reopens.');
  await page.getByLabel('Yes, the customer confirmed the summary is right').check();
  await page.getByRole('button', { name: 'Record and resolve the inquiry' }).click();
  await page.waitForURL(/\/staff\/intake\/done\/GI-2026-\d{6}$/);
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Inquiry recorded and resolved');
  assert.match(await page.getByRole('region', { name: 'Tell the customer' }).innerText(), /answered today and is now closed/);
  const row = await caseRow(site, page.url().split('/').pop()!);
  assert.equal(row.status, 'resolved');
  assert.equal(row.first_contact_resolution, true);
  assert.equal(row.resolution, 'It reopens Monday 9 March at 6 am.');
  assert.notEqual(row.acknowledged_at, null);
});

test('intake can be done with the keyboard alone (WCAG 2.1.1): Tab, Space and Enter from start to reference', async (t) => {
  const site = await startSite(engine!, now);
  t.after(() => site.close());
  const page = await (await site.context()).newPage();
  await signInAs(page, demo.csRep);
  await page.goto('/staff/intake');
  await tabTo(page, 'input[name="kind"][value="inquiry"]');
  await page.keyboard.press('Space');
  await tabTo(page, 'form[action="/staff/intake"] button[type="submit"]');
  await page.keyboard.press('Enter');
  await page.waitForURL(/kind=inquiry/);
  await tabTo(page, '#f-description');
  await page.keyboard.type('Asks for the date of the spring clean-up.');
  await tabTo(page, '#f-summary');
  await page.keyboard.type('Asks when the spring clean-up is.');
  await tabTo(page, '#f-answer');
  await page.keyboard.type('Saturday 25 April.');
  await tabTo(page, '.intake-form button[type="submit"]');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/staff\/intake\/check$/);
  await tabTo(page, '#f-summaryConfirmed');
  await page.keyboard.press('Space');
  await tabTo(page, '.intake-confirm button[type="submit"]:not([formaction])');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/staff\/intake\/done\/GI-2026-\d{6}$/);
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Inquiry recorded and resolved');
});
