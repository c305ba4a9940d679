import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Tx } from '../db/connect.js';
import type { StoredFileTable } from '../db/schema.js';

/**
 * The files citydesk keeps: e-mail attachments and raw messages now, the portal's photos later.
 * Files live in the database (`stored_file`, bytea), not in a folder: every server copy reads the
 * same files with no shared disk to set up, a file is written in the same transaction as the
 * record that points at it (a crash leaves neither an orphan nor a dangling link), and the City's
 * database backup holds them. The limits below keep that affordable: a kept file is at most
 * 10 MB, and only kinds staff can open safely are kept.
 */

export type FilePurpose = StoredFileTable['purpose'];

/** What may be kept for a purpose: types by their MIME name, and the largest size. */
export interface FilePolicy {
  maxBytes: number;
  /** MIME types kept (lower case). */
  types: ReadonlySet<string>;
}

const MB = 1024 * 1024;

/** Attachments of e-mail and (later) the portal's uploads: photos, PDFs, office documents, text. */
export const attachmentPolicy: FilePolicy = {
  maxBytes: 10 * MB,
  types: new Set([
    'image/jpeg',
    'image/png',
    'image/gif',
    'image/webp',
    'image/heic',
    'image/heif',
    'application/pdf',
    'text/plain',
    'text/csv',
    'application/msword',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'application/vnd.ms-excel',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'application/vnd.oasis.opendocument.text',
    'application/vnd.oasis.opendocument.spreadsheet',
  ]),
};

/** The photos the portal will take: images only. */
export const photoPolicy: FilePolicy = {
  maxBytes: 10 * MB,
  types: new Set(['image/jpeg', 'image/png', 'image/webp', 'image/heic', 'image/heif']),
};

/** A raw message is kept whatever it holds (so it can be parsed again), up to this size. */
export const RAW_MAIL_MAX_BYTES = 64 * MB;

const magic: [string, (b: Buffer) => boolean][] = [
  ['image/jpeg', (b) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff],
  ['image/png', (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))],
  ['image/gif', (b) => b.subarray(0, 4).toString('latin1') === 'GIF8'],
  ['image/webp', (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP'],
  ['application/pdf', (b) => b.subarray(0, 5).toString('latin1') === '%PDF-'],
];

/**
 * Why a file may not be kept under the policy, or undefined when it may. The declared type must
 * be one the policy keeps, and for the kinds with a signature (images, PDF) the content must
 * really be one: a program named photo.jpg is not kept.
 */
export function refusalOf(policy: FilePolicy, file: { contentType: string; size: number; content: Buffer }): string | undefined {
  const type = normalType(file.contentType);
  if (!policy.types.has(type)) return `${type} files are not kept (kept: images, PDF, office documents and text)`;
  if (file.size > policy.maxBytes) return `larger than the ${Math.round(policy.maxBytes / MB)} MB limit`;
  const check = magic.find(([t]) => t === type);
  if (check && !check[1](file.content)) return `its content is not a ${type} file`;
  return undefined;
}

/** The type a file's content says it is, for the kinds with a signature (images, PDF); undefined otherwise. */
export function sniffType(content: Buffer): string | undefined {
  return magic.find(([, matches]) => matches(content))?.[0];
}

export const normalType = (contentType: string): string => contentType.split(';')[0]!.trim().toLowerCase() || 'application/octet-stream';

/** Keeps a file, in the caller's transaction. */
export async function storeFile(tx: Tx, file: { purpose: FilePurpose; filename: string | null; contentType: string; content: Buffer; now: Date }): Promise<{ id: number; size: number; sha256: string }> {
  const sha256 = createHash('sha256').update(file.content).digest('hex');
  const row = await tx
    .insertInto('stored_file')
    .values({
      purpose: file.purpose,
      filename: file.filename,
      content_type: normalType(file.contentType),
      size: file.content.length,
      sha256,
      // As base64 text: the embedded database takes (and gives) large binary parameters several
      // times faster that way than as bytes.
      data: sql<Buffer>`decode(${file.content.toString('base64')}, 'base64')`,
      created_at: file.now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, size: file.content.length, sha256 };
}

/** A kept file with its content. */
export async function readStoredFile(tx: Tx, id: number): Promise<{ id: number; filename: string | null; contentType: string; size: number; content: Buffer } | undefined> {
  const row = await tx
    .selectFrom('stored_file')
    .select(['id', 'filename', 'content_type', 'size', sql<string>`encode(data, 'base64')`.as('data')])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  return { id: row.id, filename: row.filename, contentType: row.content_type, size: row.size, content: Buffer.from(row.data, 'base64') };
}
