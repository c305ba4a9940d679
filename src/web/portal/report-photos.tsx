import type { FastifyRequest } from 'fastify';
import { formPhotoPath, maxPhotosPerReport, photoSizeLimitWords, publicPhotoPath, type PhotoRow, type UploadedPhoto } from '../../cases/case-photos.js';
import { AppError, isAppError } from '../../platform/errors.js';
import { fieldId } from '../components.js';
import { parseFormBody } from '../form-body.js';
import type { Form } from './portal-forms.js';

/**
 * The report form's photos (issue 19): a plain file input in a multipart form, so it works without
 * JavaScript; photos already attached are shown with a "Remove" box each and carried by the form
 * key through "Check your answers".
 */

/** A posted form's fields (read as a url-encoded form reads) and its photos. */
export async function readPostedForm(request: FastifyRequest, plain: () => Form): Promise<{ form: Form; uploads: UploadedPhoto[] }> {
  if (!request.isMultipart()) return { form: plain(), uploads: [] };
  const pairs = new URLSearchParams();
  const uploads: UploadedPhoto[] = [];
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        const content = await part.toBuffer();
        // A file input left empty sends a part with no name and no bytes.
        if (part.filename === '' && content.length === 0) continue;
        uploads.push({ filename: part.filename, content, truncated: part.file.truncated });
      } else if (typeof part.value === 'string') {
        pairs.append(part.fieldname, part.value);
      }
    }
  } catch (error) {
    // Too many parts or files is said by its own 413; a body cut off or garbled is the sender's, not a 500.
    const status = (error as { statusCode?: number }).statusCode;
    if (isAppError(error) || (status !== undefined && status >= 400 && status < 500)) throw error;
    throw new AppError('VALIDATION_FAILED', 'The form could not be read: it may have been cut off while it was sent. Go back to the form, check your answers and send it again.', [], { cause: error });
  }
  return { form: parseFormBody(pairs.toString()), uploads };
}

/** The ids of the photos the resident ticked to remove. */
export function photosToRemove(form: Form): number[] {
  const given = form['removePhoto'];
  const list = Array.isArray(given) ? given : given === undefined ? [] : [given];
  return list.flatMap((v) => (typeof v === 'string' && /^\d{1,15}$/.test(v) ? [Number(v)] : []));
}

export function PhotoFields(props: { formKey: string; photos: PhotoRow[]; error?: string | undefined }) {
  const { photos } = props;
  const id = fieldId('photos');
  const room = maxPhotosPerReport - photos.length;
  return (
    <fieldset class={`form-section${props.error ? ' field--error' : ''}`}>
      <legend class="form-section__title">
        Photos <span class="hint hint--inline">(optional)</span>
      </legend>
      <p class="hint" id={`${id}-hint`}>
        Up to {maxPhotosPerReport} photos of the problem: JPEG, PNG or WebP, each up to {photoSizeLimitWords}. We take the location, the camera's details and the time out of them before we keep them.
        Staff see them; the public sees a photo only after staff have checked it.
      </p>
      {props.error ? (
        <p class="error-message" id={`${id}-error`}>
          <span class="visually-hidden">Error: </span>
          {props.error}
        </p>
      ) : null}
      {photos.length > 0 ? (
        <ul class="photo-list">
          {photos.map((p, i) => (
            <li>
              <img src={formPhotoPath(props.formKey, p.id)} alt={`Photo ${i + 1} you attached`} width={p.width} height={p.height} loading="lazy" />
              <label class="choice" for={`f-remove-photo-${p.id}`}>
                <input id={`f-remove-photo-${p.id}`} type="checkbox" name="removePhoto" value={String(p.id)} />
                <span>Remove photo {i + 1}</span>
              </label>
            </li>
          ))}
        </ul>
      ) : null}
      {room > 0 ? (
        <div class="field">
          <label for={id}>{photos.length > 0 ? `Add more photos (up to ${room} more)` : 'Add photos'}</label>
          <input
            id={id}
            type="file"
            name="photos"
            accept="image/jpeg,image/png,image/webp"
            multiple
            aria-describedby={[`${id}-hint`, props.error ? `${id}-error` : ''].filter(Boolean).join(' ')}
            aria-invalid={props.error ? 'true' : undefined}
          />
        </div>
      ) : (
        <p>This report has {maxPhotosPerReport} photos, the most it can have. Remove one to add another.</p>
      )}
    </fieldset>
  );
}

/** The photos on "Check your answers". */
export function PhotoReadback(props: { formKey: string; photos: PhotoRow[] }) {
  if (props.photos.length === 0) return <dd>None</dd>;
  return (
    <dd>
      <ul class="photo-list">
        {props.photos.map((p, i) => (
          <li>
            <img src={formPhotoPath(props.formKey, p.id)} alt={`Photo ${i + 1} you attached`} width={p.width} height={p.height} loading="lazy" />
          </li>
        ))}
      </ul>
    </dd>
  );
}

/** The photos the public may see, on the tracking page. */
export function PublicPhotos(props: { reference: string; photos: { id: number; width: number; height: number }[] }) {
  if (props.photos.length === 0) return null;
  return (
    <>
      <h2>Photos</h2>
      <ul class="photo-list">
        {props.photos.map((p, i) => (
          <li>
            <a href={publicPhotoPath(p.id)}>
              <img src={publicPhotoPath(p.id)} alt={`Photo ${i + 1} of the problem reported in ${props.reference}`} width={p.width} height={p.height} loading="lazy" />
            </a>
          </li>
        ))}
      </ul>
    </>
  );
}
