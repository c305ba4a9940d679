import type { Tx } from '../db/connect.js';
import type { StaffMember } from '../directory/staff.js';
import { transferMessage } from '../notify/templates.js';
import { AppError } from '../platform/errors.js';
import { assertCanTransferOut, assertOpen, assertReceivingDivision } from './case-policy.js';
import { defaultMethod, recordEvent, recordMessage, saveCase, type CaseRow } from './case-record.js';
import { changeCase } from './case-change.js';
import type { CaseServices } from './case-services.js';
import type { BusinessCalendar } from '../standard/calendar.js';

/** A case no longer waiting for a transfer. */
const clearedTransfer = { transfer_to_division_id: null, transfer_requested_at: null, transfer_requested_by: null, transfer_follow_up_by: null } as const;

/**
 * What every transfer needs whatever the case (CSS §3.1): a note for the receiving division and a
 * division that exists. Returns that division, or a field error.
 */
export async function transferTarget(tx: Tx, input: { toDivision: string; note: string }): Promise<{ id: number; name: string }> {
  if (!input.note?.trim()) throw new AppError('VALIDATION_FAILED', 'A transfer needs a note for the receiving division (CSS §3.1).', [{ field: 'note', message: 'required' }]);
  const target = await tx.selectFrom('division').select(['id', 'name']).where('code', '=', input.toDivision).executeTakeFirst();
  if (!target) {
    const codes = (await tx.selectFrom('division').select('code').orderBy('code').execute()).map((d) => d.code);
    throw new AppError('VALIDATION_FAILED', `"${input.toDivision}" is not a division; divisions: ${codes.join(', ')}.`, [{ field: 'toDivision', message: 'unknown division' }]);
  }
  return target;
}

/**
 * CSS §3.1, INTERPRETATION §5: a case outside the sender's responsibility goes to the correct
 * division with a note, and stays "transfer pending" until a member of that division confirms
 * receipt. The sender keeps a follow-up item, overdue after 1 business day. The customer's clock
 * never restarts.
 */
export async function transferCase(options: {
  services: CaseServices;
  staff: StaffMember;
  reference: string;
  input: { toDivision: string; note: string };
}): Promise<CaseRow> {
  const { services, staff, reference, input } = options;
  return changeCase(services, staff, reference, async ({ trx, caseRow, now, calendar, divisionName }) => {
    assertOpen(caseRow);
    const from = await divisionName(caseRow.division_id);
    assertCanTransferOut(staff, caseRow, from);
    if (caseRow.transfer_to_division_id) {
      throw new AppError('CONFLICT', `${reference} is already being transferred to ${await divisionName(caseRow.transfer_to_division_id)}; withdraw that transfer first.`);
    }
    const target = await transferTarget(trx, input);
    if (target.id === caseRow.division_id) throw new AppError('VALIDATION_FAILED', `${reference} is already with ${from}.`, [{ field: 'toDivision', message: 'same division' }]);
    const updated = await saveCase(trx, caseRow, transferRequest(target.id, staff, now, calendar));
    await recordEvent(trx, transferRequestedEvent({ caseRow: updated, staff, now, calendar, from, to: target.name, note: input.note.trim() }));
    return updated;
  });
}

/** The columns of a transfer waiting for the receiving division: its follow-up is 1 business day (CSS §3.1). */
export function transferRequest(toDivisionId: number, staff: StaffMember, now: Date, calendar: BusinessCalendar) {
  return {
    transfer_to_division_id: toDivisionId,
    transfer_requested_at: now,
    transfer_requested_by: staff.id,
    transfer_follow_up_by: new Date(calendar.dueAt(now.getTime(), { amount: 1, unit: 'business_days' })),
  };
}

export function transferRequestedEvent(e: { caseRow: CaseRow; staff: StaffMember; now: Date; calendar: BusinessCalendar; from: string; to: string; note: string }) {
  return {
    caseId: e.caseRow.id,
    at: e.now,
    actor: e.staff,
    type: 'transfer_requested',
    data: { from: e.from, to: e.to, note: e.note, followUpBy: e.caseRow.transfer_follow_up_by ? e.calendar.format(new Date(e.caseRow.transfer_follow_up_by).getTime()) : null },
  };
}

/** A member of the receiving division confirms receipt: the case is theirs and the customer is told. */
export async function confirmTransfer(options: { services: CaseServices; staff: StaffMember; reference: string }): Promise<CaseRow> {
  const { services, staff, reference } = options;
  return changeCase(services, staff, reference, async ({ trx, caseRow, now, divisionName, messageContext }) => {
    if (!caseRow.transfer_to_division_id) throw new AppError('CONFLICT', `${reference} is not waiting for a transfer to be confirmed.`);
    const to = await divisionName(caseRow.transfer_to_division_id);
    assertReceivingDivision(staff, caseRow, 'confirm', to);
    const from = await divisionName(caseRow.division_id);
    const updated = await saveCase(trx, caseRow, { division_id: caseRow.transfer_to_division_id, owner_id: staff.id, ...clearedTransfer });
    await recordEvent(trx, { caseId: caseRow.id, at: now, actor: staff, type: 'transfer_confirmed', data: { from, to } });
    const context = messageContext(updated, updated.division_id);
    const message = transferMessage({ ...context, fromDivisionName: from });
    await recordMessage(trx, { caseRow: updated, at: now, kind: 'transfer', automated: false, method: defaultMethod(updated), sentBy: staff, ...message });
    return updated;
  });
}

/** The sender takes a transfer back (sent to the wrong place, or refused by phone). */
export async function withdrawTransfer(options: { services: CaseServices; staff: StaffMember; reference: string; reason: string }): Promise<CaseRow> {
  const { services, staff, reference, reason } = options;
  return changeCase(services, staff, reference, async ({ trx, caseRow, now, divisionName }) => {
    if (!caseRow.transfer_to_division_id) throw new AppError('CONFLICT', `${reference} is not waiting for a transfer to be confirmed.`);
    assertCanTransferOut(staff, caseRow, await divisionName(caseRow.division_id), 'withdraw its transfer');
    if (!reason?.trim()) throw new AppError('VALIDATION_FAILED', 'Say why the transfer is withdrawn.', [{ field: 'reason', message: 'required' }]);
    const to = await divisionName(caseRow.transfer_to_division_id);
    const updated = await saveCase(trx, caseRow, clearedTransfer);
    await recordEvent(trx, { caseId: caseRow.id, at: now, actor: staff, type: 'transfer_withdrawn', data: { to, reason: reason.trim() } });
    return updated;
  });
}

/**
 * CSS §3.1: the receiving division says the case is not theirs, with a reason. It goes back to the
 * sender, which keeps it and its owner as they were; the customer's targets never restart, and
 * nothing is sent to the customer (the case never left the sender).
 */
export async function declineTransfer(options: { services: CaseServices; staff: StaffMember; reference: string; reason: string }): Promise<CaseRow> {
  const { services, staff, reference, reason } = options;
  return changeCase(services, staff, reference, async ({ trx, caseRow, now, divisionName }) => {
    if (!caseRow.transfer_to_division_id) throw new AppError('CONFLICT', `${reference} is not waiting for a transfer to be confirmed.`);
    const to = await divisionName(caseRow.transfer_to_division_id);
    assertReceivingDivision(staff, caseRow, 'decline', to);
    if (!reason?.trim()) {
      throw new AppError('VALIDATION_FAILED', `Say why ${reference} is not for ${to}, so ${await divisionName(caseRow.division_id)} can send it to the right place (CSS §3.1).`, [{ field: 'reason', message: 'required' }]);
    }
    const from = await divisionName(caseRow.division_id);
    const updated = await saveCase(trx, caseRow, clearedTransfer);
    await recordEvent(trx, { caseId: caseRow.id, at: now, actor: staff, type: 'transfer_declined', data: { from, to, reason: reason.trim() } });
    return updated;
  });
}
