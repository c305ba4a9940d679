import type { Tx } from '../db/connect.js';
import type { StaffMember } from '../directory/staff.js';
import { AppError, isAppError } from '../platform/errors.js';
import { activeOwner, assignCase } from './assign-case.js';
import type { BulkAction } from './case-policy.js';
import type { CaseServices } from './case-services.js';
import { transferCase, transferTarget } from './transfer-case.js';

/**
 * Bulk work from a queue (issue 18 point 5): several cases assigned to one staff member, or
 * transferred to one division, at once. It is the single-case use case run once per case, each in
 * its own transaction under its own policy (case-policy.ts: assign as assertResponsibleDivision,
 * transfer as assertCanTransferOut, CSS §3.1): a case the person may not act on is refused with
 * that use case's own words and the others are done. The outcome is kept (bulk_case_work) for the
 * page that reports it.
 */

/** At most this many cases in one bulk action: two pages of a queue. */
export const bulkCaseLimit = 100;

export interface BulkOutcome {
  id: number;
  action: BulkAction;
  done: { reference: string; what: string }[];
  refused: { reference: string; why: string }[];
}

/** The references a form sent, once each, in the order sent; none, or too many, is a field error. */
export function selectedReferences(value: unknown): string[] {
  const sent = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string').map((v) => v.trim()).filter((v) => v !== '');
  const references = [...new Set(sent)];
  if (references.length === 0) {
    throw new AppError('VALIDATION_FAILED', 'Select at least one case: tick the box beside each case you want to change.', [{ field: 'cases', message: 'Select at least one case: tick the box beside each case you want to change.' }]);
  }
  if (references.length > bulkCaseLimit) {
    throw new AppError('VALIDATION_FAILED', `Select at most ${bulkCaseLimit} cases at once; you selected ${references.length}.`, [{ field: 'cases', message: `Select at most ${bulkCaseLimit} cases at once.` }]);
  }
  return references;
}

/** Runs one case's change; a refusal (any AppError) is that case's answer, not the whole action's. */
async function eachCase(references: string[], change: (reference: string) => Promise<string>): Promise<Pick<BulkOutcome, 'done' | 'refused'>> {
  const done: BulkOutcome['done'] = [];
  const refused: BulkOutcome['refused'] = [];
  for (const reference of references) {
    try {
      done.push({ reference, what: await change(reference) });
    } catch (error) {
      if (!isAppError(error)) throw error;
      refused.push({ reference: reference.slice(0, 40), why: error.message });
    }
  }
  return { done, refused };
}

async function keep(services: CaseServices, staff: StaffMember, action: BulkAction, outcome: Pick<BulkOutcome, 'done' | 'refused'>): Promise<BulkOutcome> {
  const row = await services.db.kysely
    .insertInto('bulk_case_work')
    .values({ staff_id: staff.id, at: services.clock.now(), action, outcome: JSON.stringify(outcome) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: Number(row.id), action, ...outcome };
}

/** Assigns each case to one owner, as the case page's "Assign the owner" does (INTERPRETATION §5). */
export async function bulkAssign(options: { services: CaseServices; staff: StaffMember; references: unknown; input: { ownerId: number } }): Promise<BulkOutcome> {
  const { services, staff, input } = options;
  const references = selectedReferences(options.references);
  if (!Number.isInteger(input.ownerId) || input.ownerId < 1) {
    throw new AppError('VALIDATION_FAILED', 'Choose who to assign the selected cases to.', [{ field: 'ownerId', message: 'Choose who to assign the selected cases to.' }]);
  }
  const owner = await activeOwner(services.db.kysely, input.ownerId);
  const outcome = await eachCase(references, async (reference) => {
    await assignCase({ services, staff, reference, input: { ownerId: owner.id } });
    return `Assigned to ${owner.name}.`;
  });
  return keep(services, staff, 'assign', outcome);
}

/** Transfers each case to one division with one note, as the case page's transfer form does (CSS §3.1). */
export async function bulkTransfer(options: { services: CaseServices; staff: StaffMember; references: unknown; input: { toDivision: string; note: string } }): Promise<BulkOutcome> {
  const { services, staff, input } = options;
  const references = selectedReferences(options.references);
  // Both of what the form lacks at once; transferTarget then checks the division exists.
  const missing = [
    ...(input.toDivision?.trim() ? [] : [{ field: 'toDivision', message: 'Choose the division to transfer the selected cases to.' }]),
    ...(input.note?.trim() ? [] : [{ field: 'note', message: 'A transfer needs a note for the receiving division (CSS §3.1).' }]),
  ];
  if (missing.length > 0) throw new AppError('VALIDATION_FAILED', missing[0]!.message, missing);
  const target = await transferTarget(services.db.kysely, input);
  const directory = await services.directory.get();
  const outcome = await eachCase(references, async (reference) => {
    const row = await transferCase({ services, staff, reference, input });
    const from = directory.division(row.division_id)?.name ?? 'The sending division';
    return `Sent to ${target.name}: ${from} keeps it until ${target.name} confirms receipt (CSS §3.1).`;
  });
  return keep(services, staff, 'transfer', outcome);
}

/** A bulk action's outcome, for the person who did it only (anyone else: none). */
export async function findBulkOutcome(tx: Tx, staff: StaffMember, id: number): Promise<BulkOutcome | undefined> {
  if (!Number.isSafeInteger(id) || id < 1) return undefined;
  const row = await tx.selectFrom('bulk_case_work').select(['id', 'action', 'outcome']).where('id', '=', id).where('staff_id', '=', staff.id).executeTakeFirst();
  if (!row) return undefined;
  const outcome = typeof row.outcome === 'string' ? (JSON.parse(row.outcome) as BulkOutcome) : row.outcome;
  return { id: Number(row.id), action: row.action, done: outcome.done, refused: outcome.refused };
}
