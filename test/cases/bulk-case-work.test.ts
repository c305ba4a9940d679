import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demo, inquiryByPhone, potholeByPhone, startApi, type Client, type TestApi } from '../helpers/api.js';
import { testEngines } from '../helpers/db.js';
import { bulkAssign, bulkCaseLimit, bulkTransfer, findBulkOutcome } from '../../src/cases/bulk-case-work.js';
import { assignCase } from '../../src/cases/assign-case.js';
import { transferCase } from '../../src/cases/transfer-case.js';
import { caseServices } from '../../src/cases/case-services.js';
import { loadStaffMember, type StaffMember } from '../../src/directory/staff.js';
import { isAppError } from '../../src/platform/errors.js';

/**
 * Issue 18 point 5: bulk assign and bulk transfer from a queue are the single-case use cases run
 * case by case. Each case gets the answer the single-case action gives it (README "Who may do
 * what", case-policy.ts): a refused case is refused with the same words, and the others are done.
 */

const engines = testEngines();
// Monday 2 March 2026, 10:00 in Lindsay.
const now = '2026-03-02T10:00:00-05:00';

async function record(client: Client, body: Record<string, unknown>): Promise<string> {
  const created = await client.post('/api/v1/cases', body);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.case.reference as string;
}

async function staffOf(api: TestApi, email: string): Promise<StaffMember> {
  const row = await api.db.kysely.selectFrom('staff_user').select('id').where('email', '=', email).executeTakeFirstOrThrow();
  return (await loadStaffMember(api.db.kysely, row.id))!;
}

const caseRow = (api: TestApi, reference: string) => api.db.kysely.selectFrom('service_case').selectAll().where('reference', '=', reference).executeTakeFirstOrThrow();

/** What the single-case action answers for this case: its refusal's words (it must refuse). */
async function singleRefusal(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    assert.ok(isAppError(error), String(error));
    return error.message;
  }
  assert.fail('the single-case action was expected to refuse');
}

/** Cases of several kinds, seen from Roads Operations. */
async function mixture(api: TestApi) {
  const rep = await api.as(demo.csRep);
  const roads = await api.as(demo.roadsStaff);
  const roadsA = await record(rep, potholeByPhone({ summary: 'Pothole A on Kent St.' }));
  const roadsB = await record(rep, potholeByPhone({ summary: 'Pothole B on Kent St.' }));
  const pending = await record(rep, potholeByPhone({ summary: 'A streetlight base, not a pothole.' }));
  assert.equal((await roads.post(`/api/v1/cases/${pending}/transfer`, { toDivision: 'traffic-streetlights', note: 'A signal base.' })).status, 200);
  const traffic = await record(rep, potholeByPhone({ requestType: 'streetlight', attributes: {}, summary: 'Streetlight out on Kent St.' }));
  const resolved = await record(rep, inquiryByPhone({ division: 'roads-operations', resolveAtFirstContact: { answer: 'Plowing starts at 4 am.' } }));
  return { roadsA, roadsB, pending, traffic, resolved };
}

for (const engine of engines) {
  test(`[${engine.name}] bulk assign: each case is judged as the single assign judges it (INTERPRETATION §5, §9); the refused keep their owner, the others are assigned`, async (t) => {
    const api = await startApi(engine, now);
    t.after(() => api.close());
    const services = caseServices(api.db, api.clock);
    const { roadsA, roadsB, pending, traffic, resolved } = await mixture(api);
    const head = await staffOf(api, demo.roadsHead);
    const riley = await staffOf(api, demo.roadsStaff);
    const notAReference = 'pothole on kent';
    const before = await caseRow(api, pending);

    // What the single-case action says for each case that must be refused, asked first (it changes nothing).
    const expected = new Map<string, string>();
    for (const reference of [pending, traffic, resolved, notAReference]) {
      expected.set(reference, await singleRefusal(() => assignCase({ services, staff: head, reference, input: { ownerId: riley.id } })));
    }
    assert.match(expected.get(pending)!, /waiting for Traffic and Streetlights to confirm receipt of its transfer \(CSS §3\.1\)/);
    assert.match(expected.get(traffic)!, /There is no case .* that you can see/);
    assert.match(expected.get(resolved)!, /is resolved/);
    assert.match(expected.get(notAReference)!, /is not a reference number/);

    const outcome = await bulkAssign({ services, staff: head, references: [roadsA, pending, traffic, roadsB, resolved, notAReference, roadsA], input: { ownerId: riley.id } });
    assert.equal(outcome.action, 'assign');
    assert.deepEqual(outcome.done, [
      { reference: roadsA, what: 'Assigned to Riley Chen.' },
      { reference: roadsB, what: 'Assigned to Riley Chen.' },
    ]);
    assert.deepEqual(
      outcome.refused,
      [pending, traffic, resolved, notAReference].map((reference) => ({ reference, why: expected.get(reference)! })),
      'each refused case has the single action’s own reason, once, in the order sent',
    );
    assert.equal((await caseRow(api, roadsA)).owner_id, riley.id);
    assert.equal((await caseRow(api, roadsB)).owner_id, riley.id);
    assert.equal((await caseRow(api, pending)).owner_id, before.owner_id, 'a refused case keeps its owner');
    // Each assigned case has its own event, as the single action records it.
    const events = await api.db.kysely.selectFrom('case_event').innerJoin('service_case', 'service_case.id', 'case_event.case_id').select(['service_case.reference', 'case_event.actor_id']).where('case_event.type', '=', 'assigned').execute();
    assert.deepEqual(events.map((e) => e.reference).sort(), [roadsA, roadsB].sort());
    assert.ok(events.every((e) => e.actor_id === head.id));

    // The outcome is kept for the person who did it, and only for them.
    assert.deepEqual(await findBulkOutcome(api.db.kysely, head, outcome.id), outcome);
    assert.equal(await findBulkOutcome(api.db.kysely, riley, outcome.id), undefined);

    // A Department Head may assign nothing (README: no / no): every case is refused, none changed.
    const director = await staffOf(api, demo.worksDirector);
    const byDirector = await bulkAssign({ services, staff: director, references: [roadsA, roadsB], input: { ownerId: (await staffOf(api, demo.roadsHead)).id } });
    assert.deepEqual(byDirector.done, []);
    assert.equal(byDirector.refused.length, 2);
    for (const r of byDirector.refused) assert.match(r.why, /Only staff of Roads Operations, the division responsible for .*, can assign its owner/);
    assert.equal((await caseRow(api, roadsA)).owner_id, riley.id);

    // An owner outside a case's division is refused for that case, as on its own page.
    const taylor = await staffOf(api, demo.trafficStaff);
    const outside = await bulkAssign({ services, staff: head, references: [roadsA], input: { ownerId: taylor.id } });
    assert.deepEqual(outside.refused, [{ reference: roadsA, why: 'Taylor Brooks is not in Roads Operations; the owner must be a member of the responsible division.' }]);
  });

  test(`[${engine.name}] bulk transfer: each case is judged as the single transfer judges it (CSS §3.1): the sender's own cases go, others are refused with the reason`, async (t) => {
    const api = await startApi(engine, now);
    t.after(() => api.close());
    const services = caseServices(api.db, api.clock);
    const { roadsA, roadsB, pending, resolved } = await mixture(api);
    const rep = await api.as(demo.csRep);
    const trafficCase = await record(rep, potholeByPhone({ requestType: 'streetlight', attributes: {}, summary: 'Another streetlight out.' }));
    const riley = await staffOf(api, demo.roadsStaff);
    const taylor = await staffOf(api, demo.trafficStaff);
    const input = { toDivision: 'traffic-streetlights', note: 'These are signal bases, not potholes.' };

    const expected = new Map<string, string>();
    for (const reference of [pending, resolved]) expected.set(reference, await singleRefusal(() => transferCase({ services, staff: riley, reference, input })));
    assert.match(expected.get(pending)!, /already being transferred to Traffic and Streetlights; withdraw that transfer first/);
    // Traffic staff see Roads' pending transfer to them but may not transfer a case they do not have (CSS §3.1).
    const notTheirs = await singleRefusal(() => transferCase({ services, staff: taylor, reference: pending, input: { toDivision: 'roads-operations', note: 'x' } }));
    assert.match(notTheirs, /Only staff of Roads Operations, which has .*, or Customer Service can transfer it/);

    const outcome = await bulkTransfer({ services, staff: riley, references: [roadsA, pending, roadsB, resolved], input });
    assert.deepEqual(
      outcome.done.map((d) => d.reference),
      [roadsA, roadsB],
    );
    for (const d of outcome.done) assert.equal(d.what, 'Sent to Traffic and Streetlights: Roads Operations keeps it until Traffic and Streetlights confirms receipt (CSS §3.1).');
    assert.deepEqual(outcome.refused, [pending, resolved].map((reference) => ({ reference, why: expected.get(reference)! })));
    for (const reference of [roadsA, roadsB]) {
      const row = await caseRow(api, reference);
      assert.equal(row.transfer_requested_by, riley.id);
      assert.notEqual(row.transfer_to_division_id, null, `${reference} waits for Traffic to confirm receipt (CSS §3.1)`);
      const event = await api.db.kysely.selectFrom('case_event').select('data').where('case_id', '=', row.id).where('type', '=', 'transfer_requested').executeTakeFirstOrThrow();
      assert.equal((event.data as { note: string }).note, input.note, 'each case carries the note');
    }

    const byTraffic = await bulkTransfer({ services, staff: taylor, references: [pending, trafficCase], input: { toDivision: 'roads-operations', note: 'Back to Roads.' } });
    assert.deepEqual(byTraffic.done.map((d) => d.reference), [trafficCase]);
    assert.deepEqual(byTraffic.refused, [{ reference: pending, why: notTheirs }]);

    // Customer Service routes every division's contacts (README: yes for any division).
    const casey = await staffOf(api, demo.csRep);
    const fresh = await record(rep, potholeByPhone({ summary: 'Yet another pothole.' }));
    const byRep = await bulkTransfer({ services, staff: casey, references: [fresh], input: { toDivision: 'traffic-streetlights', note: 'Signal base.' } });
    assert.deepEqual(byRep.done.map((d) => d.reference), [fresh]);
  });
}

test('bulk work refuses a form that cannot apply to any case, and changes nothing: no case selected, too many, no owner, no division or note (CSS §3.1)', async (t) => {
  const api = await startApi(engines[0]!, now);
  t.after(() => api.close());
  const services = caseServices(api.db, api.clock);
  const riley = await staffOf(api, demo.roadsStaff);
  const reference = await record(await api.as(demo.csRep), potholeByPhone());
  const refusal = async (run: () => Promise<unknown>) => {
    try {
      await run();
    } catch (error) {
      assert.ok(isAppError(error) && error.code === 'VALIDATION_FAILED', String(error));
      return { message: error.message, fields: error.details.map((d) => d.field) };
    }
    return assert.fail('expected a refusal');
  };
  assert.deepEqual(await refusal(() => bulkAssign({ services, staff: riley, references: undefined, input: { ownerId: riley.id } })), {
    message: 'Select at least one case: tick the box beside each case you want to change.',
    fields: ['cases'],
  });
  const many = Array.from({ length: bulkCaseLimit + 1 }, (_, i) => `SR-2026-${String(i + 1).padStart(6, '0')}`);
  assert.match((await refusal(() => bulkAssign({ services, staff: riley, references: many, input: { ownerId: riley.id } }))).message, /Select at most 100 cases at once; you selected 101/);
  assert.deepEqual((await refusal(() => bulkAssign({ services, staff: riley, references: [reference], input: { ownerId: 0 } }))).fields, ['ownerId']);
  assert.match((await refusal(() => bulkAssign({ services, staff: riley, references: [reference], input: { ownerId: 999_999 } }))).message, /There is no active staff member 999999/);
  assert.deepEqual(await refusal(() => bulkTransfer({ services, staff: riley, references: [reference], input: { toDivision: '', note: ' ' } })), {
    message: 'Choose the division to transfer the selected cases to.',
    fields: ['toDivision', 'note'],
  });
  assert.match((await refusal(() => bulkTransfer({ services, staff: riley, references: [reference], input: { toDivision: 'no-such', note: 'x' } }))).message, /"no-such" is not a division/);
  const row = await caseRow(api, reference);
  assert.equal(row.transfer_to_division_id, null);
  assert.equal(Number((await api.db.kysely.selectFrom('bulk_case_work').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n), 0, 'no outcome is kept for a refused form');
});
