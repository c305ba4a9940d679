import type { Db, Tx } from '../db/connect.js';
import type { InboundMailKind } from '../db/schema.js';
import { attachmentPolicy, refusalOf, storeFile } from '../files/file-store.js';
import { classifyMessage } from './classify-message.js';
import { parseMessage, type ParsedMessage } from './parse-message.js';

/** Where a message sits in the mailbox: its folder, UIDVALIDITY and UID, and when it arrived (INTERNALDATE). */
export interface MailboxPlace {
  mailbox: string;
  uidValidity: number;
  uid: number;
  arrivedAt: Date;
}

export type TakeResult = { taken: false } | { taken: true; id: number; kind: InboundMailKind; caseId: number | null };

class AlreadyTaken extends Error {}

/**
 * Takes one message from the mailbox, exactly once: the message (its raw bytes kept), what it is
 * (a new contact for the triage queue, a reply to a case, an automatic message, a bounce) and what
 * that does, all in one transaction. The unique constraints on its place in the mailbox and on its
 * Message-ID decide: a message another server copy, or this one before a restart, already took is
 * left alone (`taken: false`), and the caller only flags it.
 */
export async function takeMessage(options: { db: Db; raw: Buffer; place: MailboxPlace; now: Date; ownAddress?: string | undefined }): Promise<TakeResult> {
  const { db, raw, place, now } = options;
  // A message seen before (by place) is skipped without parsing it again.
  const seen = await db.kysely
    .selectFrom('inbound_mail')
    .select('id')
    .where('mailbox', '=', place.mailbox)
    .where('uid_validity', '=', place.uidValidity)
    .where('uid', '=', place.uid)
    .executeTakeFirst();
  if (seen) return { taken: false };
  const parsed = await parseMessage(raw);
  try {
    return await db.kysely.transaction().execute(async (trx) => {
      const classified = await classifyMessage(trx, { parsed, now, ownAddress: options.ownAddress });
      const rawFile = await storeFile(trx, { purpose: 'raw_mail', filename: null, contentType: 'message/rfc822', content: raw, now });
      const row = await trx
        .insertInto('inbound_mail')
        .values({
          mailbox: place.mailbox,
          uid_validity: place.uidValidity,
          uid: place.uid,
          message_key: parsed.messageKey,
          message_id: parsed.messageId,
          arrived_at: place.arrivedAt,
          taken_at: now,
          raw_file_id: rawFile.id,
          from_address: parsed.fromAddress,
          from_name: parsed.fromName,
          subject: parsed.subject,
          body_text: parsed.text,
          in_reply_to: parsed.inReplyTo,
          kind: classified.kind,
          kind_reason: classified.reason,
          case_id: classified.caseId,
          triage_status: classified.kind === 'new_contact' ? 'open' : null,
          attention_at: classified.needsDivision ? now : null,
        })
        .onConflict((oc) => oc.doNothing())
        .returning('id')
        .executeTakeFirst();
      // Taken already (another copy, or a renumbered mailbox showing it again): write nothing.
      if (!row) throw new AlreadyTaken();
      if (classified.kind === 'new_contact' || classified.kind === 'reply') await keepAttachments(trx, row.id, parsed, now);
      await classified.afterInsert?.(trx, row.id);
      return { taken: true as const, id: row.id, kind: classified.kind, caseId: classified.caseId };
    });
  } catch (error) {
    if (error instanceof AlreadyTaken) return { taken: false };
    // Two copies inserting the same message at once: the loser's insert waits, then does nothing.
    if ((error as { code?: string }).code === '23505') return { taken: false };
    throw error;
  }
}

async function keepAttachments(trx: Tx, mailId: number, parsed: ParsedMessage, now: Date): Promise<void> {
  for (const a of parsed.attachments) {
    const refused = refusalOf(attachmentPolicy, a);
    const file = refused ? undefined : await storeFile(trx, { purpose: 'mail_attachment', filename: a.filename, contentType: a.contentType, content: a.content, now });
    await trx
      .insertInto('inbound_mail_attachment')
      .values({ inbound_mail_id: mailId, filename: a.filename, content_type: a.contentType.slice(0, 200), size: a.size, file_id: file?.id ?? null, refused_reason: refused ?? null })
      .execute();
  }
}
