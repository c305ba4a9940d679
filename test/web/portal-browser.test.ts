import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { testEngines } from '../helpers/db.js';
import { expectAccessible, screenshot, startSite, viewports, type BrowserSite } from '../helpers/browser.js';

/**
 * The public portal in Debian's Chromium (issue #5): a resident reports a pothole and asks a
 * question, then tracks both, with JavaScript on and again with it off; axe finds nothing on any
 * public page; screenshots at phone and desktop widths.
 */
const [engine] = testEngines();

/** Runs axe in a JavaScript-enabled context on what a no-JavaScript page showed (axe hangs without scripts). */
async function checkAccessible(page: Page, what: string, axePage: Page | undefined): Promise<void> {
  if (!axePage) return expectAccessible(page, what);
  await axePage.setContent(await page.content(), { waitUntil: 'load' });
  return expectAccessible(axePage, `${what} (as served without JavaScript)`);
}

/** Full-page screenshots of each page at phone and desktop widths: portal-<name>-<width>.png. */
async function shoot(site: BrowserSite, pages: readonly (readonly [url: string, name: string])[]): Promise<void> {
  for (const [width, viewport] of Object.entries(viewports)) {
    const page = await (await site.context({ viewport })).newPage();
    for (const [url, name] of pages) {
      await page.goto(url);
      await screenshot(page, `portal-${name}-${width}`);
    }
  }
}

async function reportAndAsk(site: BrowserSite, javaScript: boolean): Promise<{ report: string; question: string }> {
  const page = await (await site.context({ javaScript, viewport: viewports.phone })).newPage();
  // With JavaScript off, axe runs on a copy of each page in a context that has it on.
  const axe = javaScript ? undefined : await (await site.context({ viewport: viewports.phone })).newPage();
  if (axe) await axe.goto('/');
  const label = javaScript ? 'with JavaScript' : 'without JavaScript';

  await page.goto('/');
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'City of Kawartha Lakes service requests');
  await checkAccessible(page, `home ${label}`, axe);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Report a problem' }).click();
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Report a problem');
  await checkAccessible(page, `report type list ${label}`, axe);

  await page.getByRole('link', { name: /^Pothole/ }).click();
  await checkAccessible(page, `report form ${label}`, axe);

  // Sent empty: the error summary links to each field.
  await page.getByRole('button', { name: 'Continue' }).click();
  assert.equal(await page.getByRole('heading', { name: 'There is a problem' }).isVisible(), true);
  assert.match(await page.getByRole('alert').innerText(), /Enter the address or nearest intersection of the problem/);
  await checkAccessible(page, `report form with errors ${label}`, axe);

  await page.getByRole('radio', { name: 'Class 3: a collector road between neighbourhoods' }).check();
  await page.getByLabel('Address or nearest intersection').fill('50 Kent St. W., Lindsay');
  await page.getByLabel('Describe the problem').fill('Deep pothole in the eastbound lane, about a metre from the curb.');
  await page.getByLabel('Your name').fill('Dana Resident');
  await page.getByLabel('E-mail address').fill('dana@example.org');
  await page.getByRole('radio', { name: 'By e-mail' }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Check your answers before sending');
  assert.match(await page.locator('.readback').innerText(), /^Pothole at 50 Kent St\. W\., Lindsay\. What kind of road is it\? Class 3/);
  await checkAccessible(page, `report check answers ${label}`, axe);

  // Change, then come back: the answers are kept.
  await page.getByRole('button', { name: 'Change your answers' }).click();
  assert.equal(await page.getByLabel('Address or nearest intersection').inputValue(), '50 Kent St. W., Lindsay');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Send report' }).click();
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Your report has been sent');
  const report = (await page.locator('.reference').innerText()).trim();
  assert.match(report, /^SR-2026-\d{6}$/);
  assert.match(await page.getByRole('main').innerText(), /Roads Operations will acknowledge your report by Wednesday 4 March 2026, 4:30 pm/);
  await checkAccessible(page, `report confirmation ${label}`, axe);

  await page.getByRole('link', { name: 'Ask a question' }).first().click();
  await checkAccessible(page, `ask form ${label}`, axe);
  await page.getByLabel('Your question').fill('When does the spring leaf and yard waste collection start?');
  await page.getByLabel('What is it about?').selectOption({ label: 'Environmental Services' });
  await page.getByLabel('Phone number').fill('705-555-0199');
  await page.getByRole('radio', { name: 'By phone' }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  assert.match(await page.locator('.readback').innerText(), /Question for Environmental Services/);
  await checkAccessible(page, `ask check answers ${label}`, axe);
  await page.getByRole('button', { name: 'Send question' }).click();
  const question = (await page.locator('.reference').innerText()).trim();
  assert.match(question, /^GI-2026-\d{6}$/);
  assert.match(await page.getByRole('main').innerText(), /Environmental Services will reply by Thursday 5 March 2026, 4:30 pm/);
  await checkAccessible(page, `ask confirmation ${label}`, axe);

  // Track both, typed the way people type them.
  for (const [reference, status] of [
    [report, 'Received, waiting to be acknowledged'],
    [question, 'Received, waiting to be acknowledged'],
  ] as const) {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Track a request' }).click();
    await page.getByLabel('Reference number').fill(` ${reference.toLowerCase()} `);
    await page.getByRole('button', { name: 'Track' }).click();
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), `${reference.startsWith('SR') ? 'Service request' : 'Question'}\n${reference}`);
    const main = await page.getByRole('main').innerText();
    assert.match(main, new RegExp(`Status: ${status}`));
    assert.doesNotMatch(main, /Dana|dana@example\.org|705-555-0199/);
    await checkAccessible(page, `track result ${reference} ${label}`, axe);
  }
  return { report, question };
}

test('a resident reports a pothole and asks a question, tracks both, with JavaScript on and off; every public page passes axe', async (t) => {
  // Monday 2 March 2026, 10:00: the offices are open.
  const site = await startSite(engine!, '2026-03-02T10:00:00-05:00');
  t.after(() => site.close());

  const withScripts = await reportAndAsk(site, true);
  const withoutScripts = await reportAndAsk(site, false);
  assert.notEqual(withScripts.report, withoutScripts.report);

  const page = await (await site.context()).newPage();
  await page.goto('/track');
  await expectAccessible(page, 'track form');
  const missing = await page.goto('/track/SR-2026-999999');
  assert.equal(missing?.status(), 404);
  assert.match(await page.getByRole('main').innerText(), /We cannot find a request with the reference number SR-2026-999999/);
  await expectAccessible(page, 'track not found');

  await page.goto('/contact');
  assert.match(await page.getByRole('main').innerText(), /Lindsay Service Centre\nAddress\n26 Francis St\., Lindsay/);
  await expectAccessible(page, 'contact');

  // Escalation: after the acknowledgment target passes unacknowledged (Wednesday 4 March 16:30).
  site.clock.set('2026-03-05T10:00:00-05:00');
  await page.goto(`/track/${withScripts.report}`);
  await page.getByRole('link', { name: 'Ask for an escalation' }).click();
  await expectAccessible(page, 'escalation start');
  await page.getByRole('button', { name: 'Send me a code' }).click();
  assert.match(await page.getByRole('status').innerText(), /a 6-digit code is on its way/);
  await expectAccessible(page, 'escalation code form');
  await page.getByRole('button', { name: 'Ask for an escalation' }).click();
  assert.match(await page.getByRole('alert').innerText(), /Enter the 6-digit code/);
  await expectAccessible(page, 'escalation form with errors');
  const mail = await site.db.kysely.selectFrom('outbox_mail').select('body').where('subject', '=', `Your code to ask for an escalation [${withScripts.report}]`).executeTakeFirstOrThrow();
  await page.getByLabel('One-time code').fill(/code is (\d{6})/.exec(mail.body)![1]!);
  await page.getByRole('radio', { name: /A target was missed/ }).check();
  await page.getByRole('button', { name: 'Ask for an escalation' }).click();
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Your request has been escalated');
  assert.match(await page.getByRole('status').innerText(), /Division Head \(Manager of Roads Operations\)/);
  await expectAccessible(page, 'escalation answer');
  await screenshot(page, 'portal-escalation-answer-desktop');

  // A Saturday: every page says in one short line that the offices are closed, the after-hours line and 911 (CSS §3.2).
  site.clock.set('2026-03-07T11:00:00-05:00');
  await page.goto('/');
  const notice = await page.getByRole('region', { name: 'Notice' }).innerText();
  assert.equal(notice.trim(), 'Offices closed until Monday 9 March, 8:30 am. Municipal emergencies: 1-877-885-7337. Call 911 for police, fire or paramedic services.');
  await expectAccessible(page, 'home after hours');
  await page.goto('/contact');
  await expectAccessible(page, 'contact after hours');
  await shoot(site, [['/', 'home-after-hours']]);

  site.clock.set('2026-03-02T10:00:00-05:00');
  await shoot(site, [
    ['/', 'home'],
    ['/report', 'report-types'],
    ['/report?type=pothole', 'report-form'],
    [`/report/sent/${withScripts.report}`, 'report-sent'],
    ['/ask', 'ask'],
    [`/ask/sent/${withScripts.question}`, 'ask-sent'],
    ['/track', 'track'],
    [`/track/${withScripts.report}`, 'track-result'],
    ['/track/SR-2026-999999', 'track-not-found'],
    [`/track/${withScripts.report}/escalate`, 'escalation-start'],
    ['/contact', 'contact'],
  ]);
  // Pages that come from a POST: shot where the flow shows them.
  const flow = await (await site.context({ viewport: viewports.desktop })).newPage();
  await flow.goto('/report?type=pothole');
  await flow.getByRole('button', { name: 'Continue' }).click();
  await screenshot(flow, 'portal-report-errors-desktop');
  await flow.getByLabel('Address or nearest intersection').fill('50 Kent St. W., Lindsay');
  await flow.getByLabel('Describe the problem').fill('Deep pothole in the eastbound lane.');
  await flow.getByRole('button', { name: 'Continue' }).click();
  await screenshot(flow, 'portal-report-check-desktop');
  await flow.setViewportSize(viewports.phone);
  await screenshot(flow, 'portal-report-check-phone');
});
