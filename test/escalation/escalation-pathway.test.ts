import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testEngines } from '../helpers/db.js';
import { demo, potholeByPhone, startApi, type Client, type TestApi } from '../helpers/api.js';
import { sweep } from '../../src/escalation/sweep.js';

/**
 * CSS §5.2 replayed step by step with real dates, through the staff API and the sweep.
 * Times are written in UTC; Lindsay is UTC-5 in winter (16:30 local is 21:30Z).
 */
for (const engine of testEngines()) {
  describe(`the escalation pathway on ${engine.name}`, () => {
    let api: TestApi;
    let csRep: Client;
    let roads: Client;
    let roadsHead: Client;
    let director: Client;
    let cao: Client;
    let manager: Client;
    before(async () => {
      api = await startApi(engine, '2026-11-23T15:00:00Z');
      [csRep, roads, roadsHead, director, cao, manager] = await Promise.all([
        api.as(demo.csRep),
        api.as(demo.roadsStaff),
        api.as(demo.roadsHead),
        api.as(demo.worksDirector),
        api.as(demo.cao),
        api.as(demo.csManager),
      ]);
    });
    after(() => api.close());

    const at = (iso: string) => api.clock.set(iso);
    const report = async (received: string, overrides: Record<string, unknown> = {}) => {
      at(received);
      const response = await csRep.post('/api/v1/cases', potholeByPhone(overrides));
      assert.equal(response.status, 201, JSON.stringify(response.body));
      return response.body.case.reference as string;
    };
    const sweepAt = async (iso: string) => {
      at(iso);
      return sweep({ db: api.db, now: new Date(iso) });
    };
    const escalationsOf = (result: Awaited<ReturnType<typeof sweep>>, reference: string) => result.escalations.filter((e) => e.reference === reference);
    const levelOf = async (reference: string) =>
      await api.db.kysely
        .selectFrom('service_case')
        .leftJoin('case_due', 'case_due.case_id', 'service_case.id')
        .select(['escalation_level', 'case_due.next_check_at'])
        .where('reference', '=', reference)
        .executeTakeFirstOrThrow();
    const acknowledge = (reference: string) =>
      roads.post(`/api/v1/cases/${reference}/acknowledge`, { nextSteps: 'A crew will patch it.', contact: 'Roads Operations, 705-324-9411' });

    test('§5.2 never acknowledged: Division Head after the target (over the holidays), Department Head two weeks later, then the CAO, and no further', async () => {
      // Thursday 24 December 2026, 09:00: acknowledge within 2 business days, i.e. by Wednesday 30 December 16:30
      // (25 December, the weekend and the observed Boxing Day on 28 December are closed).
      const ref = await report('2026-12-24T14:00:00Z', { attributes: { road_class: '4' } });
      assert.deepEqual(escalationsOf(await sweepAt('2026-12-30T21:29:00Z'), ref), []);
      const first = await sweepAt('2026-12-30T21:31:00Z');
      assert.deepEqual(escalationsOf(first, ref), [{ reference: ref, level: 1, role: 'Division Head', reason: 'not_acknowledged' }]);
      assert.ok(first.breaches.some((b) => b.reference === ref && b.kind === 'acknowledgment'));
      // The customer is told, and to which role; the Division Head and the Manager of Customer Service are notified.
      const notice = await api.db.kysely.selectFrom('outbox_mail').select(['to_address', 'subject', 'body']).where('subject', '=', `Your service request (Pothole) has been escalated [${ref}]`).execute();
      assert.equal(notice.length, 1);
      assert.equal(notice[0]!.to_address, 'dana@example.org');
      assert.match(notice[0]!.body, /escalated it to the Division Head \(Manager of Roads Operations\)/);
      const staffMail = await api.db.kysely.selectFrom('outbox_mail').select(['to_address', 'body']).where('body', 'like', `%${ref}%`).where('subject', 'like', '%escalated to you%').execute();
      assert.deepEqual(staffMail.map((m) => m.to_address).sort(), [demo.csManager, demo.roadsHead]);
      // The Division Head sees it.
      const mine = await roadsHead.get('/api/v1/escalations');
      assert.ok(mine.body.escalations.some((e: { reference: string; level: number }) => e.reference === ref && e.level === 1));

      assert.deepEqual(escalationsOf(await sweepAt('2027-01-13T21:30:00Z'), ref), [], 'not before two weeks');
      assert.deepEqual(escalationsOf(await sweepAt('2027-01-13T21:31:00Z'), ref), [
        { reference: ref, level: 2, role: 'Department Head', reason: 'unacknowledged_two_weeks_after_escalation' },
      ]);
      assert.ok((await director.get('/api/v1/escalations')).body.escalations.some((e: { reference: string }) => e.reference === ref));
      assert.deepEqual(escalationsOf(await sweepAt('2027-01-27T21:31:00Z'), ref), [
        { reference: ref, level: 3, role: 'Chief Administrative Officer', reason: 'unacknowledged_two_weeks_after_escalation' },
      ]);
      assert.ok((await cao.get('/api/v1/escalations')).body.escalations.some((e: { reference: string }) => e.reference === ref));
      assert.deepEqual(escalationsOf(await sweepAt('2027-02-10T21:31:00Z'), ref), [], 'nothing goes above the CAO');
      assert.equal((await levelOf(ref)).escalation_level, 3);
      // The history keeps every step.
      const timeline = (await roads.get(`/api/v1/cases/${ref}`)).body.timeline;
      assert.deepEqual(timeline.filter((e: { type?: string }) => e.type === 'escalated').map((e: { data: { level: number } }) => e.data.level), [1, 2, 3]);
      assert.ok(timeline.some((e: { entry: string; kind?: string }) => e.entry === 'breach' && e.kind === 'acknowledgment'));
    });

    test('§5.1 acknowledged but not resolved by the target, with no revised timeline: escalated to the Division Head', async () => {
      const ref = await report('2026-11-23T15:00:00Z'); // road class 3: resolve by Monday 30 November 10:00.
      at('2026-11-24T15:00:00Z');
      assert.equal((await acknowledge(ref)).status, 200);
      assert.deepEqual(escalationsOf(await sweepAt('2026-11-30T14:59:00Z'), ref), []);
      const result = await sweepAt('2026-11-30T15:01:00Z');
      assert.deepEqual(escalationsOf(result, ref), [{ reference: ref, level: 1, role: 'Division Head', reason: 'not_resolved' }]);
      assert.ok(result.breaches.some((b) => b.reference === ref && b.kind === 'resolution'));
      assert.ok(!result.breaches.some((b) => b.reference === ref && b.kind === 'acknowledgment'), 'acknowledged on time');
    });

    test('§5.3 a revised timeline given and kept: the missed target is recorded, but nothing is escalated', async () => {
      const ref = await report('2026-11-23T15:00:00Z');
      at('2026-11-24T15:00:00Z');
      await acknowledge(ref);
      at('2026-11-27T15:00:00Z');
      const updated = await roads.post(`/api/v1/cases/${ref}/updates`, { status: 'Waiting for asphalt', timeline: '2026-12-04', reason: 'The plant reopens Thursday.' });
      assert.equal(updated.status, 200);
      const atTarget = await sweepAt('2026-11-30T15:01:00Z');
      assert.deepEqual(escalationsOf(atTarget, ref), []);
      assert.ok(atTarget.breaches.some((b) => b.reference === ref && b.kind === 'resolution'), 'compliance is measured against the original target');
      at('2026-12-03T15:00:00Z');
      assert.equal((await roads.post(`/api/v1/cases/${ref}/resolve`, { resolution: 'Patched.' })).status, 200);
      assert.deepEqual(escalationsOf(await sweepAt('2026-12-05T15:00:00Z'), ref), []);
      assert.equal((await levelOf(ref)).escalation_level, 0);
      assert.equal((await levelOf(ref)).next_check_at, null, 'a resolved case is not checked again');
    });

    test('§5.3 a revised timeline missed: escalated to the Division Head when it passes', async () => {
      const ref = await report('2026-11-23T15:00:00Z');
      at('2026-11-24T15:00:00Z');
      await acknowledge(ref);
      at('2026-11-27T15:00:00Z');
      await roads.post(`/api/v1/cases/${ref}/updates`, { status: 'Waiting for asphalt', timeline: '2026-12-04', reason: 'The plant reopens Thursday.' });
      assert.deepEqual(escalationsOf(await sweepAt('2026-11-30T15:01:00Z'), ref), []);
      const passed = await sweepAt('2026-12-04T21:31:00Z');
      assert.deepEqual(escalationsOf(passed, ref), [{ reference: ref, level: 1, role: 'Division Head', reason: 'revised_timeline_passed' }]);
      assert.ok(passed.breaches.some((b) => b.reference === ref && b.kind === 'update'), 'the promised date passed: an update is overdue');
    });

    test('§5.2 reviewed and updated but still unresolved two weeks later: the Manager of Customer Service’s review list, who decides', async () => {
      const ref = await report('2026-11-23T15:00:00Z');
      at('2026-11-24T15:00:00Z');
      await acknowledge(ref);
      await sweepAt('2026-11-30T15:01:00Z'); // level 1
      at('2026-12-02T15:00:00Z');
      const notHead = await roads.post(`/api/v1/cases/${ref}/escalation/review`, { findings: 'x', update: 'x', timeline: '2026-12-31' });
      assert.equal(notHead.status, 403);
      const reviewed = await roadsHead.post(`/api/v1/cases/${ref}/escalation/review`, {
        findings: 'Crew shortage; scheduled with the contractor.',
        update: 'A contractor will repair the road before the end of the month.',
        timeline: '2026-12-31',
      });
      assert.equal(reviewed.status, 200, JSON.stringify(reviewed.body));
      assert.equal(reviewed.body.case.revisedResolveBy, '2026-12-31T16:30:00-05:00');
      const message = (await roads.get(`/api/v1/cases/${ref}`)).body.timeline.find((e: { entry: string; kind?: string; sentBy?: string }) => e.entry === 'message' && e.kind === 'update');
      assert.match(message.body, /A contractor will repair the road before the end of the month\./);
      assert.match(message.body, /Thursday 31 December 2026/);

      const twoWeeks = await sweepAt('2026-12-14T15:02:00Z');
      assert.deepEqual(escalationsOf(twoWeeks, ref), [], 'updated and within its revised timeline: not escalated automatically');
      assert.deepEqual(twoWeeks.reviewListed.filter((r) => r.reference === ref), [{ reference: ref, level: 1 }]);
      const list = await manager.get('/api/v1/escalations/review-list');
      assert.ok(list.body.reviewList.some((r: { reference: string }) => r.reference === ref));
      assert.equal((await roadsHead.post(`/api/v1/cases/${ref}/escalation/decision`, { decision: 'keep', reason: 'x' })).status, 403);
      const kept = await manager.post(`/api/v1/cases/${ref}/escalation/decision`, { decision: 'keep', reason: 'The contractor date is firm and the customer agreed.' });
      assert.equal(kept.status, 200);
      assert.ok(!(await manager.get('/api/v1/escalations/review-list')).body.reviewList.some((r: { reference: string }) => r.reference === ref));
      assert.deepEqual(escalationsOf(await sweepAt('2026-12-28T15:02:00Z'), ref), [], 'the decision stands');
      assert.equal((await levelOf(ref)).escalation_level, 1);
    });

    test('§5.2 resolved at level 2: the pathway stops', async () => {
      const ref = await report('2026-11-23T15:00:00Z');
      at('2026-11-24T15:00:00Z');
      await acknowledge(ref);
      await sweepAt('2026-11-30T15:01:00Z'); // level 1: not resolved
      const second = await sweepAt('2026-12-14T15:02:00Z'); // no update since the escalation
      assert.deepEqual(escalationsOf(second, ref), [{ reference: ref, level: 2, role: 'Department Head', reason: 'no_update_two_weeks_after_escalation' }]);
      at('2026-12-15T15:00:00Z');
      assert.equal((await roads.post(`/api/v1/cases/${ref}/resolve`, { resolution: 'Repaired.' })).status, 200);
      assert.deepEqual(escalationsOf(await sweepAt('2026-12-28T15:03:00Z'), ref), []);
      const state = await levelOf(ref);
      assert.equal(state.escalation_level, 2);
      assert.equal(state.next_check_at, null);
      // Resolving never clears the history.
      const timeline = (await roads.get(`/api/v1/cases/${ref}`)).body.timeline;
      assert.equal(timeline.filter((e: { type?: string }) => e.type === 'escalated').length, 2);
    });

    test('a sweep stopped halfway is completed by the next one, and sweeping again changes nothing', async () => {
      const refs: string[] = [];
      for (let i = 0; i < 5; i += 1) refs.push(await report('2027-03-01T15:00:00Z'));
      // Acknowledge by Wednesday 3 March 16:30 (21:30Z).
      const partial = await sweep({ db: api.db, now: new Date('2027-03-03T21:31:00Z'), batchSize: 2, maxBatches: 1 });
      const rest = await sweep({ db: api.db, now: new Date('2027-03-03T21:31:00Z') });
      const escalated = [...partial.escalations, ...rest.escalations].map((e) => e.reference).filter((r) => refs.includes(r));
      assert.deepEqual(escalated.sort(), [...refs].sort());
      const again = await sweep({ db: api.db, now: new Date('2027-03-03T21:31:00Z') });
      assert.equal(again.escalations.length + again.breaches.length, 0);
    });
  });
}
