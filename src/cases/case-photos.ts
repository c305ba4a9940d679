import sharp from 'sharp';
import { sql } from 'kysely';
import type { Db, Tx } from '../db/connect.js';
import type { PhotoPublicState } from '../db/resident-tables.js';
import { photoPolicy, readStoredFile, refusalOf, sniffType, storeFile } from '../files/file-store.js';
import { AppError } from '../platform/errors.js';

/**
 * The photos a resident sends with a report (issue 19). Nothing the resident sent is kept as it
 * came: the type is read from the bytes (a file named photo.jpg that is not an image is refused),
 * the image is decoded, turned the right way up, shrunk to at most `longestSide` pixels and
 * written again as a JPEG with no metadata at all (no EXIF, so no GPS position, camera, owner or
 * time; no XMP, no IPTC; only the sRGB colour profile is applied), and only that copy is stored.
 * The public sees a photo only once staff show it (moderation); staff always see it.
 */

export const maxPhotosPerReport = 3;
export const longestSide = 1600;
/** A decoded image larger than this (in pixels) is refused before it can use the server's memory. */
const maxInputPixels = 40_000_000;
const MB = 1024 * 1024;
export const photoSizeLimitWords = `${Math.round(photoPolicy.maxBytes / MB)} MB`;

/** The image kinds taken: what phones and browsers send, and what the image library reads everywhere. */
const takenTypes = new Set(['image/jpeg', 'image/png', 'image/webp']);

export interface UploadedPhoto {
  filename: string;
  content: Buffer;
  /** The upload was cut off at the size limit. */
  truncated: boolean;
}

export interface CleanPhoto {
  content: Buffer;
  width: number;
  height: number;
}

/**
 * HEIC (HEIF with HEVC), the iPhone camera's own format, by its bytes: an ISO box "ftyp" whose brand
 * is one of HEIC's. sharp's prebuilt library reads HEIF only with the AV1 codec (AVIF), not HEVC, so
 * a HEIC photo is converted only where sharp was built with a HEVC decoder, and refused in words
 * otherwise.
 */
const heicBrands = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs', 'mif1', 'msf1']);
export function isHeic(content: Buffer): boolean {
  return content.length >= 12 && content.subarray(4, 8).toString('latin1') === 'ftyp' && heicBrands.has(content.subarray(8, 12).toString('latin1'));
}
export const heicReadable = (sharp.format.heif?.input.fileSuffix ?? []).includes('.heic');
export const heicRefusal = (name: string): string =>
  `${name} is a HEIC photo, the iPhone camera's own format, which we cannot take. Choose a JPEG, PNG or WebP image. ` +
  'On an iPhone, choose the photo from your Photo Library on this page (Safari sends it as a JPEG), or set Settings > Camera > Formats to "Most Compatible" so that new photos are taken as JPEG.';

const named = (filename: string): string => (filename.trim() === '' ? 'The photo' : `"${filename.trim().slice(0, 80)}"`);

/** Why an upload cannot be a photo, in words for the resident, or its cleaned copy. */
export async function cleanPhoto(upload: UploadedPhoto): Promise<CleanPhoto | { refused: string }> {
  const name = named(upload.filename);
  if (upload.truncated || upload.content.length > photoPolicy.maxBytes) {
    return { refused: `${name} is larger than ${photoSizeLimitWords}. Choose a smaller photo, or take it again at a lower resolution.` };
  }
  if (upload.content.length === 0) return { refused: `${name} is empty. Choose the photo again.` };
  const heic = isHeic(upload.content);
  if (heic && !heicReadable) return { refused: heicRefusal(name) };
  const type = sniffType(upload.content);
  if (!heic && (type === undefined || !takenTypes.has(type) || refusalOf(photoPolicy, { contentType: type, size: upload.content.length, content: upload.content }))) {
    return { refused: `${name} is not a photo we can take. Choose a JPEG, PNG or WebP image.` };
  }
  try {
    const { data, info } = await sharp(upload.content, { limitInputPixels: maxInputPixels, failOn: 'error' })
      // Turned as the camera meant (from EXIF orientation) before the EXIF is dropped.
      .rotate()
      .resize({ width: longestSide, height: longestSide, fit: 'inside', withoutEnlargement: true })
      // sharp writes no metadata unless asked (withMetadata/keepExif): none is asked for.
      .jpeg({ quality: 82, mozjpeg: true })
      .toBuffer({ resolveWithObject: true });
    return { content: data, width: info.width, height: info.height };
  } catch {
    return { refused: `${name} could not be read as an image: it may be damaged. Choose another photo.` };
  }
}

export interface PhotoRow {
  id: number;
  width: number;
  height: number;
  publicState: PhotoPublicState;
  moderationReason: string | null;
  moderatedAt: Date | null;
}

const photoColumns = ['id', 'width', 'height', 'public_state', 'moderation_reason', 'moderated_at'] as const;
const toPhoto = (r: { id: number; width: number; height: number; public_state: PhotoPublicState; moderation_reason: string | null; moderated_at: Date | string | null }): PhotoRow => ({
  id: Number(r.id),
  width: r.width,
  height: r.height,
  publicState: r.public_state,
  moderationReason: r.moderation_reason,
  moderatedAt: r.moderated_at === null ? null : new Date(r.moderated_at),
});

/** The photos a portal form holds before it is sent, oldest first. */
export async function listFormPhotos(tx: Tx, formKey: string): Promise<PhotoRow[]> {
  const rows = await tx.selectFrom('case_photo').select(photoColumns).where('form_key', '=', formKey).where('case_id', 'is', null).orderBy('id').execute();
  return rows.map(toPhoto);
}

/**
 * Cleans and keeps the photos of a portal form, up to the limit with those it already holds.
 * Returns the refusals in words, one per photo not kept. Each kept photo is one transaction (its
 * file and its row together); the form's rows are locked so two posts of one form keep at most 3.
 */
export async function addFormPhotos(db: Db, options: { formKey: string; uploads: UploadedPhoto[]; now: Date }): Promise<string[]> {
  const refusals: string[] = [];
  for (const upload of options.uploads) {
    const clean = await cleanPhoto(upload);
    if ('refused' in clean) {
      refusals.push(clean.refused);
      continue;
    }
    const kept = await db.kysely.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext(${`case_photo:${options.formKey}`}))`.execute(trx);
      const held = await trx.selectFrom('case_photo').select((eb) => eb.fn.countAll<string>().as('n')).where('form_key', '=', options.formKey).executeTakeFirstOrThrow();
      if (Number(held.n) >= maxPhotosPerReport) return false;
      const file = await storeFile(trx, { purpose: 'photo', filename: null, contentType: 'image/jpeg', content: clean.content, now: options.now });
      await trx.insertInto('case_photo').values({ form_key: options.formKey, file_id: file.id, width: clean.width, height: clean.height, created_at: options.now }).execute();
      return true;
    });
    if (!kept) refusals.push(`${named(upload.filename)} was not added: a report can have up to ${maxPhotosPerReport} photos. Remove one first to add another.`);
  }
  return refusals;
}

/** Takes photos off a form that is not sent yet (only that form's). */
export async function removeFormPhotos(db: Db, formKey: string, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await db.kysely.transaction().execute(async (trx) => {
    const gone = await trx.deleteFrom('case_photo').where('form_key', '=', formKey).where('case_id', 'is', null).where('id', 'in', ids).returning('file_id').execute();
    if (gone.length > 0) await trx.deleteFrom('stored_file').where('id', 'in', gone.map((g) => g.file_id)).execute();
  });
}

/** A form left unsent keeps its photos this long (a resident may come back to "Check your answers"). */
export const unsentPhotoHours = 24;

/**
 * Deletes the photos of forms never sent, with their files, once they are `unsentPhotoHours`
 * old: run by the server's sweep. A photo that belongs to a case is never touched.
 */
export async function discardUnsentPhotos(db: Db, now: Date): Promise<number> {
  const before = new Date(now.getTime() - unsentPhotoHours * 3_600_000);
  return db.kysely.transaction().execute(async (trx) => {
    const gone = await trx.deleteFrom('case_photo').where('case_id', 'is', null).where('created_at', '<', before).returning('file_id').execute();
    if (gone.length > 0) await trx.deleteFrom('stored_file').where('id', 'in', gone.map((g) => g.file_id)).where('purpose', '=', 'photo').execute();
    return gone.length;
  });
}

/** A sent form's photos become its case's (again harmless: a replayed send finds none left). */
export async function attachFormPhotos(tx: Tx, formKey: string, caseId: number): Promise<number> {
  const rows = await tx.updateTable('case_photo').set({ case_id: caseId }).where('form_key', '=', formKey).where('case_id', 'is', null).returning('id').execute();
  return rows.length;
}

/** Every photo of a case, for staff. */
export async function listCasePhotos(tx: Tx, caseId: number): Promise<PhotoRow[]> {
  const rows = await tx.selectFrom('case_photo').select(photoColumns).where('case_id', '=', caseId).orderBy('id').execute();
  return rows.map(toPhoto);
}

/** The photos of a case the public may see: those staff showed. */
export async function listPublicPhotos(tx: Tx, caseId: number): Promise<PhotoRow[]> {
  return (await listCasePhotos(tx, caseId)).filter((p) => p.publicState === 'shown');
}

export const publicPhotoPath = (id: number): string => `/photos/${id}.jpg`;
export const formPhotoPath = (formKey: string, id: number): string => `/report/photos/${formKey}/${id}.jpg`;
export const staffPhotoPath = (reference: string, id: number): string => `/staff/cases/${reference}/photos/${id}.jpg`;

/** A photo's bytes, if the one asking may have them: the public only a shown one, a form only its own, staff any of a case they can see. */
export async function readPhoto(
  tx: Tx,
  id: number,
  who: { public: true } | { formKey: string } | { caseId: number },
): Promise<Buffer | undefined> {
  if (!Number.isSafeInteger(id) || id < 1) return undefined;
  let q = tx.selectFrom('case_photo').select(['file_id']).where('id', '=', id);
  if ('public' in who) q = q.where('public_state', '=', 'shown').where('case_id', 'is not', null);
  else if ('formKey' in who) q = q.where('form_key', '=', who.formKey);
  else q = q.where('case_id', '=', who.caseId);
  const row = await q.executeTakeFirst();
  if (!row) return undefined;
  return (await readStoredFile(tx, row.file_id))?.content;
}

/** A photo that is not there, or not for this person: the same words either way. */
export const photoNotFound = () => new AppError('NOT_FOUND', 'There is no photo at this address. It may not have been shown to the public yet.');
