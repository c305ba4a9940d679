/**
 * No name, e-mail address or phone number appears in any Open311 answer (GeoReport v2 responses
 * are public): not the customer's, given when the request was made, not inside the texts staff
 * write to the customer, and not the staff's; nor do the updates of the mySociety extension.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { demo, potholeByPhone, startApi, type TestApi } from '../helpers/api.js';
import { testEngines } from '../helpers/db.js';
import { createApiKey } from '../../src/open311/api-keys.js';
import { createStaffUser } from '../../src/directory/staff.js';
import { form, formHeaders } from './open311-client.js';

const personal = ['Dana', 'Resident', 'dana@example.org', '705-555-0142', '7055550142', 'Quinn', 'Okafor', 'quinn.okafor@example.net', '(705) 555-0199', 'Riley Chen', 'Sam Patel', 'Jordan Ellis', 'kawarthalakes.example'];

for (const engine of testEngines()) {
  describe(`Open311 answers on ${engine.name} carry no personal details`, () => {
    let api: TestApi;
    const ids: string[] = [];

    before(async () => {
      api = await startApi(engine, '2026-11-23T15:00:00Z');
      const { key } = await createApiKey({ tx: api.db.kysely, name: 'Privacy client', now: api.clock.now() });
      const submitted = await api.app.inject({
        method: 'POST',
        url: '/open311/v2/requests.json',
        headers: formHeaders,
        payload: form({
          api_key: key,
          service_code: 'streetlight',
          address_string: '12 William St. N., Lindsay',
          first_name: 'Quinn',
          last_name: 'Okafor',
          email: 'quinn.okafor@example.net',
          phone: '(705) 555-0199',
          description: 'Light out in front of my house. Quinn Okafor, call (705) 555-0199 or quinn.okafor@example.net.',
          'attribute[pole_number]': 'KL-0042',
        }),
      });
      assert.equal(submitted.statusCode, 200, submitted.body);
      ids.push(JSON.parse(submitted.body)[0].service_request_id);
      // The resident writes again through the app (mySociety extension): never public either.
      const update = await api.app.inject({
        method: 'POST',
        url: '/open311/v2/servicerequestupdates.json',
        headers: formHeaders,
        payload: form({ api_key: key, service_request_id: ids[0]!, update_id: '1', status: 'OPEN', updated_datetime: '2026-11-23T10:05:00-05:00', description: 'Quinn Okafor again: (705) 555-0199.', first_name: 'Quinn', last_name: 'Okafor', email: 'quinn.okafor@example.net' }),
      });
      assert.equal(update.statusCode, 200, update.body);
      const cs = await api.as(demo.csRep);
      const created = await cs.post('/api/v1/cases', potholeByPhone({ description: 'Dana Resident (705-555-0142, dana@example.org) reports a deep pothole.' }));
      assert.equal(created.status, 201);
      const reference = created.body.case.reference as string;
      ids.push(reference);
      const roads = await api.as(demo.roadsStaff);
      const ack = await roads.post(`/api/v1/cases/${reference}/acknowledge`, { nextSteps: 'Dana, a crew will fill it; Riley Chen will call you at 705-555-0142.', contact: 'Riley Chen, 705-324-9411', method: 'record' });
      assert.equal(ack.status, 200, JSON.stringify(ack.body));
      const resolved = await roads.post(`/api/v1/cases/${reference}/resolve`, { resolution: 'Filled. Thanks Dana Resident; write to dana@example.org if it returns.', method: 'record' });
      assert.equal(resolved.status, 200, JSON.stringify(resolved.body));
    });
    after(() => api.close());

    test('requests, one request and the extensions=true notes, in JSON and XML, name no customer or staff member, e-mail address or phone number', async () => {
      const urls = ['/open311/v2/requests', '/open311/v2/requests?extensions=true', '/open311/v2/servicerequestupdates', `/open311/v2/servicerequestupdates?start_date=2026-11-23T00:00:00Z&end_date=2026-11-24T00:00:00Z`, ...ids.map((id) => `/open311/v2/requests/${id}`), ...ids.map((id) => `/open311/v2/request/${id}?extensions=true`)];
      for (const url of urls) {
        for (const format of ['json', 'xml']) {
          const [path, query] = url.split('?');
          const response = await api.app.inject({ url: `${path}.${format}${query ? `?${query}` : ''}` });
          assert.equal(response.statusCode, 200, response.body);
          for (const detail of personal) assert.ok(!response.body.toLowerCase().includes(detail.toLowerCase()), `${url} (${format}) shows "${detail}": ${response.body.slice(0, 1500)}`);
        }
      }
      // The updates carry the texts staff wrote to the customer (what is checked above is not empty).
      const updates = JSON.parse((await api.app.inject({ url: '/open311/v2/servicerequestupdates.json' })).body) as { description: string }[];
      assert.deepEqual(updates.map((u) => u.description).slice(-2), ['[removed], a crew will fill it; [removed] will call you at [removed].', 'Filled. Thanks [removed]; write to [removed] if it returns.']);
      // The texts still read: only the details are taken out.
      const one = JSON.parse((await api.app.inject({ url: `/open311/v2/requests/${ids[1]}.json` })).body)[0];
      assert.match(one.status_notes, /^Filled\. Thanks \[removed\]; write to \[removed\] if it returns\.$/);
    });

    test('a staff member whose account is made after answers were given is left out of public texts as well', async () => {
      // A first answer reads the staff names of this directory snapshot.
      assert.equal((await api.app.inject({ url: `/open311/v2/requests/${ids[1]}.json` })).statusCode, 200);
      await createStaffUser({
        tx: api.db.kysely,
        staff: { email: 'morgan.newhire@kawarthalakes.example', name: 'Morgan Newhire', role: 'division_staff', division: 'roads-operations', password: 'a long enough password 2026' },
        now: api.clock.now(),
      });
      api.clock.advance(2_000); // past the directory's once-a-second look
      const cs = await api.as(demo.csRep);
      const created = await cs.post('/api/v1/cases', potholeByPhone({ customer: {} }));
      assert.equal(created.status, 201);
      const reference = created.body.case.reference as string;
      const roads = await api.as(demo.roadsStaff);
      const resolved = await roads.post(`/api/v1/cases/${reference}/resolve`, { resolution: 'Morgan Newhire filled it this morning.', method: 'record' });
      assert.equal(resolved.status, 200, JSON.stringify(resolved.body));
      for (const format of ['json', 'xml']) {
        const response = await api.app.inject({ url: `/open311/v2/requests/${reference}.${format}?extensions=true` });
        assert.equal(response.statusCode, 200);
        assert.ok(!response.body.includes('Morgan') && !response.body.includes('Newhire'), `the new staff member's name shows: ${response.body.slice(0, 800)}`);
        assert.ok(response.body.includes('filled it this morning'), 'the rest of the text reads');
      }
    });
  });
}
