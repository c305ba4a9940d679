import { createHash } from 'node:crypto';
import { simpleParser, type HeaderValue } from 'mailparser';

/**
 * A message from the mailbox, parsed (mailparser) into what citydesk uses: who sent it, its
 * subject and text (HTML-only mail is turned into text; every charset mailparser knows, such as
 * ISO-8859-1 or Shift_JIS, into Unicode), its threading headers, the headers that mark automatic
 * mail, and its attachments.
 */
export interface ParsedMessage {
  messageId: string | null;
  /** The Message-ID, or for a message without one the hash of its bytes: what makes it "taken once". */
  messageKey: string;
  fromAddress: string | null;
  fromName: string | null;
  subject: string;
  text: string;
  inReplyTo: string | null;
  /** References, oldest first. */
  references: string[];
  /** Lower-case header name to its raw value (first occurrence). */
  headers: Map<string, string>;
  contentType: string;
  reportType: string | null;
  attachments: { filename: string; contentType: string; content: Buffer; size: number }[];
}

/** Text PostgreSQL can store: no NUL, no half of a surrogate pair. */
export function storable(text: string): string {
  return text.replaceAll(String.fromCharCode(0), '').replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** A body longer than this is cut in the triage item and the case (the raw message keeps all). */
export const MAX_TEXT = 100_000;

const headerText = (value: HeaderValue | undefined): string => {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => headerText(v as HeaderValue)).join(', ');
  if (typeof value === 'object' && 'value' in value) {
    const v = value as { value: unknown; text?: string };
    if (typeof v.text === 'string') return v.text;
    return typeof v.value === 'string' ? v.value : JSON.stringify(v.value);
  }
  return String(value);
};

const ids = (text: string | undefined | null): string[] => (text ? (text.match(/<[^<>\s]+>/g) ?? []) : []);

export async function parseMessage(raw: Buffer): Promise<ParsedMessage> {
  const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true, maxHtmlLengthToParse: 5_000_000 });
  const headers = new Map<string, string>();
  for (const line of parsed.headerLines) {
    if (!headers.has(line.key)) headers.set(line.key, line.line.slice(line.line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim());
  }
  const from = parsed.from?.value.find((a) => a.address) ?? null;
  const messageId = ids(parsed.messageId)[0] ?? null;
  const references = Array.isArray(parsed.references) ? parsed.references.flatMap((r) => ids(r)) : ids(parsed.references);
  const contentTypeHeader = parsed.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  let text = parsed.text ?? '';
  if (text.trim() === '' && typeof parsed.html === 'string') text = parsed.html.replace(/<[^>]+>/g, ' ');
  text = storable(text.replace(/\r\n/g, '\n')).trim();
  if (text.length > MAX_TEXT) text = `${text.slice(0, MAX_TEXT)}\n\n[The message is longer; the rest is in the original message kept by citydesk.]`;
  return {
    messageId: messageId ? storable(messageId).slice(0, 998) : null,
    messageKey: messageId ? storable(messageId).slice(0, 998) : `sha256:${createHash('sha256').update(raw).digest('hex')}`,
    fromAddress: from?.address ? storable(from.address.trim().toLowerCase()).slice(0, 320) : null,
    fromName: from?.name ? storable(from.name.trim()).slice(0, 200) || null : null,
    subject: storable(parsed.subject ?? '').trim().slice(0, 998),
    text,
    inReplyTo: ids(parsed.inReplyTo)[0] ?? null,
    references,
    headers: new Map([...headers].map(([k, v]) => [k, storable(headerText(v))])),
    contentType: (contentTypeHeader?.value ?? 'text/plain').toLowerCase(),
    reportType: contentTypeHeader?.params?.['report-type']?.toLowerCase() ?? null,
    attachments: parsed.attachments.map((a, i) => ({
      filename: storable(a.filename ?? `attachment-${i + 1}`).slice(0, 255),
      contentType: (a.contentType ?? 'application/octet-stream').toLowerCase(),
      content: a.content,
      size: a.size ?? a.content.length,
    })),
  };
}
