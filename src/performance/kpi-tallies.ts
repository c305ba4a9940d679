import { sql, type RawBuilder } from 'kysely';
import { DateTime } from 'luxon';
import type { Tx } from '../db/connect.js';
import type { BusinessCalendar } from '../standard/calendar.js';
import {
  addCase,
  addEscalation,
  completionDays,
  emptyTally,
  mergeTally,
  type CaseFacts,
  type IndicatorTally,
  type PeriodRule,
} from '../standard/performance-indicators.js';

/**
 * The tallies behind every KPI (CSS §6.2): read from the aggregates kept current with each case
 * change (kpi_month, migration 015) plus the open cases' missed-or-pending at the as-of time, or
 * computed directly from the cases when a period does not fall on whole months. Both fold into the
 * pure IndicatorTally of src/standard/performance-indicators.ts, so every figure has one definition.
 */

export type KpiGroupBy = 'division' | 'type' | 'channel' | 'month';
export const kpiGroupings: readonly KpiGroupBy[] = ['division', 'type', 'channel', 'month'];
/**
 * The groupings tallies know: the public ones, division × month for the bench, and division ×
 * request type × month, the finest, which the reports (src/reports/) read once and add up.
 */
export type TallyGrouping = KpiGroupBy | 'division-month' | 'division-type-month';

export interface KpiSelection {
  /** Local dates, inclusive. */
  from: string;
  to: string;
  periodRule: PeriodRule;
  /** null: every division. */
  divisionIds: readonly number[] | null;
  requestTypeId?: number | undefined;
  channel?: string | undefined;
  by?: TallyGrouping | undefined;
}

/** One group's identity: what a row is grouped by. request_type_id 0 is a general inquiry. */
interface GroupFields {
  month: string;
  division_id: number;
  request_type_id: number;
  channel: string;
}

export function groupKey(by: TallyGrouping | undefined, g: GroupFields): string {
  switch (by) {
    case 'division-month':
      return `${g.division_id}|${g.month}`;
    case 'division-type-month':
      return `${g.division_id}|${g.request_type_id}|${g.month}`;
    case 'division':
      return String(g.division_id);
    case 'type':
      return String(g.request_type_id);
    case 'channel':
      return g.channel;
    case 'month':
      return g.month;
    default:
      return 'all';
  }
}

export type GroupedTallies = Map<string, IndicatorTally>;

function tallyFor(groups: GroupedTallies, key: string): IndicatorTally {
  let t = groups.get(key);
  if (!t) groups.set(key, (t = emptyTally()));
  return t;
}

const n = (v: unknown): number => Number(v ?? 0);

/** The instants a local-date period covers: from local midnight of `from` to that after `to`. */
export function periodInstants(calendar: BusinessCalendar, from: string, to: string): { fromAt: Date; toAt: Date } {
  const midnight = (date: string): number => DateTime.fromISO(date, { zone: calendar.timeZone }).startOf('day').toMillis();
  const next = DateTime.fromISO(to, { zone: calendar.timeZone }).plus({ days: 1 }).toISODate()!;
  return { fromAt: new Date(midnight(from)), toAt: new Date(midnight(next)) };
}

/** Whether the period is whole months (to the as-of date for the month in progress): the aggregates answer it. */
export function coversWholeMonths(from: string, to: string, today: string): boolean {
  if (!from.endsWith('-01')) return false;
  const after = new Date(Date.parse(`${to}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  return after.endsWith('-01') || to >= today;
}

export function caseFilters(s: KpiSelection, alias: string): RawBuilder<unknown>[] {
  const col = (name: string) => sql.ref(`${alias}.${name}`);
  const where: RawBuilder<unknown>[] = [];
  if (s.divisionIds !== null) where.push(s.divisionIds.length === 0 ? sql`false` : sql`${col('division_id')} in (${sql.join(s.divisionIds.map((d) => sql`${d}`))})`);
  if (s.requestTypeId !== undefined) where.push(sql`coalesce(${col('request_type_id')}, 0) = ${s.requestTypeId}`);
  if (s.channel !== undefined) where.push(sql`${col('channel')} = ${s.channel}`);
  return where;
}

const and = (parts: RawBuilder<unknown>[]): RawBuilder<unknown> => (parts.length === 0 ? sql`true` : sql.join(parts, sql` and `));

/**
 * Folds the insert-only deltas into kpi_month. Any number of copies may run at once: each takes
 * the deltas no other holds. Reads call it first, so figures include every committed change.
 */
export async function compactKpiDeltas(tx: Tx, batch = 50_000): Promise<number> {
  const result = await sql<{ moved: string | number }>`
    with moved as (
      delete from kpi_delta where id in (select id from kpi_delta order by id limit ${batch} for update skip locked) returning *
    ), sums as (
      select basis, month, kind, division_id, request_type_id, channel,
        sum(cases) as cases, sum(open_cases) as open_cases, sum(ack_on_time) as ack_on_time, sum(ack_late) as ack_late,
        sum(ack_not_recorded) as ack_not_recorded, sum(res_on_time) as res_on_time, sum(res_late) as res_late,
        sum(revised_on_time) as revised_on_time, sum(revised_late) as revised_late, sum(escalated) as escalated, sum(completed) as completed,
        sum(case when business_days is not null then completed else 0 end) as business_days_known,
        sum(coalesce(business_days, 0) * completed) as business_days_sum, sum(coalesce(calendar_days, 0) * completed) as calendar_days_sum,
        count(*) filter (where esc_level = 1) as esc_level_1, count(*) filter (where esc_level = 2) as esc_level_2, count(*) filter (where esc_level = 3) as esc_level_3,
        count(*) filter (where esc_reason = 'not_acknowledged') as esc_not_acknowledged, count(*) filter (where esc_reason = 'not_resolved') as esc_not_resolved,
        count(*) filter (where esc_reason = 'on_request') as esc_on_request,
        count(*) as moved
      from moved group by basis, month, kind, division_id, request_type_id, channel
    ), business as (
      select basis, month, kind, division_id, request_type_id, channel, jsonb_object_agg(business_days::text, k) as h from (
        select basis, month, kind, division_id, request_type_id, channel, business_days, sum(completed) as k from moved
        where business_days is not null group by basis, month, kind, division_id, request_type_id, channel, business_days having sum(completed) <> 0
      ) x group by basis, month, kind, division_id, request_type_id, channel
    ), calendar as (
      select basis, month, kind, division_id, request_type_id, channel, jsonb_object_agg(calendar_days::text, k) as h from (
        select basis, month, kind, division_id, request_type_id, channel, calendar_days, sum(completed) as k from moved
        where calendar_days is not null group by basis, month, kind, division_id, request_type_id, channel, calendar_days having sum(completed) <> 0
      ) x group by basis, month, kind, division_id, request_type_id, channel
    ), written as (
      insert into kpi_month (basis, month, kind, division_id, request_type_id, channel, cases, open_cases, ack_on_time, ack_late, ack_not_recorded,
        res_on_time, res_late, revised_on_time, revised_late, escalated, completed, business_days_known, business_days_sum, calendar_days_sum,
        business_days_histogram, calendar_days_histogram, esc_level_1, esc_level_2, esc_level_3, esc_not_acknowledged, esc_not_resolved, esc_on_request)
      select s.basis, s.month, s.kind, s.division_id, s.request_type_id, s.channel, s.cases, s.open_cases, s.ack_on_time, s.ack_late, s.ack_not_recorded,
        s.res_on_time, s.res_late, s.revised_on_time, s.revised_late, s.escalated, s.completed, s.business_days_known, s.business_days_sum, s.calendar_days_sum,
        coalesce(b.h, '{}'), coalesce(c.h, '{}'), s.esc_level_1, s.esc_level_2, s.esc_level_3, s.esc_not_acknowledged, s.esc_not_resolved, s.esc_on_request
      from sums s
        left join business b using (basis, month, kind, division_id, request_type_id, channel)
        left join calendar c using (basis, month, kind, division_id, request_type_id, channel)
      order by s.basis, s.month, s.division_id, s.request_type_id, s.channel, s.kind
      on conflict (basis, month, division_id, request_type_id, channel, kind) do update set
        cases = kpi_month.cases + excluded.cases, open_cases = kpi_month.open_cases + excluded.open_cases,
        ack_on_time = kpi_month.ack_on_time + excluded.ack_on_time, ack_late = kpi_month.ack_late + excluded.ack_late,
        ack_not_recorded = kpi_month.ack_not_recorded + excluded.ack_not_recorded,
        res_on_time = kpi_month.res_on_time + excluded.res_on_time, res_late = kpi_month.res_late + excluded.res_late,
        revised_on_time = kpi_month.revised_on_time + excluded.revised_on_time, revised_late = kpi_month.revised_late + excluded.revised_late,
        escalated = kpi_month.escalated + excluded.escalated, completed = kpi_month.completed + excluded.completed,
        business_days_known = kpi_month.business_days_known + excluded.business_days_known,
        business_days_sum = kpi_month.business_days_sum + excluded.business_days_sum, calendar_days_sum = kpi_month.calendar_days_sum + excluded.calendar_days_sum,
        business_days_histogram = citydesk_histogram_add(kpi_month.business_days_histogram, excluded.business_days_histogram),
        calendar_days_histogram = citydesk_histogram_add(kpi_month.calendar_days_histogram, excluded.calendar_days_histogram),
        esc_level_1 = kpi_month.esc_level_1 + excluded.esc_level_1, esc_level_2 = kpi_month.esc_level_2 + excluded.esc_level_2,
        esc_level_3 = kpi_month.esc_level_3 + excluded.esc_level_3, esc_not_acknowledged = kpi_month.esc_not_acknowledged + excluded.esc_not_acknowledged,
        esc_not_resolved = kpi_month.esc_not_resolved + excluded.esc_not_resolved, esc_on_request = kpi_month.esc_on_request + excluded.esc_on_request
      returning 1
    )
    select coalesce(sum(moved), 0) as moved from sums
  `.execute(tx);
  return n(result.rows[0]?.moved);
}

/** Compacts until no delta is left (a bulk load leaves many). */
export async function compactAllKpiDeltas(tx: Tx): Promise<void> {
  while ((await compactKpiDeltas(tx)) > 0);
}

function histogramInto(target: { count: number; sum: number; histogram: Record<string, number> }, histogram: unknown): void {
  const h = (typeof histogram === 'string' ? JSON.parse(histogram) : histogram) as Record<string, number | string>;
  for (const [days, k] of Object.entries(h)) {
    const count = n(k);
    if (count === 0) continue;
    target.count += count;
    target.sum += Number(days) * count;
    target.histogram[days] = (target.histogram[days] ?? 0) + count;
  }
}

/** The aggregates' tallies of a whole-month period, with the open cases' state at `asOf`. */
export async function aggregatedTallies(tx: Tx, calendar: BusinessCalendar, s: KpiSelection, asOf: Date): Promise<GroupedTallies> {
  const groups: GroupedTallies = new Map();
  const fromMonth = `${s.from.slice(0, 7)}-01`;
  const toMonth = `${s.to.slice(0, 7)}-01`;
  const rows = await sql<Record<string, unknown>>`
    select to_char(month, 'YYYY-MM') as month, kind, division_id, request_type_id, channel, cases, open_cases, ack_on_time, ack_late, ack_not_recorded,
      res_on_time, res_late, revised_on_time, revised_late, escalated, business_days_histogram, calendar_days_histogram
    from kpi_month k
    where basis = ${s.periodRule} and month >= ${fromMonth}::date and month <= ${toMonth}::date and ${and(caseFilters(s, 'k'))}
  `.execute(tx);
  for (const r of rows.rows) {
    const t = tallyFor(groups, groupKey(s.by, r as unknown as GroupFields));
    if (r['kind'] === 'service_request') t.serviceRequests += n(r['cases']);
    else t.inquiries += n(r['cases']);
    t.open += n(r['open_cases']);
    const ack = r['kind'] === 'service_request' ? t.acknowledgment.serviceRequest : t.acknowledgment.inquiry;
    ack.onTime += n(r['ack_on_time']);
    ack.missed += n(r['ack_late']);
    ack.notRecorded += n(r['ack_not_recorded']);
    t.resolution.onTime += n(r['res_on_time']);
    t.resolution.missed += n(r['res_late']);
    t.revisedTimeline.onTime += n(r['revised_on_time']);
    t.revisedTimeline.missed += n(r['revised_late']);
    t.escalation.escalatedRequests += n(r['escalated']);
    histogramInto(t.completion.businessDays, r['business_days_histogram']);
    histogramInto(t.completion.calendarDays, r['calendar_days_histogram']);
  }
  if (s.periodRule === 'received') {
    // Open cases: missed once their target has passed at the as-of time, else pending (INTERPRETATION §7).
    const { fromAt, toAt } = periodInstants(calendar, s.from, s.to);
    const open = await sql<Record<string, unknown>>`
      select to_char(date_trunc('month', received_at at time zone ${calendar.timeZone}), 'YYYY-MM') as month, kind, division_id,
        coalesce(request_type_id, 0) as request_type_id, channel,
        count(*) filter (where acknowledged_at is null and acknowledgment_recorded and not first_contact_resolution and acknowledge_by < ${asOf}) as ack_missed,
        count(*) filter (where acknowledged_at is null and acknowledgment_recorded and not first_contact_resolution and acknowledge_by >= ${asOf}) as ack_pending,
        count(*) filter (where kind = 'service_request' and resolve_by is not null and resolve_by < ${asOf}) as res_missed,
        count(*) filter (where kind = 'service_request' and resolve_by is not null and resolve_by >= ${asOf}) as res_pending,
        count(*) filter (where revised_resolve_by is not null and revised_resolve_by < ${asOf}) as rev_missed,
        count(*) filter (where revised_resolve_by is not null and revised_resolve_by >= ${asOf}) as rev_pending
      from service_case c
      where status = 'open' and received_at >= ${fromAt} and received_at < ${toAt} and ${and(caseFilters(s, 'c'))}
      group by 1, 2, 3, 4, 5
    `.execute(tx);
    for (const r of open.rows) {
      const t = tallyFor(groups, groupKey(s.by, r as unknown as GroupFields));
      const ack = r['kind'] === 'service_request' ? t.acknowledgment.serviceRequest : t.acknowledgment.inquiry;
      ack.missed += n(r['ack_missed']);
      ack.pending += n(r['ack_pending']);
      t.resolution.missed += n(r['res_missed']);
      t.resolution.pending += n(r['res_pending']);
      t.revisedTimeline.missed += n(r['rev_missed']);
      t.revisedTimeline.pending += n(r['rev_pending']);
    }
  }
  return groups;
}

export interface CaseFactsRow extends CaseFacts {
  divisionId: number;
  requestTypeId: number;
  channel: string;
}

/** A case row as the indicators read it. */
export function caseFactsOf(r: Record<string, unknown>): CaseFactsRow {
  const ms = (v: unknown): number | null => (v === null || v === undefined ? null : new Date(v as string | Date).getTime());
  return {
    kind: r['kind'] as CaseFacts['kind'],
    receivedAt: ms(r['received_at'])!,
    acknowledgeBy: ms(r['acknowledge_by'])!,
    acknowledgedAt: ms(r['acknowledged_at']),
    acknowledgmentRecorded: r['acknowledgment_recorded'] !== false,
    firstContactResolution: r['first_contact_resolution'] === true,
    resolveBy: ms(r['resolve_by']),
    resolvedAt: ms(r['resolved_at']),
    revisedResolveBy: ms(r['revised_resolve_by']),
    escalated: n(r['escalation_level']) > 0,
    divisionId: n(r['division_id']),
    requestTypeId: n(r['request_type_id']),
    channel: r['channel'] as string,
  };
}

/** The same tallies computed case by case from the cases themselves (any period). */
export async function directTallies(tx: Tx, calendar: BusinessCalendar, s: KpiSelection, asOf: Date): Promise<GroupedTallies> {
  const groups: GroupedTallies = new Map();
  const { fromAt, toAt } = periodInstants(calendar, s.from, s.to);
  const column = s.periodRule === 'received' ? sql.ref('c.received_at') : sql.ref('c.resolved_at');
  const rows = await sql<Record<string, unknown>>`
    select kind, division_id, coalesce(request_type_id, 0) as request_type_id, channel, received_at, acknowledge_by, acknowledged_at, acknowledgment_recorded,
      first_contact_resolution, resolve_by, resolved_at, revised_resolve_by, escalation_level
    from service_case c where ${column} >= ${fromAt} and ${column} < ${toAt} and c.duplicate_of_id is null and ${and(caseFilters(s, 'c'))}
  `.execute(tx);
  const now = asOf.getTime();
  for (const r of rows.rows) {
    const c = caseFactsOf(r);
    const monthOf = calendar.localDate(s.periodRule === 'received' ? c.receivedAt : c.resolvedAt!).slice(0, 7);
    const t = tallyFor(groups, groupKey(s.by, { month: monthOf, division_id: c.divisionId, request_type_id: c.requestTypeId, channel: c.channel }));
    addCase(t, c, now, c.resolvedAt !== null ? completionDays(calendar, c.receivedAt, c.resolvedAt) : undefined);
  }
  return groups;
}

/**
 * Escalations made in the period (by the date made, whatever the period rule): level, reason, and
 * days at each level, from the escalations themselves. They are few beside the cases.
 */
export async function escalationTallies(tx: Tx, calendar: BusinessCalendar, s: KpiSelection, asOf: Date, into: GroupedTallies): Promise<void> {
  const { fromAt, toAt } = periodInstants(calendar, s.from, s.to);
  const rows = await sql<Record<string, unknown>>`
    select e.level, e.reason, e.initiated_by, e.escalated_at, e.division_id, coalesce(c.request_type_id, 0) as request_type_id, c.channel, c.resolved_at,
      (select min(x.escalated_at) from escalation x where x.case_id = e.case_id and x.level > e.level) as next_at
    from escalation e join service_case c on c.id = e.case_id
    where e.escalated_at >= ${fromAt} and e.escalated_at < ${toAt} and ${and(caseFilters(s, 'c'))}
  `.execute(tx);
  for (const r of rows.rows) {
    const escalatedAt = new Date(r['escalated_at'] as string).getTime();
    const ended = r['next_at'] ?? r['resolved_at'];
    const month = calendar.localDate(escalatedAt).slice(0, 7);
    const t = tallyFor(into, groupKey(s.by, { month, division_id: n(r['division_id']), request_type_id: n(r['request_type_id']), channel: r['channel'] as string }));
    addEscalation(
      t,
      { level: n(r['level']) as 1 | 2 | 3, reason: r['reason'] as string, initiatedBy: r['initiated_by'] as string, escalatedAt, endedAt: ended ? new Date(ended as string).getTime() : null },
      asOf.getTime(),
    );
  }
}

/** The first month (YYYY-MM) any case is counted in, or null with none: how far back the figures go (one index look-up). */
export async function firstCountedMonth(tx: Tx): Promise<string | null> {
  // The folded months only: deltas not yet folded are the latest changes, never the first month.
  const row = await sql<{ month: string | null }>`select to_char(min(month), 'YYYY-MM') as month from kpi_month where basis = 'received'`.execute(tx);
  return row.rows[0]?.month ?? null;
}

export function totalOf(groups: GroupedTallies): IndicatorTally {
  const total = emptyTally();
  for (const t of groups.values()) mergeTally(total, t);
  return total;
}

/** The instant a month ('YYYY-MM') ends in the City's time zone: local midnight of the next month's first day. */
export function monthEndInstant(calendar: BusinessCalendar, month: string): Date {
  return DateTime.fromISO(`${month}-01`, { zone: calendar.timeZone }).plus({ months: 1 }).toJSDate();
}

export interface MonthEndSeries {
  /** The instant each month's figure is taken: its end, or the as-of time for the month in progress. */
  at: Date[];
  /** Cases received and not yet resolved at that instant. */
  open: number[];
  /** Of those, the ones with an acknowledgment target passed while unacknowledged, or the resolution target passed. */
  overdue: number[];
}

/**
 * The backlog and what was overdue at the end of each month (CSS §6.2 dashboards): from the
 * aggregates (received and closed, summed over every month to that one; the 'overdue' spans of
 * resolved cases, migration 088) plus the open cases as they stood at that instant. The cost follows
 * the months shown and the open cases, not the history.
 */
export async function monthEndSeries(tx: Tx, calendar: BusinessCalendar, s: KpiSelection, months: readonly string[], asOf: Date): Promise<MonthEndSeries> {
  const at = months.map((m) => new Date(Math.min(monthEndInstant(calendar, m).getTime(), asOf.getTime())));
  if (months.length === 0) return { at, open: [], overdue: [] };
  await compactKpiDeltas(tx);
  const last = `${[...months].sort().at(-1)!}-01`;
  const rows = await sql<{ basis: string; month: string; n: string | number }>`
    select basis, to_char(month, 'YYYY-MM') as month, sum(cases) as n from kpi_month k
    where basis in ('received', 'closed', 'overdue') and month <= ${last}::date and ${and(caseFilters(s, 'k'))}
    group by 1, 2
  `.execute(tx);
  const upTo = (basis: string, month: string) => rows.rows.filter((r) => r.basis === basis && r.month <= month).reduce((sum, r) => sum + n(r.n), 0);
  const points = sql.join(at.map((t, i) => sql`(${i}::int, ${t}::timestamptz)`));
  const open = await sql<{ i: number; overdue: string | number }>`
    select t.i, count(*) as overdue
    from (values ${points}) as t(i, at)
    join service_case c on c.status = 'open' and c.received_at < t.at and ${and(caseFilters(s, 'c'))}
    where (c.acknowledgment_recorded and not c.first_contact_resolution and c.acknowledge_by < t.at and (c.acknowledged_at is null or c.acknowledged_at >= t.at))
      or (c.kind = 'service_request' and c.resolve_by is not null and c.resolve_by < t.at)
    group by t.i
  `.execute(tx);
  const openOverdue = (i: number) => n(open.rows.find((r) => n(r.i) === i)?.overdue);
  return {
    at,
    open: months.map((m) => upTo('received', m) - upTo('closed', m)),
    overdue: months.map((m, i) => upTo('overdue', m) + openOverdue(i)),
  };
}
