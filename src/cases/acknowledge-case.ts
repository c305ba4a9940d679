import type { MessageMethod } from '../db/schema.js';
import type { StaffMember } from '../directory/staff.js';
import { acknowledgmentMessage } from '../notify/templates.js';
import { AppError } from '../platform/errors.js';
import { undeliverableAddress } from '../mail/case-mail.js';
import { assertOpen, assertResponsibleDivision } from './case-policy.js';
import { checkMethod, defaultMethod, recordEvent, recordMessage, saveCase, type CaseRow } from './case-record.js';
import { changeCase, parsePromisedDate } from './case-change.js';
import { caseResolutionUnit } from './resolution-target.js';
import type { CaseServices } from './case-services.js';

export interface AcknowledgeInput {
  /** What happens next, in words the customer understands (§3.3, §4.1). */
  nextSteps: string;
  /** How the customer follows up: a name, phone number or e-mail address (§3.3, §4.1). */
  contact: string;
  /** An inquiry needing investigation: the date of the full response (§3.3). */
  timeline?: string | undefined;
  /** How it reaches the customer; by default their preferred way (INTERPRETATION §4). */
  method?: MessageMethod | undefined;
  /** A personal line added to the message. */
  note?: string | undefined;
  /** Automated messages never count (§3.3); a client that says it is one is refused. */
  automated?: boolean | undefined;
}

/**
 * §3.3, §4.1: a staff member of the responsible division confirms receipt, names the division,
 * outlines the next steps and gives contact information; an inquiry also gets a timeline. The
 * first acknowledgment wins: a second one, even at the same moment, is a conflict.
 */
export async function acknowledgeCase(options: { services: CaseServices; staff: StaffMember; reference: string; input: AcknowledgeInput }): Promise<CaseRow> {
  const { services, staff, reference, input } = options;
  if (input.automated) {
    throw new AppError(
      'RULE_VIOLATION',
      'An automated message never counts as an acknowledgment (CSS §3.3): a staff member of the responsible division must acknowledge the contact personally.',
      [{ field: 'automated', message: 'must be false' }],
    );
  }
  return changeCase(services, staff, reference, async ({ trx, caseRow, now, calendar, directory, divisionName, messageContext }) => {
    assertOpen(caseRow);
    const division = await divisionName(caseRow.division_id);
    assertResponsibleDivision(staff, caseRow, 'acknowledge', division, caseRow.transfer_to_division_id ? await divisionName(caseRow.transfer_to_division_id) : undefined);
    if (caseRow.acknowledged_at) {
      throw new AppError('CONFLICT', `${reference} was already acknowledged on ${calendar.format(new Date(caseRow.acknowledged_at).getTime())}; it is acknowledged once.`);
    }
    const missing: { field: string; message: string }[] = [];
    if (!input.nextSteps?.trim()) missing.push({ field: 'nextSteps', message: 'Outline the next steps for the customer (CSS §4.1).' });
    if (!input.contact?.trim()) missing.push({ field: 'contact', message: 'Give contact information for follow-up (CSS §4.1), e.g. the division’s phone number.' });
    if (missing.length > 0) throw new AppError('VALIDATION_FAILED', `An acknowledgment must ${missing.map((m) => m.message.replace(/^./, (c) => c.toLowerCase())).join(' It must also ')}`, missing);
    let timeline: Date | null = null;
    if (caseRow.kind === 'inquiry') {
      if (!input.timeline?.trim()) {
        throw new AppError(
          'VALIDATION_FAILED',
          'An inquiry that is not answered now needs a timeline: give the date of the full response (CSS §3.3). If you can answer it now, resolve it instead.',
          [{ field: 'timeline', message: 'required for an inquiry' }],
        );
      }
      timeline = parsePromisedDate(input.timeline, 'timeline', calendar, now);
    } else if (input.timeline?.trim()) {
      timeline = parsePromisedDate(input.timeline, 'timeline', calendar, now);
    }
    const method = input.method ?? defaultMethod(caseRow);
    checkMethod(caseRow, method);
    // §4.1: the acknowledgment must reach the customer; an address that bounced will not.
    if (method === 'email') {
      const bounced = await undeliverableAddress(trx, caseRow.id, caseRow.customer_email);
      if (bounced) {
        throw new AppError(
          'RULE_VIOLATION',
          `E-mail to ${bounced.address} bounced, so an acknowledgment by e-mail would not reach the customer (CSS §4.1). Acknowledge by phone, letter or in person and log it.`,
          [{ field: 'method', message: 'the customer’s e-mail address bounced' }],
        );
      }
    }
    const ownerInDivision = caseRow.owner_id !== null && (await trx.selectFrom('staff_user').select('id').where('id', '=', caseRow.owner_id).where('division_id', '=', caseRow.division_id).executeTakeFirst());
    const updated = await saveCase(trx, caseRow, {
      acknowledged_at: now,
      acknowledged_by: staff.id,
      last_update_at: now,
      owner_id: ownerInDivision ? caseRow.owner_id : staff.id,
      ...(timeline ? { committed_by: timeline, revised_at: now, ...(caseRow.kind === 'service_request' ? { revised_resolve_by: timeline } : {}) } : {}),
    });
    await recordEvent(trx, {
      caseId: caseRow.id,
      at: now,
      actor: staff,
      type: 'acknowledged',
      data: {
        method,
        nextSteps: input.nextSteps.trim(),
        contact: input.contact.trim(),
        ...(timeline ? { timeline: calendar.format(timeline.getTime()) } : {}),
        onTime: now.getTime() <= new Date(caseRow.acknowledge_by).getTime(),
      },
    });
    const context = messageContext(caseRow, caseRow.division_id);
    const resolveBy = caseRow.resolve_by ? new Date(caseRow.resolve_by).getTime() : null;
    const message = acknowledgmentMessage({
      ...context,
      contact: input.contact.trim(),
      staffName: staff.name,
      nextSteps: input.nextSteps.trim(),
      respondBy: caseRow.kind === 'inquiry' && timeline ? timeline.getTime() : null,
      resolveBy: caseRow.kind === 'service_request' ? (timeline?.getTime() ?? resolveBy) : null,
      resolveUnit: timeline ? undefined : caseResolutionUnit(directory, caseRow),
      note: input.note?.trim() || null,
      now: now.getTime(),
    });
    await recordMessage(trx, { caseRow, at: now, kind: 'acknowledgment', automated: false, method, sentBy: staff, ...message });
    return updated;
  });
}
