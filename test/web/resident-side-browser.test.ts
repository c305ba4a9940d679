import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { testEngines } from '../helpers/db.js';
import { demo } from '../helpers/api.js';
import { expectAccessible, screenshot, signInAs, startSite, viewports } from '../helpers/browser.js';
import { gpsCamera, hasExif, jpegWithGps } from '../helpers/photos.js';
import { sweepFollowers } from '../../src/notify/sweep-followers.js';
import { DirectoryCache } from '../../src/directory/directory-cache.js';

/**
 * The resident's side in Chromium (issue 19, points 1, 4 and 5): a report sent with a photo from a
 * phone without JavaScript, staff showing the photo and redacting the text on the case page, the
 * public tracking page with only the moderated version, and following the request by e-mail with
 * its confirmation and unfollow pages. Phone and desktop widths, with and without JavaScript; axe
 * finds nothing on any page; screenshots saved.
 */
const [engine] = testEngines();
const secret = 'my neighbour Pat Smith at 12 Elm Street keeps driving over it';

/** axe runs as a script: a page served without JavaScript is checked as served, in a page with it. */
async function checkAccessible(page: Page, what: string, axePage?: Page): Promise<void> {
  if (!axePage) return expectAccessible(page, what);
  await axePage.setContent(await page.content(), { waitUntil: 'load' });
  return expectAccessible(axePage, `${what} (as served without JavaScript)`);
}

test('a resident reports with a photo, staff moderate it, the public sees only the moderated version, and a neighbour follows the request', async (t) => {
  const site = await startSite(engine!, '2026-03-02T15:00:00Z');
  t.after(() => site.close());
  const dir = mkdtempSync(join(tmpdir(), 'citydesk-photos-'));
  const photoFile = join(dir, 'pothole.jpg');
  writeFileSync(photoFile, await jpegWithGps());
  const notAPhoto = join(dir, 'notes.jpg');
  writeFileSync(notAPhoto, 'These are my notes, not a photo.\n'.repeat(10));

  // 1. The report, on a phone without JavaScript.
  const phone = await (await site.context({ javaScript: false, viewport: viewports.phone })).newPage();
  const axe = await (await site.context({ viewport: viewports.phone })).newPage();
  await axe.goto('/');
  await phone.goto('/report?type=pothole');
  await phone.getByLabel('Class 3: a collector road between neighbourhoods').check();
  await phone.getByLabel('Address or nearest intersection').fill('50 Kent St. W., Lindsay');
  await phone.getByLabel('Describe the problem').fill(`Deep pothole in the eastbound lane; ${secret}.`);
  await phone.getByLabel('Add photos').setInputFiles([photoFile, notAPhoto]);
  await phone.getByRole('button', { name: 'Continue' }).click();
  // The file that is not a photo is refused in words; the photo is kept with the form.
  assert.match(await phone.locator('.alert--error').innerText(), /"notes\.jpg" is not a photo we can take\. Choose a JPEG, PNG or WebP image\./);
  assert.equal(await phone.getByRole('img', { name: 'Photo 1 you attached' }).count(), 1);
  await checkAccessible(phone, 'report form with a refused file', axe);
  await screenshot(phone, 'report-photo-error-phone-nojs');
  await phone.getByRole('button', { name: 'Continue' }).click();
  assert.equal(await phone.getByRole('heading', { level: 1 }).innerText(), 'Check your answers before sending');
  assert.equal(await phone.getByRole('img', { name: 'Photo 1 you attached' }).count(), 1);
  const noOverflow = await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
  assert.ok(noOverflow, 'nothing is cut off on a phone');
  await checkAccessible(phone, 'check your answers with a photo', axe);
  await screenshot(phone, 'report-photo-check-phone-nojs');
  await phone.getByRole('button', { name: 'Send report' }).click();
  const reference = (await phone.locator('.reference--large').innerText()).trim();
  assert.match(reference, /^SR-2026-\d+$/);

  // 2. Staff see the photo, show it, and redact the description (desktop, JavaScript on).
  const staff = await (await site.context({ viewport: viewports.desktop })).newPage();
  await signInAs(staff, demo.roadsStaff);
  await staff.goto(`/staff/cases/${reference}`);
  const staffImage = staff.getByRole('img', { name: `Photo 1 sent with ${reference}` });
  assert.equal(await staffImage.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), 1600, 'the stored photo, resized');
  await staff.getByRole('button', { name: 'Show photo 1 to the public' }).click();
  await staff.waitForURL(/done=photo-moderated/);
  await staff.getByText('Change what the public sees of the description').click();
  await staff.getByLabel('A redacted version (write it below)').check();
  await staff.getByLabel('Public version of the description').fill('Deep pothole in the eastbound lane.');
  await staff.getByLabel('Reason for the change').fill('Names a neighbour and where they live');
  await staff.getByRole('button', { name: 'Save what the public sees' }).click();
  await staff.waitForURL(/done=moderated/);
  assert.match(await staff.locator('#public-title').locator('..').innerText(), /Redacted/);
  assert.match(await staff.locator('main').innerText(), /Pat Smith/, 'staff keep the resident\'s words');
  await expectAccessible(staff, 'case page with photos and moderation');
  await screenshot(staff, 'case-moderation-desktop');

  // 3. The public tracking page at both widths, with and without JavaScript: only the moderated version.
  for (const [width, javaScript] of [['phone', true], ['desktop', false]] as const) {
    const page = await (await site.context({ javaScript, viewport: viewports[width] })).newPage();
    await page.goto(`/track/${reference}`);
    const main = await page.locator('main').innerText();
    assert.match(main, /Deep pothole in the eastbound lane\./);
    assert.doesNotMatch(main, /Pat Smith|Elm Street/);
    const image = page.getByRole('img', { name: `Photo 1 of the problem reported in ${reference}` });
    assert.equal(await image.count(), 1);
    const src = (await image.getAttribute('src'))!;
    const served = await page.request.get(src);
    assert.equal(served.status(), 200);
    const bytes = await served.body();
    assert.equal(hasExif(bytes), false, 'the served photo has no EXIF and no GPS');
    assert.equal(bytes.includes(Buffer.from(gpsCamera)), false);
    await checkAccessible(page, `tracking page (${width})`, javaScript ? undefined : axe);
    await screenshot(page, `track-photo-moderated-${width}-${javaScript ? 'js' : 'nojs'}`);
  }

  // 4. A neighbour follows it from the tracking page (phone, JavaScript on).
  const neighbour = await (await site.context({ viewport: viewports.phone })).newPage();
  await neighbour.goto(`/track/${reference}`);
  await neighbour.getByRole('link', { name: 'Follow this request' }).click();
  await neighbour.getByRole('button', { name: 'Send me a link to confirm' }).click();
  assert.match(await neighbour.locator('.error-message').innerText(), /Enter your e-mail address/);
  await neighbour.getByLabel('Your e-mail address').fill('neighbour@example.net');
  await neighbour.getByRole('button', { name: 'Send me a link to confirm' }).click();
  assert.match(await neighbour.locator('main').innerText(), /Check your e-mail/);
  await expectAccessible(neighbour, 'follow: check your e-mail');
  await screenshot(neighbour, 'follow-sent-phone');

  const mailTo = async (subject: string) =>
    (await site.db.kysely.selectFrom('outbox_mail').select(['body']).where('to_address', '=', 'neighbour@example.net').where('subject', 'like', `${subject}%`).orderBy('id').execute()).map((m) => m.body);
  const path = (body: string, kind: string) => new RegExp(`http://localhost:3000(/follow/${kind}/\\S+)`).exec(body)![1]!;
  // The confirmation link without JavaScript on a desktop: a page with one button.
  const desk = await (await site.context({ javaScript: false, viewport: viewports.desktop })).newPage();
  const deskAxe = await (await site.context({ viewport: viewports.desktop })).newPage();
  await deskAxe.goto('/');
  await desk.goto(path((await mailTo('Confirm'))[0]!, 'confirm'));
  await checkAccessible(desk, 'follow confirmation', deskAxe);
  await screenshot(desk, 'follow-confirm-desktop-nojs');
  await desk.getByRole('button', { name: 'Yes, e-mail me the updates' }).click();
  assert.match(await desk.locator('h1').innerText(), /You are following this request/);

  // An update reaches the neighbour with the moderated text only.
  site.clock.set('2026-03-02T16:00:00Z');
  await staff.goto(`/staff/cases/${reference}`);
  const directory = await new DirectoryCache(site.db, site.clock).get();
  await staff.locator('#action-acknowledge').evaluate((d: HTMLDetailsElement) => (d.open = true));
  await staff.getByLabel('Next steps').fill('A crew will inspect the pothole this week and patch it.');
  await staff.getByLabel('Contact information for follow-up').fill('Roads Operations, 705-324-9411 ext. 1200');
  await staff.getByRole('button', { name: 'Acknowledge and send' }).click();
  await staff.getByText('Acknowledged. The acknowledgment is in the timeline below.').waitFor();
  assert.equal((await sweepFollowers({ db: site.db, directory, now: site.clock.now() })).sent, 1);
  const [update] = await mailTo('Update on');
  assert.match(update!, /A crew will inspect the pothole this week/);
  assert.match(update!, /The request: Deep pothole in the eastbound lane\./);
  assert.doesNotMatch(update!, /Pat Smith|Elm Street/);

  // Unfollow from the e-mail's link (phone, no JavaScript).
  await phone.goto(path(update!, 'stop'));
  await checkAccessible(phone, 'unfollow page', axe);
  await screenshot(phone, 'unfollow-phone-nojs');
  await phone.getByRole('button', { name: 'Stop e-mailing me about it' }).click();
  assert.match(await phone.locator('h1').innerText(), /No more updates/);
});
