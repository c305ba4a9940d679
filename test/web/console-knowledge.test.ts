import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngines } from '../helpers/db.js';
import { expectAccessible, recordContact, screenshot, signInAs, startSite, tabTo, viewports, type BrowserSite } from '../helpers/browser.js';
import { demo, potholeByPhone } from '../helpers/api.js';

/**
 * Issue 18 in Chromium: a response template used in an acknowledgment (with JavaScript and
 * without), an inquiry answered at first contact from a knowledge-base article (without
 * JavaScript), a merge and its undo with the keyboard alone at phone width and without JavaScript
 * at 1366 px, and the answers on the portal. Each flow is also done with the keyboard alone (Tab to
 * reach, Enter and Space to act, arrows in a list). axe on every page; screenshots at 1366 px and
 * phone width.
 */
const [engine] = testEngines();
// Monday 2 November 2026, 10:00 in Lindsay.
const now = '2026-11-02T10:00:00-05:00';
const wide = { width: 1366, height: 900 };


const caseRow = (site: BrowserSite, reference: string) => site.db.kysely.selectFrom('service_case').selectAll().where('reference', '=', reference).executeTakeFirstOrThrow();

test('issue 18 in the console: templates in the acknowledgment, an inquiry answered from an article, a merge and its undo, the portal answers', async (t) => {
  const site = await startSite(engine!, now);
  t.after(() => site.close());

  await t.test('§4.1 a pothole template fills the acknowledgment at once (JavaScript), is edited, and is what the customer gets', async () => {
    const reference = await recordContact(site, potholeByPhone());
    const page = await (await site.context({ viewport: wide })).newPage();
    await signInAs(page, demo.roadsStaff);
    await page.goto(`/staff/cases/${reference}`);
    const ack = page.locator('#action-acknowledge');
    await ack.getByLabel('Ready-made response').selectOption({ label: 'Pothole — crew inspection' });
    const nextSteps = ack.getByLabel('Next steps');
    const filled = await nextSteps.inputValue();
    assert.match(filled, /A Roads Operations crew will inspect the pothole/);
    assert.match(filled, new RegExp(`quote ${reference}\\.`), 'the reference placeholder is filled from the case');
    assert.doesNotMatch(filled, /\{[a-z_]+\}/, 'no placeholder is left');
    await nextSteps.fill(`${filled} We will put up a warning sign today.`);
    await expectAccessible(page, 'case page with a template chosen');
    await screenshot(page, 'console-template-acknowledge-1366');
    await ack.getByRole('button', { name: 'Acknowledge and send' }).click();
    await page.getByText('Acknowledged. The acknowledgment is in the timeline below.').waitFor();
    const message = await site.db.kysely.selectFrom('case_message').select('body').where('kind', '=', 'acknowledgment').executeTakeFirstOrThrow();
    assert.match(message.body, new RegExp(`What happens next: A Roads Operations crew will inspect the pothole[\\s\\S]*quote ${reference}\\. We will put up a warning sign today\\.`));
  });

  await t.test('§4.1 without JavaScript, "Use this template" refills the form keeping what was typed', async () => {
    const reference = await recordContact(site, potholeByPhone({ location: { address: '12 Peel St., Lindsay' } }));
    const page = await (await site.context({ javaScript: false, viewport: viewports.phone })).newPage();
    await signInAs(page, demo.roadsStaff);
    await page.goto(`/staff/cases/${reference}`);
    const ack = page.locator('#action-acknowledge');
    await ack.getByLabel('A personal line added to the message').fill('Thank you for calling.');
    await ack.getByLabel('Ready-made response').selectOption({ label: 'Pothole — crew inspection' });
    await ack.getByRole('button', { name: 'Use this template' }).click();
    const again = page.locator('#action-acknowledge');
    assert.match(await again.getByLabel('Next steps').inputValue(), new RegExp(`quote ${reference}\\.`));
    assert.equal(await again.getByLabel('A personal line added to the message').inputValue(), 'Thank you for calling.');
    await screenshot(page, 'console-template-acknowledge-phone');
    await again.getByRole('button', { name: 'Acknowledge and send' }).click();
    await page.getByText('Acknowledged. The acknowledgment is in the timeline below.').waitFor();
    assert.notEqual((await caseRow(site, reference)).acknowledged_at, null);
  });

  await t.test('§4.1 with the keyboard alone on a phone: a template chosen with the arrow keys, edited, and sent with Enter from a field', async () => {
    const reference = await recordContact(site, potholeByPhone({ location: { address: '40 Kent St. W., Lindsay' } }));
    const page = await (await site.context({ viewport: viewports.phone })).newPage();
    await signInAs(page, demo.roadsStaff);
    await page.goto(`/staff/cases/${reference}`);
    await tabTo(page, '#f-acknowledge-template');
    const chosen = () => page.locator('#f-acknowledge-template').evaluate((e) => (e as HTMLSelectElement).selectedOptions[0]?.textContent ?? '');
    for (let i = 0; i < 10 && (await chosen()) !== 'Pothole — crew inspection'; i += 1) await page.keyboard.press('ArrowDown');
    assert.equal(await chosen(), 'Pothole — crew inspection');
    const nextSteps = page.locator('#f-acknowledge-nextSteps');
    assert.match(await nextSteps.inputValue(), new RegExp(`quote ${reference}\\.`), 'choosing fills the next steps at once');
    await tabTo(page, '#f-acknowledge-nextSteps');
    await page.keyboard.press('End');
    await page.keyboard.type(' The crew will call before they come.');
    await expectAccessible(page, 'case page with a template, on a phone');
    await screenshot(page, 'console-template-keyboard-phone');
    // Enter in a one-line field sends the form's own action, not "Use this template" (which
    // would put the template's text back over the edit).
    await tabTo(page, '#f-acknowledge-contact');
    await page.keyboard.press('Enter');
    await page.getByText('Acknowledged. The acknowledgment is in the timeline below.').waitFor();
    const message = await site.db.kysely.selectFrom('case_message as m').innerJoin('service_case as c', 'c.id', 'm.case_id').select('m.body').where('c.reference', '=', reference).where('m.kind', '=', 'acknowledgment').executeTakeFirstOrThrow();
    assert.match(message.body, new RegExp(`quote ${reference}\\. The crew will call before they come\\.`));
  });

  await t.test('§3.3 INTERPRETATION §2 an inquiry answered at first contact from an article, without JavaScript; the record keeps the version given', async () => {
    const page = await (await site.context({ javaScript: false, viewport: wide })).newPage();
    await signInAs(page, demo.csRep);
    await page.goto('/staff/intake?kind=inquiry');
    await page.getByLabel('Telephone').check();
    await page.getByLabel(/^Name/).fill('Sam Swimmer');
    await page.getByLabel('What the customer asked').fill('When can I swim laps at the Lindsay pool?');
    await page.getByLabel('Summary to read back to the customer').fill('Asks for the lane swim times at the Lindsay pool.');
    // Word forms: "pools" and "swimming" find the article on pool hours.
    await page.getByLabel('Find an answer in the knowledge base').fill('swimming pools');
    await page.getByRole('button', { name: 'Search the answers' }).click();
    assert.match(await page.getByRole('heading', { name: /articles? found/ }).innerText(), /1 article found|\d articles found/);
    await page.getByRole('button', { name: 'Give this answer: Pool hours and public swims' }).click();
    assert.match(await page.getByLabel('Answered at first contact? The answer you gave').inputValue(), /Lane swim: Monday to Friday/);
    assert.equal(await page.getByLabel('Summary to read back to the customer').inputValue(), 'Asks for the lane swim times at the Lindsay pool.', 'what was typed is kept');
    assert.match(await page.getByText(/The answer below is from the article/).innerText(), /“Pool hours and public swims”, version 1/);
    await screenshot(page, 'console-intake-answer-from-article');
    await page.getByRole('button', { name: 'Continue to read-back' }).click();
    await page.getByLabel('Yes, the customer confirmed the summary is right').check();
    await page.getByRole('button', { name: 'Record and resolve the inquiry' }).click();
    await page.waitForURL(/\/staff\/intake\/done\//);
    const reference = /GI-\d{4}-\d+/.exec(page.url())![0];
    const row = await caseRow(site, reference);
    assert.equal(row.status, 'resolved');
    assert.equal(row.first_contact_resolution, true);
    const answers = await site.db.kysely.selectFrom('kb_answer').select(['version']).where('case_id', '=', row.id).execute();
    assert.deepEqual(answers, [{ version: 1 }]);
    await page.goto(`/staff/cases/${reference}`);
    assert.match(await page.locator('#case-page').innerText(), /Answered from the article “Pool hours and public swims”, version 1/);

    // An edit makes version 2; the case still points at the version it was given.
    const head = await (await site.context({ viewport: wide })).newPage();
    await signInAs(head, demo.admin);
    await head.goto('/staff/knowledge/pool-hours');
    await head.getByLabel('The answer').fill('The pool is closed for repairs until January.');
    await head.getByRole('button', { name: 'Save as a new version' }).click();
    await head.getByText('Saved as version 2.').waitFor();
    await expectAccessible(head, 'article page');
    await head.goto(`/staff/cases/${reference}`);
    await head.getByRole('link', { name: '“Pool hours and public swims”, version 1' }).click();
    assert.match(await head.locator('main').innerText(), /Lane swim: Monday to Friday[\s\S]*This is version 1|This is version 1[\s\S]*Lane swim/);
  });

  await t.test('INTERPRETATION §2 with the keyboard alone on a phone: search the answers with Enter, give one, record and resolve the inquiry', async () => {
    const page = await (await site.context({ viewport: viewports.phone })).newPage();
    await signInAs(page, demo.csRep);
    await page.goto('/staff/intake?kind=inquiry');
    await tabTo(page, 'input[name="channel"]');
    await page.keyboard.press('Space');
    await tabTo(page, '#f-description');
    await page.keyboard.type('Is the tax bill due soon?');
    await tabTo(page, '#f-summary');
    await page.keyboard.type('Asks when the property tax is due.');
    await tabTo(page, '#f-answerSearch');
    await page.keyboard.type('taxes due');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: /articles? found/ }).waitFor();
    await expectAccessible(page, 'intake with the answers found, on a phone');
    await screenshot(page, 'console-intake-answers-found-phone');
    await tabTo(page, 'button[name="useArticle"][value^="property-tax"]');
    await page.keyboard.press('Enter');
    await page.getByText(/The answer below is from the article “Property tax due dates and how to pay”/).waitFor();
    assert.match(await page.locator('#f-answer').inputValue(), /last business day of February/);
    assert.equal(await page.locator('#f-summary').inputValue(), 'Asks when the property tax is due.', 'what was typed is kept');
    await expectAccessible(page, 'intake with an article given, on a phone');
    await screenshot(page, 'console-intake-answer-from-article-phone');
    // Enter in a one-line field other than the search continues to the read-back, as the form's
    // own button does: it does not search the answers again.
    await tabTo(page, 'input[name="customer[phone]"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/staff\/intake\/check$/);
    await tabTo(page, '#f-summaryConfirmed');
    await page.keyboard.press('Space');
    await tabTo(page, '.intake-confirm button[type="submit"]:not([formaction])');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/staff\/intake\/done\/GI-\d{4}-\d+$/);
    const row = await caseRow(site, /GI-\d{4}-\d+/.exec(page.url())![0]);
    assert.equal(row.status, 'resolved');
    assert.equal(row.first_contact_resolution, true);
  });

  await t.test('issue 18 a merge and its undo with the keyboard alone at phone width; the parent lists its duplicate', async () => {
    const parent = await recordContact(site, potholeByPhone({ location: { address: '9 Victoria Ave., Lindsay' } }));
    const duplicate = await recordContact(site, potholeByPhone({ location: { address: '9 Victoria Ave., Lindsay' }, customer: { name: 'Robin Neighbour', email: 'robin@example.org', preferredContact: 'email' } }));
    const page = await (await site.context({ viewport: viewports.phone })).newPage();
    await signInAs(page, demo.roadsStaff);
    await page.goto(`/staff/cases/${duplicate}`);
    const card = page.locator('#action-duplicate');
    await tabTo(page, '#action-duplicate > summary');
    await page.keyboard.press('Enter');
    assert.match(await card.innerText(), new RegExp(`Open requests of the same type at the same place:[\\s\\S]*${parent}`));
    const field = card.getByLabel('Reference of the request it duplicates');
    assert.equal(await field.inputValue(), parent, 'the one likely parent is offered');
    await tabTo(page, '#f-duplicate-reason');
    await page.keyboard.type('Same pothole, reported twice.');
    await tabTo(page, '#action-duplicate button[type="submit"]');
    await page.keyboard.press('Enter');
    await page.getByText(/Marked as a duplicate: it is closed/).waitFor();
    assert.match(await page.getByRole('region', { name: 'Duplicate' }).innerText(), new RegExp(`Closed as a duplicate of ${parent}\\. It counts once`));
    await expectAccessible(page, 'a duplicate');
    await screenshot(page, 'console-duplicate-phone');

    await page.goto(`/staff/cases/${parent}`);
    assert.match(await page.getByRole('region', { name: 'Duplicates of this request' }).innerText(), new RegExp(duplicate));
    await screenshot(page, 'console-duplicate-parent-phone');

    await page.goto(`/staff/cases/${duplicate}`);
    await tabTo(page, '#f-duplicate-undo-reason');
    await page.keyboard.type('A second pothole, across the road.');
    await tabTo(page, '#action-duplicate-undo button[type="submit"]');
    await page.keyboard.press('Enter');
    await page.getByText(/No longer a duplicate: it is open again/).waitFor();
    assert.equal((await caseRow(site, duplicate)).status, 'open');
    assert.match(await page.locator('#case-page').innerText(), new RegExp(`No longer a duplicate of ${parent}: open again on its own`));
  });

  await t.test('issue 18 a merge and its undo without JavaScript at 1366 px: plain form posts, the parent lists its duplicate', async () => {
    const parent = await recordContact(site, potholeByPhone({ location: { address: '3 William St. N., Lindsay' } }));
    const duplicate = await recordContact(site, potholeByPhone({ location: { address: '3 William St. N., Lindsay' }, customer: { name: 'Lee Second', phone: '705-555-0144' } }));
    const page = await (await site.context({ javaScript: false, viewport: wide })).newPage();
    await signInAs(page, demo.roadsStaff);
    await page.goto(`/staff/cases/${duplicate}`);
    const card = page.locator('#action-duplicate');
    await card.locator('summary').click();
    // A wrong reference is refused beside its field, and nothing closes.
    await card.getByLabel('Reference of the request it duplicates').fill('SR-2026-999999');
    await card.getByRole('button', { name: 'Mark as a duplicate' }).click();
    await page.locator('#error-summary').waitFor();
    assert.equal((await caseRow(site, duplicate)).status, 'open');
    await page.locator('#action-duplicate').getByLabel('Reference of the request it duplicates').fill(parent);
    await page.locator('#action-duplicate').getByLabel('Why it is the same problem').fill('Same pothole at the same address.');
    await page.locator('#action-duplicate').getByRole('button', { name: 'Mark as a duplicate' }).click();
    await page.getByText(/Marked as a duplicate: it is closed/).waitFor();
    assert.match(await page.getByRole('region', { name: 'Duplicate' }).innerText(), new RegExp(`Closed as a duplicate of ${parent}`));
    await screenshot(page, 'console-duplicate-1366');
    await page.goto(`/staff/cases/${parent}`);
    assert.match(await page.getByRole('region', { name: 'Duplicates of this request' }).innerText(), new RegExp(duplicate));
    await screenshot(page, 'console-duplicate-parent-1366');
    await page.goto(`/staff/cases/${duplicate}`);
    await page.locator('#action-duplicate-undo').getByLabel('Why it is not a duplicate').fill('Another pothole, on the other side.');
    await page.locator('#action-duplicate-undo').getByRole('button', { name: 'Open it again on its own' }).click();
    await page.getByText(/No longer a duplicate: it is open again/).waitFor();
    assert.equal((await caseRow(site, duplicate)).status, 'open');
    // The same pages with JavaScript, for axe.
    const checked = await (await site.context({ viewport: wide })).newPage();
    await signInAs(checked, demo.roadsStaff);
    await checked.goto(`/staff/cases/${parent}`);
    await expectAccessible(checked, 'a parent with a former duplicate');
  });

  await t.test('issue 18 residents read the answers on the portal before asking; templates are for heads', async () => {
    const page = await (await site.context({ viewport: viewports.phone })).newPage();
    await page.goto('/answers');
    await page.getByRole('link', { name: 'Garbage day, bag limits and bag tags' }).waitFor();
    await page.getByLabel('Search the answers').fill('taxes due');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: 'Property tax due dates and how to pay' }).click();
    assert.match(await page.locator('main').innerText(), /last business day of February/);
    await expectAccessible(page, 'portal answer');
    await screenshot(page, 'portal-answer-phone');

    const desk = await (await site.context({ viewport: wide })).newPage();
    await signInAs(desk, demo.roadsHead);
    await desk.goto('/staff/templates');
    assert.match(await desk.locator('main').innerText(), /Pothole — crew inspection/);
    assert.doesNotMatch(await desk.locator('main').innerText(), /Missed collection/, 'a head sees their own division’s templates');
    await expectAccessible(desk, 'templates page');
    await screenshot(desk, 'console-templates-1366');
    const rep = await (await site.context({ viewport: wide })).newPage();
    await signInAs(rep, demo.csRep);
    const refused = await rep.goto('/staff/templates');
    assert.equal(refused?.status(), 403);
  });
});
