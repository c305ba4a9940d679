import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import { changeDivisionTargets } from '../directory/change-service-targets.js';
import type { StaffMember } from '../directory/staff.js';
import { AppError } from '../platform/errors.js';
import { formatTarget, type ServiceTargets } from '../standard/targets.js';
import { recordGovernanceEvent } from './governance-audit.js';
import { findProposal } from './proposals.js';
import { decideRecommendation } from './recommendations.js';

const words = (t: ServiceTargets) => ({
  acknowledge: formatTarget(t.acknowledge),
  resolve: formatTarget(t.resolve),
  byValue: t.byAttribute
    ? Object.fromEntries(
        Object.entries(t.byAttribute.values).map(([v, x]) => [v, { acknowledge: x.acknowledge ? formatTarget(x.acknowledge) : undefined, resolve: x.resolve ? formatTarget(x.resolve) : undefined }]),
      )
    : undefined,
});

/**
 * CSS §8.3, INTERPRETATION §8: a proposal the Working Group accepts becomes a new DST version of
 * each division it concerns, taking effect on the chosen date, through the directory's DST change
 * (the same checks, audited in directory_event). The division's staff are then asked to read the
 * new version when it takes effect (CSS §7.2, training.ts). A recommendation the proposal carries
 * out is recorded as implemented by those versions. All in one transaction.
 */
export async function acceptProposal(options: { db: Db; actor: StaffMember; id: number; effectiveFrom: string; note?: string | undefined; now: Date }): Promise<{ versions: { divisionName: string; version: number; effectiveFrom: string }[] }> {
  const { db, actor, now } = options;
  return db.kysely.transaction().execute(async (trx) => {
    if (db.engine === 'postgres') await sql`select pg_advisory_xact_lock(72657002)`.execute(trx);
    const proposal = await findProposal(trx, actor, options.id);
    const locked = await trx.selectFrom('target_proposal').select('status').where('id', '=', proposal.id).forUpdate().executeTakeFirstOrThrow();
    if (locked.status !== 'draft') throw new AppError('CONFLICT', 'This proposal was already accepted.');
    if (proposal.replayedAt === null) throw new AppError('RULE_VIOLATION', 'Replay the proposal against past cases before accepting it, so the Working Group sees what it would change.');
    const changes = Object.entries(proposal.targets).map(([requestType, targets]) => ({ requestType, targets: words(targets) }));
    const created = await changeDivisionTargets(trx, {
      actor,
      changes,
      effectiveFrom: options.effectiveFrom,
      note: options.note?.trim() || `Working Group proposal "${proposal.title}", accepted by ${actor.name}`,
      now,
    });
    await trx
      .updateTable('target_proposal')
      .set({ status: 'accepted', accepted_at: now, accepted_by: actor.id, effective_from: options.effectiveFrom.trim(), dst_version_ids: created.map((c) => c.versionId), updated_at: now })
      .where('id', '=', proposal.id)
      .execute();
    await recordGovernanceEvent(trx, { actor, type: 'proposal_accepted', data: { proposal: proposal.id, effectiveFrom: options.effectiveFrom.trim(), versions: created.map((c) => `${c.divisionName} v${c.version}`) }, now });
    if (proposal.recommendationId !== null && created.length > 0) {
      const r = await trx.selectFrom('wg_recommendation').select(['status', 'division_id']).where('id', '=', proposal.recommendationId).executeTakeFirstOrThrow();
      // The version of the recommendation's own division, if the proposal made one; else the first.
      const version = created.find((c) => c.divisionId === r.division_id) ?? created[0]!;
      const division = (await trx.selectFrom('division').select('code').where('id', '=', version.divisionId).executeTakeFirstOrThrow()).code;
      if (r.status === 'proposed') await decideRecommendation({ db, trx, actor, id: proposal.recommendationId, decision: 'accepted', reason: `Accepted with the proposal "${proposal.title}" after its replay.`, now });
      if (r.status === 'proposed' || r.status === 'accepted') {
        await decideRecommendation({ db, trx, actor, id: proposal.recommendationId, decision: 'implemented', dstVersion: { division, version: version.version }, reason: `Carried out by the proposal "${proposal.title}".`, now });
      }
    }
    return { versions: created.map((c) => ({ divisionName: c.divisionName, version: c.version, effectiveFrom: c.effectiveFrom })) };
  });
}
