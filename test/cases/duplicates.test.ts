import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngines } from '../helpers/db.js';
import { demo, potholeByPhone, inquiryByPhone, startApi } from '../helpers/api.js';

/**
 * Issue 18, duplicates and merge: a duplicate closes pointing at its parent, its customer is told
 * and follows the parent's news, the parent lists it, the KPIs count the two once (§6.2), Open311
 * says so, and undoing it puts everything back, audited.
 */
for (const engine of testEngines()) {
  test(`[${engine.name}] §6.2 a duplicate closes pointing at its parent, its customer is told and follows the parent, they count once, and undo restores it`, async (t) => {
    const api = await startApi(engine, '2026-11-02T10:00:00-05:00');
    t.after(() => api.close());
    const cs = await api.as(demo.csRep);
    const parent = (await cs.post('/api/v1/cases', potholeByPhone())).body.case.reference as string;
    const second = await cs.post('/api/v1/cases', potholeByPhone({ customer: { name: 'Robin Neighbour', email: 'robin@example.org', preferredContact: 'email' }, description: 'Big hole by the curb on Kent.' }));
    const dup = second.body.case.reference as string;
    const roads = await api.as(demo.roadsStaff);

    const manager = await api.as(demo.csManager);
    const kpiCases = async (from: string) => (await manager.get(`/api/v1/kpis?from=${from}&to=2026-11-30&minimumGroupSize=1`)).body.total.cases as { serviceRequests: number };
    assert.equal((await kpiCases('2026-11-01')).serviceRequests, 2);

    const marked = await roads.post(`/api/v1/cases/${dup}/duplicate`, { parent, reason: 'Same pothole at 50 Kent St. W.' });
    assert.equal(marked.status, 200, JSON.stringify(marked.body));
    const row = await api.db.kysely.selectFrom('service_case').selectAll().where('reference', '=', dup).executeTakeFirstOrThrow();
    assert.equal(row.status, 'resolved');
    assert.match(row.resolution ?? '', new RegExp(`duplicate of ${parent}`));

    const told = await api.db.kysely.selectFrom('outbox_mail').select(['to_address', 'subject', 'body']).where('to_address', '=', 'robin@example.org').orderBy('id').execute();
    assert.ok(told.some((m) => m.subject === `Your service request (Pothole) is joined to ${parent} [${dup}]`), JSON.stringify(told.map((m) => m.subject)));

    const parentTimeline = (await roads.get(`/api/v1/cases/${parent}`)).body.timeline as { type: string; data?: Record<string, unknown> }[];
    assert.ok(JSON.stringify(parentTimeline).includes(dup), 'the parent timeline lists its duplicate');

    // Merged requests count once, from the aggregates (whole month) and case by case.
    assert.equal((await kpiCases('2026-11-01')).serviceRequests, 1);
    assert.equal((await kpiCases('2026-10-31')).serviceRequests, 1);

    // Open311: closed, with the parent named (Chicago's extension) and status duplicate in the updates (mySociety's).
    const open311 = await api.app.inject({ url: `/open311/v2/requests/${dup}.json?extensions=true` });
    const request = open311.json()[0];
    assert.equal(request.status, 'closed');
    assert.equal(request.extended_attributes.duplicate, parent);
    assert.equal(request.extended_attributes.parent_service_request_id, parent);
    const updates = (await api.app.inject({ url: '/open311/v2/servicerequestupdates.json' })).json() as { service_request_id: string; status: string }[];
    assert.ok(updates.some((u) => u.service_request_id === dup && u.status === 'duplicate'), JSON.stringify(updates));

    // The duplicate's customer follows the parent: its acknowledgment is news to them, in the City's words only.
    const ack = await roads.post(`/api/v1/cases/${parent}/acknowledge`, { nextSteps: 'A crew will fill it this week.', contact: 'Roads Operations at 705-324-9411' });
    assert.equal(ack.status, 200, JSON.stringify(ack.body));
    const news = await api.db.kysely.selectFrom('outbox_mail').select(['subject', 'body']).where('to_address', '=', 'robin@example.org').where('subject', 'like', 'News on%').execute();
    assert.equal(news.length, 1);
    assert.match(news[0]!.body, new RegExp(`Your report ${dup} is joined to ${parent}, which has been acknowledged`));
    assert.doesNotMatch(news[0]!.body, /Dana|dana@example/);

    // Public tracking page of the duplicate points at the parent.
    const track = await api.app.inject({ url: `/track/${dup}` });
    assert.match(track.body, new RegExp(`joined to it\\. The work goes on under <a href="/track/${parent}">`));

    // Undo: open again, counted again, the customer told, both histories keep it.
    const refused = await roads.post(`/api/v1/cases/${dup}/duplicate/undo`, { reason: ' ' });
    assert.equal(refused.status, 400);
    const undone = await roads.post(`/api/v1/cases/${dup}/duplicate/undo`, { reason: 'It is a second pothole, 30 m further east.' });
    assert.equal(undone.status, 200, JSON.stringify(undone.body));
    const after = await api.db.kysely.selectFrom('service_case').selectAll().where('reference', '=', dup).executeTakeFirstOrThrow();
    assert.equal(after.status, 'open');
    assert.equal(after.duplicate_of_id, null);
    assert.equal((await kpiCases('2026-11-01')).serviceRequests, 2);
    const dupTimeline = JSON.stringify((await roads.get(`/api/v1/cases/${dup}`)).body.timeline);
    assert.match(dupTimeline, /marked_duplicate/);
    assert.match(dupTimeline, /duplicate_undone/);
    const reopened = await api.db.kysely.selectFrom('outbox_mail').select('subject').where('to_address', '=', 'robin@example.org').where('subject', 'like', '%open again under its own reference%').execute();
    assert.equal(reopened.length, 1);
  });

  test(`[${engine.name}] marking a duplicate says what to fix: itself, another kind, no such request, not your division`, async (t) => {
    const api = await startApi(engine, '2026-11-02T10:00:00-05:00');
    t.after(() => api.close());
    const cs = await api.as(demo.csRep);
    const a = (await cs.post('/api/v1/cases', potholeByPhone())).body.case.reference as string;
    const b = (await cs.post('/api/v1/cases', potholeByPhone())).body.case.reference as string;
    const inquiry = (await cs.post('/api/v1/cases', inquiryByPhone())).body.case.reference as string;
    const roads = await api.as(demo.roadsStaff);
    const self = await roads.post(`/api/v1/cases/${a}/duplicate`, { parent: a });
    assert.equal(self.status, 400);
    assert.match(self.body.error.message, /cannot be a duplicate of itself/);
    const none = await roads.post(`/api/v1/cases/${a}/duplicate`, { parent: 'SR-2026-999999' });
    assert.match(none.body.error.message, /There is no request SR-2026-999999 that you can see/);
    const kind = await roads.post(`/api/v1/cases/${a}/duplicate`, { parent: inquiry });
    assert.match(kind.body.error.message, /no request .* that you can see|is a general inquiry/);
    const notTheirs = await (await api.as(demo.csRep)).post(`/api/v1/cases/${a}/duplicate`, { parent: b });
    assert.equal(notTheirs.status, 403);
    assert.match(notTheirs.body.error.message, /Only staff of Roads Operations.*can mark it a duplicate/);
    // No chains: a duplicate's duplicate points at the root.
    assert.equal((await roads.post(`/api/v1/cases/${b}/duplicate`, { parent: a })).status, 200);
    const c = (await cs.post('/api/v1/cases', potholeByPhone())).body.case.reference as string;
    const chain = await roads.post(`/api/v1/cases/${c}/duplicate`, { parent: b });
    assert.match(chain.body.error.message, new RegExp(`${b} is itself a duplicate of ${a}: mark ${c} a duplicate of ${a} instead`));
  });
}
