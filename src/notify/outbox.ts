import { sql } from 'kysely';
import type { Tx } from '../db/connect.js';
import { mailSigner, messageIdFor } from './message-ids.js';

/** The message a mail answers: its Message-ID and the References to carry (RFC 5322 §3.6.4). */
export interface MailThread {
  inReplyTo: string;
  references: string[];
}

/**
 * Puts an e-mail in the outbox, in the caller's transaction: it goes out only if the change that
 * caused it commits. Each message gets its Message-ID here, once, naming its case with a signature
 * (message-ids.ts) so a reply finds the case; delivery sends each at most once.
 */
export async function enqueueMail(
  tx: Tx,
  mail: {
    to: string;
    subject: string;
    body: string;
    caseMessageId?: number | null;
    now: Date;
    reference?: string | null;
    ownText?: boolean;
    thread?: MailThread | undefined;
  },
): Promise<{ id: number; messageId: string }> {
  // A case message's text is the mail's unless the mail says more than the record may (a one-time code).
  const linked = Boolean(mail.caseMessageId) && !mail.ownText;
  const messageId = messageIdFor(await mailSigner(tx), mail.reference ?? null);
  const row = await tx
    .insertInto('outbox')
    .values({
      message_id: messageId,
      case_message_id: mail.caseMessageId ?? null,
      to_address: mail.to,
      // A case message already holds the text: the outbox row points at it.
      subject: linked ? null : mail.subject,
      body: linked ? null : mail.body,
      next_attempt_at: mail.now,
      created_at: mail.now,
      in_reply_to: mail.thread?.inReplyTo ?? null,
      reference_ids: mail.thread ? mail.thread.references.join(' ') : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, messageId };
}

/** Many mails in one statement (the sweep's notices). */
export async function enqueueMails(
  tx: Tx,
  mails: { to: string; subject: string; body: string; caseMessageId: number | null; reference?: string | null }[],
  now: Date,
): Promise<void> {
  if (mails.length === 0) return;
  const signer = await mailSigner(tx);
  await sql`
    insert into outbox (message_id, case_message_id, to_address, subject, body, next_attempt_at, created_at)
    select u.message_id, u.case_message_id, u.to_address, u.subject, u.body, ${now}, ${now}
    from unnest(${mails.map((m) => messageIdFor(signer, m.reference ?? null))}::text[], ${mails.map((m) => m.caseMessageId)}::bigint[],
                ${mails.map((m) => m.to)}::text[], ${mails.map((m) => (m.caseMessageId ? null : m.subject))}::text[],
                ${mails.map((m) => (m.caseMessageId ? null : m.body))}::text[])
      as u(message_id, case_message_id, to_address, subject, body)`.execute(tx);
}
