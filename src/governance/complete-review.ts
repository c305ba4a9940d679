import { DateTime } from 'luxon';
import type { Db } from '../db/connect.js';
import { loadMunicipality } from '../directory/municipality.js';
import type { StaffMember } from '../directory/staff.js';
import { AppError, type ErrorDetail } from '../platform/errors.js';
import { recordGovernanceEvent } from './governance-audit.js';
import { seesAllReviews } from './governance-policy.js';
import { findReview } from './list-reviews.js';
import { scheduleReviews } from './schedule-reviews.js';

/**
 * CSS §8.2: a review is done with its findings and its outcome: no change, or a proposed change
 * (which becomes the Working Group's recommendation, linked to the review). The next review is
 * scheduled in the same transaction: a division's a year later, the Standard's in the next
 * Council term. Its owner, or the Working Group, the Manager, the CAO or an administrator, may
 * record it.
 */
export async function completeReview(options: {
  db: Db;
  actor: StaffMember;
  reviewId: number;
  findings: string;
  outcome: string;
  recommendation?: { title: string; detail: string } | undefined;
  now: Date;
}): Promise<{ nextReviews: string[]; recommendationId: number | null }> {
  const { db, actor, now } = options;
  return db.kysely.transaction().execute(async (trx) => {
    const zone = (await loadMunicipality(trx)).settings.calendar.timeZone;
    const today = DateTime.fromJSDate(now, { zone }).toISODate()!;
    const review = await findReview(trx, actor, options.reviewId, today);
    if (!seesAllReviews(actor) && review.owner?.id !== actor.id) {
      throw new AppError('FORBIDDEN', `Only the review's owner (${review.owner?.name ?? 'not assigned'}), the Working Group, the Manager of Customer Service, the CAO or an administrator can record this review.`);
    }
    if (review.state === 'done') throw new AppError('CONFLICT', `This review was already recorded on ${review.completedAt!.toISOString().slice(0, 10)} by ${review.completedBy}; it cannot be changed.`);
    const problems: ErrorDetail[] = [];
    const findings = options.findings.trim();
    if (findings === '') problems.push({ field: 'findings', message: 'Write the review’s findings: what was looked at and what was found.' });
    if (findings.length > 20_000) problems.push({ field: 'findings', message: 'The findings are too long (at most 20,000 characters); attach the full report elsewhere and summarize here.' });
    const outcome = options.outcome === 'no_change' || options.outcome === 'proposed_change' ? options.outcome : undefined;
    if (!outcome) problems.push({ field: 'outcome', message: 'Choose the outcome: no change, or a proposed change.' });
    const title = options.recommendation?.title.trim() ?? '';
    const detail = options.recommendation?.detail.trim() ?? '';
    if (outcome === 'proposed_change') {
      if (title === '') problems.push({ field: 'recommendationTitle', message: 'Name the proposed change, e.g. "Resolve potholes on class 3 roads within 5 days".' });
      if (detail === '') problems.push({ field: 'recommendationDetail', message: 'Describe the proposed change and why.' });
      if (title.length > 300) problems.push({ field: 'recommendationTitle', message: 'Keep the name of the change under 300 characters.' });
    }
    if (problems.length > 0) throw new AppError('VALIDATION_FAILED', problems.length === 1 ? problems[0]!.message : 'Some of the review needs fixing.', problems);

    const updated = await trx
      .updateTable('governance_review')
      .set({ completed_at: now, completed_by: actor.id, findings, outcome: outcome! })
      .where('id', '=', review.id)
      .where('completed_at', 'is', null)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) throw new AppError('CONFLICT', 'Someone recorded this review a moment ago. Open it again to see what they wrote.');
    let recommendationId: number | null = null;
    if (outcome === 'proposed_change') {
      recommendationId = (
        await trx
          .insertInto('wg_recommendation')
          .values({ review_id: review.id, division_id: review.division?.id ?? null, title, detail, proposed_at: now, proposed_by: actor.id })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
      await recordGovernanceEvent(trx, { actor, type: 'recommendation_proposed', data: { recommendation: recommendationId, review: review.id, title }, now });
    }
    await recordGovernanceEvent(trx, { actor, type: 'review_completed', data: { review: review.id, kind: review.kind, division: review.division?.code ?? null, dueOn: review.dueOn, outcome }, now });
    const nextReviews = await scheduleReviews(trx, now);
    return { nextReviews, recommendationId };
  });
}
