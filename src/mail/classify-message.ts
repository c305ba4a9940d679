import type { Tx } from '../db/connect.js';
import { peopleWhoCanAct } from '../cases/people-who-can-act.js';
import { enqueueMails } from '../notify/outbox.js';
import type { InboundMailKind } from '../db/schema.js';
import { readOwnMessageId } from '../notify/message-ids.js';
import { storable, type ParsedMessage } from './parse-message.js';

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

const referenceInText = /\b(SR|GI)-\d{4}-\d{6,}\b/;

/**
 * Why a message is automatic (an out-of-office reply, a list, a robot), or undefined. Such mail
 * is recorded and dropped: answering it, or making it a case, starts mail loops (RFC 3834).
 */
export function autoReplyReason(headers: Map<string, string>): string | undefined {
  const autoSubmitted = headers.get('auto-submitted')?.trim().toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no') return `Auto-Submitted: ${autoSubmitted}`;
  const flags: [string, string][] = [
    ['x-autoreply', 'X-Autoreply'],
    ['x-autorespond', 'X-Autorespond'],
    ['x-autoresponder', 'X-Autoresponder'],
    ['x-auto-response-suppress', 'X-Auto-Response-Suppress'],
  ];
  for (const [name, shown] of flags) if (headers.has(name)) return `${shown} present`;
  const precedence = headers.get('precedence')?.trim().toLowerCase();
  if (precedence && ['bulk', 'list', 'junk'].includes(precedence)) return `Precedence: ${precedence}`;
  if (headers.has('list-unsubscribe')) return 'List-Unsubscribe present (a mailing list)';
  return undefined;
}

export interface Bounce {
  /** Recipients whose delivery failed for good, with the server's reason. */
  failed: { address: string; diagnostic: string | null }[];
  /** The Message-IDs the bounce refers to (the returned message's own, then the threading headers). */
  originalIds: string[];
}

/**
 * A delivery status notification (RFC 3464: multipart/report; report-type=delivery-status), or
 * undefined. Its per-recipient fields name who failed (Action: failed), and the returned message
 * or its headers name which of our messages it was.
 */
export function readBounce(parsed: ParsedMessage): Bounce | undefined {
  const isReport = parsed.contentType === 'multipart/report' && parsed.reportType === 'delivery-status';
  const status = parsed.attachments.find((a) => a.contentType === 'message/delivery-status' || a.contentType === 'message/global-delivery-status');
  if (!isReport && !status) return undefined;
  const failed: Bounce['failed'] = [];
  // mailparser keeps the delivery-status part as text of the message (or, for some, as a part).
  const source = status ? status.content.toString('utf8') : parsed.text;
  {
    const text = source.replace(/\r\n/g, '\n').replace(/\n[ \t]+/g, ' ');
    // The first block is about the message; the others are one per recipient.
    for (const block of text.split(/\n\s*\n/)) {
      const field = (name: string): string | undefined => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(block)?.[1]?.trim();
      const recipient = field('Final-Recipient') ?? field('Original-Recipient');
      const action = field('Action')?.toLowerCase();
      if (!recipient || action !== 'failed') continue;
      const address = recipient.replace(/^[a-z0-9-]+;\s*/i, '').replace(/^<|>$/g, '').trim().toLowerCase();
      if (address) failed.push({ address: storable(address).slice(0, 320), diagnostic: storable(field('Diagnostic-Code') ?? field('Status') ?? '').slice(0, 500) || null });
    }
  }
  const returned = parsed.attachments.filter((a) => ['message/rfc822', 'text/rfc822-headers', 'message/global', 'message/global-headers'].includes(a.contentType));
  const originalIds: string[] = [];
  for (const part of returned) {
    const head = part.content.toString('utf8').split(/\r?\n\r?\n/)[0] ?? '';
    const id = /^Message-ID:\s*(<[^>\s]+>)/im.exec(head.replace(/\r?\n[ \t]+/g, ' '))?.[1];
    if (id) originalIds.push(id);
  }
  originalIds.push(...[parsed.inReplyTo, ...[...parsed.references].reverse()].filter((x): x is string => x !== null));
  return { failed, originalIds };
}

interface CaseFound {
  id: number;
  reference: string;
  status: string;
  customer_email: string | null;
}

async function caseByReference(trx: Tx, reference: string): Promise<CaseFound | undefined> {
  return trx.selectFrom('service_case').select(['id', 'reference', 'status', 'customer_email']).where('reference', '=', reference).executeTakeFirst();
}

/** The case one of our signed Message-IDs among `ids` names, the first that holds. */
async function caseFromOwnIds(trx: Tx, key: Buffer, ids: readonly string[]): Promise<CaseFound | undefined> {
  for (const id of ids) {
    const own = readOwnMessageId(key, id);
    if (own?.reference) {
      const found = await caseByReference(trx, own.reference);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Sorts a message, in this order:
 * 1. citydesk's own mail come back (its Message-ID is one we signed, or it is from the City's own
 *    address): a loop, recorded and dropped;
 * 2. a bounce: the customer's address is marked undeliverable on the case it names, and the
 *    division is told (CSS §4.1: the acknowledgment must then reach the customer another way);
 * 3. an automatic message (Auto-Submitted, X-Autoreply, Precedence: bulk, mailing lists…):
 *    recorded and dropped, even when it answers one of ours (out-of-office replies do);
 * 4. a reply: In-Reply-To or References holding one of our signed Message-IDs finds its case;
 *    failing that, a reference in the subject does, but only when the sender is that case's
 *    customer, so no one can write into another person's case by naming it;
 * 5. everything else, a new contact for Customer Service's triage queue.
 */
export async function classifyMessage(trx: Tx, options: { parsed: ParsedMessage; now: Date; ownAddress?: string | undefined }): Promise<Classified> {
  const { parsed, now } = options;
  const key = Buffer.from((await trx.selectFrom('mail_signing_key').select('key').executeTakeFirstOrThrow()).key);

  if (parsed.messageId && readOwnMessageId(key, parsed.messageId)) {
    return { kind: 'loop', reason: 'its Message-ID is one citydesk made: our own mail came back', caseId: null, needsDivision: false };
  }
  if (options.ownAddress && parsed.fromAddress === options.ownAddress.trim().toLowerCase()) {
    return { kind: 'loop', reason: "it is from the City's own address", caseId: null, needsDivision: false };
  }

  const bounce = readBounce(parsed);
  if (bounce) {
    const found = await caseFromOwnIds(trx, key, bounce.originalIds);
    if (!found) return { kind: 'bounce', reason: 'a delivery failure that names no message of citydesk', caseId: null, needsDivision: false };
    const customer = found.customer_email?.toLowerCase() ?? null;
    const failed = bounce.failed.find((f) => f.address === customer) ?? (customer && bounce.failed.length > 0 ? { address: customer, diagnostic: bounce.failed[0]!.diagnostic } : undefined);
    if (!failed) return { kind: 'bounce', reason: `a delivery report for ${found.reference} that reports no failure (delayed or delivered)`, caseId: found.id, needsDivision: false };
    return {
      kind: 'bounce',
      reason: `e-mail to the customer of ${found.reference} could not be delivered`,
      caseId: found.id,
      needsDivision: true,
      afterInsert: async (tx, mailId) => {
        await tx
          .insertInto('undeliverable_address')
          .values({ case_id: found.id, address: failed.address, inbound_mail_id: mailId, detected_at: now, diagnostic: failed.diagnostic })
          .onConflict((oc) => oc.columns(['case_id', 'address']).doUpdateSet({ inbound_mail_id: mailId, diagnostic: failed.diagnostic }))
          .execute();
        await tx
          .insertInto('case_event')
          .values({ case_id: found.id, at: now, actor_id: null, actor_label: 'mailbox', type: 'email_undeliverable', data: JSON.stringify({ inboundMailId: mailId, address: failed.address, diagnostic: failed.diagnostic }) })
          .execute();
        await tellDivisionOfBounce(tx, found, now);
      },
    };
  }

  const auto = autoReplyReason(parsed.headers);
  if (auto) return { kind: 'auto_reply', reason: auto, caseId: null, needsDivision: false };

  const threaded = await caseFromOwnIds(trx, key, [parsed.inReplyTo, ...[...parsed.references].reverse()].filter((x): x is string => x !== null));
  if (threaded) return reply(threaded, parsed, now, `In-Reply-To or References name ${threaded.reference}`);
  const named = referenceInText.exec(parsed.subject)?.[0];
  if (named) {
    const found = await caseByReference(trx, named);
    if (found && found.customer_email && parsed.fromAddress && found.customer_email.toLowerCase() === parsed.fromAddress) {
      return reply(found, parsed, now, `the subject names ${found.reference} and the sender is its customer`);
    }
    return { kind: 'new_contact', reason: `the subject names ${named}, but the sender is not that case's customer: a new contact`, caseId: null, needsDivision: false };
  }
  return { kind: 'new_contact', reason: null, caseId: null, needsDivision: false };
}

/**
 * CSS §4.1: the acknowledgment must reach the customer another way, so the people who can act
 * (peopleWhoCanAct: the case's owner, else its division's staff and Division Head) get an e-mail besides the home
 * page's "E-mail to a customer bounced". It names the case, never the customer's address.
 */
async function tellDivisionOfBounce(tx: Tx, found: CaseFound, now: Date): Promise<void> {
  const c = await tx.selectFrom('service_case').select(['division_id', 'owner_id', 'summary']).where('id', '=', found.id).executeTakeFirstOrThrow();
  const [recipients = []] = await peopleWhoCanAct(tx, [{ divisionId: c.division_id, ownerId: c.owner_id }]);
  await enqueueMails(
    tx,
    recipients.map((p) => ({
      to: p.email,
      caseMessageId: null,
      subject: `E-mail to the customer of ${found.reference} bounced: reach them another way`,
      body: [
        `Our e-mail to the customer of ${found.reference} (${c.summary.slice(0, 120)}) could not be delivered.`,
        'An e-mail they never receive is no acknowledgment (CSS §4.1): reach them by phone, letter or a visit, log it on the case, and mark the bounce dealt with.',
        '',
        `The case: /staff/cases/${found.reference}`,
      ].join('\n'),
    })),
    now,
  );
}

function reply(found: CaseFound, parsed: ParsedMessage, now: Date, reason: string): Classified {
  return {
    kind: 'reply',
    reason,
    caseId: found.id,
    needsDivision: true,
    afterInsert: async (tx, mailId) => {
      await tx
        .insertInto('case_event')
        .values({
          case_id: found.id,
          at: now,
          actor_id: null,
          actor_label: parsed.fromAddress ? `customer (${parsed.fromAddress})` : 'customer',
          type: 'customer_replied',
          data: JSON.stringify({ inboundMailId: mailId, subject: parsed.subject, text: parsed.text.slice(0, 10_000), resolved: found.status === 'resolved' }),
        })
        .execute();
    },
  };
}
