import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import { sql } from 'kysely';
import { testEngines } from '../helpers/db.js';
import { demo, potholeByPhone, startApi, type TestApi } from '../helpers/api.js';
import { consoleAs, pageText } from '../helpers/console.js';
import { sweep } from '../../src/escalation/sweep.js';
import { sendEscalationCode } from '../../src/escalation/request-escalation.js';
import * as templates from '../../src/notify/templates.js';
import * as followerMessages from '../../src/notify/follower-messages.js';
import * as surveyMessages from '../../src/feedback/survey-messages.js';

/**
 * Issue 18 point 6: a message or a confirmation never promises a date that has passed. Every
 * message citydesk sends or shows a customer is produced here for a back-dated contact (received
 * three weeks before it was recorded) or an overdue case, with the clock moving on; any date a
 * sentence presents as a promise ("by", "expect", "will", "target", "aim", "until") must not be
 * before now, and where a target has passed the words say it is overdue (CSS §3.3, §4.1, §5.2).
 *
 * The table below names every message: the template functions and the kinds of case message
 * (read from the database's own list) are compared with it, so a new message without a row fails.
 */

const zone = 'America/Toronto';
// Monday 2 March 2026, 10:00 in Lindsay.
const NOW = '2026-03-02T15:00:00Z';
// Three weeks earlier, Monday 9 February at 9:00: the contact was recorded late (back-dated).
const RECEIVED = '2026-02-09T09:00';

const weekday = '(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const month = '(January|February|March|April|May|June|July|August|September|October|November|December)';
const dateWords = new RegExp(`${weekday} (\\d{1,2}) ${month} (\\d{4})(?:(?: at|,) (\\d{1,2}):(\\d{2}) ?([AaPp][Mm]))?`, 'g');
/** Words that make a sentence a promise about its date. */
const promise = /\b(by|expect|expected|will|target|aim|until|due)\b/i;
/** Words that say the date is in the past, not promised: what happened, or what was missed. */
const toldAsPast = /\b(aimed|we expected|was|were|overdue|passed|received|resolved|acknowledged|escalated|asked)\b/i;

/** The sentences of a text that present a date before now as a promise. */
export function pastPromises(text: string, now: Date): string[] {
  const sentences = text.split(/(?<=[.!?])\s+|\n+|(?<=:)\s+(?=[A-Z])/);
  const found: string[] = [];
  for (const sentence of sentences) {
    for (const m of sentence.matchAll(dateWords)) {
      const [, , day, monthName, year, hour, minute, ampm] = m;
      let at = DateTime.fromFormat(`${day} ${monthName} ${year}`, 'd LLLL yyyy', { zone, locale: 'en-CA' });
      assert.ok(at.isValid, `"${m[0]}" reads as a date`);
      // A date without a time is the whole day: it has passed only once the day is over.
      if (hour === undefined) at = at.endOf('day');
      else at = at.set({ hour: (Number(hour) % 12) + (/p/i.test(ampm!) ? 12 : 0), minute: Number(minute) });
      if (at.toMillis() < now.getTime() && promise.test(sentence) && !toldAsPast.test(sentence)) found.push(sentence.trim());
    }
  }
  return found;
}

test('the checker finds a passed date promised, and lets a passed date told as overdue or as history stand', () => {
  const now = new Date(NOW);
  assert.deepEqual(pastPromises('A member of Roads Operations will contact you by Wednesday 11 February 2026 at 4:30 PM to confirm the next steps.', now), [
    'A member of Roads Operations will contact you by Wednesday 11 February 2026 at 4:30 PM to confirm the next steps.',
  ]);
  assert.deepEqual(pastPromises('The target to resolve it is Monday 16 February 2026.', now), ['The target to resolve it is Monday 16 February 2026.']);
  assert.deepEqual(pastPromises('It is overdue: we aimed to resolve it by Monday 16 February 2026.', now), []);
  assert.deepEqual(pastPromises('We received your request on Monday 9 February 2026 at 9:00 AM.', now), []);
  // Today is not yet past; a date to come is a fair promise.
  assert.deepEqual(pastPromises('We will answer by Monday 2 March 2026. We aim to finish by Friday 13 March 2026, 4:30 pm.', now), []);
});

interface Produced {
  /** What was produced (a subject, a page), for the failure message. */
  what: string;
  text: string;
  /** A target of this case had passed: the words must say it is overdue. */
  overdue?: boolean;
  /** When it was produced. */
  at: Date;
}

/**
 * Every message and confirmation a customer can get, by the template that writes it and the kinds
 * of case message it is recorded as. `staff` marks those only staff read (not walked here).
 */
const customerTemplates: Record<string, { kinds: string[]; staff?: true }> = {
  receiptMessage: { kinds: ['receipt'] },
  acknowledgmentMessage: { kinds: ['acknowledgment'] },
  updateMessage: { kinds: ['update'] },
  transferMessage: { kinds: ['transfer'] },
  resolutionMessage: { kinds: ['resolution'] },
  reopenedMessage: { kinds: ['reopened'] },
  escalationMessage: { kinds: ['escalation'] },
  escalationDigest: { kinds: [], staff: true },
  duplicateMessage: { kinds: ['resolution'] },
  duplicateUndoneMessage: { kinds: ['reopened'] },
  parentNewsMessage: { kinds: ['acknowledgment', 'update', 'resolution', 'reopened'] },
  followConfirmationMessage: { kinds: [] },
  followerUpdateMessage: { kinds: [] },
  surveyInvitationMessage: { kinds: [] },
};
/** Case messages written without a template function: the one-time code, and the escalation answer (given on the page). */
const kindsWithoutTemplate = ['escalation_code', 'escalation_answer'];
/** The pages that confirm or show targets to a customer, or to staff reading them to the customer. */
const pages = ['staff intake confirmation', 'portal report sent', 'portal tracking page', 'staff acknowledgment form and preview', 'response template offered'];
// Open311's expected_datetime and service_notice are checked where the walk reads them.

const messageFunctions = (mod: Record<string, unknown>): string[] => Object.entries(mod).filter(([name, v]) => typeof v === 'function' && /(Message|Digest)$/.test(name)).map(([name]) => name);

for (const engine of testEngines()) {
  test(`${engine.name}: every customer message and confirmation of a back-dated or overdue case promises no passed date, and says overdue (issue 18; CSS §3.3, §4.1, §5.2)`, async () => {
    const api: TestApi = await startApi(engine, NOW);
    after(() => api.close());

    // The table is complete: every template, and every kind of case message the database allows.
    assert.deepEqual([...messageFunctions(templates), ...messageFunctions(followerMessages), ...messageFunctions(surveyMessages)].sort(), Object.keys(customerTemplates).sort(), 'a message template without a row in this test');
    const constraint = await sql<{ def: string }>`select pg_get_constraintdef(c.oid) as def from pg_constraint c where c.conrelid = 'case_message'::regclass and pg_get_constraintdef(c.oid) like '%kind%'`.execute(api.db.kysely);
    const kinds = [...(constraint.rows[0]?.def ?? '').matchAll(/'([a-z_]+)'/g)].map((m) => m[1]!);
    assert.ok(kinds.length > 0, 'the database lists the kinds of case message');
    const covered = new Set([...Object.values(customerTemplates).flatMap((t) => t.kinds), ...kindsWithoutTemplate]);
    assert.deepEqual(kinds.filter((k) => !covered.has(k)), [], 'a kind of case message without a row in this test');

    const produced: Produced[] = [];
    const record = (p: Omit<Produced, 'at'>) => produced.push({ ...p, at: api.clock.now() });
    const seenTemplates = new Set<string>();
    const rep = await api.as(demo.csRep);
    const roads = await api.as(demo.roadsStaff);
    const messagesOf = async (reference: string) =>
      api.db.kysely
        .selectFrom('case_message as m')
        .innerJoin('service_case as c', 'c.id', 'm.case_id')
        .select(['m.id', 'm.kind', 'm.subject', 'm.body'])
        .where('c.reference', '=', reference)
        .orderBy('m.id')
        .execute();
    let seen = 0;
    /** The case messages recorded since the last look, each marked with the template that wrote it. */
    const take = async (reference: string, template: string, overdue: boolean) => {
      const rows = (await messagesOf(reference)).filter((r) => r.id > seen);
      assert.ok(rows.length > 0, `${template} produced a message for ${reference}`);
      for (const r of rows) {
        seen = Math.max(seen, r.id);
        record({ what: `${template} (${r.kind}) ${r.subject}`, text: `${r.subject}\n${r.body}`, overdue });
      }
      seenTemplates.add(template);
      return rows;
    };
    const portal = async (url: string) => {
      const response = await api.app.inject({ method: 'GET', url });
      assert.equal(response.statusCode, 200, url);
      return pageText(response.body);
    };

    // A back-dated contact: received three weeks ago, recorded now. Its targets (2 business days
    // to acknowledge, 7 calendar days to resolve a class 3 road) have passed.
    const created = await rep.post('/api/v1/cases', potholeByPhone({ receivedAt: RECEIVED }));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const a = created.body.case.reference as string;
    const [receipt] = await take(a, 'receiptMessage', true);
    assert.match(receipt!.body, /overdue/);

    const staffRep = await consoleAs(api, demo.csRep);
    record({ what: 'staff intake confirmation', text: pageText((await staffRep.get(`/staff/intake/done/${a}`)).body), overdue: true });
    record({ what: 'portal report sent', text: await portal(`/report/sent/${a}`), overdue: true });
    record({ what: 'portal tracking page (not acknowledged)', text: await portal(`/track/${a}`), overdue: true });
    // Open311 (GeoReport v2): no expected_datetime that has passed; the notice says overdue.
    const open311 = async () => JSON.parse((await api.app.inject({ method: 'GET', url: `/open311/v2/requests/${a}.json` })).body)[0];
    const georeport = await open311();
    assert.equal(georeport.expected_datetime, null, 'an open request past its target expects no passed date');
    assert.match(georeport.service_notice, /^Roads Operations aimed to acknowledge this request by 2026-02-11T16:30:00-05:00; it is overdue/);

    // Staff write the acknowledgment: the form asks them for a new date, and its preview says overdue.
    const roadsConsole = await consoleAs(api, demo.roadsStaff);
    const caseHtml = (await roadsConsole.get(`/staff/cases/${a}`)).body;
    const casePage = pageText(caseHtml);
    // The ready-made responses staff may send, filled from this overdue case ({resolve_by}, {acknowledge_by}).
    const offered = [...caseHtml.matchAll(/data-text="([^"]*)"/g)].map((m) => m[1]!.replace(/&quot;/g, '"').replace(/&#39;|&#x27;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
    assert.ok(offered.some((t) => /overdue/.test(t)), `a shipped template fills {resolve_by} with an overdue case's words: ${offered.join(' | ')}`);
    for (const text of offered) record({ what: 'response template offered', text });
    assert.match(casePage, /New expected resolution date/);
    assert.match(casePage, /The resolution target, Monday 16 February 2026, has passed: give the customer a new date/);
    const preview = /The message the customer will get([^]*?)(?:How the|Send|$)/.exec(casePage)?.[1] ?? '';
    record({ what: 'staff acknowledgment form and preview', text: preview, overdue: true });

    const acknowledged = await roads.post(`/api/v1/cases/${a}/acknowledge`, { nextSteps: 'A crew will inspect and patch it.', contact: 'Roads Operations, 705-324-9411' });
    assert.equal(acknowledged.status, 200, JSON.stringify(acknowledged.body));
    await take(a, 'acknowledgmentMessage', true);

    // A progress note cannot stand on a passed date: staff are asked for a new one (CSS §3.3).
    const note = await roads.post(`/api/v1/cases/${a}/updates`, { status: 'The crew is booked.' });
    assert.equal(note.status, 422, JSON.stringify(note.body));
    assert.match(note.body.error.message, /has passed: give a revised timeline/);

    // The sweep escalates the overdue request (§5.2, level 1).
    await sweep({ db: api.db, now: api.clock.now() });
    await take(a, 'escalationMessage', true);

    const updated = await roads.post(`/api/v1/cases/${a}/updates`, { status: 'The crew is booked.', timeline: '2026-03-13', reason: 'The asphalt plant reopens on 9 March.' });
    assert.equal(updated.status, 200, JSON.stringify(updated.body));
    await take(a, 'updateMessage', false);
    record({ what: 'portal tracking page (revised timeline to come)', text: await portal(`/track/${a}`) });
    assert.equal((await open311()).expected_datetime, '2026-03-13T16:30:00-04:00', 'the revised date to come is expected');

    // The clock moves past the revised date: the tracking page says overdue, a note is refused
    // again, and the sweep takes it to the next level.
    api.clock.set('2026-03-17T14:00:00Z');
    record({ what: 'portal tracking page (revised timeline passed)', text: await portal(`/track/${a}`), overdue: true });
    assert.equal((await open311()).expected_datetime, null, 'nor once the revised date has passed');
    assert.equal((await roads.post(`/api/v1/cases/${a}/updates`, { status: 'Still booked.' })).status, 422);
    await sweep({ db: api.db, now: api.clock.now() });
    await take(a, 'escalationMessage', true);

    // The one-time code to ask for an escalation.
    await sendEscalationCode({ db: api.db, reference: a, now: api.clock.now() });
    const code = await api.db.kysely.selectFrom('outbox_mail').select(['subject', 'body']).where('subject', 'like', `%code to ask for an escalation [${a}]%`).executeTakeFirstOrThrow();
    record({ what: 'escalation code', text: `${code.subject}\n${code.body}` });
    await take(a, 'escalation_code', true);

    // A duplicate joined to the overdue request follows its news, and is undone.
    const dup = (await rep.post('/api/v1/cases', potholeByPhone({ receivedAt: '2026-03-01T09:00', customer: { name: 'Robin Neighbour', email: 'robin@example.org', preferredContact: 'email' } }))).body.case.reference as string;
    await messagesOf(dup).then((rows) => rows.forEach((r) => (seen = Math.max(seen, r.id))));
    assert.equal((await roads.post(`/api/v1/cases/${dup}/duplicate`, { parent: a, reason: 'Same pothole.' })).status, 200);
    await take(dup, 'duplicateMessage', true);
    const resolved = await roads.post(`/api/v1/cases/${a}/resolve`, { resolution: 'The pothole was patched on 16 March.' });
    assert.equal(resolved.status, 200, JSON.stringify(resolved.body));
    await take(a, 'resolutionMessage', true);
    await take(dup, 'parentNewsMessage', true);
    assert.equal((await roads.post(`/api/v1/cases/${a}/reopen`, { reason: 'The patch broke up in the thaw.' })).status, 200);
    await take(a, 'reopenedMessage', true);
    assert.equal((await roads.post(`/api/v1/cases/${dup}/duplicate/undo`, { reason: 'It is a second pothole, 30 m further east.' })).status, 200);
    await take(dup, 'duplicateUndoneMessage', true);
    record({ what: 'portal tracking page (reopened, overdue)', text: await portal(`/track/${a}`), overdue: true });

    // A transfer of a back-dated request to the division responsible.
    const streetlight = (await rep.post('/api/v1/cases', potholeByPhone({ receivedAt: RECEIVED.replace('09T', '10T') }))).body.case.reference as string;
    await messagesOf(streetlight).then((rows) => rows.forEach((r) => (seen = Math.max(seen, r.id))));
    assert.equal((await roads.post(`/api/v1/cases/${streetlight}/transfer`, { toDivision: 'traffic-streetlights', note: 'A streetlight, not a pothole.' })).status, 200);
    const confirmed = await (await api.as(demo.trafficStaff)).post(`/api/v1/cases/${streetlight}/transfer/confirm`, {});
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
    await take(streetlight, 'transferMessage', true);

    // The messages written outside a case's record, with this overdue case's dates: the follower's
    // confirmation and update, the survey invitation after its resolution.
    const now = api.clock.now();
    const follow = followerMessages.followConfirmationMessage({ municipality: 'City of Kawartha Lakes', reference: a, typeName: 'Pothole', confirmUrl: 'https://x/confirm', expiresAt: new Date(now.getTime() + 7 * 86_400_000), timeZone: zone });
    const followUpdate = followerMessages.followerUpdateMessage({
      municipality: 'City of Kawartha Lakes',
      reference: a,
      typeName: 'Pothole',
      at: new Date('2026-03-02T16:00:00Z'),
      summary: 'Update from the City',
      text: 'The crew is booked.',
      description: 'Deep pothole.',
      trackUrl: 'https://x/track',
      unfollowUrl: 'https://x/unfollow',
      timeZone: zone,
    });
    const survey = surveyMessages.surveyInvitationMessage({
      municipality: 'City of Kawartha Lakes',
      reference: a,
      customerName: 'Dana Resident',
      what: 'service request (Pothole)',
      divisionName: 'Roads Operations',
      resolvedAt: new Date('2026-03-16T14:00:00Z'),
      expiresAt: new Date(now.getTime() + 30 * 86_400_000),
      surveyUrl: 'https://x/survey',
      optOutUrl: 'https://x/opt-out',
      contact: 'Roads Operations at 705-324-9411',
      timeZone: zone,
    });
    for (const [name, m] of [['followConfirmationMessage', follow], ['followerUpdateMessage', followUpdate], ['surveyInvitationMessage', survey]] as const) {
      record({ what: name, text: `${m.subject}\n${m.body}` });
      seenTemplates.add(name);
    }

    // Every row of the table was walked (the staff digest aside), and every page.
    const walked = Object.entries(customerTemplates).filter(([name, t]) => !t.staff && !seenTemplates.has(name));
    assert.deepEqual(walked, [], 'a customer message the walk did not produce');
    for (const page of pages) assert.ok(produced.some((p) => p.what.startsWith(page)), `the walk shows ${page}`);

    for (const p of produced) assert.deepEqual(pastPromises(p.text, p.at), [], `${p.what} promises a date that has passed:\n${p.text}`);
    for (const p of produced.filter((x) => x.overdue && /^(receipt|acknowledgment|staff|portal)/.test(x.what))) {
      assert.match(p.text, /overdue/i, `${p.what} says it is overdue:\n${p.text}`);
    }
  });
}
