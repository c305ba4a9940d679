import type { MessageMethod } from '../db/schema.js';
import type { StaffMember } from '../directory/staff.js';
import { updateMessage } from '../notify/templates.js';
import { AppError } from '../platform/errors.js';
import { assertOpen, assertResponsibleDivision } from './case-policy.js';
import { checkMethod, defaultMethod, recordEvent, recordMessage, saveCase, type CaseRow } from './case-record.js';
import { changeCase, parsePromisedDate } from './case-change.js';
import type { CaseServices } from './case-services.js';

/** The date the customer holds: the last one promised, else the resolution target. */
export function heldDate(c: Pick<CaseRow, 'committed_by' | 'resolve_by'>): Date | null {
  const d = c.committed_by ?? c.resolve_by;
  return d === null ? null : new Date(d);
}

/**
 * §3.3 ongoing communication, INTERPRETATION §5: the current status and a revised timeline, with
 * the reason, sent to the customer. The new date becomes the committed date; compliance is still
 * measured against the original targets. Without a new date it is a progress note: the status
 * alone, and the date the customer already holds still stands; once that date has passed, a
 * note cannot say it does, so it must come with a revised timeline.
 */
export async function sendUpdate(options: {
  services: CaseServices;
  staff: StaffMember;
  reference: string;
  input: { status: string; timeline?: string | undefined; reason?: string | undefined; method?: MessageMethod | undefined };
}): Promise<CaseRow> {
  const { services, staff, reference, input } = options;
  return changeCase(services, staff, reference, async ({ trx, caseRow, now, calendar, divisionName, messageContext }) => {
    assertOpen(caseRow);
    assertResponsibleDivision(staff, caseRow, 'update', await divisionName(caseRow.division_id), caseRow.transfer_to_division_id ? await divisionName(caseRow.transfer_to_division_id) : undefined);
    if (!caseRow.acknowledged_at) {
      throw new AppError('RULE_VIOLATION', `${reference} has not been acknowledged yet: acknowledge it first (with next steps and contact information), then send updates.`);
    }
    if (!input.status?.trim()) throw new AppError('VALIDATION_FAILED', 'Say where things stand (the current status).', [{ field: 'status', message: 'required' }]);
    const method = input.method ?? defaultMethod(caseRow);
    if (!input.timeline?.trim()) {
      const held = heldDate(caseRow);
      if (held !== null && held.getTime() <= now.getTime()) {
        throw new AppError(
          'RULE_VIOLATION',
          `The date the customer holds for ${reference}, ${calendar.format(held.getTime()).slice(0, 10)}, has passed: give a revised timeline with the reason (CSS §3.3), not a note alone.`,
          [{ field: 'timeline', message: 'The date the customer holds has passed: give a revised timeline with the reason (CSS §3.3).' }],
        );
      }
      checkMethod(caseRow, method);
      const updated = await saveCase(trx, caseRow, { last_update_at: now });
      await recordEvent(trx, { caseId: caseRow.id, at: now, actor: staff, type: 'progress_note', data: { status: input.status.trim(), method, stands: held ? calendar.format(held.getTime()) : null } });
      const message = updateMessage({ ...messageContext(caseRow, caseRow.division_id), staffName: staff.name, status: input.status.trim(), heldDate: held?.getTime() ?? null });
      await recordMessage(trx, { caseRow, at: now, kind: 'update', automated: false, method, sentBy: staff, ...message });
      return updated;
    }
    if (!input.reason?.trim()) throw new AppError('VALIDATION_FAILED', 'Give the reason for the revised timeline.', [{ field: 'reason', message: 'required' }]);
    const timeline = parsePromisedDate(input.timeline, 'timeline', calendar, now);
    checkMethod(caseRow, method);
    const updated = await saveCase(trx, caseRow, {
      committed_by: timeline,
      revised_at: now,
      ...(caseRow.kind === 'service_request' ? { revised_resolve_by: timeline } : {}),
      last_update_at: now,
    });
    await recordEvent(trx, {
      caseId: caseRow.id,
      at: now,
      actor: staff,
      type: 'updated',
      data: {
        status: input.status.trim(),
        timeline: calendar.format(timeline.getTime()),
        previousTimeline: caseRow.committed_by ? calendar.format(new Date(caseRow.committed_by).getTime()) : null,
        reason: input.reason.trim(),
        method,
      },
    });
    const context = messageContext(caseRow, caseRow.division_id);
    const message = updateMessage({ ...context, staffName: staff.name, status: input.status.trim(), newDate: timeline.getTime(), reason: input.reason.trim() });
    await recordMessage(trx, { caseRow, at: now, kind: 'update', automated: false, method, sentBy: staff, ...message });
    return updated;
  });
}
