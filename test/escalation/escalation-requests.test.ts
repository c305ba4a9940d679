import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testEngines } from '../helpers/db.js';
import { demo, potholeByPhone, startApi, type Client, type TestApi } from '../helpers/api.js';
import { eventually } from '../helpers/eventually.js';

/** CSS §5.1 and §5.3: asking for an escalation, by the public with a one-time code or through staff. */
for (const engine of testEngines()) {
  describe(`escalation requests on ${engine.name}`, () => {
    let api: TestApi;
    let csRep: Client;
    let roads: Client;
    before(async () => {
      api = await startApi(engine, '2026-11-23T15:00:00Z');
      [csRep, roads] = await Promise.all([api.as(demo.csRep), api.as(demo.roadsStaff)]);
    });
    after(() => api.close());

    const report = async (overrides: Record<string, unknown> = {}) => {
      api.clock.set('2026-11-23T15:00:00Z');
      const response = await csRep.post('/api/v1/cases', potholeByPhone(overrides));
      return response.body.case.reference as string;
    };
    const publicPost = async (url: string, payload: unknown) => {
      const response = await api.app.inject({ method: 'POST', url, payload: payload as Record<string, unknown> });
      return { status: response.statusCode, body: response.json() };
    };
    /** The public asks for a code and reads it from the e-mail citydesk sent to the address on file. */
    const codeFor = async (reference: string): Promise<string> => {
      const mails = () => api.db.kysely.selectFrom('outbox_mail').select(['id', 'body']).where('subject', '=', `Your code to ask for an escalation [${reference}]`).orderBy('id', 'desc').execute();
      const before = (await mails()).length;
      const sent = await publicPost('/api/v1/public/escalation-codes', { reference });
      assert.equal(sent.status, 202);
      // The code is mailed after the answer (issue #11 finding 7): wait for this one.
      const [mail] = await eventually(async () => {
        const now = await mails();
        if (now.length <= before) throw new Error('no new code mail yet');
        return now;
      });
      return /code is (\d{6})/.exec(mail!.body)![1]!;
    };
    const ask = async (reference: string, grounds: string, comment?: string) =>
      publicPost('/api/v1/public/escalation-requests', { reference, code: await codeFor(reference), grounds, ...(comment ? { comment } : {}) });

    test('§5.1 targets not yet missed: declined, with the dates', async () => {
      const ref = await report();
      api.clock.set('2026-11-24T15:00:00Z');
      const answer = await ask(ref, 'missed_target');
      assert.equal(answer.status, 200);
      assert.equal(answer.body.outcome, 'declined');
      assert.match(answer.body.answer, /within its Division Service Targets: it is due to be acknowledged by Wednesday 25 November 2026 at 4:30 pm and resolved by Monday 30 November 2026 at 10:00 am/);
    });

    test('§5.1 not acknowledged by its target: accepted at once, to the Division Head', async () => {
      const ref = await report();
      api.clock.set('2026-11-26T15:00:00Z');
      const answer = await ask(ref, 'missed_target');
      assert.deepEqual({ outcome: answer.body.outcome, level: answer.body.level, role: answer.body.role }, { outcome: 'accepted', level: 1, role: 'Division Head' });
      assert.match(answer.body.answer, /escalated to the Division Head \(Manager of Roads Operations\)/);
      const again = await ask(ref, 'missed_target');
      assert.equal(again.body.outcome, 'declined', 'already with the Division Head: the next step comes two weeks later');
      assert.match(again.body.answer, /escalated to the Division Head on Thursday 26 November 2026.*possible from Thursday 10 December 2026/);
    });

    test('§5.3 a revised plan was communicated and is still ahead: declined, naming the date', async () => {
      const ref = await report();
      api.clock.set('2026-11-24T15:00:00Z');
      await roads.post(`/api/v1/cases/${ref}/acknowledge`, { nextSteps: 'Inspection', contact: '705-324-9411' });
      await roads.post(`/api/v1/cases/${ref}/updates`, { status: 'Scheduled', timeline: '2026-12-08', reason: 'Asphalt plant closed.' });
      api.clock.set('2026-12-01T15:00:00Z');
      const answer = await ask(ref, 'missed_target');
      assert.equal(answer.body.outcome, 'declined');
      assert.match(answer.body.answer, /revised resolution timeline was communicated to you: Tuesday 8 December 2026/);
    });

    test('§5.3 disagreement with the outcome is not grounds: declined and kept as customer feedback', async () => {
      const ref = await report();
      api.clock.set('2026-11-24T15:00:00Z');
      await roads.post(`/api/v1/cases/${ref}/resolve`, { resolution: 'The road is scheduled for resurfacing next year; we filled the hole.' });
      const answer = await ask(ref, 'disagree_with_outcome', 'A fill is not enough; the whole road should be paved now.');
      assert.equal(answer.body.outcome, 'declined');
      assert.match(answer.body.answer, /Disagreement with the outcome of a request is not grounds for escalation \(CSS §5\.3\)/);
      const feedback = await api.db.kysely.selectFrom('customer_feedback').innerJoin('service_case', 'service_case.id', 'customer_feedback.case_id').select(['customer_feedback.kind', 'customer_feedback.text']).where('reference', '=', ref).execute();
      assert.deepEqual(feedback, [{ kind: 'disagreement_with_outcome', text: 'A fill is not enough; the whole road should be paved now.' }]);
      const missed = await ask(ref, 'missed_target');
      assert.equal(missed.body.outcome, 'declined');
      assert.match(missed.body.answer, /resolved on/);
    });

    test('staff ask on behalf of a caller; every request and answer is kept in the history', async () => {
      const ref = await report();
      api.clock.set('2026-11-26T15:00:00Z');
      const answer = await csRep.post(`/api/v1/cases/${ref}/escalation-requests`, { grounds: 'missed_target', comment: 'Caller says nobody has contacted them.' });
      assert.equal(answer.status, 200);
      assert.equal(answer.body.outcome, 'accepted');
      const timeline = (await roads.get(`/api/v1/cases/${ref}`)).body.timeline;
      assert.ok(timeline.some((e: { type?: string; data?: { outcome?: string } }) => e.type === 'escalation_requested' && e.data?.outcome === 'accepted'));
      assert.ok(timeline.some((e: { type?: string; data?: { initiatedBy?: string } }) => e.type === 'escalated' && e.data?.initiatedBy === 'staff'));
    });

    test('the public needs the one-time code sent to the contact on file; wrong codes run out', async () => {
      const ref = await report();
      const sent = await publicPost('/api/v1/public/escalation-codes', { reference: 'SR-2026-999999' });
      assert.equal(sent.status, 202, 'the same answer whether the reference exists or not');
      await codeFor(ref);
      for (let i = 0; i < 5; i += 1) {
        const wrong = await publicPost('/api/v1/public/escalation-requests', { reference: ref, code: '000000', grounds: 'missed_target' });
        assert.equal(wrong.status, 401);
        assert.equal(wrong.body.error.code, 'UNAUTHENTICATED');
      }
      const unknown = await publicPost('/api/v1/public/escalation-requests', { reference: 'SR-2026-999999', code: '123456', grounds: 'missed_target' });
      assert.equal(unknown.status, 401);
      const noGrounds = await publicPost('/api/v1/public/escalation-requests', { reference: ref, code: '123456', grounds: 'angry' });
      assert.equal(noGrounds.status, 400);
    });
  });
}
