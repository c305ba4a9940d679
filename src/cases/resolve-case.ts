import type { MessageMethod } from '../db/schema.js';
import type { StaffMember } from '../directory/staff.js';
import { reopenedMessage, resolutionMessage } from '../notify/templates.js';
import { AppError } from '../platform/errors.js';
import { completionDays } from '../standard/performance-indicators.js';
import { assertOpen, assertResponsibleDivision } from './case-policy.js';
import { checkMethod, defaultMethod, recordEvent, recordMessage, saveCase, type CaseRow } from './case-record.js';
import { changeCase } from './case-change.js';
import type { CaseServices } from './case-services.js';

/**
 * The responsible division resolves a case with a resolution message to the customer. A case
 * resolved before it was acknowledged counts as acknowledged at resolution: the resolution message
 * confirms receipt, names the division and gives the contact.
 */
export async function resolveCase(options: {
  services: CaseServices;
  staff: StaffMember;
  reference: string;
  input: { resolution: string; method?: MessageMethod | undefined };
}): Promise<CaseRow> {
  const { services, staff, reference, input } = options;
  return changeCase(services, staff, reference, async ({ trx, caseRow, now, calendar, divisionName, messageContext }) => {
    assertOpen(caseRow);
    assertResponsibleDivision(staff, caseRow, 'resolve', await divisionName(caseRow.division_id), caseRow.transfer_to_division_id ? await divisionName(caseRow.transfer_to_division_id) : undefined);
    if (!input.resolution?.trim()) {
      throw new AppError('VALIDATION_FAILED', 'Write the resolution message: what was done, in words the customer understands.', [{ field: 'resolution', message: 'required' }]);
    }
    const method = input.method ?? defaultMethod(caseRow);
    checkMethod(caseRow, method);
    const updated = await saveCase(trx, caseRow, {
      status: 'resolved',
      resolved_at: now,
      resolved_by: staff.id,
      resolution: input.resolution.trim(),
      completion_business_days: completionDays(calendar, new Date(caseRow.received_at).getTime(), now.getTime()).businessDays,
      ...(caseRow.acknowledged_at ? {} : { acknowledged_at: now, acknowledged_by: staff.id }),
    });
    await recordEvent(trx, {
      caseId: caseRow.id,
      at: now,
      actor: staff,
      type: 'resolved',
      data: {
        resolution: input.resolution.trim(),
        method,
        ...(caseRow.resolve_by ? { onTime: now.getTime() <= new Date(caseRow.resolve_by).getTime(), resolveBy: calendar.format(new Date(caseRow.resolve_by).getTime()) } : {}),
        ...(caseRow.acknowledged_at ? {} : { acknowledgedAtResolution: true }),
      },
    });
    const context = messageContext(caseRow, caseRow.division_id);
    const message = resolutionMessage({ ...context, staffName: staff.name, resolution: input.resolution.trim() });
    await recordMessage(trx, { caseRow, at: now, kind: 'resolution', automated: false, method, sentBy: staff, ...message });
    return updated;
  });
}

/** The customer says it is not resolved: the case opens again, its original targets unchanged. */
export async function reopenCase(options: { services: CaseServices; staff: StaffMember; reference: string; input: { reason: string } }): Promise<CaseRow> {
  const { services, staff, reference, input } = options;
  return changeCase(services, staff, reference, async ({ trx, caseRow, now, divisionName, messageContext }) => {
    if (caseRow.status !== 'resolved') throw new AppError('CONFLICT', `${reference} is open; only a resolved case can be reopened.`);
    assertResponsibleDivision(staff, caseRow, 'reopen', await divisionName(caseRow.division_id));
    if (!input.reason?.trim()) throw new AppError('VALIDATION_FAILED', 'Say why the case is reopened.', [{ field: 'reason', message: 'required' }]);
    const updated = await saveCase(trx, caseRow, { status: 'open', resolved_at: null, resolved_by: null, resolution: null, committed_by: null, completion_business_days: null });
    await recordEvent(trx, { caseId: caseRow.id, at: now, actor: staff, type: 'reopened', data: { reason: input.reason.trim(), previousResolution: caseRow.resolution } });
    const context = messageContext(caseRow, caseRow.division_id);
    const message = reopenedMessage({ ...context, reason: input.reason.trim() });
    await recordMessage(trx, { caseRow, at: now, kind: 'reopened', automated: false, method: defaultMethod(caseRow), sentBy: staff, ...message });
    return updated;
  });
}
