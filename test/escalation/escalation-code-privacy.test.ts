/**
 * Issue #11, finding 7: the public escalation one-time code. The answer's timing must not tell a
 * case with an e-mail address on file from one without, or from no case at all (the mail is
 * written after the answer); and the code is never readable by staff in the case's timeline
 * (the record says a code was sent; only its hash is kept, to check it).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngines } from '../helpers/db.js';
import { demo, potholeByPhone, startApi, type TestApi } from '../helpers/api.js';
import { eventually } from '../helpers/eventually.js';
import { backgroundSettled } from '../../src/platform/background-work.js';

/** The lower quartile: load from other work on the machine lengthens the slow tail, not the quick answers. */
const lowerQuartile = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 4)]!;

for (const engine of testEngines()) {
  describe(`escalation codes on ${engine.name} (issue #11 finding 7)`, () => {
    let api: TestApi;
    let withEmail: string;
    let withoutEmail: string;
    let client = 0;
    const askCode = async (reference: string) => {
      const started = performance.now();
      const response = await api.app.inject({ method: 'POST', url: '/api/v1/public/escalation-codes', payload: { reference }, remoteAddress: `10.7.${Math.floor(client / 250)}.${(client++ % 250) + 1}` });
      const ms = performance.now() - started;
      // The mail is written after the answer: let it end before the next request is timed, so one
      // request's work does not land on the next one's time.
      await backgroundSettled();
      assert.equal(response.statusCode, 202);
      return { ms, body: response.body };
    };
    before(async () => {
      api = await startApi(engine, '2026-11-23T15:00:00Z');
      const cs = await api.as(demo.csRep);
      withEmail = (await cs.post('/api/v1/cases', potholeByPhone())).body.case.reference;
      withoutEmail = (await cs.post('/api/v1/cases', potholeByPhone({ customer: { name: 'Lee Caller', phone: '705-555-0101', preferredContact: 'phone' } }))).body.case.reference;
    });
    after(() => api.close());

    test('finding 7: staff see in the timeline that a code was sent, never the code; the code mailed to the customer works', async () => {
      await askCode(withEmail);
      const mail = await eventually(() =>
        api.db.kysely.selectFrom('outbox_mail').select('body').where('subject', '=', `Your code to ask for an escalation [${withEmail}]`).executeTakeFirstOrThrow(),
      );
      const code = /code is (\d{6})/.exec(mail.body)![1]!;
      for (const email of [demo.roadsStaff, demo.csManager, demo.cao]) {
        const seen = await (await api.as(email)).get(`/api/v1/cases/${withEmail}`);
        assert.equal(seen.status, 200);
        const text = JSON.stringify(seen.body.timeline);
        assert.ok(!text.includes(code), `${email} can read the code in the timeline`);
        const entry = (seen.body.timeline as { entry: string; kind?: string; body?: string }[]).find((e) => e.kind === 'escalation_code');
        assert.match(entry?.body ?? '', /A one-time code to ask for an escalation was sent/);
      }
      const stored = await api.db.kysely.selectFrom('escalation_code').selectAll().execute();
      assert.ok(stored.every((row) => !JSON.stringify(row).includes(code)), 'only a hash is stored');
      const messages = await api.db.kysely.selectFrom('case_message').select('body').execute();
      assert.ok(messages.every((m) => !m.body.includes(code)), 'the case record keeps no copy');
      // The customer's code still works.
      const asked = await api.app.inject({ method: 'POST', url: '/api/v1/public/escalation-requests', payload: { reference: withEmail, code, grounds: 'missed_target' } });
      assert.notEqual(asked.statusCode, 401, asked.body);
    });

    test('finding 7: the answer and its time are the same for a case with an e-mail address, one without, and no case (lower quartiles)', async () => {
      const refs = { withEmail, withoutEmail, none: 'SR-2026-999999' };
      const times: Record<keyof typeof refs, number[]> = { withEmail: [], withoutEmail: [], none: [] };
      const bodies = new Set<string>();
      // Interleaved so that load on the machine falls on all three alike; the first round warms up.
      for (let round = 0; round < 41; round += 1) {
        for (const name of Object.keys(refs) as (keyof typeof refs)[]) {
          const { ms, body } = await askCode(refs[name]);
          bodies.add(body);
          if (round > 0) times[name].push(ms);
        }
      }
      assert.equal(bodies.size, 1, 'one answer for all');
      // Before the fix, a case with an e-mail address took about 11.5 ms against 5.3 ms: well outside this bound.
      const quartiles = Object.values(times).map(lowerQuartile);
      const [fastest, slowest] = [Math.min(...quartiles), Math.max(...quartiles)];
      assert.ok(slowest < fastest * 1.5 + 1.5, `lower quartiles ${Object.entries(times).map(([k, v]) => `${k} ${lowerQuartile(v).toFixed(2)} ms`).join(', ')}`);
    });
  });
}
