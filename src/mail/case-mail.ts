import { sql } from 'kysely';
import { changeCase } from '../cases/case-change.js';
import { caseVisibleTo } from '../cases/find-cases.js';
import { recordEvent } from '../cases/case-record.js';
import type { CaseServices } from '../cases/case-services.js';
import type { Tx } from '../db/connect.js';
import type { InboundMailKind } from '../db/schema.js';
import type { StaffMember } from '../directory/staff.js';
import { AppError } from '../platform/errors.js';
import { mayTriage, recordMailEvent } from './triage.js';

/**
 * The e-mail on a case: the message it was recorded from, the customer's replies, and bounces of
 * our mail to them. A reply or bounce waits for the case's division ("customer replied" on their
 * home page) until someone deals with it; a reply to a resolved case asks them to reopen it or
 * answer.
 */

export interface CaseMailEntry {
  id: number;
  kind: InboundMailKind;
  arrivedAt: Date;
  fromAddress: string | null;
  subject: string;
  text: string;
  waiting: boolean;
  attendedAt: Date | null;
  rawFileId: number;
  attachments: { filename: string; size: number; contentType: string; fileId: number | null; refusedReason: string | null }[];
}

export async function listCaseMail(tx: Tx, caseId: number): Promise<CaseMailEntry[]> {
  const rows = await tx
    .selectFrom('inbound_mail')
    .select(['id', 'kind', 'arrived_at', 'from_address', 'subject', 'body_text', 'attention_at', 'attended_at', 'raw_file_id'])
    .where('case_id', '=', caseId)
    .orderBy('arrived_at')
    .orderBy('id')
    .execute();
  const attachments = rows.length === 0 ? [] : await tx.selectFrom('inbound_mail_attachment').selectAll().where('inbound_mail_id', 'in', rows.map((r) => r.id)).orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    arrivedAt: new Date(r.arrived_at),
    fromAddress: r.from_address,
    subject: r.subject,
    text: r.body_text,
    waiting: r.attention_at !== null && r.attended_at === null,
    attendedAt: r.attended_at ? new Date(r.attended_at) : null,
    rawFileId: r.raw_file_id,
    attachments: attachments
      .filter((a) => a.inbound_mail_id === r.id)
      .map((a) => ({ filename: a.filename, size: a.size, contentType: a.content_type, fileId: a.file_id, refusedReason: a.refused_reason })),
  }));
}

/** The customer's address failed on this case (a bounce), or undefined. */
export async function undeliverableAddress(tx: Tx, caseId: number, address: string | null): Promise<{ address: string; detectedAt: Date; diagnostic: string | null } | undefined> {
  if (!address) return undefined;
  const row = await tx
    .selectFrom('undeliverable_address')
    .select(['address', 'detected_at', 'diagnostic'])
    .where('case_id', '=', caseId)
    .where(sql<boolean>`lower(address) = ${address.toLowerCase()}`)
    .executeTakeFirst();
  return row ? { address: row.address, detectedAt: new Date(row.detected_at), diagnostic: row.diagnostic } : undefined;
}

export interface WaitingMail {
  id: number;
  kind: InboundMailKind;
  arrivedAt: Date;
  reference: string;
  summary: string;
  resolved: boolean;
}

/** Replies and bounces (or only the kinds given) waiting for the person's divisions (their cases, by case-policy). */
export async function listWaitingMail(tx: Tx, staff: StaffMember, limit: number, kinds?: readonly InboundMailKind[]): Promise<{ items: WaitingMail[]; total: number }> {
  if (staff.role === 'working_group') return { items: [], total: 0 };
  const base = tx
    .selectFrom('inbound_mail as m')
    .innerJoin('service_case as c', 'c.id', 'm.case_id')
    .where('m.attention_at', 'is not', null)
    .$if(kinds !== undefined, (q) => q.where('m.kind', 'in', [...kinds!]))
    .where('m.attended_at', 'is', null)
    .where((eb) => caseVisibleTo(eb, staff));
  const [rows, count] = await Promise.all([
    base.select(['m.id', 'm.kind', 'm.arrived_at', 'c.reference', 'c.summary', 'c.status']).orderBy('m.arrived_at').orderBy('m.id').limit(limit).execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    items: rows.map((r) => ({ id: r.id, kind: r.kind, arrivedAt: new Date(r.arrived_at), reference: r.reference, summary: r.summary, resolved: r.status === 'resolved' })),
    total: Number(count.n),
  };
}

/**
 * A customer's reply or a bounce has been dealt with (answered, the case reopened, the customer
 * reached another way). Staff of the case's division, or Customer Service, say so; audited on the
 * case.
 */
export async function markMailDealtWith(options: { services: CaseServices; staff: StaffMember; reference: string; mailId: number }): Promise<void> {
  const { services, staff, reference, mailId } = options;
  await changeCase(services, staff, reference, async ({ trx, caseRow, now }) => {
    const inDivision = staff.divisionId !== null && (staff.divisionId === caseRow.division_id || staff.divisionId === caseRow.transfer_to_division_id);
    if (!inDivision && !mayTriage(staff)) {
      throw new AppError('FORBIDDEN', `Only staff of the division responsible for ${reference}, or Customer Service, deal with its customer's e-mail.`);
    }
    const row = Number.isSafeInteger(mailId)
      ? await trx
          .updateTable('inbound_mail')
          .set({ attended_at: now, attended_by: staff.id })
          .where('id', '=', mailId)
          .where('case_id', '=', caseRow.id)
          .where('attention_at', 'is not', null)
          .where('attended_at', 'is', null)
          .returning(['id', 'kind'])
          .executeTakeFirst()
      : undefined;
    if (!row) throw new AppError('CONFLICT', 'This e-mail is not waiting for anyone: it was dealt with already.');
    await recordEvent(trx, { caseId: caseRow.id, at: now, actor: staff, type: 'customer_mail_dealt_with', data: { inboundMailId: row.id, kind: row.kind } });
    await recordMailEvent(trx, { mailId: row.id, at: now, actor: staff, type: 'dealt_with' });
  });
}
