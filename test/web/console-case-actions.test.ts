import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngines } from '../helpers/db.js';
import { demo, potholeByPhone, inquiryByPhone, startApi, type TestApi } from '../helpers/api.js';
import { consoleAs, pageText, type ConsoleResponse } from '../helpers/console.js';
import { sweep } from '../../src/escalation/sweep.js';

/**
 * The case page's actions, through the forms a browser posts (no JavaScript): each one works, and
 * each refusal shows beside its form in the use case's own words.
 */

interface Page {
  status: number;
  html: string;
  location: string | undefined;
}

/** The text of the element with this id (nested elements of its kind are balanced). */
function byId(html: string, id: string): string | undefined {
  const open = new RegExp(`<(\\w+)[^>]*\\sid="${id.replace(/[.[\]]/g, '\\$&')}"[^>]*>`).exec(html);
  if (!open) return undefined;
  const tag = open[1]!;
  const tags = new RegExp(`<(/?)${tag}\\b[^>]*>`, 'g');
  tags.lastIndex = open.index + open[0].length;
  let depth = 1;
  for (let m = tags.exec(html); m; m = tags.exec(html)) {
    depth += m[1] ? -1 : 1;
    if (depth === 0) return pageText(html.slice(open.index + open[0].length, m.index));
  }
  return undefined;
}

async function staffConsole(api: TestApi, email: string) {
  const client = await consoleAs(api, email);
  const toPage = (r: ConsoleResponse): Page => ({ status: r.status, html: r.body, location: r.headers['location'] as string | undefined });
  return {
    get: async (url: string) => toPage(await client.get(url)),
    post: async (url: string, form: Record<string, string>) => toPage(await client.post(url, form)),
  };
}

async function newCase(api: TestApi, body: Record<string, unknown> = potholeByPhone()): Promise<string> {
  const created = await (await api.as(demo.csRep)).post('/api/v1/cases', body);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.case.reference as string;
}

const caseRow = (api: TestApi, reference: string) => api.db.kysely.selectFrom('service_case').selectAll().where('reference', '=', reference).executeTakeFirstOrThrow();

for (const engine of testEngines()) {
  test(`[${engine.name}] §4.1 acknowledging on the case page prompts for next steps and a contact (prefilled with the division's), previews the message and records it`, async (t) => {
    const api = await startApi(engine, '2026-03-02T10:00:00-05:00');
    t.after(() => api.close());
    const reference = await newCase(api);
    const roads = await staffConsole(api, demo.roadsStaff);

    const page = await roads.get(`/staff/cases/${reference}`);
    assert.equal(page.status, 200);
    assert.match(byId(page.html, 'f-acknowledge-contact-hint') ?? '', /Prefilled with the division's contact/);
    assert.match(page.html, /id="f-acknowledge-contact"[^>]*value="Roads Operations at [^"]+"/);
    assert.match(pageText(page.html), /Roads Operations has received your service request \(Pothole\)/, 'the preview names the responsible division');
    assert.match(pageText(page.html), /Acknowledgment Wednesday 4 March 2026, 4:30 pm Due in 2 business days \(Wednesday 4 March, 4:30 pm\)/);

    const preview = await roads.post(`/staff/cases/${reference}/acknowledge/preview`, { 'acknowledge.nextSteps': 'A crew will fill it within a week.', 'acknowledge.contact': 'Sam at 705-555-0100' });
    assert.equal(preview.status, 200);
    assert.match(pageText(preview.html), /What happens next: A crew will fill it within a week\./);
    assert.equal((await caseRow(api, reference)).acknowledged_at, null, 'a preview sends nothing');

    const sent = await roads.post(`/staff/cases/${reference}/acknowledge`, {
      'acknowledge.nextSteps': 'A crew will fill it within a week.',
      'acknowledge.contact': 'Roads Operations at 705-324-9411',
      'acknowledge.method': 'email',
    });
    assert.equal(sent.status, 303);
    assert.equal(sent.location, `/staff/cases/${reference}?done=acknowledged`);
    const after = await roads.get(sent.location!);
    assert.match(byId(after.html, 'case-status') ?? '', /Acknowledged\./);
    assert.match(pageText(after.html), /Met Acknowledged on Monday 2 March 2026, 10:00 am/);
    assert.doesNotMatch(after.html, /id="action-acknowledge"/, 'acknowledged once: the form is gone');
    const message = await api.db.kysely.selectFrom('case_message').selectAll().where('kind', '=', 'acknowledgment').executeTakeFirstOrThrow();
    assert.equal(message.automated, false);
    assert.match(message.body, /What happens next: A crew will fill it within a week\./);
  });

  test(`[${engine.name}] §4.1 an acknowledgment without next steps is refused beside its field in the use case's words, keeping what was typed`, async (t) => {
    const api = await startApi(engine, '2026-03-02T10:00:00-05:00');
    t.after(() => api.close());
    const reference = await newCase(api);
    const roads = await staffConsole(api, demo.roadsStaff);
    const refused = await roads.post(`/staff/cases/${reference}/acknowledge`, { 'acknowledge.nextSteps': '  ', 'acknowledge.contact': 'Sam at 705-555-0100', 'acknowledge.method': 'email' });
    assert.equal(refused.status, 400);
    assert.match(byId(refused.html, 'error-summary') ?? '', /Outline the next steps for the customer \(CSS §4\.1\)\./);
    assert.match(refused.html, /<a href="#f-acknowledge-nextSteps">/, 'the summary links to the field');
    assert.match(byId(refused.html, 'f-acknowledge-nextSteps-error') ?? '', /Outline the next steps for the customer/);
    assert.match(refused.html, /value="Sam at 705-555-0100"/);
    assert.equal((await caseRow(api, reference)).acknowledged_at, null);

    // An inquiry needs a timeline (§3.3).
    const inquiry = await newCase(api, inquiryByPhone());
    const cs = await staffConsole(api, demo.csRep);
    const page = await cs.get(`/staff/cases/${inquiry}`);
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.html, /id="action-acknowledge"/, 'Customer Service does not acknowledge for Revenue and Taxation');
    const csRefused = await cs.post(`/staff/cases/${inquiry}/acknowledge`, { 'acknowledge.nextSteps': 'We will look into it.', 'acknowledge.contact': 'Revenue' });
    assert.equal(csRefused.status, 403);
    assert.match(byId(csRefused.html, 'f-acknowledge-_form') ?? '', /Only staff of Revenue and Taxation, the division responsible for GI-2026-\d+, can acknowledge it/);
  });

  test(`[${engine.name}] §3.3 an automated message never counts as acknowledgment: the receipt is marked so, the target stays open, a form claiming automation is refused`, async (t) => {
    const api = await startApi(engine, '2026-03-02T10:00:00-05:00');
    t.after(() => api.close());
    const reference = await newCase(api);
    const roads = await staffConsole(api, demo.roadsStaff);
    const page = await roads.get(`/staff/cases/${reference}`);
    const text = pageText(page.html);
    assert.match(text, /Receipt to the customer by e-mail Automated — does not count as acknowledgment/);
    assert.match(text, /Not acknowledged yet/);
    const refused = await roads.post(`/staff/cases/${reference}/acknowledge`, { 'acknowledge.nextSteps': 'Auto', 'acknowledge.contact': 'Roads', 'acknowledge.automated': 'true' });
    assert.equal(refused.status, 422);
    assert.match(byId(refused.html, 'f-acknowledge-_form') ?? '', /An automated message never counts as an acknowledgment \(CSS §3\.3\)/);
    assert.equal((await caseRow(api, reference)).acknowledged_at, null);
  });

  test(`[${engine.name}] §3.1 staff of another division cannot open a case they may not see: no page, no customer details, no action`, async (t) => {
    const api = await startApi(engine, '2026-03-02T10:00:00-05:00');
    t.after(() => api.close());
    const reference = await newCase(api);
    for (const email of [demo.trafficStaff, demo.engineeringDirector]) {
      const other = await staffConsole(api, email);
      const page = await other.get(`/staff/cases/${reference}`);
      assert.equal(page.status, 404, email);
      assert.match(pageText(page.html), new RegExp(`There is no case ${reference} that you can see`));
      assert.doesNotMatch(page.html, /Dana Resident|dana@example\.org|705-555-0142/);
      const acknowledged = await other.post(`/staff/cases/${reference}/acknowledge`, { 'acknowledge.nextSteps': 'Mine now', 'acknowledge.contact': 'Traffic' });
      assert.equal(acknowledged.status, 404);
      assert.doesNotMatch(acknowledged.html, /Dana Resident/);
    }
    assert.equal((await caseRow(api, reference)).acknowledged_at, null);

    // The Department Head of Public Works sees the Roads case, but it is not theirs to work.
    const director = await staffConsole(api, demo.worksDirector);
    const page = await director.get(`/staff/cases/${reference}`);
    assert.equal(page.status, 200);
    for (const action of ['acknowledge', 'update', 'resolve', 'assign', 'reclassify', 'transfer', 'reopen']) assert.doesNotMatch(page.html, new RegExp(`id="action-${action}"`), action);
    assert.match(page.html, /id="action-note"/);
    assert.match(pageText(page.html), /Your role cannot change this case; you can add an internal note\./);
  });

  test(`[${engine.name}] §3.1 a transfer waits for the receiving division: Traffic may only confirm, acting before confirming is refused inline, confirming hands it over`, async (t) => {
    const api = await startApi(engine, '2026-03-02T10:00:00-05:00');
    t.after(() => api.close());
    const reference = await newCase(api);
    const roads = await staffConsole(api, demo.roadsStaff);
    const traffic = await staffConsole(api, demo.trafficStaff);

    const noNote = await roads.post(`/staff/cases/${reference}/transfer`, { 'transfer.toDivision': 'traffic-streetlights', 'transfer.note': '' });
    assert.equal(noNote.status, 400);
    assert.match(byId(noNote.html, 'f-transfer-note-error') ?? '', /A transfer needs a note for the receiving division \(CSS §3\.1\)\./);

    const sent = await roads.post(`/staff/cases/${reference}/transfer`, { 'transfer.toDivision': 'traffic-streetlights', 'transfer.note': 'It is a streetlight, not a pothole.' });
    assert.equal(sent.status, 303);
    const pending = await roads.get(sent.location!);
    assert.match(pageText(pending.html), /Transfer pending to Traffic and Streetlights/);
    assert.match(pending.html, /id="action-transfer-withdraw"/);
    assert.doesNotMatch(pending.html, /id="action-resolve"/);

    const resolved = await roads.post(`/staff/cases/${reference}/resolve`, { 'resolve.resolution': 'Filled.', 'resolve.method': 'email' });
    assert.equal(resolved.status, 422);
    assert.match(byId(resolved.html, 'f-resolve-_form') ?? '', /waiting for Traffic and Streetlights to confirm receipt of its transfer \(CSS §3\.1\)/);

    const theirs = await traffic.get(`/staff/cases/${reference}`);
    assert.equal(theirs.status, 200);
    assert.match(theirs.html, /id="action-transfer-confirm"/);
    assert.doesNotMatch(theirs.html, /id="action-acknowledge"/);
    const early = await traffic.post(`/staff/cases/${reference}/acknowledge`, { 'acknowledge.nextSteps': 'We will fix the light.', 'acknowledge.contact': 'Traffic' });
    assert.equal(early.status, 422);
    assert.match(byId(early.html, 'f-acknowledge-_form') ?? '', /receipt is not confirmed yet: confirm receipt of the transfer first \(CSS §3\.1\)/);

    const confirmed = await traffic.post(`/staff/cases/${reference}/transfer/confirm`, {});
    assert.equal(confirmed.status, 303);
    const now = await traffic.get(confirmed.location!);
    assert.match(byId(now.html, 'case-status') ?? '', /Transfer confirmed/);
    assert.match(now.html, /id="action-acknowledge"/);
    const row = await caseRow(api, reference);
    const division = await api.db.kysely.selectFrom('division').select('code').where('id', '=', row.division_id).executeTakeFirstOrThrow();
    assert.equal(division.code, 'traffic-streetlights');
    assert.equal(row.transfer_to_division_id, null);
    assert.equal((await roads.get(`/staff/cases/${reference}`)).status, 404, 'Roads no longer sees it');
  });

  test(`[${engine.name}] update, assign, reclassify, note, resolve and reopen work from the page and show in the timeline; refusals come back inline`, async (t) => {
    const api = await startApi(engine, '2026-03-02T10:00:00-05:00');
    t.after(() => api.close());
    const reference = await newCase(api);
    const roads = await staffConsole(api, demo.roadsStaff);
    const url = `/staff/cases/${reference}`;

    const early = await roads.post(`${url}/update`, { 'update.status': 'Crew booked.', 'update.timeline': '2026-03-20', 'update.reason': 'Asphalt plant closed.' });
    assert.equal(early.status, 422);
    assert.match(byId(early.html, 'f-update-_form') ?? '', /has not been acknowledged yet: acknowledge it first/);

    assert.equal((await roads.post(`${url}/acknowledge`, { 'acknowledge.nextSteps': 'A crew will look.', 'acknowledge.contact': 'Roads Operations' })).status, 303);

    const past = await roads.post(`${url}/update`, { 'update.status': 'Crew booked.', 'update.timeline': '2026-02-20', 'update.reason': 'Asphalt plant closed.' });
    assert.equal(past.status, 400);
    assert.match(byId(past.html, 'f-update-timeline-error') ?? '', /has already passed: give a date in the future/);
    const updated = await roads.post(`${url}/update`, { 'update.status': 'Crew booked.', 'update.timeline': '2026-03-20', 'update.reason': 'Asphalt plant closed.', 'update.method': 'email' });
    assert.equal(updated.status, 303);
    let page = await roads.get(updated.location!);
    assert.match(pageText(page.html), /Resolution .* Friday 20 March 2026, 4:30 pm/, 'the revised timeline shows beside the original target');
    assert.match(pageText(page.html), /Update sent with a revised timeline Status: Crew booked\./);

    const head = await api.db.kysely.selectFrom('staff_user').select('id').where('email', '=', demo.roadsHead).executeTakeFirstOrThrow();
    const trafficStaff = await api.db.kysely.selectFrom('staff_user').select('id').where('email', '=', demo.trafficStaff).executeTakeFirstOrThrow();
    const wrongOwner = await roads.post(`${url}/assign`, { 'assign.ownerId': String(trafficStaff.id) });
    assert.equal(wrongOwner.status, 400);
    assert.match(byId(wrongOwner.html, 'f-assign-ownerId-error') ?? '', /is not in Roads Operations; the owner must be a member of the responsible division\./);
    assert.equal((await roads.post(`${url}/assign`, { 'assign.ownerId': String(head.id) })).status, 303);
    assert.equal((await caseRow(api, reference)).owner_id, head.id);

    page = await roads.get(url);
    assert.match(pageText(page.html), /The targets are recomputed for the new type from the original receipt/);
    const reclassified = await roads.post(`${url}/reclassify`, { 'reclassify.requestType': 'sidewalk-hazard', 'reclassify.reason': 'It is on the sidewalk.' });
    assert.equal(reclassified.status, 303, reclassified.html.slice(0, 200));
    assert.match(pageText((await roads.get(reclassified.location!)).html), /Reclassified from pothole to sidewalk-hazard Reason: It is on the sidewalk\. Targets recomputed from the original receipt/);

    assert.equal((await roads.post(`${url}/note`, { 'note.text': 'Customer called twice.' })).status, 303);
    page = await roads.get(url);
    assert.match(pageText(page.html), /Internal note Internal: the customer never sees it Customer called twice\./);

    const empty = await roads.post(`${url}/resolve`, { 'resolve.resolution': '' });
    assert.equal(empty.status, 400);
    assert.match(byId(empty.html, 'f-resolve-resolution-error') ?? '', /Write the resolution message/);
    assert.equal((await roads.post(`${url}/resolve`, { 'resolve.resolution': 'The sidewalk was repaired.', 'resolve.method': 'email' })).status, 303);
    page = await roads.get(url);
    assert.match(pageText(page.html), /Resolved/);
    assert.match(page.html, /id="action-reopen"/);
    assert.equal((await roads.post(`${url}/reopen`, { 'reopen.reason': 'The customer says the crack is still there.' })).status, 303);
    const row = await caseRow(api, reference);
    assert.equal(row.status, 'open');
    const notes = await api.db.kysely.selectFrom('case_message').select('kind').where('case_id', '=', row.id).where('kind', '=', 'reopened').execute();
    assert.equal(notes.length, 1);
  });

  test(`[${engine.name}] §5.2 the Division Head reviews an escalation from the case page; the Manager of Customer Service decides a review-list entry`, async (t) => {
    const api = await startApi(engine, '2026-03-02T10:00:00-05:00');
    t.after(() => api.close());
    const reference = await newCase(api);
    // Not acknowledged by its target (Wednesday 4 March, 4:30 pm): the sweep escalates it.
    api.clock.set('2026-03-05T09:00:00-05:00');
    await sweep({ db: api.db, now: api.clock.now() });
    const roads = await staffConsole(api, demo.roadsStaff);
    let page = await roads.get(`/staff/cases/${reference}`);
    assert.match(pageText(page.html), /Escalated: level 1, Division Head/);
    assert.match(pageText(page.html), /Acknowledgment target missed/);
    assert.match(pageText(page.html), /Overdue by 16 hours 30 minutes/);
    assert.doesNotMatch(page.html, /id="action-review"/, 'division staff do not review escalations');

    const head = await staffConsole(api, demo.roadsHead);
    page = await head.get(`/staff/cases/${reference}`);
    assert.match(page.html, /id="action-review"/);
    const missing = await head.post(`/staff/cases/${reference}/escalation/review`, { 'review.findings': 'Crew shortage.', 'review.update': '', 'review.timeline': '2026-03-13' });
    assert.equal(missing.status, 400);
    assert.match(byId(missing.html, 'f-review-update-error') ?? '', /Write the update for the customer/);
    const reviewed = await head.post(`/staff/cases/${reference}/escalation/review`, {
      'review.findings': 'Crew shortage; booked for next week.',
      'review.update': 'A crew will fill the pothole next week.',
      'review.timeline': '2026-03-30',
      'review.method': 'email',
    });
    assert.equal(reviewed.status, 303);
    assert.equal((await api.db.kysely.selectFrom('escalation_review').selectAll().execute()).length, 1);

    // Acknowledged and within its revised timeline two weeks on: the Manager's review list.
    assert.equal((await roads.post(`/staff/cases/${reference}/acknowledge`, { 'acknowledge.nextSteps': 'Crew booked.', 'acknowledge.contact': 'Roads Operations' })).status, 303);
    api.clock.set('2026-03-19T10:00:00-04:00');
    await sweep({ db: api.db, now: api.clock.now() });
    const manager = await staffConsole(api, demo.csManager);
    page = await manager.get(`/staff/cases/${reference}`);
    assert.match(page.html, /id="action-decision"/);
    const noReason = await manager.post(`/staff/cases/${reference}/escalation/decision`, { 'decision.decision': 'keep', 'decision.reason': '' });
    assert.equal(noReason.status, 400);
    assert.match(byId(noReason.html, 'f-decision-reason-error') ?? '', /Record the reason for the decision\./);
    const decided = await manager.post(`/staff/cases/${reference}/escalation/decision`, { 'decision.decision': 'keep', 'decision.reason': 'Within the revised timeline; the crew is booked.' });
    assert.equal(decided.status, 303);
    page = await manager.get(decided.location!);
    assert.match(pageText(page.html), /Review list: kept at this level Reason: Within the revised timeline/);
    assert.doesNotMatch(page.html, /id="action-decision"/);
  });

  test(`[${engine.name}] §5.3 staff ask for an escalation on a caller's behalf from the case page and see the answer at once: declined before a target is missed, accepted after`, async (t) => {
    const api = await startApi(engine, '2026-03-02T10:00:00-05:00');
    t.after(() => api.close());
    const reference = await newCase(api);
    const cs = await staffConsole(api, demo.csRep);
    let page = await cs.get(`/staff/cases/${reference}`);
    assert.match(page.html, /id="action-escalate"/);

    const noGrounds = await cs.post(`/staff/cases/${reference}/escalation-request`, { 'escalate.comment': 'Caller is upset.' });
    assert.equal(noGrounds.status, 400);
    assert.match(byId(noGrounds.html, 'f-escalate-grounds-error') ?? '', /Choose why the customer asks for an escalation/);

    // Its acknowledgment target (Wednesday 4 March, 4:30 pm) has not passed: declined, with the date.
    const early = await cs.post(`/staff/cases/${reference}/escalation-request`, { 'escalate.grounds': 'missed_target', 'escalate.comment': 'Caller wants it fixed today.' });
    assert.equal(early.status, 303);
    assert.match(early.location!, /done=escalation-declined/);
    page = await cs.get(early.location!);
    assert.match(pageText(page.html), /Escalation declined: the reason and the dates are in the timeline/);
    assert.match(pageText(page.html), /Escalation requested \(a target was missed\): declined/);
    assert.equal((await api.db.kysely.selectFrom('escalation').selectAll().execute()).length, 0);

    // Thursday: the acknowledgment target was missed, so the request goes to the Division Head.
    api.clock.set('2026-03-05T09:00:00-05:00');
    const nextDay = await staffConsole(api, demo.csRep);
    const late = await nextDay.post(`/staff/cases/${reference}/escalation-request`, { 'escalate.grounds': 'missed_target' });
    assert.equal(late.status, 303);
    assert.match(late.location!, /done=escalation-accepted/);
    const escalations = await api.db.kysely.selectFrom('escalation').select(['level', 'initiated_by']).execute();
    assert.deepEqual(escalations, [{ level: 1, initiated_by: 'staff' }]);
    page = await nextDay.get(late.location!);
    assert.match(pageText(page.html), /Escalated: level 1, Division Head/);
  });
}
