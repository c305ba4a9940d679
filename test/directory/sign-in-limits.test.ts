/**
 * Issue #11, finding 5: POST /api/v1/session is limited per client address and per e-mail
 * address, like the console's sign-in, and the lock-out after five wrong passwords answers the
 * same way (status, body, time) whether or not an account has the address, so sign-in tells no
 * one who works at the City.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngines } from '../helpers/db.js';
import { demo, startApi, type TestApi } from '../helpers/api.js';
import { signInPerAccount, signInPerAddress } from '../../src/platform/sign-in-limits.js';

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const engines = testEngines();
for (const engine of engines) {
  // The limits and the timing are the server's, the same on either engine: measured once (scrypt is slow on purpose).
  const once = engine === engines[0] ? test : test.skip;
  describe(`sign-in limits on ${engine.name} (issue #11 finding 5)`, () => {
    let api: TestApi;
    let address = 0;
    /** Each call from its own client address unless one is given. */
    const attempt = async (email: string, password: string, remoteAddress = `10.1.${Math.floor(address / 250)}.${(address++ % 250) + 1}`, url = '/api/v1/session') => {
      const started = performance.now();
      const response =
        url === '/api/v1/session'
          ? await api.app.inject({ method: 'POST', url, payload: { email, password }, remoteAddress })
          : await api.app.inject({ method: 'POST', url, payload: new URLSearchParams({ email, password }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' }, remoteAddress });
      return { status: response.statusCode, body: response.body, ms: performance.now() - started };
    };
    before(async () => {
      api = await startApi(engine, '2026-11-23T15:00:00Z');
    });
    after(() => api.close());

    once(`finding 5: one client address gets ${signInPerAddress.max} attempts a minute, then 429 (API and console)`, async () => {
      for (const url of ['/api/v1/session', '/staff/sign-in']) {
        const statuses: number[] = [];
        // Every request counts, also one refused for a missing password (which spends no password check).
        for (let i = 0; i < signInPerAddress.max + 5; i += 1) statuses.push((await attempt(`nobody${i}@example.org`, i % 10 === 0 ? 'wrong password' : '', '10.9.9.9', url)).status);
        assert.ok(statuses.slice(0, signInPerAddress.max).every((s) => s !== 429), `${url}: ${statuses.join(',')}`);
        assert.deepEqual(statuses.slice(signInPerAddress.max), [429, 429, 429, 429, 429], url);
      }
    });

    once(`finding 5: one e-mail address gets ${signInPerAccount.max} attempts a minute from any number of addresses, known or not`, async () => {
      for (const email of ['someone.unknown@kawarthalakes.example', demo.trafficStaff]) {
        const statuses: number[] = [];
        for (let i = 0; i < signInPerAccount.max + 2; i += 1) statuses.push((await attempt(email, 'wrong password')).status);
        assert.deepEqual(statuses.slice(signInPerAccount.max), [429, 429], `${email}: ${statuses.join(',')}`);
      }
    });

    test('finding 5: the lock-out answers alike for a real account and an unknown address: same statuses, same bodies', async () => {
      const answers = async (email: string) => {
        const seen: string[] = [];
        for (let i = 0; i < 7; i += 1) {
          const { status, body } = await attempt(email, i === 6 ? 'citydesk-demo-2025' : 'wrong password');
          seen.push(`${status} ${body}`);
        }
        return seen;
      };
      const real = await answers(demo.roadsHead);
      const unknown = await answers('not.staff@kawarthalakes.example');
      assert.match(real[5]!, /^423 .*locked after 5 wrong passwords/);
      assert.match(real[6]!, /^423 /, 'even the right password waits out the lock');
      assert.deepEqual(unknown, real);
      // Fifteen minutes later the real account signs in.
      api.clock.advance(16 * 60_000);
      assert.equal((await attempt(demo.roadsHead, 'citydesk-demo-2025')).status, 200);
    });

    once('finding 5: a wrong password takes as long for an unknown address as for a real account (medians within 1.6\u00d7)', async () => {
      const real: number[] = [];
      const unknown: number[] = [];
      // Interleaved, three attempts an address (never reaching the lock), so load on the machine hits both alike.
      const accounts = [demo.csManager, demo.worksDirector, demo.engineeringDirector];
      for (let round = 0; round < 3; round += 1) {
        for (let i = 0; i < accounts.length; i += 1) {
          real.push((await attempt(accounts[i]!, `wrong ${round}`)).ms);
          unknown.push((await attempt(`ghost${i}@kawarthalakes.example`, `wrong ${round}`)).ms);
        }
      }
      const ratio = median(real) / median(unknown);
      assert.ok(ratio > 1 / 1.6 && ratio < 1.6, `real ${median(real).toFixed(1)} ms, unknown ${median(unknown).toFixed(1)} ms`);
    });
  });
}
