import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sendAtRiskDigests } from '../../src/performance/at-risk.js';
import { testEngines } from '../helpers/db.js';
import { demo, potholeByPhone, startApi, type Client, type TestApi } from '../helpers/api.js';
import { consoleAs } from '../helpers/console.js';

/**
 * At risk before the breach, with a moving clock: a case enters the at-risk queue once it has used
 * 75% of the time to its next target; the people who can act get one digest per sweep that finds
 * new cases, and each case is warned once per target. Lindsay is UTC-5 in November.
 */
for (const engine of testEngines()) {
  describe(`the at-risk queue and digest on ${engine.name}`, () => {
    let api: TestApi;
    let roads: Client;
    let first: string;
    let second: string;
    before(async () => {
      api = await startApi(engine, '2026-11-23T15:00:00Z');
      const cs = await api.as(demo.csRep);
      roads = await api.as(demo.roadsStaff);
      // Received Monday 10:00 and 11:00; acknowledgment due Wednesday 25 November 16:30 (54.5 and 53.5 hours).
      first = (await cs.post('/api/v1/cases', potholeByPhone())).body.case.reference;
      api.clock.set('2026-11-23T16:00:00Z');
      second = (await cs.post('/api/v1/cases', potholeByPhone({ summary: 'Second pothole on Kent St. W.' }))).body.case.reference;
    });
    after(() => api.close());

    const digestsAt = async (iso: string) => {
      api.clock.set(iso);
      return sendAtRiskDigests({ db: api.db, now: new Date(iso) });
    };
    const atRiskMail = () =>
      api.db.kysely.selectFrom('outbox').select(['to_address', 'subject', 'body']).where('subject', 'like', '%at risk of missing a target').orderBy('id').execute();
    const queue = async () => ((await roads.get('/api/v1/queues/at-risk')).body.items ?? (await roads.get('/api/v1/queues/at-risk')).body.cases).map((c: { reference: string }) => c.reference);

    test('before 75% of the time to the acknowledgment target: not at risk, no mail', async () => {
      // 75% of 54.5 hours after Monday 10:00 is Wednesday 02:52 (07:52Z).
      const r = await digestsAt('2026-11-25T07:50:00Z');
      assert.equal(r.warned, 0);
      assert.deepEqual(await queue(), []);
      assert.equal((await atRiskMail()).length, 0);
    });

    test('past 75%: both in the queue, and one digest per person listing both', async () => {
      const r = await digestsAt('2026-11-25T09:00:00Z');
      assert.equal(r.warned, 2);
      assert.deepEqual((await queue()).sort(), [first, second].sort());
      const mail = await atRiskMail();
      const recipients = mail.map((m) => m.to_address).sort();
      assert.deepEqual(recipients, [demo.roadsHead, demo.roadsStaff].sort(), 'one e-mail each for the division staff and its head');
      for (const m of mail) {
        assert.equal(m.subject, '2 cases at risk of missing a target');
        assert.match(m.body!, new RegExp(first));
        assert.match(m.body!, new RegExp(second));
      }
    });

    test('a later sweep warns no one again about the same target', async () => {
      assert.equal((await digestsAt('2026-11-25T12:00:00Z')).warned, 0);
      assert.equal((await digestsAt('2026-11-25T20:00:00Z')).warned, 0);
      assert.equal((await atRiskMail()).length, 2);
    });

    test('acknowledged, the next target is the resolution: the owner is warned once it is at 75% of that', async () => {
      api.clock.set('2026-11-25T20:30:00Z');
      const acked = await roads.post(`/api/v1/cases/${first}/acknowledge`, { nextSteps: 'A crew will patch it.', contact: 'Roads Operations, 705-324-9411' });
      assert.equal(acked.status, 200, JSON.stringify(acked.body));
      // Resolve within 7 calendar days of Monday 10:00: due Monday 30 November 10:00; 75% is Saturday 28 November 16:00.
      assert.equal((await digestsAt('2026-11-28T20:00:00Z')).warned, 0);
      assert.deepEqual(await queue(), [], 'the second is overdue now (Wednesday 16:30 passed): overdue, not at risk');
      const r = await digestsAt('2026-11-28T21:30:00Z');
      // Acknowledging made Roads staff the owner: the owner is the one to act.
      assert.deepEqual(r.digests, [{ to: demo.roadsStaff, references: [first] }]);
      assert.equal((await atRiskMail()).length, 3);
      assert.deepEqual(await queue(), [first]);
    });

    test('the home page of division staff shows the at-risk queue', async () => {
      const home = await (await consoleAs(api, demo.roadsStaff)).get('/staff');
      assert.equal(home.status, 200);
      assert.match(home.body, /At risk/);
      assert.match(home.body, new RegExp(first));
    });
  });
}
