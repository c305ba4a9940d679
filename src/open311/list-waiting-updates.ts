import { sql } from 'kysely';
import type { Tx } from '../db/connect.js';
import type { StaffMember } from '../directory/staff.js';

/**
 * Residents' updates from Open311 clients that wait for a division: a resident says a resolved
 * request is not fixed. One waits until the division reopens the case (it is then open, or was
 * resolved again after the resident wrote) or answers it. A division's staff and head see their
 * division's; Customer Service (who may reopen too) sees every division's.
 */
export interface WaitingUpdate {
  reference: string;
  summary: string;
  text: string;
  via: string;
  at: Date;
}

export const waitingCondition = sql<boolean>`u.attention_at is not null and u.attended_at is null and c.status = 'resolved' and c.resolved_at <= u.attention_at`;

export async function listWaitingUpdates(tx: Tx, staff: StaffMember, limit: number): Promise<{ total: number; items: WaitingUpdate[] } | null> {
  const everyDivision = staff.inCustomerService;
  if (!everyDivision && staff.divisionId === null) return null;
  const scope = everyDivision ? sql<boolean>`true` : sql<boolean>`c.division_id = ${staff.divisionId}`;
  const { rows } = await sql<{ reference: string; summary: string; data: Record<string, unknown>; at: Date | string; total: string | number }>`
    select c.reference, c.summary, e.data, u.attention_at as at, count(*) over () as total
    from open311_update u
    join service_case c on c.id = u.case_id
    join case_event e on e.id = u.case_event_id
    where ${waitingCondition} and ${scope}
    order by u.attention_at, u.id
    limit ${limit}`.execute(tx);
  return {
    total: Number(rows[0]?.total ?? 0),
    items: rows.map((r) => ({ reference: r.reference, summary: r.summary, text: typeof r.data['text'] === 'string' ? r.data['text'] : '', via: String(r.data['via'] ?? 'open311').replace(/^open311:/, ''), at: new Date(r.at) })),
  };
}
