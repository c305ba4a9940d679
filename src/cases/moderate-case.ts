import type { StaffMember } from '../directory/staff.js';
import { AppError } from '../platform/errors.js';
import { assertTakesContacts } from './case-policy.js';
import { changeCase } from './case-change.js';
import { recordEvent } from './case-record.js';
import type { CaseServices } from './case-services.js';

/**
 * Moderation of what the public sees of a report (issue 19): staff hide its description or show
 * a redacted version, and show or hide each photo. The resident's own words and photos stay as
 * they were for staff; each change is a 'moderated' case event with who, what and why (the
 * reason is required to hide or redact). Every public surface reads the moderated text through
 * public-description.ts: the portal's tracking page, Open311 and the
 * e-mails to followers.
 */

export type DescriptionModeration = 'original' | 'redacted' | 'hidden';
export type PhotoModeration = 'shown' | 'hidden';

const maxText = 4000;

function reasonOf(reason: string | undefined, needed: boolean): string | null {
  const given = (reason ?? '').trim();
  if (given.length > 1000) throw new AppError('VALIDATION_FAILED', 'Shorten the reason to 1,000 characters or fewer.', [{ field: 'reason', message: 'Shorten the reason to 1,000 characters or fewer.' }]);
  if (needed && given === '') throw new AppError('VALIDATION_FAILED', 'Give the reason for the change: it is kept with the case.', [{ field: 'reason', message: 'Give the reason for the change: it is kept with the case.' }]);
  return given === '' ? null : given;
}

export async function moderateDescription(options: {
  services: CaseServices;
  staff: StaffMember;
  reference: string;
  input: { action: string; publicText?: string | undefined; reason?: string | undefined };
}): Promise<void> {
  const { services, staff, reference, input } = options;
  assertTakesContacts(staff);
  const action = input.action as DescriptionModeration;
  if (action !== 'original' && action !== 'redacted' && action !== 'hidden') {
    throw new AppError('VALIDATION_FAILED', 'Choose what the public sees of the description.', [{ field: 'action', message: 'Choose what the public sees of the description.' }]);
  }
  const publicText = (input.publicText ?? '').trim();
  if (action === 'redacted') {
    if (publicText === '') throw new AppError('VALIDATION_FAILED', 'Write the description the public will see, with the passage taken out.', [{ field: 'publicText', message: 'Write the description the public will see, with the passage taken out.' }]);
    if (publicText.length > maxText) throw new AppError('VALIDATION_FAILED', `Shorten the public description to ${maxText.toLocaleString('en-CA')} characters or fewer.`, [{ field: 'publicText', message: `Shorten the public description to ${maxText.toLocaleString('en-CA')} characters or fewer.` }]);
  }
  const reason = reasonOf(input.reason, action !== 'original');
  await changeCase(services, staff, reference, async ({ trx, caseRow, now }) => {
    if (caseRow.kind !== 'service_request') throw new AppError('RULE_VIOLATION', `${reference} is a general inquiry: the public never sees its text, so there is nothing to moderate.`);
    await trx
      .updateTable('service_case')
      .set({ description_moderation: action === 'original' ? null : action, public_description: action === 'redacted' ? publicText : null })
      .where('id', '=', caseRow.id)
      .execute();
    // The original stays in the case; the event says what changed and why, not the words.
    await recordEvent(trx, { caseId: caseRow.id, at: now, actor: staff, type: 'moderated', data: { target: 'description', action, reason } });
  });
}

export async function moderatePhoto(options: { services: CaseServices; staff: StaffMember; reference: string; input: { photoId: number; state: string; reason?: string | undefined } }): Promise<void> {
  const { services, staff, reference, input } = options;
  assertTakesContacts(staff);
  const state = input.state as PhotoModeration;
  if (state !== 'shown' && state !== 'hidden') throw new AppError('VALIDATION_FAILED', 'Choose whether the public sees the photo.', [{ field: 'state', message: 'Choose whether the public sees the photo.' }]);
  const reason = reasonOf(input.reason, state === 'hidden');
  await changeCase(services, staff, reference, async ({ trx, caseRow, now }) => {
    const changed = await trx
      .updateTable('case_photo')
      .set({ public_state: state, moderation_reason: reason, moderated_at: now, moderated_by: staff.id })
      .where('id', '=', input.photoId)
      .where('case_id', '=', caseRow.id)
      .returning('id')
      .executeTakeFirst();
    if (!changed) throw new AppError('NOT_FOUND', `${reference} has no photo ${input.photoId}.`);
    await recordEvent(trx, { caseId: caseRow.id, at: now, actor: staff, type: 'moderated', data: { target: 'photo', photoId: input.photoId, action: state, reason } });
  });
}
