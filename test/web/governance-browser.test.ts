import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { demo } from '../helpers/api.js';
import { testEngines } from '../helpers/db.js';
import { at } from '../helpers/factories.js';
import { expectAccessible, screenshot, signInAs, startSite, viewports, type BrowserSite } from '../helpers/browser.js';
import { loadDirectory } from '../../src/directory/directory-cache.js';
import { chooseTargets } from '../../src/standard/targets.js';

/**
 * The governance pages in Debian's Chromium (issue 16, CSS §7, §8): a staff member reads and
 * acknowledges the Standard and their division's targets; a Division Head records the annual DST
 * review; the Working Group drafts, replays and accepts proposed targets. axe finds nothing on
 * any of them; screenshots at phone and desktop widths.
 */
const [engine] = testEngines();

describe('governance pages in Chromium', () => {
  let site: BrowserSite;
  before(async () => {
    site = await startSite(engine!, '2026-12-01T10:00:00-05:00');
    // Two potholes of the last year for the replay: one acknowledged on its second business day.
    const directory = await loadDirectory(site.db.kysely);
    for (const [ref, received, acknowledged, resolved] of [
      ['SR-2026-000101', '2026-03-02 10:00', '2026-03-04 09:00', '2026-03-06 10:00'],
      ['SR-2026-000102', '2026-04-06 10:00', '2026-04-06 11:00', '2026-04-08 10:00'],
    ] as const) {
      const t = directory.serviceTargets('pothole', at(received));
      const chosen = chooseTargets(t.targets, { road_class: '3' });
      await site.db.kysely
        .insertInto('service_case')
        .values({
          reference: ref,
          kind: 'service_request',
          status: 'resolved',
          channel: 'phone',
          request_type_id: t.requestType.id,
          division_id: t.division.id,
          description: 'A pothole.',
          summary: 'Pothole on Kent St. W.',
          attributes: JSON.stringify({ road_class: '3' }),
          received_at: new Date(at(received)),
          recorded_at: new Date(at(received)),
          dst_version_id: t.dstVersion.id,
          acknowledge_by: new Date(directory.calendar.dueAt(at(received), chosen.acknowledge)),
          resolve_by: new Date(directory.calendar.dueAt(at(received), chosen.resolve)),
          acknowledged_at: new Date(at(acknowledged)),
          resolved_at: new Date(at(resolved)),
        })
        .execute();
    }
  });
  after(() => site.close());

  test('a staff member sees what to read on their home page, reads the Standard and their division’s targets and confirms each; axe finds nothing', async () => {
    for (const [width, viewport] of Object.entries(viewports)) {
      const page = await (await site.context({ viewport })).newPage();
      await signInAs(page, demo.trafficStaff);
      await page.goto('/staff');
      const banner = page.getByRole('region', { name: 'What to read' });
      assert.match(await banner.innerText(), /Corporate Customer Service Standards 2025 Edition\s*Overdue/);
      await screenshot(page, `governance-home-${width}`);
      if (width === 'desktop') await expectAccessible(page, 'home with what to read');
      await page.goto('/staff/standard/2025');
      if (width === 'desktop') await expectAccessible(page, 'the Standard');
      await screenshot(page, `governance-standard-${width}`);
      if (width === 'phone') await page.close();
    }
    const page = await (await site.context()).newPage();
    await signInAs(page, demo.trafficStaff);
    await page.goto('/staff/standard/2025');
    await page.getByRole('button', { name: 'I have read the 2025 edition of the Standard' }).click();
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'What to read');
    assert.match(await page.getByRole('status').innerText(), /recorded with the version you read/);
    await expectAccessible(page, 'what to read');
    await page.getByRole('link', { name: 'Read version 1 of the targets' }).click();
    assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /Traffic and Streetlights: Division Service Targets/);
    await page.goBack();
    await page.getByRole('button', { name: /I have read version 1 of Traffic and Streetlights/ }).click();
    assert.match(await page.locator('main').innerText(), /You have read everything you are asked to read/);
    await page.goto('/staff');
    assert.equal(await page.getByRole('region', { name: 'What to read' }).count(), 0, 'nothing left to read: the home page no longer asks');
  });

  test('a Division Head records the annual DST review with its findings; the form explains what is missing; axe finds nothing', async () => {
    const page = await (await site.context()).newPage();
    await signInAs(page, demo.roadsHead);
    await page.goto('/staff/governance');
    await expectAccessible(page, 'governance overview');
    await page.getByRole('link', { name: 'Roads Operations: annual DST review' }).click();
    assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /Roads Operations: annual DST review\s*Overdue/);
    await expectAccessible(page, 'review page');
    await page.getByRole('button', { name: 'Record the review' }).click();
    assert.match(await page.getByRole('alert').innerText(), /Write the review’s findings/);
    await expectAccessible(page, 'review page with errors');
    await page.getByLabel('Findings').fill('Targets met for most types; crews asked for no change this year.');
    await page.getByRole('radio', { name: 'No change' }).check();
    await page.getByRole('button', { name: 'Record the review' }).click();
    assert.match(await page.getByRole('status').innerText(), /next review is scheduled/);
    assert.match(await page.locator('main').innerText(), /Findings\s*Targets met for most types/);
    await screenshot(page, 'governance-review-desktop');
    await expectAccessible(page, 'review recorded');
  });

  test('the Working Group drafts proposed targets, replays the last 12 months and accepts them as a new DST version; axe finds nothing', async () => {
    const page = await (await site.context()).newPage();
    await signInAs(page, demo.workingGroup);
    await page.goto('/staff/proposals');
    await expectAccessible(page, 'proposals');
    await page.getByRole('link', { name: 'Draft a proposal' }).click();
    await expectAccessible(page, 'proposal form');
    await page.getByLabel('Name of the proposal').fill('Acknowledge potholes within a business day');
    const pothole = page.locator('.proposal-type').filter({ has: page.getByRole('heading', { name: 'Pothole' }) });
    await pothole.getByLabel('Acknowledge within', { exact: true }).fill('1 business day');
    await page.getByRole('button', { name: 'Save the proposal' }).click();
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Acknowledge potholes within a business day draft');
    await page.getByRole('button', { name: 'Replay past cases' }).click();
    const result = page.locator('section.replay-result');
    assert.match(await result.innerText(), /2 service requests received from/);
    assert.match(await result.innerText(), /1 cases would change|1 case would change/);
    assert.equal(await page.getByRole('link', { name: 'SR-2026-000101' }).count(), 1);
    await screenshot(page, 'governance-replay-desktop');
    await expectAccessible(page, 'replay result');
    await page.getByLabel('Takes effect on').fill('2026-12-15');
    await page.getByRole('button', { name: 'Accept the proposal' }).click();
    assert.match(await page.locator('main').innerText(), /Roads Operations: DST version 2, from Tuesday 15 December 2026/);
    await expectAccessible(page, 'proposal accepted');
    const phone = await (await site.context({ viewport: viewports.phone })).newPage();
    await signInAs(phone, demo.workingGroup);
    await phone.goto(page.url());
    await screenshot(phone, 'governance-replay-phone');
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow}px on a phone`);
  });
});
