import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../src/server.js';
import { fixedClock } from '../src/platform/clock.js';
import { testEngines } from './helpers/db.js';

for (const engine of testEngines()) {
  describe(`the server on ${engine.name}`, () => {
    test('GET /healthz says the process is alive and GET /readyz that the database answers', async (t) => {
      const db = await engine.open({ seed: true });
      const app = await buildApp({ db, clock: fixedClock('2026-11-26T15:00:00Z') });
      t.after(async () => {
        await app.close();
        await db.close();
      });
      const health = await app.inject({ method: 'GET', url: '/healthz' });
      assert.equal(health.statusCode, 200);
      assert.deepEqual(health.json(), { status: 'ok' });
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(ready.statusCode, 200);
      assert.deepEqual(ready.json(), { status: 'ready', database: engine.name, mailbox: { status: 'not configured' } });
    });

    test('GET /readyz answers 503 with a stable code when the database is gone', async (t) => {
      const db = await engine.open({ seed: true });
      const app = await buildApp({ db, clock: fixedClock('2026-11-26T15:00:00Z') });
      t.after(() => app.close());
      await db.close();
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(ready.statusCode, 503);
      assert.equal(ready.json().error.code, 'DATABASE_UNAVAILABLE');
    });
  });
}

describe('errors and shutdown', () => {
  const [engine] = testEngines();

  test('an unknown route is a 404 with a code and a message', async (t) => {
    const db = await engine!.open({ seed: true });
    const app = await buildApp({ db, clock: fixedClock('2026-11-26T15:00:00Z') });
    t.after(async () => {
      await app.close();
      await db.close();
    });
    const response = await app.inject({ method: 'GET', url: '/no/such/page?x=1' });
    assert.equal(response.statusCode, 404);
    assert.deepEqual(response.json(), { error: { code: 'NOT_FOUND', message: 'There is nothing at GET /no/such/page.' } });
  });

  test('an unexpected failure is a 500 with a stable code and no internals', async (t) => {
    const db = await engine!.open({ seed: true });
    const app = await buildApp({ db, clock: fixedClock('2026-11-26T15:00:00Z') });
    app.get('/boom', async () => {
      throw new Error('secret internal detail');
    });
    t.after(async () => {
      await app.close();
      await db.close();
    });
    const response = await app.inject({ method: 'GET', url: '/boom' });
    assert.equal(response.statusCode, 500);
    assert.equal(response.json().error.code, 'INTERNAL');
    assert.ok(!response.body.includes('secret'));
  });

  test('the staff API is described by OpenAPI at /api/docs', async (t) => {
    const db = await engine!.open({ seed: true });
    const app = await buildApp({ db, clock: fixedClock('2026-11-26T15:00:00Z') });
    t.after(async () => {
      await app.close();
      await db.close();
    });
    const page = await app.inject({ method: 'GET', url: '/api/docs/' });
    assert.equal(page.statusCode, 200);
    const spec = (await app.inject({ method: 'GET', url: '/api/docs/json' })).json();
    assert.match(spec.openapi, /^3\./);
    for (const path of ['/api/v1/cases', '/api/v1/cases/{reference}', '/api/v1/cases/{reference}/acknowledge', '/api/v1/queues/{queue}', '/api/v1/session']) {
      assert.ok(spec.paths[path], path);
    }
  });

  test('the home page names the municipality', async (t) => {
    const db = await engine!.open({ seed: true });
    const app = await buildApp({ db, clock: fixedClock('2026-11-26T15:00:00Z') });
    t.after(async () => {
      await app.close();
      await db.close();
    });
    const response = await app.inject({ method: 'GET', url: '/' });
    assert.equal(response.statusCode, 200);
    assert.match(response.headers['content-type'] as string, /text\/html/);
    assert.match(response.body, /<h1>City of Kawartha Lakes service requests<\/h1>/);
  });

  test('graceful shutdown finishes a request in flight and then refuses new connections', async (t) => {
    const db = await engine!.open({ seed: true });
    const app = await buildApp({ db, clock: fixedClock('2026-11-26T15:00:00Z') });
    let started!: () => void;
    const inFlight = new Promise<void>((resolve) => {
      started = resolve;
    });
    app.get('/slow', async () => {
      started();
      await new Promise((resolve) => setTimeout(resolve, 300));
      return { finished: true };
    });
    t.after(() => db.close());
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const slow = fetch(`http://127.0.0.1:${port}/slow`);
    await inFlight;
    const closing = app.close();
    const response = await slow;
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { finished: true });
    await closing;
    await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`));
  });
});
