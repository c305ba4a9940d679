import { createCase, type IntakeInput } from '../cases/create-case.js';
import { threadAnswering, type CaseRow } from '../cases/case-record.js';
import type { CaseServices } from '../cases/case-services.js';
import type { StaffMember } from '../directory/staff.js';
import { AppError } from '../platform/errors.js';
import type { AttributeValues } from '../standard/attributes.js';
import { assertMayTriage, recordMailEvent } from './triage.js';

/** What Customer Service makes of an e-mail in the triage queue. */
export type TriageDecision =
  | { as: 'inquiry'; division: string; summary: string }
  | { as: 'service_request'; requestType: string; summary: string; location: { address?: string | undefined; latitude?: number | undefined; longitude?: number | undefined }; attributes?: AttributeValues | undefined }
  | { as: 'answer'; summary: string; answer: string };

/**
 * Makes an e-mail in the triage queue a case through the same create-case use case as every other
 * contact: a general inquiry for a division, a service request of a type, or an inquiry answered
 * at first contact. Its receipt is the message's arrival in the mailbox (INTERPRETATION §1), so
 * its targets count from then, however long it waited in the queue or citydesk was stopped; the
 * back-dated receipt is audited as any. The automatic receipt reply goes out as for any contact
 * (and never counts as the acknowledgment, CSS §4.1), threaded under the customer's e-mail.
 *
 * One person converts an item once: it is claimed first, so two staff pressing at once make one
 * case, and a retry after a failure finds the same case (the create's idempotency key).
 */
export async function convertTriageItem(options: { services: CaseServices; staff: StaffMember; id: number; decision: TriageDecision }): Promise<{ caseRow: CaseRow }> {
  const { services, staff, id, decision } = options;
  assertMayTriage(staff);
  const now = services.clock.now();
  const db = services.db.kysely;
  const claimed = Number.isSafeInteger(id)
    ? await db
        .updateTable('inbound_mail')
        .set({ triage_status: 'converting', decided_by: staff.id, decided_at: now })
        .where('id', '=', id)
        .where('kind', '=', 'new_contact')
        .where((eb) => eb.or([eb('triage_status', '=', 'open'), eb.and([eb('triage_status', '=', 'converting'), eb('decided_by', '=', staff.id)])]))
        .returningAll()
        .executeTakeFirst()
    : undefined;
  if (!claimed) {
    const existing = Number.isSafeInteger(id) ? await db.selectFrom('inbound_mail').select(['triage_status']).where('id', '=', id).executeTakeFirst() : undefined;
    if (!existing || existing.triage_status === null) throw new AppError('NOT_FOUND', `There is no e-mail ${id} in the triage queue.`);
    throw new AppError('CONFLICT', existing.triage_status === 'converting' ? 'Someone else is recording this e-mail as a case right now.' : 'This e-mail has already been dealt with; see what was done on its page.');
  }

  // The customer's own words are the description; the summary is staff's (CSS §3.1). The
  // customer wrote the request themselves, so there is nothing to read back on the phone.
  const description = [claimed.subject.trim() === '' ? null : `Subject: ${claimed.subject}`, claimed.body_text].filter(Boolean).join('\n\n') || '(The e-mail had no text.)';
  const arrivedAt = new Date(Math.min(new Date(claimed.arrived_at).getTime(), now.getTime()));
  const email = claimed.from_address && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(claimed.from_address) ? claimed.from_address : undefined;
  const input: IntakeInput = {
    kind: decision.as === 'service_request' ? 'service_request' : 'inquiry',
    channel: 'email',
    customer: { name: claimed.from_name ?? undefined, email, preferredContact: email ? 'email' : 'none' },
    description,
    summary: decision.summary,
    summaryConfirmed: true,
    receivedAt: arrivedAt.toISOString(),
    ...(decision.as === 'inquiry' ? { division: decision.division } : {}),
    ...(decision.as === 'service_request' ? { requestType: decision.requestType, location: decision.location, attributes: decision.attributes ?? {} } : {}),
    ...(decision.as === 'answer' ? { resolveAtFirstContact: { answer: decision.answer } } : {}),
  };

  let caseRow: CaseRow;
  try {
    // The receipt (or the answer) is our reply to the customer's e-mail: their mail client shows it in the same conversation.
    const thread = email && claimed.message_id ? threadAnswering({ messageId: claimed.message_id, inReplyTo: claimed.in_reply_to }) : undefined;
    ({ caseRow } = await createCase({ services, origin: { staff }, input, idempotencyKey: `email-triage-${id}`, thread }));
  } catch (error) {
    // Nothing was recorded: the item goes back to the queue as it was.
    await db.updateTable('inbound_mail').set({ triage_status: 'open', decided_by: null, decided_at: null }).where('id', '=', id).where('triage_status', '=', 'converting').where('decided_by', '=', staff.id).execute();
    throw error;
  }

  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('inbound_mail')
      .set({ triage_status: decision.as === 'answer' ? 'answered' : 'converted', case_id: caseRow.id, decided_at: now })
      .where('id', '=', id)
      .execute();
    await recordMailEvent(trx, { mailId: id, at: now, actor: staff, type: decision.as === 'answer' ? 'answered' : 'converted', data: { reference: caseRow.reference, as: decision.as } });
    await trx
      .insertInto('case_event')
      .values({ case_id: caseRow.id, at: now, actor_id: staff.id, actor_label: `${staff.name} (${staff.email})`, type: 'email_attached', data: JSON.stringify({ inboundMailId: id, arrivedAt: new Date(claimed.arrived_at).toISOString() }) })
      .execute();
  });
  return { caseRow };
}

export const notContactReasons = {
  spam: 'Spam or a scam',
  newsletter: 'A newsletter, advertisement or mailing list',
  misdirected: 'Meant for someone else (not the City)',
  duplicate: 'A copy of a contact already recorded',
  other: 'Something else (say what)',
} as const;
export type NotContactReason = keyof typeof notContactReasons;

/** Sets an e-mail aside as not a contact (spam, newsletters): kept and audited, never a case, so never in the KPIs. */
export async function setAsideTriageItem(options: { services: CaseServices; staff: StaffMember; id: number; reason: string; note: string }): Promise<void> {
  const { services, staff, id } = options;
  assertMayTriage(staff);
  if (!Object.hasOwn(notContactReasons, options.reason)) {
    throw new AppError('VALIDATION_FAILED', 'Choose why this e-mail is not a contact.', [{ field: 'reason', message: 'Choose why this e-mail is not a contact.' }]);
  }
  const note = options.note.trim();
  if (options.reason === 'other' && note === '') throw new AppError('VALIDATION_FAILED', 'Say why this e-mail is not a contact.', [{ field: 'note', message: 'Say why this e-mail is not a contact.' }]);
  if (note.length > 1000) throw new AppError('VALIDATION_FAILED', 'Keep the note under 1,000 characters.', [{ field: 'note', message: 'Keep the note under 1,000 characters.' }]);
  const now = services.clock.now();
  await services.db.kysely.transaction().execute(async (trx) => {
    const row = Number.isSafeInteger(id)
      ? await trx
          .updateTable('inbound_mail')
          .set({ triage_status: 'not_contact', decided_by: staff.id, decided_at: now, decision_note: note === '' ? notContactReasons[options.reason as NotContactReason] : `${notContactReasons[options.reason as NotContactReason]}: ${note}` })
          .where('id', '=', id)
          .where('triage_status', '=', 'open')
          .returning('id')
          .executeTakeFirst()
      : undefined;
    if (!row) {
      const existing = Number.isSafeInteger(id) ? await trx.selectFrom('inbound_mail').select('triage_status').where('id', '=', id).executeTakeFirst() : undefined;
      if (!existing || existing.triage_status === null) throw new AppError('NOT_FOUND', `There is no e-mail ${id} in the triage queue.`);
      throw new AppError('CONFLICT', 'This e-mail has already been dealt with; see what was done on its page.');
    }
    await recordMailEvent(trx, { mailId: id, at: now, actor: staff, type: 'not_contact', data: { reason: options.reason, note } });
  });
}
