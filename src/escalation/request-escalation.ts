import { createHash, randomInt } from 'node:crypto';
import type { Db } from '../db/connect.js';
import type { StaffMember } from '../directory/staff.js';
import { loadMunicipality } from '../directory/municipality.js';
import { AppError } from '../platform/errors.js';
import { decideEscalationRequest, escalationRoles, type Decision } from '../standard/escalation.js';
import { longDate } from '../notify/templates.js';
import { checkReference, loadCaseForChange, recordEvent, recordMessage, referencePattern } from '../cases/case-record.js';
import type { CaseServices } from '../cases/case-services.js';
import { caseScope } from '../cases/case-change.js';
import { assertCanView } from '../cases/case-policy.js';
import { escalateCase } from './escalate-case.js';
import { escalationState } from './sweep.js';

export type Grounds = 'missed_target' | 'disagree_with_outcome';

export interface EscalationAnswer {
  outcome: 'accepted' | 'declined';
  /** For an accepted request: the level and the role it went to. */
  level: number | null;
  role: string | null;
  answer: string;
}

/**
 * §5.1, §5.3: the public (with a one-time code, or by phone through staff) and staff can ask to
 * escalate a service request. The answer is given at once and recorded: accepted with the level
 * and role, or declined with the reason and the dates. Disagreement with the outcome is declined
 * and recorded as customer feedback.
 */
export async function requestEscalation(options: {
  services: CaseServices;
  reference: string;
  grounds: Grounds;
  comment?: string | undefined;
  /** Staff asking on the customer's behalf (phone, counter) or on their own; null for the public. */
  staff: StaffMember | null;
  /** The public's one-time code, checked in the same transaction. */
  code?: string | undefined;
}): Promise<EscalationAnswer> {
  const { services, reference, grounds, staff } = options;
  const now = services.clock.now();
  if (!staff) {
    // Checked and spent in its own transaction, so a wrong guess uses up an attempt for good.
    const valid = await services.db.kysely.transaction().execute((trx) => useCode(trx, reference, options.code ?? '', now));
    if (!valid) throw new AppError('UNAUTHENTICATED', 'That reference number and code do not match. Check them, or ask for a new code.');
  }
  const outcome = await services.db.kysely.transaction().execute(async (trx) => {
    const caseRow = await loadCaseForChange(trx, reference);
    if (staff) assertCanView(staff, await caseScope(trx, caseRow), reference);
    const municipality = await loadMunicipality(trx);
    const zone = municipality.settings.calendar.timeZone;
    const decision = decideEscalationRequest(escalationState(caseRow), now.getTime(), grounds, (t) => longDate(t, zone));
    let answer: EscalationAnswer;
    let escalationId: number | null = null;
    if (decision.escalate) {
      const done = await escalateCase(trx, { caseRow, level: decision.level, reason: 'requested', initiatedBy: staff ? 'staff' : 'public', staff, now });
      escalationId = done.escalationId;
      answer = {
        outcome: 'accepted',
        level: decision.level,
        role: escalationRoles[decision.level],
        answer: `Your request has been escalated to the ${done.role} (${done.headTitle}), who will review it, give you a revised timeline and keep you updated.`,
      };
    } else {
      answer = { outcome: 'declined', level: null, role: null, answer: decision.reason };
    }
    const requestedBy = staff ? `staff:${staff.email}` : 'public';
    await trx
      .insertInto('escalation_request')
      .values({
        case_id: caseRow.id,
        requested_at: now,
        requested_by: requestedBy,
        requested_by_staff_id: staff?.id ?? null,
        grounds,
        outcome: answer.outcome,
        answer: answer.answer,
        escalation_id: escalationId,
      })
      .execute();
    if (grounds === 'disagree_with_outcome') {
      await trx
        .insertInto('customer_feedback')
        .values({ case_id: caseRow.id, received_at: now, kind: 'disagreement_with_outcome', text: options.comment?.trim() || '(no comment given)' })
        .execute();
    }
    await recordEvent(trx, {
      caseId: caseRow.id,
      at: now,
      actor: staff ?? 'public (escalation request)',
      type: 'escalation_requested',
      data: { grounds, outcome: answer.outcome, level: answer.level, answer: answer.answer, ...(options.comment?.trim() ? { comment: options.comment.trim() } : {}) },
    });
    return answer;
  });
  return outcome;
}

const hashCode = (caseId: number, code: string): string => createHash('sha256').update(`${caseId}:${code}`).digest('hex');
export const codeMinutes = 30;
export const maxCodeAttempts = 5;

async function useCode(trx: Parameters<typeof escalateCase>[0], reference: string, code: string, now: Date): Promise<boolean> {
  if (!new RegExp(referencePattern).test(reference)) return false;
  const caseRow = await trx.selectFrom('service_case').select('id').where('reference', '=', reference).executeTakeFirst();
  if (!caseRow) return false;
  const latest = await trx.selectFrom('escalation_code').selectAll().where('case_id', '=', caseRow.id).orderBy('created_at', 'desc').limit(1).forUpdate().executeTakeFirst();
  if (!latest || latest.used_at || new Date(latest.expires_at) <= now || latest.attempts >= maxCodeAttempts) return false;
  if (!/^\d{6}$/.test(code.trim()) || hashCode(caseRow.id, code.trim()) !== latest.code_hash) {
    await trx.updateTable('escalation_code').set({ attempts: latest.attempts + 1 }).where('id', '=', latest.id).execute();
    return false;
  }
  await trx.updateTable('escalation_code').set({ used_at: now }).where('id', '=', latest.id).execute();
  return true;
}

/**
 * The public asks for a one-time code to request an escalation; it goes to the e-mail address on
 * file. The answer never says whether the reference exists or has an address.
 */
export const escalationCodeAnswer = `If that reference number is ours and we have an e-mail address for it, a code is on its way there. It works for ${codeMinutes} minutes. If we reach you by phone, call us instead.`;

/**
 * Routes answer escalationCodeAnswer at once and run this in the background (RunInBackground), so
 * the answer's timing cannot tell a case with an address on file from one without, or from none.
 */
/**
 * Issue 19: whether a request could be escalated now for a missed target, said before anyone is
 * asked for a one-time code (CSS §5.3: the same decision requestEscalation makes). Says nothing
 * about the customer: only the request's targets and where it stands.
 */
export async function escalationEligibility(options: { db: Db; reference: string; now: Date; format: (ms: number) => string }): Promise<Decision | undefined> {
  const caseRow = await options.db.kysely.selectFrom('service_case').selectAll().where('reference', '=', options.reference).executeTakeFirst();
  if (!caseRow) return undefined;
  return decideEscalationRequest(escalationState(caseRow), options.now.getTime(), 'missed_target', options.format);
}

export async function sendEscalationCode(options: { db: Db; reference: string; now: Date }): Promise<{ message: string }> {
  const { db, reference, now } = options;
  const message = escalationCodeAnswer;
  try {
    checkReference(reference);
  } catch {
    return { message };
  }
  await db.kysely.transaction().execute(async (trx) => {
    const caseRow = await trx.selectFrom('service_case').selectAll().where('reference', '=', reference).executeTakeFirst();
    if (!caseRow?.customer_email) return;
    const recent = await trx
      .selectFrom('escalation_code')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('case_id', '=', caseRow.id)
      .where('created_at', '>', new Date(now.getTime() - 3_600_000))
      .executeTakeFirstOrThrow();
    if (Number(recent.n) >= 5) return;
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    await trx
      .insertInto('escalation_code')
      .values({ case_id: caseRow.id, code_hash: hashCode(caseRow.id, code), created_at: now, expires_at: new Date(now.getTime() + codeMinutes * 60_000) })
      .execute();
    await recordMessage(trx, {
      caseRow,
      at: now,
      kind: 'escalation_code',
      automated: true,
      method: 'email',
      sentBy: null,
      subject: `Your code to ask for an escalation [${caseRow.reference}]`,
      // The record says a code was sent, never the code: staff reading the timeline could use it.
      body: `A one-time code to ask for an escalation was sent to the customer's e-mail address; it works for ${codeMinutes} minutes. The code itself is not kept (only its hash, to check it).`,
      mailText: {
        subject: `Your code to ask for an escalation [${caseRow.reference}]`,
        body: `Your one-time code is ${code}. Enter it with reference ${caseRow.reference} to ask for an escalation. It works for ${codeMinutes} minutes. If you did not ask for it, ignore this message.`,
      },
    });
  });
  return { message };
}
