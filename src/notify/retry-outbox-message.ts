import type { Db } from '../db/connect.js';
import { recordDirectoryEvent } from '../directory/directory-audit.js';
import type { StaffMember } from '../directory/staff.js';
import { AppError } from '../platform/errors.js';

/** Who may send failed mail again: the people who answer for the service's mail. */
export const mayRetryMail = (staff: StaffMember): boolean => staff.role === 'administrator' || staff.role === 'manager_customer_service';

/**
 * A message stuck in "sending" this long after it fell due was claimed by a delivery that never
 * finished (a crash mid-send). It is not sent again by itself, since each message goes out at most
 * once by its Message-ID (it may have reached the mail server); a person decides.
 */
export const stuckSendingMs = 15 * 60_000;

/**
 * Sends a message again that failed for good (after MAX_ATTEMPTS) or is stuck in "sending": back
 * to waiting, with its attempts counted afresh, due now. The outbox keeps the last error; the
 * directory's audit trail records who asked for it and when.
 */
export async function retryOutboxMessage(options: { db: Db; staff: StaffMember; id: number; now: Date }): Promise<void> {
  const { db, staff, id, now } = options;
  if (!mayRetryMail(staff)) throw new AppError('FORBIDDEN', 'Only the Manager of Customer Service or an administrator can send failed mail again.');
  await db.kysely.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('outbox').select(['id', 'status', 'next_attempt_at', 'to_address', 'attempts', 'last_error']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', `There is no message ${id} in the outbox.`);
    const stuck = row.status === 'sending' && now.getTime() - new Date(row.next_attempt_at).getTime() > stuckSendingMs;
    if (row.status !== 'failed' && !stuck) {
      const why = row.status === 'sent' ? 'it was sent already' : row.status === 'pending' ? 'it is waiting to be sent already' : 'it is being sent now';
      throw new AppError('CONFLICT', `This message cannot be sent again: ${why}.`);
    }
    await trx.updateTable('outbox').set({ status: 'pending', attempts: 0, next_attempt_at: now }).where('id', '=', id).execute();
    await recordDirectoryEvent(trx, { actor: staff, type: 'outbox_message_retried', data: { outboxId: id, to: row.to_address, was: row.status, attempts: row.attempts, lastError: row.last_error }, now });
  });
}
