import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { testEngines } from '../helpers/db.js';
import { at } from '../helpers/factories.js';
import { consoleAs } from '../helpers/console.js';
import { demo, potholeByPhone, startApi, type TestApi } from '../helpers/api.js';
import { startSmtpServer } from '../helpers/smtp.js';
import { deliverOutbox, smtpTransport } from '../../src/notify/deliver-outbox.js';
import { sweepSurveys } from '../../src/feedback/sweep-surveys.js';
import { readOptOutToken, readSurveyToken, signOptOutToken, signSurveyToken } from '../../src/feedback/survey-token.js';
import { customerKeys, normalizePhone, surveyDecision } from '../../src/standard/customer-satisfaction.js';

const links = { publicUrl: 'https://service.example.ca' };
const from = 'City of Kawartha Lakes <inquiries@kawarthalakes.ca>';

describe('survey tokens (issue 14)', () => {
  const key = Buffer.from('k'.repeat(32));
  const expiresAt = new Date('2026-12-25T21:30:00Z');

  test('a signed survey token reads back as its invitation and expiry', () => {
    const token = signSurveyToken(key, { id: 42, expiresAt });
    assert.deepEqual(readSurveyToken(key, token), { invitationId: 42, expiresAt });
  });

  test('changing any character of a token, or another key, makes it no token at all', () => {
    const token = signSurveyToken(key, { id: 42, expiresAt });
    for (let i = 0; i < token.length; i += 1) {
      const c = token[i] === 'A' ? 'B' : 'A';
      assert.equal(readSurveyToken(key, token.slice(0, i) + c + token.slice(i + 1)), undefined, `changed at ${i}`);
    }
    assert.equal(readSurveyToken(Buffer.from('x'.repeat(32)), token), undefined);
    // Another invitation's number with this signature, a longer expiry: refused.
    const [, exp, sig] = token.split('.');
    assert.equal(readSurveyToken(key, `43.${exp}.${sig}`), undefined);
    assert.equal(readSurveyToken(key, `42.${Number(exp) + 86400}.${sig}`), undefined);
  });

  test('a survey token is not an opt-out token and the reverse', () => {
    const survey = signSurveyToken(key, { id: 7, expiresAt });
    const optOut = signOptOutToken(key, 7);
    assert.equal(readOptOutToken(key, survey), undefined);
    assert.equal(readSurveyToken(key, optOut), undefined);
    assert.deepEqual(readOptOutToken(key, optOut), { invitationId: 7 });
  });
});

describe('who is invited (issue 14, CSS §6.2)', () => {
  const base = { known: [], now: at('2026-11-25 16:31'), rules: { oncePerDays: 30 } };
  test('one customer whatever the way the phone number is written', () => {
    assert.equal(normalizePhone('705-555-0142'), '7055550142');
    assert.equal(normalizePhone('+1 (705) 555 0142 ext. 12'), '7055550142');
    assert.deepEqual(customerKeys({ email: ' Dana@Example.org ', phone: '1-705-555-0142' }), ['email:dana@example.org', 'phone:7055550142']);
  });
  test('anonymous and "do not contact me" customers are never invited', () => {
    assert.deepEqual(surveyDecision({ ...base, preferredContact: 'email', email: null, phone: null }), { skip: 'anonymous' });
    assert.deepEqual(surveyDecision({ ...base, preferredContact: 'none', email: 'a@b.ca', phone: null }), { skip: 'do_not_contact' });
  });
  test('the preferred channel decides: e-mail link or the follow-up call list', () => {
    assert.equal((surveyDecision({ ...base, preferredContact: 'email', email: 'a@b.ca', phone: '705-555-0100' }) as { invite: string }).invite, 'email');
    assert.equal((surveyDecision({ ...base, preferredContact: 'phone', email: 'a@b.ca', phone: '705-555-0100' }) as { invite: string }).invite, 'phone');
    assert.deepEqual(surveyDecision({ ...base, preferredContact: 'phone', email: 'a@b.ca', phone: null }), { skip: 'no_contact_method' });
  });
  test('invited under either contact detail in the last 30 days, or opted out: not invited', () => {
    const day = 86_400_000;
    const recent = [{ key: 'phone:7055550100', lastInvitedAt: base.now - 29 * day, optedOutAt: null }];
    assert.deepEqual(surveyDecision({ ...base, known: recent, preferredContact: 'email', email: 'a@b.ca', phone: '705-555-0100' }), { skip: 'recently_invited' });
    const old = [{ key: 'phone:7055550100', lastInvitedAt: base.now - 31 * day, optedOutAt: null }];
    assert.equal('invite' in surveyDecision({ ...base, known: old, preferredContact: 'email', email: 'a@b.ca', phone: '705-555-0100' }), true);
    const out = [{ key: 'email:a@b.ca', lastInvitedAt: null, optedOutAt: base.now - 400 * day }];
    assert.deepEqual(surveyDecision({ ...base, known: out, preferredContact: 'email', email: 'A@b.ca', phone: null }), { skip: 'opted_out' });
  });
});

/** A pothole reported and resolved by Roads at the clock's time; its reference. */
async function resolvedPothole(api: TestApi, overrides: Record<string, unknown> = {}): Promise<string> {
  const cs = await api.as(demo.csRep);
  const roads = await api.as(demo.roadsStaff);
  const created = await cs.post('/api/v1/cases', potholeByPhone(overrides));
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const reference = created.body.case.reference as string;
  const resolved = await roads.post(`/api/v1/cases/${reference}/resolve`, { resolution: 'The crew filled the pothole on Kent St. W.' });
  assert.equal(resolved.status, 200, JSON.stringify(resolved.body));
  return reference;
}

const page = async (api: TestApi, method: 'GET' | 'POST', url: string, form?: Record<string, string>) => {
  const response = await api.app.inject({
    method,
    url,
    headers: { accept: 'text/html', ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    payload: form ? new URLSearchParams(form).toString() : undefined,
  });
  return { status: response.statusCode, html: response.body };
};

const count = async (api: TestApi, table: 'survey_answer' | 'survey_invitation' | 'customer_feedback' | 'survey_recheck' | 'outbox'): Promise<number> =>
  Number((await api.db.kysely.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

for (const engine of testEngines()) {
  describe(`satisfaction surveys on ${engine.name} (issue 14, CSS §6.2)`, () => {
    test('2 business days after a resolution the customer gets one e-mail with a personal link; the page shows reference, type and date and nothing personal', async (t) => {
      const api = await startApi(engine, '2026-11-23T15:00:00Z'); // Monday 10:00
      t.after(() => api.close());
      const smtp = await startSmtpServer();
      t.after(() => smtp.close());
      const transport = smtpTransport(smtp.url);
      t.after(() => transport.close());
      const reference = await resolvedPothole(api);

      api.clock.set(new Date(at('2026-11-25 16:29')));
      assert.deepEqual((await sweepSurveys({ db: api.db, now: api.clock.now(), links })).invited, []);
      api.clock.set(new Date(at('2026-11-25 16:31')));
      assert.deepEqual((await sweepSurveys({ db: api.db, now: api.clock.now(), links })).invited, [{ reference, channel: 'email' }]);
      assert.deepEqual((await sweepSurveys({ db: api.db, now: api.clock.now(), links })).invited, [], 'a second sweep invites nobody again');
      await deliverOutbox({ db: api.db, transport, now: api.clock.now(), from });

      const survey = smtp.arrivals.filter((a) => a.mail.subject?.startsWith('How did we do?'));
      assert.equal(survey.length, 1);
      assert.deepEqual(survey[0]!.envelopeTo, ['dana@example.org']);
      assert.equal(survey[0]!.mail.subject, `How did we do? A short survey about ${reference}`);
      const link = /https:\/\/service\.example\.ca(\/survey\/[^\s]+)/.exec(survey[0]!.mail.text!)![1]!;
      assert.match(survey[0]!.mail.text!, /Hello Dana Resident,/);
      assert.match(survey[0]!.mail.text!, /works once, until Friday 25 December 2026/);
      assert.match(survey[0]!.mail.text!, /https:\/\/service\.example\.ca\/survey\/stop\//);

      const opened = await page(api, 'GET', link);
      assert.equal(opened.status, 200);
      assert.match(opened.html, new RegExp(reference));
      assert.match(opened.html, /Pothole/);
      assert.match(opened.html, /<dt>Resolved<\/dt><dd>Monday 23 November 2026<\/dd>/);
      assert.equal(opened.html.includes('name="rating"'), true);
      for (const personal of ['Dana', 'dana@example.org', '705-555-0142', 'Kent St', 'Deep pothole', 'crew filled']) assert.doesNotMatch(opened.html, new RegExp(personal), personal);

      // The KPI model (CSS §6.2): one invitation, no answer yet; Roads Operations' figures by division.
      const manager = await api.as(demo.csManager);
      const kpis = async () => (await manager.get('/api/v1/kpis?from=2026-11-01&to=2026-11-30&by=division&minimumGroupSize=1')).body;
      const before = await kpis();
      assert.deepEqual(
        { invitations: before.total.satisfaction.responseRate.denominator, answers: before.total.satisfaction.answers, mean: before.total.satisfaction.mean, state: before.total.satisfaction.satisfied.state },
        { invitations: 1, answers: 0, mean: null, state: 'no_data' },
      );

      const answered = await page(api, 'POST', link, { rating: '4', resolved: 'yes', comment: 'Quick work, thank you.' });
      assert.equal(answered.status, 200, answered.html);
      assert.match(answered.html, /Thank you for your answers/);
      const again = await page(api, 'POST', link, { rating: '1', resolved: 'no', comment: 'Changed my mind' });
      assert.equal(again.status, 409);
      assert.match(again.html, /already been answered/);
      const reopened = await page(api, 'GET', link);
      assert.equal(reopened.status, 409);
      const answers = await api.db.kysely.selectFrom('survey_answer').select(['rating', 'resolved', 'comment', 'channel']).execute();
      assert.deepEqual(answers, [{ rating: 4, resolved: 'yes', comment: 'Quick work, thank you.', channel: 'web' }]);

      const after = await kpis();
      const satisfaction = after.total.satisfaction;
      assert.deepEqual([satisfaction.answers, satisfaction.mean, satisfaction.satisfied.value, satisfaction.responseRate.value], [1, 4, 1, 1]);
      const roads = after.groups.find((g: { label: string }) => g.label === 'Roads Operations');
      assert.equal(roads.indicators.satisfaction.answers, 1);
      // With the default minimum group size (10) one answer shows as counts, not a percentage.
      const honest = (await manager.get('/api/v1/kpis?from=2026-11-01&to=2026-11-30')).body.total.satisfaction;
      assert.deepEqual([honest.satisfied.state, honest.satisfied.value, honest.satisfied.numerator, honest.satisfied.denominator, honest.mean], ['too_few', null, 1, 1, null]);
    });

    test('a request closed as a duplicate of another is not surveyed: its customer follows the parent (issue 18)', async (t) => {
      const api = await startApi(engine, '2026-11-23T15:00:00Z');
      t.after(() => api.close());
      const cs = await api.as(demo.csRep);
      const roads = await api.as(demo.roadsStaff);
      const parent = (await cs.post('/api/v1/cases', potholeByPhone())).body.case.reference as string;
      const duplicate = (await cs.post('/api/v1/cases', potholeByPhone({ customer: { name: 'Sam Other', email: 'sam@example.org', phone: '705-555-0199', preferredContact: 'email' } }))).body.case.reference as string;
      const marked = await roads.post(`/api/v1/cases/${duplicate}/duplicate`, { parent, reason: 'Same pothole' });
      assert.equal(marked.status, 200, JSON.stringify(marked.body));
      const resolved = await roads.post(`/api/v1/cases/${parent}/resolve`, { resolution: 'The crew filled the pothole on Kent St. W.' });
      assert.equal(resolved.status, 200, JSON.stringify(resolved.body));
      api.clock.set(new Date(at('2026-11-26 09:00')));
      assert.deepEqual((await sweepSurveys({ db: api.db, now: api.clock.now(), links })).invited, [{ reference: parent, channel: 'email' }]);
    });

    test('a damaged link shows nothing about any case; an expired one says it closed, with only reference and type', async (t) => {
      const api = await startApi(engine, '2026-11-23T15:00:00Z');
      t.after(() => api.close());
      const reference = await resolvedPothole(api);
      api.clock.set(new Date(at('2026-11-26 09:00')));
      await sweepSurveys({ db: api.db, now: api.clock.now(), links });
      const mail = await api.db.kysely.selectFrom('outbox').select('body').where('subject', 'like', 'How did we do%').executeTakeFirstOrThrow();
      const link = /https:\/\/service\.example\.ca(\/survey\/\S+)/.exec(mail.body!)![1]!;

      const damaged = await page(api, 'GET', `${link.slice(0, -3)}abc`);
      assert.equal(damaged.status, 404);
      assert.match(damaged.html, /This survey link does not work/);
      assert.doesNotMatch(damaged.html, new RegExp(reference));
      assert.doesNotMatch(damaged.html, /Pothole/);
      const posted = await page(api, 'POST', `${link.slice(0, -3)}abc`, { rating: '5', resolved: 'yes', comment: '' });
      assert.equal(posted.status, 404);
      assert.equal(await count(api, 'survey_answer'), 0);

      api.clock.set(new Date(at('2026-12-27 09:00')));
      const expired = await page(api, 'GET', link);
      assert.equal(expired.status, 410);
      assert.match(expired.html, /This survey has closed/);
      assert.match(expired.html, new RegExp(reference));
      assert.doesNotMatch(expired.html, /Dana|Kent St/);
      const late = await page(api, 'POST', link, { rating: '5', resolved: 'yes', comment: '' });
      assert.equal(late.status, 410);
      assert.equal(await count(api, 'survey_answer'), 0);
    });

    test('bad answers get a clear message and nothing is stored; HTML in a comment is kept as written', async (t) => {
      const api = await startApi(engine, '2026-11-23T15:00:00Z');
      t.after(() => api.close());
      await resolvedPothole(api);
      api.clock.set(new Date(at('2026-11-26 09:00')));
      await sweepSurveys({ db: api.db, now: api.clock.now(), links });
      const mail = await api.db.kysely.selectFrom('outbox').select('body').where('subject', 'like', 'How did we do%').executeTakeFirstOrThrow();
      const link = /https:\/\/service\.example\.ca(\/survey\/\S+)/.exec(mail.body!)![1]!;

      for (const rating of ['0', '6', '4.5', 'five', '']) {
        const bad = await page(api, 'POST', link, { rating, resolved: 'yes', comment: 'Fine' });
        assert.equal(bad.status, 400, rating);
        assert.match(bad.html, /from 1 \(very dissatisfied\) to 5 \(very satisfied\)/);
      }
      const noResolved = await page(api, 'POST', link, { rating: '3', resolved: 'maybe', comment: '' });
      assert.equal(noResolved.status, 400);
      assert.match(noResolved.html, /Say whether your request was resolved: yes, partly or no/);
      const long = await page(api, 'POST', link, { rating: '3', resolved: 'no', comment: 'x'.repeat(100 * 1024) });
      assert.equal(long.status, 400);
      assert.match(long.html, /Shorten your comment to 4,000 characters or fewer \(it has 102,400\)/);
      assert.deepEqual([await count(api, 'survey_answer'), await count(api, 'customer_feedback'), await count(api, 'survey_recheck')], [0, 0, 0]);

      const html = '<script>alert("x")</script><b>not resolved</b>';
      const ok = await page(api, 'POST', link, { rating: '2', resolved: 'no', comment: html });
      assert.equal(ok.status, 200);
      assert.match(ok.html, /will look at it again/);
      assert.doesNotMatch(ok.html, /<script>alert/);
      const kept = await api.db.kysely.selectFrom('survey_answer').select('comment').executeTakeFirstOrThrow();
      assert.equal(kept.comment, html);
      // "No, not resolved" with a comment: on Roads Operations' list to look at again; the case stays resolved.
      const recheck = await api.db.kysely.selectFrom('survey_recheck as r').innerJoin('division as d', 'd.id', 'r.division_id').select(['d.code', 'r.decided_at']).execute();
      assert.deepEqual(recheck, [{ code: 'roads-operations', decided_at: null }]);
      const status = await api.db.kysely.selectFrom('service_case').select('status').executeTakeFirstOrThrow();
      assert.equal(status.status, 'resolved');

      // Feedback in one place (§6.3): the comment as written (escaped), tagged and marked read by the division.
      const roads = await consoleAs(api, demo.roadsStaff);
      const inbox = await roads.get('/staff/feedback');
      assert.equal(inbox.status, 200);
      assert.match(inbox.body, /&lt;script>alert\(&quot;x&quot;\)&lt;\/script>&lt;b>not resolved&lt;\/b>/);
      assert.doesNotMatch(inbox.body, /<script>alert/);
      assert.match(inbox.body, /Look at the case again/);
      const feedbackId = /\/staff\/feedback\/(\d+)"/.exec(inbox.body)![1]!;
      assert.equal((await roads.post(`/staff/feedback/${feedbackId}`, { themes: 'made-up', read: 'yes' })).status, 400);
      const tagged = await roads.post(`/staff/feedback/${feedbackId}`, { themes: 'quality-of-work', read: 'yes' });
      assert.equal(tagged.status, 200);
      assert.match(tagged.body, /themes: Quality of the work/);
      assert.match((await roads.get('/staff/feedback')).body, /No feedback waiting to be read/);
      assert.equal((await roads.post(`/staff/feedback/${feedbackId}/recheck`, { decision: 'replied', note: '' })).status, 400);
      const decided = await roads.post(`/staff/feedback/${feedbackId}/recheck`, { decision: 'replied', note: 'Called Dana: the crew returns Monday.' });
      assert.match(decided.body, /Looked at again: Replied to the customer/);
      // Another division's staff do not see it.
      const traffic = await consoleAs(api, demo.trafficStaff);
      assert.doesNotMatch((await traffic.get('/staff/feedback?show=all')).body, /not resolved/);
      assert.equal((await traffic.get(`/staff/feedback/${feedbackId}`)).status, 404);

      // The portal's compliment or complaint: bad input refused whole, then kept as written.
      const empty = await page(api, 'POST', '/feedback', { kind: 'praise', text: '', reference: 'nope' });
      assert.equal(empty.status, 400);
      assert.match(empty.html, /Choose whether this is a compliment or a complaint/);
      assert.match(empty.html, /Tell us what happened/);
      assert.match(empty.html, /Enter the reference number as it is written/);
      const before = await count(api, 'customer_feedback');
      assert.equal((await page(api, 'POST', '/feedback', { kind: 'complaint', text: 'y'.repeat(100 * 1024) })).status, 400);
      assert.equal(await count(api, 'customer_feedback'), before);
      const sent = await page(api, 'POST', '/feedback', { kind: 'compliment', text: 'The counter staff in Lindsay were <i>lovely</i>.', reference: '', name: 'Pat', email: '', phone: '' });
      assert.equal(sent.status, 200);
      assert.match(sent.html, /Thank you for your message/);
      const cs = await consoleAs(api, demo.csRep);
      const all = await cs.get('/staff/feedback');
      assert.match(all.body, /Compliment/);
      assert.match(all.body, /were &lt;i>lovely&lt;\/i>\.|were &lt;i&gt;lovely/);
      assert.match(all.body, /no request named/);
      assert.doesNotMatch((await roads.get('/staff/feedback?show=all')).body, /lovely/);
      // The analysis: Customer Service sees both items by source; one answer, "no" shown as counts (too few for a percentage).
      assert.match(all.body, /2 items of feedback \(0 in the 90 days before\)\. By source: (Survey comment 1, Compliment 1|Compliment 1, Survey comment 1)/);
      assert.match(all.body, /Survey answers: 1 \(1 through the link, 0 by follow-up call\)\. Was it resolved\? Yes 0 of 1 \(too few for a percentage\), partly 0 of 1 \(too few for a percentage\), no 1 of 1 \(too few for a percentage\)/);
      assert.match(all.body, /<th scope="row">Quality of the work<\/th><td class="num">1<\/td>/);
    });

    test('a customer with three resolved cases in a week gets one invitation; the opt-out holds for their later cases', async (t) => {
      const api = await startApi(engine, '2026-11-23T15:00:00Z');
      t.after(() => api.close());
      const first = await resolvedPothole(api);
      api.clock.set(new Date(at('2026-11-25 11:00')));
      // The same person, written differently.
      const second = await resolvedPothole(api, { customer: { name: 'Dana R.', email: 'DANA@example.org ', phone: '(705) 555-0142', preferredContact: 'email' } });
      api.clock.set(new Date(at('2026-11-26 11:00')));
      const result1 = await sweepSurveys({ db: api.db, now: api.clock.now(), links });
      assert.deepEqual(result1.invited, [{ reference: first, channel: 'email' }]);
      api.clock.set(new Date(at('2026-11-27 11:00')));
      const third = await resolvedPothole(api, { customer: { name: 'Dana', phone: '705 555 0142', preferredContact: 'phone' } });
      api.clock.set(new Date(at('2026-12-03 11:00')));
      const result2 = await sweepSurveys({ db: api.db, now: api.clock.now(), links });
      assert.deepEqual(result2.invited, []);
      assert.deepEqual(result2.notInvited.sort((a, b) => a.reference.localeCompare(b.reference)), [
        { reference: second, reason: 'recently_invited' },
        { reference: third, reason: 'recently_invited' },
      ]);
      assert.equal(await count(api, 'survey_invitation'), 1);
      assert.equal((await api.db.kysely.selectFrom('outbox').select('id').where('subject', 'like', 'How did we do%').execute()).length, 1);

      // One click on the opt-out link; 40 days later a new case is not surveyed.
      const mail = await api.db.kysely.selectFrom('outbox').select('body').where('subject', 'like', 'How did we do%').executeTakeFirstOrThrow();
      const stop = /https:\/\/service\.example\.ca(\/survey\/stop\/\S+)/.exec(mail.body!)![1]!;
      const form = await page(api, 'GET', stop);
      assert.match(form.html, /Stop sending me surveys/);
      const stopped = await page(api, 'POST', stop, {});
      assert.equal(stopped.status, 200);
      assert.match(stopped.html, /We will not send you surveys again/);
      api.clock.set(new Date(at('2027-01-12 10:00')));
      const later = await resolvedPothole(api, { customer: { name: 'Dana', phone: '+1 705 555 0142', preferredContact: 'phone' } });
      api.clock.set(new Date(at('2027-01-15 10:00')));
      const result3 = await sweepSurveys({ db: api.db, now: api.clock.now(), links });
      assert.deepEqual(result3.notInvited, [{ reference: later, reason: 'opted_out' }]);
      assert.equal(await count(api, 'survey_invitation'), 1);
    });

    test('anonymous and "do not contact" customers are never invited; a phone customer goes on the call list without mail', async (t) => {
      const api = await startApi(engine, '2026-11-23T15:00:00Z');
      t.after(() => api.close());
      const anonymous = await resolvedPothole(api, { customer: { preferredContact: 'none' } });
      const doNotContact = await resolvedPothole(api, { customer: { name: 'Kim', email: 'kim@example.org', preferredContact: 'none' } });
      const byPhone = await resolvedPothole(api, { customer: { name: 'Lee', phone: '705-555-0199', preferredContact: 'phone' } });
      const mailBefore = await count(api, 'outbox');
      api.clock.set(new Date(at('2026-11-26 09:00')));
      const result = await sweepSurveys({ db: api.db, now: api.clock.now(), links });
      assert.deepEqual(result.invited, [{ reference: byPhone, channel: 'phone' }]);
      assert.deepEqual(result.notInvited.sort((a, b) => a.reference.localeCompare(b.reference)), [
        { reference: anonymous, reason: 'anonymous' },
        { reference: doNotContact, reason: 'do_not_contact' },
      ]);
      assert.equal(await count(api, 'outbox'), mailBefore);

      // Customer Service works the follow-up call list (§6.2 "service follow-ups").
      const second = await resolvedPothole(api, { customer: { name: 'Max', phone: '705-555-0111', preferredContact: 'phone' } });
      api.clock.set(new Date(at('2026-12-01 09:00')));
      await sweepSurveys({ db: api.db, now: api.clock.now(), links });
      const cs = await consoleAs(api, demo.csRep);
      const list = await cs.get('/staff/surveys/calls');
      assert.equal(list.status, 200);
      assert.match(list.body, /2 calls to make/);
      assert.match(list.body, /Lee, 705-555-0199/);
      const id = (ref: string) => new RegExp(`/staff/surveys/calls/(\\d+)">Call about ${ref}`).exec(list.body)![1]!;
      const roadsStaff = await consoleAs(api, demo.roadsStaff);
      assert.equal((await roadsStaff.get('/staff/surveys/calls')).status, 403);
      assert.equal((await roadsStaff.post(`/staff/surveys/calls/${id(byPhone)}`, { outcome: 'declined' })).status, 403);

      const noAnswer = await cs.post(`/staff/surveys/calls/${id(byPhone)}`, { outcome: 'no_answer' });
      assert.equal(noAnswer.status, 303);
      assert.match((await cs.get('/staff/surveys/calls')).body, /1 time, last .*: no answer/);
      const bad = await cs.post(`/staff/surveys/calls/${id(byPhone)}`, { outcome: 'answered', rating: '6', resolved: 'yes', comment: '' });
      assert.equal(bad.status, 400);
      assert.match(bad.body, /The rating must be a whole number from 1/);
      assert.equal(await count(api, 'survey_answer'), 0);
      const answered = await cs.post(`/staff/surveys/calls/${id(byPhone)}`, { outcome: 'answered', rating: '5', resolved: 'yes', comment: 'Very happy <3' });
      assert.equal(answered.status, 303);
      assert.equal((await cs.post(`/staff/surveys/calls/${id(byPhone)}`, { outcome: 'answered', rating: '1', resolved: 'no', comment: '' })).status, 409);
      assert.equal((await cs.post(`/staff/surveys/calls/${id(second)}`, { outcome: 'declined' })).status, 303);
      assert.match((await cs.get('/staff/surveys/calls')).body, /No calls to make/);
      const answers = await api.db.kysely.selectFrom('survey_answer').select(['rating', 'resolved', 'comment', 'channel']).execute();
      assert.deepEqual(answers, [{ rating: 5, resolved: 'yes', comment: 'Very happy <3', channel: 'phone' }]);
      // Counted as survey answers: 1 answer of 2 invitations.
      const manager = await api.as(demo.csManager);
      const kpi = (await manager.get('/api/v1/kpis?from=2026-11-01&to=2026-12-31&minimumGroupSize=1')).body.total.satisfaction;
      assert.deepEqual([kpi.answers, kpi.responseRate.numerator, kpi.responseRate.denominator, kpi.mean], [1, 1, 2, 5]);
    });

    test('two sweepers at once invite each customer exactly once', async (t) => {
      const api = await startApi(engine, '2026-11-23T15:00:00Z');
      t.after(() => api.close());
      const references: string[] = [];
      for (let i = 0; i < 6; i += 1) references.push(await resolvedPothole(api, { customer: { name: `Resident ${i}`, email: `r${i}@example.org`, preferredContact: 'email' } }));
      api.clock.set(new Date(at('2026-11-26 09:00')));
      const now = api.clock.now();
      // With the lock, and without it (only the unique keys and row locks keep it once).
      const results = await Promise.all([
        sweepSurveys({ db: api.db, now, links, batchSize: 2 }),
        sweepSurveys({ db: api.db, now, links, batchSize: 2 }),
        sweepSurveys({ db: api.db, now, links, batchSize: 2, useLock: false }),
        sweepSurveys({ db: api.db, now, links, batchSize: 3, useLock: false }),
      ]);
      const invited = results.flatMap((r) => r.invited.map((i) => i.reference)).sort();
      assert.deepEqual(invited, [...references].sort());
      assert.equal(await count(api, 'survey_invitation'), 6);
      assert.equal((await api.db.kysely.selectFrom('outbox').select('id').where('subject', 'like', 'How did we do%').execute()).length, 6);
    });
  });
}
