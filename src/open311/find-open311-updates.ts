import { sql } from 'kysely';
import type { Tx } from '../db/connect.js';
import type { Directory } from '../directory/directory-cache.js';
import { badRequest } from './open311-errors.js';
import type { Open311Update } from './open311-format.js';
import { staffNames } from './find-open311-requests.js';
import { noteOf, redactor } from './present-open311-request.js';
import { statusEventTypes, updateEventTypes, updateStatus } from './open311-update-status.js';

/**
 * GET servicerequestupdates (the mySociety extension): the public updates to service requests
 * whose time falls in [start_date, end_date], oldest first. A client pages by moving the window
 * (FixMyStreet asks for the last two hours every few minutes). Each update is one public event of
 * the case (acknowledgment, status update, transfer, reclassification, escalation, resolution,
 * reopening) with the public text, redacted as every public text is; residents' own messages and
 * staff notes are never updates.
 */
export const maxUpdateSpanDays = 90;
/** Neither date given: the last day. */
export const defaultUpdateSpanHours = 24;
/** More updates than this in one window is a window to narrow, not an answer to cut short. */
export const maxUpdatesPerAnswer = 10_000;
const hourMs = 3_600_000;

export interface UpdateQuery {
  start?: number | undefined;
  end?: number | undefined;
}

export function updateWindow(query: UpdateQuery, now: number): { from: number; to: number } {
  const span = maxUpdateSpanDays * 24 * hourMs;
  const { start, end } = query;
  if (start !== undefined && end !== undefined) {
    if (end < start) throw badRequest('end_date is before start_date: give an end_date after the start_date.');
    if (end - start > span) throw badRequest(`start_date and end_date may not span more than ${maxUpdateSpanDays} days; ask for the updates in shorter windows.`);
    return { from: start, to: end };
  }
  if (start !== undefined) return { from: start, to: Math.min(start + span, Math.max(now, start)) };
  if (end !== undefined) return { from: end - defaultUpdateSpanHours * hourMs, to: end };
  return { from: now - defaultUpdateSpanHours * hourMs, to: now };
}

const list = (types: readonly string[]) => sql.join(types.map((t) => sql.lit(t)));

interface UpdateRow {
  id: string | number;
  at: Date | string;
  type: string;
  data: Record<string, unknown>;
  reference: string;
  customer_name: string | null;
  customer_email: string | null;
  customer_phone: string | null;
  actors: string[] | null;
  status_event: string | null;
}

/**
 * The public words of an update (one of updateEventTypes): what the updates list shows, and what
 * followers of a request are sent (notify/sweep-followers.ts). Not yet redacted.
 */
export function updateNoteOf(type: string, data: Record<string, unknown>, directory: Directory): { summary: string; description: string | null } {
  if (type === 'customer_update_answered') return { summary: 'Answered', description: typeof data['answer'] === 'string' ? data['answer'] : null };
  return noteOf(type, data, directory) ?? { summary: 'Updated', description: null };
}

export async function findOpen311Updates(tx: Tx, directory: Directory, query: UpdateQuery, now: number): Promise<Open311Update[]> {
  const { from, to } = updateWindow(query, now);
  // Times are shown to the second: an update shown at 10:00:00 is in a window ending 10:00:00.
  const before = new Date(Math.floor(to / 1000) * 1000 + 1000);
  const { rows } = await sql<UpdateRow>`
    select e.id, e.at, e.type, e.data, c.reference, c.customer_name, c.customer_email, c.customer_phone,
      (select array_agg(distinct a.actor_label) from case_event a where a.case_id = c.id and a.actor_id is not null) as actors,
      (select s.type from case_event s where s.case_id = e.case_id and s.type in (${list(statusEventTypes)})
         and (s.at, s.id) <= (e.at, e.id) order by s.at desc, s.id desc limit 1) as status_event
    from case_event e
    join service_case c on c.id = e.case_id
    where e.type in (${list(updateEventTypes)}) and e.at >= ${new Date(from)} and e.at < ${before} and c.kind = 'service_request'
    order by e.at, e.id
    limit ${maxUpdatesPerAnswer + 1}`.execute(tx);
  if (rows.length > maxUpdatesPerAnswer) {
    throw badRequest(`There are more than ${maxUpdatesPerAnswer.toLocaleString('en-CA')} updates between start_date and end_date: ask for a shorter window.`);
  }
  const names = rows.length > 0 ? await staffNames(tx, directory) : [];
  const calendar = directory.calendar;
  return rows.map((row) => {
    const redact = redactor(row, names);
    const note = updateNoteOf(row.type, row.data, directory);
    return {
      update_id: String(row.id),
      service_request_id: row.reference,
      status: updateStatus(row.status_event),
      updated_datetime: calendar.format(Math.floor(new Date(row.at).getTime() / 1000) * 1000),
      description: redact(note.description ?? note.summary),
      // citydesk keeps no photos of the City's own work: the extension's media_url is empty then.
      media_url: '',
    };
  });
}
