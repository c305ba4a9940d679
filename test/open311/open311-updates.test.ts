/**
 * The mySociety updates extension, as its definition says (Open311::Endpoint::Role::mySociety in
 * mysociety/open311-adapter) and as FixMyStreet uses it (perllib/Open311.pm,
 * Open311/GetServiceRequestUpdates.pm): GET servicerequestupdates.{json,xml} lists the public
 * updates of a time window, in both formats with the same content (root service_request_updates,
 * one request_update each), each valid against the extension's service_request_update.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { demo, demoPassword, potholeByPhone, startApi, type Client, type TestApi } from '../helpers/api.js';
import { testEngines } from '../helpers/db.js';
import { createApiKey } from '../../src/open311/api-keys.js';
import { sweep } from '../../src/escalation/sweep.js';
import { statusEventTypes, updateStatus, updateStatuses } from '../../src/open311/open311-update-status.js';
import { both, extendedStatuses, form, formHeaders } from './open311-client.js';

const now = '2026-11-23T15:00:00Z';
const hour = 60 * 60_000;

interface Update {
  update_id: string;
  service_request_id: string;
  status: string;
  updated_datetime: string;
  description: string;
  media_url: string;
}

test('the status after each citydesk state is one of the extension’s statuses, and every state has one', () => {
  assert.deepEqual([...updateStatuses], extendedStatuses, 'the statuses are the extension’s status_extended');
  const byState = Object.fromEntries([null, ...statusEventTypes].map((state) => [String(state), updateStatus(state)]));
  assert.deepEqual(byState, { null: 'open', acknowledged: 'investigating', updated: 'action_scheduled', resolved: 'closed', reopened: 'open', marked_duplicate: 'duplicate', duplicate_undone: 'open' });
});

for (const engine of testEngines()) {
  describe(`GET servicerequestupdates (mySociety extension) on ${engine.name}`, () => {
    let api: TestApi;
    let key: string;
    let roads: Client;
    let traffic: Client;
    let address = 0;
    const updates = async (query = ''): Promise<Update[]> => {
      const { status, json } = await both(api.app, 'updates', `/open311/v2/servicerequestupdates${query ? `?${query}` : ''}`);
      assert.equal(status, 200, JSON.stringify(json));
      return json as Update[];
    };
    const of = (list: Update[], id: string) => list.filter((u) => u.service_request_id === id);
    const fromOpen311 = async (fields: Record<string, string> = {}): Promise<string> => {
      const response = await api.app.inject({
        method: 'POST',
        url: '/open311/v2/requests.json',
        headers: formHeaders,
        payload: form({ api_key: key, service_code: 'pothole', lat: '44.35', long: '-78.74', description: 'Deep pothole.', first_name: 'Quinn', last_name: 'Okafor', email: 'quinn.okafor@example.net', ...fields }),
        remoteAddress: `10.3.0.${++address}`,
      });
      assert.equal(response.statusCode, 200, response.body);
      return JSON.parse(response.body)[0].service_request_id as string;
    };
    let lifecycle: string;
    let moved: string;

    before(async () => {
      api = await startApi(engine, now);
      key = (await createApiKey({ tx: api.db.kysely, name: 'FixMyStreet', now: api.clock.now() })).key;
      roads = await api.as(demo.roadsStaff);
      traffic = await api.as(demo.trafficStaff);
      // One request through every public step: acknowledged, updated, resolved, reopened.
      lifecycle = await fromOpen311();
      moved = await fromOpen311({ description: 'Pothole under a broken streetlight.' });
      api.clock.advance(hour); // 11:00 local
      assert.equal((await roads.post(`/api/v1/cases/${lifecycle}/acknowledge`, { nextSteps: 'Quinn, a crew will inspect it this week.', contact: 'Roads Operations', method: 'record' })).status, 200);
      assert.ok((await roads.post(`/api/v1/cases/${lifecycle}/notes`, { text: 'Internal: crew 7 is short-staffed.' })).status < 300);
      assert.equal((await roads.post(`/api/v1/cases/${moved}/reclassify`, { requestType: 'sidewalk-hazard', reason: 'It is on the sidewalk.' })).status, 200);
      api.clock.advance(hour); // 12:00
      assert.equal((await roads.post(`/api/v1/cases/${lifecycle}/updates`, { status: 'Waiting for asphalt; call 705-555-0199 with questions.', timeline: '2026-12-04', reason: 'The plant is closed.', method: 'record' })).status, 200);
      assert.equal((await roads.post(`/api/v1/cases/${moved}/transfer`, { toDivision: 'traffic-streetlights', note: 'The light is the cause.' })).status, 200);
      assert.equal((await traffic.post(`/api/v1/cases/${moved}/transfer/confirm`, {})).status, 200);
      api.clock.advance(hour); // 13:00
      assert.equal((await roads.post(`/api/v1/cases/${lifecycle}/resolve`, { resolution: 'Filled with hot asphalt. Thanks Quinn!', method: 'record' })).status, 200);
      api.clock.advance(hour); // 14:00
      assert.equal((await roads.post(`/api/v1/cases/${lifecycle}/reopen`, { reason: 'The customer says it broke up again.' })).status, 200);
    });
    after(() => api.close());

    test('each public step of a request is an update with its status, time, public text and an empty media_url; internal notes never are', async () => {
      const list = of(await updates('start_date=2026-11-23T00:00:00-05:00&end_date=2026-11-23T23:59:59-05:00'), lifecycle);
      assert.deepEqual(
        list.map((u) => [u.status, u.updated_datetime, u.description]),
        [
          ['investigating', '2026-11-23T11:00:00-05:00', '[removed], a crew will inspect it this week.'],
          ['action_scheduled', '2026-11-23T12:00:00-05:00', 'Waiting for asphalt; call [removed] with questions.'],
          ['closed', '2026-11-23T13:00:00-05:00', 'Filled with hot asphalt. Thanks [removed]!'],
          ['open', '2026-11-23T14:00:00-05:00', 'The customer says it broke up again.'],
        ],
      );
      assert.ok(list.every((u) => u.media_url === ''));
      assert.equal(new Set(list.map((u) => u.update_id)).size, 4, 'each update has its own update_id');
      const everything = JSON.stringify(await updates('start_date=2026-11-23T00:00:00-05:00&end_date=2026-11-23T23:59:59-05:00'));
      assert.doesNotMatch(everything, /short-staffed|Quinn|Okafor|quinn\.okafor|705-555-0199/);
    });

    test('transfers and reclassifications are updates that keep the status and say what happened; receipt is not an update', async () => {
      const list = of(await updates('start_date=2026-11-23T09:00:00-05:00&end_date=2026-11-23T18:00:00-05:00'), moved);
      assert.deepEqual(
        list.map((u) => [u.status, u.updated_datetime, u.description]),
        [
          ['open', '2026-11-23T11:00:00-05:00', 'Reclassified as Sidewalk trip hazard'],
          ['open', '2026-11-23T12:00:00-05:00', 'Transferred to Traffic and Streetlights'],
        ],
      );
    });

    test('paging by date window: start_date and end_date select by updated_datetime, both ends included, FixMyStreet’s UTC times too', async () => {
      const window = async (start: string, end: string) => of(await updates(`start_date=${encodeURIComponent(start)}&end_date=${encodeURIComponent(end)}`), lifecycle).map((u) => u.status);
      assert.deepEqual(await window('2026-11-23T16:00:00Z', '2026-11-23T17:00:00Z'), ['investigating', 'action_scheduled']);
      assert.deepEqual(await window('2026-11-23T17:00:01Z', '2026-11-23T18:00:00Z'), ['closed']);
      assert.deepEqual(await window('2026-11-23T12:00:00-05:00', '2026-11-23T12:00:00-05:00'), ['action_scheduled']);
      assert.deepEqual(await window('2026-11-23T14:00:01-05:00', '2026-11-23T20:00:00-05:00'), []);
      // Consecutive windows, as FixMyStreet asks every few minutes, give each update once.
      const seen: string[] = [];
      for (let h = 9; h < 16; h += 1) {
        const start = `2026-11-23T${String(h).padStart(2, '0')}:00:00-05:00`;
        const end = `2026-11-23T${String(h).padStart(2, '0')}:59:59-05:00`;
        seen.push(...of(await updates(`start_date=${encodeURIComponent(start)}&end_date=${encodeURIComponent(end)}`), lifecycle).map((u) => u.update_id));
      }
      assert.equal(seen.length, 4);
      assert.equal(new Set(seen).size, 4);
    });

    test('without dates: the last day; with only start_date: from it; with only end_date: the day before it', async () => {
      api.clock.set('2026-11-24T10:00:00-05:00');
      assert.equal(of(await updates(), lifecycle).length, 4);
      assert.equal(of(await updates('start_date=2026-11-23T12:30:00-05:00'), lifecycle).length, 2);
      assert.equal(of(await updates('end_date=2026-11-23T12:30:00-05:00'), lifecycle).length, 2);
      api.clock.set('2026-11-25T10:00:00-05:00');
      assert.equal(of(await updates(), lifecycle).length, 0, 'older than a day');
    });

    test('an escalation before acknowledgment is an update with status open; general inquiries never appear', async () => {
      api.clock.set('2026-11-26T09:00:00-05:00');
      const cs = await api.as(demo.csRep);
      const unacknowledged = await fromOpen311();
      const inquiry = await cs.post('/api/v1/cases', { kind: 'inquiry', channel: 'phone', description: 'When is garbage day?', summary: 'Garbage day', summaryConfirmed: true });
      assert.equal(inquiry.status, 201, JSON.stringify(inquiry.body));
      api.clock.set('2026-12-03T09:00:00-05:00');
      await sweep({ db: api.db, now: api.clock.now() });
      const list = await updates('start_date=2026-12-03T00:00:00-05:00&end_date=2026-12-03T23:59:59-05:00');
      const escalated = of(list, unacknowledged);
      assert.equal(escalated.length, 1, JSON.stringify(list));
      assert.equal(escalated[0]!.status, 'open');
      assert.equal(escalated[0]!.description, 'Escalated for review');
      assert.ok(list.every((u) => u.service_request_id.startsWith('SR-')));
    });

    test('api_key is optional on GET (as the extension defines it); a wrong one is 403; the errors are GeoReport v2’s, in the format asked for', async () => {
      assert.equal((await both(api.app, 'updates', `/open311/v2/servicerequestupdates?api_key=${key}`)).status, 200);
      assert.equal((await both(api.app, 'updates', '/open311/v2/servicerequestupdates?api_key=')).status, 200);
      for (const [query, status, says] of [
        ['api_key=cdk_wrong', 403, /not valid/],
        ['start_date=2026-11-20&end_date=2026-11-01', 400, /end_date is before start_date/],
        ['start_date=2026-01-01&end_date=2026-11-01', 400, /90 days/],
        ['start_date=yesterday', 400, /W3C date/],
        ['jurisdiction_id=toronto.ca', 404, /not served here/],
      ] as const) {
        const { status: got, json } = await both(api.app, 'updates', `/open311/v2/servicerequestupdates?${query}`);
        assert.equal(got, status, `${query}: ${JSON.stringify(json)}`);
        assert.equal(json[0].code, status);
        assert.match(json[0].description, says);
      }
    });

    test('a phone-recorded request’s updates are listed too: the extension lists every request’s, not only those the client sent', async () => {
      api.clock.set('2026-12-04T09:00:00-05:00');
      const cs = await api.as(demo.csRep);
      const created = await cs.post('/api/v1/cases', potholeByPhone());
      const reference = created.body.case.reference as string;
      const staff = await api.as(demo.roadsStaff);
      assert.equal((await staff.post(`/api/v1/cases/${reference}/resolve`, { resolution: 'Filled.', method: 'record' })).status, 200);
      const list = of(await updates('start_date=2026-12-04T00:00:00-05:00&end_date=2026-12-04T23:59:59-05:00'), reference);
      assert.deepEqual(list.map((u) => [u.status, u.description]), [['closed', 'Filled.']]);
    });
  });
}

for (const engine of testEngines()) {
  describe(`POST servicerequestupdates (mySociety extension) on ${engine.name}`, () => {
    let api: TestApi;
    let key: string;
    let otherKey: string;
    let roads: Client;
    let address = 0;
    const remote = () => `10.4.${Math.floor(++address / 250)}.${address % 250}`;
    /** What FixMyStreet's _populate_service_request_update_params sends. */
    const fromFixMyStreet = (fields: Record<string, string | string[]>) => ({
      api_key: key,
      jurisdiction_id: 'kawarthalakes.ca',
      updated_datetime: '2026-11-23T10:15:00-05:00',
      status: 'OPEN',
      description: 'Still there, and deeper.',
      first_name: 'Quinn',
      last_name: 'Okafor',
      email: 'quinn.okafor@example.net',
      ...fields,
    });
    const post = (fields: Record<string, string | string[]>) => both(api.app, 'update_posted', '/open311/v2/servicerequestupdates', { method: 'POST', headers: formHeaders, payload: form(fields), remoteAddress: remote() });
    const newRequest = async (): Promise<string> => {
      const response = await api.app.inject({ method: 'POST', url: '/open311/v2/requests.json', headers: formHeaders, payload: form({ api_key: key, service_code: 'pothole', lat: '44.35', long: '-78.74', description: 'Deep pothole.' }), remoteAddress: remote() });
      return JSON.parse(response.body)[0].service_request_id as string;
    };
    // Signed in once per account: sign-ins are rate-limited per e-mail address.
    const cookies = new Map<string, string>();
    const sign = async (email: string): Promise<string> => {
      if (!cookies.has(email)) {
        const r = await api.app.inject({ method: 'POST', url: '/staff/sign-in', payload: `email=${encodeURIComponent(email)}&password=${demoPassword}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
        cookies.set(email, String(r.headers['set-cookie']).split(';')[0]!);
      }
      return cookies.get(email)!;
    };
    const staffPage = async (url: string, email: string = demo.roadsStaff): Promise<string> => {
      const response = await api.app.inject({ url, headers: { cookie: await sign(email) } });
      assert.equal(response.statusCode, 200, response.body.slice(0, 300));
      return response.body;
    };
    /** The home page's "Customer replied" list (every channel) ('' when there is none). */
    const notFixedList = async (email: string = demo.roadsStaff): Promise<string> => {
      const home = await staffPage('/staff', email);
      const start = home.indexOf('id="home-customer-replied"');
      return start < 0 ? '' : home.slice(start, home.indexOf('</section>', start));
    };
    const events = async (reference: string) =>
      api.db.kysely.selectFrom('case_event as e').innerJoin('service_case as c', 'c.id', 'e.case_id').select(['e.type', 'e.data']).where('c.reference', '=', reference).where('e.type', '=', 'customer_update').execute();

    before(async () => {
      api = await startApi(engine, now);
      key = (await createApiKey({ tx: api.db.kysely, name: 'FixMyStreet', now: api.clock.now() })).key;
      otherKey = (await createApiKey({ tx: api.db.kysely, name: 'Another app', now: api.clock.now() })).key;
      roads = await api.as(demo.roadsStaff);
    });
    after(() => api.close());

    test('an update becomes a customer message on the case that staff see; the answer is its update_id, in both formats', async () => {
      const reference = await newRequest();
      const { status, json, xml } = await post(fromFixMyStreet({ service_request_id: reference, update_id: '5001', media_url: 'https://fms.example.org/photo/9.jpeg' }));
      assert.equal(status, 200, JSON.stringify(json));
      assert.match(json[0].update_id, /^\d+$/);
      assert.match(xml, /^<\?xml version="1.0" encoding="utf-8"\?>\n<service_request_updates><request_update><update_id>\d+<\/update_id><\/request_update><\/service_request_updates>$/);
      const recorded = await events(reference);
      assert.equal(recorded.length, 1, 'the JSON and the XML call sent the same update_id: one update');
      assert.equal(recorded[0]!.data['text'], 'Still there, and deeper.');
      const page = await staffPage(`/staff/cases/${reference}`);
      assert.match(page, /Update from the customer, sent through FixMyStreet \(Open311\)/);
      assert.match(page, /Still there, and deeper\./);
      assert.match(page, /From Quinn Okafor, quinn\.okafor@example\.net/);
      assert.ok(page.includes('href="https://fms.example.org/photo/9.jpeg"'));
    });

    test('the same update_id twice is one update; another client’s update_id of the same number is its own', async () => {
      const reference = await newRequest();
      const first = await post(fromFixMyStreet({ service_request_id: reference, update_id: 'fms-77' }));
      const again = await post(fromFixMyStreet({ service_request_id: reference, update_id: 'fms-77', description: 'Sent twice by a retry.' }));
      assert.equal(again.json[0].update_id, first.json[0].update_id);
      assert.equal((await events(reference)).length, 1);
      const other = await post(fromFixMyStreet({ api_key: otherKey, service_request_id: reference, update_id: 'fms-77' }));
      assert.notEqual(other.json[0].update_id, first.json[0].update_id);
      assert.equal((await events(reference)).length, 2);
      const elsewhere = await post(fromFixMyStreet({ service_request_id: await newRequest(), update_id: 'fms-77' }));
      assert.equal(elsewhere.status, 400);
      assert.match(elsewhere.json[0].description, /already sent for another request/);
    });

    test('two copies of one update sent at the same moment record it once', async () => {
      const reference = await newRequest();
      const send = () => api.app.inject({ method: 'POST', url: '/open311/v2/servicerequestupdates.json', headers: formHeaders, payload: form(fromFixMyStreet({ service_request_id: reference, update_id: 'race-1' })), remoteAddress: remote() });
      const answers = await Promise.all([send(), send(), send()]);
      assert.deepEqual(answers.map((a) => a.statusCode), [200, 200, 200]);
      assert.equal(new Set(answers.map((a) => JSON.parse(a.body)[0].update_id)).size, 1);
      assert.equal((await events(reference)).length, 1);
    });

    test('"not fixed" (OPEN or REOPEN) on a resolved request puts it before its division to reopen or answer; reopening takes it off', async () => {
      const reference = await newRequest();
      assert.equal((await roads.post(`/api/v1/cases/${reference}/resolve`, { resolution: 'Filled.', method: 'record' })).status, 200);
      api.clock.advance(60_000);
      assert.equal((await post(fromFixMyStreet({ service_request_id: reference, update_id: 'nf-1', status: 'REOPEN', description: 'Not fixed: the hole is back.' }))).status, 200);
      const list = await notFixedList();
      assert.match(await staffPage('/staff'), /Customer replied/);
      assert.ok(list.includes(reference), 'the division sees it on its home page');
      assert.match(list, /Not fixed: the hole is back\./);
      assert.match(await staffPage(`/staff/cases/${reference}`), /Says it is not fixed: reopen it, or answer the customer/);
      // Another division does not.
      assert.ok(!(await notFixedList(demo.trafficStaff)).includes(reference));
      assert.equal((await roads.post(`/api/v1/cases/${reference}/reopen`, { reason: 'The resident says it is back.' })).status, 200);
      assert.ok(!(await notFixedList()).includes(reference), 'reopened: no longer waiting');
    });

    test('the division may answer "not fixed" instead of reopening: it stays resolved, the list empties, and the app reads the answer as an update', async () => {
      const reference = await newRequest();
      assert.equal((await roads.post(`/api/v1/cases/${reference}/resolve`, { resolution: 'Filled.', method: 'record' })).status, 200);
      api.clock.advance(60_000);
      assert.equal((await post(fromFixMyStreet({ service_request_id: reference, update_id: 'ans-1', status: 'OPEN', description: 'Not fixed.' }))).status, 200);
      assert.match(await staffPage(`/staff/cases/${reference}`), /Send the answer, keep it resolved/);
      const answer = (cookie: string, text: string) =>
        api.app.inject({ method: 'POST', url: `/staff/cases/${reference}/customer-updates/answer`, payload: `answer=${encodeURIComponent(text)}`, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' } });
      const elsewhere = await answer(await sign(demo.trafficStaff), 'Not ours.');
      assert.ok(elsewhere.statusCode === 403 || elsewhere.statusCode === 404, `another division may not answer: ${elsewhere.statusCode}`);
      api.clock.advance(60_000);
      const answered = await answer(await sign(demo.roadsStaff), 'We checked on Tuesday: the patch holds; the dip is the driveway, which is private.');
      assert.equal(answered.statusCode, 303, answered.body.slice(0, 300));
      assert.ok(!(await notFixedList()).includes(reference));
      const row = await api.db.kysely.selectFrom('service_case').select('status').where('reference', '=', reference).executeTakeFirstOrThrow();
      assert.equal(row.status, 'resolved');
      const page = await staffPage(`/staff/cases/${reference}`);
      assert.match(page, /Answered the customer&#39;s update sent through FixMyStreet|Answered the customer's update sent through FixMyStreet/);
      assert.doesNotMatch(page, /Send the answer, keep it resolved/);
      const { json } = await both(api.app, 'updates', '/open311/v2/servicerequestupdates?start_date=2026-11-23T00:00:00Z&end_date=2026-11-24T00:00:00Z');
      const last = (json as Update[]).filter((u) => u.service_request_id === reference).at(-1)!;
      assert.deepEqual([last.status, last.description], ['closed', 'We checked on Tuesday: the patch holds; the dip is the driveway, which is private.']);
      const twice = await answer(await sign(demo.roadsStaff), 'Again.');
      assert.equal(twice.statusCode, 409, 'nothing is waiting any more');
    });

    test('CLOSED or FIXED on a resolved request, or any status on an open one, is a message and waits for nobody', async () => {
      const resolved = await newRequest();
      assert.equal((await roads.post(`/api/v1/cases/${resolved}/resolve`, { resolution: 'Filled.', method: 'record' })).status, 200);
      assert.equal((await post(fromFixMyStreet({ service_request_id: resolved, update_id: 'ok-1', status: 'FIXED', description: 'Thanks, looks good.' }))).status, 200);
      const open = await newRequest();
      assert.equal((await post(fromFixMyStreet({ service_request_id: open, update_id: 'ok-2', status: 'open', description: 'Any news?' }))).status, 200);
      const list = await notFixedList();
      assert.ok(!list.includes(resolved) && !list.includes(open), list);
      assert.equal((await events(open)).length, 1, 'a status in lower case is taken too');
    });

    test('residents’ updates are never public: not in the requests, not in the updates the extension lists', async () => {
      const reference = await newRequest();
      await post(fromFixMyStreet({ service_request_id: reference, update_id: 'priv-1', description: 'Call me at 705-555-0199, Quinn.' }));
      for (const url of [`/open311/v2/requests/${reference}.json?extensions=true`, '/open311/v2/servicerequestupdates.xml', '/open311/v2/servicerequestupdates.json']) {
        const body = (await api.app.inject({ url })).body;
        assert.doesNotMatch(body, /705-555-0199|Quinn|Okafor|quinn\.okafor|Call me/, url);
      }
    });

    const refusals: [string, number, (reference: string) => Record<string, string | string[]>, RegExp][] = [
      ['a missing api_key is 403', 403, (r) => fromFixMyStreet({ api_key: '', service_request_id: r, update_id: 'x1' }), /api_key is required/],
      ['a wrong api_key is 403', 403, (r) => fromFixMyStreet({ api_key: 'cdk_wrong', service_request_id: r, update_id: 'x2' }), /not valid/],
      ['an unknown request is 404', 404, () => fromFixMyStreet({ service_request_id: 'SR-2026-999999', update_id: 'x3' }), /no service request/],
      ['a general inquiry is 404', 404, () => fromFixMyStreet({ service_request_id: 'GI-2026-000001', update_id: 'x4' }), /no service request/],
      ['a missing service_request_id is 400', 400, () => fromFixMyStreet({ update_id: 'x5' }), /service_request_id is required/],
      ['a missing update_id is 400', 400, (r) => fromFixMyStreet({ service_request_id: r }), /update_id is required/],
      ['a status the extension does not define is 400', 400, (r) => fromFixMyStreet({ service_request_id: r, update_id: 'x6', status: 'PENDING' }), /not one of OPEN, CLOSED/],
      ['a missing updated_datetime is 400', 400, (r) => fromFixMyStreet({ service_request_id: r, update_id: 'x7', updated_datetime: '' }), /updated_datetime is required/],
      ['an updated_datetime that is not W3C is 400', 400, (r) => fromFixMyStreet({ service_request_id: r, update_id: 'x8', updated_datetime: 'last Tuesday' }), /W3C date/],
      ['a media_url that is not a web address is 400', 400, (r) => fromFixMyStreet({ service_request_id: r, update_id: 'x9', media_url: 'javascript:alert(1)' }), /not a web address/],
      ['a description over 4,000 characters is 400', 400, (r) => fromFixMyStreet({ service_request_id: r, update_id: 'x10', description: 'x'.repeat(4001) }), /at most 4,000/],
      ['another jurisdiction_id is 404', 404, (r) => fromFixMyStreet({ service_request_id: r, update_id: 'x11', jurisdiction_id: 'toronto.ca' }), /not served here/],
    ];
    for (const [rule, status, fields, says] of refusals) {
      test(`POST servicerequestupdates: ${rule} (GeoReport v2 errors, in the format asked for)`, async () => {
        const reference = await newRequest();
        const response = await post(fields(reference));
        assert.equal(response.status, status, JSON.stringify(response.json));
        assert.equal(response.json[0].code, status);
        assert.match(response.json[0].description, says);
        assert.equal((await events(reference)).length, 0, 'nothing recorded');
      });
    }

    test('a missing description is 400; an empty one (a photo alone) is taken', async () => {
      const reference = await newRequest();
      const fields = fromFixMyStreet({ service_request_id: reference, update_id: 'd1' });
      delete (fields as Record<string, unknown>)['description'];
      const missing = await post(fields);
      assert.equal(missing.status, 400);
      assert.match(missing.json[0].description, /description is required/);
      assert.equal((await post(fromFixMyStreet({ service_request_id: reference, update_id: 'd2', description: '', media_url: 'https://fms.example.org/p.jpeg' }))).status, 200);
    });
  });
}
