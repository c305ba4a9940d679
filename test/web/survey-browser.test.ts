import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { testEngines } from '../helpers/db.js';
import { at } from '../helpers/factories.js';
import { apiAs, demo, potholeByPhone } from '../helpers/api.js';
import { expectAccessible, screenshot, signInAs, startSite, viewports } from '../helpers/browser.js';
import { startSmtpServer } from '../helpers/smtp.js';
import { deliverOutbox, smtpTransport } from '../../src/notify/deliver-outbox.js';
import { sweepSurveys } from '../../src/feedback/sweep-surveys.js';

/**
 * The satisfaction survey walked end to end (issue 14, CSS §6.2): cases resolved on Monday, the
 * sweep invites their customers on Wednesday after 16:30 (2 business days), the mail arrives at a
 * real SMTP server, and each customer answers through the link in Chromium, one with JavaScript and
 * one without; axe finds nothing on any survey page; screenshots at phone and desktop widths.
 */
const [engine] = testEngines();

async function checkAccessible(page: Page, what: string, axePage: Page | undefined): Promise<void> {
  if (!axePage) return expectAccessible(page, what);
  await axePage.setContent(await page.content(), { waitUntil: 'load' });
  return expectAccessible(axePage, `${what} (as served without JavaScript)`);
}

test('a resolved request brings a survey e-mail after 2 business days; the customer answers it on a phone, with and without JavaScript', async (t) => {
  const site = await startSite(engine!, '2026-11-23T15:00:00Z');
  t.after(() => site.close());
  const smtp = await startSmtpServer();
  t.after(() => smtp.close());
  const transport = smtpTransport(smtp.url);
  t.after(() => transport.close());
  const links = { publicUrl: site.baseUrl };

  const cs = await apiAs(site, demo.csRep);
  const roads = await apiAs(site, demo.roadsStaff);
  const references: string[] = [];
  for (const [name, email] of [['Dana Resident', 'dana@example.org'], ['Sam Driver', 'sam@example.org']] as const) {
    const created = await cs.post('/api/v1/cases', potholeByPhone({ customer: { name, email, preferredContact: 'email' } }));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    references.push(created.body.case.reference);
    const resolved = await roads.post(`/api/v1/cases/${created.body.case.reference}/resolve`, { resolution: 'The crew filled the pothole.' });
    assert.equal(resolved.status, 200, JSON.stringify(resolved.body));
  }

  site.clock.set(new Date(at('2026-11-25 16:00')));
  assert.equal((await sweepSurveys({ db: site.db, now: site.clock.now(), links })).invited.length, 0, 'not before 2 business days');
  site.clock.set(new Date(at('2026-11-25 16:45')));
  assert.equal((await sweepSurveys({ db: site.db, now: site.clock.now(), links })).invited.length, 2);
  await deliverOutbox({ db: site.db, transport, now: site.clock.now(), from: 'City of Kawartha Lakes <inquiries@kawarthalakes.ca>' });
  const linkFor = (to: string): string => {
    const mail = smtp.arrivals.find((a) => a.envelopeTo.includes(to) && a.mail.subject?.startsWith('How did we do?'));
    assert.ok(mail, `a survey e-mail reached ${to}`);
    return new RegExp(`${site.baseUrl.replace(/[.]/g, '\\.')}(/survey/[^\\s]+)`).exec(mail.mail.text!)![1]!;
  };

  for (const [i, javaScript] of [true, false].entries()) {
    const label = javaScript ? 'with JavaScript' : 'without JavaScript';
    const page = await (await site.context({ javaScript, viewport: viewports.phone })).newPage();
    const axe = javaScript ? undefined : await (await site.context({ viewport: viewports.phone })).newPage();
    if (axe) await axe.goto('/');
    const link = linkFor(i === 0 ? 'dana@example.org' : 'sam@example.org');
    await page.goto(link);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'How did we do?');
    const facts = await page.locator('dl.facts').innerText();
    assert.match(facts, new RegExp(references[i]!));
    assert.match(facts, /Pothole/);
    assert.doesNotMatch(await page.locator('main').innerText(), /Dana|Sam|@example\.org|Kent St/);
    await checkAccessible(page, `survey ${label}`, axe);
    if (javaScript) await screenshot(page, 'survey-answer-phone');

    // Sent without a rating: the error summary says what to fix, and the answers stay.
    await page.getByRole('radio', { name: 'Partly' }).check();
    await page.getByRole('button', { name: 'Send my answers' }).click();
    assert.match(await page.getByRole('alert').innerText(), /Choose how satisfied you are/);
    assert.equal(await page.getByRole('radio', { name: 'Partly' }).isChecked(), true);
    await checkAccessible(page, `survey with errors ${label}`, axe);

    await page.getByRole('radio', { name: i === 0 ? '5 – Very satisfied' : '2 – Dissatisfied' }).check();
    if (i === 1) await page.getByRole('radio', { name: 'No, it is not resolved' }).check();
    await page.getByLabel(/Anything you want to tell us/).fill(i === 0 ? 'Fixed in a day. <b>Thanks!</b>' : 'The hole is back after the rain.');
    await page.getByRole('button', { name: 'Send my answers' }).click();
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Thank you for your answers');
    await checkAccessible(page, `survey thanks ${label}`, axe);
    if (i === 1) assert.match(await page.locator('main').innerText(), /will look at it again/);

    // The same link again: refused kindly.
    await page.goto(link);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'This survey has already been answered');
    await checkAccessible(page, `survey answered ${label}`, axe);
  }

  // A damaged link and the opt-out page, and the screenshots at both widths.
  const damaged = `${linkFor('dana@example.org').slice(0, -4)}AAAA`;
  const stop = new RegExp(`${site.baseUrl.replace(/[.]/g, '\\.')}(/survey/stop/[^\\s]+)`).exec(smtp.arrivals[smtp.arrivals.length - 1]!.mail.text!)![1]!;
  for (const [width, viewport] of Object.entries(viewports)) {
    const page = await (await site.context({ viewport })).newPage();
    await page.goto(damaged);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'This survey link does not work');
    assert.doesNotMatch(await page.locator('main').innerText(), /SR-\d{4}/);
    await expectAccessible(page, 'damaged survey link');
    await screenshot(page, `survey-damaged-${width}`);
    await page.goto(stop);
    await expectAccessible(page, 'opt-out page');
    await screenshot(page, `survey-opt-out-${width}`);
  }
  // The portal's compliment-or-complaint form, and the staff side: feedback, its analysis, one item, the call list.
  const portal = await (await site.context({ viewport: viewports.phone })).newPage();
  await portal.goto('/feedback');
  await expectAccessible(portal, 'compliment or complaint form');
  await portal.getByRole('button', { name: 'Send' }).click();
  assert.match(await portal.getByRole('alert').innerText(), /Choose whether this is a compliment or a complaint/);
  await expectAccessible(portal, 'compliment or complaint form with errors');
  await screenshot(portal, 'feedback-form-phone');
  const staff = await (await site.context()).newPage();
  await signInAs(staff, demo.roadsStaff);
  await staff.goto('/staff/feedback');
  assert.equal(await staff.getByRole('heading', { level: 1 }).innerText(), 'Customer feedback');
  assert.match(await staff.locator('main').innerText(), /The hole is back after the rain\./);
  await expectAccessible(staff, 'staff feedback page');
  await screenshot(staff, 'feedback-staff-desktop');
  await staff.getByRole('link', { name: /Tag and mark read/ }).first().click();
  await expectAccessible(staff, 'feedback item page');
  await screenshot(staff, 'feedback-item-desktop');
  const calls = await (await site.context()).newPage();
  await signInAs(calls, demo.csRep);
  await calls.goto('/staff/surveys/calls');
  await expectAccessible(calls, 'follow-up call list');

  const answers = await site.db.kysely.selectFrom('survey_answer').select(['rating', 'resolved', 'comment']).orderBy('id').execute();
  assert.deepEqual(answers, [
    { rating: 5, resolved: 'partly', comment: 'Fixed in a day. <b>Thanks!</b>' },
    { rating: 2, resolved: 'no', comment: 'The hole is back after the rain.' },
  ]);
});
