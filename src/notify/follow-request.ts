import type { Db, Tx } from '../db/connect.js';
import { loadMunicipality } from '../directory/municipality.js';
import { defaultSurveyLinks, surveyKey, type SurveyLinks } from '../feedback/survey-token.js';
import { AppError } from '../platform/errors.js';
import { isEmailAddress } from '../standard/email-address.js';
import { confirmationDays, confirmFollowPath, readFollowConfirmation, readUnfollow, signFollowConfirmation } from './follow-token.js';
import { followConfirmationMessage } from './follower-messages.js';
import { enqueueMail } from './outbox.js';

/**
 * Following a request by e-mail (issue 19): anyone may follow any service request, the address
 * is confirmed by a signed link first, and unfollowing holds for good (until the person follows
 * again and confirms again). A follower is never shown on the case to the public, nor to another
 * follower; staff see only how many follow it.
 */

export const normalFollowerAddress = (email: string): string => email.trim().toLowerCase();

/** Asks to follow: records the address (not yet confirmed) and sends the confirmation link. */
export async function requestFollow(options: { db: Db; links?: SurveyLinks | undefined; reference: string; email: string; now: Date }): Promise<void> {
  const { db, now } = options;
  const links = options.links ?? defaultSurveyLinks;
  const email = normalFollowerAddress(options.email);
  if (email === '') throw new AppError('VALIDATION_FAILED', 'Enter your e-mail address.', [{ field: 'email', message: 'Enter your e-mail address' }]);
  if (email.length > 320 || !isEmailAddress(email)) {
    throw new AppError('VALIDATION_FAILED', 'Enter an e-mail address in the right format, like name@example.com.', [{ field: 'email', message: 'Enter an e-mail address in the right format, like name@example.com' }]);
  }
  await db.kysely.transaction().execute(async (trx) => {
    const c = await trx.selectFrom('service_case').select(['id', 'reference', 'kind', 'request_type_id']).where('reference', '=', options.reference).executeTakeFirst();
    if (!c || c.kind !== 'service_request') throw new AppError('NOT_FOUND', 'There is no service request with that reference number to follow.');
    const follower = await trx
      .insertInto('case_follower')
      .values({ case_id: c.id, email, requested_at: now })
      .onConflict((oc) =>
        oc.columns(['case_id', 'email']).doUpdateSet((eb) => ({
          requested_at: now,
          // Asked again after unfollowing: a new confirmation is needed.
          confirmed_at: eb.case().when('case_follower.unfollowed_at', 'is not', null).then(null).else(eb.ref('case_follower.confirmed_at')).end(),
          unfollowed_at: null,
        })),
      )
      .returning(['id', 'confirmed_at'])
      .executeTakeFirstOrThrow();
    // Already following: nothing to confirm, nothing sent (the page says the same either way).
    if (follower.confirmed_at !== null) return;
    const municipality = await loadMunicipality(trx);
    const type = c.request_type_id === null ? undefined : await trx.selectFrom('request_type').select('name').where('id', '=', c.request_type_id).executeTakeFirst();
    const key = await surveyKey(trx, links, now);
    const expiresAt = new Date(now.getTime() + confirmationDays * 86_400_000);
    const message = followConfirmationMessage({
      municipality: municipality.name,
      reference: c.reference,
      typeName: type?.name ?? 'service request',
      confirmUrl: `${links.publicUrl}${confirmFollowPath(signFollowConfirmation(key, { id: follower.id, expiresAt }))}`,
      expiresAt,
      timeZone: municipality.settings.calendar.timeZone,
    });
    // Not threaded to the case: a follower's reply is not the customer's.
    await enqueueMail(trx, { to: email, ...message, now, reference: null });
  });
}

export type FollowLinkResult = { state: 'invalid' } | { state: 'expired'; reference: string } | { state: 'done'; reference: string };

/** What a link from a follow e-mail names, before its button is pressed. */
export async function openFollowLink(options: { db: Db; links?: SurveyLinks | undefined; token: string; now: Date; kind: 'confirm' | 'stop' }): Promise<FollowLinkResult> {
  return options.db.kysely.transaction().execute(async (trx) => {
    const key = await surveyKey(trx, options.links ?? defaultSurveyLinks, options.now);
    const read: { followerId: number; expiresAt?: Date } | undefined = options.kind === 'confirm' ? readFollowConfirmation(key, options.token) : readUnfollow(key, options.token);
    if (!read) return { state: 'invalid' };
    const row = await trx.selectFrom('case_follower as f').innerJoin('service_case as c', 'c.id', 'f.case_id').select(['c.reference']).where('f.id', '=', read.followerId).executeTakeFirst();
    if (!row) return { state: 'invalid' };
    return read.expiresAt !== undefined && read.expiresAt.getTime() < options.now.getTime() ? { state: 'expired', reference: row.reference } : { state: 'done', reference: row.reference };
  });
}

/** The button on the confirmation page: updates start from now. */
export async function confirmFollow(options: { db: Db; links?: SurveyLinks | undefined; token: string; now: Date }): Promise<FollowLinkResult> {
  return options.db.kysely.transaction().execute(async (trx) => {
    const read = readFollowConfirmation(await surveyKey(trx, options.links ?? defaultSurveyLinks, options.now), options.token);
    if (!read) return { state: 'invalid' };
    const row = await trx
      .selectFrom('case_follower as f')
      .innerJoin('service_case as c', 'c.id', 'f.case_id')
      .select(['f.id', 'f.confirmed_at', 'f.unfollowed_at', 'c.reference'])
      .where('f.id', '=', read.followerId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return { state: 'invalid' };
    if (read.expiresAt.getTime() < options.now.getTime()) return { state: 'expired', reference: row.reference };
    // An old confirmation link does not undo an unfollow.
    if (row.confirmed_at === null && row.unfollowed_at === null) await trx.updateTable('case_follower').set({ confirmed_at: options.now }).where('id', '=', row.id).execute();
    return { state: 'done', reference: row.reference };
  });
}

/** The unfollow link's button: no more e-mails about this request to this address. */
export async function unfollowRequest(options: { db: Db; links?: SurveyLinks | undefined; token: string; now: Date }): Promise<FollowLinkResult> {
  return options.db.kysely.transaction().execute(async (trx) => {
    const read = readUnfollow(await surveyKey(trx, options.links ?? defaultSurveyLinks, options.now), options.token);
    if (!read) return { state: 'invalid' };
    const row = await trx.selectFrom('case_follower as f').innerJoin('service_case as c', 'c.id', 'f.case_id').select(['f.id', 'c.reference']).where('f.id', '=', read.followerId).executeTakeFirst();
    if (!row) return { state: 'invalid' };
    await trx.updateTable('case_follower').set({ unfollowed_at: options.now }).where('id', '=', row.id).where('unfollowed_at', 'is', null).execute();
    return { state: 'done', reference: row.reference };
  });
}

/** How many confirmed followers a case has: all staff see of them (never their addresses). */
export async function countFollowers(tx: Tx, caseId: number): Promise<number> {
  const row = await tx
    .selectFrom('case_follower')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('case_id', '=', caseId)
    .where('confirmed_at', 'is not', null)
    .where('unfollowed_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
