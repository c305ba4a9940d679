/**
 * Issue #11, finding 8: every response carries the headers that fit it: a Content-Security-Policy,
 * no framing by other sites (X-Frame-Options and frame-ancestors), nosniff; and the answers that
 * carry personal information or tokens are never cached (Cache-Control: no-store).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngines } from '../helpers/db.js';
import { demo, potholeByPhone, startApi, type TestApi } from '../helpers/api.js';
import { sessionToken } from '../helpers/sessions.js';

const [engine] = testEngines();

describe('security headers (issue #11 finding 8)', () => {
  let api: TestApi;
  let reference: string;
  let token: string;
  before(async () => {
    api = await startApi(engine!, '2026-11-23T15:00:00Z');
    const cs = await api.as(demo.csRep);
    reference = (await cs.post('/api/v1/cases', potholeByPhone())).body.case.reference;
    token = await sessionToken(api, demo.csRep);
  });
  after(() => api.close());

  const get = async (url: string, headers: Record<string, string> = {}) => {
    let at = url;
    let response = await api.app.inject({ url, headers });
    for (let hops = 0; hops < 3 && response.statusCode >= 300 && response.statusCode < 400; hops += 1) {
      at = new URL(String(response.headers['location']), `http://localhost${at}`).pathname;
      response = await api.app.inject({ url: at, headers });
    }
    return Object.assign(response, { finalUrl: at });
  };
  const assertFramedByNoOne = (headers: Record<string, unknown>, what: string) => {
    assert.equal(headers['x-frame-options'], 'DENY', `${what}: X-Frame-Options`);
    assert.match(String(headers['content-security-policy']), /frame-ancestors 'none'/, `${what}: CSP ${headers['content-security-policy']}`);
    assert.equal(headers['x-content-type-options'], 'nosniff', `${what}: nosniff`);
  };

  test('finding 8: the staff API, Open311, health checks and the 404 answers carry CSP, X-Frame-Options and nosniff', async () => {
    const auth = { authorization: `Bearer ${token}` };
    for (const [url, headers] of [
      [`/api/v1/cases/${reference}`, auth],
      ['/api/v1/queues/division', auth],
      ['/api/v1/cases/SR-2026-999999', auth],
      ['/open311/v2/services.json', {}],
      ['/open311/v2/requests.xml', {}],
      ['/open311/v2/discovery.json', {}],
      ['/healthz', {}],
      ['/no-such-thing', { accept: 'application/json' }],
      ['/no-such-page', { accept: 'text/html' }],
      ['/', {}],
    ] as const) {
      const response = await get(url, headers);
      assertFramedByNoOne(response.headers, url);
      if (!String(response.headers['content-type']).startsWith('text/html')) assert.match(String(response.headers['content-security-policy']), /default-src 'none'/, url);
    }
    const page404 = await get('/no-such-page', { accept: 'text/html' });
    assert.equal(page404.statusCode, 404);
    assert.match(String(page404.headers['content-security-policy']), /default-src 'self'/, 'the 404 page loads its own stylesheet');
  });

  test('finding 8: Swagger UI at /api/docs cannot be framed and loads only its own scripts', async () => {
    const page = await get('/api/docs');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /swagger/i);
    assertFramedByNoOne(page.headers, '/api/docs');
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /https:|validator\.swagger\.io|frame-ancestors 'self'/);
    // Its own assets are served, under the same policy.
    const scripts = [...page.body.matchAll(/src="([^"]+\.js)"/g)].map((m) => new URL(m[1]!, `http://localhost${page.finalUrl}`).pathname);
    assert.ok(scripts.length > 0, page.body.slice(0, 500));
    for (const script of scripts) {
      const asset = await get(script);
      assert.equal(asset.statusCode, 200, script);
      assertFramedByNoOne(asset.headers, script);
    }
  });

  test('finding 8: answers with personal information or tokens are never cached (Cache-Control: no-store)', async () => {
    const auth = { authorization: `Bearer ${token}` };
    assert.equal((await get(`/api/v1/cases/${reference}`, auth)).headers['cache-control'], 'no-store');
    assert.equal((await get('/api/v1/queues/division', auth)).headers['cache-control'], 'no-store');
    assert.equal((await get('/api/v1/session', auth)).headers['cache-control'], 'no-store');
    const signIn = await api.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: demo.csRep, password: 'citydesk-demo-2025' } });
    assert.equal(signIn.statusCode, 200);
    assert.equal(signIn.headers['cache-control'], 'no-store');
    const created = await api.app.inject({ method: 'POST', url: '/api/v1/cases', payload: potholeByPhone(), headers: auth });
    assert.equal(created.statusCode, 201);
    assert.equal(created.headers['cache-control'], 'no-store');
  });
});
