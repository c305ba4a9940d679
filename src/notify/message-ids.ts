import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Tx } from '../db/connect.js';

/**
 * citydesk's own Message-IDs name the case they are about and carry a keyed signature:
 * `<SR-2026-000123.{nonce}.{HMAC-SHA256(key, "SR-2026-000123.{nonce}"), 32 hex}@{domain}>`.
 * A reply's In-Reply-To or References then finds its case, and only citydesk can make an id that
 * does (a stranger cannot write into a case by making one up); mail with no case (staff notices)
 * is named `citydesk`. The key (mail_signing_key, 025_mail.sql) is made once per database, so
 * every server copy signs and checks alike.
 */

const SIGNATURE_HEX = 32;
const NO_CASE = 'citydesk';

export interface MailSigner {
  key: Buffer;
  domain: string;
}

/** The key and the City's mail domain (from its contact e-mail), read in the caller's transaction. */
export async function mailSigner(tx: Tx): Promise<MailSigner> {
  const row = await tx
    .selectFrom('mail_signing_key as k')
    .leftJoin('municipality as m', (join) => join.onTrue())
    .select(['k.key', 'm.settings'])
    .executeTakeFirstOrThrow();
  return { key: Buffer.from(row.key), domain: domainOf(row.settings) };
}

export function domainOf(settings: unknown): string {
  const email = (settings as { contact?: { email?: unknown } } | null)?.contact?.email;
  const domain = typeof email === 'string' ? email.split('@')[1]?.trim().toLowerCase() : undefined;
  return domain && /^[a-z0-9.-]+$/.test(domain) ? domain : 'citydesk.invalid';
}

const sign = (key: Buffer, text: string): string => createHmac('sha256', key).update(text, 'utf8').digest('hex').slice(0, SIGNATURE_HEX);

export const newNonce = (): string => randomBytes(8).toString('hex');

export function messageIdFor(signer: MailSigner, reference: string | null, nonce = newNonce()): string {
  const name = reference ?? NO_CASE;
  return `<${name}.${nonce}.${sign(signer.key, `${name}.${nonce}`)}@${signer.domain}>`;
}

/**
 * What an id says when citydesk made it: `{ reference }` (null for mail with no case), or
 * undefined when it is not citydesk's (or its signature does not hold).
 */
export function readOwnMessageId(key: Buffer, messageId: string): { reference: string | null } | undefined {
  const match = /^<?((?:SR|GI)-\d{4}-\d{6,}|citydesk)\.([0-9a-f]{16})\.([0-9a-f]{32})@[^>\s]+>?$/.exec(messageId.trim());
  if (!match) return undefined;
  const [, name, nonce, signature] = match;
  const expected = Buffer.from(sign(key, `${name}.${nonce}`), 'utf8');
  const given = Buffer.from(signature!, 'utf8');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  return { reference: name === NO_CASE ? null : name! };
}

/**
 * The same Message-ID made in SQL, for the intake statement, which draws the reference itself:
 * HMAC-SHA256 from PostgreSQL's sha256() and the key's pads (H(K⊕opad ‖ H(K⊕ipad ‖ m))), which
 * is what createHmac computes for a 64-byte key.
 */
export function messageIdSql(reference: string, nonce: string, domain: string, keyTable = 'mail_signing_key'): string {
  const text = `${reference} || '.' || ${nonce}`;
  return `'<' || ${text} || '.' || left(encode(sha256((select opad from ${keyTable}) || sha256((select ipad from ${keyTable}) || convert_to(${text}, 'UTF8'))), 'hex'), ${SIGNATURE_HEX}) || '@' || ${domain} || '>'`;
}
