import { sql } from 'kysely';
import type { Tx } from '../db/connect.js';
import type { BusinessCalendar } from '../standard/calendar.js';
import { addSatisfaction, emptyTally } from '../standard/performance-indicators.js';
import { groupKey, periodInstants, type GroupedTallies, type KpiSelection } from '../performance/kpi-tallies.js';

/**
 * CSS §6.2 customer satisfaction in the KPI model (INTERPRETATION §7): the invitations made in the
 * period (e-mailed links and follow-up calls) and the answers to them, so the response rate is
 * answers ÷ invitations of one period. Grouped as every KPI is: by the case's division (the one
 * that resolved it), request type, intake channel and the invitation's month.
 */
export async function satisfactionTallies(tx: Tx, calendar: BusinessCalendar, s: KpiSelection, into: GroupedTallies): Promise<void> {
  const { fromAt, toAt } = periodInstants(calendar, s.from, s.to);
  const filters = [
    s.divisionIds === null ? sql`true` : s.divisionIds.length === 0 ? sql`false` : sql`i.division_id in (${sql.join(s.divisionIds.map((d) => sql`${d}`))})`,
    s.requestTypeId === undefined ? sql`true` : sql`coalesce(i.request_type_id, 0) = ${s.requestTypeId}`,
    s.channel === undefined ? sql`true` : sql`c.channel = ${s.channel}`,
  ];
  const rows = await sql<{ invited_at: Date; division_id: number; request_type_id: number; channel: string; rating: number | null }>`
    select i.invited_at, i.division_id, coalesce(i.request_type_id, 0) as request_type_id, c.channel, a.rating
    from survey_invitation i
    join service_case c on c.id = i.case_id
    left join survey_answer a on a.invitation_id = i.id
    where i.invited_at >= ${fromAt} and i.invited_at < ${toAt} and ${sql.join(filters, sql` and `)}`.execute(tx);
  for (const r of rows.rows) {
    const month = calendar.localDate(new Date(r.invited_at).getTime()).slice(0, 7);
    const key = groupKey(s.by, { month, division_id: Number(r.division_id), request_type_id: Number(r.request_type_id), channel: r.channel });
    let t = into.get(key);
    if (!t) into.set(key, (t = emptyTally()));
    addSatisfaction(t, { invited: true, score: r.rating === null ? null : Number(r.rating) });
  }
}
