import { sql } from 'kysely';
import type { Db, Tx } from '../db/connect.js';
import type { Directory } from '../directory/directory-cache.js';
import { defaultSurveyLinks, surveyKey, type SurveyLinks } from '../feedback/survey-token.js';
import { staffNames } from '../open311/find-open311-requests.js';
import { updateNoteOf } from '../open311/find-open311-updates.js';
import { updateEventTypes } from '../open311/open311-update-status.js';
import { redactor } from '../open311/present-open311-request.js';
import { publicDescriptionOf } from '../cases/public-description.js';
import { signUnfollow, unfollowPath } from './follow-token.js';
import { followerUpdateMessage } from './follower-messages.js';
import { enqueueMail } from './outbox.js';

/**
 * The followers' sweep (issue 19): each public update of a followed request (the steps the Open311
 * updates list gives, open311-update-status.ts's updateEventTypes, in the same redacted words) is
 * sent once to each confirmed follower, if it happened after they confirmed. The report's
 * description goes with it as moderated (public-description.ts).
 *
 * Exactly once: a transaction-level advisory lock lets one sweeper work at a time, and the notice
 * row (primary key follower and event) is inserted before its mail is written, in the same
 * transaction: a second sweeper, even without the lock, inserts nothing and writes no mail. Each
 * mail goes to one follower only, so followers never learn of each other.
 */

export const followerSweepLockKey = 72_657_019;

interface DueNotice {
  follower_id: string | number;
  email: string;
  event_id: string | number;
  at: Date | string;
  type: string;
  data: Record<string, unknown>;
  reference: string;
  request_type_id: number | null;
  description: string;
  description_moderation: 'hidden' | 'redacted' | null;
  public_description: string | null;
  customer_name: string | null;
  customer_email: string | null;
  customer_phone: string | null;
  actors: string[] | null;
}

const list = (types: readonly string[]) => sql.join(types.map((t) => sql.lit(t)));

export async function sweepFollowers(options: { db: Db; directory: Directory; now: Date; links?: SurveyLinks | undefined; batchSize?: number; useLock?: boolean }): Promise<{ skipped: boolean; sent: number }> {
  const { db, now } = options;
  let sent = 0;
  for (;;) {
    const more = await db.kysely.transaction().execute(async (trx) => {
      if (options.useLock !== false) {
        const locked = (await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${followerSweepLockKey}) as locked`.execute(trx)).rows[0]!.locked;
        if (!locked) return undefined;
      }
      return sweepBatch(trx, options.directory, now, options.links ?? defaultSurveyLinks, options.batchSize ?? 500);
    });
    if (more === undefined) return { skipped: sent === 0, sent };
    sent += more.sent;
    if (!more.full) return { skipped: false, sent };
  }
}

async function sweepBatch(trx: Tx, directory: Directory, now: Date, links: SurveyLinks, batchSize: number): Promise<{ sent: number; full: boolean }> {
  const { rows } = await sql<DueNotice>`
    select f.id as follower_id, f.email, e.id as event_id, e.at, e.type, e.data, c.reference, c.request_type_id,
      c.description, c.description_moderation, c.public_description, c.customer_name, c.customer_email, c.customer_phone,
      (select array_agg(distinct a.actor_label) from case_event a where a.case_id = c.id and a.actor_id is not null) as actors
    from case_follower f
    join case_event e on e.case_id = f.case_id and e.type in (${list(updateEventTypes)}) and e.at >= f.confirmed_at and e.at <= ${now}
    join service_case c on c.id = f.case_id
    where f.confirmed_at is not null and f.unfollowed_at is null
      and not exists (select 1 from follower_notice n where n.follower_id = f.id and n.event_id = e.id)
    order by e.at, e.id, f.id
    limit ${batchSize}`.execute(trx);
  if (rows.length === 0) return { sent: 0, full: false };
  const key = await surveyKey(trx, links, now);
  const names = await staffNames(trx, directory);
  const zone = directory.calendar.timeZone;
  let sent = 0;
  for (const row of rows) {
    const claimed = await trx
      .insertInto('follower_notice')
      .values({ follower_id: Number(row.follower_id), event_id: Number(row.event_id), sent_at: now })
      .onConflict((oc) => oc.columns(['follower_id', 'event_id']).doNothing())
      .returning('follower_id')
      .executeTakeFirst();
    if (!claimed) continue;
    const redact = redactor(row, names);
    const note = updateNoteOf(row.type, row.data, directory);
    const message = followerUpdateMessage({
      municipality: directory.municipality.name,
      reference: row.reference,
      typeName: (row.request_type_id === null ? undefined : directory.requestType(row.request_type_id)?.name) ?? 'service request',
      at: new Date(row.at),
      summary: note.summary,
      text: note.description === null ? null : redact(note.description),
      description: redact(publicDescriptionOf(row)),
      trackUrl: `${links.publicUrl}/track/${row.reference}`,
      unfollowUrl: `${links.publicUrl}${unfollowPath(signUnfollow(key, Number(row.follower_id)))}`,
      timeZone: zone,
    });
    await enqueueMail(trx, { to: row.email, ...message, now, reference: null });
    sent += 1;
  }
  return { sent, full: rows.length === batchSize };
}
