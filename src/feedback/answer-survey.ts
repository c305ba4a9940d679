import { sql } from 'kysely';
import type { Db, Tx } from '../db/connect.js';
import type { CaseServices } from '../cases/case-services.js';
import { AppError } from '../platform/errors.js';
import { checkSurveyAnswer, type SurveyAnswerInput } from '../standard/customer-satisfaction.js';
import { defaultSurveyLinks, readOptOutToken, readSurveyToken, surveyKey } from './survey-token.js';

/**
 * The survey's public side (issue 14): what a link opens, the answer given through it, the
 * one-click opt-out. Nothing about the case beyond its reference and type is shown before the
 * token is checked; a damaged, expired or used link is refused with a page that says which.
 */

/** What the survey page may show: the request's reference, type and resolution date, never personal data. */
export interface SurveyCase {
  invitationId: number;
  reference: string;
  /** "Pothole" for a service request; null for a general inquiry. */
  typeName: string | null;
  resolvedAt: Date | null;
  expiresAt: Date;
}

export type OpenedSurvey =
  | { state: 'invalid' }
  | { state: 'expired'; survey: SurveyCase }
  | { state: 'answered'; survey: SurveyCase; answeredAt: Date }
  | { state: 'open'; survey: SurveyCase };

async function loadSurveyCase(tx: Tx, invitationId: number) {
  return tx
    .selectFrom('survey_invitation as i')
    .innerJoin('service_case as c', 'c.id', 'i.case_id')
    .leftJoin('request_type as t', 't.id', 'i.request_type_id')
    .leftJoin('survey_answer as a', 'a.invitation_id', 'i.id')
    .select(['i.id', 'i.case_id', 'i.channel', 'i.division_id', 'i.expires_at', 'c.reference', 'c.resolved_at', 't.name as type_name', 'a.answered_at'])
    .where('i.id', '=', invitationId)
    .executeTakeFirst();
}

/** The state of a survey link at `now`. */
export async function openSurvey(tx: Tx, options: { links?: CaseServices['surveyLinks']; token: string; now: Date }): Promise<OpenedSurvey> {
  const key = await surveyKey(tx, options.links ?? defaultSurveyLinks, options.now);
  const read = readSurveyToken(key, options.token);
  if (!read) return { state: 'invalid' };
  const row = await loadSurveyCase(tx, read.invitationId);
  // A signed token always names its invitation; the expiry it carries must be the invitation's.
  if (!row || Math.floor(new Date(row.expires_at).getTime() / 1000) !== Math.floor(read.expiresAt.getTime() / 1000)) return { state: 'invalid' };
  const survey: SurveyCase = {
    invitationId: row.id,
    reference: row.reference,
    typeName: row.type_name,
    resolvedAt: row.resolved_at ? new Date(row.resolved_at) : null,
    expiresAt: new Date(row.expires_at),
  };
  if (row.answered_at) return { state: 'answered', survey, answeredAt: new Date(row.answered_at) };
  if (new Date(row.expires_at) <= options.now) return { state: 'expired', survey };
  return { state: 'open', survey };
}

export class SurveyLinkRefused extends Error {
  constructor(readonly opened: Exclude<OpenedSurvey, { state: 'open' }>) {
    super(`survey link ${opened.state}`);
  }
}

/**
 * Records an answer given through a survey link: checked first (rating 1 to 5, yes/partly/no, a
 * comment of at most 4,000 characters), then written whole in one transaction with the case's
 * event, the comment as customer feedback and, for "no, not resolved" with a comment, the case
 * on its division's list to look at again. A second answer to the link is refused.
 */
export async function answerSurvey(options: { services: CaseServices; token: string; input: { rating?: unknown; resolved?: unknown; comment?: unknown } }): Promise<{ survey: SurveyCase; answer: SurveyAnswerInput }> {
  const { services, token } = options;
  const now = services.clock.now();
  const checked = checkSurveyAnswer(options.input);
  // The link is checked before the answers, so a refused link never shows the form again.
  const before = await openSurvey(services.db.kysely, { links: services.surveyLinks, token, now });
  if (before.state !== 'open') throw new SurveyLinkRefused(before);
  if ('errors' in checked) {
    throw new AppError(
      'VALIDATION_FAILED',
      Object.values(checked.errors).join('. ') + '.',
      Object.entries(checked.errors).map(([field, message]) => ({ field, message })),
    );
  }
  const answer = checked.answer;
  return services.db.kysely.transaction().execute(async (trx) => {
    // Locked, and checked again: two answers sent at once, one is kept.
    await sql`select id from survey_invitation where id = ${before.survey.invitationId} for update`.execute(trx);
    const opened = await openSurvey(trx, { links: services.surveyLinks, token, now });
    if (opened.state !== 'open') throw new SurveyLinkRefused(opened);
    await recordSurveyAnswer(trx, { invitationId: opened.survey.invitationId, answer, channel: 'web', staffId: null, actor: 'customer (survey link)', now });
    return { survey: opened.survey, answer };
  });
}

/** Writes an answer (from the link or a call) with everything that follows from it, in the caller's transaction. */
export async function recordSurveyAnswer(
  trx: Tx,
  options: { invitationId: number; answer: SurveyAnswerInput; channel: 'web' | 'phone'; staffId: number | null; actor: string; now: Date },
): Promise<{ answerId: number; recheck: boolean }> {
  const { invitationId, answer, now } = options;
  const invitation = await trx.selectFrom('survey_invitation').select(['id', 'case_id', 'division_id']).where('id', '=', invitationId).executeTakeFirstOrThrow();
  const saved = await trx
    .insertInto('survey_answer')
    .values({ invitation_id: invitationId, answered_at: now, channel: options.channel, rating: answer.rating, resolved: answer.resolved, comment: answer.comment, recorded_by: options.staffId })
    .onConflict((oc) => oc.column('invitation_id').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!saved) throw new AppError('CONFLICT', 'This survey has already been answered. Thank you: only the first answer is kept.');
  if (answer.comment) {
    await trx.insertInto('customer_feedback').values({ case_id: invitation.case_id, received_at: now, kind: 'survey_comment', text: answer.comment }).execute();
  }
  const recheck = answer.resolved === 'no' && answer.comment !== null;
  if (recheck) {
    await trx.insertInto('survey_recheck').values({ case_id: invitation.case_id, answer_id: saved.id, division_id: invitation.division_id, listed_at: now }).execute();
  }
  await trx
    .insertInto('case_event')
    .values({
      case_id: invitation.case_id,
      at: now,
      actor_id: options.staffId,
      actor_label: options.actor,
      type: 'survey_answered',
      data: JSON.stringify({ channel: options.channel, rating: answer.rating, resolved: answer.resolved, comment: answer.comment, recheck }),
    })
    .execute();
  return { answerId: saved.id, recheck };
}

/**
 * The one-click opt-out: no more survey invitations to any of this customer's contact details,
 * kept for good. It works whatever the state of the survey (answered or expired).
 */
export async function optOutOfSurveys(options: { db: Db; links?: CaseServices['surveyLinks']; token: string; now: Date }): Promise<{ reference: string } | undefined> {
  return options.db.kysely.transaction().execute(async (trx) => {
    const key = await surveyKey(trx, options.links ?? defaultSurveyLinks, options.now);
    const read = readOptOutToken(key, options.token);
    if (!read) return undefined;
    const invitation = await trx
      .selectFrom('survey_invitation as i')
      .innerJoin('service_case as c', 'c.id', 'i.case_id')
      .select(['i.customer_keys', 'c.reference', 'c.id as case_id'])
      .where('i.id', '=', read.invitationId)
      .executeTakeFirst();
    if (!invitation) return undefined;
    await sql`
      insert into survey_customer (customer_key, opted_out_at) select unnest(${invitation.customer_keys}::text[]), ${options.now}
      on conflict (customer_key) do update set opted_out_at = coalesce(survey_customer.opted_out_at, excluded.opted_out_at)`.execute(trx);
    await trx
      .insertInto('case_event')
      .values({ case_id: invitation.case_id, at: options.now, actor_id: null, actor_label: 'customer (survey opt-out link)', type: 'survey_opted_out', data: '{}' })
      .execute();
    return { reference: invitation.reference };
  });
}
