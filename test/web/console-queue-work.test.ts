import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { testEngines } from '../helpers/db.js';
import { demo, potholeByPhone } from '../helpers/api.js';
import { consoleAs, pageText } from '../helpers/console.js';
import { expectAccessible, recordContact, screenshot, signInAs, startSite, type BrowserSite } from '../helpers/browser.js';
import { sessionToken } from '../helpers/sessions.js';
import { sessionCookie } from '../../src/platform/staff-auth.js';
import { createCase, type IntakeInput } from '../../src/cases/create-case.js';
import { caseServices } from '../../src/cases/case-services.js';

/**
 * Issue 18 point 5, the work queues in Chromium: the next due time always in view (1366 px, and a
 * 375 px phone where each case is a card), an owner column, and bulk assign and transfer from a
 * queue, each case judged as on its own page (README "Who may do what", CSS §3.1). Without
 * JavaScript and with the keyboard alone. One browser for the file.
 */

const [engine] = testEngines();
// Monday 2 March 2026, 10:00 in Lindsay.
const now = '2026-03-02T10:00:00-05:00';
const desktop = { width: 1366, height: 900 };
const phone = { width: 375, height: 812 };

let site: BrowserSite;
before(async () => {
  site = await startSite(engine!, now);
});
after(() => site.close());

/** A report from the portal: nobody owns it yet. */
async function portalReport(overrides: Record<string, unknown>): Promise<string> {
  const input = { ...potholeByPhone({ channel: 'web_portal', ...overrides }) } as unknown as IntakeInput;
  const { caseRow } = await createCase({ services: caseServices(site.db, site.clock), origin: { via: 'portal' }, input });
  return caseRow.reference;
}

const ownerOf = async (reference: string) =>
  (await site.db.kysely.selectFrom('service_case').leftJoin('staff_user', 'staff_user.id', 'service_case.owner_id').select(['staff_user.name', 'service_case.transfer_to_division_id']).where('reference', '=', reference).executeTakeFirstOrThrow());

/** The row of a case in the queue's table. */
const rowOf = (page: Page, reference: string) => page.getByRole('row').filter({ has: page.getByRole('link', { name: reference, exact: true }) });

/** Presses Tab until the element matching the selector has the focus. */
async function tabTo(page: Page, selector: string): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  assert.fail(`Tab never reached ${selector}`);
}

/**
 * Every case's next due time is on screen whole: inside the viewport's width, not clipped by the
 * table's box, and the page never scrolls sideways.
 */
async function assertDueInView(page: Page, width: number, what: string): Promise<void> {
  const layout = await page.evaluate(() => {
    const cells = Array.from(document.querySelectorAll<HTMLElement>('.case-table tbody .case-cell--due'));
    const wrap = document.querySelector<HTMLElement>('.case-list')!;
    const box = wrap.getBoundingClientRect();
    return {
      pageWidth: document.documentElement.scrollWidth,
      wrapScroll: wrap.scrollWidth - wrap.clientWidth,
      box: { left: box.left, right: box.right },
      cells: cells.map((c) => {
        const r = c.getBoundingClientRect();
        return { left: r.left, right: r.right, width: r.width, text: c.innerText, visible: c.checkVisibility() };
      }),
    };
  });
  assert.ok(layout.cells.length > 0, `${what}: the queue shows cases`);
  assert.ok(layout.pageWidth <= width, `${what}: the page is ${layout.pageWidth} px wide in a ${width} px window: it scrolls sideways`);
  assert.ok(layout.wrapScroll <= 1, `${what}: the table scrolls sideways by ${layout.wrapScroll} px`);
  for (const cell of layout.cells) {
    assert.ok(cell.visible && cell.width > 40, `${what}: a next due cell is hidden (${JSON.stringify(cell)})`);
    assert.ok(cell.left >= 0 && cell.right <= width + 0.5, `${what}: a next due time runs outside the window (${cell.left}–${cell.right} of ${width})`);
    assert.ok(cell.left >= layout.box.left - 0.5 && cell.right <= layout.box.right + 0.5, `${what}: a next due time is clipped by the table`);
    assert.match(cell.text, /Next due|Overdue|Due today|in \d+|by \d+/, `${what}: the cell says when: ${cell.text}`);
  }
}

test('at 1366 px every queue column fits, the next due time and the owner ("Unassigned" where nobody) among them; on a 375 px phone each case is a card with its next due in view (screenshots)', async () => {
  const unowned = await portalReport({ summary: 'Pothole reported on the portal, not yet assigned.', location: { address: '12 William St. N., Lindsay' } });
  const owned = await recordContact(site, potholeByPhone({ summary: 'Pothole at the library entrance, a long description of where exactly it is.', receivedAt: '2026-02-26T09:00' }), demo.roadsStaff);
  const context = await site.context({ viewport: desktop });
  const page = await context.newPage();
  await signInAs(page, demo.roadsHead);
  await page.goto('/staff/queues/division');

  // The owner column: who has it, or "Unassigned".
  const header = await page.getByRole('columnheader').allInnerTexts();
  assert.ok(header.some((h) => /^Owner/.test(h)), `an Owner column: ${header.join(' | ')}`);
  assert.ok(header.some((h) => /^Next due/.test(h)));
  assert.match(await rowOf(page, unowned).locator('.case-cell--owner').innerText(), /Unassigned/);
  assert.match(await rowOf(page, owned).locator('.case-cell--owner').innerText(), /Riley Chen/);
  assert.match(await rowOf(page, owned).locator('.case-cell--due').innerText(), /acknowledge: due in 6 hours 30 minutes/);
  await assertDueInView(page, desktop.width, '1366 px');
  await expectAccessible(page, 'queue with the bulk form, 1366 px');
  await screenshot(page, 'console-queue-1366');

  // With JavaScript, one box ticks every case on the page (without it each is ticked on its own).
  const all = page.getByRole('checkbox', { name: 'Select every case on this page' });
  await all.check();
  assert.ok(await page.getByRole('checkbox', { name: `Select ${unowned}` }).isChecked());
  assert.ok(await page.getByRole('checkbox', { name: `Select ${owned}` }).isChecked());
  await page.getByRole('checkbox', { name: `Select ${owned}` }).uncheck();
  assert.equal(await all.evaluate((box) => (box as unknown as { indeterminate: boolean }).indeterminate), true);

  // Sorted by owner, the unassigned come last.
  await page.getByRole('link', { name: /^Owner/ }).click();
  await page.waitForURL(/sort=owner/);
  const owners = await page.locator('.case-table tbody .case-cell--owner').allInnerTexts();
  assert.match(owners.at(-1)!, /Unassigned/);
  assert.doesNotMatch(owners[0]!, /Unassigned/);

  const small = await site.context({ viewport: phone });
  const onPhone = await small.newPage();
  await signInAs(onPhone, demo.roadsHead);
  await onPhone.goto('/staff/queues/division');
  await assertDueInView(onPhone, phone.width, '375 px phone');
  // Stacked: the next due sits under the reference in the same card, not in a column beside it.
  const card = rowOf(onPhone, owned);
  const reference = (await card.locator('.case-cell--reference').boundingBox())!;
  const due = (await card.locator('.case-cell--due').boundingBox())!;
  const ownerCell = (await card.locator('.case-cell--owner').boundingBox())!;
  assert.ok(due.y > reference.y && Math.abs(due.x - reference.x) < 2, 'the next due is stacked under the reference');
  assert.ok(Math.abs(ownerCell.x - reference.x) < 2);
  // Each stacked value says what it is.
  assert.match(await card.innerText(), /Owner:\s*Riley Chen/);
  assert.match(await card.innerText(), /Next due:\s*Due today/);
  assert.match(await card.innerText(), /Status:\s*Open/);
  await expectAccessible(onPhone, 'queue on a phone');
  await screenshot(onPhone, 'console-queue-phone');
  await onPhone.setViewportSize({ width: 320, height: 700 });
  await assertDueInView(onPhone, 320, '320 px phone');
});

test('bulk assign: tick several cases, choose an owner, assign; a case waiting for a transfer is refused with its reason, the others are assigned (INTERPRETATION §5, CSS §3.1)', async () => {
  const first = await portalReport({ summary: 'Bulk assign: first pothole.' });
  const second = await recordContact(site, potholeByPhone({ summary: 'Bulk assign: second pothole.' }));
  const pending = await recordContact(site, potholeByPhone({ summary: 'Bulk assign: a signal base, being transferred.' }));
  const roads = await consoleAs(site, demo.roadsStaff);
  const sent = await roads.post(`/staff/cases/${pending}/transfer`, { 'transfer.toDivision': 'traffic-streetlights', 'transfer.note': 'A signal base, not a pothole.' });
  assert.equal(sent.status, 303, sent.body);

  const page = await (await site.context({ viewport: desktop })).newPage();
  await signInAs(page, demo.roadsHead);
  await page.goto('/staff/queues/division');
  for (const reference of [first, second, pending]) await page.getByRole('checkbox', { name: `Select ${reference}` }).check();
  await page.getByLabel('Owner').selectOption({ label: 'Riley Chen' });
  await page.getByRole('button', { name: 'Assign the selected cases' }).click();
  await page.waitForURL(/bulk=\d+/);

  const done = page.locator('#bulk-outcome .alert--ok');
  assert.match(await done.innerText(), /2 cases assigned/);
  assert.match(await done.innerText(), new RegExp(`${first} Assigned to Riley Chen\\.`));
  assert.match(await done.innerText(), new RegExp(`${second} Assigned to Riley Chen\\.`));
  const refused = page.getByRole('alert');
  assert.match(await refused.innerText(), /1 case was not assigned/);
  assert.match(await refused.innerText(), new RegExp(`${pending}: ${pending} is waiting for Traffic and Streetlights to confirm receipt of its transfer \\(CSS §3\\.1\\)`));
  // The owner column shows the change; the refused case keeps its owner.
  assert.match(await rowOf(page, first).locator('.case-cell--owner').innerText(), /Riley Chen/);
  assert.equal((await ownerOf(first)).name, 'Riley Chen');
  assert.equal((await ownerOf(second)).name, 'Riley Chen');
  assert.equal((await ownerOf(pending)).name, 'Casey Morgan');
  await expectAccessible(page, 'bulk outcome');
  await screenshot(page, 'console-queue-bulk-outcome');
});

test('bulk transfer by the keyboard alone: Tab to each checkbox, Space, the division, the note, Enter; each case goes with the note and waits for the receiving division (CSS §3.1)', async () => {
  const first = await recordContact(site, potholeByPhone({ summary: 'Keyboard transfer: first streetlight base.' }));
  const second = await recordContact(site, potholeByPhone({ summary: 'Keyboard transfer: second streetlight base.' }));
  const page = await (await site.context({ viewport: desktop })).newPage();
  await signInAs(page, demo.roadsStaff);
  await page.goto('/staff/queues/division?sort=reference&dir=desc');

  for (const reference of [first, second]) {
    await tabTo(page, `input[type="checkbox"][value="${reference}"]`);
    await page.keyboard.press('Space');
  }
  await tabTo(page, '#f-toDivision');
  // A select takes the keyboard's letters: "T" for Traffic and Streetlights.
  await page.keyboard.type('Traffic');
  assert.equal(await page.locator('#f-toDivision').inputValue(), 'traffic-streetlights');
  await tabTo(page, '#f-note');
  await page.keyboard.type('Both are signal bases at the intersection.');
  await tabTo(page, 'button[value="transfer"]');
  await page.keyboard.press('Enter');
  await page.waitForURL(/bulk=\d+/);
  assert.match(await page.locator('#bulk-outcome').innerText(), /2 cases transferred/);
  assert.match(await page.locator('#bulk-outcome').innerText(), /Sent to Traffic and Streetlights: Roads Operations keeps it until Traffic and Streetlights confirms receipt \(CSS §3\.1\)/);
  for (const reference of [first, second]) {
    assert.notEqual((await ownerOf(reference)).transfer_to_division_id, null, `${reference} waits for Traffic`);
    assert.match(await rowOf(page, reference).locator('.case-cell--status').innerText(), /Transfer pending/);
  }
});

test('without JavaScript the bulk form is a plain form post: a transfer with a refused case among them, and a form missing its note keeps the ticks and says what to fix', async () => {
  const mine = await recordContact(site, potholeByPhone({ summary: 'No script: a Roads pothole to send on.' }));
  const alreadyGoing = await recordContact(site, potholeByPhone({ summary: 'No script: already on its way to Traffic.' }));
  const roads = await consoleAs(site, demo.roadsStaff);
  assert.equal((await roads.post(`/staff/cases/${alreadyGoing}/transfer`, { 'transfer.toDivision': 'traffic-streetlights', 'transfer.note': 'Traffic.' })).status, 303);

  // The HTTP form post itself, as a browser without scripts sends it: two ticked cases, no note.
  const cookie = `${sessionCookie}=${await sessionToken(site, demo.roadsStaff)}`;
  const plain = new URLSearchParams([['cases', mine], ['cases', alreadyGoing], ['action', 'transfer'], ['toDivision', 'traffic-streetlights'], ['note', '']]).toString();
  const missing = await site.app.inject({ method: 'POST', url: '/staff/queues/division/bulk', payload: plain, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie } });
  assert.equal(missing.statusCode, 400);
  for (const reference of [mine, alreadyGoing]) assert.match(missing.body, new RegExp(`value="${reference}" checked`), `${reference} stays ticked`);
  assert.match(pageText(missing.body), /A transfer needs a note for the receiving division \(CSS §3\.1\)/);
  const noNote = await roads.post('/staff/queues/division/bulk', { cases: mine, action: 'transfer', toDivision: 'traffic-streetlights', note: ' ' });
  assert.equal(noNote.status, 400);
  assert.match(pageText(noNote.body), /There is a problem A transfer needs a note for the receiving division \(CSS §3\.1\)/);
  assert.match(noNote.body, new RegExp(`value="${mine}" checked`), 'the ticked case stays ticked');
  assert.equal((await ownerOf(mine)).transfer_to_division_id, null, 'nothing was transferred');
  const none = await roads.post('/staff/queues/division/bulk', { action: 'assign', ownerId: '1' });
  assert.equal(none.status, 400);
  assert.match(pageText(none.body), /Select at least one case: tick the box beside each case you want to change\./);

  // Chromium with scripts off: the same form, sent by the button.
  const page = await (await site.context({ javaScript: false, viewport: desktop })).newPage();
  await signInAs(page, demo.roadsStaff);
  await page.goto('/staff/queues/division');
  await page.getByRole('checkbox', { name: `Select ${mine}` }).check();
  await page.getByRole('checkbox', { name: `Select ${alreadyGoing}` }).check();
  await page.locator('#f-toDivision').selectOption('traffic-streetlights');
  await page.getByLabel('Note for the receiving division').fill('A signal base: Traffic maintains it.');
  await page.getByRole('button', { name: 'Transfer the selected cases' }).click();
  await page.waitForURL(/bulk=\d+/);
  const text = await page.locator('#bulk-outcome').innerText();
  assert.match(text, /1 case transferred/);
  assert.match(text, new RegExp(`${mine} Sent to Traffic and Streetlights`));
  assert.match(text, /1 case was not transferred/);
  assert.match(text, new RegExp(`${alreadyGoing}: ${alreadyGoing} is already being transferred to Traffic and Streetlights; withdraw that transfer first\\.`));
  assert.notEqual((await ownerOf(mine)).transfer_to_division_id, null);
  await screenshot(page, 'console-queue-bulk-no-script');
});
