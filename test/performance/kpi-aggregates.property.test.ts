import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sql } from 'kysely';
import type { Db } from '../../src/db/connect.js';
import { DirectoryCache, type Directory } from '../../src/directory/directory-cache.js';
import { fixedClock } from '../../src/platform/clock.js';
import { aggregatedTallies, compactKpiDeltas, directTallies, escalationTallies, monthEndInstant, monthEndSeries, type KpiSelection } from '../../src/performance/kpi-tallies.js';
import { completionDays, performanceIndicators } from '../../src/standard/performance-indicators.js';
import { testEngines } from '../helpers/db.js';

/**
 * The aggregates a case change keeps current (migration 015) equal the case-by-case computation
 * of the same KPIs after any sequence of intakes, acknowledgments, resolutions, reopenings,
 * revised timelines, transfers, reclassifications, escalations and deletions; and so do the open
 * and overdue cases at each month end (migration 088).
 */

const DAY = 86_400_000;
const start = Date.parse('2026-01-05T15:00:00Z');

type Op =
  | { op: 'create'; kind: 'inquiry' | 'service_request'; day: number; minute: number; ackDays: number; resolveDays: number; channel: number; division: number }
  | { op: 'acknowledge'; pick: number; afterHours: number }
  | { op: 'resolve'; pick: number; afterHours: number }
  | { op: 'reopen'; pick: number }
  | { op: 'revise'; pick: number; days: number }
  | { op: 'transfer'; pick: number; division: number }
  | { op: 'reclassify'; pick: number; resolveDays: number }
  | { op: 'escalate'; pick: number }
  | { op: 'delete'; pick: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('create' as const), kind: fc.constantFrom('inquiry' as const, 'service_request' as const), day: fc.integer({ min: 0, max: 120 }), minute: fc.integer({ min: 0, max: 1439 }), ackDays: fc.integer({ min: 0, max: 5 }), resolveDays: fc.integer({ min: 1, max: 40 }), channel: fc.nat(3), division: fc.nat(3) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('acknowledge' as const), pick: fc.nat(), afterHours: fc.integer({ min: 0, max: 200 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('resolve' as const), pick: fc.nat(), afterHours: fc.integer({ min: 0, max: 900 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('reopen' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('revise' as const), pick: fc.nat(), days: fc.integer({ min: 1, max: 60 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('transfer' as const), pick: fc.nat(), division: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('reclassify' as const), pick: fc.nat(), resolveDays: fc.integer({ min: 1, max: 40 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('escalate' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), pick: fc.nat() }) },
);

for (const engine of testEngines()) {
  describe(`KPI aggregates on ${engine.name}`, () => {
    let db: Db;
    let directory: Directory;
    before(async () => {
      db = await engine.open({ seed: true });
      directory = await new DirectoryCache(db, fixedClock('2026-06-01T12:00:00Z')).get(db.kysely);
    });
    after(() => db.close());

    test('equal the case-by-case computation after any sequence of changes (property)', async () => {
      const divisions = directory.divisions.slice(0, 4).map((d) => d.id);
      const types = directory.allRequestTypes().slice(0, 4);
      const channels = directory.channels.filter((c) => c.code !== 'social_media').slice(0, 4).map((c) => c.code);
      const dept = (division: number) => directory.division(division)!.departmentId;
      let serial = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40 }), fc.integer({ min: 0, max: 200 }), async (ops, asOfDay) => {
          await sql`delete from escalation`.execute(db.kysely).catch(() => undefined);
          await sql`alter table escalation disable trigger escalation_history`.execute(db.kysely);
          await sql`delete from escalation`.execute(db.kysely);
          await sql`alter table escalation enable trigger escalation_history`.execute(db.kysely);
          await sql`delete from service_case`.execute(db.kysely);
          const ids: number[] = [];
          const pick = async (n: number) => {
            if (ids.length === 0) return undefined;
            const id = ids[n % ids.length]!;
            return db.kysely.selectFrom('service_case').selectAll().where('id', '=', id).executeTakeFirst();
          };
          for (const o of ops) {
            if (o.op === 'create') {
              const received = start + o.day * DAY + o.minute * 60_000;
              const type = types[o.division % types.length]!;
              const row = await db.kysely
                .insertInto('service_case')
                .values({
                  reference: `${o.kind === 'inquiry' ? 'GI' : 'SR'}-2026-${String(++serial).padStart(6, '0')}`,
                  kind: o.kind,
                  channel: channels[o.channel % channels.length]!,
                  request_type_id: o.kind === 'service_request' ? type.id : null,
                  division_id: o.kind === 'service_request' ? type.divisionId : divisions[o.division]!,
                  description: 'd',
                  summary: 's',
                  received_at: new Date(received),
                  recorded_at: new Date(received),
                  acknowledge_by: new Date(received + o.ackDays * DAY),
                  resolve_by: o.kind === 'service_request' ? new Date(received + o.resolveDays * DAY) : null,
                  attributes: '{}',
                })
                .returning('id')
                .executeTakeFirstOrThrow();
              ids.push(row.id);
              continue;
            }
            const c = await pick(o.pick);
            if (!c) continue;
            const received = new Date(c.received_at).getTime();
            const set = (values: Record<string, unknown>) => db.kysely.updateTable('service_case').set(values).where('id', '=', c.id).execute();
            if (o.op === 'acknowledge' && c.acknowledged_at === null) await set({ acknowledged_at: new Date(received + o.afterHours * 3_600_000) });
            else if (o.op === 'resolve' && c.status === 'open') {
              const resolved = received + o.afterHours * 3_600_000;
              await set({ status: 'resolved', resolved_at: new Date(resolved), acknowledged_at: c.acknowledged_at ?? new Date(resolved), completion_business_days: completionDays(directory.calendar, received, resolved).businessDays });
            } else if (o.op === 'reopen' && c.status === 'resolved') await set({ status: 'open', resolved_at: null, completion_business_days: null });
            else if (o.op === 'revise') await set({ revised_resolve_by: new Date(received + o.days * DAY) });
            else if (o.op === 'transfer') await set({ division_id: divisions[o.division]! });
            else if (o.op === 'reclassify' && c.kind === 'service_request') await set({ resolve_by: new Date(received + o.resolveDays * DAY) });
            else if (o.op === 'escalate' && c.kind === 'service_request' && c.escalation_level < 3) {
              const level = c.escalation_level + 1;
              await db.kysely
                .insertInto('escalation')
                .values({ case_id: c.id, level, escalated_at: new Date(received + level * 14 * DAY), reason: level === 1 ? 'not_acknowledged' : 'no_update_two_weeks_after_escalation', division_id: c.division_id, department_id: dept(c.division_id), initiated_by: 'sweep' })
                .execute();
              await set({ escalation_level: level, escalated_at: new Date(received + level * 14 * DAY) });
            } else if (o.op === 'delete' && c.escalation_level === 0) {
              await db.kysely.deleteFrom('service_case').where('id', '=', c.id).execute();
              ids.splice(ids.indexOf(c.id), 1);
            }
          }
          const asOf = new Date(start + asOfDay * DAY);
          for (const periodRule of ['received', 'closed'] as const) {
            for (const by of ['month', 'division', 'type', undefined] as const) {
              const s: KpiSelection = { from: '2026-01-01', to: '2026-12-31', periodRule, divisionIds: null, by };
              await compactKpiDeltas(db.kysely);
              const fromAggregates = await aggregatedTallies(db.kysely, directory.calendar, s, asOf);
              const direct = await directTallies(db.kysely, directory.calendar, s, asOf);
              const options = { periodRule, minimumGroupSize: 1 };
              const shown = (m: Map<string, ReturnType<typeof Object>>) =>
                Object.fromEntries([...m.entries()].filter(([, t]) => t.serviceRequests + t.inquiries > 0).map(([k, t]) => [k, performanceIndicators(t, options)]));
              assert.deepEqual(shown(fromAggregates), shown(direct), `${periodRule} by ${by ?? 'nothing'}`);
              // Escalations come from the escalations themselves either way.
              await escalationTallies(db.kysely, directory.calendar, s, asOf, new Map());
            }
          }
          // Open and overdue at each month end that has passed, against the cases themselves.
          const months = ['2025-12', ...Array.from({ length: 12 }, (_, i) => `2026-${String(i + 1).padStart(2, '0')}`)].filter((m) => monthEndInstant(directory.calendar, m) <= asOf);
          for (const divisionIds of [null, [divisions[0]!]]) {
            const s: KpiSelection = { from: '2026-01-01', to: '2026-12-31', periodRule: 'received', divisionIds };
            const series = await monthEndSeries(db.kysely, directory.calendar, s, months, asOf);
            const expected = { open: [] as number[], overdue: [] as number[] };
            for (const m of months) {
              const t = monthEndInstant(directory.calendar, m);
              const scope = divisionIds === null ? sql`true` : sql`division_id = ${divisionIds[0]!}`;
              const r = await sql<{ open: string | number; overdue: string | number }>`
                select count(*) as open, count(*) filter (where
                  (acknowledgment_recorded and not first_contact_resolution and acknowledge_by < ${t}
                    and coalesce(acknowledged_at, resolved_at) is distinct from null and coalesce(acknowledged_at, resolved_at) >= ${t})
                  or (acknowledgment_recorded and not first_contact_resolution and acknowledge_by < ${t} and acknowledged_at is null and resolved_at is null)
                  or (kind = 'service_request' and resolve_by < ${t})) as overdue
                from service_case where received_at < ${t} and (resolved_at is null or resolved_at >= ${t}) and ${scope}`.execute(db.kysely);
              expected.open.push(Number(r.rows[0]!.open));
              expected.overdue.push(Number(r.rows[0]!.overdue));
            }
            assert.deepEqual({ open: series.open, overdue: series.overdue }, expected, `at each month end, ${divisionIds === null ? 'every division' : 'one division'}`);
          }
          return true;
        }),
        { numRuns: engine.name === 'pglite' ? 25 : 15 },
      );
    });
  });
}
