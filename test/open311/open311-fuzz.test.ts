/**
 * Fuzzed and malformed Open311 submissions never get a 5xx: a few thousand generated form bodies
 * and paths, each answered with 2xx or an Open311 error list (GeoReport v2 errors) in the format
 * asked for.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startApi, type TestApi } from '../helpers/api.js';
import { testEngines } from '../helpers/db.js';
import { createApiKey } from '../../src/open311/api-keys.js';

const runs = Number(process.env['OPEN311_FUZZ_RUNS'] ?? 2500);

for (const engine of testEngines().slice(0, 1)) {
  describe(`fuzzed Open311 requests on ${engine.name}`, () => {
    let api: TestApi;
    const keys: string[] = [];
    let n = 0;

    before(async () => {
      api = await startApi(engine, '2026-11-23T15:00:00Z');
      for (let i = 0; i < 12; i += 1) keys.push((await createApiKey({ tx: api.db.kysely, name: `fuzz ${i}`, now: api.clock.now() })).key);
    });
    after(() => api.close());

    const check = (response: { statusCode: number; body: string; headers: Record<string, unknown> }, what: string) => {
      assert.ok(response.statusCode < 500, `${what}: ${response.statusCode} ${response.body.slice(0, 500)}`);
      if (response.statusCode >= 400) {
        const type = String(response.headers['content-type']);
        if (type.startsWith('application/json')) {
          const body = JSON.parse(response.body);
          assert.ok(Array.isArray(body) && typeof body[0].code === 'number' && typeof body[0].description === 'string', `${what}: ${response.body.slice(0, 300)}`);
        } else {
          assert.match(response.body, /^<\?xml version="1.0" encoding="utf-8"\?>\n<errors><error><code>\d{3}<\/code><description>/, what);
        }
      }
    };

    const names = fc.constantFrom('api_key', 'service_code', 'lat', 'long', 'address_string', 'address_id', 'description', 'email', 'phone', 'first_name', 'last_name', 'device_id', 'account_id', 'media_url', 'jurisdiction_id', 'attribute[road_class]', 'attribute[road_class][]', 'attribute[stream]', 'attribute[x][y][z]', 'attribute', 'attribute[]', '__proto__', 'constructor[prototype]');
    const values = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.string({ unit: 'binary', maxLength: 30 }),
      fc.constantFrom('pothole', 'missed-collection', 'streetlight', '', '3', '44.35', '-78.74', '91', 'NaN', '1e309', '-0', 'garbage', 'kawarthalakes.ca', '%00', '%ED%A0%80', '%', '\u0000', '\ud800'),
      fc.double().map(String),
      fc.string({ minLength: 3990, maxLength: 4010 }),
    );
    const uri = (s: string) => {
      try {
        return encodeURIComponent(s);
      } catch {
        return '%ED%A0%80';
      }
    };
    const encode = (s: string) => (Math.random() < 0.1 ? s : uri(s).replace(/%25/g, Math.random() < 0.5 ? '%' : '%25'));

    test(`${runs} generated form-encoded POSTs never get a 5xx`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.tuple(names, values), { maxLength: 12 }), fc.boolean(), fc.constantFrom('json', 'xml', 'txt', ''), async (pairs, withKey, format, ) => {
          n += 1;
          const body = [...(withKey ? [['api_key', keys[n % keys.length]!] as const] : []), ['service_code', 'pothole'] as const, ['lat', '44.3'] as const, ['long', '-78.7'] as const, ...pairs]
            .map(([k, v]) => `${encode(k)}=${encode(v)}`)
            .join('&');
          const response = await api.app.inject({ method: 'POST', url: `/open311/v2/requests${format ? `.${format}` : ''}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: body, remoteAddress: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}` });
          check(response, `POST ${body.slice(0, 300)}`);
        }),
        { numRuns: runs },
      );
    });

    test(`${Math.ceil(runs / 4)} generated POSTs and GETs of servicerequestupdates (the mySociety extension) never get a 5xx`, async () => {
      const created = await api.app.inject({ method: 'POST', url: '/open311/v2/requests.json', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `api_key=${keys[0]}&service_code=pothole&lat=44.3&long=-78.7`, remoteAddress: '10.202.0.1' });
      const reference = JSON.parse(created.body)[0].service_request_id as string;
      const fields = fc.constantFrom('api_key', 'service_request_id', 'update_id', 'update_id_ext', 'status', 'updated_datetime', 'description', 'media_url', 'media_url[]', 'first_name', 'last_name', 'email', 'phone', 'title', 'jurisdiction_id', 'attribute[usrn]', 'public_anonymity_required', '__proto__');
      const updateValues = fc.oneof(values, fc.constantFrom(reference, 'SR-2026-999999', 'GI-2026-000001', 'OPEN', 'REOPEN', 'closed', 'FIXED', '2026-11-23T10:15:00-05:00', '2026-11-23T15:15:00Z', '2026-02-30T25:00', 'https://fms.example.org/1.jpeg'));
      await fc.assert(
        fc.asyncProperty(fc.array(fc.tuple(fields, updateValues), { maxLength: 10 }), fc.boolean(), fc.constantFrom('json', 'xml'), async (pairs, complete, format) => {
          n += 1;
          const base = complete ? [['api_key', keys[n % keys.length]!], ['service_request_id', reference], ['update_id', `u${n}`], ['status', 'OPEN'], ['updated_datetime', '2026-11-23T10:15:00-05:00'], ['description', 'x']] : [];
          const body = [...base, ...pairs].map(([k, v]) => `${encode(k!)}=${encode(v!)}`).join('&');
          const response = await api.app.inject({ method: 'POST', url: `/open311/v2/servicerequestupdates.${format}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: body, remoteAddress: `10.203.${(n >> 8) & 255}.${n & 255}` });
          check(response, `POST updates ${body.slice(0, 300)}`);
          const query = pairs.filter(([k]) => ['start_date', 'end_date', 'api_key', 'jurisdiction_id'].includes(k) || Math.random() < 0.5).map(([k, v]) => `${Math.random() < 0.5 ? 'start_date' : k === 'api_key' ? k : 'end_date'}=${uri(v)}`);
          check(await api.app.inject({ url: `/open311/v2/servicerequestupdates.${format}?${query.join('&')}`, remoteAddress: `10.204.${(n >> 8) & 255}.${n & 255}` }), `GET updates ?${query.join('&').slice(0, 300)}`);
        }),
        { numRuns: Math.ceil(runs / 4) },
      );
    });

    test('generated GET paths and query strings, and odd bodies and content types, never get a 5xx', async () => {
      const segment = fc.oneof(fc.constantFrom('requests', 'services', 'request', 'tokens', 'discovery', 'v2', 'pothole', 'SR-2026-000001', 'GI-2026-000001', 'servicerequestupdates'), fc.string({ maxLength: 12 }).map((s) => uri(s)));
      const query = fc.array(fc.tuple(fc.constantFrom('service_request_id', 'service_code', 'status', 'start_date', 'end_date', 'page', 'page_size', 'extensions', 'jurisdiction_id', 'api_key'), values), { maxLength: 6 });
      await fc.assert(
        fc.asyncProperty(fc.array(segment, { minLength: 1, maxLength: 3 }), fc.constantFrom('.json', '.xml', '', '.html'), query, async (segments, ext, pairs) => {
          n += 1;
          const url = `/open311/v2/${segments.join('/')}${ext}?${pairs.map(([k, v]) => `${k}=${uri(v)}`).join('&')}`;
          check(await api.app.inject({ url, remoteAddress: `10.200.${(n >> 8) & 255}.${n & 255}` }), `GET ${url}`);
        }),
        { numRuns: Math.ceil(runs / 2) },
      );
      for (const [type, payload] of [
        ['application/json', '{"api_key": '],
        ['application/json', '[1,2]'],
        ['application/json', '"text"'],
        ['text/plain', 'api_key=x'],
        ['multipart/form-data; boundary=x', '--x--'],
        ['application/x-www-form-urlencoded', 'a'.repeat(70_000)],
        ['application/x-www-form-urlencoded', Array.from({ length: 500 }, (_, i) => `p${i}=1`).join('&')],
        ['application/x-www-form-urlencoded', 'attribute[a][b][c][d]=1'],
        ['application/x-www-form-urlencoded', `api_key=${keys[0]}&service_code=pothole&lat=44&long=-78&attribute[road_class][999]=3`],
      ] as const) {
        n += 1;
        check(await api.app.inject({ method: 'POST', url: '/open311/v2/requests.xml', headers: { 'content-type': type }, payload, remoteAddress: `10.201.0.${n & 255}` }), `POST ${type} ${payload.slice(0, 60)}`);
      }
    });
  });
}
