import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { testEngines } from '../helpers/db.js';
import { demo, inquiryByPhone, potholeByPhone, startApi, type Client, type TestApi } from '../helpers/api.js';

/**
 * The Standard's rules for cases, walked through the staff API with real dates. The clock starts on
 * Monday 23 November 2026 at 10:00 in Lindsay (15:00 UTC).
 */
const MONDAY_10AM = '2026-11-23T15:00:00Z';

for (const engine of testEngines()) {
  describe(`cases on ${engine.name}`, () => {
    let api: TestApi;
    let csRep: Client;
    let roads: Client;
    let roadsHead: Client;
    let traffic: Client;
    before(async () => {
      api = await startApi(engine, MONDAY_10AM);
      [csRep, roads, roadsHead, traffic] = await Promise.all([api.as(demo.csRep), api.as(demo.roadsStaff), api.as(demo.roadsHead), api.as(demo.trafficStaff)]);
    });
    after(() => api.close());

    const intake = async (body: Record<string, unknown>, by: Client = csRep) => {
      const response = await by.post('/api/v1/cases', body);
      assert.equal(response.status, 201, JSON.stringify(response.body));
      return response.body.case;
    };
    const timeline = async (reference: string, by: Client = roads) => (await by.get(`/api/v1/cases/${reference}`)).body.timeline as any[]; // eslint-disable-line @typescript-eslint/no-explicit-any
    const acknowledgment = { nextSteps: 'A crew will inspect the pothole and patch it.', contact: 'Roads Operations, 705-324-9411 ext. 1200' };

    test('§3.3 a phone report becomes a tracked service request with its Division Service Targets and reference number', async () => {
      const c = await intake(potholeByPhone());
      assert.match(c.reference, /^SR-2026-\d{6}$/);
      assert.equal(c.kind, 'service_request');
      assert.equal(c.status, 'open');
      assert.deepEqual(c.division, { code: 'roads-operations', name: 'Roads Operations' });
      assert.equal(c.receivedAt, '2026-11-23T10:00:00-05:00');
      assert.equal(c.receiptBusinessDay, '2026-11-23');
      // Pothole: acknowledge within 2 business days; road class 3: resolve within 7 calendar days.
      assert.equal(c.targets.acknowledgeBy, '2026-11-25T16:30:00-05:00');
      assert.equal(c.targets.resolveBy, '2026-11-30T10:00:00-05:00');
      assert.deepEqual(c.targets.dstVersion, { version: 1, effectiveFrom: '2025-01-01' });
      assert.equal(c.acknowledgedAt, null);
      assert.equal(c.owner.name, 'Casey Morgan', 'the representative who took the call owns it (CSS §3.1)');
    });

    test('§3.3 the automatic receipt e-mail is sent, marked automated, and does not count as the acknowledgment', async () => {
      const c = await intake(potholeByPhone());
      const entries = await timeline(c.reference);
      const receipt = entries.find((e) => e.entry === 'message');
      assert.equal(receipt.kind, 'receipt');
      assert.equal(receipt.automated, true);
      assert.equal(receipt.method, 'email');
      assert.match(receipt.body, new RegExp(`reference number is ${c.reference}`));
      assert.match(receipt.body, /This is an automatic message/);
      const outbox = await api.db.kysely.selectFrom('outbox_mail').select(['to_address', 'subject']).where('subject', 'like', `%${c.reference}%`).execute();
      assert.deepEqual(outbox, [{ to_address: 'dana@example.org', subject: `We received your service request (Pothole) [${c.reference}]` }]);
      assert.equal((await roads.get(`/api/v1/cases/${c.reference}`)).body.case.acknowledgedAt, null);
      const automated = await roads.post(`/api/v1/cases/${c.reference}/acknowledge`, { ...acknowledgment, automated: true });
      assert.equal(automated.status, 422);
      assert.equal(automated.body.error.code, 'RULE_VIOLATION');
      assert.match(automated.body.error.message, /automated message never counts as an acknowledgment/);
    });

    test('§4.1 only staff of the responsible division acknowledge: Customer Service is refused, another division cannot even see it', async () => {
      const c = await intake(potholeByPhone());
      const byCustomerService = await csRep.post(`/api/v1/cases/${c.reference}/acknowledge`, acknowledgment);
      assert.equal(byCustomerService.status, 403);
      assert.equal(byCustomerService.body.error.code, 'FORBIDDEN');
      assert.match(byCustomerService.body.error.message, /Only staff of Roads Operations, the division responsible for SR-2026-\d+, can acknowledge it/);
      const byTraffic = await traffic.post(`/api/v1/cases/${c.reference}/acknowledge`, acknowledgment);
      assert.equal(byTraffic.status, 404);
      assert.equal((await traffic.get(`/api/v1/cases/${c.reference}`)).status, 404);
      const events = await api.db.kysely.selectFrom('case_event').select('type').where('case_id', '=', (await caseId(c.reference))).execute();
      assert.deepEqual(events.map((e) => e.type), ['received'], 'refusals write nothing');
    });

    test('§4.1 an acknowledgment without next steps or contact information is refused, naming what is missing', async () => {
      const c = await intake(potholeByPhone());
      const noNextSteps = await roads.post(`/api/v1/cases/${c.reference}/acknowledge`, { contact: acknowledgment.contact });
      assert.equal(noNextSteps.status, 400);
      assert.deepEqual(noNextSteps.body.error.details.map((d: { field: string }) => d.field), ['nextSteps']);
      assert.match(noNextSteps.body.error.message, /next steps/);
      const noContact = await roads.post(`/api/v1/cases/${c.reference}/acknowledge`, { nextSteps: acknowledgment.nextSteps, contact: '  ' });
      assert.equal(noContact.status, 400);
      assert.deepEqual(noContact.body.error.details.map((d: { field: string }) => d.field), ['contact']);
      assert.match(noContact.body.error.message, /contact information/);
    });

    test('§3.3 §4.1 the acknowledgment confirms receipt, names the division, gives next steps and contact, and reaches the customer', async () => {
      const c = await intake(potholeByPhone());
      api.clock.set('2026-11-24T14:00:00Z');
      try {
        const response = await roads.post(`/api/v1/cases/${c.reference}/acknowledge`, acknowledgment);
        assert.equal(response.status, 200, JSON.stringify(response.body));
        assert.equal(response.body.case.acknowledgedAt, '2026-11-24T09:00:00-05:00');
        assert.equal(response.body.case.owner.name, 'Riley Chen', 'the division takes ownership from Customer Service');
        const message = (await timeline(c.reference)).find((e) => e.entry === 'message' && e.kind === 'acknowledgment');
        assert.equal(message.automated, false);
        assert.equal(message.sentBy, 'Riley Chen');
        assert.match(message.body, /Roads Operations has received your service request \(Pothole\)/);
        assert.match(message.body, /What happens next: A crew will inspect the pothole and patch it\./);
        assert.match(message.body, /contact Roads Operations, 705-324-9411 ext\. 1200/);
        assert.match(message.body, new RegExp(c.reference));
        const again = await roadsHead.post(`/api/v1/cases/${c.reference}/acknowledge`, acknowledgment);
        assert.equal(again.status, 409);
        assert.equal(again.body.error.code, 'CONFLICT');
      } finally {
        api.clock.set(MONDAY_10AM);
      }
    });

    test('two staff acknowledging the same case at the same moment: one succeeds, the other gets a conflict, nothing is written twice', async () => {
      const c = await intake(potholeByPhone());
      const [a, b] = await Promise.all([
        roads.post(`/api/v1/cases/${c.reference}/acknowledge`, acknowledgment),
        roadsHead.post(`/api/v1/cases/${c.reference}/acknowledge`, acknowledgment),
      ]);
      assert.deepEqual([a.status, b.status].sort(), [200, 409]);
      const id = await caseId(c.reference);
      const acknowledged = await api.db.kysely.selectFrom('case_event').select('id').where('case_id', '=', id).where('type', '=', 'acknowledged').execute();
      const messages = await api.db.kysely.selectFrom('case_message').select('id').where('case_id', '=', id).where('kind', '=', 'acknowledgment').execute();
      assert.equal(acknowledged.length, 1);
      assert.equal(messages.length, 1);
    });

    test('§3.3 a general inquiry is acknowledged within 3 business days and, when it needs investigation, with a timeline', async () => {
      const c = await intake(inquiryByPhone({ division: 'roads-operations', customer: { name: 'Lee', email: 'lee@example.org' } }));
      assert.match(c.reference, /^GI-2026-\d{6}$/);
      assert.equal(c.targets.acknowledgeBy, '2026-11-26T16:30:00-05:00');
      assert.equal(c.targets.resolveBy, null);
      const noTimeline = await roads.post(`/api/v1/cases/${c.reference}/acknowledge`, acknowledgment);
      assert.equal(noTimeline.status, 400);
      assert.equal(noTimeline.body.error.details[0].field, 'timeline');
      assert.match(noTimeline.body.error.message, /needs a timeline/);
      const past = await roads.post(`/api/v1/cases/${c.reference}/acknowledge`, { ...acknowledgment, timeline: '2026-11-20' });
      assert.equal(past.status, 400);
      const ok = await roads.post(`/api/v1/cases/${c.reference}/acknowledge`, { ...acknowledgment, timeline: '2026-12-04' });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.equal(ok.body.case.committedBy, '2026-12-04T16:30:00-05:00');
      const message = (await timeline(c.reference)).find((e) => e.entry === 'message' && e.kind === 'acknowledgment');
      assert.match(message.body, /We will give you a full response by Friday 4 December 2026/);
    });

    test('§3.3 an inquiry answered on the spot is recorded as acknowledged and resolved in one step', async () => {
      const c = await intake(inquiryByPhone({ division: undefined, resolveAtFirstContact: { answer: 'The Lindsay Service Centre is open 8:30 to 4:30, Monday to Friday.' } }));
      assert.equal(c.status, 'resolved');
      assert.equal(c.firstContactResolution, true);
      assert.equal(c.acknowledgedAt, '2026-11-23T10:00:00-05:00');
      assert.equal(c.resolvedAt, '2026-11-23T10:00:00-05:00');
      assert.equal(c.division.name, 'Customer Service');
      const refused = await csRep.post('/api/v1/cases', potholeByPhone({ resolveAtFirstContact: { answer: 'fixed' } }));
      assert.equal(refused.status, 422);
      assert.match(refused.body.error.message, /cannot be resolved at first contact/);
    });

    test('§3.2 a service request by social media is refused with the reason and the official channels; an inquiry is accepted', async () => {
      const refused = await csRep.post('/api/v1/cases', potholeByPhone({ channel: 'social_media' }));
      assert.equal(refused.status, 422);
      assert.equal(refused.body.error.code, 'RULE_VIOLATION');
      assert.match(refused.body.error.message, /Social media is not an official channel for service requests \(CSS §3\.2\)/);
      assert.match(refused.body.error.message, /705-324-9411/);
      assert.match(refused.body.error.message, /inquiries@kawarthalakes\.ca/);
      assert.match(refused.body.error.message, /kawarthalakes\.ca\/reportit/);
      const inquiry = await intake(inquiryByPhone({ channel: 'social_media' }));
      assert.equal(inquiry.channel.code, 'social_media');
    });

    test('§3.2 a counter contact names its Service Centre', async () => {
      const missing = await csRep.post('/api/v1/cases', potholeByPhone({ channel: 'in_person' }));
      assert.equal(missing.status, 400);
      assert.match(missing.body.error.message, /Service Centre/);
      const c = await intake(potholeByPhone({ channel: 'in_person', serviceCentre: 'omemee' }));
      assert.deepEqual(c.serviceCentre, { code: 'omemee', name: 'Omemee Service Centre' });
    });

    test('INTERPRETATION §1 staff may back-date a receipt (audited, targets from the real receipt) but never into the future', async () => {
      const c = await intake(potholeByPhone({ receivedAt: '2026-11-20T15:00' }));
      assert.equal(c.receivedAt, '2026-11-20T15:00:00-05:00');
      assert.equal(c.targets.acknowledgeBy, '2026-11-24T16:30:00-05:00');
      const received = (await timeline(c.reference)).find((e) => e.entry === 'event' && e.type === 'received');
      assert.equal(received.data.backdated, true);
      assert.equal(received.data.recordedAt, '2026-11-23T10:00:00-05:00');
      const future = await csRep.post('/api/v1/cases', potholeByPhone({ receivedAt: '2026-11-23T10:30' }));
      assert.equal(future.status, 400);
      assert.match(future.body.error.message, /cannot be received in the future/);
    });

    test('§3.1 the summary read back to the customer must be confirmed', async () => {
      const response = await csRep.post('/api/v1/cases', potholeByPhone({ summaryConfirmed: false }));
      assert.equal(response.status, 422);
      assert.match(response.body.error.message, /Read the summary back to the customer/);
    });

    test('§3.1 a transfer is pending until the receiving division confirms receipt; the sender keeps a follow-up item; the clock never restarts', async () => {
      const c = await intake(potholeByPhone({ description: 'Streetlight out above the pothole', summary: 'Light out at 50 Kent St. W.' }));
      const noNote = await roads.post(`/api/v1/cases/${c.reference}/transfer`, { toDivision: 'traffic-streetlights', note: '' });
      assert.equal(noNote.status, 400);
      const transferred = await roads.post(`/api/v1/cases/${c.reference}/transfer`, { toDivision: 'traffic-streetlights', note: 'This is a streetlight, not a pothole.' });
      assert.equal(transferred.status, 200, JSON.stringify(transferred.body));
      assert.equal(transferred.body.case.transfer.toDivision.name, 'Traffic and Streetlights');
      assert.equal(transferred.body.case.transfer.followUpBy, '2026-11-24T16:30:00-05:00');
      assert.equal(transferred.body.case.division.name, 'Roads Operations', 'still the sender’s until receipt is confirmed');

      const out = await roads.get('/api/v1/queues/transfers-out');
      assert.ok(out.body.items.some((i: { reference: string }) => i.reference === c.reference));
      const incoming = await traffic.get('/api/v1/queues/transfers-in');
      assert.ok(incoming.body.items.some((i: { reference: string }) => i.reference === c.reference));

      // Unconfirmed: neither side can act on it.
      const early = await traffic.post(`/api/v1/cases/${c.reference}/acknowledge`, acknowledgment);
      assert.equal(early.status, 422);
      assert.match(early.body.error.message, /confirm receipt of the transfer first/);
      const senderResolves = await roads.post(`/api/v1/cases/${c.reference}/resolve`, { resolution: 'done' });
      assert.equal(senderResolves.status, 422);
      assert.match(senderResolves.body.error.message, /waiting for Traffic and Streetlights to confirm receipt/);
      const wrongConfirmer = await roads.post(`/api/v1/cases/${c.reference}/transfer/confirm`, {});
      assert.equal(wrongConfirmer.status, 403);

      const confirmed = await traffic.post(`/api/v1/cases/${c.reference}/transfer/confirm`, {});
      assert.equal(confirmed.status, 200);
      assert.equal(confirmed.body.case.division.name, 'Traffic and Streetlights');
      assert.equal(confirmed.body.case.transfer, null);
      assert.equal(confirmed.body.case.owner.name, 'Taylor Brooks');
      assert.equal(confirmed.body.case.targets.acknowledgeBy, c.targets.acknowledgeBy, 'targets count from the original receipt');
      const told = (await timeline(c.reference, traffic)).find((e) => e.entry === 'message' && e.kind === 'transfer');
      assert.match(told.body, /has been passed from Roads Operations to Traffic and Streetlights/);
      assert.equal((await roads.get(`/api/v1/cases/${c.reference}`)).status, 404, 'the sender no longer sees it');

      // Reclassified: the new type's targets, recomputed from the original receipt (Monday 10:00).
      const reclassified = await traffic.post(`/api/v1/cases/${c.reference}/reclassify`, { requestType: 'streetlight', reason: 'It is a streetlight outage.' });
      assert.equal(reclassified.status, 200, JSON.stringify(reclassified.body));
      assert.deepEqual(reclassified.body.case.requestType, { code: 'streetlight', name: 'Streetlight out' });
      assert.equal(reclassified.body.case.targets.acknowledgeBy, '2026-11-25T16:30:00-05:00');
      assert.equal(reclassified.body.case.targets.resolveBy, '2026-12-07T16:30:00-05:00');
      // CSS §3.1: a type of another division transfers the case with it; Traffic keeps it until Roads confirms.
      const otherDivisionType = await traffic.post(`/api/v1/cases/${c.reference}/reclassify`, { requestType: 'road-sign', reason: 'It is a damaged sign.' });
      assert.equal(otherDivisionType.status, 200, JSON.stringify(otherDivisionType.body));
      assert.equal(otherDivisionType.body.case.requestType.code, 'road-sign');
      assert.equal(otherDivisionType.body.case.division.name, 'Traffic and Streetlights');
      assert.equal(otherDivisionType.body.case.transfer.toDivision.name, 'Roads Operations');
      const note = (await timeline(c.reference, traffic)).find((e) => e.entry === 'event' && e.type === 'transfer_requested' && e.data.to === 'Roads Operations');
      assert.match(note.data.note, /Reclassified as .*Roads Operations handles: It is a damaged sign\./);
    });

    test('§3.3 an update gives the status and a revised timeline with its reason; when that date passes the update is overdue', async () => {
      const c = await intake(potholeByPhone());
      assert.equal((await roads.post(`/api/v1/cases/${c.reference}/acknowledge`, acknowledgment)).status, 200);
      const noReason = await roads.post(`/api/v1/cases/${c.reference}/updates`, { status: 'Waiting for asphalt', timeline: '2026-12-02', reason: '' });
      assert.equal(noReason.status, 400);
      const updated = await roads.post(`/api/v1/cases/${c.reference}/updates`, { status: 'Waiting for hot asphalt', timeline: '2026-12-02', reason: 'The asphalt plant is closed for the season.' });
      assert.equal(updated.status, 200, JSON.stringify(updated.body));
      assert.equal(updated.body.case.revisedResolveBy, '2026-12-02T16:30:00-05:00');
      assert.equal(updated.body.case.targets.resolveBy, '2026-11-30T10:00:00-05:00', 'the original target stays');
      const message = (await timeline(c.reference)).find((e) => e.entry === 'message' && e.kind === 'update');
      assert.match(message.body, /Where things stand: Waiting for hot asphalt/);
      assert.match(message.body, /New expected date: Wednesday 2 December 2026\. Why the date changed: The asphalt plant is closed for the season\./);
      api.clock.set('2026-12-03T14:00:00Z');
      try {
        const overdue = await roads.get('/api/v1/queues/update-overdue');
        assert.ok(overdue.body.items.some((i: { reference: string }) => i.reference === c.reference));
      } finally {
        api.clock.set(MONDAY_10AM);
      }
    });

    test('resolve with a resolution message; reopen when the customer says it is not fixed; internal notes stay internal', async () => {
      const c = await intake(potholeByPhone());
      const note = await roads.post(`/api/v1/cases/${c.reference}/notes`, { text: 'Crew says the hole is next to a water valve.' });
      assert.equal(note.status, 204);
      const resolved = await roads.post(`/api/v1/cases/${c.reference}/resolve`, { resolution: 'We patched the pothole on Tuesday.' });
      assert.equal(resolved.status, 200);
      assert.equal(resolved.body.case.status, 'resolved');
      assert.equal(resolved.body.case.acknowledgedAt, '2026-11-23T10:00:00-05:00', 'a resolution also acknowledges');
      const entries = await timeline(c.reference);
      assert.ok(entries.some((e) => e.entry === 'event' && e.type === 'note' && e.data.text.includes('water valve')));
      assert.ok(!entries.some((e) => e.entry === 'message' && e.body.includes('water valve')), 'the customer never sees a note');
      const resolution = entries.find((e) => e.entry === 'message' && e.kind === 'resolution');
      assert.match(resolution.body, /We patched the pothole on Tuesday\./);
      const again = await roads.post(`/api/v1/cases/${c.reference}/resolve`, { resolution: 'again' });
      assert.equal(again.status, 422);
      const reopened = await csRep.post(`/api/v1/cases/${c.reference}/reopen`, { reason: 'The customer says the patch has already broken up.' });
      assert.equal(reopened.status, 200);
      assert.equal(reopened.body.case.status, 'open');
      assert.equal(reopened.body.case.targets.resolveBy, c.targets.resolveBy);
    });

    test('assign: the owner must be a member of the responsible division', async () => {
      const c = await intake(potholeByPhone());
      const heads = await api.db.kysely.selectFrom('staff_user').select(['id', 'email']).execute();
      const idOf = (email: string) => heads.find((h) => h.email === email)!.id;
      const outsider = await roads.post(`/api/v1/cases/${c.reference}/assign`, { ownerId: idOf(demo.trafficStaff) });
      assert.equal(outsider.status, 400);
      assert.match(outsider.body.error.message, /not in Roads Operations/);
      const ok = await roadsHead.post(`/api/v1/cases/${c.reference}/assign`, { ownerId: idOf(demo.roadsStaff) });
      assert.equal(ok.status, 200);
      assert.equal(ok.body.case.owner.name, 'Riley Chen');
      const mine = await roads.get('/api/v1/queues/mine');
      assert.ok(mine.body.items.some((i: { reference: string }) => i.reference === c.reference));
    });

    test('queues: acknowledgment due today and overdue, sorted by the deadline, per division', async () => {
      api.clock.set('2026-11-25T14:00:00Z'); // Wednesday 09:00: the Monday potholes are due today at 16:30.
      try {
        const today = await roads.get('/api/v1/queues/acknowledge-due-today');
        assert.equal(today.status, 200);
        assert.ok(today.body.items.length > 0);
        assert.ok(today.body.items.every((i: { acknowledgeBy: string; acknowledgedAt: string | null }) => i.acknowledgeBy === '2026-11-25T16:30:00-05:00' && i.acknowledgedAt === null));
        const overdue = await roads.get('/api/v1/queues/acknowledge-overdue');
        assert.ok(overdue.body.items.every((i: { acknowledgeBy: string }) => i.acknowledgeBy < '2026-11-25T09:00'));
        const dues = overdue.body.items.map((i: { acknowledgeBy: string }) => i.acknowledgeBy);
        assert.deepEqual(dues, [...dues].sort(), 'sorted by the acknowledgment deadline');
        const trafficView = await traffic.get('/api/v1/queues/acknowledge-due-today');
        assert.ok(trafficView.body.items.every((i: { division: string }) => i.division === 'Traffic and Streetlights'));
        const otherDivision = await traffic.get('/api/v1/queues/division?division=roads-operations');
        assert.equal(otherDivision.status, 403);
      } finally {
        api.clock.set(MONDAY_10AM);
      }
    });

    test('a retried create with the same Idempotency-Key returns the same case; the same key for another request is a conflict', async () => {
      const key = `retry-${engine.name}-1`;
      const first = await csRep.post('/api/v1/cases', potholeByPhone(), { 'idempotency-key': key });
      const retry = await csRep.post('/api/v1/cases', potholeByPhone(), { 'idempotency-key': key });
      assert.equal(first.status, 201);
      assert.equal(retry.status, 200);
      assert.equal(retry.headers['idempotent-replayed'], 'true');
      assert.equal(retry.body.case.reference, first.body.case.reference);
      const other = await csRep.post('/api/v1/cases', potholeByPhone({ description: 'another one' }), { 'idempotency-key': key });
      assert.equal(other.status, 409);
    });

    test('INTERPRETATION §6 the history cannot be rewritten: events and messages refuse updates and deletes', async () => {
      await assert.rejects(sql`update case_event set type = 'x'`.execute(api.db.kysely), /history and cannot be changed/);
      await assert.rejects(sql`delete from case_message`.execute(api.db.kysely), /history and cannot be changed/);
    });

    test('sign-in: a wrong password is refused, five in a row lock the account, signing out ends the session', async () => {
      const wrong = await api.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: demo.admin, password: 'not the password' } });
      assert.equal(wrong.statusCode, 401);
      for (let i = 0; i < 4; i += 1) await api.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: demo.admin, password: 'not the password' } });
      const locked = await api.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: demo.admin, password: 'citydesk-demo-2025' } });
      assert.equal(locked.statusCode, 423);
      assert.equal(locked.json().error.code, 'ACCOUNT_LOCKED');
      api.clock.advance(16 * 60_000);
      try {
        const ok = await api.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: demo.admin, password: 'citydesk-demo-2025' } });
        assert.equal(ok.statusCode, 200);
        const token = ok.json().token;
        assert.equal((await api.app.inject({ method: 'GET', url: '/api/v1/session', headers: { authorization: `Bearer ${token}` } })).statusCode, 200);
        assert.equal((await api.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: { authorization: `Bearer ${token}` } })).statusCode, 204);
        assert.equal((await api.app.inject({ method: 'GET', url: '/api/v1/session', headers: { authorization: `Bearer ${token}` } })).statusCode, 401);
      } finally {
        api.clock.set(MONDAY_10AM);
      }
    });

    async function caseId(reference: string): Promise<number> {
      return (await api.db.kysely.selectFrom('service_case').select('id').where('reference', '=', reference).executeTakeFirstOrThrow()).id;
    }
  });
}
