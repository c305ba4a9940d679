import { DateTime } from 'luxon';
import type { Tx } from '../db/connect.js';
import type { StaffMember } from '../directory/staff.js';
import type { BusinessCalendar } from '../standard/calendar.js';
import { deadlineKind } from '../cases/find-cases.js';
import { escalationRoles, type EscalationLevel } from '../standard/escalation.js';

/**
 * The escalation pathway's lists (CSS §5): the open escalations at a head's level, the Manager of
 * Customer Service's review list, and what is overdue now across divisions. The API (GET /api/v1/escalations and
 * /api/v1/escalations/review-list) and the console's home page show the same lists.
 */

/** Escalations wait for Division Heads (level 1), Department Heads (2) and the CAO (3); the Manager sees them all. */
export function seesEscalations(staff: StaffMember): boolean {
  return ['division_head', 'department_head', 'cao', 'manager_customer_service'].includes(staff.role);
}

export async function listOpenEscalations(tx: Tx, staff: StaffMember, calendar: BusinessCalendar, limit = 500) {
  if (!seesEscalations(staff)) return { total: 0, items: [] };
  let query = tx
    .selectFrom('service_case as c')
    .innerJoin('escalation as e', (join) => join.onRef('e.case_id', '=', 'c.id').onRef('e.level', '=', 'c.escalation_level'))
    .innerJoin('division as d', 'd.id', 'c.division_id')
    .leftJoin('request_type as t', 't.id', 'c.request_type_id')
    .where('c.status', '=', 'open');
  if (staff.role === 'division_head') query = query.where('e.level', '=', 1).where('e.division_id', '=', staff.divisionId!);
  else if (staff.role === 'department_head') query = query.where('e.level', '=', 2).where('e.department_id', '=', staff.departmentId!);
  else if (staff.role === 'cao') query = query.where('e.level', '=', 3);
  const [count, rows] = await Promise.all([
    query.select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow(),
    query
      .select(['c.reference', 'c.summary', 'c.address', 'c.revised_resolve_by', 'c.resolve_by', 'e.level', 'e.escalated_at', 'e.reason', 'd.name as division', 't.name as request_type'])
      .select((eb) => eb.exists(eb.selectFrom('escalation_review as r').select('r.id').whereRef('r.escalation_id', '=', 'e.id')).as('reviewed'))
      .orderBy('e.escalated_at')
      .limit(limit)
      .execute(),
  ]);
  return {
    total: Number(count.n),
    items: rows.map((r) => ({
      reference: r.reference,
      summary: r.summary,
      address: r.address,
      division: r.division,
      requestType: r.request_type,
      level: r.level,
      role: escalationRoles[r.level as EscalationLevel],
      reason: r.reason,
      escalatedAt: calendar.format(new Date(r.escalated_at).getTime()),
      // §5.2: two weeks after an escalation it moves on (or to the review list).
      nextStepAt: calendar.format(new Date(r.escalated_at).getTime() + 14 * 86_400_000),
      reviewed: Boolean(r.reviewed),
      resolveBy: r.resolve_by ? calendar.format(new Date(r.resolve_by).getTime()) : null,
      revisedResolveBy: r.revised_resolve_by ? calendar.format(new Date(r.revised_resolve_by).getTime()) : null,
    })),
  };
}

/** The Manager of Customer Service's review list (§5.2): entries not yet decided, oldest first. */
export async function listReviewList(tx: Tx, calendar: BusinessCalendar, limit = 500) {
  const query = tx.selectFrom('review_list_entry as r').innerJoin('service_case as c', 'c.id', 'r.case_id').where('r.decided_at', 'is', null);
  const [count, rows] = await Promise.all([
    query.select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow(),
    query
      .innerJoin('escalation as e', 'e.id', 'r.escalation_id')
      .innerJoin('division as d', 'd.id', 'c.division_id')
      .select(['c.reference', 'c.summary', 'c.revised_resolve_by', 'e.level', 'e.escalated_at', 'r.listed_at', 'd.name as division'])
      .orderBy('r.listed_at')
      .limit(limit)
      .execute(),
  ]);
  return {
    total: Number(count.n),
    items: rows.map((r) => ({
      reference: r.reference,
      summary: r.summary,
      division: r.division,
      level: r.level,
      escalatedAt: calendar.format(new Date(r.escalated_at).getTime()),
      listedAt: calendar.format(new Date(r.listed_at).getTime()),
      revisedResolveBy: r.revised_resolve_by ? calendar.format(new Date(r.revised_resolve_by).getTime()) : null,
    })),
  };
}

/**
 * What is overdue now across divisions (CSS §6): every open case past the earliest deadline it
 * still has to meet, however long ago it was first missed, with a count per division and how many
 * of those were first missed today. Not only today's new breaches: a case missed on Friday and
 * still not acted on is as overdue on Monday.
 */
export async function listOverdueNow(tx: Tx, now: Date, calendar: BusinessCalendar, limit = 10) {
  const startOfDay = DateTime.fromJSDate(now, { zone: calendar.timeZone }).startOf('day').toJSDate();
  const overdue = tx
    .selectFrom('service_case as c')
    .innerJoin('division as d', 'd.id', 'c.division_id')
    .where('c.status', '=', 'open')
    .where('c.import_source_id', 'is', null)
    .where('c.next_due_at', '<', now);
  const [byDivision, rows] = await Promise.all([
    overdue
      .select((eb) => ['d.name as division', eb.fn.countAll<string | number>().as('n'), eb.fn.countAll<string | number>().filterWhere('c.next_due_at', '>=', startOfDay).as('today')])
      .groupBy('d.name')
      .orderBy('d.name')
      .execute(),
    overdue
      .select(['c.reference', 'c.summary', 'd.name as division', 'c.next_due_at', 'c.acknowledged_at', 'c.acknowledge_by', 'c.resolve_by', 'c.committed_by', 'c.transfer_follow_up_by'])
      .orderBy('c.next_due_at')
      .orderBy('c.id')
      .limit(limit)
      .execute(),
  ]);
  const divisions = byDivision.map((r) => ({ division: r.division, count: Number(r.n), today: Number(r.today) }));
  return {
    total: divisions.reduce((sum, d) => sum + d.count, 0),
    today: divisions.reduce((sum, d) => sum + d.today, 0),
    byDivision: divisions,
    items: rows.map((r) => ({ reference: r.reference, summary: r.summary, division: r.division, kind: deadlineKind(r), deadline: calendar.format(new Date(r.next_due_at!).getTime()) })),
  };
}
