/**
 * Messages as real mail clients send them, for the mail tests: composed by nodemailer's
 * MailComposer (multipart/alternative, attachments in base64, encoded-word subjects), or written
 * out byte for byte where a client's own encoding matters (Outlook's ISO-8859-1 quoted-printable,
 * a Japanese client's Shift_JIS).
 */
import iconv from 'iconv-lite';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';

export const cityAddress = 'inquiries@kawarthalakes.ca';

export async function compose(options: {
  from: string;
  subject: string;
  text?: string;
  html?: string;
  messageId?: string;
  inReplyTo?: string;
  references?: string[];
  headers?: Record<string, string>;
  attachments?: { filename: string; content: Buffer; contentType: string }[];
  date?: Date;
}): Promise<Buffer> {
  const mail = new MailComposer({
    from: options.from,
    to: cityAddress,
    subject: options.subject,
    text: options.text,
    html: options.html,
    messageId: options.messageId,
    inReplyTo: options.inReplyTo,
    references: options.references,
    headers: options.headers,
    attachments: options.attachments,
    date: options.date ?? new Date('2026-03-06T21:45:00Z'),
  });
  return new Promise((resolve, reject) => mail.compile().build((error, message) => (error ? reject(error) : resolve(message))));
}

/** Outlook on Windows, Western European: ISO-8859-1, quoted-printable. */
export function latin1Message(options: { from: string; subject: string; text: string; messageId: string }): Buffer {
  const qp = (bytes: Buffer): string =>
    [...bytes]
      .map((b) => (b === 0x0a ? '\r\n' : b === 0x0d ? '' : b >= 33 && b <= 126 && b !== 61 ? String.fromCharCode(b) : b === 32 ? ' ' : `=${b.toString(16).toUpperCase().padStart(2, '0')}`))
      .join('');
  const word = (text: string): string =>
    `=?iso-8859-1?Q?${[...iconv.encode(text, 'latin1')].map((b) => (b >= 48 && b <= 122 && ![61, 63, 95].includes(b) ? String.fromCharCode(b) : b === 32 ? '_' : `=${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('')}?=`;
  const subject = word(options.subject);
  // Outlook writes a display name with accents as an encoded word, the address as it is.
  const from = options.from.replace(/^(.*?)\s*<([^>]+)>$/, (_m, name: string, address: string) => `${word(name)} <${address}>`);
  const head = [
    `From: ${from}`,
    `To: ${cityAddress}`,
    `Subject: ${subject}`,
    'Date: Fri, 6 Mar 2026 16:45:00 -0500',
    `Message-ID: ${options.messageId}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset="iso-8859-1"',
    'Content-Transfer-Encoding: quoted-printable',
    'X-Mailer: Microsoft Outlook 16.0',
  ].join('\r\n');
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'ascii'), Buffer.from(qp(iconv.encode(options.text, 'latin1')), 'ascii'), Buffer.from('\r\n', 'ascii')]);
}

/** A Japanese mail client: Shift_JIS text in base64, the subject as a Shift_JIS encoded word. */
export function shiftJisMessage(options: { from: string; subject: string; text: string; messageId: string }): Buffer {
  const head = [
    `From: ${options.from}`,
    `To: ${cityAddress}`,
    `Subject: =?Shift_JIS?B?${iconv.encode(options.subject, 'Shift_JIS').toString('base64')}?=`,
    'Date: Sat, 7 Mar 2026 10:00:00 +0900',
    `Message-ID: ${options.messageId}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=Shift_JIS',
    'Content-Transfer-Encoding: base64',
  ].join('\r\n');
  const body = iconv.encode(options.text, 'Shift_JIS').toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from(`${head}\r\n\r\n${body}\r\n`, 'ascii');
}

/** A one-pixel PNG. */
export const tinyPng = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

/** A PDF of about `bytes` bytes. */
export function pdfOf(bytes: number): Buffer {
  const head = Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1');
  return Buffer.concat([head, Buffer.alloc(Math.max(0, bytes - head.length), 0x20)]);
}
