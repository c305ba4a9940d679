import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { openFreshPostgres } from '../helpers/db.js';
import { citydesk, cliEnv } from '../helpers/cli.js';
import { sampleConfig } from '../helpers/factories.js';
import { potholeByPhone } from '../helpers/api.js';
import { migrate } from '../../src/db/migrate.js';
import { seedMunicipality } from '../../src/directory/seed-municipality.js';
import { caseServices } from '../../src/cases/case-services.js';
import { createCase, type IntakeInput } from '../../src/cases/create-case.js';
import { fixedClock } from '../../src/platform/clock.js';
import { loadStaffMember } from '../../src/directory/staff.js';
import { sweep, sweepLockKey } from '../../src/escalation/sweep.js';
import { sql } from 'kysely';

const url = process.env['DATABASE_URL'];

/** A fresh database with `count` potholes reported by phone on Monday 23 November 2026 at 10:00. */
async function potholesReportedMonday(count: number) {
  const db = await openFreshPostgres(url!);
  await migrate(db);
  await seedMunicipality({ db, config: sampleConfig(), now: new Date('2026-01-01T12:00:00Z') });
  const rep = await db.kysely.selectFrom('staff_user').select('id').where('email', '=', 'cs.rep@kawarthalakes.example').executeTakeFirstOrThrow();
  const staff = (await loadStaffMember(db.kysely, rep.id))!;
  const services = caseServices(db, fixedClock('2026-11-23T15:00:00Z'));
  const references: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const { caseRow } = await createCase({ services, origin: { staff }, input: potholeByPhone({ description: `Pothole ${i}` }) as unknown as IntakeInput });
    references.push(caseRow.reference);
  }
  return { db, references };
}

describe('two sweepers on one PostgreSQL', { skip: url ? false : 'needs DATABASE_URL (PostgreSQL)' }, () => {
  test('two `citydesk sweep` processes started together escalate and notify each overdue request exactly once', async (t) => {
    const count = 120;
    const { db, references } = await potholesReportedMonday(count);
    t.after(() => db.close());
    // Acknowledge by Wednesday 25 November 16:30; both sweep a minute later, at the same moment.
    const env = cliEnv({ DATABASE_URL: db.url });
    const [a, b] = await Promise.all([
      citydesk(['sweep', '--now', '2026-11-25T16:31', '--json'], env),
      citydesk(['sweep', '--now', '2026-11-25T16:31', '--json'], env),
    ]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const escalated = [...JSON.parse(a.stdout).escalations, ...JSON.parse(b.stdout).escalations].map((e: { reference: string }) => e.reference);
    assert.equal(escalated.length, count, 'between them, each request escalated once');
    assert.deepEqual([...new Set(escalated)].sort(), [...references].sort());
    const rows = await db.kysely.selectFrom('escalation').select('case_id').execute();
    assert.equal(rows.length, count);
    const notices = await db.kysely.selectFrom('outbox_mail').select('subject').where('subject', 'like', 'Your service request (Pothole) has been escalated%').execute();
    assert.equal(notices.length, count, 'one notice per customer');
    assert.equal(new Set(notices.map((n) => n.subject)).size, count);
    const digests = await db.kysely.selectFrom('outbox_mail').select(['to_address', 'body']).where('subject', 'like', '%escalated to you%').execute();
    for (const recipient of ['roads.head@kawarthalakes.example', 'cs.manager@kawarthalakes.example']) {
      const text = digests.filter((d) => d.to_address === recipient).map((d) => d.body).join('\n');
      for (const reference of references) assert.equal(text.split(reference).length - 1, 1, `${recipient} hears of ${reference} once`);
    }
  });

  test('one sweep runs its batches on two connections at once: each due request once; another sweeper holding the lock makes it skip', async (t) => {
    const { db, references } = await potholesReportedMonday(60);
    t.after(() => db.close());
    const now = new Date('2026-11-25T21:31:00Z'); // Wednesday 16:31, a minute after the acknowledgment deadline.

    // Another sweeper holds the lock: this one does nothing.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let held!: () => void;
    const holding = new Promise<void>((resolve) => (held = resolve));
    const other = db.kysely.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${sweepLockKey})`.execute(trx);
      held();
      await released;
    });
    await holding;
    const skipped = await sweep({ db, now, batchSize: 7 });
    release();
    await other;
    assert.equal(skipped.skipped, true);
    assert.equal(skipped.escalations.length, 0);
    assert.equal((await db.kysely.selectFrom('escalation').select('id').execute()).length, 0, 'nothing written while another sweeper held the lock');

    // Alone, in batches of 7 on two connections: every request once.
    const result = await sweep({ db, now, batchSize: 7 });
    assert.equal(result.skipped, false);
    assert.equal(result.checked, 60);
    assert.deepEqual(result.escalations.map((e) => e.reference).sort(), [...references].sort(), 'each request escalated once');
    const acknowledgmentBreaches = result.breaches.filter((b) => b.kind === 'acknowledgment').map((b) => b.reference);
    assert.deepEqual(acknowledgmentBreaches.sort(), [...references].sort(), 'each missed acknowledgment recorded once');
    const { rows } = await sql<{ n: number; cases: number }>`select count(*)::int as n, count(distinct case_id)::int as cases from escalation`.execute(db.kysely);
    assert.deepEqual(rows[0], { n: 60, cases: 60 });
    const again = await sweep({ db, now, batchSize: 7 });
    assert.equal(again.checked, 0, 'nothing is left due');
  });
});
