import type { StaffMember } from '../directory/staff.js';
import { findServiceTargets } from '../directory/find-service-targets.js';
import { AppError } from '../platform/errors.js';
import { checkAttributeValues, type AttributeValues } from '../standard/attributes.js';
import { dueTimes } from '../standard/due-times.js';
import { chooseTargets } from '../standard/targets.js';
import { assertOpen, assertResponsibleDivision } from './case-policy.js';
import { recordEvent, saveCase, type CaseRow } from './case-record.js';
import { changeCase } from './case-change.js';
import type { CaseServices } from './case-services.js';
import { transferRequest, transferRequestedEvent } from './transfer-case.js';

/**
 * INTERPRETATION §5: a service request of the wrong type gets the right one. Its targets are
 * recomputed from the original receipt with the DST version in force then: the clock never restarts.
 * A type of another division transfers the case to that division with the change (CSS §3.1).
 */
export async function reclassifyCase(options: {
  services: CaseServices;
  staff: StaffMember;
  reference: string;
  input: { requestType: string; reason: string; attributes?: AttributeValues | undefined };
}): Promise<CaseRow> {
  const { services, staff, reference, input } = options;
  return changeCase(services, staff, reference, async ({ trx, caseRow, now, calendar, divisionName }) => {
    assertOpen(caseRow);
    const division = await divisionName(caseRow.division_id);
    assertResponsibleDivision(staff, caseRow, 'reclassify', division, caseRow.transfer_to_division_id ? await divisionName(caseRow.transfer_to_division_id) : undefined);
    if (caseRow.kind !== 'service_request') throw new AppError('RULE_VIOLATION', `${reference} is a general inquiry; only service requests have a request type.`);
    if (!input.reason?.trim()) throw new AppError('VALIDATION_FAILED', 'Say why the request type changes.', [{ field: 'reason', message: 'required' }]);
    const receivedAt = new Date(caseRow.received_at).getTime();
    const found = await findServiceTargets(trx, { requestTypeCode: input.requestType, receivedAt, calendar });
    // A type of another division takes the case there: it transfers with it, and stays with this
    // division until the new one confirms receipt or declines it (CSS §3.1).
    const moves = found.division.id !== caseRow.division_id;
    if (found.requestType.id === caseRow.request_type_id) throw new AppError('VALIDATION_FAILED', `${reference} already is a ${found.requestType.name}.`, [{ field: 'requestType', message: 'unchanged' }]);
    const attributes = input.attributes ?? {};
    const problems = checkAttributeValues(found.requestType.attributes, attributes, { enforceRequired: true });
    if (problems.length > 0) throw new AppError('VALIDATION_FAILED', `${problems[0]!.field}: ${problems[0]!.message}.`, problems);
    const chosen = chooseTargets(found.targets, attributes);
    const due = dueTimes(calendar, receivedAt, chosen);
    const before = await trx.selectFrom('request_type').select('code').where('id', '=', caseRow.request_type_id!).executeTakeFirstOrThrow();
    const updated = await saveCase(trx, caseRow, {
      request_type_id: found.requestType.id,
      attributes: JSON.stringify(attributes),
      dst_version_id: found.dstVersion.id,
      acknowledge_by: new Date(due.acknowledgeBy),
      resolve_by: due.resolveBy === null ? null : new Date(due.resolveBy),
      ...(moves ? transferRequest(found.division.id, staff, now, calendar) : {}),
    });
    await recordEvent(trx, {
      caseId: caseRow.id,
      at: now,
      actor: staff,
      type: 'reclassified',
      data: {
        from: before.code,
        to: found.requestType.code,
        reason: input.reason.trim(),
        acknowledgeBy: calendar.format(due.acknowledgeBy),
        resolveBy: due.resolveBy === null ? null : calendar.format(due.resolveBy),
        ...(chosen.resolve?.unit ? { resolveUnit: chosen.resolve.unit } : {}),
        previousAcknowledgeBy: calendar.format(new Date(caseRow.acknowledge_by).getTime()),
        previousResolveBy: caseRow.resolve_by ? calendar.format(new Date(caseRow.resolve_by).getTime()) : null,
        ...(moves ? { transferTo: found.division.name } : {}),
      },
    });
    if (moves) {
      const note = `Reclassified as ${found.requestType.name}, which ${found.division.name} handles: ${input.reason.trim()}`;
      await recordEvent(trx, transferRequestedEvent({ caseRow: updated, staff, now, calendar, from: division, to: found.division.name, note }));
    }
    return updated;
  });
}
