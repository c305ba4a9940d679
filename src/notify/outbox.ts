import { randomUUID } from 'node:crypto';
import type { Tx } from '../db/connect.js';

/**
 * Puts an e-mail in the outbox, in the caller's transaction: it goes out only if the change that
 * caused it commits. Each message gets its Message-ID here, once; delivery sends each at most once.
 */
export async function enqueueMail(
  tx: Tx,
  mail: { to: string; subject: string; body: string; caseMessageId?: number | null; now: Date; domain?: string },
): Promise<{ id: number; messageId: string }> {
  const messageId = `<${randomUUID()}@${mail.domain ?? 'citydesk.invalid'}>`;
  const row = await tx
    .insertInto('outbox')
    .values({
      message_id: messageId,
      case_message_id: mail.caseMessageId ?? null,
      to_address: mail.to,
      subject: mail.subject,
      body: mail.body,
      next_attempt_at: mail.now,
      created_at: mail.now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, messageId };
}
