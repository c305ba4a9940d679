import { sql } from 'kysely';
import type { Tx } from '../db/connect.js';
import type { Directory } from '../directory/directory-cache.js';
import { recurringPlaces, recurringTypes } from '../standard/performance-indicators.js';
import { caseFilters, periodInstants, type KpiSelection } from './kpi-tallies.js';

/**
 * Escalation trends of CSS §6.2: the request types escalated again and again, and the places where
 * the same type is escalated again and again (within about 250 m), for the escalations made in a
 * selection's period and scope. The dashboard and the reports both show these.
 */
export interface EscalationRecurrence {
  recurringTypes: { name: string; count: number }[];
  recurringPlaces: { requestType: string; place: string; count: number }[];
}

/** Only the street, never a house number: no page or report names a resident's address. */
export function streetOf(address: string | null): string {
  return (address ?? '').replace(/^\s*\d+[A-Za-z]?(-\d+)?\s*,?\s*/, '').trim() || 'no address given';
}

export async function escalationRecurrence(tx: Tx, directory: Directory, s: KpiSelection, limit = 5): Promise<EscalationRecurrence> {
  const { fromAt, toAt } = periodInstants(directory.calendar, s.from, s.to);
  const filters = caseFilters(s, 'c');
  const rows = await sql<{ case_id: string | number; request_type_id: number | null; latitude: number | null; longitude: number | null; address: string | null }>`
    select e.case_id, c.request_type_id, c.latitude, c.longitude, c.address
    from escalation e join service_case c on c.id = e.case_id
    where e.escalated_at >= ${fromAt} and e.escalated_at < ${toAt}${filters.length ? sql` and ${sql.join(filters, sql` and `)}` : sql``}`.execute(tx);
  const typeName = (id: number) => (id === 0 ? 'General inquiries' : (directory.requestType(id)?.name ?? `request type ${id}`));
  const counts: Record<string, number> = {};
  for (const r of rows.rows) counts[String(r.request_type_id ?? 0)] = (counts[String(r.request_type_id ?? 0)] ?? 0) + 1;
  const types = recurringTypes(counts, 2)
    .map((t) => ({ name: typeName(Number(t.requestType)), count: t.count }))
    .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name))
    .slice(0, limit);
  // Each escalated request once, wherever it was escalated to.
  const seen = new Set<string>();
  const points = rows.rows
    .filter((r) => r.request_type_id !== null && r.latitude !== null && r.longitude !== null && !seen.has(String(r.case_id)) && seen.add(String(r.case_id)))
    .map((r) => ({ requestType: String(r.request_type_id), latitude: Number(r.latitude), longitude: Number(r.longitude), address: r.address }));
  const places = recurringPlaces(points)
    .slice(0, limit)
    .map((p) => {
      const nearest = points
        .filter((x) => x.requestType === p.requestType)
        .reduce((best, x) => (Math.hypot(x.latitude - p.latitude, x.longitude - p.longitude) < Math.hypot(best.latitude - p.latitude, best.longitude - p.longitude) ? x : best));
      return { requestType: typeName(Number(p.requestType)), place: `near ${streetOf(nearest.address)}`, count: p.count };
    });
  return { recurringTypes: types, recurringPlaces: places };
}
