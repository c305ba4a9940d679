import type { Db, Tx } from '../db/connect.js';
import type { RecommendationStatus } from '../db/governance-tables.js';
import type { StaffMember } from '../directory/staff.js';
import { AppError, type ErrorDetail } from '../platform/errors.js';
import { recordGovernanceEvent } from './governance-audit.js';
import { seesAllReviews } from './governance-policy.js';

/**
 * The Working Group's recommendations (CSS §8.3): proposed, then accepted or rejected with the
 * reason, and an accepted one implemented by a DST version or an edition of the Standard. Each
 * step keeps its date and who took it; a recommendation never goes back.
 */

export interface RecommendationView {
  id: number;
  title: string;
  detail: string;
  status: RecommendationStatus;
  review: { id: number; dueOn: string; kind: 'dst' | 'standard' } | null;
  division: { code: string; name: string } | null;
  proposedAt: Date;
  proposedBy: string;
  decidedAt: Date | null;
  decidedBy: string | null;
  decisionReason: string | null;
  implementedAt: Date | null;
  implementedBy: string | null;
  implementationNote: string | null;
  dstVersion: { divisionCode: string; divisionName: string; version: number; effectiveFrom: string } | null;
  standardEdition: { edition: string; title: string } | null;
}

export function assertGovernsRecommendations(actor: StaffMember): void {
  if (!seesAllReviews(actor)) throw new AppError('FORBIDDEN', "The Working Group's recommendations are recorded by the Working Group, the Manager of Customer Service, the CAO and administrators.");
}

function query(tx: Tx) {
  return tx
    .selectFrom('wg_recommendation as w')
    .leftJoin('governance_review as r', 'r.id', 'w.review_id')
    .leftJoin('division as d', 'd.id', 'w.division_id')
    .innerJoin('staff_user as p', 'p.id', 'w.proposed_by')
    .leftJoin('staff_user as x', 'x.id', 'w.decided_by')
    .leftJoin('staff_user as i', 'i.id', 'w.implemented_by')
    .leftJoin('dst_version as v', 'v.id', 'w.dst_version_id')
    .leftJoin('division as vd', 'vd.id', 'v.division_id')
    .leftJoin('standard_edition as e', 'e.id', 'w.standard_edition_id')
    .select([
      'w.id',
      'w.title',
      'w.detail',
      'w.status',
      'w.review_id',
      'r.due_on as review_due_on',
      'r.kind as review_kind',
      'd.code as division_code',
      'd.name as division_name',
      'w.proposed_at',
      'p.name as proposed_by',
      'w.decided_at',
      'x.name as decided_by',
      'w.decision_reason',
      'w.implemented_at',
      'i.name as implemented_by',
      'w.implementation_note',
      'v.version as dst_version',
      'v.effective_from as dst_effective_from',
      'vd.code as dst_division_code',
      'vd.name as dst_division_name',
      'e.edition',
      'e.title as edition_title',
    ]);
}

type Row = Awaited<ReturnType<ReturnType<typeof query>['execute']>>[number];
const d = (v: Date | string | null): Date | null => (v === null ? null : new Date(v));

function toView(r: Row): RecommendationView {
  return {
    id: r.id,
    title: r.title,
    detail: r.detail,
    status: r.status,
    review: r.review_id !== null ? { id: r.review_id, dueOn: r.review_due_on!, kind: r.review_kind! } : null,
    division: r.division_code ? { code: r.division_code, name: r.division_name! } : null,
    proposedAt: new Date(r.proposed_at),
    proposedBy: r.proposed_by,
    decidedAt: d(r.decided_at),
    decidedBy: r.decided_by,
    decisionReason: r.decision_reason,
    implementedAt: d(r.implemented_at),
    implementedBy: r.implemented_by,
    implementationNote: r.implementation_note,
    dstVersion: r.dst_version !== null ? { divisionCode: r.dst_division_code!, divisionName: r.dst_division_name!, version: r.dst_version, effectiveFrom: r.dst_effective_from! } : null,
    standardEdition: r.edition ? { edition: r.edition, title: r.edition_title! } : null,
  };
}

export async function listRecommendations(tx: Tx, filter: { reviewId?: number } = {}): Promise<RecommendationView[]> {
  let q = query(tx);
  if (filter.reviewId !== undefined) q = q.where('w.review_id', '=', filter.reviewId);
  return (await q.orderBy('w.proposed_at', 'desc').orderBy('w.id', 'desc').execute()).map(toView);
}

export async function findRecommendation(tx: Tx, id: number): Promise<RecommendationView> {
  const row = await query(tx).where('w.id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', 'There is no such recommendation. Open the list of recommendations.');
  return toView(row);
}

const clean = (text: string | undefined): string => (text ?? '').trim();

/** §8.3: the Working Group recommends a change to the Standard or a division's DST. */
export async function proposeRecommendation(options: {
  db: Db;
  actor: StaffMember;
  title: string;
  detail: string;
  division?: string | undefined;
  reviewId?: number | undefined;
  now: Date;
}): Promise<{ id: number }> {
  const { db, actor, now } = options;
  assertGovernsRecommendations(actor);
  const problems: ErrorDetail[] = [];
  const title = clean(options.title);
  const detail = clean(options.detail);
  if (title === '') problems.push({ field: 'title', message: 'Name the recommendation, e.g. "Acknowledge noise complaints within 1 business day".' });
  if (title.length > 300) problems.push({ field: 'title', message: 'Keep the name under 300 characters.' });
  if (detail === '') problems.push({ field: 'detail', message: 'Describe the recommendation and the reasons for it.' });
  if (detail.length > 20_000) problems.push({ field: 'detail', message: 'The description is too long (at most 20,000 characters).' });
  if (problems.length > 0) throw new AppError('VALIDATION_FAILED', problems.length === 1 ? problems[0]!.message : 'Some of the recommendation needs fixing.', problems);
  return db.kysely.transaction().execute(async (trx) => {
    let divisionId: number | null = null;
    if (options.division) {
      const division = await trx.selectFrom('division').select('id').where('code', '=', options.division).executeTakeFirst();
      if (!division) throw new AppError('VALIDATION_FAILED', `There is no division "${options.division}".`, [{ field: 'division', message: 'unknown division' }]);
      divisionId = division.id;
    }
    if (options.reviewId !== undefined) {
      const review = await trx.selectFrom('governance_review').select(['id', 'division_id']).where('id', '=', options.reviewId).executeTakeFirst();
      if (!review) throw new AppError('VALIDATION_FAILED', 'That review does not exist.', [{ field: 'review', message: 'unknown review' }]);
      divisionId ??= review.division_id;
    }
    const { id } = await trx
      .insertInto('wg_recommendation')
      .values({ review_id: options.reviewId ?? null, division_id: divisionId, title, detail, proposed_at: now, proposed_by: actor.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordGovernanceEvent(trx, { actor, type: 'recommendation_proposed', data: { recommendation: id, review: options.reviewId ?? null, title }, now });
    return { id };
  });
}

/**
 * §8.3: a proposed recommendation is accepted or rejected, with the reason; an accepted one is
 * implemented by the DST version or edition of the Standard that carried it out.
 */
export async function decideRecommendation(options: {
  db: Db;
  actor: StaffMember;
  id: number;
  decision: string;
  reason?: string | undefined;
  /** For "implemented": the DST version (division code and version number) or the Standard's edition. */
  dstVersion?: { division: string; version: number } | undefined;
  standardEdition?: string | undefined;
  now: Date;
  /** Inside a caller's transaction (accepting a proposal implements its recommendation). */
  trx?: Tx;
}): Promise<void> {
  const { actor, now } = options;
  assertGovernsRecommendations(actor);
  const work = async (trx: Tx): Promise<void> => {
    const current = await findRecommendation(trx, options.id);
    const decision = options.decision;
    const reason = clean(options.reason);
    if (decision === 'accepted' || decision === 'rejected') {
      if (current.status !== 'proposed') throw new AppError('CONFLICT', `This recommendation was already ${current.status}; a decision is not changed afterwards.`);
      if (reason === '') throw new AppError('VALIDATION_FAILED', `Give the reason it is ${decision}.`, [{ field: 'reason', message: 'required' }]);
      await trx.updateTable('wg_recommendation').set({ status: decision, decided_at: now, decided_by: actor.id, decision_reason: reason }).where('id', '=', current.id).execute();
      await recordGovernanceEvent(trx, { actor, type: 'recommendation_decided', data: { recommendation: current.id, decision, reason }, now });
      return;
    }
    if (decision === 'implemented') {
      if (current.status !== 'accepted') throw new AppError('CONFLICT', `Only an accepted recommendation can be implemented; this one is ${current.status}.`);
      let dstVersionId: number | null = null;
      let editionId: number | null = null;
      if (options.dstVersion) {
        const v = await trx
          .selectFrom('dst_version')
          .innerJoin('division', 'division.id', 'dst_version.division_id')
          .select('dst_version.id')
          .where('division.code', '=', options.dstVersion.division)
          .where('dst_version.version', '=', options.dstVersion.version)
          .executeTakeFirst();
        if (!v) throw new AppError('VALIDATION_FAILED', `There is no version ${options.dstVersion.version} of ${options.dstVersion.division}'s Division Service Targets.`, [{ field: 'dstVersion', message: 'unknown version' }]);
        dstVersionId = v.id;
      } else if (options.standardEdition) {
        const e = await trx.selectFrom('standard_edition').select('id').where('edition', '=', options.standardEdition).executeTakeFirst();
        if (!e) throw new AppError('VALIDATION_FAILED', `There is no edition "${options.standardEdition}" of the Standard.`, [{ field: 'standardEdition', message: 'unknown edition' }]);
        editionId = e.id;
      } else {
        throw new AppError('VALIDATION_FAILED', 'Name the DST version or the edition of the Standard that carried out this recommendation.', [{ field: 'dstVersion', message: 'required' }]);
      }
      await trx
        .updateTable('wg_recommendation')
        .set({ status: 'implemented', implemented_at: now, implemented_by: actor.id, implementation_note: reason || null, dst_version_id: dstVersionId, standard_edition_id: editionId })
        .where('id', '=', current.id)
        .execute();
      await recordGovernanceEvent(trx, { actor, type: 'recommendation_implemented', data: { recommendation: current.id, dstVersion: options.dstVersion ?? null, standardEdition: options.standardEdition ?? null }, now });
      return;
    }
    throw new AppError('VALIDATION_FAILED', 'Choose accepted, rejected or implemented.', [{ field: 'decision', message: 'unknown decision' }]);
  };
  if (options.trx) await work(options.trx);
  else await options.db.kysely.transaction().execute(work);
}
