import type { StaffMember } from '../directory/staff.js';
import { duplicateMessage, duplicateUndoneMessage } from '../notify/templates.js';
import { AppError } from '../platform/errors.js';
import { assertCanView, assertOpen, assertResponsibleDivision } from './case-policy.js';
import { caseScope, changeCase } from './case-change.js';
import { checkReference, defaultMethod, recordEvent, recordMessage, saveCase, type CaseRow } from './case-record.js';
import type { CaseServices } from './case-services.js';

/**
 * Issue 18, duplicates and merge: a staff member of the responsible division marks a request as a
 * duplicate of another report of the same problem. The duplicate closes pointing at its parent,
 * its customer is told (through the outbox) and follows the parent's updates from then on; the
 * parent's timeline lists it; the KPIs count the two once (migration 060). Undoing it opens the
 * duplicate again with its original targets. Both are events in both cases' histories.
 */
export async function markDuplicate(options: { services: CaseServices; staff: StaffMember; reference: string; input: { parent: string; reason?: string | undefined } }): Promise<CaseRow> {
  const { services, staff, reference, input } = options;
  const parentReference = (input.parent ?? '').trim().toUpperCase();
  if (parentReference === '') {
    throw new AppError('VALIDATION_FAILED', 'Give the reference of the request this one duplicates, e.g. SR-2026-000123.', [{ field: 'parent', message: 'required' }]);
  }
  try {
    checkReference(parentReference);
  } catch {
    throw new AppError('VALIDATION_FAILED', `"${parentReference.slice(0, 40)}" is not a reference number; they look like SR-2026-000123.`, [{ field: 'parent', message: 'not a reference number' }]);
  }
  if (parentReference === reference) throw new AppError('VALIDATION_FAILED', `${reference} cannot be a duplicate of itself: give the other request's reference.`, [{ field: 'parent', message: 'the same request' }]);
  return changeCase(services, staff, reference, async ({ trx, caseRow, now, divisionName, messageContext }) => {
    assertOpen(caseRow);
    assertResponsibleDivision(staff, caseRow, 'merge', divisionName(caseRow.division_id), caseRow.transfer_to_division_id ? divisionName(caseRow.transfer_to_division_id) : undefined);
    const parent = await trx.selectFrom('service_case').selectAll().where('reference', '=', parentReference).forUpdate().executeTakeFirst();
    const notFound = new AppError('VALIDATION_FAILED', `There is no request ${parentReference} that you can see: check the reference.`, [{ field: 'parent', message: 'no such request' }]);
    if (!parent) throw notFound;
    try {
      assertCanView(staff, await caseScope(trx, parent), parentReference);
    } catch {
      throw notFound;
    }
    if (parent.kind !== caseRow.kind) {
      throw new AppError('VALIDATION_FAILED', `${parentReference} is ${parent.kind === 'inquiry' ? 'a general inquiry' : 'a service request'} and ${reference} is not: a duplicate is another report of the same thing.`, [
        { field: 'parent', message: 'a different kind of contact' },
      ]);
    }
    if (parent.duplicate_of_id !== null) {
      const root = await trx.selectFrom('service_case').select('reference').where('id', '=', parent.duplicate_of_id).executeTakeFirstOrThrow();
      throw new AppError('VALIDATION_FAILED', `${parentReference} is itself a duplicate of ${root.reference}: mark ${reference} a duplicate of ${root.reference} instead.`, [{ field: 'parent', message: 'itself a duplicate' }]);
    }
    if (parent.status !== 'open') {
      throw new AppError('VALIDATION_FAILED', `${parentReference} is resolved: resolve ${reference} with its own message instead, or reopen ${parentReference} first.`, [{ field: 'parent', message: 'resolved' }]);
    }
    const own = await trx.selectFrom('service_case').select('reference').where('duplicate_of_id', '=', caseRow.id).orderBy('id').execute();
    if (own.length > 0) {
      throw new AppError('RULE_VIOLATION', `${reference} has duplicates of its own (${own.map((d) => d.reference).join(', ')}): undo those first, or mark ${parentReference} a duplicate of ${reference} instead.`);
    }
    const reason = input.reason?.trim() || null;
    const updated = await saveCase(trx, caseRow, {
      status: 'resolved',
      resolved_at: now,
      resolved_by: staff.id,
      resolution: `Closed as a duplicate of ${parentReference}: the work goes on under that reference.`,
      duplicate_of_id: parent.id,
      merged_at: now,
    });
    await recordEvent(trx, { caseId: caseRow.id, at: now, actor: staff, type: 'marked_duplicate', data: { parent: parentReference, ...(reason ? { reason } : {}) } });
    await recordEvent(trx, { caseId: parent.id, at: now, actor: staff, type: 'duplicate_added', data: { duplicate: reference, ...(reason ? { reason } : {}) } });
    const context = messageContext(caseRow, parent.division_id);
    const message = duplicateMessage({ ...context, parentReference, reason });
    await recordMessage(trx, { caseRow, at: now, kind: 'resolution', automated: false, method: defaultMethod(caseRow), sentBy: staff, ...message });
    return updated;
  });
}

/** Issue 18: a duplicate marked by mistake opens again under its own reference, its targets unchanged; the customer is told. */
export async function undoDuplicate(options: { services: CaseServices; staff: StaffMember; reference: string; input: { reason: string } }): Promise<CaseRow> {
  const { services, staff, reference, input } = options;
  return changeCase(services, staff, reference, async ({ trx, caseRow, now, divisionName, messageContext }) => {
    if (caseRow.duplicate_of_id === null) throw new AppError('CONFLICT', `${reference} is not marked as a duplicate: there is nothing to undo.`);
    assertResponsibleDivision(staff, caseRow, 'merge', divisionName(caseRow.division_id));
    if (!input.reason?.trim()) throw new AppError('VALIDATION_FAILED', 'Say why it is not a duplicate after all: the customer is told.', [{ field: 'reason', message: 'required' }]);
    const parent = await trx.selectFrom('service_case').select(['id', 'reference']).where('id', '=', caseRow.duplicate_of_id).executeTakeFirstOrThrow();
    const reason = input.reason.trim();
    const updated = await saveCase(trx, caseRow, { status: 'open', resolved_at: null, resolved_by: null, resolution: null, duplicate_of_id: null, merged_at: null });
    await recordEvent(trx, { caseId: caseRow.id, at: now, actor: staff, type: 'duplicate_undone', data: { parent: parent.reference, reason } });
    await recordEvent(trx, { caseId: parent.id, at: now, actor: staff, type: 'duplicate_removed', data: { duplicate: reference, reason } });
    const context = messageContext(caseRow, caseRow.division_id);
    await recordMessage(trx, { caseRow, at: now, kind: 'reopened', automated: false, method: defaultMethod(caseRow), sentBy: staff, ...duplicateUndoneMessage({ ...context, parentReference: parent.reference, reason }) });
    return updated;
  });
}

/** The duplicates of a case, for its page: reference, when merged. */
export async function listDuplicates(tx: CaseServices['db']['kysely'], caseId: number): Promise<{ reference: string; mergedAt: Date }[]> {
  const rows = await tx.selectFrom('service_case').select(['reference', 'merged_at']).where('duplicate_of_id', '=', caseId).orderBy('merged_at').orderBy('id').execute();
  return rows.map((r) => ({ reference: r.reference, mergedAt: new Date(r.merged_at as unknown as string) }));
}
