import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { testEngines } from '../helpers/db.js';
import { expectAccessible, screenshot, signInAs, startSite, type BrowserSite } from '../helpers/browser.js';
import { demo } from '../helpers/api.js';

/**
 * Issue 18 point 4: social media is monitored for general inquiries but takes no service requests
 * (CSS §3.2, INTERPRETATION §3). Intake refuses the service request, and the refusal offers "Record
 * it as a general inquiry" in one click, keeping every field typed, with a ready reply to the
 * resident naming the official channels of the configured municipality. One browser for the file.
 */
const [engine] = testEngines();
// Monday 2 March 2026, 10:00 in Lindsay: the offices are open.
const now = '2026-03-02T10:00:00-05:00';
const desktop = { width: 1366, height: 900 };
const phone = { width: 360, height: 780 };

let site: BrowserSite;
before(async () => {
  site = await startSite(engine!, now);
});
after(() => site.close());

/** What staff type for a pothole a resident reported in a Facebook message. */
const typed = {
  receivedAt: '2026-03-02T08:45',
  address: '50 Kent St. W., Lindsay',
  latitude: '44.3560',
  longitude: '-78.7410',
  name: 'Sam Poster',
  email: 'sam.poster@example.org',
  phone: '705-555-0177',
  description: 'Facebook message: deep pothole in the eastbound lane outside the library, about a metre from the curb.',
  summary: 'Pothole outside the library on Kent St. W., eastbound lane.',
};

async function fillSocialMediaPothole(page: Page): Promise<void> {
  await page.goto('/staff/intake?kind=service_request&type=pothole');
  await page.getByLabel(/^Social media/).check();
  await page.getByLabel('Received at').fill(typed.receivedAt);
  await page.getByLabel('Class 3: a collector road between neighbourhoods').check();
  await page.getByLabel('Address or place').fill(typed.address);
  await page.getByLabel(/^Latitude/).fill(typed.latitude);
  await page.getByLabel(/^Longitude/).fill(typed.longitude);
  await page.getByLabel(/^Name/).fill(typed.name);
  await page.getByLabel('E-mail address').fill(typed.email);
  await page.getByLabel('Phone number').fill(typed.phone);
  await page.getByRole('radio', { name: 'E-mail', exact: true }).check();
  await page.getByLabel('What the customer reported').fill(typed.description);
  await page.getByLabel('Summary to read back to the customer').fill(typed.summary);
}

/** The official channels as the municipality's configuration has them (read from the database the seed loaded). */
async function officialChannels(): Promise<string[]> {
  const channels = await site.db.kysely.selectFrom('channel').select(['phones', 'email', 'url']).where('service_requests', '=', true).execute();
  const centres = await site.db.kysely.selectFrom('service_centre').select(['name', 'address']).execute();
  const words = [...channels.flatMap((c) => [...c.phones, c.email, c.url]), ...centres.flatMap((c) => [c.name, c.address])].filter((w): w is string => !!w);
  assert.ok(words.length >= 8, 'the sample municipality has phones, an e-mail address, the portal and four Service Centres');
  return words;
}

function assertNamesOfficialChannels(reply: string, words: string[]): void {
  for (const w of words) assert.ok(reply.includes(w), `the reply names ${w}:\n${reply}`);
  assert.match(reply, /not an official way to make a service request/);
  assert.match(reply, /Monday to Friday, 8:30 am to 4:30 pm/, 'the office hours, written the one way');
  assert.match(reply, /call 911/);
  assert.doesNotMatch(reply, /§|CSS/, 'residents are not quoted clauses');
}

const caseByReference = (reference: string) => site.db.kysely.selectFrom('service_case').selectAll().where('reference', '=', reference).executeTakeFirstOrThrow();

/** The inquiry recorded from the refused request carries everything typed. */
async function assertRecordedAsTyped(reference: string): Promise<void> {
  assert.match(reference, /^GI-2026-\d{6}$/);
  const row = await caseByReference(reference);
  assert.equal(row.kind, 'inquiry');
  assert.equal(row.channel, 'social_media');
  assert.equal(row.request_type_id, null);
  assert.equal(row.customer_name, typed.name);
  assert.equal(row.customer_email, typed.email);
  assert.equal(row.customer_phone, typed.phone);
  assert.equal(row.preferred_contact, 'email');
  assert.equal(row.address, typed.address);
  assert.equal(Number(row.latitude), Number(typed.latitude));
  assert.equal(Number(row.longitude), Number(typed.longitude));
  assert.equal(row.description, typed.description);
  assert.equal(row.summary, typed.summary);
  assert.equal(new Date(row.received_at).toISOString(), '2026-03-02T13:45:00.000Z', 'back-dated to 8:45 am as typed');
}

test('CSS §3.2: a social-media service request is refused with "Record it as a general inquiry"; one click keeps every field, the inquiry is recorded with them and the ready reply names the official channels (1366 px and phone, axe)', async () => {
  const words = await officialChannels();
  const page = await (await site.context({ viewport: desktop })).newPage();
  await signInAs(page, demo.csRep);
  await fillSocialMediaPothole(page);
  await page.getByRole('button', { name: 'Continue to read-back' }).click();

  // The refusal, before the read-back, with the way that is open.
  assert.match(await page.getByRole('alert').innerText(), /Social media is not an official channel for service requests \(CSS §3\.2\)/);
  const refusal = page.getByRole('region', { name: 'Social media takes no service requests: record it as a general inquiry' });
  assert.match(await refusal.innerText(), /everything you typed is kept/);
  const offered = await refusal.getByLabel('Reply to the resident').inputValue();
  assertNamesOfficialChannels(offered, words);
  await expectAccessible(page, 'social-media refusal');
  await screenshot(page, 'console-intake-social-refusal-1366');

  await refusal.getByRole('button', { name: 'Record it as a general inquiry' }).click();

  // One click: the inquiry's read-back, with every field as typed.
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Read back and confirm');
  assert.equal(await page.locator('blockquote').innerText(), typed.summary);
  const recorded = await page.getByRole('region', { name: 'What will be recorded' }).innerText();
  assert.match(recorded, /Kind\s+General inquiry, Customer Service/);
  assert.match(recorded, /Channel\s+Social media/);
  assert.match(recorded, /Received\s+Monday 2 March 2026, 8:45 am \(back-dated\)/);
  assert.match(recorded, new RegExp(`Where\\s+${typed.address.replace(/\./g, '\\.')} \\(${typed.latitude}, ${typed.longitude}\\)`));
  assert.match(recorded, new RegExp(`Customer\\s+${typed.name}, ${typed.email.replace(/\./g, '\\.')}, ${typed.phone}`));
  assert.match(recorded, /Hears back by\s+E-mail/);
  assert.ok(recorded.includes(typed.description));
  const explained = page.getByRole('region', { name: 'A general inquiry, not a service request' });
  assert.match(await explained.innerText(), /for a service request \(Pothole\)\. Social media takes no service requests \(CSS §3\.2\)/);
  assertNamesOfficialChannels(await explained.getByLabel('Reply to the resident').inputValue(), words);
  await expectAccessible(page, 'social-media inquiry read-back');
  await screenshot(page, 'console-intake-social-readback-1366');

  await page.getByLabel('Yes, the customer confirmed the summary is right').check();
  await page.getByRole('button', { name: 'Record the inquiry' }).click();
  await page.waitForURL(/\/staff\/intake\/done\/GI-2026-\d{6}\?reply=official-channels$/);
  const reference = await page.locator('.done-reference').innerText();
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Inquiry recorded');
  const withReference = await page.getByLabel('Reply to the resident, with the reference').inputValue();
  assertNamesOfficialChannels(withReference, words);
  assert.match(withReference, new RegExp(`noted your message as a general inquiry, reference ${reference}`));
  await expectAccessible(page, 'social-media inquiry recorded');
  await screenshot(page, 'console-intake-social-done-1366');
  await assertRecordedAsTyped(reference);
  const requests = await site.db.kysely.selectFrom('service_case').select('reference').where('kind', '=', 'service_request').where('channel', '=', 'social_media').execute();
  assert.deepEqual(requests, [], 'no service request on social media');

  // On a phone: the refusal, its button and the reply fit the width, nothing cut off.
  const small = await (await site.context({ viewport: phone })).newPage();
  await signInAs(small, demo.csRep);
  await fillSocialMediaPothole(small);
  await small.getByRole('button', { name: 'Continue to read-back' }).click();
  const button = small.getByRole('button', { name: 'Record it as a general inquiry' });
  await button.scrollIntoViewIfNeeded();
  const box = (await button.boundingBox())!;
  assert.ok(box.x >= 0 && box.x + box.width <= phone.width, `the button fits the phone's width (${JSON.stringify(box)})`);
  const replyBox = (await small.getByLabel('Reply to the resident').boundingBox())!;
  assert.ok(replyBox.x >= 0 && replyBox.x + replyBox.width <= phone.width, 'the reply fits the width');
  assert.equal(await small.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, 'no sideways scrolling');
  await expectAccessible(small, 'social-media refusal on a phone');
  await screenshot(small, 'console-intake-social-refusal-phone');
  await button.click();
  assert.equal(await small.getByRole('heading', { level: 1 }).innerText(), 'Read back and confirm');
  await screenshot(small, 'console-intake-social-readback-phone');
});

test('CSS §3.2 without JavaScript: the refusal\'s button is a plain form post that keeps every field, and the inquiry is recorded with them', async () => {
  const words = await officialChannels();
  const page = await (await site.context({ javaScript: false, viewport: desktop })).newPage();
  await signInAs(page, demo.csRep);
  await fillSocialMediaPothole(page);
  await page.getByRole('button', { name: 'Continue to read-back' }).click();
  const refusal = page.getByRole('region', { name: /takes no service requests/ });
  assertNamesOfficialChannels(await refusal.getByLabel('Reply to the resident').inputValue(), words);
  // Staff may still correct what they typed before the one click: the post carries the fields as they stand.
  await page.getByLabel('Summary to read back to the customer').fill(`${typed.summary} Resident pointed to the official channels.`);
  await refusal.getByRole('button', { name: 'Record it as a general inquiry' }).click();
  assert.equal(new URL(page.url()).pathname, '/staff/intake/as-inquiry');
  assert.equal(await page.locator('blockquote').innerText(), `${typed.summary} Resident pointed to the official channels.`);
  // "Change the details" goes back to the inquiry's form with every field still there.
  await page.getByRole('button', { name: 'Change the details' }).click();
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'New general inquiry');
  assert.equal(await page.getByLabel(/^Social media/).isChecked(), true);
  assert.equal(await page.getByLabel('Received at').inputValue(), typed.receivedAt);
  assert.equal(await page.getByLabel('Address or place').inputValue(), typed.address);
  assert.equal(await page.getByLabel(/^Latitude/).inputValue(), typed.latitude);
  assert.equal(await page.getByLabel(/^Name/).inputValue(), typed.name);
  assert.equal(await page.getByLabel('E-mail address').inputValue(), typed.email);
  assert.equal(await page.getByLabel('Phone number').inputValue(), typed.phone);
  assert.equal(await page.getByLabel('What the customer asked').inputValue(), typed.description);
  await page.getByLabel('Summary to read back to the customer').fill(typed.summary);
  await page.getByRole('button', { name: 'Continue to read-back' }).click();
  assert.ok(await page.getByRole('region', { name: 'A general inquiry, not a service request' }).isVisible(), 'still the refused request, with its reply');
  await page.getByLabel('Yes, the customer confirmed the summary is right').check();
  await page.getByRole('button', { name: 'Record the inquiry' }).click();
  await page.waitForURL(/\/staff\/intake\/done\/GI-2026-\d{6}/);
  const reference = await page.locator('.done-reference').innerText();
  assert.match(await page.getByLabel('Reply to the resident, with the reference').inputValue(), new RegExp(reference));
  await assertRecordedAsTyped(reference);
});

test('CSS §3.2 with the keyboard alone: Tab to "Record it as a general inquiry", Enter, tick the confirmation with Space, record with Enter; Enter in a field still continues to the read-back', async () => {
  const page = await (await site.context({ viewport: desktop })).newPage();
  await signInAs(page, demo.csRep);
  await fillSocialMediaPothole(page);
  await page.getByLabel('Summary to read back to the customer').focus();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  const refusal = page.getByRole('region', { name: /takes no service requests/ });
  await refusal.waitFor();

  // Enter in a text field is "Continue to read-back" (refused again), never the refusal's button.
  await page.getByLabel('Address or place').focus();
  await page.keyboard.press('Enter');
  await refusal.waitFor();
  assert.equal(new URL(page.url()).pathname, '/staff/intake/check');
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'New service request: Pothole');

  const focused = () => page.evaluate(() => `${document.activeElement?.tagName} ${document.activeElement?.id ?? ''} ${document.activeElement?.textContent?.trim() ?? ''}`);
  const tabTo = async (matches: (f: string) => boolean, what: string) => {
    for (let i = 0; i < 120; i += 1) {
      await page.keyboard.press('Tab');
      if (matches(await focused())) return;
    }
    assert.fail(`Tab never reached ${what}`);
  };
  await page.locator('body').focus();
  await tabTo((f) => f.startsWith('BUTTON') && f.includes('Record it as a general inquiry'), 'the refusal\'s button');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Read back and confirm' }).waitFor();
  await tabTo((f) => f.startsWith('INPUT') && f.includes('summaryConfirmed'), 'the confirmation');
  await page.keyboard.press('Space');
  await tabTo((f) => f.startsWith('BUTTON') && f.includes('Record the inquiry'), 'the record button');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/staff\/intake\/done\/GI-2026-\d{6}/);
  await assertRecordedAsTyped(await page.locator('.done-reference').innerText());
});
