import { DateTime } from 'luxon';
import type { Db } from '../db/connect.js';
import { loadMunicipality } from '../directory/municipality.js';
import type { StaffMember } from '../directory/staff.js';
import { AppError } from '../platform/errors.js';
import { recordGovernanceEvent } from './governance-audit.js';
import { seesAllReviews } from './governance-policy.js';
import { findReview } from './list-reviews.js';

/** A review's owner (CSS §8.2) is chosen by the Working Group, the Manager, the CAO or an administrator. */
export async function changeReviewOwner(options: { db: Db; actor: StaffMember; reviewId: number; ownerId: number; now: Date }): Promise<void> {
  const { db, actor, now } = options;
  if (!seesAllReviews(actor)) throw new AppError('FORBIDDEN', 'Only the Working Group, the Manager of Customer Service, the CAO or an administrator can choose who owns a review.');
  await db.kysely.transaction().execute(async (trx) => {
    const zone = (await loadMunicipality(trx)).settings.calendar.timeZone;
    const review = await findReview(trx, actor, options.reviewId, DateTime.fromJSDate(now, { zone }).toISODate()!);
    if (review.state === 'done') throw new AppError('CONFLICT', 'This review is already recorded; its owner cannot change.');
    const owner = await trx.selectFrom('staff_user').select(['id', 'name']).where('id', '=', options.ownerId).where('active', '=', true).executeTakeFirst();
    if (!owner) throw new AppError('VALIDATION_FAILED', 'Choose an active staff member as the owner.', [{ field: 'owner', message: 'not an active staff member' }]);
    await trx.updateTable('governance_review').set({ owner_id: owner.id }).where('id', '=', review.id).execute();
    await recordGovernanceEvent(trx, { actor, type: 'review_owner_changed', data: { review: review.id, from: review.owner?.name ?? null, to: owner.name }, now });
  });
}
