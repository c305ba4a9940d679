/**
 * Issue 13: `citydesk demo` lives a (short) year of the sample City through citydesk's own use
 * cases and sweep with a moving clock. Afterwards every work queue and console list shows data,
 * the sweep finds nothing wrongly due, the figures count the cases, the same seed gives the same
 * year, and a database with cases of its own is refused.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import type { Db } from '../../src/db/connect.js';
import { listQueue, queueNames } from '../../src/cases/case-queries.js';
import { loadDirectory } from '../../src/directory/directory-cache.js';
import { loadStaffMember, type StaffMember } from '../../src/directory/staff.js';
import { listOpenEscalations } from '../../src/escalation/list-escalations.js';
import { sweep } from '../../src/escalation/sweep.js';
import { describeDemoSummary, runDemoYear } from '../../src/history/demo-year.js';
import { findKpis } from '../../src/performance/find-kpis.js';
import { testEngines } from '../helpers/db.js';

// A Tuesday afternoon at the end of March: three months of the year behind it.
const until = new Date('2026-03-31T18:30:00Z');
const demo = (db: Db, seed: number, casesPerYear: number, end = until) => runDemoYear({ db, year: 2026, seed, casesPerYear, until: end, password: 'demo-password-for-tests' });

async function member(db: Db, role: 'manager_customer_service' | 'customer_service'): Promise<StaffMember> {
  const row = await db.kysely.selectFrom('staff_user').select('id').where('role', '=', role).orderBy('id').executeTakeFirstOrThrow();
  return (await loadStaffMember(db.kysely, row.id))!;
}

/** Every case's state and history, as one digest. */
async function digest(db: Db): Promise<string> {
  const { rows } = await sql<{ d: string }>`
    select md5(string_agg(c.reference || c.status || c.division_id || coalesce(c.acknowledged_at::text, '') || coalesce(c.resolved_at::text, '') || c.escalation_level ||
                          (select string_agg(e.type || e.at::text, ',' order by e.id) from case_event e where e.case_id = c.id), '|' order by c.reference)) as d
    from service_case c`.execute(db.kysely);
  return rows[0]!.d;
}

for (const engine of testEngines()) {
  describe(`The demo year (${engine.name})`, () => {
    it('lives three months through the use cases: every queue and console list shows data, the sweep finds nothing wrongly due', { timeout: 600_000 }, async () => {
      const db = await engine.open({ seed: true });
      try {
        const summary = await demo(db, 2019, 1000);
        assert.ok(summary.cases >= 200, `${summary.cases} cases`);
        for (const step of ['intake', 'acknowledge', 'update', 'transfer', 'confirm', 'resolve', 'reopen', 'review', 'survey-invitation', 'survey-answer']) {
          assert.ok((summary.actions[step] ?? 0) > 0, `the demo ${step}s: ${JSON.stringify(summary.actions)}`);
        }
        assert.ok(summary.escalations[1] > 0 && summary.escalations[2] > 0, `escalations at each level: ${JSON.stringify(summary.escalations)}`);
        assert.ok(summary.breaches > 0);

        // Through the use cases: every case has its audit trail, and acknowledgments are mostly on time.
        const trail = await sql<{ without: number; late: number; acked: number }>`
          select (select count(*)::int from service_case c where not exists (select 1 from case_event e where e.case_id = c.id and e.type = 'received')) as without,
                 (select count(*)::int from service_case where acknowledged_at > acknowledge_by) as late,
                 (select count(*)::int from service_case where acknowledged_at is not null) as acked`.execute(db.kysely);
        assert.equal(trail.rows[0]!.without, 0);
        assert.ok(trail.rows[0]!.late > 0 && trail.rows[0]!.late < trail.rows[0]!.acked / 3, JSON.stringify(trail.rows[0]));

        // §5: everything due by the end was seen by the demo's sweeps: a sweep now finds nothing new.
        const after = await sweep({ db, now: until });
        assert.equal(after.breaches.length, 0, JSON.stringify(after.breaches.slice(0, 3)));
        assert.equal(after.escalations.length, 0);

        // Every work queue has cases in it for the Manager of Customer Service, "mine" for the representative.
        const { calendar } = await loadDirectory(db.kysely);
        const manager = await member(db, 'manager_customer_service');
        const rep = await member(db, 'customer_service');
        for (const queue of queueNames) {
          const listed = await listQueue(db.kysely, { staff: queue === 'mine' ? rep : manager, queue, now: until, calendar });
          assert.ok(listed.items.length > 0, `the ${queue} queue shows cases`);
        }
        assert.ok((await listOpenEscalations(db.kysely, manager, calendar)).items.length > 0, 'open escalations');
        const kpis = await findKpis({ tx: db.kysely, directory: await loadDirectory(db.kysely), staff: manager, query: { from: '2026-01-01', to: '2026-03-31' }, now: until });
        assert.equal(kpis.total.cases.serviceRequests + kpis.total.cases.inquiries, summary.cases);
        assert.equal(kpis.total.resolution.state, 'value');

        // A database holding cases of its own is refused.
        await assert.rejects(demo(db, 1, 100), /already holds cases of its own/);
      } finally {
        await db.close();
      }
    });
  });
}

describe('The demo year is deterministic', () => {
  it('the same seed and end give the same cases, events and timings', { timeout: 300_000 }, async () => {
    const end = new Date('2026-01-20T17:00:00Z');
    const [first, second] = [await testEngines()[0]!.open({ seed: true }), await testEngines()[0]!.open({ seed: true })];
    try {
      await demo(first, 5, 900, end);
      await demo(second, 5, 900, end);
      assert.equal(await digest(first), await digest(second));
    } finally {
      await first.close();
      await second.close();
    }
  });
});

describe('A demo year stopped part-way (Ctrl-C)', () => {
  it('stops after the current step, says where it stopped and how to go on; a rerun is refused with the same advice, and adds nothing', async () => {
    const db = await testEngines()[0]!.open({ seed: true });
    try {
      const controller = new AbortController();
      // Three weeks of January: enough steps to stop in the middle of.
      const stopped = await runDemoYear({ db, year: 2026, seed: 5, casesPerYear: 1000, until: new Date('2026-01-21T18:30:00Z'), password: 'demo-password-for-tests', signal: controller.signal, onProgress: () => controller.abort() });
      assert.equal(stopped.stopped, true);
      assert.ok(stopped.stoppedAt !== null && stopped.stoppedAt < stopped.until, `${stopped.stoppedAt} before ${stopped.until}`);
      const words = describeDemoSummary(stopped);
      assert.match(words, /STOPPED before the end/);
      assert.match(words, /cannot be continued.*start again on a new database/);
      const cases = await db.kysely.selectFrom('service_case').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(cases.n), stopped.cases);
      await assert.rejects(demo(db, 5, 1000), /already holds cases of its own.*A demo stopped part-way \(Ctrl-C\) cannot be continued/);
      const again = await db.kysely.selectFrom('service_case').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(again.n), stopped.cases);
    } finally {
      await db.close();
    }
  });
});
