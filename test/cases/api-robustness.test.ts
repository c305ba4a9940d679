/**
 * Bad input to the staff API gets a 4xx with `{"error": {"code", "message"}}` whose message says
 * what to fix, and never a 5xx: hand-written cases first, then a few hundred generated bodies.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { demo, inquiryByPhone, potholeByPhone, startApi, type ApiResponse, type Client, type TestApi } from '../helpers/api.js';
import { testEngines } from '../helpers/db.js';

const now = '2026-11-23T15:00:00Z';
const json = { 'content-type': 'application/json' };

const show = (response: ApiResponse): string => `${response.status} ${JSON.stringify(response.body)?.slice(0, 500)}`;

/** A 4xx with the error shape; optionally its status, code and what the message must say. */
function assertClientError(response: ApiResponse, expected: { status?: number; code?: string; says?: RegExp[] } = {}): void {
  assert.ok(response.status >= 400 && response.status < 500, `expected a 4xx, got ${show(response)}`);
  const error = response.body?.error;
  assert.ok(error && typeof error === 'object', `expected {"error": {...}}, got ${show(response)}`);
  assert.equal(typeof error.code, 'string', `error.code: ${show(response)}`);
  assert.equal(typeof error.message, 'string', `error.message: ${show(response)}`);
  assert.ok(error.message.trim().length > 0, `an empty message: ${show(response)}`);
  if (expected.status !== undefined) assert.equal(response.status, expected.status, show(response));
  if (expected.code !== undefined) assert.equal(error.code, expected.code, show(response));
  for (const pattern of expected.says ?? []) assert.match(error.message, pattern, show(response));
}

/** Any response but a 5xx; a 4xx must have the error shape. */
function assertNoServerError(response: ApiResponse, what: string): void {
  assert.ok(response.status < 500, `${what}: ${show(response)}`);
  if (response.status >= 400) assertClientError(response);
}

const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * The generated bodies leave out U+0000 and lone surrogates, which each have their own test
 * below, so that they look for new failures.
 */
function withoutKnownBugs(value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll('\u0000', '').replace(loneSurrogate, '');
  if (Array.isArray(value)) return value.map(withoutKnownBugs);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [withoutKnownBugs(k) as string, withoutKnownBugs(v)]));
  return value;
}

for (const engine of testEngines()) {
  describe(`the staff API on ${engine.name} answers bad input with a 4xx that says what to fix`, () => {
    let api: TestApi;
    let cs: Client;
    let roads: Client;
    /** An open pothole (Roads Operations) and an open inquiry (Customer Service). */
    let pothole: string;
    let inquiry: string;

    const newPothole = async (): Promise<string> => {
      const created = await cs.post('/api/v1/cases', potholeByPhone());
      assert.equal(created.status, 201, show(created));
      return created.body.case.reference;
    };
    const newInquiry = async (): Promise<string> => {
      const created = await cs.post('/api/v1/cases', inquiryByPhone({ division: undefined }));
      assert.equal(created.status, 201, show(created));
      return created.body.case.reference;
    };
    const anonymous = async (method: 'GET' | 'POST', url: string, headers: Record<string, string> = {}, payload?: unknown): Promise<ApiResponse> => {
      const response = await api.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as string }) });
      return { status: response.statusCode, body: response.body ? JSON.parse(response.body) : undefined, headers: response.headers };
    };

    before(async () => {
      api = await startApi(engine, now);
      cs = await api.as(demo.csRep);
      roads = await api.as(demo.roadsStaff);
      pothole = await newPothole();
      inquiry = await newInquiry();
    });
    after(() => api.close());

    test('a malformed JSON body is refused, on intake and on an action', async () => {
      for (const url of ['/api/v1/cases', `/api/v1/cases/${pothole}/acknowledge`, `/api/v1/cases/${pothole}/notes`]) {
        for (const payload of ['{"kind":', '{nope}', "{'kind': 'inquiry'}", '{"a":1,}', '[1, 2', '\u00ff\u00fe']) {
          const response = await roads.raw({ method: 'POST', url, payload, headers: json });
          assertClientError(response, { status: 400, code: 'VALIDATION_FAILED', says: [/not valid JSON/, /well-formed JSON object/] });
        }
      }
    });

    test('an empty body, or JSON that is not an object, is refused', async () => {
      const empty = await cs.raw({ method: 'POST', url: '/api/v1/cases', payload: '', headers: json });
      assertClientError(empty, { status: 400, code: 'VALIDATION_FAILED', says: [/empty/, /JSON object/] });
      const none = await cs.raw({ method: 'POST', url: '/api/v1/cases' });
      assertClientError(none, { status: 400, code: 'VALIDATION_FAILED', says: [/body must be object/] });
      for (const payload of ['null', '42', '"a pothole"', '[]', 'true']) {
        for (const url of ['/api/v1/cases', `/api/v1/cases/${pothole}/notes`]) {
          const response = await cs.raw({ method: 'POST', url, payload, headers: json });
          assertClientError(response, { status: 400, code: 'VALIDATION_FAILED', says: [/body must be object/] });
        }
      }
    });

    test('a content type other than JSON is refused with 415', async () => {
      for (const type of ['application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        const response = await cs.raw({ method: 'POST', url: '/api/v1/cases', payload: JSON.stringify(potholeByPhone()), headers: { 'content-type': type } });
        assertClientError(response, { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', says: [/Content-Type: application\/json/] });
      }
    });

    test(
      'text/plain is refused with 415 UNSUPPORTED_MEDIA_TYPE',
      async () => {
        const response = await cs.raw({ method: 'POST', url: '/api/v1/cases', payload: JSON.stringify(potholeByPhone()), headers: { 'content-type': 'text/plain' } });
        assertClientError(response, { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', says: [/application\/json/] });
      },
    );

    test('a value of the wrong type names the field and the type it needs', async () => {
      const cases: [string, Record<string, unknown>, RegExp[]][] = [
        ['latitude as a string', potholeByPhone({ location: { latitude: '44.35', longitude: -78.74 } }), [/location\.latitude/, /must be number/]],
        ['summaryConfirmed as "yes"', potholeByPhone({ summaryConfirmed: 'yes' }), [/summaryConfirmed/, /must be boolean/]],
        ['attributes as an array', potholeByPhone({ attributes: ['3'] }), [/attributes/, /must be object/]],
        ['an attribute as a number', potholeByPhone({ attributes: { road_class: 3 } }), [/attributes\.road_class/]],
        ['kind unknown', potholeByPhone({ kind: 'complaint' }), [/kind/]],
        ['customer as a string', potholeByPhone({ customer: 'Dana' }), [/customer/, /must be object/]],
        ['description as null', potholeByPhone({ description: null }), [/description/, /must be string/]],
      ];
      for (const [what, body, says] of cases) {
        const response = await cs.post('/api/v1/cases', body);
        assertClientError(response, { status: 400, code: 'VALIDATION_FAILED', says });
        assert.ok(Array.isArray(response.body.error.details), `${what}: details`);
      }
      const owner = await roads.post(`/api/v1/cases/${pothole}/assign`, { ownerId: '3' });
      assertClientError(owner, { status: 400, code: 'VALIDATION_FAILED', says: [/ownerId/, /must be integer/] });
      const fraction = await roads.post(`/api/v1/cases/${pothole}/assign`, { ownerId: 1.5 });
      assertClientError(fraction, { status: 400, code: 'VALIDATION_FAILED', says: [/ownerId/, /must be integer/] });
      const automated = await roads.post(`/api/v1/cases/${pothole}/acknowledge`, { nextSteps: 'x', contact: 'y', automated: 'no' });
      assertClientError(automated, { status: 400, code: 'VALIDATION_FAILED', says: [/automated/, /must be boolean/] });
    });

    test('a missing required field is named', async () => {
      const body = potholeByPhone();
      delete body['summary'];
      assertClientError(await cs.post('/api/v1/cases', body), { status: 400, code: 'VALIDATION_FAILED', says: [/summary/, /required/] });
      assertClientError(await roads.post(`/api/v1/cases/${pothole}/transfer`, { note: 'wrong division' }), { status: 400, code: 'VALIDATION_FAILED', says: [/toDivision/] });
      assertClientError(await roads.post(`/api/v1/cases/${pothole}/notes`, {}), { status: 400, code: 'VALIDATION_FAILED', says: [/text/] });
    });

    test('an unknown field is refused, at the top level and nested', async () => {
      const top = await cs.post('/api/v1/cases', potholeByPhone({ colour: 'red' }));
      assertClientError(top, { status: 400, code: 'VALIDATION_FAILED', says: [/colour/, /not a field this request takes/] });
      const action = await roads.post(`/api/v1/cases/${pothole}/notes`, { text: 'x', pinned: true });
      assertClientError(action, { status: 400, code: 'VALIDATION_FAILED', says: [/pinned/] });
      const nested = await cs.post('/api/v1/cases', potholeByPhone({ customer: { name: 'Dana Resident', nickname: 'DR' } }));
      assertClientError(nested, { status: 400, code: 'VALIDATION_FAILED', says: [/customer\.nickname/, /not a field this request takes/] });
    });

    test(
      'a nested unknown field is named in the message (customer.nickname)',
      async () => {
        const nested = await cs.post('/api/v1/cases', potholeByPhone({ customer: { name: 'Dana Resident', nickname: 'DR' } }));
        assertClientError(nested, { status: 400, code: 'VALIDATION_FAILED', says: [/nickname/] });
      },
    );

    test('text over its limit is refused with the limit; a body over 1 MB with 413', async () => {
      const long = await cs.post('/api/v1/cases', potholeByPhone({ description: 'x'.repeat(4001) }));
      assertClientError(long, { status: 400, code: 'VALIDATION_FAILED', says: [/description/, /4000 characters/] });
      const at = await cs.post('/api/v1/cases', potholeByPhone({ description: 'x'.repeat(4000) }));
      assert.equal(at.status, 201, show(at));
      const note = await roads.post(`/api/v1/cases/${pothole}/notes`, { text: 'x'.repeat(4001) });
      assertClientError(note, { status: 400, code: 'VALIDATION_FAILED', says: [/text/, /4000 characters/] });
      const key = await cs.post('/api/v1/cases', potholeByPhone(), { 'idempotency-key': 'k'.repeat(201) });
      assertClientError(key, { status: 400, code: 'VALIDATION_FAILED', says: [/idempotency-key/i, /200/] });
      for (const url of ['/api/v1/cases', `/api/v1/cases/${pothole}/notes`]) {
        const huge = await cs.post(url, potholeByPhone({ description: 'x'.repeat(1_100_000) }));
        assertClientError(huge, { status: 413, code: 'PAYLOAD_TOO_LARGE', says: [/too large/, /1 MB/] });
      }
    });

    test('a malformed reference is refused; a well-formed absent one is 404 NOT_FOUND', async () => {
      for (const reference of ['SR-26-1', '%00', 'sr-2026-000001', 'SR-2026-00001', 'XX-2026-000001', `SR-2026-${'1'.repeat(60)}`, '%F0%9F%95%B3']) {
        assertClientError(await cs.get(`/api/v1/cases/${reference}`), { status: 400, code: 'VALIDATION_FAILED', says: [/reference/] });
        assertClientError(await roads.post(`/api/v1/cases/${reference}/notes`, { text: 'x' }), { status: 400, code: 'VALIDATION_FAILED', says: [/reference/] });
      }
      const absent = await cs.get('/api/v1/cases/SR-2026-999999');
      assertClientError(absent, { status: 404, code: 'NOT_FOUND', says: [/SR-2026-999999/] });
      for (const [action, body] of [['acknowledge', { nextSteps: 'x', contact: 'y' }], ['notes', { text: 'x' }], ['resolve', { resolution: 'x' }], ['transfer/confirm', {}]] as const) {
        assertClientError(await roads.post(`/api/v1/cases/GI-2026-999999/${action}`, body), { status: 404, code: 'NOT_FOUND', says: [/GI-2026-999999/] });
      }
      assertClientError(await roads.post('/api/v1/cases/SR-2026-999999/notes', { text: 'x' }), { status: 404, code: 'NOT_FOUND', says: [/SR-2026-999999/] });
    });

    test('a 5000-character reference gets a 4xx', async () => {
      const response = await cs.raw({ method: 'GET', url: `/api/v1/cases/${'S'.repeat(5000)}` });
      assert.ok(response.status >= 400 && response.status < 500, show(response));
    });

    test(
      'a 5000-character reference gets the error shape, without the id echoed back',
      async () => {
        const response = await cs.raw({ method: 'GET', url: `/api/v1/cases/${'S'.repeat(5000)}` });
        assertClientError(response);
        assert.ok(JSON.stringify(response.body).length < 1000, 'the message echoes the 5000-character id');
      },
    );

    test('an unknown queue, a bad limit or offset, or an unknown query parameter is refused', async () => {
      assertClientError(await cs.get('/api/v1/queues/nope'), { status: 400, code: 'VALIDATION_FAILED', says: [/queue/] });
      for (const query of ['limit=abc', 'limit=-1', 'limit=99999', 'limit=1.5', 'limit=', 'limit=1&limit=2', 'offset=x', 'offset=12345678']) {
        const response = await cs.get(`/api/v1/queues/mine?${query}`);
        assertClientError(response, { status: 400, code: 'VALIDATION_FAILED', says: [query.startsWith('limit') ? /limit/ : /offset/] });
      }
      assertClientError(await cs.get('/api/v1/queues/mine?sort=desc'), { status: 400, code: 'VALIDATION_FAILED', says: [/sort/] });
      assertClientError(await cs.get('/api/v1/queues/mine?division=atlantis'), { status: 400, code: 'VALIDATION_FAILED', says: [/atlantis/, /division/] });
      const fine = await cs.get('/api/v1/queues/mine?limit=5&offset=0');
      assert.equal(fine.status, 200, show(fine));
    });

    test(
      'an unknown queue name is answered with the queue names',
      async () => {
        const response = await cs.get('/api/v1/queues/nope');
        assertClientError(response, { status: 400, code: 'VALIDATION_FAILED', says: [/mine/, /acknowledge-overdue/] });
        assert.doesNotMatch(response.body.error.message, /equal to constant.*equal to constant/);
      },
    );

    test('without a session, or with a bogus one, the API answers 401 UNAUTHENTICATED saying how to sign in', async () => {
      const says = [/Sign in/, /POST \/api\/v1\/session/];
      const body = JSON.stringify(potholeByPhone());
      const requests: [string, 'GET' | 'POST', string, string | undefined][] = [
        ['case', 'GET', `/api/v1/cases/${pothole}`, undefined],
        ['intake', 'POST', '/api/v1/cases', body],
        ['note', 'POST', `/api/v1/cases/${pothole}/notes`, JSON.stringify({ text: 'x' })],
        ['queue', 'GET', '/api/v1/queues/mine', undefined],
        ['session', 'GET', '/api/v1/session', undefined],
      ];
      const credentials: Record<string, string>[] = [
        {},
        { authorization: 'Bearer nope' },
        { authorization: 'Bearer ' },
        { authorization: `Bearer ${'z'.repeat(4000)}` },
        { authorization: 'Basic Y3MucmVwOmNpdHlkZXNrLWRlbW8tMjAyNQ==' },
        { cookie: 'citydesk_session=forged' },
      ];
      for (const [what, method, url, payload] of requests) {
        for (const headers of credentials) {
          const response = await anonymous(method, url, { ...headers, ...(payload ? json : {}) }, payload);
          assertClientError(response, { status: 401, code: 'UNAUTHENTICATED', says });
          assert.ok(!JSON.stringify(response.body).includes('Casey'), `${what}: leaks a case`);
        }
      }
      const wrongPassword = await anonymous('POST', '/api/v1/session', json, JSON.stringify({ email: demo.csRep, password: 'guess' }));
      assertClientError(wrongPassword, { status: 401 });
    });

    test('a bad date is refused with an example of a good one', async () => {
      const received = await cs.post('/api/v1/cases', potholeByPhone({ receivedAt: 'yesterday' }));
      assertClientError(received, { status: 400, code: 'VALIDATION_FAILED', says: [/receivedAt|yesterday/, /2026-11-26T10:15/] });
      const future = await cs.post('/api/v1/cases', potholeByPhone({ receivedAt: '2027-01-01T10:00' }));
      assertClientError(future, { status: 400, code: 'VALIDATION_FAILED', says: [/future/] });
      for (const timeline of ['soon', '2026-02-30', '2026-12-01T25:00', '2026-11-01']) {
        const response = await cs.post(`/api/v1/cases/${inquiry}/acknowledge`, { nextSteps: 'We will call.', contact: '705-555-0100', timeline });
        assertClientError(response, { status: 400, code: 'VALIDATION_FAILED', says: [/timeline|not a date/, /2026-12-04|future/] });
      }
    });

    test(
      'U+0000 in any text field is refused with a 4xx, not a 500',
      async () => {
        const nul = 'a\u0000b';
        const failures: string[] = [];
        const check = (what: string, response: ApiResponse): void => {
          if (response.status >= 500 || response.status < 400) failures.push(`${what}: ${show(response)}`);
        };
        check('description', await cs.post('/api/v1/cases', potholeByPhone({ description: nul })));
        check('summary', await cs.post('/api/v1/cases', potholeByPhone({ summary: nul })));
        check('customer.name', await cs.post('/api/v1/cases', potholeByPhone({ customer: { name: nul } })));
        check('location.address', await cs.post('/api/v1/cases', potholeByPhone({ location: { address: nul } })));
        check('channel', await cs.post('/api/v1/cases', potholeByPhone({ channel: nul })));
        check('requestType', await cs.post('/api/v1/cases', potholeByPhone({ requestType: nul })));
        check('division', await cs.post('/api/v1/cases', inquiryByPhone({ division: nul })));
        check('resolveAtFirstContact.answer', await cs.post('/api/v1/cases', inquiryByPhone({ division: undefined, resolveAtFirstContact: { answer: nul } })));
        check('notes text', await roads.post(`/api/v1/cases/${await newPothole()}/notes`, { text: nul }));
        check('transfer toDivision', await roads.post(`/api/v1/cases/${await newPothole()}/transfer`, { toDivision: nul, note: 'x' }));
        check('transfer note', await roads.post(`/api/v1/cases/${await newPothole()}/transfer`, { toDivision: 'traffic-streetlights', note: nul }));
        check('acknowledge nextSteps', await cs.post(`/api/v1/cases/${await newInquiry()}/acknowledge`, { nextSteps: nul, contact: 'x', timeline: '2026-12-04' }));
        assert.deepEqual(failures, []);
      },
    );

    test(
      'a lone UTF-16 surrogate (JSON "\\ud800") in text kept in a case event is refused with a 4xx, not a 500',
      async () => {
        const failures: string[] = [];
        const send = async (what: string, client: Client, url: string, body: Record<string, unknown>): Promise<void> => {
          // "\ud800" travels as a JSON escape: well-formed JSON text whose string is not well-formed Unicode.
          const payload = JSON.stringify(body).replace('"@"', '"a\\ud800b"');
          const response = await client.raw({ method: 'POST', url, payload, headers: json });
          if (response.status >= 500 || response.status < 400) failures.push(`${what}: ${show(response)}`);
        };
        await send('notes text', roads, `/api/v1/cases/${await newPothole()}/notes`, { text: '@' });
        await send('resolve resolution', roads, `/api/v1/cases/${await newPothole()}/resolve`, { resolution: '@' });
        await send('transfer note', roads, `/api/v1/cases/${await newPothole()}/transfer`, { toDivision: 'traffic-streetlights', note: '@' });
        await send('acknowledge nextSteps', cs, `/api/v1/cases/${await newInquiry()}/acknowledge`, { nextSteps: '@', contact: 'x', timeline: '2026-12-04' });
        await send('resolveAtFirstContact.answer', cs, '/api/v1/cases', inquiryByPhone({ division: undefined, resolveAtFirstContact: { answer: '@' } }));
        assert.deepEqual(failures, []);
      },
    );

    test(
      'an owner id beyond the integer range is refused with a 4xx',
      async () => {
        for (const ownerId of [2147483648, 1e20]) {
          assertClientError(await roads.post(`/api/v1/cases/${await newPothole()}/assign`, { ownerId }), { status: 400, says: [/ownerId/] });
        }
      },
    );

    test(
      'a timeline on 0000-01-01 is refused as a date in the past',
      async () => {
        const response = await cs.post(`/api/v1/cases/${await newInquiry()}/acknowledge`, { nextSteps: 'We will call.', contact: '705-555-0100', timeline: '0000-01-01' });
        assertClientError(response, { status: 400, code: 'VALIDATION_FAILED', says: [/timeline/] });
      },
    );

    test(
      'a timeline beyond year 9999 is answered without a 500',
      async () => {
        const response = await cs.post(`/api/v1/cases/${await newInquiry()}/acknowledge`, { nextSteps: 'We will call.', contact: '705-555-0100', timeline: '+010000-01-01T00:00' });
        assertNoServerError(response, 'timeline +010000-01-01T00:00');
      },
    );

    test(
      'a timeline a century away does not stall the server',
      async () => {
        const started = performance.now();
        const response = await cs.post(`/api/v1/cases/${await newInquiry()}/acknowledge`, { nextSteps: 'We will call.', contact: '705-555-0100', timeline: '2126-11-23' });
        const elapsed = performance.now() - started;
        assertNoServerError(response, 'timeline 2126-11-23');
        assert.ok(elapsed < 500, `took ${Math.round(elapsed)} ms`);
      },
    );

    describe('generated bodies never get a 5xx', () => {
      /** Any JSON value, of any shape, with any Unicode in strings and keys. */
      const anyValue = fc.anything({ stringUnit: 'binary', maxDepth: 3, withNullPrototype: false }).map(withoutKnownBugs);
      /** Values that sit on the edges of what the schema allows. */
      const edgeValue = fc.oneof(
        anyValue,
        fc.constantFrom('', ' ', '\t', '0', '-1', 'null', 'true', '{}', '[]', 'SR-2026-000001', 'x'.repeat(4000), 'x'.repeat(4001), 'é'.repeat(2000)),
        fc.constantFrom(0, -0, 1, -1, 90, -90, 90.0000001, 180, -180.5, 2 ** 31, 2 ** 53, 1e308, -1e308, 5e-324, 0.1),
        fc.constantFrom(null, true, false, [], {}, [[]], { '': '' }, ['3'], ['2', '3'], { road_class: '3' }),
        // Dates near "now" only: far years are refused outright (see the test above).
        fc.date({ min: new Date('2025-06-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true }).chain((d) =>
          fc.constantFrom(d.toISOString(), d.toISOString().slice(0, 10), d.toISOString().slice(0, 16), `${d.toISOString().slice(0, 16)}-05:00`),
        ),
        fc.string({ unit: 'grapheme', maxLength: 60 }),
      );

      /** Text a field of type string might get: any Unicode, blanks, limits, and the codes citydesk knows. */
      const textValue = fc.oneof(
        fc.string({ unit: 'binary', maxLength: 80 }).map((t) => withoutKnownBugs(t) as string),
        fc.string({ unit: 'binary-ascii', maxLength: 40 }).map((t) => withoutKnownBugs(t) as string),
        fc.string({ unit: 'grapheme', maxLength: 80 }),
        fc.constantFrom('', ' ', ' \n\t ', 'x'.repeat(1000), 'x'.repeat(4000), '<script>alert(1)</script>', "'; drop table service_case; --", '🕳️'),
        fc.constantFrom('phone', 'email', 'in_person', 'web_portal', 'social_media', 'after_hours_emergency', 'inquiry', 'service_request'),
        fc.constantFrom('pothole', 'sidewalk-hazard', 'road-sign', 'customer-service', 'roads-operations', 'traffic-streetlights', 'revenue-taxation', 'lindsay', 'omemee'),
        fc.constantFrom('email', 'phone', 'letter', 'in_person', 'record', 'none', 'dana@example.org', 'not-an-email', '705-555-0142 ext 9', '12', '2', '3', 'unknown'),
        fc.date({ min: new Date('2025-06-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
      );
      const numberValue = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.double({ min: -200, max: 200, noNaN: true }), fc.integer());

      type Body = Record<string, unknown>;
      /** A field's value replaced by another of the same JSON type (so it passes the schema more often). */
      const sameKind = (current: unknown, choice: { text: string; flag: boolean; number: number; inner: number }): unknown => {
        if (typeof current === 'string') return choice.text;
        if (typeof current === 'boolean') return choice.flag;
        if (typeof current === 'number') return choice.number;
        if (current && typeof current === 'object' && !Array.isArray(current)) {
          const keys = Object.keys(current);
          if (keys.length === 0) return { [choice.text]: choice.text };
          const key = keys[choice.inner % keys.length]!;
          return { ...current, [key]: sameKind((current as Body)[key], choice) };
        }
        return current;
      };
      const choice = fc.record({ text: textValue, flag: fc.boolean(), number: numberValue, inner: fc.nat() });

      /** A valid body with fields retyped, replaced, removed, added, or nested values changed. */
      const mutated = (base: Body): fc.Arbitrary<unknown> => {
        const keys = Object.keys(base);
        const edit = fc.oneof(
          { weight: 4, arbitrary: fc.record({ op: fc.constant('same-kind' as const), key: fc.constantFrom(...keys), choice }) },
          { weight: 1, arbitrary: fc.record({ op: fc.constant('replace' as const), key: fc.constantFrom(...keys), value: edgeValue }) },
          { weight: 1, arbitrary: fc.record({ op: fc.constant('remove' as const), key: fc.constantFrom(...keys) }) },
          {
            weight: 1,
            arbitrary: fc.record({
              op: fc.constant('add' as const),
              key: fc.oneof(fc.string({ unit: 'grapheme-ascii', maxLength: 12 }), fc.constantFrom('serviceCentre', 'division', 'requestType', 'receivedAt', 'resolveAtFirstContact', 'ownerId', 'method', 'automated')),
              value: fc.oneof(edgeValue, textValue, fc.record({ answer: textValue })),
            }),
          },
          {
            weight: 1,
            arbitrary: fc.record({ op: fc.constant('nested' as const), key: fc.constantFrom(...keys), known: fc.nat(), inner: fc.option(fc.string({ unit: 'grapheme-ascii', maxLength: 12 })), value: edgeValue }),
          },
        );
        return fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => {
          const body: Body = structuredClone(base);
          for (const e of edits) {
            if (e.op === 'remove') delete body[e.key];
            else if (e.op === 'same-kind') body[e.key] = sameKind(body[e.key], e.choice);
            else if (e.op === 'nested') {
              // Change a field of a nested object (customer.email, location.latitude, …) or add one.
              const current = body[e.key];
              const object = current && typeof current === 'object' && !Array.isArray(current) ? (current as Body) : {};
              const known = Object.keys(object);
              const inner = e.inner ?? (known.length > 0 ? known[e.known % known.length]! : 'x');
              body[e.key] = { ...object, [inner]: e.value };
            } else body[e.key] = e.value;
          }
          return withoutKnownBugs(body);
        });
      };
      const bodyFrom = (base: Body): fc.Arbitrary<unknown> =>
        fc.oneof({ weight: 1, arbitrary: anyValue }, { weight: 1, arbitrary: fc.object({ maxDepth: 2 }).map(withoutKnownBugs) }, { weight: 8, arbitrary: mutated(base) });
      const payloadOf = (body: unknown): string => JSON.stringify(body) ?? '';

      test('POST /api/v1/cases', async () => {
        const intake = fc.oneof(bodyFrom(potholeByPhone()), bodyFrom(inquiryByPhone({ division: undefined })));
        const key = fc.option(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 8 }), { nil: undefined });
        await fc.assert(
          fc.asyncProperty(intake, key, async (body, idempotencyKey) => {
            const response = await cs.raw({ method: 'POST', url: '/api/v1/cases', payload: payloadOf(body), headers: { ...json, ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) } });
            assertNoServerError(response, `POST /api/v1/cases ${payloadOf(body).slice(0, 300)}`);
          }),
          { numRuns: 300 },
        );
      });

      /** Each action on a case in the state it applies to; a success moves to a fresh case. */
      const actions: { name: string; base: Body; who: 'roads' | 'cs'; fresh: () => Promise<string> }[] = [
        {
          name: 'acknowledge',
          base: { nextSteps: 'A crew will inspect it this week.', contact: 'Roads Operations, 705-324-9411', timeline: '2026-12-04', method: 'email', note: 'Thank you.' },
          who: 'roads',
          fresh: () => newPothole(),
        },
        {
          name: 'acknowledge',
          base: { nextSteps: 'We will check the bill.', contact: 'Customer Service, 705-324-9411', timeline: '2026-12-04', method: 'phone' },
          who: 'cs',
          fresh: () => newInquiry(),
        },
        {
          name: 'updates',
          base: { status: 'Crew scheduled.', timeline: '2026-12-10', reason: 'Freezing rain.', method: 'email' },
          who: 'roads',
          fresh: async () => {
            const reference = await newPothole();
            const acknowledged = await roads.post(`/api/v1/cases/${reference}/acknowledge`, { nextSteps: 'Inspect.', contact: '705-324-9411' });
            assert.equal(acknowledged.status, 200, show(acknowledged));
            return reference;
          },
        },
        { name: 'transfer', base: { toDivision: 'traffic-streetlights', note: 'It is a sign, not a pothole.' }, who: 'roads', fresh: () => newPothole() },
        { name: 'resolve', base: { resolution: 'The pothole was filled.', method: 'email' }, who: 'roads', fresh: () => newPothole() },
        { name: 'notes', base: { text: 'Called the customer back.' }, who: 'roads', fresh: () => newPothole() },
      ];

      for (const action of actions) {
        test(`POST /api/v1/cases/<reference>/${action.name} as ${action.who === 'roads' ? 'Roads Operations' : 'Customer Service'}`, async () => {
          const client = action.who === 'roads' ? roads : cs;
          let reference = await action.fresh();
          await fc.assert(
            fc.asyncProperty(bodyFrom(action.base), async (body) => {
              const response = await client.raw({ method: 'POST', url: `/api/v1/cases/${reference}/${action.name}`, payload: payloadOf(body), headers: json });
              assertNoServerError(response, `${action.name} ${payloadOf(body).slice(0, 300)}`);
              // A change that went through moves on to a fresh case (notes and updates can repeat).
              if (response.status < 300 && action.name !== 'notes' && action.name !== 'updates') reference = await action.fresh();
            }),
            { numRuns: 60 },
          );
          // The untouched valid body still works: the mutations tested the paths around it.
          const valid = await client.post(`/api/v1/cases/${await action.fresh()}/${action.name}`, action.base);
          assert.ok(valid.status === 200 || valid.status === 204, show(valid));
        });
      }
    });
  });
}

describe('sign-in comes before anything else', () => {
  test('without a session, even a malformed body gets 401, not a hint about the body', async (t) => {
    const [engine] = testEngines();
    const api = await startApi(engine!, '2026-11-23T15:00:00Z');
    t.after(() => api.close());
    const response = await api.app.inject({ method: 'POST', url: '/api/v1/cases', payload: '{"kind": ', headers: { 'content-type': 'application/json' } });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().error.code, 'UNAUTHENTICATED');
  });
});
