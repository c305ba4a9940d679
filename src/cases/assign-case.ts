import type { Tx } from '../db/connect.js';
import type { StaffMember } from '../directory/staff.js';
import { AppError } from '../platform/errors.js';
import { assertOpen, assertResponsibleDivision } from './case-policy.js';
import { recordEvent, saveCase, type CaseRow } from './case-record.js';
import { changeCase } from './case-change.js';
import type { CaseServices } from './case-services.js';

/** The staff member a case is to be assigned to: an active account, or a field error. */
export async function activeOwner(tx: Tx, ownerId: number): Promise<{ id: number; name: string; division_id: number | null }> {
  const owner = await tx.selectFrom('staff_user').select(['id', 'name', 'division_id', 'active']).where('id', '=', ownerId).executeTakeFirst();
  if (!owner || !owner.active) throw new AppError('VALIDATION_FAILED', `There is no active staff member ${ownerId}.`, [{ field: 'ownerId', message: 'unknown staff member' }]);
  return owner;
}

/** INTERPRETATION §5: every open case has an owner, a member of the responsible division. */
export async function assignCase(options: { services: CaseServices; staff: StaffMember; reference: string; input: { ownerId: number } }): Promise<CaseRow> {
  const { services, staff, reference, input } = options;
  return changeCase(services, staff, reference, async ({ trx, caseRow, now, divisionName }) => {
    assertOpen(caseRow);
    const division = await divisionName(caseRow.division_id);
    assertResponsibleDivision(staff, caseRow, 'assign', division, caseRow.transfer_to_division_id ? await divisionName(caseRow.transfer_to_division_id) : undefined);
    const owner = await activeOwner(trx, input.ownerId);
    if (owner.division_id !== caseRow.division_id) {
      throw new AppError('VALIDATION_FAILED', `${owner.name} is not in ${division}; the owner must be a member of the responsible division.`, [{ field: 'ownerId', message: 'not in the division' }]);
    }
    const updated = await saveCase(trx, caseRow, { owner_id: owner.id });
    await recordEvent(trx, { caseId: caseRow.id, at: now, actor: staff, type: 'assigned', data: { ownerId: owner.id, owner: owner.name, previousOwnerId: caseRow.owner_id } });
    return updated;
  });
}
