import { sql } from 'kysely';
import type { Db, Tx } from '../db/connect.js';
import { buildCalendar, loadMunicipality } from '../directory/municipality.js';
import { defaultFeedbackConfig } from '../directory/municipality-config.js';
import { enqueueMail } from '../notify/outbox.js';
import { surveyDecision, surveyExpiresAt, type PreferredContact, type SurveySkip } from '../standard/customer-satisfaction.js';
import { surveyInvitationMessage } from './survey-messages.js';
import { optOutPath, signOptOutToken, signSurveyToken, surveyKey, surveyPath, type SurveyLinks } from './survey-token.js';

/**
 * The survey sweep (issue 14, CSS §6.2): every resolved case whose invitation time has come (2
 * business days after its resolution by default) is decided once: its customer is invited by
 * their preferred channel (an e-mail with a personal link through the outbox, or an entry on
 * Customer Service's follow-up call list), or not, with the reason kept (anonymous, "do not
 * contact me", opted out, invited in the last 30 days).
 *
 * Exactly once: a transaction-level advisory lock lets one sweeper work at a time; a case has one
 * invitation (unique case_id) and one decision, and the customer's rows in survey_customer are
 * locked while the decision is made, so even two sweepers without the lock never invite one
 * customer twice within the limit. The mail is written only for an invitation this sweep inserted.
 */

export const surveySweepLockKey = 72_657_014;

export interface SurveySweepResult {
  skipped: boolean;
  invited: { reference: string; channel: 'email' | 'phone' }[];
  notInvited: { reference: string; reason: SurveySkip }[];
}

interface Candidate {
  id: number;
  reference: string;
  kind: 'inquiry' | 'service_request';
  division_id: number;
  request_type_id: number | null;
  customer_name: string | null;
  customer_email: string | null;
  customer_phone: string | null;
  preferred_contact: PreferredContact;
  resolved_at: Date;
}

export async function sweepSurveys(options: { db: Db; now: Date; links: SurveyLinks; batchSize?: number; useLock?: boolean }): Promise<SurveySweepResult> {
  const { db, now, links } = options;
  const result: SurveySweepResult = { skipped: false, invited: [], notInvited: [] };
  const batchSize = options.batchSize ?? 500;
  for (;;) {
    const more = await db.kysely.transaction().execute(async (trx) => {
      if (options.useLock !== false) {
        const locked = (await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${surveySweepLockKey}) as locked`.execute(trx)).rows[0]!.locked;
        if (!locked) {
          result.skipped = result.invited.length + result.notInvited.length === 0;
          return false;
        }
      }
      return sweepBatch(trx, now, links, batchSize, result);
    });
    if (!more) return result;
  }
}

/** One batch in one transaction; true when there may be more due. */
async function sweepBatch(trx: Tx, now: Date, links: SurveyLinks, batchSize: number, result: SurveySweepResult): Promise<boolean> {
  const municipality = await loadMunicipality(trx);
  const feedback = municipality.settings.feedback ?? defaultFeedbackConfig;
  const rules = feedback.survey;
  const calendar = await buildCalendar(trx, municipality);
  const zone = calendar.timeZone;
  // A case resolved longer ago than a link lasts is not surveyed any more (a sweeper that was
  // off for weeks does not send stale invitations).
  const oldest = new Date(now.getTime() - rules.linkExpiresDays * 86_400_000);
  const { rows } = await sql<Candidate>`
    select c.id, c.reference, c.kind, c.division_id, c.request_type_id, c.customer_name, c.customer_email, c.customer_phone,
           c.preferred_contact, c.resolved_at
    from service_case c
    where c.status = 'resolved' and c.resolved_at > ${oldest} and c.resolved_at <= ${now}
      -- Imported history (src/history) is never mailed.
      and c.import_source_id is null
      -- A request closed as a duplicate (issue 18) was not resolved on its own: its customer
      -- follows the parent, whose work is what a survey would ask about.
      and c.duplicate_of_id is null
      and not exists (select 1 from survey_invitation i where i.case_id = c.id)
      and not exists (select 1 from survey_skip s where s.case_id = c.id)
    order by c.resolved_at, c.id
    limit ${batchSize}
    for update of c skip locked`.execute(trx);
  const due = rows.filter((c) => calendar.dueAt(new Date(c.resolved_at).getTime(), rules.inviteAfter) <= now.getTime());
  if (due.length === 0) return false;
  const key = await surveyKey(trx, links, now);
  const directory = await trx.selectFrom('division').select(['id', 'name', 'contact_phone', 'contact_email']).execute();
  const divisions = new Map(directory.map((d) => [d.id, d]));
  const types = new Map((await trx.selectFrom('request_type').select(['id', 'name']).execute()).map((t) => [t.id, t.name]));

  for (const c of due) {
    const decisionKeys = surveyDecision({ preferredContact: c.preferred_contact, email: c.customer_email, phone: c.customer_phone, known: [], now: now.getTime(), rules });
    let decision = decisionKeys;
    if ('invite' in decisionKeys) {
      // Lock the customer's rows (made if new), then decide with what they say.
      await sql`insert into survey_customer (customer_key) select unnest(${decisionKeys.keys}::text[]) on conflict do nothing`.execute(trx);
      const known = (
        await sql<{ customer_key: string; last_invited_at: Date | null; opted_out_at: Date | null }>`
          select customer_key, last_invited_at, opted_out_at from survey_customer
          where customer_key = any(${decisionKeys.keys}::text[]) order by customer_key for update`.execute(trx)
      ).rows;
      decision = surveyDecision({
        preferredContact: c.preferred_contact,
        email: c.customer_email,
        phone: c.customer_phone,
        known: known.map((k) => ({ key: k.customer_key, lastInvitedAt: k.last_invited_at ? new Date(k.last_invited_at).getTime() : null, optedOutAt: k.opted_out_at ? new Date(k.opted_out_at).getTime() : null })),
        now: now.getTime(),
        rules,
      });
    }
    if ('skip' in decision) {
      const kept = await trx.insertInto('survey_skip').values({ case_id: c.id, decided_at: now, reason: decision.skip }).onConflict((oc) => oc.column('case_id').doNothing()).returning('case_id').executeTakeFirst();
      if (kept) result.notInvited.push({ reference: c.reference, reason: decision.skip });
      continue;
    }
    const expiresAt = new Date(surveyExpiresAt(now.getTime(), rules));
    const invitation = await trx
      .insertInto('survey_invitation')
      .values({ case_id: c.id, division_id: c.division_id, request_type_id: c.request_type_id, channel: decision.invite, customer_keys: decision.keys, invited_at: now, expires_at: expiresAt })
      .onConflict((oc) => oc.column('case_id').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!invitation) continue;
    await trx.updateTable('survey_customer').set({ last_invited_at: now }).where('customer_key', 'in', decision.keys).execute();
    const division = divisions.get(c.division_id)!;
    const typeName = c.request_type_id ? types.get(c.request_type_id) : undefined;
    if (decision.invite === 'email') {
      const token = signSurveyToken(key, { id: invitation.id, expiresAt });
      const message = surveyInvitationMessage({
        municipality: municipality.name,
        reference: c.reference,
        customerName: c.customer_name,
        what: typeName ? `service request (${typeName})` : 'inquiry',
        divisionName: division.name,
        resolvedAt: new Date(c.resolved_at),
        expiresAt,
        surveyUrl: `${links.publicUrl}${surveyPath(token)}`,
        optOutUrl: `${links.publicUrl}${optOutPath(signOptOutToken(key, invitation.id))}`,
        contact: `${division.name} at ${division.contact_phone ?? municipality.settings.contact.phone} or ${division.contact_email ?? municipality.settings.contact.email}`,
        timeZone: zone,
      });
      await enqueueMail(trx, { to: c.customer_email!.trim(), ...message, now, reference: c.reference });
    }
    await trx
      .insertInto('case_event')
      .values({
        case_id: c.id,
        at: now,
        actor_id: null,
        actor_label: 'citydesk (survey sweep)',
        type: 'survey_invited',
        data: JSON.stringify({ channel: decision.invite, expiresAt: expiresAt.toISOString() }),
      })
      .execute();
    result.invited.push({ reference: c.reference, channel: decision.invite });
  }
  return rows.length === batchSize;
}
