import { sql } from 'kysely';
import type { CaseServices } from '../cases/case-services.js';
import type { Tx } from '../db/connect.js';
import type { StaffMember } from '../directory/staff.js';
import { actorLabel } from '../cases/case-record.js';
import { AppError } from '../platform/errors.js';
import { checkSurveyAnswer } from '../standard/customer-satisfaction.js';
import { recordSurveyAnswer } from './answer-survey.js';

/**
 * Follow-up calls (issue 14, CSS §6.2 "service follow-ups"): the customers who prefer the phone
 * are on Customer Service's call list; a representative calls, asks the survey's three questions
 * and records the answers as given (they count as survey answers, channel "phone"), or "no answer"
 * (the entry stays for another try) or "declined" (it leaves the list).
 */

export const mayWorkCallList = (staff: StaffMember): boolean => staff.inCustomerService || staff.role === 'administrator';

function assertMayWork(staff: StaffMember): void {
  if (!mayWorkCallList(staff)) throw new AppError('FORBIDDEN', 'The follow-up call list is worked by Customer Service. Ask the Manager of Customer Service if you need to record a call.');
}

export interface CallListEntry {
  invitationId: number;
  reference: string;
  typeName: string | null;
  divisionName: string;
  customerName: string | null;
  phone: string;
  resolvedAt: Date | null;
  invitedAt: Date;
  expiresAt: Date;
  attempts: number;
  lastOutcome: 'no_answer' | null;
  lastCalledAt: Date | null;
}

/** The calls still to make: phone invitations not answered, not declined, not expired; oldest first. */
export async function listFollowUpCalls(tx: Tx, staff: StaffMember, now: Date, limit = 100): Promise<CallListEntry[]> {
  assertMayWork(staff);
  const rows = await tx
    .selectFrom('survey_invitation as i')
    .innerJoin('service_case as c', 'c.id', 'i.case_id')
    .innerJoin('division as d', 'd.id', 'i.division_id')
    .leftJoin('request_type as t', 't.id', 'i.request_type_id')
    .select(['i.id', 'c.reference', 't.name as type_name', 'd.name as division_name', 'c.customer_name', 'c.customer_phone', 'c.resolved_at', 'i.invited_at', 'i.expires_at', 'i.call_attempts', 'i.call_outcome', 'i.called_at'])
    .where('i.channel', '=', 'phone')
    .where('i.expires_at', '>', now)
    .where((eb) => eb.or([eb('i.call_outcome', 'is', null), eb('i.call_outcome', '=', 'no_answer')]))
    .where((eb) => eb.not(eb.exists(eb.selectFrom('survey_answer as a').select('a.id').whereRef('a.invitation_id', '=', 'i.id'))))
    .orderBy('i.invited_at')
    .orderBy('i.id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    invitationId: r.id,
    reference: r.reference,
    typeName: r.type_name,
    divisionName: r.division_name,
    customerName: r.customer_name,
    phone: r.customer_phone ?? '',
    resolvedAt: r.resolved_at ? new Date(r.resolved_at) : null,
    invitedAt: new Date(r.invited_at),
    expiresAt: new Date(r.expires_at),
    attempts: r.call_attempts,
    lastOutcome: r.call_outcome === 'no_answer' ? 'no_answer' : null,
    lastCalledAt: r.called_at ? new Date(r.called_at) : null,
  }));
}

export type CallResult = { outcome: 'answered'; rating?: unknown; resolved?: unknown; comment?: unknown } | { outcome: 'no_answer' | 'declined' };

/** Records one call: the answers (checked as the web survey's), or no answer, or declined; with the case's event. */
export async function recordFollowUpCall(options: { services: CaseServices; staff: StaffMember; invitationId: number; result: CallResult }): Promise<{ reference: string; outcome: CallResult['outcome']; recheck: boolean }> {
  const { services, staff, invitationId, result } = options;
  assertMayWork(staff);
  const now = services.clock.now();
  const checked = result.outcome === 'answered' ? checkSurveyAnswer(result) : undefined;
  if (checked && 'errors' in checked) {
    throw new AppError('VALIDATION_FAILED', `${Object.values(checked.errors).join('. ')}.`, Object.entries(checked.errors).map(([field, message]) => ({ field, message })));
  }
  return services.db.kysely.transaction().execute(async (trx) => {
    const found = (
      await sql<{ id: number; case_id: number; reference: string; channel: string; expires_at: Date; call_outcome: string | null; answered: boolean }>`
        select i.id, i.case_id, c.reference, i.channel, i.expires_at, i.call_outcome,
               exists (select 1 from survey_answer a where a.invitation_id = i.id) as answered
        from survey_invitation i join service_case c on c.id = i.case_id
        where i.id = ${Number.isSafeInteger(invitationId) ? invitationId : -1}
        for update of i`.execute(trx)
    ).rows[0];
    if (!found || found.channel !== 'phone') throw new AppError('NOT_FOUND', 'That call is not on the follow-up call list. Open the list again.');
    if (found.answered) throw new AppError('CONFLICT', `The survey for ${found.reference} has already been answered; only the first answers are kept.`);
    if (found.call_outcome === 'declined') throw new AppError('CONFLICT', `The customer of ${found.reference} declined the survey; the call is off the list.`);
    if (new Date(found.expires_at) <= now) throw new AppError('CONFLICT', `The survey for ${found.reference} has closed (its time ran out); the call is off the list.`);
    if (checked && 'answer' in checked) {
      await trx.updateTable('survey_invitation').set({ called_at: now, called_by: staff.id, call_attempts: sql`call_attempts + 1` }).where('id', '=', found.id).execute();
      const saved = await recordSurveyAnswer(trx, { invitationId: found.id, answer: checked.answer, channel: 'phone', staffId: staff.id, actor: actorLabel(staff), now });
      return { reference: found.reference, outcome: 'answered' as const, recheck: saved.recheck };
    }
    const outcome = result.outcome as 'no_answer' | 'declined';
    await trx.updateTable('survey_invitation').set({ call_outcome: outcome, called_at: now, called_by: staff.id, call_attempts: sql`call_attempts + 1` }).where('id', '=', found.id).execute();
    await trx
      .insertInto('case_event')
      .values({ case_id: found.case_id, at: now, actor_id: staff.id, actor_label: actorLabel(staff), type: 'survey_call', data: JSON.stringify({ outcome }) })
      .execute();
    return { reference: found.reference, outcome, recheck: false };
  });
}
