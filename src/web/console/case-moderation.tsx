import { staffPhotoPath, type PhotoRow } from '../../cases/case-photos.js';
import type { CaseRow } from '../../cases/case-record.js';
import { Badge, Choices, TextArea, fieldId } from '../components.js';
import { formatDateTime } from '../format.js';
import { actionPaths, fieldName, type FormState } from './case-actions.js';

/**
 * "What the public sees" on the case page (issue 19): the report's description and photos as the
 * tracking page, Open311 and followers' e-mails show them, and the forms that change that. The
 * resident's own text and every photo stay here for staff whatever is chosen.
 */

const descriptionWords = { original: 'As the resident wrote it', redacted: 'Redacted', hidden: 'Hidden' } as const;
const photoWords = { pending: 'Not shown yet', shown: 'Shown to the public', hidden: 'Hidden' } as const;

export function CasePublicView(props: { caseRow: CaseRow; photos: PhotoRow[]; followers: number; form?: FormState | undefined; zone: string }) {
  const c = props.caseRow;
  if (c.kind !== 'service_request') return null;
  const state = c.description_moderation ?? 'original';
  const mine = props.form?.action === 'moderate' ? props.form : undefined;
  const value = (field: string, fallback: string) => mine?.values[fieldName('moderate', field)] ?? fallback;
  const error = (field: string) => mine?.errors[fieldName('moderate', field)];
  const url = (action: 'moderate' | 'photo') => `/staff/cases/${encodeURIComponent(c.reference)}/${actionPaths[action]}`;
  return (
    <section aria-labelledby="public-title">
      <h2 id="public-title">What the public sees</h2>
      <p class="hint">The tracking page, Open311 apps and the people following this request see only this. The resident's own words and every photo stay here for staff.</p>
      <p>{props.followers === 0 ? 'Nobody follows this request by e-mail.' : `${props.followers} ${props.followers === 1 ? 'person follows' : 'people follow'} this request by e-mail and get each public update.`}</p>
      <h3>Description</h3>
      <p>
        <Badge kind={state === 'original' ? 'muted' : 'warn'}>{descriptionWords[state]}</Badge>
      </p>
      {state === 'redacted' ? <p class="case-text">{c.public_description}</p> : null}
      {mine?.errors[fieldName('moderate', '_form')] ? (
        <div class="alert alert--error" id={fieldId(fieldName('moderate', '_form'))} tabIndex={-1}>
          <p>{mine.errors[fieldName('moderate', '_form')]}</p>
        </div>
      ) : null}
      <details class="case-action" id="action-moderate" open={mine !== undefined}>
        <summary>Change what the public sees of the description</summary>
        <div class="case-action__body">
          <form method="post" action={url('moderate')} novalidate>
            <Choices
              name={fieldName('moderate', 'action')}
              label="The public sees"
              options={[
                { value: 'original', label: 'The description as the resident wrote it' },
                { value: 'redacted', label: 'A redacted version (write it below)' },
                { value: 'hidden', label: 'No description' },
              ]}
              value={value('action', state)}
              error={error('action')}
              required
            />
            <TextArea
              name={fieldName('moderate', 'publicText')}
              label="Public version of the description"
              hint="Only for a redacted version: the description with the passage taken out, e.g. a name, an accusation or a health detail."
              value={value('publicText', c.public_description ?? c.description)}
              error={error('publicText')}
              rows={4}
              maxLength={4000}
            />
            <TextArea name={fieldName('moderate', 'reason')} label="Reason for the change" hint="Kept with the case. Needed to redact or hide." value={value('reason', '')} error={error('reason')} rows={2} maxLength={1000} />
            <div class="actions">
              <button type="submit">Save what the public sees</button>
            </div>
          </form>
        </div>
      </details>
      <h3>Photos</h3>
      {props.photos.length === 0 ? <p class="muted">The resident sent no photos.</p> : null}
      <ul class="photo-list">
        {props.photos.map((p, i) => {
          const sent = props.form?.action === 'photo' && props.form.values[fieldName('photo', 'photoId')] === String(p.id) ? props.form : undefined;
          const reasonId = `f-photo-${p.id}-reason`;
          const reasonError = sent?.errors[fieldName('photo', 'reason')] ?? sent?.errors[fieldName('photo', '_form')];
          return (
            <li>
              <a href={staffPhotoPath(c.reference, p.id)}>
                <img src={staffPhotoPath(c.reference, p.id)} alt={`Photo ${i + 1} sent with ${c.reference}`} width={p.width} height={p.height} loading="lazy" />
              </a>
              <p>
                <Badge kind={p.publicState === 'shown' ? 'ok' : p.publicState === 'hidden' ? 'warn' : 'muted'}>{photoWords[p.publicState]}</Badge>
              </p>
              {p.moderatedAt ? <p class="muted">{`Changed ${formatDateTime(p.moderatedAt, props.zone)}${p.moderationReason ? `: ${p.moderationReason}` : ''}`}</p> : null}
              <form method="post" action={url('photo')} novalidate>
                <input type="hidden" name={fieldName('photo', 'photoId')} value={String(p.id)} />
                <div class={`field${reasonError ? ' field--error' : ''}`}>
                  <label for={reasonId}>{`Reason for photo ${i + 1}`}</label>
                  {reasonError ? (
                    <span class="error-message" id={`${reasonId}-error`}>
                      <span class="visually-hidden">Error: </span>
                      {reasonError}
                    </span>
                  ) : null}
                  <input id={reasonId} type="text" name={fieldName('photo', 'reason')} maxLength={1000} aria-describedby={reasonError ? `${reasonId}-error` : undefined} aria-invalid={reasonError ? 'true' : undefined} />
                </div>
                <div class="actions">
                  {p.publicState !== 'shown' ? (
                    <button type="submit" name={fieldName('photo', 'state')} value="shown">
                      {`Show photo ${i + 1} to the public`}
                    </button>
                  ) : null}
                  {p.publicState !== 'hidden' ? (
                    <button type="submit" class="button--secondary" name={fieldName('photo', 'state')} value="hidden">
                      {`Hide photo ${i + 1}`}
                    </button>
                  ) : null}
                </div>
              </form>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
