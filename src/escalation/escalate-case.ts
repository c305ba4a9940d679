import type { Tx } from '../db/connect.js';
import type { StaffMember } from '../directory/staff.js';
import { loadMunicipality } from '../directory/municipality.js';
import { escalationMessage, longDate } from '../notify/templates.js';
import { AppError } from '../platform/errors.js';
import { escalationRoles, type EscalationLevel } from '../standard/escalation.js';
import { defaultMethod, recordEvent, recordMessage, saveCase, type CaseRow } from '../cases/case-record.js';
import { notifyHeads, roleTitle } from './sweep.js';

/**
 * Escalates one case to a level (on request, or by the Manager of Customer Service from the review
 * list): the escalation row, the case's level, the audit event, the customer's notice and the
 * heads' notice, in the caller's transaction. The sweep does the same for many cases at once.
 */
export async function escalateCase(
  trx: Tx,
  options: { caseRow: CaseRow; level: EscalationLevel; reason: string; initiatedBy: 'staff' | 'public' | 'manager'; staff: StaffMember | null; now: Date },
): Promise<{ escalationId: number; role: string; headTitle: string; caseRow: CaseRow }> {
  const { caseRow, level, reason, initiatedBy, staff, now } = options;
  const division = await trx
    .selectFrom('division')
    .innerJoin('department', 'department.id', 'division.department_id')
    .select(['division.id', 'division.name', 'division.head_title as division_head', 'department.id as department_id', 'department.head_title as department_head'])
    .where('division.id', '=', caseRow.division_id)
    .executeTakeFirstOrThrow();
  const inserted = await trx
    .insertInto('escalation')
    .values({
      case_id: caseRow.id,
      level,
      escalated_at: now,
      reason,
      division_id: division.id,
      department_id: division.department_id,
      initiated_by: initiatedBy,
      initiated_by_staff_id: staff?.id ?? null,
    })
    .onConflict((oc) => oc.columns(['case_id', 'level']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) throw new AppError('CONFLICT', `${caseRow.reference} has already been escalated to level ${level}.`);
  const updated = await saveCase(trx, caseRow, { escalation_level: level, escalated_at: now });
  const headTitle = roleTitle({ division_head: division.division_head, department_head: division.department_head }, level);
  const role = escalationRoles[level];
  await recordEvent(trx, { caseId: caseRow.id, at: now, actor: staff ?? initiatedBy, type: 'escalated', data: { level, role: headTitle, reason, initiatedBy } });
  const municipality = await loadMunicipality(trx);
  const type = caseRow.request_type_id ? await trx.selectFrom('request_type').select('name').where('id', '=', caseRow.request_type_id).executeTakeFirst() : undefined;
  const message = escalationMessage({
    municipality: municipality.name,
    reference: caseRow.reference,
    customerName: caseRow.customer_name,
    what: type ? `service request (${type.name})` : 'service request',
    divisionName: division.name,
    levelRole: role,
    headTitle,
    reason,
  });
  await recordMessage(trx, { caseRow, at: now, kind: 'escalation', automated: true, method: caseRow.customer_email ? 'email' : defaultMethod(caseRow), sentBy: null, ...message });
  await notifyHeads(
    trx,
    [{ reference: caseRow.reference, typeName: type?.name ?? null, divisionName: division.name, divisionId: division.id, departmentId: division.department_id, level, reason }],
    now,
    longDate(now, municipality.settings.calendar.timeZone),
    municipality.name,
  );
  return { escalationId: inserted.id, role, headTitle, caseRow: updated };
}
