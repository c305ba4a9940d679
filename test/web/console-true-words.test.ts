import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testEngines } from '../helpers/db.js';
import { demo, potholeByPhone, startApi, type TestApi } from '../helpers/api.js';
import { consoleAs, pageText } from '../helpers/console.js';

/**
 * Issue #18 point 6: the console says only what is true. The intake marks "(optional)" only on
 * fields staff may leave empty; a field the Standard or the request type needs is never so marked.
 */
const [engine] = testEngines();
// Monday 2 March 2026, 10:00 in Lindsay.
const MONDAY_10AM = '2026-03-02T15:00:00Z';
let api: TestApi;
before(async () => {
  api = await startApi(engine!, MONDAY_10AM);
});
after(() => api.close());

/** The label words of each field the page marks "(optional)". */
const markedOptional = (html: string): string[] =>
  [...html.matchAll(/<(label|legend)[^>]*>([\s\S]*?)<\/\1>/g)].map((m) => pageText(m[2]!).trim()).filter((l) => l.endsWith('(optional)'));

test('intake: "(optional)" only on fields that may be left empty; the request type, a pothole\'s address and the Service Centre of an in-person contact are not so marked (CSS §3.1, §3.3)', async () => {
  const staff = await consoleAs(api, demo.csRep);
  const start = await staff.get('/staff/intake');
  assert.equal(start.status, 200);
  assert.deepEqual(markedOptional(start.body), [], 'the request type is needed for a service request');
  assert.match(pageText(start.body), /Request type Needed for a service request/);

  const details = await staff.get('/staff/intake?kind=service_request&type=pothole');
  assert.equal(details.status, 200);
  const optional = markedOptional(details.body);
  // What staff may leave empty: when it came in (now), the road class ("Not sure"), the point, the customer's contact.
  assert.deepEqual(optional, [
    'Received at (optional)',
    'What kind of road is it? (optional)',
    'Latitude (optional)',
    'Longitude (optional)',
    'Name (optional)',
    'E-mail address (optional)',
    'Phone number (optional)',
    'How they would like to hear back (optional)',
  ]);
  assert.ok(!optional.some((l) => /Address or place|Service Centre|Summary|What the customer reported/.test(l)), optional.join('; '));
  assert.match(pageText(details.body), /Service Centre Needed for an in-person contact/);

  // And it is true: an in-person contact without its Service Centre is refused, saying what to fill.
  const refused = await staff.post('/staff/intake/check', {
    kind: 'service_request', requestType: 'pothole', channel: 'in_person', description: 'Pothole.', summary: 'Pothole on Kent St. W.', 'location[address]': '50 Kent St. W., Lindsay',
  });
  assert.match(pageText(refused.body), /An in-person contact needs the Service Centre where it was made/);
});

test('a resolution target in calendar days reads as a date to tell the customer, not the hour of the receipt ("3:22 am"); one in business days keeps its time (CSS §4, INTERPRETATION §1)', async () => {
  const rep = await api.as(demo.csRep);
  // A voicemail left at 3:22 this morning: a class 3 road has 7 calendar days, so Monday 9 March.
  const recorded = await rep.post('/api/v1/cases', potholeByPhone({ receivedAt: '2026-03-02T03:22' }));
  assert.equal(recorded.status, 201, JSON.stringify(recorded.body));
  const staff = await consoleAs(api, demo.csRep);
  const done = pageText((await staff.get(`/staff/intake/done/${recorded.body.case.reference}`)).body);
  assert.match(done, /The target to resolve it is Monday 9 March 2026 \./);
  assert.match(done, /Received Monday 2 March 2026, 3:22 am/, 'the receipt keeps its time');
  // The acknowledgment target is in business days: a day and its closing time.
  assert.match(done, /acknowledge it by Wednesday 4 March 2026, 4:30 pm/);
  // The case's timeline and the portal's tracking page say it the same way.
  const timeline = pageText((await staff.get(`/staff/cases/${recorded.body.case.reference}`)).body);
  assert.match(timeline, /Acknowledge by Wednesday 4 March 2026, 4:30 pm; resolve by Monday 9 March 2026\./);
  const track = pageText((await api.app.inject({ method: 'GET', url: `/track/${recorded.body.case.reference}` })).body);
  assert.match(track, /Resolution Not yet due By Monday 9 March 2026\./);
});

test('an overdue target says "Overdue by 10 days 17 hours" once, on the case page and in the queue, not "Overdue overdue by" (CSS §4.1)', async () => {
  const rep = await api.as(demo.csRep);
  // Received two weeks ago, never acknowledged: due Thursday 19 February at 4:30 pm.
  const recorded = await rep.post('/api/v1/cases', potholeByPhone({ receivedAt: '2026-02-16T10:00', summary: 'Pothole at 9 Kent St. W.' }));
  assert.equal(recorded.status, 201, JSON.stringify(recorded.body));
  const staff = await consoleAs(api, demo.csRep);
  const page = pageText((await staff.get(`/staff/cases/${recorded.body.case.reference}`)).body);
  assert.match(page, /Acknowledgment Thursday 19 February 2026, 4:30 pm Overdue by 10 days 17 hours/);
  // Its resolution target, 7 calendar days, is a day.
  assert.match(page, /Resolution Monday 23 February 2026 Overdue by/);
  const queue = pageText((await (await consoleAs(api, demo.roadsStaff)).get('/staff/queues/overdue')).body);
  assert.match(queue, new RegExp(`${recorded.body.case.reference}[^]*?Overdue by \\d+ days`));
  for (const text of [page, queue]) assert.doesNotMatch(text, /overdue,? overdue/i);
});

test('"Not sure" where the customer said not sure: the intake read-back and the case page give the question and "Not sure", never the bare key or a blank (issue 18 point 6)', async () => {
  const staff = await consoleAs(api, demo.csRep);
  const readBack = await staff.post('/staff/intake/check', {
    kind: 'service_request', requestType: 'pothole', channel: 'phone', 'attribute[road_class]': 'unknown', description: 'Pothole.', summary: 'Pothole at 70 Kent St. W.', 'location[address]': '70 Kent St. W., Lindsay',
  });
  assert.equal(readBack.status, 200, pageText(readBack.body).slice(0, 400));
  assert.match(pageText(readBack.body), /What kind of road is it\? Not sure/);

  const rep = await api.as(demo.csRep);
  const recorded = await rep.post('/api/v1/cases', potholeByPhone({ attributes: { road_class: 'unknown' }, summary: 'Pothole at 70 Kent St. W.' }));
  assert.equal(recorded.status, 201, JSON.stringify(recorded.body));
  const page = pageText((await staff.get(`/staff/cases/${recorded.body.case.reference}`)).body);
  assert.match(page, /What kind of road is it\? Not sure/);
  assert.doesNotMatch(page, /Road class|\bunknown\b/i);
  // A known answer reads as its words too, not its key.
  const classed = await rep.post('/api/v1/cases', potholeByPhone({ summary: 'Pothole at 72 Kent St. W.' }));
  assert.match(pageText((await staff.get(`/staff/cases/${classed.body.case.reference}`)).body), /What kind of road is it\? Class 3: a collector road between neighbourhoods/);
});

/** Every date and date-and-time field of a page with the words of its hint. */
const dateFields = (html: string): { type: string; name: string; hint: string }[] =>
  [...html.matchAll(/<input\b[^>]*\btype="(date|datetime-local)"[^>]*>/g)].map((m) => {
    const tag = m[0];
    const name = /\bname="([^"]*)"/.exec(tag)?.[1] ?? '';
    const ids = (/\baria-describedby="([^"]*)"/.exec(tag)?.[1] ?? '').split(' ').filter((id) => id.endsWith('-hint'));
    const hint = ids.map((id) => pageText(new RegExp(`<span[^>]*id="${id}"[^>]*>([\\s\\S]*?)</span>`).exec(html)?.[1] ?? '')).join(' ').trim();
    return { type: m[1]!, name, hint };
  });

test('the date fields and their hints agree: every date field gives an example day in words and no pattern the field may not show (a date field shows the browser\'s order and sends YYYY-MM-DD) (issue 18 point 6)', async () => {
  const rep = await api.as(demo.csRep);
  const recorded = await rep.post('/api/v1/cases', potholeByPhone({ summary: 'Pothole at 80 Kent St. W.' }));
  const pages: [string, string][] = [
    [demo.csRep, '/staff/intake?kind=service_request&type=pothole'],
    [demo.roadsStaff, `/staff/cases/${recorded.body.case.reference}`],
    [demo.csManager, '/staff/performance'],
    [demo.admin, '/staff/admin/closures'],
    [demo.admin, '/staff/admin/targets/pothole'],
    [demo.workingGroup, '/staff/proposals/new'],
  ];
  let seen = 0;
  for (const [who, url] of pages) {
    const page = await (await consoleAs(api, who)).get(url);
    assert.equal(page.status, 200, `${url}: ${pageText(page.body).slice(0, 300)}`);
    const fields = dateFields(page.body);
    assert.ok(fields.length > 0, `${url} has date fields`);
    for (const f of fields) {
      seen += 1;
      const example = f.type === 'date' ? /For example \w+day \d{1,2} \w+ \d{4}:/ : /For example \w+day \d{1,2} \w+ \d{4}, \d{1,2}:\d\d [ap]m:/;
      assert.match(f.hint, example, `${url} ${f.name}: "${f.hint}"`);
      assert.match(f.hint, /in the order the field shows/, `${url} ${f.name}`);
      assert.doesNotMatch(f.hint, /YYYY|DD\/|MM\/|dd\/mm|mm\/dd|\d{4}-\d\d-\d\d/i, `${url} ${f.name}: no pattern the field may not show`);
    }
  }
  assert.ok(seen >= 8, `the walk met ${seen} date fields`);
  // The labels do not claim a pattern either ("From (YYYY-MM-DD)" beside a field showing mm/dd/yyyy).
  const performance = await (await consoleAs(api, demo.csManager)).get('/staff/performance');
  assert.doesNotMatch(pageText(performance.body), /YYYY/);
});
