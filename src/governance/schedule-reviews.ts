import { DateTime } from 'luxon';
import type { Tx } from '../db/connect.js';
import { loadMunicipality } from '../directory/municipality.js';
import { councilTerms, nextDstReviewDue, nextStandardReview } from '../standard/governance.js';
import { defaultCouncilTerms } from './governance-config.js';

/**
 * CSS §8.2: every division with Division Service Targets has one open annual review, due a year
 * after its last review (or, before any, a year after its first DST version took effect); the
 * Standard has one open comprehensive review, due by the last day of the Council term after the
 * one it was last reviewed in (or its edition in force took effect). Idempotent: the sweep and the
 * pages call it, and the unique index on open reviews makes a second call a no-op.
 */
export async function scheduleReviews(trx: Tx, now: Date): Promise<string[]> {
  const municipality = await loadMunicipality(trx);
  const zone = municipality.settings.calendar.timeZone;
  const terms = councilTerms(municipality.settings.governance?.councilTerms ?? defaultCouncilTerms);
  const today = DateTime.fromJSDate(now, { zone }).toISODate()!;
  const localDate = (at: Date): string => DateTime.fromJSDate(new Date(at), { zone }).toISODate()!;
  const scheduled: string[] = [];

  const open = await trx.selectFrom('governance_review').select(['kind', 'division_id']).where('completed_at', 'is', null).execute();
  const openDivisions = new Set(open.filter((r) => r.kind === 'dst').map((r) => r.division_id));
  const divisions = await trx
    .selectFrom('division')
    .innerJoin('dst_version', 'dst_version.division_id', 'division.id')
    .select((eb) => ['division.id', 'division.name', eb.fn.min('dst_version.effective_from').as('first_effective')])
    .groupBy(['division.id', 'division.name'])
    .execute();
  const heads = await trx.selectFrom('staff_user').select(['id', 'role', 'division_id']).where('active', '=', true).where('role', 'in', ['division_head', 'manager_customer_service']).orderBy('id').execute();
  for (const d of divisions) {
    if (openDivisions.has(d.id)) continue;
    const last = await trx
      .selectFrom('governance_review')
      .select('completed_at')
      .where('kind', '=', 'dst')
      .where('division_id', '=', d.id)
      .where('completed_at', 'is not', null)
      .orderBy('completed_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    const from = last?.completed_at ? localDate(last.completed_at) : String(d.first_effective);
    const dueOn = nextDstReviewDue(from);
    const owner = heads.find((h) => h.role === 'division_head' && h.division_id === d.id)?.id ?? null;
    const inserted = await trx
      .insertInto('governance_review')
      .values({ kind: 'dst', division_id: d.id, due_on: dueOn, owner_id: owner, created_at: now })
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) scheduled.push(`${d.name}: annual DST review due ${dueOn}`);
  }

  if (!open.some((r) => r.kind === 'standard')) {
    const last = await trx
      .selectFrom('governance_review')
      .select('completed_at')
      .where('kind', '=', 'standard')
      .where('completed_at', 'is not', null)
      .orderBy('completed_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    const edition = await trx.selectFrom('standard_edition').select('effective_from').where('effective_from', '<=', today).orderBy('effective_from', 'desc').limit(1).executeTakeFirst();
    const from = last?.completed_at ? localDate(last.completed_at) : edition?.effective_from;
    const next = from ? nextStandardReview(terms, from) : undefined;
    if (next) {
      const owner = heads.find((h) => h.role === 'manager_customer_service')?.id ?? null;
      const inserted = await trx
        .insertInto('governance_review')
        .values({ kind: 'standard', term_start: next.term.start, due_on: next.dueOn, owner_id: owner, created_at: now })
        .onConflict((oc) => oc.doNothing())
        .returning('id')
        .executeTakeFirst();
      if (inserted) scheduled.push(`The Standard: comprehensive review for the Council term from ${next.term.start}, due ${next.dueOn}`);
    }
  }
  return scheduled;
}
