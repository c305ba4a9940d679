import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngines } from '../helpers/db.js';
import { demo, inquiryByPhone, potholeByPhone, startApi } from '../helpers/api.js';
import { expectAccessible, recordContact, screenshot, signInAs, startSite } from '../helpers/browser.js';
import { consoleAs } from '../helpers/console.js';
import { listQueue, queueNames } from '../../src/cases/case-queries.js';
import { findCases } from '../../src/cases/find-cases.js';
import { loadStaffMember } from '../../src/directory/staff.js';
import { caseServices } from '../../src/cases/case-services.js';

const engines = testEngines();
const now = '2026-03-02T10:00:00-05:00';

/** The case references a page links to, in order, once each. */
const referencesIn = (html: string): string[] => [...new Set([...html.matchAll(/href="\/staff\/cases\/((?:SR|GI)-\d{4}-\d{6,})"/g)].map((m) => m[1]!))];

/** Roads and Traffic cases with a word in common, and an inquiry. */
async function recordMix(api: Awaited<ReturnType<typeof startApi>>) {
  const rep = await api.as(demo.csRep);
  const create = async (body: Record<string, unknown>) => {
    const r = await rep.post('/api/v1/cases', body);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.case.reference as string;
  };
  const pothole = await create(potholeByPhone({ receivedAt: '2026-02-25T10:00' }));
  const sidewalk = await create(potholeByPhone({ requestType: 'sidewalk-hazard', attributes: {}, channel: 'email', summary: 'Raised slab at 20 Kent St. W.', customer: { name: 'Sam Walker', phone: '705 555 0177' } }));
  const streetlight = await create(potholeByPhone({ requestType: 'streetlight', attributes: {}, summary: 'Streetlight out on Kent St. W.', customer: { name: 'Ola Night', email: 'ola@example.org' } }));
  const inquiry = await create(inquiryByPhone());
  return { pothole, sidewalk, streetlight, inquiry };
}

test('console pages need a signed-in staff member: home, intake, queues, search and the intake confirmation send others to sign-in and back', async (t) => {
  const api = await startApi(engines[0]!, now);
  t.after(() => api.close());
  for (const url of ['/staff', '/staff/intake', '/staff/intake?kind=inquiry', '/staff/queues', '/staff/queues/division?type=pothole', '/staff/search?q=Kent', '/staff/intake/done/SR-2026-000001']) {
    const response = await api.app.inject({ method: 'GET', url });
    assert.equal(response.statusCode, 303, url);
    assert.equal(response.headers.location, `/staff/sign-in?next=${encodeURIComponent(url)}`);
  }
  for (const url of ['/staff/intake', '/staff/intake/check']) {
    const response = await api.app.inject({ method: 'POST', url, payload: 'kind=inquiry&channel=phone', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(response.statusCode, 303, url);
    assert.equal(response.headers.location, '/staff/sign-in?next=%2Fstaff');
  }
  const recorded = await api.db.kysely.selectFrom('service_case').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  assert.equal(Number(recorded.n), 0, 'nothing was recorded');
});

test("INTERPRETATION §9, CSS §3.1: a search never shows a case the person may not open (roads.staff never sees a Traffic case; Customer Service sees every division's)", async (t) => {
  const api = await startApi(engines[0]!, now);
  t.after(() => api.close());
  const { pothole, sidewalk, streetlight, inquiry } = await recordMix(api);
  const roads = await consoleAs(api, demo.roadsStaff);

  const byWord = await roads.get('/staff/search?q=Kent');
  assert.equal(byWord.status, 200);
  assert.deepEqual(referencesIn(byWord.body).sort(), [pothole, sidewalk].sort());
  assert.match(byWord.body, /Showing 1–2 of 2/);
  assert.doesNotMatch(byWord.body, /Ola Night|ola@example\.org|Streetlight out on Kent/);
  // Not by its reference, nor by asking for Traffic's division, type or queues.
  for (const url of [
    `/staff/search?q=${streetlight}`,
    '/staff/search?q=ola%40example.org',
    '/staff/search?q=Kent&division=traffic-streetlights',
    '/staff/search?type=streetlight',
    '/staff/queues/division?division=traffic-streetlights',
    '/staff/queues/acknowledge-due-today?type=streetlight',
  ]) {
    const result = await roads.get(url);
    assert.equal(result.status, 200, url);
    assert.deepEqual(referencesIn(result.body), [], url);
    assert.match(result.body, /No cases match/, url);
  }
  const queuesOfTraffic = await roads.get('/staff/queues?division=traffic-streetlights');
  assert.equal(queuesOfTraffic.status, 404);

  // Customer Service takes contacts for every division and sees them all.
  const rep = await consoleAs(api, demo.csRep);
  assert.deepEqual(referencesIn((await rep.get('/staff/search?q=Kent')).body).sort(), [pothole, sidewalk, streetlight].sort());
  assert.deepEqual(referencesIn((await rep.get(`/staff/search?q=${streetlight.toLowerCase()}`)).body), [streetlight]);
  // By customer: e-mail, phone however written, name.
  assert.deepEqual(referencesIn((await rep.get('/staff/search?q=ola%40example.org')).body), [streetlight]);
  assert.deepEqual(referencesIn((await rep.get('/staff/search?q=(705)%20555-0177')).body), [sidewalk]);
  assert.deepEqual(referencesIn((await rep.get('/staff/search?q=lee%20taxpayer')).body), [inquiry]);

  // Working Group members see reports, not cases.
  const group = await consoleAs(api, demo.workingGroup);
  assert.equal((await group.get('/staff/search?q=Kent')).status, 403);
  assert.equal((await group.get('/staff/queues')).status, 403);
});

for (const engine of engines) {
  test(`[${engine.name}] each console queue holds exactly the cases of the API's queue (listQueue), for every role that has queues`, async (t) => {
    const api = await startApi(engine, now);
    t.after(() => api.close());
    await recordMix(api);
    const roads = await api.as(demo.roadsStaff);
    const rep = await api.as(demo.csRep);
    // A transfer from Roads to Traffic, still to confirm, and an overdue promised date.
    const wrong = (await rep.post('/api/v1/cases', potholeByPhone({ summary: 'Actually a streetlight.' }))).body.case.reference;
    assert.equal((await roads.post(`/api/v1/cases/${wrong}/transfer`, { toDivision: 'traffic-streetlights', note: 'A streetlight, not a pothole.' })).status, 200);
    const services = caseServices(api.db, api.clock);
    const calendar = await services.calendars.get();
    for (const email of [demo.csRep, demo.csManager, demo.roadsStaff, demo.roadsHead, demo.trafficStaff, demo.worksDirector, demo.engineeringDirector, demo.cao, demo.admin]) {
      const id = (await api.db.kysely.selectFrom('staff_user').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
      const staff = (await loadStaffMember(api.db.kysely, id))!;
      for (const queue of queueNames) {
        const expected = (await listQueue(api.db.kysely, { staff, queue, now: api.clock.now(), calendar, limit: 200 })).items.map((i) => i.reference);
        const found = await findCases(api.db.kysely, { staff, now: api.clock.now(), calendar }, { queue });
        assert.deepEqual(
          found.items.map((i) => i.reference),
          expected,
          `${email} ${queue}`,
        );
        assert.equal(found.total, expected.length, `${email} ${queue} total`);
      }
    }
  });
}

test('a queue is filterable by type, channel, status and due date, sortable by each column (aria-sort), and paged by 50: "Showing 51–54 of 54"', async (t) => {
  const api = await startApi(engines[0]!, now);
  t.after(() => api.close());
  const rep = await api.as(demo.csRep);
  const references: string[] = [];
  for (let i = 0; i < 53; i += 1) {
    const r = await rep.post('/api/v1/cases', potholeByPhone({ summary: `Pothole number ${i + 1}`, receivedAt: `2026-02-${String(10 + (i % 18)).padStart(2, '0')}T${String(8 + (i % 9)).padStart(2, '0')}:15` }));
    assert.equal(r.status, 201, JSON.stringify(r.body));
    references.push(r.body.case.reference);
  }
  const byEmail = (await rep.post('/api/v1/cases', potholeByPhone({ requestType: 'sidewalk-hazard', attributes: {}, channel: 'email', summary: 'Sidewalk by e-mail' }))).body.case.reference;
  const resolved = (await rep.post('/api/v1/cases', inquiryByPhone({ division: 'roads-operations', resolveAtFirstContact: { answer: 'Plowing starts at 4 am.' } }))).body.case.reference;
  const roads = await consoleAs(api, demo.roadsStaff);

  const first = await roads.get('/staff/queues/division');
  assert.equal(first.status, 200);
  assert.match(first.body, /Showing 1–50 of 54/);
  assert.equal(referencesIn(first.body).length, 50);
  assert.match(first.body, /aria-sort="ascending"[^>]*><a href="\/staff\/queues\/division\?sort=due&amp;dir=desc">Next due/);
  assert.match(first.body, /href="\/staff\/queues\/division\?page=2" rel="next">Next page/);
  const second = await roads.get('/staff/queues/division?page=2');
  assert.match(second.body, /Showing 51–54 of 54/);
  assert.equal(referencesIn(second.body).length, 4);
  assert.deepEqual(new Set([...referencesIn(first.body), ...referencesIn(second.body)]).size, 54);

  // Overdue is said in words and with a badge, not by colour alone.
  assert.match(first.body, /<span class="badge badge--bad">Overdue<\/span>/);
  assert.match(first.body, /Overdue<\/span>[^]*?<span>by \d+ days?/);

  const filtered = async (query: string) => referencesIn((await roads.get(`/staff/queues/division?${query}`)).body);
  assert.deepEqual(await filtered('type=sidewalk-hazard'), [byEmail]);
  assert.deepEqual(await filtered('channel=email'), [byEmail]);
  const overdue = await filtered('due=overdue');
  const thisWeek = await filtered('due=week');
  assert.ok(thisWeek.includes(byEmail) && !overdue.includes(byEmail), 'the new sidewalk is due this week, not overdue');
  assert.equal(overdue.length + thisWeek.length, 54, 'every open case is either overdue or due within the week');
  assert.ok(overdue.includes(references[0]!));
  assert.deepEqual(referencesIn((await roads.get('/staff/search?status=resolved')).body), [resolved]);
  const unknownType = await roads.get('/staff/queues/division?type=no-such-type');
  assert.equal(unknownType.status, 400);
  assert.match(unknownType.body, /Choose a request type from the list/);

  // Sorted by receipt, newest first, the 18 Feb 16:15 pothole is ahead of the 10 Feb 08:15 one.
  const newest = await roads.get('/staff/queues/division?sort=received&dir=desc');
  assert.match(newest.body, /aria-sort="descending"/);
  assert.equal(referencesIn(newest.body)[0], byEmail);
  const oldest = referencesIn((await roads.get('/staff/queues/division?sort=received&dir=asc')).body);
  assert.equal(oldest[0], references[0]);

  // The queue list counts each queue.
  const queues = await roads.get('/staff/queues');
  assert.match(queues.body, new RegExp(`Acknowledgments overdue</a></th><td>[^<]*</td><td class="num"><strong>${overdue.length}</strong>`));
  assert.equal((await roads.get('/staff/queues/no-such-queue')).status, 404);
});

test('the queue and search pages are accessible, work with htmx filtering, and look the part (screenshot console-queue.png)', async (t) => {
  const site = await startSite(engines[0]!, now);
  t.after(() => site.close());
  for (const body of [potholeByPhone({ receivedAt: '2026-02-25T10:00' }), potholeByPhone({ requestType: 'streetlight', attributes: {}, summary: 'Streetlight out on Kent St. W.' }), inquiryByPhone({ receivedAt: '2026-02-27T09:00' })]) {
    await recordContact(site, body);
  }
  const browser = await (await site.context()).newPage();
  await signInAs(browser, demo.csRep);
  await browser.goto('/staff/queues');
  assert.equal(await browser.getByRole('heading', { level: 1 }).innerText(), 'Work queues');
  await expectAccessible(browser, 'queue list');
  await browser.getByRole('link', { name: 'Open cases', exact: true }).click();
  await browser.waitForURL('**/staff/queues/division');
  assert.match(await browser.getByRole('status').first().innerText(), /Showing 1–3 of 3/);
  await expectAccessible(browser, 'queue');
  await screenshot(browser, 'console-queue');

  // Filtering by type narrows the table in place (htmx) and keeps the address shareable.
  await browser.getByLabel('Request type').selectOption('streetlight');
  await browser.getByRole('button', { name: 'Apply filters' }).click();
  await browser.getByText('Showing 1–1 of 1').waitFor();
  assert.match(browser.url(), /\/staff\/queues\/division\?.*type=streetlight/, "the filtered list has its own address");
  assert.equal(await browser.getByRole('table').getByRole('link', { name: /^SR-/ }).count(), 1);

  // Sorting by a column header.
  await browser.getByRole('link', { name: /^Received/ }).click();
  await browser.waitForURL(/sort=received/);
  assert.equal(await browser.getByRole('columnheader', { name: /Received/ }).getAttribute('aria-sort'), 'ascending');

  await browser.goto('/staff/search');
  await expectAccessible(browser, 'empty search');
  await browser.getByLabel('Reference number, customer, address or words').fill('Kent');
  await browser.getByRole('button', { name: 'Search' }).click();
  await browser.getByText('Showing 1–2 of 2').waitFor();
  await expectAccessible(browser, 'search results');
  await screenshot(browser, 'console-search');
});
