import type { Tx } from '../db/connect.js';
import type { Row, TriageStatus } from '../db/schema.js';
import type { StaffMember } from '../directory/staff.js';
import { actorLabel } from '../cases/case-record.js';
import { AppError } from '../platform/errors.js';

/**
 * The e-mail triage queue (CSS §3.1, §3.2): new e-mail contacts wait here for Customer Service,
 * who makes each a general inquiry or a service request, answers it at first contact, or sets it
 * aside as not a contact. What is set aside is kept and audited, and never becomes a case, so
 * the KPIs (which count cases) leave it out.
 */

/** Customer Service and its Manager triage e-mail (CSS §3.1: Customer Service takes contacts for every division). */
export const mayTriage = (staff: Pick<StaffMember, 'role' | 'inCustomerService'>): boolean =>
  staff.role === 'customer_service' || staff.role === 'manager_customer_service' || (staff.inCustomerService && staff.role !== 'working_group');

export function assertMayTriage(staff: StaffMember): void {
  if (!mayTriage(staff)) throw new AppError('FORBIDDEN', 'Only Customer Service triages the e-mail that comes in. Ask Customer Service to route it to you.');
}

export type MailRow = Row<'inbound_mail'>;
export type AttachmentRow = Row<'inbound_mail_attachment'>;

export interface TriageListItem {
  id: number;
  arrivedAt: Date;
  fromAddress: string | null;
  fromName: string | null;
  subject: string;
  excerpt: string;
  status: TriageStatus;
  attachments: number;
  caseReference: string | null;
}

export type TriageFilter = 'open' | 'done';

export async function listTriage(tx: Tx, options: { filter: TriageFilter; page: number; pageSize: number }): Promise<{ items: TriageListItem[]; more: boolean; openCount: number }> {
  const statuses: TriageStatus[] = options.filter === 'open' ? ['open', 'converting'] : ['converted', 'answered', 'not_contact'];
  const rows = await tx
    .selectFrom('inbound_mail as m')
    .leftJoin('service_case as c', 'c.id', 'm.case_id')
    .select((eb) => [
      'm.id',
      'm.arrived_at',
      'm.from_address',
      'm.from_name',
      'm.subject',
      'm.body_text',
      'm.triage_status',
      'c.reference',
      eb.selectFrom('inbound_mail_attachment as a').select((e) => e.fn.countAll<number>().as('n')).whereRef('a.inbound_mail_id', '=', 'm.id').as('attachments'),
    ])
    .where('m.kind', '=', 'new_contact')
    .where('m.triage_status', 'in', statuses)
    // The oldest first: it has waited longest, and its targets count from its arrival.
    .orderBy('m.arrived_at', options.filter === 'open' ? 'asc' : 'desc')
    .orderBy('m.id', options.filter === 'open' ? 'asc' : 'desc')
    .limit(options.pageSize + 1)
    .offset((options.page - 1) * options.pageSize)
    .execute();
  const open = await tx
    .selectFrom('inbound_mail')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('kind', '=', 'new_contact')
    .where('triage_status', 'in', ['open', 'converting'])
    .executeTakeFirstOrThrow();
  return {
    items: rows.slice(0, options.pageSize).map((r) => ({
      id: r.id,
      arrivedAt: new Date(r.arrived_at),
      fromAddress: r.from_address,
      fromName: r.from_name,
      subject: r.subject,
      excerpt: r.body_text.slice(0, 200),
      status: r.triage_status!,
      attachments: Number(r.attachments ?? 0),
      caseReference: r.reference,
    })),
    more: rows.length > options.pageSize,
    openCount: Number(open.n),
  };
}

export interface MailItem {
  mail: MailRow;
  attachments: AttachmentRow[];
  events: Row<'mail_event'>[];
  caseReference: string | null;
  decidedByName: string | null;
}

export async function findMailItem(tx: Tx, id: number): Promise<MailItem> {
  const mail = Number.isSafeInteger(id) ? await tx.selectFrom('inbound_mail').selectAll().where('id', '=', id).executeTakeFirst() : undefined;
  if (!mail) throw new AppError('NOT_FOUND', `There is no e-mail ${Number.isSafeInteger(id) ? id : ''} in citydesk.`.replace('  ', ' '));
  const [attachments, events, c, decidedBy] = await Promise.all([
    tx.selectFrom('inbound_mail_attachment').selectAll().where('inbound_mail_id', '=', id).orderBy('id').execute(),
    tx.selectFrom('mail_event').selectAll().where('inbound_mail_id', '=', id).orderBy('at').orderBy('id').execute(),
    mail.case_id ? tx.selectFrom('service_case').select('reference').where('id', '=', mail.case_id).executeTakeFirst() : undefined,
    mail.decided_by ? tx.selectFrom('staff_user').select('name').where('id', '=', mail.decided_by).executeTakeFirst() : undefined,
  ]);
  return { mail, attachments, events, caseReference: c?.reference ?? null, decidedByName: decidedBy?.name ?? null };
}

export async function recordMailEvent(tx: Tx, event: { mailId: number; at: Date; actor: StaffMember | string; type: string; data?: Record<string, unknown> }): Promise<void> {
  await tx
    .insertInto('mail_event')
    .values({
      inbound_mail_id: event.mailId,
      at: event.at,
      actor_id: typeof event.actor === 'string' ? null : event.actor.id,
      actor_label: typeof event.actor === 'string' ? event.actor : actorLabel(event.actor),
      type: event.type,
      data: JSON.stringify(event.data ?? {}),
    })
    .execute();
}
