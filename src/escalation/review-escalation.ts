import type { MessageMethod } from '../db/schema.js';
import type { StaffMember } from '../directory/staff.js';
import { updateMessage } from '../notify/templates.js';
import { AppError } from '../platform/errors.js';
import { escalationRoles, type EscalationLevel } from '../standard/escalation.js';
import { changeCase, parsePromisedDate } from '../cases/case-change.js';
import { checkMethod, defaultMethod, recordEvent, recordMessage, saveCase, type CaseRow } from '../cases/case-record.js';
import type { CaseServices } from '../cases/case-services.js';
import { escalateCase } from './escalate-case.js';

/**
 * Whether this staff member is the head who reviews an escalation at this level (§5.2): of the
 * responsible division (level 1) or its department (level 2) as they are now, so that a case
 * transferred after its escalation is reviewed by the head who has it, not the one who sent it.
 */
export function isEscalationHead(staff: StaffMember, level: number, responsible: { division_id: number; department_id: number }): boolean {
  if (level === 1) return staff.role === 'division_head' && staff.divisionId === responsible.division_id;
  if (level === 2) return staff.role === 'department_head' && staff.departmentId === responsible.department_id;
  return level === 3 && staff.role === 'cao';
}

/**
 * §5.2: the head reviews the escalated request, gives a revised resolution timeline and updates
 * the customer, in one step.
 */
export async function reviewEscalation(options: {
  services: CaseServices;
  staff: StaffMember;
  reference: string;
  input: { findings: string; update: string; timeline: string; method?: MessageMethod | undefined };
}): Promise<CaseRow> {
  const { services, staff, reference, input } = options;
  return changeCase(services, staff, reference, async ({ trx, caseRow, now, calendar, messageContext }) => {
    if (caseRow.status !== 'open') throw new AppError('RULE_VIOLATION', `${reference} is resolved; there is nothing to review.`);
    if (caseRow.escalation_level < 1) throw new AppError('RULE_VIOLATION', `${reference} has not been escalated.`);
    const escalation = await trx.selectFrom('escalation').selectAll().where('case_id', '=', caseRow.id).where('level', '=', caseRow.escalation_level).executeTakeFirstOrThrow();
    const responsible = await trx.selectFrom('division').select(['id as division_id', 'department_id']).where('id', '=', caseRow.division_id).executeTakeFirstOrThrow();
    if (!isEscalationHead(staff, escalation.level, responsible)) {
      throw new AppError('FORBIDDEN', `${reference} is escalated to the ${escalationRoles[escalation.level as EscalationLevel]} of its ${escalation.level === 1 ? 'division' : escalation.level === 2 ? 'department' : 'corporation'}; only they can record its review.`);
    }
    if (!input.findings?.trim()) throw new AppError('VALIDATION_FAILED', 'Record what the review found and the actions decided.', [{ field: 'findings', message: 'required' }]);
    if (!input.update?.trim()) throw new AppError('VALIDATION_FAILED', 'Write the update for the customer: where things stand.', [{ field: 'update', message: 'required' }]);
    const timeline = parsePromisedDate(input.timeline, 'timeline', calendar, now);
    const method = input.method ?? defaultMethod(caseRow);
    checkMethod(caseRow, method);
    await trx.insertInto('escalation_review').values({ escalation_id: escalation.id, reviewed_at: now, reviewer_id: staff.id, findings: input.findings.trim(), revised_timeline: timeline }).execute();
    const updated = await saveCase(trx, caseRow, { revised_resolve_by: timeline, committed_by: timeline, revised_at: now, last_update_at: now });
    await recordEvent(trx, {
      caseId: caseRow.id,
      at: now,
      actor: staff,
      type: 'escalation_reviewed',
      data: { level: escalation.level, findings: input.findings.trim(), timeline: calendar.format(timeline.getTime()) },
    });
    const context = messageContext(caseRow, caseRow.division_id);
    const message = updateMessage({
      ...context,
      staffName: `${staff.name}, ${escalationRoles[escalation.level as EscalationLevel]}`,
      status: input.update.trim(),
      newDate: timeline.getTime(),
      reason: `your request was escalated and the ${escalationRoles[escalation.level as EscalationLevel]} has reviewed it.`,
    });
    await recordMessage(trx, { caseRow, at: now, kind: 'update', automated: false, method, sentBy: staff, ...message });
    return updated;
  });
}

/**
 * The Manager of Customer Service decides a review-list entry: escalate to the next level, or
 * record why not (INTERPRETATION §6).
 */
export async function decideReviewListEntry(options: {
  services: CaseServices;
  staff: StaffMember;
  reference: string;
  input: { decision: 'escalate' | 'keep'; reason: string };
}): Promise<CaseRow> {
  const { services, staff, reference, input } = options;
  if (staff.role !== 'manager_customer_service') throw new AppError('FORBIDDEN', 'Only the Manager of Customer Service decides the review list (CSS §5.2).');
  return changeCase(services, staff, reference, async ({ trx, caseRow, now }) => {
    const entry = await trx
      .selectFrom('review_list_entry')
      .innerJoin('escalation', 'escalation.id', 'review_list_entry.escalation_id')
      .select(['review_list_entry.id', 'escalation.level'])
      .where('review_list_entry.case_id', '=', caseRow.id)
      .where('review_list_entry.decided_at', 'is', null)
      .executeTakeFirst();
    if (!entry) throw new AppError('CONFLICT', `${reference} is not waiting on the review list.`);
    if (!input.reason?.trim()) throw new AppError('VALIDATION_FAILED', 'Record the reason for the decision.', [{ field: 'reason', message: 'required' }]);
    if (input.decision === 'escalate' && entry.level >= 3) throw new AppError('RULE_VIOLATION', 'The CAO is the final corporate review; nothing goes above it.');
    await trx
      .updateTable('review_list_entry')
      .set({ decided_at: now, decision: input.decision === 'escalate' ? 'escalated' : 'not_escalated', decision_reason: input.reason.trim(), decided_by: staff.id })
      .where('id', '=', entry.id)
      .execute();
    await recordEvent(trx, { caseId: caseRow.id, at: now, actor: staff, type: 'review_decided', data: { decision: input.decision, reason: input.reason.trim(), level: entry.level } });
    if (input.decision === 'escalate') {
      return (await escalateCase(trx, { caseRow, level: (entry.level + 1) as EscalationLevel, reason: 'manager_review', initiatedBy: 'manager', staff, now })).caseRow;
    }
    return caseRow;
  });
}
