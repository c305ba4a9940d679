/**
 * Killing the server during a stream of creates loses no case whose create returned success: the
 * real `citydesk start` process, SIGKILL while creates are in flight, a restart on the same data,
 * and every case that was answered 201 is still there. Retrying a create whose answer was lost
 * (same Idempotency-Key) gives the case it made, or makes it once.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { demo, demoPassword, potholeByPhone } from '../helpers/api.js';
import { cliEnv, startServer } from '../helpers/cli.js';

const streamMs = 2_000;
const concurrency = 4;

/** A random port in 4400-4900 that nothing listens on right now. */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = 4400 + Math.floor(Math.random() * 501);
    const free = await new Promise<boolean>((done) => {
      const probe = createServer();
      probe.once('error', () => done(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => done(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port in 4400-4900');
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) done();
    else child.once('exit', () => done());
  });
}

/** Kills whatever server is still running: the test's clean-up, whatever happened. */
async function killAll(children: ChildProcess[]): Promise<void> {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited(child);
    }
  }
}

async function signIn(base: string): Promise<string> {
  const response = await fetch(`${base}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: demo.csRep, password: demoPassword }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  return ((await response.json()) as { token: string }).token;
}

function create(base: string, token: string, key: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${base}/api/v1/cases`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': key },
    body: JSON.stringify(body),
  });
}

/** Streams creates, kills the server mid-stream, restarts it and checks every acknowledged case. */
async function crashDuringCreates(t: TestContext, env: NodeJS.ProcessEnv, children: ChildProcess[]): Promise<void> {
  const run = randomBytes(4).toString('hex');
  const firstPort = await freePort();
  const first = await startServer(env, firstPort);
  children.push(first);
  const base = `http://127.0.0.1:${firstPort}`;
  const token = await signIn(base);

  const bodies = new Map<string, Record<string, unknown>>();
  const created = new Map<string, string>(); // Idempotency-Key → reference, for every 201
  const unanswered: string[] = []; // keys whose request was cut off by the kill
  const refused: string[] = []; // any other answer before the kill
  let killed = false;
  let inFlight = 0;

  const worker = async (w: number): Promise<void> => {
    for (let n = 0; !killed; n += 1) {
      const key = `crash-${run}-${w}-${n}`;
      const body = potholeByPhone({ summary: `Pothole report ${w}-${n} (${run}).` });
      bodies.set(key, body);
      inFlight += 1;
      try {
        const response = await create(base, token, key, body);
        const text = await response.text();
        if (response.status === 201) created.set(key, (JSON.parse(text) as { case: { reference: string } }).case.reference);
        else refused.push(`${key}: ${response.status} ${text.slice(0, 300)}`);
      } catch {
        unanswered.push(key);
      } finally {
        inFlight -= 1;
      }
    }
  };
  const workers = Array.from({ length: concurrency }, (_, w) => worker(w));

  await new Promise((r) => setTimeout(r, streamMs));
  // Kill while creates are in flight.
  while (inFlight === 0) await new Promise((r) => setImmediate(r));
  const inFlightAtKill = inFlight;
  first.kill('SIGKILL');
  killed = true;
  await exited(first);
  await Promise.all(workers);

  assert.equal(first.signalCode, 'SIGKILL');
  assert.ok(inFlightAtKill > 0);
  assert.deepEqual(refused, [], 'every create answered before the kill succeeded');
  assert.ok(created.size >= 5, `only ${created.size} creates succeeded in ${streamMs} ms`);
  t.diagnostic(`${created.size} creates answered 201, ${unanswered.length} cut off by SIGKILL (${inFlightAtKill} in flight)`);

  // Restart on the same data.
  const secondPort = await freePort();
  const second = await startServer(env, secondPort);
  children.push(second);
  const again = `http://127.0.0.1:${secondPort}`;
  const token2 = await signIn(again);
  const get = (reference: string): Promise<Response> => fetch(`${again}/api/v1/cases/${reference}`, { headers: { authorization: `Bearer ${token2}` } });

  const lost: string[] = [];
  for (const [key, reference] of created) {
    const response = await get(reference);
    const text = await response.text();
    if (response.status !== 200) lost.push(`${reference} (${key}): ${response.status} ${text.slice(0, 200)}`);
    else assert.equal((JSON.parse(text) as { case: { reference: string; summary: string } }).case.summary, bodies.get(key)!['summary'], reference);
  }
  assert.deepEqual(lost, [], 'no case whose create returned 201 is lost');
  assert.equal(new Set(created.values()).size, created.size, 'each create made its own case');

  // A retry with the same key returns the case that was made; a cut-off create is made at most once.
  for (const [key, reference] of created) {
    const replay = await create(again, token2, key, bodies.get(key)!);
    const text = await replay.text();
    assert.equal(replay.status, 200, `${key}: ${text.slice(0, 300)}`);
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    assert.equal((JSON.parse(text) as { case: { reference: string } }).case.reference, reference);
  }
  const taken = new Set(created.values());
  let committedUnanswered = 0;
  for (const key of unanswered) {
    const retry = await create(again, token2, key, bodies.get(key)!);
    const text = await retry.text();
    assert.ok(retry.status === 200 || retry.status === 201, `${key}: ${retry.status} ${text.slice(0, 300)}`);
    if (retry.status === 200) committedUnanswered += 1;
    const reference = (JSON.parse(text) as { case: { reference: string } }).case.reference;
    assert.ok(!taken.has(reference), `${key} got ${reference}, which another create already had`);
    taken.add(reference);
    const twice = await create(again, token2, key, bodies.get(key)!);
    assert.equal(twice.status, 200);
    assert.equal(((await twice.json()) as { case: { reference: string } }).case.reference, reference);
  }

  t.diagnostic(`of the ${unanswered.length} cut off, ${committedUnanswered} had been committed (replayed on retry), the others were made on retry`);

  second.kill('SIGTERM');
  await exited(second);
  assert.equal(second.exitCode, 0, second.output());
}

describe('killing the server during a stream of creates loses no case whose create returned success', () => {
  test('on the embedded database', { timeout: 180_000 }, async (t) => {
    const env = cliEnv();
    const children: ChildProcess[] = [];
    t.after(async () => {
      await killAll(children);
      rmSync(env['CITYDESK_DATA_DIR']!, { recursive: true, force: true });
    });
    await crashDuringCreates(t, env, children);
  });

  const url = process.env['DATABASE_URL'];
  test('on PostgreSQL', { timeout: 180_000, skip: url ? false : 'DATABASE_URL is not set' }, async (t) => {
    const name = `citydesk_crash_${process.pid}_${randomBytes(4).toString('hex')}`;
    const target = new URL(url!);
    target.pathname = `/${name}`;
    const env = cliEnv({ DATABASE_URL: target.toString() });
    const children: ChildProcess[] = [];
    t.after(async () => {
      await killAll(children);
      const cleanup = new pg.Client({ connectionString: url });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
      rmSync(env['CITYDESK_DATA_DIR']!, { recursive: true, force: true });
    });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    await crashDuringCreates(t, env, children);
  });
});
