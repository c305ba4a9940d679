import { performance } from 'node:perf_hooks';
import { sql, type Transaction } from 'kysely';
import { DateTime } from 'luxon';
import { openDatabase, type Db } from '../src/db/connect.js';
import { migrate } from '../src/db/migrate.js';
import type { Database } from '../src/db/schema.js';
import { loadDirectory, type Directory } from '../src/directory/directory-cache.js';
import { loadMunicipalityConfig } from '../src/directory/municipality-config.js';
import { seedMunicipality } from '../src/directory/seed-municipality.js';
import type { ProposedTargets } from '../src/governance/proposals.js';
import { computeReplay, periodBounds, readReplayCases } from '../src/governance/replay-proposal.js';
import { redactUrl } from '../src/platform/config.js';
import { chooseTargets, type ServiceTargets, type Target } from '../src/standard/targets.js';
import { busyPercent, machineCpu, withThrowawayDatabase } from './throwaway-database.js';

/**
 * What-if replay on PostgreSQL (issue 16, CSS §8.3): 1,000,000 service requests received over the
 * last 12 months, replayed under a proposal that changes every request type's targets (and the
 * pothole's per-road-class ones), in at most 2 × the time of reading those cases with the same
 * select (the columns replay needs, streamed in batches by id, in the same kind of read-only
 * transaction), measured in the same run.
 *
 * The cases are written by set-based SQL: 20,000 "profiles" (a request type and road class, a
 * receipt instant over the year, its original targets computed with the City's calendar, and
 * what happened: acknowledged and resolved early or late, a few still open, some with a revised
 * timeline) go into a table, and one INSERT … SELECT FROM generate_series(1, 1000000) joins it.
 * Reads and replays alternate, three of each; the best of each is compared.
 */

const total = 1_000_000;
const profileCount = 20_000;
const now = DateTime.fromISO('2026-12-01T10:00:00', { zone: 'America/Toronto' }).toJSDate();
const period = { from: '2025-12-01', to: '2026-11-30' };
const HOUR = 3_600_000;
const rounds = 3;

/** A deterministic pseudo-random sequence (the data set is the same every run). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1_664_525 + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Every target one unit shorter (never below zero business days / one of the other units). */
const tighter = (t: Target): Target => ({ unit: t.unit, amount: t.unit === 'business_days' ? Math.max(0, t.amount - 1) : Math.max(1, t.amount - 1) });

function proposalChangingEveryType(directory: Directory): ProposedTargets {
  const targets: ProposedTargets = {};
  for (const code of directory.activeRequestTypeCodes) {
    const current = directory.serviceTargets(code, now.getTime()).targets;
    const proposed: ServiceTargets = { acknowledge: tighter(current.acknowledge), resolve: tighter(current.resolve) };
    if (current.byAttribute) {
      proposed.byAttribute = {
        attribute: current.byAttribute.attribute,
        values: Object.fromEntries(Object.entries(current.byAttribute.values).map(([v, x]) => [v, { ...(x.acknowledge ? { acknowledge: tighter(x.acknowledge) } : {}), ...(x.resolve ? { resolve: tighter(x.resolve) } : {}) }])),
      };
    }
    targets[code] = proposed;
  }
  return targets;
}

async function loadCases(db: Db, directory: Directory): Promise<void> {
  const rnd = random(16);
  const calendar = directory.calendar;
  const { start, end } = periodBounds(period.from, period.to, calendar.timeZone);
  const codes = directory.activeRequestTypeCodes;
  const rows: unknown[][] = [];
  for (let i = 0; i < profileCount; i += 1) {
    const code = codes[Math.floor(rnd() * codes.length)]!;
    const receivedAt = start.getTime() + Math.floor(rnd() * (end.getTime() - start.getTime()));
    const t = directory.serviceTargets(code, receivedAt);
    const roadClass = t.targets.byAttribute ? ['2', '3', '4', '5', 'unknown'][Math.floor(rnd() * 5)]! : null;
    const chosen = chooseTargets(t.targets, roadClass ? { [t.targets.byAttribute!.attribute]: roadClass } : {});
    const ackBy = calendar.dueAt(receivedAt, chosen.acknowledge);
    const resolveBy = calendar.dueAt(receivedAt, chosen.resolve);
    // Acknowledged somewhere between receipt and 1.3 × the target's span; resolved likewise; some open.
    const acknowledgedAt = receivedAt + Math.floor(rnd() * 1.3 * (ackBy - receivedAt));
    const open = rnd() < 0.08;
    const resolvedAt = open ? null : Math.max(acknowledgedAt + HOUR, receivedAt + Math.floor(rnd() * 1.3 * (resolveBy - receivedAt)));
    const revised = !open && rnd() < 0.05;
    rows.push([
      t.requestType.id,
      t.division.id,
      t.dstVersion.id,
      JSON.stringify(roadClass ? { [t.targets.byAttribute!.attribute]: roadClass } : {}),
      new Date(receivedAt),
      new Date(ackBy),
      new Date(resolveBy),
      acknowledgedAt > now.getTime() ? null : new Date(acknowledgedAt),
      resolvedAt === null || resolvedAt > now.getTime() ? null : new Date(resolvedAt),
      revised ? new Date(Math.min(resolveBy - HOUR, now.getTime())) : null,
      revised ? new Date(resolveBy + 48 * HOUR) : null,
    ]);
  }
  await sql`create table bench_profile (n int primary key, request_type_id int, division_id int, dst_version_id int, attributes jsonb, received_at timestamptz,
    acknowledge_by timestamptz, resolve_by timestamptz, acknowledged_at timestamptz, resolved_at timestamptz, revised_at timestamptz, revised_resolve_by timestamptz)`.execute(db.kysely);
  for (let i = 0; i < rows.length; i += 5_000) {
    const chunk = rows.slice(i, i + 5_000);
    const col = (k: number) => chunk.map((r) => r[k]);
    await sql`insert into bench_profile
      select * from unnest(${chunk.map((_r, j) => i + j)}::int[], ${col(0)}::int[], ${col(1)}::int[], ${col(2)}::int[], ${col(3)}::jsonb[], ${col(4)}::timestamptz[],
                           ${col(5)}::timestamptz[], ${col(6)}::timestamptz[], ${col(7)}::timestamptz[], ${col(8)}::timestamptz[], ${col(9)}::timestamptz[], ${col(10)}::timestamptz[])`.execute(db.kysely);
  }
  await sql`
    insert into service_case (reference, kind, status, channel, request_type_id, division_id, description, summary, attributes, received_at, recorded_at,
                              dst_version_id, acknowledge_by, resolve_by, acknowledged_at, resolved_at, revised_at, revised_resolve_by)
    select 'SR-B-' || g, 'service_request', case when p.resolved_at is null then 'open' else 'resolved' end, 'phone', p.request_type_id, p.division_id,
           'A report for the replay benchmark.', 'Replay benchmark case ' || g, p.attributes, p.received_at, p.received_at,
           p.dst_version_id, p.acknowledge_by, p.resolve_by, p.acknowledged_at, p.resolved_at, p.revised_at, p.revised_resolve_by
    from generate_series(1, ${total}) g join bench_profile p on p.n = g % ${profileCount}`.execute(db.kysely);
  await sql`drop table bench_profile`.execute(db.kysely);
}

/** One read-only, repeatable-read transaction, as replayProposal runs the replay. */
function readOnly<T>(db: Db, run: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return db.kysely
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      await sql`set transaction read only`.execute(trx);
      return run(trx);
    });
}

export async function benchReplay(): Promise<boolean> {
  return withThrowawayDatabase(async (databaseUrl) => {
    const db = await openDatabase({ databaseUrl, dataDir: 'unused', poolSize: 2 });
    try {
      const server = (await sql<{ v: string }>`select version() as v`.execute(db.kysely)).rows[0]!.v.split(' on ')[0]!;
      console.log(`database: ${redactUrl(databaseUrl)} (fresh, dropped after), ${server}; replay on ${now.toISOString()} over ${period.from} … ${period.to}`);
      const setup = performance.now();
      await migrate(db);
      await seedMunicipality({ db, config: loadMunicipalityConfig('config'), now: new Date('2025-01-01T12:00:00Z') });
      const directory = await loadDirectory(db.kysely);
      await loadCases(db, directory);
      await sql`vacuum (analyze) service_case`.execute(db.kysely);
      await sql`checkpoint`.execute(db.kysely).catch(() => undefined);
      const size = (await sql<{ n: number; size: string }>`select count(*)::int as n, pg_size_pretty(pg_total_relation_size('service_case')) as size from service_case`.execute(db.kysely)).rows[0]!;
      console.log(`set-up ${((performance.now() - setup) / 1000).toFixed(1)} s: ${size.n.toLocaleString('en-CA')} service requests (${size.size} with indexes), ${profileCount.toLocaleString('en-CA')} profiles`);

      const targets = proposalChangingEveryType(directory);
      const choices = new Map<number, string>();
      for (const [code, t] of Object.entries(targets)) if (t.byAttribute) choices.set(directory.serviceTargets(code, now.getTime()).requestType.id, t.byAttribute.attribute);
      const { start, end } = periodBounds(period.from, period.to, directory.calendar.timeZone);
      console.log(`proposal: every one of ${Object.keys(targets).length} request types' targets one unit shorter (the pothole's per-road-class targets too)`);

      const reads: number[] = [];
      const replays: number[] = [];
      let last: Awaited<ReturnType<typeof computeReplay>> | undefined;
      const cpu = machineCpu();
      for (let round = 0; round < rounds; round += 1) {
        let t = performance.now();
        const read = await readOnly(db, (trx) => readReplayCases(trx, { start, end, choices }, () => undefined));
        reads.push(performance.now() - t);
        t = performance.now();
        last = await readOnly(db, (trx) => computeReplay(trx, { directory, calendar: directory.calendar, targets, period, asOf: now }));
        replays.push(performance.now() - t);
        if (read !== last.cases) throw new Error(`read ${read} cases but replayed ${last.cases}`);
        console.log(`round ${round + 1}: read ${(reads.at(-1)! / 1000).toFixed(2)} s, replay ${(replays.at(-1)! / 1000).toFixed(2)} s`);
      }
      const read = Math.min(...reads);
      const replay = Math.min(...replays);
      const ratio = replay / read;
      const r = last!;
      console.log(
        `replayed ${r.cases.toLocaleString('en-CA')} cases: ${r.changedTotal.toLocaleString('en-CA')} would change; escalations ${r.escalations.before.toLocaleString('en-CA')} as it was, ` +
          `${r.escalations.after.toLocaleString('en-CA')} under the proposal; ${r.groups.length} type-and-division groups`,
      );
      console.log(`best read ${(read / 1000).toFixed(2)} s, best replay ${(replay / 1000).toFixed(2)} s: replay = ${ratio.toFixed(2)} × read (machine CPU busy during the rounds: ${busyPercent(cpu)})`);
      const met = ratio <= 2;
      console.log(`target replay ≤ 2 × read: ${met ? 'met' : 'NOT met'}`);
      return met;
    } finally {
      await db.close();
    }
  });
}
