import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { testEngines } from '../helpers/db.js';
import { expectAccessible, pastTheEdge, recordContact, screenshot, signInAs, startSite } from '../helpers/browser.js';
import { demo, potholeByPhone } from '../helpers/api.js';

/**
 * Issue 18 point 7, a first look: on an install without cases each staff home page says what to
 * do first instead of rows of zeros; once a case is recorded the normal home shows, its tiles fit
 * their words at 1366 px and on a 375 px phone, and the administrator's menu fits one line.
 */
const [engine] = testEngines();
const desktop = { width: 1366, height: 900 };
const phone = { width: 375, height: 812 };

/** Tiles whose words overflow their box (scrollWidth beyond clientWidth), with the tile's text. */
const overflowingTiles = (page: Page) =>
  page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLElement>('.home-tile, .home-tile > *')).filter((e) => e.scrollWidth > e.clientWidth).map((e) => `${e.innerText.replace(/\s+/g, ' ')} (${e.scrollWidth} > ${e.clientWidth})`),
  );

/** The rows the console's menu takes: the distinct tops of its items. */
const menuRows = (page: Page) => page.evaluate(() => new Set(Array.from(document.querySelectorAll<HTMLElement>('nav[aria-label="Console"] li')).map((li) => li.offsetTop)).size);

test('issue 18 point 7: an empty install greets each role with what to do first; with cases the home tiles fit their words and the administrator’s menu fits one line', async (t) => {
  // Monday 2 March 2026, 10:00 in Lindsay.
  const site = await startSite(engine!, '2026-03-02T10:00:00-05:00');
  t.after(() => site.close());
  const pages = {
    desktop: await (await site.context({ viewport: desktop })).newPage(),
    phone: await (await site.context({ viewport: phone })).newPage(),
  };

  await t.test('the administrator: invite staff (page and command), who records the first contact, the demo year; no zeros', async () => {
    for (const [width, page] of Object.entries(pages)) {
      await signInAs(page, demo.admin);
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Welcome to citydesk, Avery');
      const first = page.getByRole('region', { name: 'What to do first' });
      const text = await first.innerText();
      assert.match(text, /No case has been recorded in citydesk for City of Kawartha Lakes yet/);
      assert.equal(await first.getByRole('link', { name: 'Add a staff account' }).getAttribute('href'), '/staff/admin/staff/new');
      assert.match(text, /npx citydesk user create --email … --name … --role …/);
      assert.match(text, /Customer Service and division staff record each call, e-mail, counter visit or portal report under New contact/);
      assert.match(text, /npx citydesk demo/);
      assert.equal(await page.locator('.home-tile').count(), 0, 'no tiles of zeros');
      assert.doesNotMatch(await page.locator('main').innerText(), /Nothing waiting in|What needs you today/);
      await expectAccessible(page, `first look for the administrator (${width})`);
      await screenshot(page, `console-first-look-admin-${width}`);
      assert.deepEqual(await pastTheEdge(page), [], `no sideways scrolling at ${width}`);
    }
    // Every item of the administrator's menu on one line at 1366 px, Administration among them.
    assert.equal(await menuRows(pages.desktop), 1, 'the administrator’s menu is one line at 1366 px');
    const menu = pages.desktop.getByRole('navigation', { name: 'Console' });
    assert.equal(await menu.getByRole('link', { name: 'Administration' }).getAttribute('href'), '/staff/admin');
    // What left the menu is on the Administration page.
    await pages.desktop.goto('/staff/admin');
    for (const [name, href] of [['Service targets', '/staff/admin/targets'], ['Closure days', '/staff/admin/closures'], ['Outbox', '/staff/outbox']] as const) {
      assert.equal(await pages.desktop.locator('main').getByRole('link', { name: new RegExp(`^${name}`) }).getAttribute('href'), href);
    }
  });

  await t.test('a Customer Service Representative: record the first contact, with the keyboard alone', async () => {
    const page = pages.desktop;
    await signInAs(page, demo.csRep);
    const first = page.getByRole('region', { name: 'What to do first' });
    assert.match(await first.innerText(), /Record the first contact[\s\S]*Know the targets you answer to[\s\S]*Look through the answers/);
    assert.match(await first.innerText(), /an administrator can load the demo year \(npx citydesk demo\)/);
    assert.equal(await page.locator('.home-tile').count(), 0);
    await expectAccessible(page, 'first look for a representative');
    await screenshot(pages.desktop, 'console-first-look-rep-1366');
    // Tab from the top of the page to the first step's button and press Enter.
    await page.locator('body').focus();
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      if ((await page.evaluate(() => document.activeElement?.textContent?.trim())) === 'Record a new contact') break;
    }
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/staff\/intake/);
  });

  await t.test('a Division Head: the templates to prepare; division staff: the answers', async () => {
    await signInAs(pages.phone, demo.roadsHead);
    const head = await pages.phone.getByRole('region', { name: 'What to do first' }).innerText();
    assert.match(head, /Record the first contact[\s\S]*Prepare the ready-made responses/);
    await expectAccessible(pages.phone, 'first look for a Division Head on a phone');
    await screenshot(pages.phone, 'console-first-look-head-phone');
    await signInAs(pages.phone, demo.roadsStaff);
    assert.match(await pages.phone.getByRole('region', { name: 'What to do first' }).innerText(), /Look through the answers/);
  });

  await t.test('once a case is recorded the normal home shows, and every tile fits its words at 1366 px and 375 px', async () => {
    await recordContact(site, potholeByPhone({ receivedAt: '2026-02-25T10:00' }));
    for (const email of [demo.admin, demo.csManager, demo.csRep, demo.roadsHead, demo.roadsStaff]) {
      for (const [width, page] of Object.entries(pages)) {
        await signInAs(page, email);
        assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'What needs you today');
        assert.equal(await page.getByRole('region', { name: 'What to do first' }).count(), 0);
        assert.ok((await page.locator('.home-tile').count()) > 0, `${email} sees the queue tiles`);
        assert.deepEqual(await overflowingTiles(page), [], `every tile fits its words for ${email} at ${width}`);
        assert.deepEqual(await pastTheEdge(page), [], `no sideways scrolling for ${email} at ${width}`);
      }
    }
    // The administrator's menu is still one line with cases (and the Manager's tiles include an overdue one).
    await signInAs(pages.desktop, demo.admin);
    assert.equal(await menuRows(pages.desktop), 1);
    await signInAs(pages.phone, demo.roadsStaff);
    assert.match(await pages.phone.getByRole('navigation', { name: 'Queue counts' }).getByRole('link', { name: /Acknowledgments overdue/ }).innerText(), /^1\s+Acknowledgments overdue\s+Needs action/);
    await expectAccessible(pages.phone, 'home with cases on a phone');
    await screenshot(pages.phone, 'console-home-tiles-phone');
    await screenshot(pages.desktop, 'console-home-admin-1366');
  });
});
