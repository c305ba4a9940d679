import { sql } from 'kysely';
import type { Tx } from '../db/connect.js';
import type { Directory } from '../directory/directory-cache.js';
import type { StaffMember } from '../directory/staff.js';
import { AppError } from '../platform/errors.js';
import type { BusinessCalendar } from '../standard/calendar.js';
import { assertCanView, seesEveryDivision } from './case-policy.js';
import { findCase, type CaseRow } from './case-record.js';
import { caseScope } from './case-change.js';
import { queueConditions, queueDivisionColumn, queueDueColumn } from './queue-rules.js';

/** What staff see of a case, and the work queues they pick cases from. */

const iso = (calendar: BusinessCalendar, d: Date | string | null): string | null => (d === null ? null : calendar.format(new Date(d).getTime()));

/** The names a case view shows beside the case's own columns. */
export interface CaseNames {
  division_code: string;
  division_name: string;
  channel_name: string;
  type_code: string | null;
  type_name: string | null;
  centre_code: string | null;
  centre_name: string | null;
  owner_name: string | null;
  transfer_code: string | null;
  transfer_name: string | null;
  dst_version: number | null;
  dst_effective_from: string | null;
}

export async function presentCase(tx: Tx, c: CaseRow, calendar: BusinessCalendar) {
  const names: CaseNames = await tx
    .selectFrom('service_case as c')
    .innerJoin('division as d', 'd.id', 'c.division_id')
    .leftJoin('channel as ch', 'ch.code', 'c.channel')
    .leftJoin('request_type as t', 't.id', 'c.request_type_id')
    .leftJoin('service_centre as sc', 'sc.id', 'c.service_centre_id')
    .leftJoin('staff_user as o', 'o.id', 'c.owner_id')
    .leftJoin('division as td', 'td.id', 'c.transfer_to_division_id')
    .leftJoin('dst_version as v', 'v.id', 'c.dst_version_id')
    .select([
      'd.code as division_code',
      'd.name as division_name',
      // An imported case may have no channel the City has a name for.
      sql<string>`coalesce(ch.name, 'a channel not recorded')`.as('channel_name'),
      't.code as type_code',
      't.name as type_name',
      'sc.code as centre_code',
      'sc.name as centre_name',
      'o.name as owner_name',
      'td.code as transfer_code',
      'td.name as transfer_name',
      'v.version as dst_version',
      'v.effective_from as dst_effective_from',
    ])
    .where('c.id', '=', c.id)
    .executeTakeFirstOrThrow();
  return caseView(c, names, calendar);
}

/**
 * The names of a case from the directory in memory, for a case whose owner is known (a case just
 * recorded): what presentCase's join would find.
 */
export function directoryCaseNames(directory: Directory, c: CaseRow, ownerName: string | null): CaseNames {
  const division = directory.division(c.division_id);
  const channel = c.channel === null ? { name: 'a channel not recorded' } : directory.channel(c.channel);
  const type = c.request_type_id === null ? undefined : directory.requestType(c.request_type_id);
  const centre = c.service_centre_id === null ? undefined : directory.serviceCentreById(c.service_centre_id);
  const transfer = c.transfer_to_division_id === null ? undefined : directory.division(c.transfer_to_division_id);
  const version = c.dst_version_id === null ? undefined : directory.dstVersion(c.dst_version_id);
  if (!division || !channel || (c.request_type_id !== null && !type) || (c.service_centre_id !== null && !centre) || (c.transfer_to_division_id !== null && !transfer) || (c.dst_version_id !== null && !version)) {
    throw new Error(`case ${c.reference} names a row that is not in the directory`);
  }
  return {
    division_code: division.code,
    division_name: division.name,
    channel_name: channel.name,
    type_code: type?.code ?? null,
    type_name: type?.name ?? null,
    centre_code: centre?.code ?? null,
    centre_name: centre?.name ?? null,
    owner_name: c.owner_id === null ? null : ownerName,
    transfer_code: transfer?.code ?? null,
    transfer_name: transfer?.name ?? null,
    dst_version: version?.version ?? null,
    dst_effective_from: version?.effectiveFrom ?? null,
  };
}

/** What staff see of a case: its columns, in the City's time zone, with the names it refers to. */
export function caseView(c: CaseRow, names: CaseNames, calendar: BusinessCalendar) {
  return {
    reference: c.reference,
    kind: c.kind,
    status: c.status,
    channel: { code: c.channel, name: names.channel_name },
    serviceCentre: names.centre_code ? { code: names.centre_code, name: names.centre_name } : null,
    requestType: names.type_code ? { code: names.type_code, name: names.type_name } : null,
    division: { code: names.division_code, name: names.division_name },
    owner: c.owner_id ? { id: c.owner_id, name: names.owner_name } : null,
    customer: { name: c.customer_name, email: c.customer_email, phone: c.customer_phone, preferredContact: c.preferred_contact },
    description: c.description,
    summary: c.summary,
    location: { address: c.address, latitude: c.latitude, longitude: c.longitude },
    attributes: c.attributes,
    receivedAt: iso(calendar, c.received_at),
    receiptBusinessDay: calendar.receiptBusinessDay(new Date(c.received_at).getTime()),
    recordedAt: iso(calendar, c.recorded_at),
    targets: {
      dstVersion: names.dst_version ? { version: names.dst_version, effectiveFrom: names.dst_effective_from } : null,
      acknowledgeBy: iso(calendar, c.acknowledge_by),
      resolveBy: iso(calendar, c.resolve_by),
    },
    acknowledgedAt: iso(calendar, c.acknowledged_at),
    committedBy: iso(calendar, c.committed_by),
    revisedResolveBy: iso(calendar, c.revised_resolve_by),
    transfer: c.transfer_to_division_id
      ? { toDivision: { code: names.transfer_code, name: names.transfer_name }, requestedAt: iso(calendar, c.transfer_requested_at), followUpBy: iso(calendar, c.transfer_follow_up_by) }
      : null,
    resolvedAt: iso(calendar, c.resolved_at),
    resolution: c.resolution,
    firstContactResolution: c.first_contact_resolution,
    nextDueAt: iso(calendar, c.next_due_at),
    version: c.version,
  };
}

export type CaseView = ReturnType<typeof caseView>;

export async function getCase(tx: Tx, staff: StaffMember, reference: string, calendar: BusinessCalendar): Promise<{ caseRow: CaseRow; view: CaseView }> {
  const caseRow = await findCase(tx, reference);
  assertCanView(staff, await caseScope(tx, caseRow), reference);
  return { caseRow, view: await presentCase(tx, caseRow, calendar) };
}

export type TimelineEntry =
  | { at: string; entry: 'event'; type: string; actor: string; data: Record<string, unknown> }
  | { at: string; entry: 'breach'; kind: string; deadline: string }
  | {
      at: string;
      entry: 'message';
      kind: string;
      automated: boolean;
      method: string;
      sentBy: string | null;
      subject: string;
      body: string;
      delivery: string | null;
    };

/** Events and messages in the order they happened (INTERPRETATION §6: history is never rewritten). */
export async function caseTimeline(tx: Tx, caseId: number, calendar: BusinessCalendar): Promise<TimelineEntry[]> {
  const events = await tx.selectFrom('case_event').selectAll().where('case_id', '=', caseId).orderBy('at').orderBy('id').execute();
  const messages = await tx
    .selectFrom('case_message as m')
    .leftJoin('staff_user as s', 's.id', 'm.sent_by')
    .leftJoin('outbox as o', 'o.case_message_id', 'm.id')
    .select(['m.id', 'm.at', 'm.kind', 'm.automated', 'm.method', 'm.subject', 'm.body', 's.name as sent_by', 'o.status as delivery'])
    .where('m.case_id', '=', caseId)
    .orderBy('m.at')
    .orderBy('m.id')
    .execute();
  const breaches = await tx.selectFrom('case_breach').select(['kind', 'deadline', 'detected_at']).where('case_id', '=', caseId).orderBy('detected_at').orderBy('id').execute();
  const entries: { ms: number; order: number; entry: TimelineEntry }[] = [
    ...breaches.map((b) => ({
      // A breach happened at its deadline, whenever the sweep noticed it.
      ms: new Date(b.deadline).getTime(),
      order: 2,
      entry: { at: calendar.format(new Date(b.deadline).getTime()), entry: 'breach' as const, kind: b.kind, deadline: calendar.format(new Date(b.deadline).getTime()) },
    })),
    ...events.map((e) => ({
      ms: new Date(e.at).getTime(),
      order: 0,
      entry: { at: calendar.format(new Date(e.at).getTime()), entry: 'event' as const, type: e.type, actor: e.actor_label, data: e.data },
    })),
    ...messages.map((m) => ({
      ms: new Date(m.at).getTime(),
      order: 1,
      entry: {
        at: calendar.format(new Date(m.at).getTime()),
        entry: 'message' as const,
        kind: m.kind,
        automated: m.automated,
        method: m.method,
        sentBy: m.sent_by,
        subject: m.subject,
        body: m.body,
        delivery: m.method === 'email' ? (m.delivery ?? 'pending') : null,
      },
    })),
  ];
  return entries.sort((a, b) => a.ms - b.ms || a.order - b.order).map((e) => e.entry);
}

export const queueNames = [
  'mine',
  'division',
  'acknowledge-due-today',
  'acknowledge-overdue',
  'resolution-overdue',
  'update-overdue',
  'at-risk',
  'overdue',
  'transfers-in',
  'transfers-out',
] as const;
export type QueueName = (typeof queueNames)[number];

/**
 * A work queue: each one query on a partial index, sorted by the deadline that makes it urgent.
 * Division staff see their division; staff who see across divisions choose one or see all.
 */
export async function listQueue(
  tx: Tx,
  options: { staff: StaffMember; queue: QueueName; now: Date; calendar: BusinessCalendar; division?: string | undefined; limit?: number; offset?: number },
) {
  const { staff, queue, now, calendar } = options;
  let divisionId: number | null = staff.divisionId;
  const seesAll = seesEveryDivision(staff);
  if (options.division) {
    const division = await tx.selectFrom('division').select(['id', 'department_id']).where('code', '=', options.division).executeTakeFirst();
    if (!division) throw new AppError('VALIDATION_FAILED', `"${options.division}" is not a division.`, [{ field: 'division', message: 'unknown division' }]);
    const allowed = seesAll || division.id === staff.divisionId || (staff.role === 'department_head' && division.department_id === staff.departmentId);
    if (!allowed) throw new AppError('FORBIDDEN', 'You can only see the queues of your own division.');
    divisionId = division.id;
  } else if (seesAll || staff.role === 'department_head') {
    divisionId = null;
  }
  if (staff.role === 'working_group') throw new AppError('FORBIDDEN', 'Working Group members see reports, not case queues.');

  const endOfToday = new Date(calendar.hoursOf(calendar.localDate(now.getTime())).closes);
  const sortBy = queueDueColumn(queue);
  const scopeColumn = queue === 'mine' ? null : queueDivisionColumn(queue);
  const query = tx.selectFrom('service_case as c').where((eb) => {
    const parts = queueConditions(eb, queue, { staffId: staff.id, now, endOfToday });
    if (scopeColumn !== null && divisionId !== null) parts.push(eb(`c.${scopeColumn}`, '=', divisionId));
    else if (scopeColumn !== null && staff.role === 'department_head') {
      parts.push(eb(`c.${scopeColumn}`, 'in', eb.selectFrom('division').select('division.id').where('division.department_id', '=', staff.departmentId!)));
    }
    return eb.and(parts);
  });
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
  const rows = await query
    .innerJoin('division as d', 'd.id', 'c.division_id')
    .leftJoin('request_type as t', 't.id', 'c.request_type_id')
    .select([
      'c.reference',
      'c.kind',
      'c.status',
      'c.summary',
      'c.address',
      'c.received_at',
      'c.acknowledge_by',
      'c.acknowledged_at',
      'c.resolve_by',
      'c.committed_by',
      'c.transfer_follow_up_by',
      'c.next_due_at',
      'c.owner_id',
      'd.name as division',
      't.name as request_type',
    ])
    .orderBy(`c.${sortBy}`, (ob) => ob.asc().nullsLast())
    .orderBy('c.id')
    .limit(limit + 1)
    .offset(options.offset ?? 0)
    .execute();
  return {
    queue,
    items: rows.slice(0, limit).map((r) => ({
      reference: r.reference,
      kind: r.kind,
      status: r.status,
      summary: r.summary,
      address: r.address,
      division: r.division,
      requestType: r.request_type,
      receivedAt: iso(calendar, r.received_at),
      acknowledgeBy: iso(calendar, r.acknowledge_by),
      acknowledgedAt: iso(calendar, r.acknowledged_at),
      resolveBy: iso(calendar, r.resolve_by),
      committedBy: iso(calendar, r.committed_by),
      transferFollowUpBy: iso(calendar, r.transfer_follow_up_by),
      dueAt: iso(calendar, r[sortBy === 'next_due_at' ? 'next_due_at' : sortBy]),
      ownerId: r.owner_id,
    })),
    hasMore: rows.length > limit,
  };
}
