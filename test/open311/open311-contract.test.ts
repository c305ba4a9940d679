/**
 * The Open311 GeoReport v2 contract (wiki.open311.org/GeoReport_v2): every answer in JSON and XML
 * with the same content, each JSON answer valid against the spec's JSON Schemas, and the errors
 * the spec names (403, 404, 400) in the requested format.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { demo, inquiryByPhone, potholeByPhone, startApi, type Client, type TestApi } from '../helpers/api.js';
import { testEngines } from '../helpers/db.js';
import { createApiKey } from '../../src/open311/api-keys.js';
import { submissionsPerKey } from '../../src/open311/open311-routes.js';
import { both, form, formHeaders } from './open311-client.js';

const now = '2026-11-23T15:00:00Z';

for (const engine of testEngines()) {
  describe(`Open311 GeoReport v2 on ${engine.name}`, () => {
    let api: TestApi;
    let key: string;
    let cs: Client;
    let roads: Client;
    let address = 0;
    /** Each submission from its own address, so the per-address limit is not what a test meets. */
    const submit = (fields: Record<string, string | string[]>, path = '/open311/v2/requests') =>
      both(api.app, 'submitted', path, { method: 'POST', headers: formHeaders, payload: form(fields), remoteAddress: `10.0.${Math.floor(++address / 250)}.${address % 250}` });
    const pothole = (extra: Record<string, string | string[]> = {}) => ({ api_key: key, service_code: 'pothole', lat: '44.3501', long: '-78.7452', description: 'A deep pothole by the curb.', ...extra });

    before(async () => {
      api = await startApi(engine, now);
      key = (await createApiKey({ tx: api.db.kysely, name: 'Test client', now: api.clock.now() })).key;
      cs = await api.as(demo.csRep);
      roads = await api.as(demo.roadsStaff);
    });
    after(() => api.close());

    test('discovery (GeoReport v2 service discovery) names the v2 endpoint and both formats, with the spec’s fields only', async () => {
      const { json } = await both(api.app, 'discovery', '/open311/discovery');
      assert.deepEqual(Object.keys(json).sort(), ['changeset', 'contact', 'endpoints', 'key_service']);
      assert.equal(json.endpoints.length, 1);
      assert.match(json.endpoints[0].url, /\/open311\/v2$/);
      assert.equal(json.endpoints[0].specification, 'http://wiki.open311.org/GeoReport_v2');
      assert.deepEqual(json.endpoints[0].formats, ['text/xml', 'application/json']);
    });

    test('other sites’ apps may read Open311 from the browser (CORS), for answers and errors alike', async () => {
      for (const url of ['/open311/v2/services.json', '/open311/v2/requests/SR-2020-000001.json']) {
        const response = await api.app.inject({ method: 'GET', url });
        assert.equal(response.headers['access-control-allow-origin'], '*', url);
      }
    });

    test('GET services lists each request type as a realtime service, grouped in residents\' words as the portal lists it (not by division), with metadata when it has attributes', async () => {
      const { json, xml } = await both(api.app, 'services', '/open311/v2/services');
      const pothole = json.find((s: { service_code: string }) => s.service_code === 'pothole');
      assert.deepEqual(pothole, {
        service_code: 'pothole',
        service_name: 'Pothole',
        description: 'A hole or broken pavement in a City road.',
        metadata: true,
        type: 'realtime',
        keywords: null,
        group: 'Roads, sidewalks and signs',
      });
      assert.equal(json.find((s: { service_code: string }) => s.service_code === 'dead-animal').metadata, false);
      // Each service's group is the heading the portal's problem list shows it under; no division name is a group.
      const groupOf = (code: string) => json.find((s: { service_code: string }) => s.service_code === code).group;
      assert.equal(groupOf('missed-collection'), 'Garbage, recycling and green bins');
      assert.equal(groupOf('streetlight'), 'Streetlights');
      const portal = (await api.app.inject({ method: 'GET', url: '/report', headers: { accept: 'text/html' } })).body;
      const headings = [...portal.matchAll(/<h2 id="group-[^"]*">([^<]+)<\/h2>/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
      assert.deepEqual([...new Set(json.map((s: { group: string }) => s.group))].sort(), [...headings].sort(), 'the same headings as the portal');
      const divisions = (await api.db.kysely.selectFrom('division').select('name').execute()).map((d) => d.name);
      for (const s of json as { group: string }[]) assert.ok(!divisions.includes(s.group), `${s.group} is not a division's name`);
      assert.match(xml, /<service_code>pothole<\/service_code>[\s\S]*?<group>Roads, sidewalks and signs<\/group>/);
    });

    test("GET services/{service_code} gives the pothole's road_class as a singlevaluelist with its keys", async () => {
      const { json } = await both(api.app, 'service_definition', '/open311/v2/services/pothole');
      assert.equal(json.service_code, 'pothole');
      const [roadClass] = json.attributes;
      assert.equal(roadClass.code, 'road_class');
      assert.equal(roadClass.datatype, 'singlevaluelist');
      assert.equal(roadClass.required, false);
      assert.equal(roadClass.variable, true);
      assert.equal(roadClass.order, 1);
      assert.deepEqual(roadClass.values.map((v: { key: string }) => v.key), ['2', '3', '4', '5', 'unknown']);
    });

    test('a service that does not exist is 404 (GeoReport v2 errors), in the format asked for', async () => {
      const { status, json } = await both(api.app, 'service_definition', '/open311/v2/services/no-such-service');
      assert.equal(status, 404);
      assert.equal(json[0].code, 404);
    });

    test('a request located only by address_id keeps it and returns it in both formats', async () => {
      const { status, json } = await submit({ api_key: key, service_code: 'pothole', address_id: 'KL-ADDR-004217', 'attribute[road_class]': '3', description: 'Pothole at the address the client knows by id.' });
      assert.equal(status, 200);
      const id = json[0].service_request_id as string;
      const { json: found, xml } = await both(api.app, 'requests', `/open311/v2/requests/${id}`);
      assert.equal(found[0].address_id, 'KL-ADDR-004217');
      assert.match(xml, /<address_id>KL-ADDR-004217<\/address_id>/);
      assert.equal(found[0].address, null, 'no address is made up from the id');
      assert.doesNotMatch(xml, /Address ID/);
    });

    test('POST requests (form-encoded, attribute[code]=value) records a service request from the open311 channel by open311:<key name>', async () => {
      const photo = 'https://photos.example.org/pothole-26-francis.jpg';
      const { status, json } = await submit(pothole({ 'attribute[road_class]': '2', address_string: '26 Francis St., Lindsay', media_url: photo }));
      assert.equal(status, 200);
      const ids = json.map((s: { service_request_id: string }) => s.service_request_id);
      for (const id of ids) {
        assert.match(id, /^SR-2026-\d{6}$/);
        const row = await api.db.kysely.selectFrom('service_case').select(['channel', 'created_via', 'attributes', 'kind']).where('reference', '=', id).executeTakeFirstOrThrow();
        assert.deepEqual(row, { channel: 'open311', created_via: 'open311:Test client', attributes: { road_class: '2' }, kind: 'service_request' });
      }
      const { json: found } = await both(api.app, 'requests', `/open311/v2/requests/${ids[0]}`);
      assert.equal(found.length, 1);
      assert.equal(found[0].service_request_id, ids[0]);
      assert.equal(found[0].status, 'open');
      assert.equal(found[0].service_code, 'pothole');
      assert.equal(found[0].service_name, 'Pothole');
      assert.equal(found[0].agency_responsible, 'Roads Operations');
      assert.equal(found[0].address, '26 Francis St., Lindsay');
      assert.equal(found[0].media_url, photo, 'the photo the client sent is kept and shown');
      assert.equal(found[0].lat, 44.3501);
      assert.equal(found[0].long, -78.7452);
      assert.equal(found[0].requested_datetime, '2026-11-23T10:00:00-05:00');
      // Road class 2: resolved within 4 calendar days of receipt.
      assert.equal(found[0].expected_datetime, '2026-11-27T10:00:00-05:00');
      assert.match(found[0].service_notice, /^Roads Operations will acknowledge this request by 2026-11-25T16:30:00-05:00\.$/);
      // The singular path of the published Swagger file answers the same.
      const { json: singular } = await both(api.app, 'requests', `/open311/v2/request/${ids[0]}`);
      assert.deepEqual(singular, found);
      assert.equal(found[0].address_id, null, 'no address_id was given');
    });

    test('POST takes a JSON body as well as a form', async () => {
      const response = await api.app.inject({ method: 'POST', url: '/open311/v2/requests.json', payload: pothole(), remoteAddress: '10.9.0.1' });
      assert.equal(response.statusCode, 200, response.body);
      assert.match(JSON.parse(response.body)[0].service_request_id, /^SR-/);
    });

    test('attribute[code][]=value is read as a list: a singlevaluelist refuses it with 400 saying it takes one value', async () => {
      const { status, json } = await submit({ api_key: key, service_code: 'missed-collection', address_string: '1 Main St.', 'attribute[stream][]': ['garbage', 'recycling'] });
      assert.equal(status, 400);
      assert.match(json[0].description, /takes one value/);
    });

    const refusals: [string, number, () => Record<string, string | string[]>, RegExp][] = [
      ['a missing api_key is 403', 403, () => ({ ...pothole(), api_key: '' }), /api_key is required/],
      ['a wrong api_key is 403', 403, () => pothole({ api_key: 'cdk_wrong' }), /not valid/],
      ['a missing service_code is 400', 400, () => pothole({ service_code: '' }), /service_code is required/],
      ['an unknown service_code is 400', 400, () => pothole({ service_code: 'unicorn' }), /not a service/],
      ['a request without a location (lat+long, address_string or address_id) is 400', 400, () => pothole({ lat: '', long: '' }), /location is required/],
      ['lat out of range is 400', 400, () => pothole({ lat: '91' }), /lat must be between -90 and 90/],
      ['long out of range is 400', 400, () => pothole({ long: '-180.5' }), /long must be between -180 and 180/],
      ['lat without long is 400', 400, () => pothole({ long: '' }), /both lat and long/],
      ['a description over 4,000 characters is 400', 400, () => pothole({ description: 'x'.repeat(4001) }), /at most 4,000/],
      ['a NUL in the description is 400', 400, () => pothole({ description: 'a\u0000b' }), /cannot be stored/],
      ['a missing required attribute is 400', 400, () => ({ api_key: key, service_code: 'missed-collection', address_string: '1 Main St.' }), /stream is required/],
      ['an answer not in a singlevaluelist is 400', 400, () => pothole({ 'attribute[road_class]': '9' }), /not an answer to road_class/],
      ['a malformed e-mail address is 400', 400, () => pothole({ email: 'not-an-address' }), /not (an|one) e-mail address/],
      ['another jurisdiction_id is 404', 404, () => pothole({ jurisdiction_id: 'toronto.ca' }), /not served here/],
      ['a media_url that is not a web address is 400', 400, () => pothole({ media_url: 'javascript:alert(1)' }), /not a web address/],
    ];
    for (const [rule, status, fields, says] of refusals) {
      test(`POST requests: ${rule} (GeoReport v2 errors)`, async () => {
        const response = await submit(fields());
        assert.equal(response.status, status, JSON.stringify(response.json));
        assert.equal(response.json[0].code, status);
        assert.match(response.json[0].description, says);
      });
    }

    test('an empty jurisdiction_id, or the municipality’s own, is accepted', async () => {
      assert.equal((await submit(pothole({ jurisdiction_id: '' }))).status, 200);
      assert.equal((await submit(pothole({ jurisdiction_id: 'kawarthalakes.ca' }))).status, 200);
      assert.equal((await both(api.app, 'services', '/open311/v2/services?jurisdiction_id=kawarthalakes.ca')).status, 200);
      assert.equal((await both(api.app, 'services', '/open311/v2/services?jurisdiction_id=elsewhere')).status, 404);
    });

    test('a lone surrogate in a JSON body is 400, not a failure to store it', async () => {
      const response = await api.app.inject({ method: 'POST', url: '/open311/v2/requests.xml', headers: { 'content-type': 'application/json' }, payload: `{"api_key":"${key}","service_code":"pothole","lat":"44","long":"-78","description":"a\\ud800b"}`, remoteAddress: '10.9.0.2' });
      assert.equal(response.statusCode, 400, response.body);
      assert.match(response.body, /^<\?xml version="1.0" encoding="utf-8"\?>\n<errors><error><code>400<\/code>/);
    });

    test('GET requests: service_request_id overrides every other filter; ids are strings; general inquiries never appear', async () => {
      const created = await submit(pothole());
      const id = created.json[0].service_request_id as string;
      const inquiry = await cs.post('/api/v1/cases', inquiryByPhone());
      assert.equal(inquiry.status, 201);
      const gi = inquiry.body.case.reference as string;
      const { json } = await both(api.app, 'requests', `/open311/v2/requests?service_request_id=${id},${gi},SR-1999-999999&status=closed&service_code=streetlight&start_date=2020-01-01&end_date=2020-01-02`);
      assert.deepEqual(json.map((r: { service_request_id: string }) => r.service_request_id), [id]);
      const { json: listed } = await both(api.app, 'requests', '/open311/v2/requests?page_size=1000');
      assert.ok(listed.length > 0);
      assert.ok(listed.every((r: { service_request_id: string }) => r.service_request_id.startsWith('SR-')));
      assert.equal((await both(api.app, 'requests', `/open311/v2/requests/${gi}`)).status, 404);
    });

    test('GET requests filters by service_code and status, and pages with page and page_size', async () => {
      await submit({ api_key: key, service_code: 'streetlight', address_string: '5 Kent St. W.', 'attribute[pole_number]': 'KL-1234' });
      const { json: lights } = await both(api.app, 'requests', '/open311/v2/requests?service_code=streetlight');
      assert.ok(lights.length >= 1);
      assert.ok(lights.every((r: { service_code: string }) => r.service_code === 'streetlight'));
      const { json: closed } = await both(api.app, 'requests', '/open311/v2/requests?status=closed');
      assert.ok(closed.every((r: { status: string }) => r.status === 'closed'));
      const { json: all } = await both(api.app, 'requests', '/open311/v2/requests?status=open,closed');
      assert.ok(all.length > 4, 'enough requests to page through');
      const { json: first } = await both(api.app, 'requests', '/open311/v2/requests?page_size=2');
      const { json: second } = await both(api.app, 'requests', '/open311/v2/requests?page_size=2&page=2');
      assert.deepEqual([...first, ...second].map((r: { service_request_id: string }) => r.service_request_id), all.slice(0, 4).map((r: { service_request_id: string }) => r.service_request_id));
    });

    test('GET requests: start_date and end_date select by requested_datetime, with or without an offset', async () => {
      const { json: today } = await both(api.app, 'requests', `/open311/v2/requests?start_date=${encodeURIComponent('2026-11-23T00:00:00-05:00')}&end_date=2026-11-23T23:59`);
      assert.ok(today.length > 0);
      const { json: earlier } = await both(api.app, 'requests', '/open311/v2/requests?start_date=2026-10-01&end_date=2026-10-31');
      assert.deepEqual(earlier, []);
    });

    const badQueries: [string, string, RegExp][] = [
      ['a span over 90 days is 400', 'start_date=2026-01-01&end_date=2026-11-01', /90 days/],
      ['an end_date before the start_date is 400', 'start_date=2026-11-20&end_date=2026-11-01', /before start_date/],
      ['a start_date that is not a W3C date is 400', 'start_date=yesterday', /W3C date/],
      ['page 0 is 400', 'page=0', /page must be a whole number/],
      ['a page_size over 1,000 is 400', 'page_size=1001', /page_size must be a whole number from 1 to 1,000/],
      ['an unknown status is 400', 'status=pending', /open or closed/],
      ['an unknown service_code is 400', 'service_code=unicorn', /not a service/],
      ['extensions other than true or false is 400', 'extensions=yes', /extensions must be true or false/],
      ['a NUL in an argument is 400', 'service_code=a%00b', /cannot be stored/],
    ];
    for (const [rule, query, says] of badQueries) {
      test(`GET requests: ${rule}, with a description that says what to fix`, async () => {
        const { status, json } = await both(api.app, 'requests', `/open311/v2/requests?${query}`);
        assert.equal(status, 400, JSON.stringify(json));
        assert.match(json[0].description, says);
      });
    }

    test('empty optional arguments are treated as absent', async () => {
      const { status } = await both(api.app, 'requests', '/open311/v2/requests?service_code=&status=&start_date=&end_date=&page=&page_size=&jurisdiction_id=&extensions=&service_request_id=');
      assert.equal(status, 200);
    });

    test('status, status_notes, service_notice, expected_datetime and notes follow the public steps of the case, never its internal notes', async () => {
      const { json: submitted } = await submit(pothole({ 'attribute[road_class]': '3' }));
      const id = submitted[0].service_request_id as string;
      api.clock.advance(60 * 60_000);
      const acknowledged = await roads.post(`/api/v1/cases/${id}/acknowledge`, { nextSteps: 'A crew will inspect and fill it this week.', contact: 'Roads Operations, 705-324-9411 ext 1234', method: 'record' });
      assert.equal(acknowledged.status, 200, JSON.stringify(acknowledged.body));
      const noted = await roads.post(`/api/v1/cases/${id}/notes`, { text: 'Internal: crew 7 is short-staffed.' });
      assert.ok(noted.status < 300, JSON.stringify(noted.body));
      let { json } = await both(api.app, 'requests', `/open311/v2/requests/${id}`);
      assert.equal(json[0].status, 'open');
      assert.equal(json[0].status_notes, 'A crew will inspect and fill it this week.');
      assert.equal(json[0].service_notice, 'A crew will inspect and fill it this week.');
      assert.equal(json[0].updated_datetime, '2026-11-23T11:00:00-05:00');
      api.clock.advance(60 * 60_000);
      const updated = await roads.post(`/api/v1/cases/${id}/updates`, { status: 'Waiting for asphalt.', timeline: '2026-12-04', reason: 'The plant is closed.', method: 'record' });
      assert.equal(updated.status, 200, JSON.stringify(updated.body));
      ({ json } = await both(api.app, 'requests', `/open311/v2/requests/${id}`));
      assert.equal(json[0].status_notes, 'Waiting for asphalt.');
      assert.match(json[0].expected_datetime, /^2026-12-04T\d\d:\d\d:\d\d-05:00$/);
      api.clock.advance(60 * 60_000);
      const resolved = await roads.post(`/api/v1/cases/${id}/resolve`, { resolution: 'Filled with hot asphalt.', method: 'record' });
      assert.equal(resolved.status, 200, JSON.stringify(resolved.body));
      ({ json } = await both(api.app, 'requests', `/open311/v2/requests/${id}?extensions=true`));
      assert.equal(json[0].status, 'closed');
      assert.equal(json[0].status_notes, 'Filled with hot asphalt.');
      assert.equal(json[0].updated_datetime, '2026-11-23T13:00:00-05:00');
      assert.deepEqual(json[0].attributes, [{ code: 'road_class', value: '3' }]);
      assert.deepEqual(json[0].extended_attributes, { channel: 'open311' });
      assert.deepEqual(
        json[0].notes.map((n: { type: string }) => n.type),
        ['opened', 'acknowledged', 'updated', 'closed'],
      );
      const text = JSON.stringify(json);
      assert.doesNotMatch(text, /short-staffed|crew 7/);
      // The acknowledgment's contact is not shown; a phone number in public text would be taken out.
      assert.doesNotMatch(text, /324-9411/);
      const { json: closed } = await both(api.app, 'requests', '/open311/v2/requests?status=closed');
      assert.ok(closed.some((r: { service_request_id: string }) => r.service_request_id === id));
    });

    test('tokens: every service is realtime, so a token does not exist (404)', async () => {
      const { status, json } = await both(api.app, 'requests', '/open311/v2/tokens/abc123');
      assert.equal(status, 404);
      assert.match(json[0].description, /realtime/);
    });

    test('a path without a format, or with another, is 400 in JSON; an unknown path is 404', async () => {
      for (const [url, status, says] of [
        ['/open311/v2/requests', 400, /requests\.json or requests\.xml/],
        ['/open311/v2/services.html', 400, /not a format/],
        ['/open311/v2/widgets.json', 404, /nothing at/],
        ['/open311/v3/services.json', 404, /nothing at/],
        ['/open311/discovery', 400, /discovery\.json/],
      ] as const) {
        const response = await api.app.inject({ url });
        assert.equal(response.statusCode, status, `${url}: ${response.body}`);
        assert.equal(response.headers['content-type'], 'application/json; charset=utf-8');
        const body = JSON.parse(response.body);
        assert.equal(body[0].code, status);
        assert.match(body[0].description, says);
      }
    });

    test('the staff JSON API still refuses a form-encoded body with 415', async () => {
      const response = await cs.raw({ method: 'POST', url: '/api/v1/cases', headers: formHeaders, payload: 'kind=service_request' });
      assert.equal(response.status, 415, JSON.stringify(response.body));
      assert.equal(response.body.error.code, 'UNSUPPORTED_MEDIA_TYPE');
    });

    test('a change made by staff shows in the next GET: an answer kept in the cache is dropped when a case changes', async () => {
      const created = await cs.post('/api/v1/cases', potholeByPhone());
      const id = created.body.case.reference as string;
      const first = await both(api.app, 'requests', `/open311/v2/requests?service_request_id=${id}`);
      assert.equal(first.json[0].status, 'open');
      const again = await api.app.inject({ url: `/open311/v2/requests.json?service_request_id=${id}` });
      assert.equal(again.headers['x-cache'], 'hit');
      assert.equal((await roads.post(`/api/v1/cases/${id}/resolve`, { resolution: 'Filled.', method: 'record' })).status, 200);
      const after = await both(api.app, 'requests', `/open311/v2/requests?service_request_id=${id}`);
      assert.equal(after.json[0].status, 'closed');
    });

    test('submissions are limited per address: past the limit, 429 in the Open311 error shape', async () => {
      let last;
      for (let i = 0; i < 121; i += 1) {
        last = await api.app.inject({ method: 'POST', url: '/open311/v2/requests.xml', headers: formHeaders, payload: 'api_key=wrong', remoteAddress: '10.99.0.1' });
      }
      assert.equal(last!.statusCode, 429, last!.body);
      assert.match(last!.body, /<errors><error><code>429<\/code><description>Too many requests/);
    });

    test('submissions are limited per api_key too, whatever the address: past 300 a minute, 429 naming the key', async () => {
      const { key: busyKey } = await createApiKey({ tx: api.db.kysely, name: 'Busy client', now: api.clock.now() });
      // Submissions the key's limit counts (they get as far as the service_code check), from three addresses under their own limit.
      for (let i = 0; i < submissionsPerKey; i += 1) {
        const response = await api.app.inject({ method: 'POST', url: '/open311/v2/requests.json', headers: formHeaders, payload: form({ api_key: busyKey }), remoteAddress: `10.98.0.${i % 3}` });
        assert.equal(response.statusCode, 400, response.body);
      }
      const over = await api.app.inject({ method: 'POST', url: '/open311/v2/requests.json', headers: formHeaders, payload: form({ api_key: busyKey }), remoteAddress: '10.98.0.9' });
      assert.equal(over.statusCode, 429, over.body);
      assert.match(JSON.parse(over.body)[0].description, /Too many submissions with this api_key \(at most 300 a minute\)/);
      // Another key is not held back by it.
      const other = await api.app.inject({ method: 'POST', url: '/open311/v2/requests.json', headers: formHeaders, payload: form({ api_key: key }), remoteAddress: '10.98.0.9' });
      assert.equal(other.statusCode, 400, other.body);
    });
  });
}
