/**
 * Issue 13: `citydesk demo` lives a (short) year of the sample City through citydesk's own use
 * cases and sweep with a moving clock. Afterwards every work queue and console list shows data,
 * the sweep finds nothing wrongly due, the figures count the cases, the same seed gives the same
 * year, a database with cases of its own is refused, and a year stopped part-way (Ctrl-C)
 * continues where it stopped into the year an uninterrupted run makes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import type { Db } from '../../src/db/connect.js';
import { listQueue, queueNames } from '../../src/cases/case-queries.js';
import { loadDirectory } from '../../src/directory/directory-cache.js';
import { loadStaffMember, type StaffMember } from '../../src/directory/staff.js';
import { listOpenEscalations } from '../../src/escalation/list-escalations.js';
import { sweep } from '../../src/escalation/sweep.js';
import { describeDemoSummary, runDemoYear, type DemoOptions, type DemoSummary } from '../../src/history/demo-year.js';
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
  it('stops after the current step, says where it stopped and how to continue; options of another year are refused with what to do, and add nothing', { timeout: 600_000 }, async () => {
    const db = await testEngines()[0]!.open({ seed: true });
    try {
      const controller = new AbortController();
      // Three weeks of January: enough steps to stop in the middle of.
      const end = new Date('2026-01-21T18:30:00Z');
      const stopped = await runDemoYear({ db, year: 2026, seed: 5, casesPerYear: 1000, until: end, password: 'demo-password-for-tests', signal: controller.signal, onProgress: () => controller.abort() });
      assert.equal(stopped.stopped, true);
      assert.ok(stopped.stoppedAt !== null && stopped.stoppedAt < stopped.until, `${stopped.stoppedAt} before ${stopped.until}`);
      const words = describeDemoSummary(stopped);
      assert.match(words, /STOPPED before the end/);
      assert.match(words, /run citydesk demo again \(without options, or with the same ones\) to continue it where it stopped/);
      assert.doesNotMatch(words, /cannot be continued/);
      const count = async () => Number((await db.kysely.selectFrom('service_case').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      assert.equal(await count(), stopped.cases);

      // The checkpoint: one stopped run, where it stopped.
      const runs = await db.kysely.selectFrom('demo_run').select(['status', 'reached_at', 'steps_done']).execute();
      assert.equal(runs.length, 1);
      assert.equal(runs[0]!.status, 'stopped');
      assert.equal(runs[0]!.steps_done, 50);
      assert.equal(new Date(runs[0]!.reached_at!).toISOString(), new Date(stopped.stoppedAt!).toISOString());

      // Another seed, year, volume or end would be another year on top of it: refused, with what to do.
      const stoppedAt = stopped.stoppedAt!.slice(0, 16);
      await assert.rejects(runDemoYear({ db, seed: 6, password: 'demo-password-for-tests' }), (e: Error) => {
        assert.match(e.message, new RegExp(`holds a demo year stopped at ${stoppedAt} \\(--year 2026 --seed 5 --cases 1000 --until 2026-01-21T13:30\\); --seed 6 \\(its seed is 5\\) would make another year on top of it`));
        assert.match(e.message, /To continue it, run citydesk demo without this option/);
        assert.match(e.message, /Or add --force/);
        return true;
      });
      await assert.rejects(runDemoYear({ db, year: 2025, casesPerYear: 900, until: new Date('2025-06-30T12:00:00Z'), password: 'demo-password-for-tests' }), /--year 2025 \(it simulates 2026\), --cases 900 \(it makes 1000 a year\), --until 2025-06-30T08:00 \(it ends at 2026-01-21T13:30\) would make another year on top of it\. To continue it, run citydesk demo without these options/);
      assert.equal(await count(), stopped.cases);
      assert.equal((await db.kysely.selectFrom('demo_run').select('status').executeTakeFirstOrThrow()).status, 'stopped', 'the refused runs leave the checkpoint as it was');

      // A run killed without its checkpoint cannot be continued: said so, not taken for a stopped one.
      await db.kysely.updateTable('demo_run').set({ status: 'running' }).execute();
      await assert.rejects(runDemoYear({ db, password: 'demo-password-for-tests' }), /did not stop cleanly .* it left no checkpoint to continue from\. For a new demo year from nothing, stop citydesk, move the data folder away/);
      assert.equal(await count(), stopped.cases);

      // --force leaves the broken year's cases as they are, marks it abandoned, and adds another year on top.
      const another = await runDemoYear({ db, year: 2026, seed: 6, casesPerYear: 120, until: new Date('2026-01-06T18:30:00Z'), force: true, password: 'demo-password-for-tests' });
      assert.equal(another.stopped, false);
      assert.ok(another.cases > 0, `${another.cases} cases`);
      assert.equal(await count(), stopped.cases + another.cases, 'the first year\'s cases stay, the new year\'s are added');
      const after = await db.kysely.selectFrom('demo_run').select(['status', 'seed']).orderBy('id').execute();
      assert.deepEqual(after, [{ status: 'abandoned', seed: 5 }, { status: 'finished', seed: 6 }]);
      // The abandoned year is not taken up again: a further run without --force finds cases of the database's own.
      await assert.rejects(runDemoYear({ db, password: 'demo-password-for-tests' }), /already holds cases of its own/);
    } finally {
      await db.close();
    }
  });
});

/** Every case's type, status, targets met and history, one line a case, and the escalations. */
async function canonicalDump(db: Db): Promise<string[]> {
  const ms = (column: string) => sql.raw(`coalesce((extract(epoch from ${column}) * 1000)::bigint::text, '-')`);
  const { rows } = await sql<{ line: string }>`
    select c.reference || ' ' || c.kind || ' ' || coalesce(t.code, '-') || ' ' || coalesce(c.channel, '-') || ' ' || c.status || ' ' || d.code || ' level ' || c.escalation_level ||
           ' acknowledged ' || ${ms('c.acknowledged_at')} || ' resolved ' || ${ms('c.resolved_at')} || ': ' ||
           coalesce((select string_agg(e.type || '@' || ${ms('e.at')}, ' ' order by e.id) from case_event e where e.case_id = c.id), '') ||
           coalesce((select ' escalations ' || string_agg(x.level || '@' || ${ms('x.escalated_at')}, ' ' order by x.id) from escalation x where x.case_id = c.id), '') as line
    from service_case c join division d on d.id = c.division_id left join request_type t on t.id = c.request_type_id
    order by c.reference`.execute(db.kysely);
  return rows.map((r) => r.line);
}

for (const engine of testEngines()) {
  describe(`A stopped demo year continued (${engine.name})`, () => {
    it('stopped after any number of steps and continued, even twice, it ends with the same cases, statuses, events and summary as an uninterrupted run', { timeout: 1_200_000 }, async () => {
      // Five weeks of a small year (120 cases a year: the 20 the demo always makes), stopped at
      // two points fast-check draws; the second continuation is given no options at all.
      const year = { year: 2026, seed: 11, casesPerYear: 120, until: new Date('2026-02-05T18:30:00Z'), password: 'demo-password-for-tests' };
      const whole = await engine.open({ seed: true });
      let expected: { summary: DemoSummary; dump: string[]; steps: number };
      try {
        let steps = 0;
        const summary = await runDemoYear({ db: whole, ...year, progressEvery: 1, onProgress: () => void (steps += 1) });
        expected = { summary, dump: await canonicalDump(whole), steps };
        assert.ok(expected.dump.length >= 15 && steps > 60, `${expected.dump.length} cases in ${steps} steps`);
      } finally {
        await whole.close();
      }
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: expected.steps - 20 }), fc.integer({ min: 1, max: 15 }), async (first, more) => {
          const db = await engine.open({ seed: true });
          try {
            const stopAfter = async (n: number, options: Partial<DemoOptions>) => {
              const controller = new AbortController();
              let steps = 0;
              return runDemoYear({ db, password: year.password, ...options, signal: controller.signal, progressEvery: 1, onProgress: () => void (++steps === n && controller.abort()) });
            };
            const a = await stopAfter(first, year);
            assert.equal(a.stopped, true, `stopped after ${first} steps`);
            let told: string | undefined;
            const b = await stopAfter(more, { ...year, onContinue: (run) => (told = run.stoppedAt) });
            assert.equal(told, a.stoppedAt, 'the second run says which stopped year it continues');
            assert.equal(b.stopped, true);
            assert.equal(b.continuedFrom, a.stoppedAt);
            const c = await runDemoYear({ db, password: year.password });
            assert.equal(c.stopped, false);
            assert.equal(c.continuedFrom, b.stoppedAt);
            assert.deepEqual(await canonicalDump(db), expected.dump);
            assert.deepEqual({ ...c, continuedFrom: null }, expected.summary);
            const runs = await db.kysely.selectFrom('demo_run').select(['status', 'agenda', 'plans']).execute();
            assert.deepEqual(runs, [{ status: 'finished', agenda: null, plans: null }], 'a finished run clears its checkpoint');
            // Finished, it is a database with cases of its own again.
            await assert.rejects(runDemoYear({ db, password: year.password }), /already holds cases of its own/);
          } finally {
            await db.close();
          }
        }),
        { numRuns: 2 },
      );
    });
  });
}
