import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngines } from '../helpers/db.js';
import { apiAs, demo, potholeByPhone, startApi, type Client, type TestApi } from '../helpers/api.js';
import { consoleAs, pageText } from '../helpers/console.js';
import { expectAccessible, pastTheEdge, screenshot, signInAs, startSite, tabTo } from '../helpers/browser.js';

/**
 * Working the Standard as written (issue 18, point 4): a receiving division declines a transfer,
 * an update without a new date, reclassifying to another division's type, the city-wide overdue
 * queue. Through the API and the console's forms, and in Chromium.
 */

const engines = testEngines();
// Monday 2 March 2026, 10:00 in Lindsay.
const now = '2026-03-02T10:00:00-05:00';
const desktop = { width: 1366, height: 900 };
const phone = { width: 390, height: 844 };

async function pothole(client: Client, overrides: Record<string, unknown> = {}): Promise<string> {
  const created = await client.post('/api/v1/cases', potholeByPhone(overrides));
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.case.reference as string;
}

async function caseOf(api: TestApi, reference: string) {
  return api.db.kysely.selectFrom('service_case').selectAll().where('reference', '=', reference).executeTakeFirstOrThrow();
}

for (const engine of engines) {
  test(`CSS §3.1: the receiving division declines a transfer with a reason; it goes back to the sender, who keeps ownership (${engine.name})`, async (t) => {
    const api = await startApi(engine, now);
    t.after(() => api.close());
    const rep = await api.as(demo.csRep);
    const roads = await api.as(demo.roadsStaff);
    const traffic = await api.as(demo.trafficStaff);
    const reference = await pothole(rep);
    const roadsStaff = await api.db.kysely.selectFrom('staff_user').select('id').where('email', '=', demo.roadsStaff).executeTakeFirstOrThrow();
    assert.equal((await roads.post(`/api/v1/cases/${reference}/assign`, { ownerId: roadsStaff.id })).status, 200);
    assert.equal((await roads.post(`/api/v1/cases/${reference}/transfer`, { toDivision: 'traffic-streetlights', note: 'Looks like a signal base.' })).status, 200);

    // Only the receiving division answers a transfer, and a decline says why.
    const bySender = await roads.post(`/api/v1/cases/${reference}/transfer/decline`, { reason: 'Not ours.' });
    assert.equal(bySender.status, 403);
    assert.match(bySender.body.error.message, /Only staff of Traffic and Streetlights, the division .* is being transferred to, can decline it/);
    const noReason = await traffic.post(`/api/v1/cases/${reference}/transfer/decline`, { reason: '  ' });
    assert.equal(noReason.status, 400);
    assert.match(noReason.body.error.message, /Say why .* is not for Traffic and Streetlights/);

    const declined = await traffic.post(`/api/v1/cases/${reference}/transfer/decline`, { reason: 'It is a pothole beside the signal, not the signal: Roads fills potholes.' });
    assert.equal(declined.status, 200, JSON.stringify(declined.body));
    assert.equal(declined.body.case.division.name, 'Roads Operations');
    assert.equal(declined.body.case.transfer, null);
    assert.equal((await caseOf(api, reference)).owner_id, roadsStaff.id, 'the sender keeps the owner it had');
    assert.equal((await traffic.get(`/api/v1/cases/${reference}`)).status, 404, 'the declining division no longer sees it');
    const shown = await roads.get(`/api/v1/cases/${reference}`);
    const event = shown.body.timeline.find((e: { type?: string }) => e.type === 'transfer_declined');
    assert.equal(event.data.reason, 'It is a pothole beside the signal, not the signal: Roads fills potholes.');
    assert.equal(shown.body.timeline.filter((e: { entry: string; kind?: string }) => e.entry === 'message' && e.kind === 'transfer').length, 0, 'the customer is not told of a move that did not happen');
    // The sender can act on it again at once.
    assert.equal((await roads.post(`/api/v1/cases/${reference}/acknowledge`, { nextSteps: 'A crew will fill it.', contact: 'Roads Operations, 705-324-9411' })).status, 200);
    // Traffic no longer sees it, so it cannot answer it again.
    assert.equal((await traffic.post(`/api/v1/cases/${reference}/transfer/decline`, { reason: 'again' })).status, 404);
  });
}

test('CSS §3.3: a progress note tells the customer where things stand without a new date; once the date they hold has passed, a revised timeline is required', async (t) => {
  const api = await startApi(engines[0]!, now);
  t.after(() => api.close());
  const rep = await api.as(demo.csRep);
  const roads = await api.as(demo.roadsStaff);
  const reference = await pothole(rep);
  assert.equal((await roads.post(`/api/v1/cases/${reference}/acknowledge`, { nextSteps: 'A crew will fill it.', contact: 'Roads Operations' })).status, 200);
  const before = await caseOf(api, reference);

  const form = await consoleAs(api, demo.roadsStaff);
  const page = await form.get(`/staff/cases/${reference}`);
  assert.match(pageText(page.body), /Send a progress note \(no new date\)/);
  const sent = await form.post(`/staff/cases/${reference}/progress`, { 'progress.status': 'The crew is booked for this week.', 'progress.method': 'email' });
  assert.equal(sent.status, 303, sent.body.slice(0, 300));
  const after = await caseOf(api, reference);
  assert.equal(new Date(after.resolve_by!).getTime(), new Date(before.resolve_by!).getTime(), 'the date is unchanged');
  assert.equal(after.committed_by, null);
  const shown = pageText((await form.get(String(sent.headers['location']))).body);
  assert.match(shown, /Progress note sent \(no new date\) Status: The crew is booked for this week\./);
  const message = await api.db.kysely.selectFrom('case_message').select(['subject', 'body']).where('kind', '=', 'update').executeTakeFirstOrThrow();
  assert.match(message.body, /Where things stand: The crew is booked for this week\./);
  assert.match(message.body, /We still expect to finish by \w+day \d+ \w+ 2026, as we told you\./);

  // After the resolution target, a note alone would let an old date stand: refused, with what to do.
  api.clock.set(new Date(new Date(after.resolve_by!).getTime() + 86_400_000));
  const late = await roads.post(`/api/v1/cases/${reference}/updates`, { status: 'Still booked.' });
  assert.equal(late.status, 422);
  assert.match(late.body.error.message, /has passed: give a revised timeline with the reason \(CSS §3\.3\)/);
});

test('reclassifying to a request type of another division transfers the case with it (CSS §3.1); the receiving division confirms or declines', async (t) => {
  const api = await startApi(engines[0]!, now);
  t.after(() => api.close());
  const rep = await api.as(demo.csRep);
  const reference = await pothole(rep);
  const roads = await consoleAs(api, demo.roadsStaff);
  const page = await roads.get(`/staff/cases/${reference}`);
  assert.match(page.body, /<option value="streetlight"[^>]*>Streetlight out \(Traffic and Streetlights\)<\/option>/, 'every request type is offered, with its division');
  const moved = await roads.post(`/staff/cases/${reference}/reclassify`, { 'reclassify.requestType': 'streetlight', 'reclassify.reason': 'It is the light, not the road.' });
  assert.equal(moved.status, 303, pageText(moved.body).slice(0, 400));
  const row = await caseOf(api, reference);
  const streetlight = await api.db.kysely.selectFrom('request_type').select('id').where('code', '=', 'streetlight').executeTakeFirstOrThrow();
  const traffic = await api.db.kysely.selectFrom('division').select('id').where('code', '=', 'traffic-streetlights').executeTakeFirstOrThrow();
  assert.equal(row.request_type_id, streetlight.id);
  assert.equal(row.transfer_to_division_id, traffic.id, 'the case is on its way to Traffic and Streetlights');
  const shown = pageText((await roads.get(String(moved.headers['location']))).body);
  assert.match(shown, /Transfer from Roads Operations to Traffic and Streetlights requested Note for Traffic and Streetlights: Reclassified as Streetlight out, which Traffic and Streetlights handles: It is the light, not the road\./);
});

test("the Manager of Customer Service has a city-wide overdue queue: every division's open cases past a deadline, whichever it is", async (t) => {
  const api = await startApi(engines[0]!, now);
  t.after(() => api.close());
  const rep = await api.as(demo.csRep);
  // Received Wednesday: its acknowledgment target (Friday 16:30) has passed.
  const roadsLate = await pothole(rep, { receivedAt: '2026-02-25T10:00' });
  const trafficLate = await pothole(rep, { requestType: 'streetlight', attributes: {}, receivedAt: '2026-02-25T11:00', summary: 'Streetlight out on Kent St.' });
  const onTime = await pothole(rep);
  const manager = await consoleAs(api, demo.csManager);
  const queue = await manager.get('/staff/queues/overdue');
  assert.equal(queue.status, 200);
  const text = pageText(queue.body);
  assert.match(text, /Overdue now/);
  assert.ok(text.includes(roadsLate) && text.includes(trafficLate), 'both divisions’ overdue cases');
  assert.ok(!text.includes(onTime), 'a case within its targets is not overdue');
  const home = pageText((await manager.get('/staff')).body);
  assert.match(home, /Overdue now across divisions 2 /);
  assert.match(home, /Roads Operations 1 0 Traffic and Streetlights 1 0/, 'counted though first missed on Friday, not today');
  // Division staff see only their own division's in the same queue.
  const roads = pageText((await (await consoleAs(api, demo.roadsStaff)).get('/staff/queues/overdue')).body);
  assert.ok(roads.includes(roadsLate) && !roads.includes(trafficLate));
});

test('in Chromium: Traffic declines a transfer at 1366 px and on a phone, without JavaScript and with the keyboard alone, and Roads sees it back with the reason (CSS §3.1); a progress note the same ways (§3.3); axe finds nothing', async (t) => {
  const site = await startSite(engines[0]!, now);
  t.after(() => site.close());
  const roads = await apiAs(site, demo.roadsStaff);
  const refs: string[] = [];
  for (const summary of ['Pothole by the signal on Kent St.', 'Second pothole by the signal on Kent St.', 'Third pothole by the signal on Kent St.']) {
    const created = await roads.post('/api/v1/cases', potholeByPhone({ summary }));
    const reference = created.body.case.reference as string;
    assert.equal((await roads.post(`/api/v1/cases/${reference}/transfer`, { toDivision: 'traffic-streetlights', note: 'Looks like a signal base.' })).status, 200);
    refs.push(reference);
  }

  for (const [i, options] of [{ viewport: desktop, javaScript: true }, { viewport: phone, javaScript: false }].entries()) {
    const reference = refs[i]!;
    const context = await site.context(options);
    const page = await context.newPage();
    await signInAs(page, demo.trafficStaff);
    await page.goto(`/staff/cases/${reference}`);
    const decline = page.locator('#action-transfer-decline');
    await decline.locator('summary').click();
    await decline.getByRole('button', { name: 'Decline and send it back' }).click();
    await page.locator('#error-summary').waitFor();
    assert.match(await page.locator('#error-summary').innerText(), /Say why/);
    await page.getByLabel('Why it is not for your division').fill('A pothole beside the signal: Roads fills potholes.');
    // Keyboard alone: the button is reached and pressed without a mouse.
    await page.getByRole('button', { name: 'Decline and send it back' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/staff\/queues\/transfers-in\?declined=/);
    assert.match(await page.locator('#queue-status').innerText(), new RegExp(`Transfer of ${reference} declined: the case went back to the division that sent it`));
    if (options.javaScript) await expectAccessible(page, 'declined transfer');
    await screenshot(page, `transfer-declined-${options.viewport.width}`);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= options.viewport.width, `no sideways scrolling at ${options.viewport.width} px (${width})`);
  }

  // The keyboard alone on a phone: Tab to the card, Enter opens it, type the reason, Enter sends.
  const keys = await (await site.context({ viewport: phone })).newPage();
  await signInAs(keys, demo.trafficStaff);
  await keys.goto(`/staff/cases/${refs[2]}`);
  await tabTo(keys, '#action-transfer-decline > summary');
  await keys.keyboard.press('Enter');
  await tabTo(keys, '#f-transfer-decline-reason');
  await keys.keyboard.type('A pothole beside the signal base: Roads fills potholes.');
  await tabTo(keys, '#action-transfer-decline button[type="submit"]');
  await keys.keyboard.press('Enter');
  await keys.waitForURL(/\/staff\/queues\/transfers-in\?declined=/);
  assert.match(await keys.locator('#queue-status').innerText(), new RegExp(`Transfer of ${refs[2]} declined`));

  const sender = await (await site.context({ viewport: desktop })).newPage();
  await signInAs(sender, demo.roadsStaff);
  await sender.goto(`/staff/cases/${refs[0]}`);
  assert.match(await sender.locator('#case-page').innerText(), /Transfer declined by Traffic and Streetlights: it stays with Roads Operations\s+Reason: A pothole beside the signal: Roads fills potholes\./);
  await expectAccessible(sender, 'case back with the sender');
  await screenshot(sender, 'transfer-declined-back-with-sender-1366');

  // §3.3 a progress note, the case acknowledged first: with the keyboard alone at 1366 px…
  for (const reference of refs) assert.equal((await roads.post(`/api/v1/cases/${reference}/acknowledge`, { nextSteps: 'A crew will fill it.', contact: 'Roads Operations' })).status, 200);
  await sender.goto(`/staff/cases/${refs[0]}`);
  await tabTo(sender, '#action-progress > summary');
  await sender.keyboard.press('Enter');
  await tabTo(sender, '#f-progress-status');
  await sender.keyboard.type('The crew is booked for Thursday.');
  await tabTo(sender, '#action-progress button[type="submit"]');
  await sender.keyboard.press('Enter');
  await sender.getByText('Progress note sent. The date the customer holds still stands.').waitFor();
  assert.match(await sender.locator('#case-page').innerText(), /Progress note sent \(no new date\)[\s\S]*The crew is booked for Thursday\./);
  await expectAccessible(sender, 'case page after a progress note');
  await screenshot(sender, 'progress-note-1366');
  // …and without JavaScript on a phone, by plain form posts: an empty note is refused beside its field.
  const plain = await (await site.context({ viewport: phone, javaScript: false })).newPage();
  await signInAs(plain, demo.roadsStaff);
  await plain.goto(`/staff/cases/${refs[1]}`);
  const progress = plain.locator('#action-progress');
  await progress.locator('summary').click();
  assert.match(await progress.innerText(), /Tells the customer where things stand; the date they hold, \w+day \d+ \w+ 2026, still stands\./);
  await progress.getByRole('button', { name: 'Send the progress note' }).click();
  await plain.locator('#error-summary').waitFor();
  await plain.locator('#action-progress').getByLabel('Where things stand').fill('Booked for Thursday, weather permitting.');
  await plain.locator('#action-progress').getByRole('button', { name: 'Send the progress note' }).click();
  await plain.getByText('Progress note sent. The date the customer holds still stands.').waitFor();
  assert.deepEqual(await pastTheEdge(plain), [], 'nothing scrolls sideways on the phone');
  await screenshot(plain, 'progress-note-phone');
  const notes = await site.db.kysely.selectFrom('case_message').select('body').where('kind', '=', 'update').execute();
  assert.equal(notes.length, 2);
  assert.ok(notes.every((n) => /We still expect to finish by \w+day \d+ \w+ 2026, as we told you\./.test(n.body)), 'each note keeps the date the customer holds');
});

for (const engine of engines) {
  test(`search understands word forms and ranks by relevance, and finds references, addresses and names (full-text search, ${engine.name})`, async (t) => {
    const api = await startApi(engine, now);
    t.after(() => api.close());
    const rep = await api.as(demo.csRep);
    const potholes = await pothole(rep, { summary: 'Two potholes on Kent St. W. near Victoria Ave.' });
    const mentioned = await pothole(rep, {
      requestType: 'sidewalk-hazard',
      attributes: {},
      summary: 'Raised slab at 20 Kent St. W.',
      description: 'The slab was lifted when the pothole crew worked next to it.',
      location: { address: '20 Kent St. W., Lindsay' },
      customer: { name: 'Sam Walker', phone: '705 555 0177' },
    });
    const light = await pothole(rep, { requestType: 'streetlight', attributes: {}, summary: 'Streetlights flickering on Lindsay St.', description: 'Every night.', location: { address: '5 Lindsay St. S.' }, customer: { name: 'Ola Night', email: 'ola@example.org' } });
    const flood = await pothole(rep, { requestType: 'sidewalk-hazard', attributes: {}, summary: 'Basement flooded after the storm drain backed up.', description: 'Water came in overnight.', location: { address: '12 Russell St.' }, customer: { name: 'Kim Lee' } });
    const cs = await consoleAs(api, demo.csRep);
    const found = async (q: string) => [...new Set([...(await cs.get(`/staff/search?q=${encodeURIComponent(q)}`)).body.matchAll(/href="\/staff\/cases\/((?:SR|GI)-\d{4}-\d{6,})"/g)].map((m) => m[1]!))];
    const table: [query: string, expected: string[], why: string][] = [
      ['pothole', [potholes, mentioned], 'the singular finds the plural, and the summary ranks above the description'],
      ['potholes', [potholes, mentioned], 'the plural finds the singular'],
      ['streetlight', [light], 'word forms: streetlights'],
      ['flooding', [flood], 'flooding finds flooded'],
      [light, [light], 'a reference number'],
      ['20 Kent St', [mentioned], 'an address: the best match first (first)'],
      ['Walker', [mentioned], 'a customer name'],
      ['Sam Walk', [mentioned], 'the beginning of a name, as typed'],
      ['ola@example.org', [light], 'an e-mail address'],
      ['705 555 0177', [mentioned], 'a phone number however written'],
      ['pothole Walker', [mentioned], 'every word must be found'],
    ];
    for (const [query, expected, why] of table) {
      const got = await found(query);
      assert.deepEqual(why.endsWith('(first)') ? got.slice(0, expected.length) : got, expected, `"${query}": ${why}`);
    }
  });
}

test('an acknowledgment of an overdue case never presents its passed resolution date as a promise: it says overdue and that a new date follows', async (t) => {
  const api = await startApi(engines[0]!, now);
  t.after(() => api.close());
  const rep = await api.as(demo.csRep);
  // Back-dated a month: the pothole's resolution target has passed.
  const reference = await pothole(rep, { receivedAt: '2026-01-20T10:00' });
  const roads = await api.as(demo.roadsStaff);
  assert.equal((await roads.post(`/api/v1/cases/${reference}/acknowledge`, { nextSteps: 'A crew will fill it.', contact: 'Roads Operations' })).status, 200);
  const message = await api.db.kysely.selectFrom('case_message').select('body').where('kind', '=', 'acknowledgment').executeTakeFirstOrThrow();
  assert.doesNotMatch(message.body, /We aim to resolve it by/);
  assert.match(message.body, /It is overdue: we aimed to resolve it by \w+day \d+ \w+ 2026, and we are sorry/);
});
