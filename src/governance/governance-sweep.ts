import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import { loadMunicipality } from '../directory/municipality.js';
import { enqueueMail } from '../notify/outbox.js';
import { longDate } from '../notify/templates.js';
import { scheduleReviews } from './schedule-reviews.js';
import { documentHref, documentTitle, listAllTraining, type TrainingItem } from './training.js';

/**
 * The governance step of the background sweep (CSS §7.2, INTERPRETATION §8): a reminder to each
 * person whose acknowledgment comes due soon, and an overdue notice to each whose due date has
 * passed, each once per person and document. An advisory lock lets one sweeper work at a time;
 * the unique constraint on training_notice makes a second one's inserts no-ops, and mail is
 * written only for the notices this sweep inserted, in the same transaction.
 */

export const governanceSweepLockKey = 72_657_016;

export interface GovernanceSweepResult {
  skipped: boolean;
  reminders: { staffId: number; document: string }[];
  overdue: { staffId: number; document: string }[];
  /** Reviews scheduled by this sweep (the next annual DST review, the next Standard review). */
  reviewsScheduled: string[];
}

export async function sweepGovernance(options: { db: Db; now: Date }): Promise<GovernanceSweepResult> {
  const { db, now } = options;
  const result: GovernanceSweepResult = { skipped: false, reminders: [], overdue: [], reviewsScheduled: [] };
  await db.kysely.transaction().execute(async (trx) => {
    const locked = (await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${governanceSweepLockKey}) as locked`.execute(trx)).rows[0]!.locked;
    if (!locked) {
      result.skipped = true;
      return;
    }
    const municipality = await loadMunicipality(trx);
    const { staff, items, zone } = await listAllTraining(trx, now);
    const byId = new Map(staff.map((s) => [s.id, s]));
    const t = now.getTime();
    for (const item of items) {
      if (item.status === 'done') continue;
      const kind = t > item.dueAt ? 'overdue' : t >= item.remindAt ? 'reminder' : undefined;
      if (!kind) continue;
      const d = item.document;
      const inserted = await trx
        .insertInto('training_notice')
        .values({
          staff_user_id: item.staffId,
          standard_edition_id: d.kind === 'standard' ? d.editionId : null,
          dst_version_id: d.kind === 'dst' ? d.dstVersionId : null,
          kind,
          due_at: new Date(item.dueAt),
          sent_at: now,
        })
        .onConflict((oc) => oc.doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) continue;
      const person = byId.get(item.staffId)!;
      await enqueueMail(trx, { to: person.email, ...trainingNotice({ kind, item, name: person.name, zone, municipality: municipality.name }), now });
      (kind === 'overdue' ? result.overdue : result.reminders).push({ staffId: item.staffId, document: documentTitle(d) });
    }
    result.reviewsScheduled = await scheduleReviews(trx, now);
  });
  return result;
}

/** The reminder and the overdue notice (plain text; the console link is the page's path). */
export function trainingNotice(c: { kind: 'reminder' | 'overdue'; item: TrainingItem; name: string; zone: string; municipality: string }): { subject: string; body: string } {
  const title = documentTitle(c.item.document);
  const due = longDate(c.item.dueAt, c.zone);
  const first = c.name.split(' ')[0] ?? c.name;
  return c.kind === 'reminder'
    ? {
        subject: `Reminder: please read ${title} by ${due}`,
        body: [
          `${first},`,
          `As part of the Corporate Customer Service Standard (CSS §7.2), every staff member reads the Standard and their division's Division Service Targets. Please read ${title} and confirm you have read it by ${due}.`,
          `Open it in citydesk: Home, then "What to read" (${documentHref(c.item.document)}).`,
          `citydesk, ${c.municipality}`,
        ].join('\n\n'),
      }
    : {
        subject: `Overdue: ${title} was due to be read by ${due}`,
        body: [
          `${first},`,
          `Your confirmation that you have read ${title} was due by ${due} (CSS §7.2) and has not been recorded. Please read it and confirm in citydesk now: Home, then "What to read" (${documentHref(c.item.document)}).`,
          'Your Division Head and the Manager of Customer Service see which staff have read it.',
          `citydesk, ${c.municipality}`,
        ].join('\n\n'),
      };
}
