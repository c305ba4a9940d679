import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { demo, inquiryByPhone, potholeByPhone, startApi, type Client, type TestApi } from '../helpers/api.js';
import { consoleAs, type ConsoleClient } from '../helpers/console.js';
import { testEngines } from '../helpers/db.js';
import { loadCaseForChange } from '../../src/cases/case-record.js';
import { escalateCase } from '../../src/escalation/escalate-case.js';
import type { EscalationLevel } from '../../src/standard/escalation.js';

/**
 * Issue #11 finding 10, INTERPRETATION §9: README.md's "Who may do what" table, read as written
 * and walked cell by cell, through the API and through the console's forms, for every demo role on
 * a case of its own division and of another. A cell that differs from the table fails the test.
 */

const [engine] = testEngines();

type Scope = 'own' | 'other';
type Verdict = 'yes' | 'no';

/** The table: action label → account → scope → verdict. */
function readTable(): { accounts: string[]; rows: Map<string, Map<string, Partial<Record<Scope, Verdict>>>> } {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.split('\n## Who may do what\n')[1]?.split('\n## ')[0];
  assert.ok(section, 'README.md has a "Who may do what" section');
  const lines = section.split('\n').filter((l) => l.startsWith('|'));
  const cells = (line: string) => line.slice(1, -1).split('|').map((c) => c.trim());
  const accounts = cells(lines[0]!).slice(1).map((h) => `${/`([\w.]+)`/.exec(h)![1]}@kawarthalakes.example`);
  const rows = new Map<string, Map<string, Partial<Record<Scope, Verdict>>>>();
  for (const line of lines.slice(2)) {
    const [label, ...values] = cells(line);
    assert.equal(values.length, accounts.length, `row "${label}" has a cell per role`);
    rows.set(
      label!,
      new Map(
        values.map((v, i) => {
          const parts = v.split('/').map((p) => p.trim().toLowerCase()) as Verdict[];
          for (const p of parts) assert.ok(p === 'yes' || p === 'no', `row "${label}", ${accounts[i]}: "${v}" is not yes or no`);
          // One value: a role without a division of its own, the same for a case of any division.
          return [accounts[i]!, parts.length === 2 ? { own: parts[0], other: parts[1] } : { other: parts[0] }];
        }),
      ),
    );
  }
  return { accounts, rows };
}

/** The own and other divisions of each account (a Department Head's own: a division of their department). */
const ownDivision: Record<string, string> = { [demo.roadsStaff]: 'roads-operations', [demo.roadsHead]: 'roads-operations', [demo.worksDirector]: 'roads-operations' };
/** Another division's case; for a role without a division, a case of any division (Roads Operations'). */
const otherDivision = (email: string): string => (ownDivision[email] ? 'traffic-streetlights' : 'roads-operations');

interface Attempt {
  api?: { url: string; body: Record<string, unknown> };
  console: { url: string; form: Record<string, string>; method?: 'GET' };
}

interface Action {
  /** The case the action is tried on, in division `division` (none for intake and administration). */
  prepare?: (division: string, who: string) => Promise<string>;
  attempt: (reference: string, division: string) => Attempt;
}

const streetlight = (overrides: Record<string, unknown> = {}) =>
  potholeByPhone({ requestType: 'streetlight', attributes: {}, summary: 'Streetlight out on Kent St. W.', description: 'The streetlight by the library is out.', ...overrides });

let api: TestApi;
const apiClients = new Map<string, Client>();
const consoleClients = new Map<string, ConsoleClient>();
const apiOf = async (email: string) => apiClients.get(email) ?? apiClients.set(email, await api.as(email)).get(email)!;
const consoleOf = async (email: string) => consoleClients.get(email) ?? consoleClients.set(email, await consoleAs(api, email)).get(email)!;
const staffOf: Record<string, string> = { 'roads-operations': demo.roadsStaff, 'traffic-streetlights': demo.trafficStaff };

async function ok(response: Promise<{ status: number; body: unknown }>, what: string): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = await response;
  assert.ok(r.status < 300, `${what}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  return r.body;
}

/** A new open service request of the division, recorded by Customer Service. */
async function newRequest(division: string): Promise<string> {
  const body = division === 'roads-operations' ? potholeByPhone() : streetlight();
  return (await ok((await apiOf(demo.csRep)).post('/api/v1/cases', body), `a new request for ${division}`)).case.reference;
}
async function acknowledged(division: string): Promise<string> {
  const reference = await newRequest(division);
  await ok((await apiOf(staffOf[division]!)).post(`/api/v1/cases/${reference}/acknowledge`, { nextSteps: 'A crew will look at it this week.', contact: 'Call 705-324-9411.' }), 'acknowledge');
  return reference;
}
async function escalated(division: string, level: EscalationLevel): Promise<{ reference: string; escalationId: number }> {
  const reference = await newRequest(division);
  const escalationId = await api.db.kysely.transaction().execute(async (trx) => {
    let caseRow = await loadCaseForChange(trx, reference);
    let id = 0;
    for (let l = 1; l <= level; l++) {
      const done = await escalateCase(trx, { caseRow, level: l as EscalationLevel, reason: 'not_acknowledged', initiatedBy: 'staff', staff: null, now: api.clock.now() });
      caseRow = done.caseRow;
      id = done.escalationId;
    }
    return id;
  });
  return { reference, escalationId };
}
const reviewLevel: Record<string, EscalationLevel> = { [demo.worksDirector]: 2, [demo.engineeringDirector]: 2, [demo.cao]: 3 };

const actions: Record<string, Action> = {
  'Intake: record a contact for the division': {
    attempt: (_, division) => ({
      api: { url: '/api/v1/cases', body: inquiryByPhone({ division }) },
      console: {
        url: '/staff/intake',
        form: {
          kind: 'inquiry',
          channel: 'phone',
          division,
          'customer[name]': 'Lee Taxpayer',
          'customer[phone]': '705-555-0199',
          description: 'Asks when the road will be swept.',
          summary: 'Question about street sweeping.',
          summaryConfirmed: 'yes',
          idempotencyKey: `matrix-${Math.random()}`,
        },
      },
    }),
  },
  'Acknowledge (CSS §3.3, §4.1)': {
    prepare: newRequest,
    attempt: (ref) => ({
      api: { url: `/api/v1/cases/${ref}/acknowledge`, body: { nextSteps: 'A crew will look at it this week.', contact: 'Call 705-324-9411.' } },
      console: { url: `/staff/cases/${ref}/acknowledge`, form: { 'acknowledge.nextSteps': 'A crew will look at it this week.', 'acknowledge.contact': 'Call 705-324-9411.' } },
    }),
  },
  'Send the customer an update': {
    prepare: acknowledged,
    attempt: (ref) => ({
      api: { url: `/api/v1/cases/${ref}/updates`, body: { status: 'The crew is booked.', timeline: '2026-03-20', reason: 'Waiting for asphalt.' } },
      console: { url: `/staff/cases/${ref}/update`, form: { 'update.status': 'The crew is booked.', 'update.timeline': '2026-03-20', 'update.reason': 'Waiting for asphalt.' } },
    }),
  },
  'Send the customer a progress note, no new date (CSS §3.3)': {
    prepare: acknowledged,
    attempt: (ref) => ({
      api: { url: `/api/v1/cases/${ref}/updates`, body: { status: 'The crew is booked.' } },
      console: { url: `/staff/cases/${ref}/progress`, form: { 'progress.status': 'The crew is booked.' } },
    }),
  },
  'Assign the owner': {
    prepare: newRequest,
    attempt: (ref, division) => ({
      api: { url: `/api/v1/cases/${ref}/assign`, body: { ownerId: staffIds.get(staffOf[division]!)! } },
      console: { url: `/staff/cases/${ref}/assign`, form: { 'assign.ownerId': String(staffIds.get(staffOf[division]!)!) } },
    }),
  },
  'Mark a duplicate of another request': {
    prepare: async (division) => {
      const reference = await newRequest(division);
      parentOf.set(reference, await newRequest(division));
      return reference;
    },
    attempt: (ref) => ({
      api: { url: `/api/v1/cases/${ref}/duplicate`, body: { parent: parentOf.get(ref)! } },
      console: { url: `/staff/cases/${ref}/duplicate`, form: { 'duplicate.parent': parentOf.get(ref)! } },
    }),
  },
  'Transfer out: send to another division (CSS §3.1)': {
    prepare: newRequest,
    attempt: (ref) => ({
      api: { url: `/api/v1/cases/${ref}/transfer`, body: { toDivision: 'water-wastewater', note: 'The water is coming up through the road.' } },
      console: { url: `/staff/cases/${ref}/transfer`, form: { 'transfer.toDivision': 'water-wastewater', 'transfer.note': 'The water is coming up through the road.' } },
    }),
  },
  'Transfer in: confirm receipt of a transfer to the division (CSS §3.1)': {
    // An inquiry Water and Wastewater has, sent to the division by Customer Service.
    prepare: async (division) => {
      const reference = (await ok((await apiOf(demo.csRep)).post('/api/v1/cases', inquiryByPhone({ division: 'water-wastewater' })), 'an inquiry for water')).case.reference;
      await ok((await apiOf(demo.csRep)).post(`/api/v1/cases/${reference}/transfer`, { toDivision: division, note: 'This is about the road.' }), 'transfer');
      return reference;
    },
    attempt: (ref) => ({ api: { url: `/api/v1/cases/${ref}/transfer/confirm`, body: {} }, console: { url: `/staff/cases/${ref}/transfer/confirm`, form: {} } }),
  },
  'Transfer in: decline a transfer to the division, with a reason; it goes back to the sender (CSS §3.1)': {
    prepare: async (division) => {
      const reference = (await ok((await apiOf(demo.csRep)).post('/api/v1/cases', inquiryByPhone({ division: 'water-wastewater' })), 'an inquiry for water')).case.reference;
      await ok((await apiOf(demo.csRep)).post(`/api/v1/cases/${reference}/transfer`, { toDivision: division, note: 'This is about the road.' }), 'transfer');
      return reference;
    },
    attempt: (ref) => ({
      api: { url: `/api/v1/cases/${ref}/transfer/decline`, body: { reason: 'It is about the water main, not the road.' } },
      console: { url: `/staff/cases/${ref}/transfer/decline`, form: { 'transfer-decline.reason': 'It is about the water main, not the road.' } },
    }),
  },
  'Withdraw a transfer not yet confirmed': {
    prepare: async (division) => {
      const reference = await newRequest(division);
      await ok((await apiOf(demo.csRep)).post(`/api/v1/cases/${reference}/transfer`, { toDivision: 'water-wastewater', note: 'Looks like a water main.' }), 'transfer');
      return reference;
    },
    attempt: (ref) => ({
      api: { url: `/api/v1/cases/${ref}/transfer/withdraw`, body: { reason: 'It was a pothole after all.' } },
      console: { url: `/staff/cases/${ref}/transfer/withdraw`, form: { 'transfer-withdraw.reason': 'It was a pothole after all.' } },
    }),
  },
  'Reclassify: change the request type': {
    prepare: newRequest,
    attempt: (ref) => ({
      api: { url: `/api/v1/cases/${ref}/reclassify`, body: { requestType: 'sidewalk-hazard', reason: 'It is on the sidewalk.' } },
      console: { url: `/staff/cases/${ref}/reclassify`, form: { 'reclassify.requestType': 'sidewalk-hazard', 'reclassify.reason': 'It is on the sidewalk.' } },
    }),
  },
  Resolve: {
    prepare: newRequest,
    attempt: (ref) => ({
      api: { url: `/api/v1/cases/${ref}/resolve`, body: { resolution: 'Fixed this morning.' } },
      console: { url: `/staff/cases/${ref}/resolve`, form: { 'resolve.resolution': 'Fixed this morning.' } },
    }),
  },
  'Reopen a resolved case': {
    prepare: async (division) => {
      const reference = await newRequest(division);
      await ok((await apiOf(staffOf[division]!)).post(`/api/v1/cases/${reference}/resolve`, { resolution: 'Fixed this morning.' }), 'resolve');
      return reference;
    },
    attempt: (ref) => ({
      api: { url: `/api/v1/cases/${ref}/reopen`, body: { reason: 'The customer says it is still there.' } },
      console: { url: `/staff/cases/${ref}/reopen`, form: { 'reopen.reason': 'The customer says it is still there.' } },
    }),
  },
  'Internal note': {
    prepare: newRequest,
    attempt: (ref) => ({ api: { url: `/api/v1/cases/${ref}/notes`, body: { text: 'Called the customer back.' } }, console: { url: `/staff/cases/${ref}/note`, form: { 'note.text': 'Called the customer back.' } } }),
  },
  'Escalation request, for themselves or a customer (CSS §5.1, §5.3)': {
    prepare: newRequest,
    // Asked before any target is missed: answered (declined, with the dates), which is the right to ask.
    attempt: (ref) => ({
      api: { url: `/api/v1/cases/${ref}/escalation-requests`, body: { grounds: 'missed_target' } },
      console: { url: `/staff/cases/${ref}/escalation-request`, form: { 'escalate.grounds': 'missed_target' } },
    }),
  },
  'Escalation review at the case\'s level (CSS §5.2)': {
    prepare: async (division, who) => (await escalated(division, reviewLevel[who] ?? 1)).reference,
    attempt: (ref) => ({
      api: { url: `/api/v1/cases/${ref}/escalation/review`, body: { findings: 'Crew shortage.', update: 'A crew comes on Friday.', timeline: '2026-03-13' } },
      console: { url: `/staff/cases/${ref}/escalation/review`, form: { 'review.findings': 'Crew shortage.', 'review.update': 'A crew comes on Friday.', 'review.timeline': '2026-03-13' } },
    }),
  },
  'Review-list decision: escalate or record why not (CSS §5.2)': {
    prepare: async (division) => {
      const { reference, escalationId } = await escalated(division, 1);
      const { id } = await api.db.kysely.selectFrom('service_case').select('id').where('reference', '=', reference).executeTakeFirstOrThrow();
      await api.db.kysely.insertInto('review_list_entry').values({ case_id: id, escalation_id: escalationId, listed_at: api.clock.now() }).execute();
      return reference;
    },
    attempt: (ref) => ({
      api: { url: `/api/v1/cases/${ref}/escalation/decision`, body: { decision: 'keep', reason: 'Updated and within the revised timeline.' } },
      console: { url: `/staff/cases/${ref}/escalation/decision`, form: { 'decision.decision': 'keep', 'decision.reason': 'Updated and within the revised timeline.' } },
    }),
  },
  'Administration: staff accounts, closure days, DST versions, API keys (console only)': {
    attempt: () => ({ console: { url: '/staff/admin/staff', form: {}, method: 'GET' } }),
  },
};
const staffIds = new Map<string, number>();
const parentOf = new Map<string, string>();

/** What the API answered: allowed (2xx), refused (403, or 404 for a case out of reach), or a mistake in the walk. */
function apiVerdict(r: { status: number; body: unknown }, what: string): Verdict {
  if (r.status < 300) return 'yes';
  if (r.status === 403 || r.status === 404) return 'no';
  throw new Error(`${what}: the API answered ${r.status} ${JSON.stringify(r.body).slice(0, 300)}, neither allowed nor refused`);
}
function consoleVerdict(r: { status: number; body: string; headers: Record<string, unknown> }, what: string, get: boolean): Verdict {
  if (get ? r.status === 200 : r.status === 303 && !String(r.headers['location']).startsWith('/staff/sign-in')) return 'yes';
  if (r.status === 403 || r.status === 404) return 'no';
  throw new Error(`${what}: the console answered ${r.status} ${r.body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 300)}, neither allowed nor refused`);
}

before(async () => {
  api = await startApi(engine!, '2026-03-02T10:00:00-05:00');
  for (const row of await api.db.kysely.selectFrom('staff_user').select(['id', 'email']).execute()) staffIds.set(row.email, row.id);
});
after(() => api.close());

test('README "Who may do what": every role, action and division, through the API and the console forms, is as the table says (INTERPRETATION §9, CSS §3.1, §4.1, §5.2)', async () => {
  const { accounts, rows } = readTable();
  assert.deepEqual([...rows.keys()].sort(), Object.keys(actions).sort(), 'the table has a row for every action walked, and no other');
  assert.equal(accounts.length, 8, 'a column per demo role');
  const differences: string[] = [];
  // A refusal changes nothing, so the refused cells of an action and division share one case; an
  // allowed cell gets its own.
  const shared = new Map<string, string>();
  for (const [label, byAccount] of rows) {
    const action = actions[label]!;
    for (const email of accounts) {
      for (const [scope, expected] of Object.entries(byAccount.get(email)!) as [Scope, Verdict][]) {
        const division = scope === 'own' ? ownDivision[email]! : otherDivision(email);
        const caseFor = async (): Promise<string> => {
          if (!action.prepare) return '';
          if (expected === 'yes') return action.prepare(division, email);
          const key = `${label} ${division} ${reviewLevel[email] ?? 1}`;
          return shared.get(key) ?? shared.set(key, await action.prepare(division, email)).get(key)!;
        };
        const where = `${label} — ${email} on a case of ${scope === 'own' ? 'their own division' : 'another division'} (${division})`;
        const tried = action.attempt(await caseFor(), division);
        if (tried.api) {
          const got = apiVerdict(await (await apiOf(email)).post(tried.api.url, tried.api.body), where);
          if (got !== expected) differences.push(`${where}, API: ${got}, the table says ${expected}`);
        }
        const { url, form, method } = action.attempt(await caseFor(), division).console;
        const client = await consoleOf(email);
        const got = consoleVerdict(method === 'GET' ? await client.get(url) : await client.post(url, form), where, method === 'GET');
        if (got !== expected) differences.push(`${where}, console: ${got}, the table says ${expected}`);
      }
    }
  }
  assert.deepEqual(differences, []);
});

test('CSS §5.2: an escalated request transferred to another division is reviewed by the head of the division responsible now, not the one that sent it', async () => {
  const { reference } = await escalated('roads-operations', 1);
  await ok((await apiOf(demo.csRep)).post(`/api/v1/cases/${reference}/transfer`, { toDivision: 'traffic-streetlights', note: 'It is the streetlight, not the road.' }), 'transfer');
  await ok((await apiOf(demo.trafficStaff)).post(`/api/v1/cases/${reference}/transfer/confirm`, {}), 'confirm');
  const review = { findings: 'The pole needs a new lamp.', update: 'A crew replaces the lamp on Friday.', timeline: '2026-03-13' };
  assert.equal((await (await apiOf(demo.roadsHead)).post(`/api/v1/cases/${reference}/escalation/review`, review)).status, 404, 'Roads no longer has it');
  const page = await (await consoleOf(demo.trafficHead)).get(`/staff/cases/${reference}`);
  assert.match(page.body, new RegExp(`action="/staff/cases/${reference}/escalation/review"`), 'the Traffic head is offered the review');
  const reviewed = await (await apiOf(demo.trafficHead)).post(`/api/v1/cases/${reference}/escalation/review`, review);
  assert.equal(reviewed.status, 200, JSON.stringify(reviewed.body));
});
