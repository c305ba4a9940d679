/**
 * The mySociety updates extension, as its definition says (Open311::Endpoint::Role::mySociety in
 * mysociety/open311-adapter) and as FixMyStreet uses it (perllib/Open311.pm,
 * Open311/GetServiceRequestUpdates.pm): GET servicerequestupdates.{json,xml} lists the public
 * updates of a time window, in both formats with the same content (root service_request_updates,
 * one request_update each), each valid against the extension's service_request_update.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { demo, potholeByPhone, startApi, type Client, type TestApi } from '../helpers/api.js';
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
  assert.deepEqual(byState, { null: 'open', acknowledged: 'investigating', updated: 'action_scheduled', resolved: 'closed', reopened: 'open' });
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
