import { createTransport } from 'nodemailer';
import type { Db } from '../db/connect.js';
import type { Clock } from '../platform/clock.js';
import type { Logger } from '../platform/logger.js';

/**
 * Sends the mail waiting in `outbox`. Delivery is at most once: a row is claimed (`pending` to
 * `sending`) by one atomic update before it is sent, so two server copies on one database never
 * both send it. The price is that a row left in `sending` by a process killed mid-send is never
 * sent again automatically: the SMTP server may or may not have taken it, and a duplicate notice to
 * a resident is worse than a missing one that staff can see and resend.
 */

export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
}

export interface OutgoingMail {
  messageId: string;
  to: string;
  subject: string;
  text: string;
  from: string;
  /** The customer's message this answers, so their mail client threads it (issue 17). */
  inReplyTo?: string | undefined;
  references?: string[] | undefined;
}

/** The message as nodemailer composes it: our Message-ID, and the threading headers when it answers one. */
export function nodemailerMessage(mail: OutgoingMail, from?: string) {
  return {
    // The outbox row's Message-ID, so a retry after a failed attempt is recognisably the same
    // message to servers and mail clients.
    messageId: mail.messageId,
    from: mail.from || from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo, references: mail.references ?? [mail.inReplyTo] } : {}),
  };
}

/** After this many attempts a message is `failed` and waits for a person. */
export const MAX_ATTEMPTS = 8;
const MINUTE_MS = 60_000;
const MAX_BACKOFF_MS = 60 * MINUTE_MS;
const LAST_ERROR_LENGTH = 500;

/** The wait after the given (1-based) failed attempt: 1, 2, 4 … minutes, at most an hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(2 ** Math.max(attempts - 1, 0) * MINUTE_MS, MAX_BACKOFF_MS);
}

/** A transport for `SMTP_URL` (`smtp://user:pass@host:587`, `smtps://…`). */
export function smtpTransport(smtpUrl: string, from?: string): MailTransport & { close(): void } {
  const transporter = createTransport(smtpUrl);
  return {
    async send(mail) {
      await transporter.sendMail(nodemailerMessage(mail, from));
    },
    close: () => transporter.close(),
  };
}

export async function deliverOutbox(options: {
  db: Db;
  transport: MailTransport;
  now: Date;
  from: string;
  batchSize?: number;
}): Promise<{ sent: number; retried: number; failed: number }> {
  const { db, transport, now, from } = options;
  const result = { sent: 0, retried: 0, failed: 0 };
  const due = await db.kysely
    .selectFrom('outbox')
    .select('id')
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(options.batchSize ?? 50)
    .execute();

  for (const { id } of due) {
    // The claim. Only one caller's update matches `status = 'pending'`; the others get no row and
    // leave the message alone. The time condition keeps a caller that listed the row before another
    // one failed and rescheduled it from retrying it ahead of its backoff.
    const row = await db.kysely
      .updateTable('outbox')
      .set((eb) => ({ status: 'sending', attempts: eb('attempts', '+', 1) }))
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .returning(['id', 'message_id', 'to_address', 'subject', 'body', 'attempts', 'in_reply_to', 'reference_ids'])
      .executeTakeFirst();
    if (!row) continue;
    // A customer message's row points at the message for its text.
    const text =
      row.subject !== null && row.body !== null
        ? { subject: row.subject, body: row.body }
        : await db.kysely.selectFrom('outbox_mail').select(['subject', 'body']).where('id', '=', row.id).executeTakeFirstOrThrow();

    let failure: string | undefined;
    try {
      const thread = row.in_reply_to ? { inReplyTo: row.in_reply_to, references: (row.reference_ids ?? row.in_reply_to).split(' ').filter(Boolean) } : {};
      await transport.send({ messageId: row.message_id, to: row.to_address, subject: text.subject, text: text.body, from, ...thread });
    } catch (error) {
      failure = (error instanceof Error ? error.message : String(error)).slice(0, LAST_ERROR_LENGTH);
    }

    // Should these updates fail (database gone), the row stays in `sending` and is not sent again:
    // after a send that may have succeeded, that is the at-most-once choice.
    if (failure === undefined) {
      await db.kysely.updateTable('outbox').set({ status: 'sent', sent_at: now }).where('id', '=', row.id).execute();
      result.sent += 1;
    } else if (row.attempts >= MAX_ATTEMPTS) {
      await db.kysely.updateTable('outbox').set({ status: 'failed', last_error: failure }).where('id', '=', row.id).execute();
      result.failed += 1;
    } else {
      await db.kysely
        .updateTable('outbox')
        .set({ status: 'pending', last_error: failure, next_attempt_at: new Date(now.getTime() + retryDelayMs(row.attempts)) })
        .where('id', '=', row.id)
        .execute();
      result.retried += 1;
    }
  }
  return result;
}

/**
 * Delivers the outbox every `intervalMs` (5 s) until stopped. A run starts only after the previous
 * one ended, so a slow SMTP server never has two runs competing for the same rows in one process.
 */
export function startOutboxDelivery(options: {
  db: Db;
  clock: Clock;
  transport: MailTransport;
  from: string;
  logger?: Logger;
  intervalMs?: number;
}): { stop(): Promise<void> } {
  const intervalMs = options.intervalMs ?? 5_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const run = async (): Promise<void> => {
    try {
      const result = await deliverOutbox({ db: options.db, transport: options.transport, now: options.clock.now(), from: options.from });
      if (result.failed > 0) options.logger?.warn(result, 'Outbox: some mail failed for good and needs a person');
      else if (result.sent > 0 || result.retried > 0) options.logger?.info(result, 'Outbox delivered');
    } catch (error) {
      // A database outage must not stop delivery for good: the next tick tries again.
      options.logger?.error({ err: error }, 'Outbox delivery failed');
    }
  };

  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      running = run().finally(() => {
        running = undefined;
        schedule();
      });
    }, intervalMs);
    // Mail waiting must not keep the process alive once everything else has shut down.
    timer.unref();
  };

  schedule();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
