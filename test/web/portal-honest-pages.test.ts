import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngines } from '../helpers/db.js';
import { expectAccessible, screenshot, startSite, viewports } from '../helpers/browser.js';
import { demo, inquiryByPhone, potholeByPhone } from '../helpers/api.js';
import { caseServices } from '../../src/cases/case-services.js';
import { createCase, type IntakeInput } from '../../src/cases/create-case.js';
import { portalOrigin } from '../../src/web/portal/portal-forms.js';
import { resolveCase } from '../../src/cases/resolve-case.js';
import { loadStaffMember } from '../../src/directory/staff.js';

const [engine] = testEngines();

/** Issue 19, honest pages: what the portal tells residents is so, at night too, on a phone. */
test('at night the closed notice gives the emergency numbers once and no closed line; escalation says "not eligible" before any code; the problem list starts with potholes in residents\' words; the contact page gives each Service Centre\'s hours, phone and map (CSS §3.2, §5.3)', async (t) => {
  const site = await startSite(engine!, '2026-03-02T23:00:00-05:00'); // a Monday night
  t.after(() => site.close());
  const services = caseServices(site.db, site.clock);
  const input = { ...potholeByPhone(), channel: 'web_portal', customer: { name: 'Dana Resident', email: 'dana@example.org', preferredContact: 'email' } } as unknown as IntakeInput;
  const { reference } = (await createCase({ services, origin: portalOrigin, input, idempotencyKey: 'honest-1' })).caseRow;

  for (const javaScript of [true, false]) {
    const page = await (await site.context({ javaScript, viewport: viewports.phone })).newPage();
    await page.goto('/report');
    const text = await page.locator('body').innerText();
    // §3.2: the emergency numbers once a page; the office line is not offered as help now.
    assert.equal(text.split('1-877-885-7337').length - 1, 1, 'the after-hours line once');
    assert.equal(
      (await page.locator('.portal-notice').innerText()).trim(),
      'Offices closed until Tuesday 3 March, 8:30 am. Municipal emergencies: 1-877-885-7337. Call 911 for police, fire or paramedic services.',
    );
    // One short line: on a 1366 px screen one line of text; on a 390 px phone a few lines at most, above the page's own heading.
    const linesOf = () =>
      page.locator('.portal-notice').evaluate((p) => {
        const range = document.createRange();
        range.selectNodeContents(p);
        return new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.bottom))).size;
      });
    assert.ok((await linesOf()) <= 4, `the notice is short on a phone (${await linesOf()} lines)`);
    await page.setViewportSize({ width: 1366, height: 800 });
    assert.equal(await linesOf(), 1, 'one line at 1366 px');
    await screenshot(page, `portal-night-notice-1366-${javaScript ? 'js' : 'no-js'}`);
    await page.setViewportSize(viewports.phone);
    assert.doesNotMatch(text, /phone us now/);
    // The most reported first, under residents' words.
    assert.equal(await page.getByRole('heading', { level: 2 }).first().innerText(), 'Roads, sidewalks and signs');
    assert.equal(await page.locator('.type-list a').first().locator('strong').innerText(), 'Pothole');
    assert.doesNotMatch(text, /Roads Operations/);
    if (javaScript) await expectAccessible(page, 'problem list at night');
    await screenshot(page, `portal-problem-list-night-${javaScript ? 'js' : 'no-js'}`);

    // §5.3: a request whose targets have not been missed: said at once, and no code is offered.
    await page.goto(`/track/${reference}/escalate`);
    const main = await page.getByRole('main').innerText();
    assert.match(main, new RegExp(`${reference} cannot be escalated now`));
    assert.doesNotMatch(main, /§/, 'no clause numbers in residents\' text');
    assert.equal(await page.getByRole('button', { name: 'Send me a code' }).count(), 0);
    if (javaScript) await expectAccessible(page, 'escalation not eligible');
    await screenshot(page, `portal-escalation-not-eligible-${javaScript ? 'js' : 'no-js'}`);

    await page.goto('/contact');
    const contact = await page.getByRole('main').innerText();
    assert.match(contact, /For emergencies only, when our offices are closed/);
    assert.match(contact, /Lindsay Service Centre\s+Address\s+26 Francis St\., Lindsay[\s\S]*Hours\s+Monday to Friday, 8:30 am to 4:30 pm[\s\S]*Phone\s+705-324-9411/);
    assert.match((await page.getByRole('link', { name: 'Map of Lindsay Service Centre' }).getAttribute('href')) ?? '', /openstreetmap\.org\/search\?query=26%20Francis/);
    if (javaScript) await expectAccessible(page, 'contact at night');
    await screenshot(page, `portal-contact-night-${javaScript ? 'js' : 'no-js'}`);
  }
  // Asking for a code anyway (a form posted by hand) sends none: back to the page that says why.
  const posted = await fetch(`${site.baseUrl}/track/${reference}/escalate/code`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'website=' });
  assert.equal(posted.status, 303);
  assert.equal(posted.headers.get('location'), `/track/${reference}/escalate`);
});

/** Issue 19, honest pages: a confirmation says only what applies, e-mail given or not. */
test('the sent page says a confirmation was e-mailed only when an e-mail address was given, and otherwise how to track with the reference (CSS §3.3)', async (t) => {
  const site = await startSite(engine!, '2026-03-02T10:00:00-05:00');
  t.after(() => site.close());
  const cases = [
    { javaScript: true, viewport: viewports.phone, email: 'dana@example.org', says: /We have sent a confirmation with this reference number to the e-mail address you gave/ },
    { javaScript: false, viewport: viewports.desktop, email: '', says: /You gave us no way to reach you, so no confirmation was sent\. Keep the reference number: with it you can see what happens on the Track a request page/ },
  ];
  for (const { javaScript, viewport, email, says } of cases) {
    const page = await (await site.context({ javaScript, viewport })).newPage();
    await page.goto('/report?type=pothole');
    await page.getByLabel('Address or nearest intersection').fill('50 Kent St. W., Lindsay');
    await page.getByLabel('Describe the problem').fill('Deep pothole in the eastbound lane.');
    if (email) await page.getByLabel('E-mail address').fill(email);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Send report' }).click();
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Your report has been sent');
    const main = await page.getByRole('main').innerText();
    assert.match(main, says);
    assert.doesNotMatch(main, /If you gave/);
    if (email) assert.doesNotMatch(main, /no confirmation/);
    else assert.doesNotMatch(main, /sent a confirmation|if you gave us a way to reach you/i);
    assert.doesNotMatch(page.url(), /@/, 'the address is never put in the URL');
    if (javaScript) await expectAccessible(page, 'report sent');
    await screenshot(page, `portal-report-sent-${email ? 'email' : 'no-contact'}-${javaScript ? 'js' : 'no-js'}`);
  }
  // A question with only a phone number: no e-mail is claimed.
  const page = await (await site.context({ javaScript: false, viewport: viewports.phone })).newPage();
  await page.goto('/ask');
  await page.getByLabel('Your question').fill('When does the spring leaf and yard waste collection start?');
  await page.getByLabel('What is it about?').selectOption({ label: 'Environmental Services' });
  await page.getByLabel('Phone number').fill('705-555-0199');
  await page.getByRole('radio', { name: 'By phone' }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Send question' }).click();
  const main = await page.getByRole('main').innerText();
  assert.match(main, /We sent no e-mail, as you gave only a phone number/);
  assert.doesNotMatch(main, /If you gave|sent a confirmation/);
  await screenshot(page, 'portal-ask-sent-phone-only-no-js');
});

/** Issue 19, honest pages: residents see the status word staff see, and never a clause number. */
test('a resolved report reads "Resolved" on the tracking page, as staff see it, and no portal page or error residents see cites a clause (CSS §3.1)', async (t) => {
  const site = await startSite(engine!, '2026-03-02T10:00:00-05:00');
  t.after(() => site.close());
  const services = caseServices(site.db, site.clock);
  const web = (input: Record<string, unknown>, key: string) =>
    createCase({ services, origin: portalOrigin, input: { ...input, channel: 'web_portal', customer: { name: 'Dana Resident', email: 'dana@example.org', preferredContact: 'email' } } as unknown as IntakeInput, idempotencyKey: key });
  const report = (await web(potholeByPhone(), 'honest-resolved')).caseRow.reference;
  const question = (await web(inquiryByPhone(), 'honest-question')).caseRow.reference;
  const row = await site.db.kysely.selectFrom('staff_user').select('id').where('email', '=', demo.roadsStaff).executeTakeFirstOrThrow();
  const roads = (await loadStaffMember(site.db.kysely, row.id))!;
  await resolveCase({ services, staff: roads, reference: report, input: { resolution: 'The pothole was filled this morning.', method: 'email' } });

  for (const [javaScript, viewport] of [[true, viewports.phone], [false, viewports.desktop]] as const) {
    const page = await (await site.context({ javaScript, viewport })).newPage();
    await page.goto(`/track/${report}`);
    const main = await page.getByRole('main').innerText();
    assert.match(main, /Resolved/);
    assert.doesNotMatch(main, /\bClosed\b|Completed/);
    if (javaScript) await expectAccessible(page, 'tracking a resolved report');
    await screenshot(page, `portal-track-resolved-${javaScript ? 'js' : 'no-js'}`);
  }

  // The portal's pages and the errors residents can reach: no "§" anywhere in them.
  // The rule's reason (written for staff with its clause) is shown to residents without it.
  const escalateText = await (await fetch(`${site.baseUrl}/track/${report}/escalate`)).text();
  assert.match(escalateText, /This request was resolved on .*not grounds for escalation\./, 'the refusal is shown, in plain words');
  const urls = ['/', '/report', '/report?type=pothole', '/ask', '/track', `/track/${report}`, `/track/${question}`, `/track/${report}/escalate`, '/contact', '/performance', '/track/SR-2026-999999', '/report/sent/SR-2026-999999', '/no-such-page'];
  for (const url of urls) {
    const body = await (await fetch(`${site.baseUrl}${url}`)).text();
    assert.doesNotMatch(body, /§|&sect;|&#167;|&#xa7;/i, `${url} cites no clause`);
  }
  assert.doesNotMatch(escalateText, /§|&sect;|&#167;|&#xa7;/i);
  // A form error from the rules of intake (a summary not confirmed) comes back without its clause.
  const sent = await fetch(`${site.baseUrl}/report/send`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'type=nosuchtype&website=' });
  assert.doesNotMatch(await sent.text(), /§|&sect;|&#167;/i);
});

/** Issue 19, honest pages: the tracking page's dates stay readable on the narrowest phones. */
test('on a 320 to 390 px phone the tracking page\'s dates are not cut off: no part of the page or its tables scrolls sideways (CSS §3.3)', async (t) => {
  const site = await startSite(engine!, '2026-03-02T10:00:00-05:00');
  t.after(() => site.close());
  const services = caseServices(site.db, site.clock);
  const input = { ...potholeByPhone(), channel: 'web_portal', customer: { name: 'Dana Resident', email: 'dana@example.org', preferredContact: 'email' } } as unknown as IntakeInput;
  const { reference } = (await createCase({ services, origin: portalOrigin, input, idempotencyKey: 'honest-phone' })).caseRow;
  for (const javaScript of [true, false]) {
    const context = await site.context({ javaScript, viewport: viewports.phone });
    const page = await context.newPage();
    for (const width of [320, 360, 390]) {
      await page.setViewportSize({ width, height: 800 });
      await page.goto(`/track/${reference}`);
      const overflow = await page.evaluate(() => {
        const wide = [document.documentElement, ...Array.from(document.querySelectorAll('main *'))].filter((e) => !e.closest('.visually-hidden') && e.getBoundingClientRect().width > 2 && e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible') // a visually hidden 1 px box is not content;
        const past = Array.from(document.querySelectorAll('body *')).filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
        return { page: document.documentElement.scrollWidth - document.documentElement.clientWidth, past, boxes: wide.map((e) => `${e.tagName.toLowerCase()}.${e.className}`) };
      });
      assert.equal(overflow.page, 0, `${width} px: the page does not scroll sideways (${overflow.past.join(', ')})`);
      assert.deepEqual(overflow.boxes, [], `${width} px: nothing inside scrolls sideways`);
      // Every date is inside the screen, whole.
      const cut = await page.locator('main td, main dd').evaluateAll((cells) => cells.filter((c) => c.getBoundingClientRect().right > document.documentElement.clientWidth + 1).map((c) => c.textContent));
      assert.deepEqual(cut, [], `${width} px: no cell runs off the screen`);
      assert.match(await page.getByRole('main').innerText(), /By Wednesday 4 March 2026, 4:30 pm/);
      if (javaScript && width === 320) await expectAccessible(page, 'tracking at 320 px');
      await screenshot(page, `portal-track-${width}px-${javaScript ? 'js' : 'no-js'}`);
    }
  }
});
