import type { Db } from '../db/connect.js';
import type { StaffMember } from '../directory/staff.js';
import { AppError } from '../platform/errors.js';
import { recordGovernanceEvent } from './governance-audit.js';
import { documentTitle, listTrainingFor, type TrainingItem } from './training.js';

/**
 * CSS §7.2: a staff member confirms they have read the Standard's current edition, or their own
 * division's current DST version. Recorded with the version read; acknowledging again changes
 * nothing. Only documents the person is asked to read can be acknowledged: an old version, or
 * another division's targets, cannot.
 */
export async function acknowledgeDocument(options: {
  db: Db;
  actor: StaffMember;
  document: { kind: 'standard'; edition: string } | { kind: 'dst'; division: string; version: number };
  now: Date;
}): Promise<{ item: TrainingItem; alreadyAcknowledged: boolean }> {
  const { db, actor, now, document } = options;
  return db.kysely.transaction().execute(async (trx) => {
    const { items } = await listTrainingFor(trx, actor.id, now);
    const item = items.find((i) =>
      document.kind === 'standard'
        ? i.document.kind === 'standard' && i.document.edition === document.edition
        : i.document.kind === 'dst' && i.document.divisionCode === document.division && i.document.version === document.version,
    );
    if (!item) {
      const asked = items.map((i) => documentTitle(i.document)).join('; ');
      throw new AppError(
        'RULE_VIOLATION',
        `That is not a document you are asked to read. ${asked ? `You are asked to read: ${asked}.` : 'You have nothing to read right now.'} Open it from your training page.`,
      );
    }
    if (item.acknowledgedAt !== null) return { item, alreadyAcknowledged: true };
    const d = item.document;
    const inserted = await trx
      .insertInto('training_acknowledgment')
      .values({
        staff_user_id: actor.id,
        standard_edition_id: d.kind === 'standard' ? d.editionId : null,
        dst_version_id: d.kind === 'dst' ? d.dstVersionId : null,
        division_id: d.kind === 'dst' ? d.divisionId : null,
        acknowledged_at: now,
      })
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) return { item, alreadyAcknowledged: true };
    await recordGovernanceEvent(trx, {
      actor,
      type: 'document_acknowledged',
      data: d.kind === 'standard' ? { document: 'standard', edition: d.edition } : { document: 'dst', division: d.divisionCode, version: d.version },
      now,
    });
    return { item: { ...item, acknowledgedAt: now.getTime(), status: 'done' }, alreadyAcknowledged: false };
  });
}
