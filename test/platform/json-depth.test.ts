/**
 * Issue #11, finding 6: a JSON body nested thousands of levels deep (about 20 KB) is a client's
 * mistake: 400 with a message saying so, never a 500 from a stack overflow, on the sign-in, the
 * staff API and Open311.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngines } from '../helpers/db.js';
import { demo, startApi, type TestApi } from '../helpers/api.js';
import { sessionToken } from '../helpers/sessions.js';
import { createApiKey } from '../../src/open311/api-keys.js';
import { jsonDepth } from '../../src/platform/json-body.js';
import { unstorableText } from '../../src/platform/http-errors.js';

const [engine] = testEngines();
const nested = (levels: number, open = '{"a":', close = '}') => `${open.repeat(levels)}1${close.repeat(levels)}`;

describe('deeply nested JSON bodies (issue #11 finding 6)', () => {
  let api: TestApi;
  let token: string;
  let key: string;
  before(async () => {
    api = await startApi(engine!, '2026-11-23T15:00:00Z');
    token = await sessionToken(api, demo.csRep);
    key = (await createApiKey({ tx: api.db.kysely, name: 'Depth client', now: api.clock.now() })).key;
  });
  after(() => api.close());

  test('finding 6: 10,000 levels of objects or arrays get a 400 saying the body nests too deeply, on every JSON route', async () => {
    const bodies = [nested(10_000), nested(10_000, '[', ']'), `{"email":"a@example.org","password":"x","extra":${nested(4_000)}}`];
    assert.ok(bodies[0]!.length > 20_000);
    const routes = [
      { url: '/api/v1/session', headers: {} },
      { url: '/api/v1/cases', headers: { authorization: `Bearer ${token}` } },
      { url: '/api/v1/cases/SR-2026-000001/notes', headers: { authorization: `Bearer ${token}` } },
      { url: `/open311/v2/requests.json?api_key=${key}`, headers: {} },
    ];
    for (const route of routes) {
      for (const payload of bodies) {
        const response = await api.app.inject({ method: 'POST', url: route.url, payload, headers: { ...route.headers, 'content-type': 'application/json' } });
        assert.equal(response.statusCode, 400, `${route.url}: ${response.statusCode} ${response.body.slice(0, 300)}`);
        assert.match(response.body, /nests objects or arrays more than 32 levels deep/, route.url);
      }
    }
  });

  test('finding 6: ordinary bodies still pass, and the checks never recurse', async () => {
    const ok = await api.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: demo.csRep, password: 'citydesk-demo-2025' } });
    assert.equal(ok.statusCode, 200);
    // Brackets inside strings do not count; escaped quotes do not end a string.
    assert.equal(jsonDepth('{"a":"[[[[{{{{","b":"\\"[[[["}'), 1);
    assert.equal(jsonDepth(nested(10_000)), 10_000);
    // The unstorable-text check walks any depth without a RangeError.
    let deep: unknown = 'bad\u0000';
    for (let i = 0; i < 100_000; i += 1) deep = { a: deep };
    assert.match(unstorableText(deep, 'body')!, /^a(\.a)+$/);
  });
});
