import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testEngines } from '../helpers/db.js';
import { demo, inquiryByPhone, startApi, type TestApi } from '../helpers/api.js';
import { consoleAs } from '../helpers/console.js';

/**
 * Issue #11, finding 2: first-contact resolution records an acknowledgment and a resolution by the
 * responsible division (INTERPRETATION §2, §4; CSS §3.1). Only Customer Service (who answer for
 * every division at first contact) and members of the named division may do it; anyone else's
 * inquiry is recorded open for that division to acknowledge. The Working Group and administrators
 * take no contacts, through the API or the console.
 */
const MONDAY_10AM = '2026-11-23T15:00:00Z';
const answer = { answer: 'Water main flushing in your area runs until Friday; the water is safe to drink.' };

for (const engine of testEngines()) {
  describe(`first-contact resolution on ${engine.name} (issue #11 finding 2)`, () => {
    let api: TestApi;
    before(async () => {
      api = await startApi(engine, MONDAY_10AM);
    });
    after(() => api.close());

    const record = async (email: string, division: string) => {
      const client = await api.as(email);
      const response = await client.post('/api/v1/cases', inquiryByPhone({ division, resolveAtFirstContact: answer }));
      assert.equal(response.status, 201, `${email}: ${JSON.stringify(response.body)}`);
      return response.body.case;
    };

    test('finding 2: staff outside Customer Service and the named division cannot resolve an inquiry at first contact in its name; it is recorded open for that division, the answer kept as a note', async () => {
      for (const email of [demo.roadsStaff, demo.roadsHead, demo.trafficHead, demo.worksDirector, demo.engineeringDirector, demo.cao]) {
        const c = await record(email, 'water-wastewater');
        assert.equal(c.status, 'open', `${email}: not resolved`);
        assert.equal(c.acknowledgedAt, null, `${email}: no acknowledgment by Water and Wastewater recorded`);
        assert.equal(c.firstContactResolution, false);
        assert.deepEqual(c.division, { code: 'water-wastewater', name: 'Water and Wastewater' });
        const timeline = (await (await api.as(demo.csRep)).get(`/api/v1/cases/${c.reference}`)).body.timeline as { entry: string; type?: string; data?: { text?: string } }[];
        assert.ok(!timeline.some((e) => e.type === 'resolved' || e.type === 'acknowledged'), `${email}: ${JSON.stringify(timeline)}`);
        const note = timeline.find((e) => e.type === 'note');
        assert.match(note?.data?.text ?? '', /Answer given at first contact.*Water main flushing/, JSON.stringify(timeline));
      }
    });

    test('finding 2: Customer Service resolves at first contact for any division, and division staff for their own', async () => {
      for (const [email, division] of [
        [demo.csRep, 'water-wastewater'],
        [demo.csManager, 'roads-operations'],
        [demo.roadsStaff, 'roads-operations'],
        [demo.trafficHead, 'traffic-streetlights'],
      ] as const) {
        const c = await record(email, division);
        assert.equal(c.status, 'resolved', `${email} for ${division}`);
        assert.equal(c.firstContactResolution, true);
        assert.notEqual(c.acknowledgedAt, null);
      }
    });

    test('finding 2: the Working Group and administrators cannot record contacts through the API', async () => {
      const before = await api.db.kysely.selectFrom('service_case').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      for (const email of [demo.workingGroup, demo.admin]) {
        const client = await api.as(email);
        for (const body of [inquiryByPhone(), inquiryByPhone({ resolveAtFirstContact: answer })]) {
          const response = await client.post('/api/v1/cases', body);
          assert.equal(response.status, 403, `${email}: ${JSON.stringify(response.body)}`);
          assert.match(response.body.error.message, /contacts are recorded by Customer Service and division staff/);
        }
      }
      const after = await api.db.kysely.selectFrom('service_case').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(after.n), Number(before.n), 'nothing was recorded');
    });

    test('finding 2: the console intake form follows the same rule (POST /staff/intake)', async () => {
      const form = {
        kind: 'inquiry',
        channel: 'phone',
        division: 'water-wastewater',
        'customer[name]': 'Lee Taxpayer',
        'customer[phone]': '705-555-0199',
        description: 'Asks whether the tap water is safe during flushing.',
        summary: 'Asks about water main flushing.',
        answer: answer.answer,
        summaryConfirmed: 'yes',
      };
      const roads = await consoleAs(api, demo.roadsStaff);
      const recorded = await roads.post('/staff/intake', { ...form, idempotencyKey: 'console-roads-1' });
      assert.equal(recorded.status, 303, recorded.body.slice(0, 500));
      const reference = String(recorded.headers['location']).split('/').pop()!;
      const row = await api.db.kysely.selectFrom('service_case').selectAll().where('reference', '=', reference).executeTakeFirstOrThrow();
      assert.equal(row.status, 'open');
      assert.equal(row.acknowledged_at, null);

      const water = await consoleAs(api, demo.csRep);
      const byCs = await water.post('/staff/intake', { ...form, idempotencyKey: 'console-cs-1' });
      assert.equal(byCs.status, 303);
      const csRow = await api.db.kysely.selectFrom('service_case').selectAll().where('reference', '=', String(byCs.headers['location']).split('/').pop()!).executeTakeFirstOrThrow();
      assert.equal(csRow.status, 'resolved');

      for (const email of [demo.admin, demo.workingGroup]) {
        const client = await consoleAs(api, email);
        assert.equal((await client.get('/staff/intake')).status, 403, email);
        assert.equal((await client.post('/staff/intake', { ...form, idempotencyKey: `console-${email}` })).status, 403, email);
        assert.doesNotMatch((await client.get('/staff')).body, /href="\/staff\/intake"/, `${email}: no "New contact" in the navigation`);
      }
    });
  });
}
