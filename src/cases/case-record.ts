import { sql, type Updateable } from 'kysely';
import type { Tx } from '../db/connect.js';
import type { MessageKind, MessageMethod, Row, ServiceCaseTable } from '../db/schema.js';
import type { StaffMember } from '../directory/staff.js';
import { enqueueMail, type MailThread } from '../notify/outbox.js';
import { parentNewsMessage } from '../notify/templates.js';
import { AppError } from '../platform/errors.js';

/** What every case use case shares: loading a case to change it, its audit events, its messages. */

export type CaseRow = Row<'service_case'>;

export const referencePattern = '^(SR|GI)-\\d{4}-\\d{6,}$';

/**
 * Any case's reference, citydesk's own or an imported case's (issue 13): the source's code in
 * capitals, a hyphen and the source's own row id, e.g. BALTIMORE-18-00123456 or NYC-39865436.
 * Pages and routes that show a case take this; those that change one take `referencePattern`.
 */
export const anyReferencePattern = '^[A-Z0-9][A-Z0-9_-]*-\\S{1,200}$';
export const anyReferenceMaxLength = 262;
export const isAnyReference = (reference: string): boolean => reference.length <= anyReferenceMaxLength && new RegExp(anyReferencePattern).test(reference);

export function checkReference(reference: string): void {
  if (!new RegExp(referencePattern).test(reference) && isAnyReference(reference)) {
    // Imported history is kept as the source recorded it: nobody changes it here.
    throw new AppError('CONFLICT', `${reference.slice(0, 60)} is history imported from another system: it cannot be changed in citydesk.`);
  }
  if (!new RegExp(referencePattern).test(reference)) {
    throw new AppError('VALIDATION_FAILED', `"${reference.slice(0, 40)}" is not a reference number; they look like SR-2026-000123 or GI-2026-000045.`, [
      { field: 'reference', message: 'not a reference number' },
    ]);
  }
}

/** The case, locked for this transaction so two changes to one case take turns. */
export async function loadCaseForChange(trx: Tx, reference: string): Promise<CaseRow> {
  checkReference(reference);
  const row = await trx.selectFrom('service_case').selectAll().where('reference', '=', reference).forUpdate().executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', `There is no case ${reference}.`);
  return row;
}

export async function findCase(tx: Tx, reference: string): Promise<CaseRow> {
  if (!isAnyReference(reference)) checkReference(reference);
  const row = await tx.selectFrom('service_case').selectAll().where('reference', '=', reference).executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', `There is no case ${reference}.`);
  return row;
}

export const actorLabel = (staff: StaffMember): string => `${staff.name} (${staff.email})`;

export async function recordEvent(
  trx: Tx,
  event: { caseId: number; at: Date; actor: StaffMember | string; type: string; data?: Record<string, unknown> },
): Promise<void> {
  await trx
    .insertInto('case_event')
    .values({
      case_id: event.caseId,
      at: event.at,
      actor_id: typeof event.actor === 'string' ? null : event.actor.id,
      actor_label: typeof event.actor === 'string' ? event.actor : actorLabel(event.actor),
      type: event.type,
      data: JSON.stringify(event.data ?? {}),
    })
    .execute();
}

/**
 * Keeps a message to the customer in the case history and, when it goes by e-mail, puts it in the
 * outbox in the same transaction.
 */
export async function recordMessage(
  trx: Tx,
  message: {
    caseRow: Pick<CaseRow, 'id' | 'customer_email' | 'reference'>;
    at: Date;
    kind: MessageKind;
    automated: boolean;
    method: MessageMethod;
    sentBy: StaffMember | null;
    subject: string;
    body: string;
    /** The mail's own text, when it says what the record must not keep (a one-time code). */
    mailText?: { subject: string; body: string };
  },
): Promise<{ id: number }> {
  const row = await trx
    .insertInto('case_message')
    .values({
      case_id: message.caseRow.id,
      at: message.at,
      kind: message.kind,
      automated: message.automated,
      method: message.method,
      sent_by: message.sentBy?.id ?? null,
      subject: message.subject,
      body: message.body,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (message.method === 'email' && message.caseRow.customer_email) {
    const text = message.mailText ?? { subject: message.subject, body: message.body };
    const thread = await customerThread(trx, message.caseRow.id, message.caseRow.customer_email);
    await enqueueMail(trx, { to: message.caseRow.customer_email, ...text, caseMessageId: row.id, now: message.at, reference: message.caseRow.reference, ownText: message.mailText !== undefined, thread });
  }
  if (followedKinds.has(message.kind)) await tellDuplicates(trx, message.caseRow, message.kind, message.at);
  return row;
}

/**
 * The customer's latest e-mail on the case (the one that opened it, or a reply), which our mail to
 * them answers: In-Reply-To names it and References carry its own parent and it, so their mail
 * client threads the answer under what they wrote (issue 17).
 */
export async function customerThread(trx: Tx, caseId: number, customerEmail: string): Promise<MailThread | undefined> {
  const last = await trx
    .selectFrom('inbound_mail')
    .select(['message_id', 'in_reply_to'])
    .where('case_id', '=', caseId)
    .where('kind', 'in', ['new_contact', 'reply'])
    .where('message_id', 'is not', null)
    .where(sql<boolean>`lower(from_address) = ${customerEmail.trim().toLowerCase()}`)
    .orderBy('arrived_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  if (!last?.message_id) return undefined;
  return threadAnswering({ messageId: last.message_id, inReplyTo: last.in_reply_to });
}

/** The threading of our answer to a customer's e-mail: In-Reply-To names it; References carry its parent and it (RFC 5322 §3.6.4). */
export function threadAnswering(mail: { messageId: string; inReplyTo: string | null }): MailThread {
  return { inReplyTo: mail.messageId, references: [...(mail.inReplyTo ? [mail.inReplyTo] : []), mail.messageId] };
}

/** The messages whose news the customers of a case's duplicates follow (issue 18). */
const followedKinds = new Set<MessageKind>(['acknowledgment', 'update', 'resolution', 'reopened']);

/**
 * Issue 18: the customers of requests merged into this one follow its public updates: each is told
 * there is news, in the City's words (never the other customer's), by e-mail when they gave one.
 */
async function tellDuplicates(trx: Tx, parent: Pick<CaseRow, 'id' | 'reference'>, kind: MessageKind, at: Date): Promise<void> {
  const duplicates = await trx
    .selectFrom('service_case')
    .select(['id', 'reference', 'customer_name', 'customer_email', 'customer_phone', 'preferred_contact'])
    .where('duplicate_of_id', '=', parent.id)
    .execute();
  if (duplicates.length === 0) return;
  const { name } = await trx.selectFrom('municipality').select('name').where('id', '=', 1).executeTakeFirstOrThrow();
  for (const d of duplicates) {
    const news = parentNewsMessage({ municipality: name, reference: d.reference, customerName: d.customer_name, parentReference: parent.reference, parentKind: kind });
    if (!news) continue;
    await recordMessage(trx, { caseRow: d, at, kind, automated: true, method: d.customer_email ? 'email' : 'record', sentBy: null, ...news });
  }
}

/** How a message reaches this customer unless staff say otherwise (INTERPRETATION §4). */
export function defaultMethod(c: Pick<CaseRow, 'preferred_contact' | 'customer_email' | 'customer_phone'>): MessageMethod {
  if (c.preferred_contact === 'email' && c.customer_email) return 'email';
  if (c.preferred_contact === 'phone' && c.customer_phone) return 'phone';
  if (c.preferred_contact === 'letter') return 'letter';
  if (c.preferred_contact === 'in_person') return 'in_person';
  if (c.customer_email) return 'email';
  if (c.customer_phone) return 'phone';
  return 'record';
}

export function checkMethod(c: Pick<CaseRow, 'customer_email' | 'customer_phone'>, method: MessageMethod): void {
  if (method === 'email' && !c.customer_email) {
    throw new AppError('VALIDATION_FAILED', 'The customer gave no e-mail address: reach them another way (phone, letter, in person) or record it.', [
      { field: 'method', message: 'no e-mail address on file' },
    ]);
  }
  if (method === 'phone' && !c.customer_phone) {
    throw new AppError('VALIDATION_FAILED', 'The customer gave no phone number: reach them another way or record it.', [{ field: 'method', message: 'no phone number on file' }]);
  }
}

type DueFields = Pick<CaseRow, 'status' | 'acknowledged_at' | 'acknowledge_by' | 'committed_by' | 'revised_resolve_by' | 'resolve_by' | 'transfer_follow_up_by'>;
type CheckFields = DueFields & Partial<Pick<CaseRow, 'escalation_level' | 'escalated_at'>>;

/** Two weeks after an escalation, the next step of the pathway (INTERPRETATION §6). */
export const escalationStepMs = 14 * 86_400_000;

/**
 * When the sweep must next look at a case: its earliest deadline, missed or not (the sweep
 * records each breach once and moves the check on), or the next step of its escalation.
 */
export function nextCheckAt(c: CheckFields): Date | null {
  if (c.status !== 'open') return null;
  const level = c.escalation_level ?? 0;
  const candidates = [
    c.acknowledged_at ? null : c.acknowledge_by,
    c.resolve_by,
    c.committed_by,
    c.transfer_follow_up_by,
    level >= 1 && level <= 2 && c.escalated_at ? new Date(new Date(c.escalated_at).getTime() + escalationStepMs) : null,
  ]
    .filter((d): d is Date => d !== null && d !== undefined)
    .map((d) => new Date(d).getTime());
  return candidates.length > 0 ? new Date(Math.min(...candidates)) : null;
}

/** The next deadline of an open case, which queues sort by; null once resolved. */
export function nextDueAt(c: DueFields): Date | null {
  if (c.status !== 'open') return null;
  const candidates = [
    c.acknowledged_at ? null : c.acknowledge_by,
    c.committed_by,
    c.revised_resolve_by ? null : c.resolve_by,
    c.transfer_follow_up_by,
  ]
    .filter((d): d is Date => d !== null && d !== undefined)
    .map((d) => new Date(d).getTime());
  return candidates.length > 0 ? new Date(Math.min(...candidates)) : null;
}

/** Writes the changed fields, recomputes the next deadline and bumps the version. */
export async function saveCase(trx: Tx, before: CaseRow, changes: Omit<Updateable<ServiceCaseTable>, 'id' | 'reference' | 'version'>): Promise<CaseRow> {
  const merged = { ...before, ...changes } as CheckFields;
  const nextCheck = nextCheckAt(merged);
  const saved = await trx
    .updateTable('service_case')
    .set({ ...changes, next_due_at: nextDueAt(merged), next_check_at: nextCheck, version: sql`version + 1` })
    .where('id', '=', before.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  // The sweep's queue follows the case in the same transaction (migration 012).
  await trx
    .insertInto('case_due')
    .values({ case_id: before.id, next_check_at: nextCheck })
    .onConflict((oc) => oc.column('case_id').doUpdateSet({ next_check_at: nextCheck }))
    .execute();
  return saved;
}

export async function divisionById(tx: Tx, id: number): Promise<{ id: number; code: string; name: string; contact_phone: string | null; contact_email: string | null; department_id: number }> {
  return tx.selectFrom('division').select(['id', 'code', 'name', 'contact_phone', 'contact_email', 'department_id']).where('id', '=', id).executeTakeFirstOrThrow();
}
