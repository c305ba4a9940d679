import { sql } from 'kysely';
import type { Db, Tx } from '../db/connect.js';
import type { StaffMember } from '../directory/staff.js';
import { defaultFeedbackConfig } from '../directory/municipality-config.js';
import { loadMunicipality } from '../directory/municipality.js';
import { seesEveryDivision } from '../cases/case-policy.js';
import { caseVisibleTo } from '../cases/find-cases.js';
import { normalizeReference } from '../cases/find-public-case.js';
import { AppError } from '../platform/errors.js';
import { maxCommentLength } from '../standard/customer-satisfaction.js';

/**
 * Customer feedback in one place (issue 14, CSS §6.3): survey comments, the disagreements that
 * escalation requests record (§5.3) and the portal's compliments and complaints. Staff see the
 * feedback of the cases they may open (Customer Service, its Manager, the CAO and administrators:
 * all of it, and feedback that names no case); they tag it with the configured themes and mark it
 * read. The text is shown as written and never published.
 */

export type FeedbackKind = 'survey_comment' | 'disagreement_with_outcome' | 'compliment' | 'complaint';
export const feedbackKindWords: Record<string, string> = {
  survey_comment: 'Survey comment',
  disagreement_with_outcome: 'Disagrees with the outcome (§5.3)',
  compliment: 'Compliment',
  complaint: 'Complaint',
};

export interface FeedbackItem {
  id: number;
  kind: string;
  text: string;
  receivedAt: Date;
  reference: string | null;
  divisionName: string | null;
  themes: string[];
  readAt: Date | null;
  readBy: string | null;
  contact: { name: string | null; email: string | null; phone: string | null };
  /** A "not resolved" survey answer's entry on the division's list to look at again. */
  recheck: { id: number; decidedAt: Date | null; decision: string | null } | null;
}

function assertMayRead(staff: StaffMember): void {
  if (staff.role === 'working_group') throw new AppError('FORBIDDEN', 'Working Group members read the feedback analysis in the reports, not individual feedback.');
}

export async function feedbackThemes(tx: Tx): Promise<{ code: string; name: string }[]> {
  const municipality = await loadMunicipality(tx);
  return (municipality.settings.feedback ?? defaultFeedbackConfig).themes;
}

function feedbackQuery(tx: Tx, staff: StaffMember) {
  let query = tx
    .selectFrom('customer_feedback as f')
    .leftJoin('service_case as c', 'c.id', 'f.case_id')
    .leftJoin('division as d', 'd.id', 'c.division_id')
    .leftJoin('staff_user as r', 'r.id', 'f.read_by')
    .select([
      'f.id',
      'f.kind',
      'f.text',
      'f.received_at',
      'f.themes',
      'f.read_at',
      'r.name as read_by_name',
      'f.contact_name',
      'f.contact_email',
      'f.contact_phone',
      'c.reference',
      'd.name as division_name',
      (eb) =>
        eb
          .selectFrom('survey_recheck as k')
          .innerJoin('survey_answer as a', 'a.id', 'k.answer_id')
          .select(sql<string>`json_build_object('id', k.id, 'decidedAt', k.decided_at, 'decision', k.decision)::text`.as('j'))
          .whereRef('k.case_id', '=', 'f.case_id')
          .where('a.comment', 'is not', null)
          .whereRef('a.comment', '=', 'f.text')
          .where('f.kind', '=', 'survey_comment')
          .limit(1)
          .as('recheck'),
    ]);
  if (!seesEveryDivision(staff)) query = query.where('f.case_id', 'is not', null).where((eb) => caseVisibleTo(eb, staff));
  return query;
}

type FeedbackRow = Awaited<ReturnType<ReturnType<typeof feedbackQuery>['execute']>>[number];

function toItem(r: FeedbackRow): FeedbackItem {
  const recheck = r.recheck ? (JSON.parse(r.recheck) as { id: number; decidedAt: string | null; decision: string | null }) : null;
  return {
    id: r.id,
    kind: r.kind,
    text: r.text,
    receivedAt: new Date(r.received_at),
    reference: r.reference,
    divisionName: r.division_name,
    themes: r.themes ?? [],
    readAt: r.read_at ? new Date(r.read_at) : null,
    readBy: r.read_by_name,
    contact: { name: r.contact_name, email: r.contact_email, phone: r.contact_phone },
    recheck: recheck ? { id: recheck.id, decidedAt: recheck.decidedAt ? new Date(recheck.decidedAt) : null, decision: recheck.decision } : null,
  };
}

export async function listFeedback(tx: Tx, staff: StaffMember, options: { unreadOnly: boolean; theme?: string | undefined; limit?: number }): Promise<FeedbackItem[]> {
  assertMayRead(staff);
  let query = feedbackQuery(tx, staff);
  if (options.unreadOnly) query = query.where('f.read_at', 'is', null);
  if (options.theme) query = query.where(sql<boolean>`${options.theme} = any(f.themes)`);
  const rows = await query.orderBy('f.received_at', 'desc').orderBy('f.id', 'desc').limit(options.limit ?? 100).execute();
  return rows.map(toItem);
}

export async function findFeedback(tx: Tx, staff: StaffMember, id: number): Promise<FeedbackItem> {
  assertMayRead(staff);
  const row = Number.isSafeInteger(id) ? await feedbackQuery(tx, staff).where('f.id', '=', id).executeTakeFirst() : undefined;
  if (!row) throw new AppError('NOT_FOUND', 'There is no feedback with that number that you can see.');
  return toItem(row);
}

/** Tags feedback with themes from the configured list and marks it read (or unread again); audited on its case. */
export async function reviewFeedback(options: { db: Db; staff: StaffMember; id: number; themes: string[]; read: boolean; now: Date }): Promise<FeedbackItem> {
  const { db, staff, id, now } = options;
  return db.kysely.transaction().execute(async (trx) => {
    const item = await findFeedback(trx, staff, id);
    const known = await feedbackThemes(trx);
    const unknown = options.themes.filter((t) => !known.some((k) => k.code === t));
    if (unknown.length > 0) {
      throw new AppError('VALIDATION_FAILED', `"${unknown[0]!.slice(0, 40)}" is not one of the feedback themes; choose from the list.`, [{ field: 'themes', message: 'unknown theme' }]);
    }
    const themes = [...new Set(options.themes)];
    await trx
      .updateTable('customer_feedback')
      .set({ themes, read_at: options.read ? (item.readAt ?? now) : null, read_by: options.read ? staff.id : null })
      .where('id', '=', id)
      .execute();
    const caseRow = item.reference ? await trx.selectFrom('service_case').select('id').where('reference', '=', item.reference).executeTakeFirst() : undefined;
    if (caseRow) {
      await trx
        .insertInto('case_event')
        .values({ case_id: caseRow.id, at: now, actor_id: staff.id, actor_label: `${staff.name} (${staff.email})`, type: 'feedback_reviewed', data: JSON.stringify({ feedbackId: id, themes, read: options.read }) })
        .execute();
    }
    return findFeedback(trx, staff, id);
  });
}

/** The division's decision on a "not resolved" survey answer: reopened, replied, or nothing to do. */
export async function decideRecheck(options: { db: Db; staff: StaffMember; feedbackId: number; decision: string; note: string; now: Date }): Promise<void> {
  const { db, staff, now } = options;
  if (!['reopened', 'replied', 'no_action'].includes(options.decision)) {
    throw new AppError('VALIDATION_FAILED', 'Choose what was done: reopened, replied to the customer, or nothing more to do.', [{ field: 'decision', message: 'required' }]);
  }
  const note = options.note.trim();
  if (note === '' || note.length > 2000) throw new AppError('VALIDATION_FAILED', 'Say in a sentence what was done or why (up to 2,000 characters).', [{ field: 'note', message: 'required' }]);
  await db.kysely.transaction().execute(async (trx) => {
    const item = await findFeedback(trx, staff, options.feedbackId);
    if (!item.recheck) throw new AppError('NOT_FOUND', 'This feedback is not on a list to look at again.');
    if (staff.divisionId === null && !seesEveryDivision(staff) && staff.role !== 'department_head') throw new AppError('FORBIDDEN', 'Only staff of the division can decide.');
    const updated = await trx
      .updateTable('survey_recheck')
      .set({ decided_at: now, decision: options.decision as 'reopened' | 'replied' | 'no_action', decision_note: note, decided_by: staff.id })
      .where('id', '=', item.recheck.id)
      .where('decided_at', 'is', null)
      .returning('case_id')
      .executeTakeFirst();
    if (!updated) throw new AppError('CONFLICT', 'Someone has already recorded what was done about this answer.');
    await trx
      .insertInto('case_event')
      .values({ case_id: updated.case_id, at: now, actor_id: staff.id, actor_label: `${staff.name} (${staff.email})`, type: 'survey_recheck_decided', data: JSON.stringify({ decision: options.decision, note }) })
      .execute();
  });
}

export interface PortalFeedbackInput {
  kind: string;
  text: string;
  reference: string;
  name: string;
  email: string;
  phone: string;
}

/** The portal's compliment or complaint: checked whole, then stored as written (CSS §6.3). */
export async function submitPortalFeedback(options: { db: Db; input: PortalFeedbackInput; now: Date }): Promise<{ id: number }> {
  const { input, now } = options;
  const errors: Record<string, string> = {};
  if (input.kind !== 'compliment' && input.kind !== 'complaint') errors['kind'] = 'Choose whether this is a compliment or a complaint';
  const text = input.text.replace(/\r\n/g, '\n').trim();
  if (text === '') errors['text'] = 'Tell us what happened';
  else if (text.length > maxCommentLength) errors['text'] = `Shorten your message to ${maxCommentLength.toLocaleString('en-CA')} characters or fewer (it has ${text.length.toLocaleString('en-CA')})`;
  const reference = input.reference.trim() === '' ? undefined : normalizeReference(input.reference.trim().slice(0, 60));
  if (input.reference.trim() !== '' && !reference) errors['reference'] = 'Enter the reference number as it is written, like SR-2026-000123, or leave it empty';
  const email = input.email.trim();
  if (email !== '' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) errors['email'] = 'Enter an e-mail address like name@example.com, or leave it empty';
  if (input.name.trim().length > 200) errors['name'] = 'Shorten your name to 200 characters';
  if (input.phone.trim().length > 40) errors['phone'] = 'Enter a phone number of at most 40 characters';
  return options.db.kysely.transaction().execute(async (trx) => {
    const caseRow = reference ? await trx.selectFrom('service_case').select('id').where('reference', '=', reference).executeTakeFirst() : undefined;
    if (reference && !caseRow) errors['reference'] = `We have no request ${reference}. Check the number, or leave it empty`;
    if (Object.keys(errors).length > 0) {
      throw new AppError('VALIDATION_FAILED', `${Object.values(errors).join('. ')}.`, Object.entries(errors).map(([field, message]) => ({ field, message })));
    }
    const saved = await trx
      .insertInto('customer_feedback')
      .values({
        case_id: caseRow?.id ?? null,
        received_at: now,
        kind: input.kind,
        text,
        contact_name: input.name.trim() || null,
        contact_email: email || null,
        contact_phone: input.phone.trim() || null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: saved.id };
  });
}

/** The feedback the person may see received since `since`, as the analysis reads it. */
export async function feedbackFacts(tx: Tx, staff: StaffMember, since: Date): Promise<{ at: number; source: string; themes: string[] }[]> {
  assertMayRead(staff);
  const rows = await feedbackQuery(tx, staff).where('f.received_at', '>=', since).limit(100_000).execute();
  return rows.map((r) => ({ at: new Date(r.received_at).getTime(), source: r.kind, themes: r.themes ?? [] }));
}

/** "Was it resolved?" and the channel of the survey answers given in [from, to), in the person's scope. */
export async function surveyAnswerCounts(tx: Tx, staff: StaffMember, from: Date, to: Date): Promise<{ resolved: Record<'yes' | 'partly' | 'no', number>; byChannel: Record<'web' | 'phone', number>; answers: number }> {
  assertMayRead(staff);
  let query = tx
    .selectFrom('survey_answer as a')
    .innerJoin('survey_invitation as i', 'i.id', 'a.invitation_id')
    .innerJoin('service_case as c', 'c.id', 'i.case_id')
    .select(['a.resolved', 'a.channel', (eb) => eb.fn.countAll<number>().as('n')])
    .where('a.answered_at', '>=', from)
    .where('a.answered_at', '<', to)
    .groupBy(['a.resolved', 'a.channel']);
  if (!seesEveryDivision(staff)) query = query.where((eb) => caseVisibleTo(eb, staff));
  const rows = await query.execute();
  const result = { resolved: { yes: 0, partly: 0, no: 0 }, byChannel: { web: 0, phone: 0 }, answers: 0 };
  for (const r of rows) {
    const n = Number(r.n);
    result.resolved[r.resolved] += n;
    result.byChannel[r.channel] += n;
    result.answers += n;
  }
  return result;
}
