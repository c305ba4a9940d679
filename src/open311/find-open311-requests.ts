import { sql } from 'kysely';
import type { Tx } from '../db/connect.js';
import type { Directory } from '../directory/directory-cache.js';
import { checkReference } from '../cases/case-record.js';
import { badRequest, notFound } from './open311-errors.js';
import type { Open311Request } from './open311-format.js';
import { publicDescriptionSql } from '../cases/public-description.js';
import { noteEventTypes, presentOpen311Request, publicEventTypes, type Open311CaseRow } from './present-open311-request.js';

/**
 * GET requests: service requests only (general inquiries are never Open311 requests), newest
 * first. A list of service_request_id overrides every other filter; otherwise requested_datetime
 * falls in [start_date, end_date], at most 90 days apart (the last 90 days when neither is given),
 * and at most 1,000 requests come back at once (page_size, default 1,000: FixMyStreet and other
 * clients send no page_size and expect the spec's whole answer).
 */
export const maxSpanDays = 90;
export const defaultPageSize = 1000;
export const maxPageSize = 1000;
const dayMs = 86_400_000;

export interface RequestQuery {
  ids?: string[] | undefined;
  serviceCodes?: string[] | undefined;
  statuses?: ('open' | 'closed')[] | undefined;
  start?: number | undefined;
  end?: number | undefined;
  page: number;
  pageSize: number;
  extensions: boolean;
  /** The site's address, for the links to photos the public may see (media_url). */
  siteUrl?: string | undefined;
}

const inList = (values: readonly string[]) => sql.raw(`(${values.map((v) => `'${v}'`).join(', ')})`);
const publicEvents = inList(publicEventTypes);
const noteEvents = inList(noteEventTypes);

function baseQuery(tx: Tx) {
  return tx
    .selectFrom('service_case as c')
    .select([
      'c.id',
      'c.reference',
      'c.status',
      'c.channel',
      'c.request_type_id',
      'c.division_id',
      // What the public may read of it (moderation, issue 19).
      publicDescriptionSql('c').as('description'),
      'c.address',
      'c.media_url',
      'c.address_id',
      'c.latitude',
      'c.longitude',
      'c.attributes',
      'c.resolution',
      'c.received_at',
      'c.acknowledge_by',
      'c.resolve_by',
      'c.revised_resolve_by',
      'c.customer_name',
      'c.customer_email',
      'c.customer_phone',
      sql<Date | string | null>`(select max(e.at) from case_event e where e.case_id = c.id and e.type in ${publicEvents})`.as('updated_at'),
      sql<Open311CaseRow['latest_note']>`(select json_build_object('type', e.type, 'data', e.data) from case_event e where e.case_id = c.id and e.type in ${noteEvents} order by e.at desc, e.id desc limit 1)`.as(
        'latest_note',
      ),
      sql<string | null>`(select e.data->>'nextSteps' from case_event e where e.case_id = c.id and e.type = 'acknowledged' order by e.at desc, e.id desc limit 1)`.as('next_steps'),
      sql<string[] | null>`(select array_agg(distinct e.actor_label) from case_event e where e.case_id = c.id and e.actor_id is not null)`.as('actors'),
      sql<number | string | null>`(select min(p.id) from case_photo p where p.case_id = c.id and p.public_state = 'shown')`.as('photo_id'),
      sql<string | null>`(select p.reference from service_case p where p.id = c.duplicate_of_id)`.as('duplicate_of'),
    ])
    .where('c.kind', '=', 'service_request')
    // Imported history is another system's record, not this City's requests.
    .where('c.import_source_id', 'is', null);
}

/** Turns the arguments' dates into the window searched, or says what to fix. */
export function requestWindow(start: number | undefined, end: number | undefined, now: number): { from: number; to: number } {
  if (start !== undefined && end !== undefined) {
    if (end < start) throw badRequest('end_date is before start_date: give an end_date after the start_date.');
    if (end - start > maxSpanDays * dayMs) throw badRequest(`start_date and end_date may not span more than ${maxSpanDays} days; narrow the range or ask for it in parts.`);
    return { from: start, to: end };
  }
  if (start !== undefined) return { from: start, to: start + maxSpanDays * dayMs };
  if (end !== undefined) return { from: end - maxSpanDays * dayMs, to: end };
  return { from: now - maxSpanDays * dayMs, to: now };
}

export async function findOpen311Requests(tx: Tx, directory: Directory, query: RequestQuery, now: number): Promise<Open311Request[]> {
  let q = baseQuery(tx);
  if (query.ids) {
    const references = query.ids.filter((id) => {
      try {
        checkReference(id);
        return id.startsWith('SR-');
      } catch {
        return false;
      }
    });
    if (references.length === 0) return [];
    q = q.where('c.reference', 'in', references).orderBy('c.received_at', 'desc').orderBy('c.id', 'desc');
  } else {
    const { from, to } = requestWindow(query.start, query.end, now);
    q = q.where('c.received_at', '>=', new Date(from)).where('c.received_at', '<=', new Date(to));
    if (query.serviceCodes) {
      const known = new Map(directory.activeRequestTypeCodes.map((code) => [code, code]));
      const ids: number[] = [];
      for (const code of query.serviceCodes) {
        if (!known.has(code)) throw badRequest(`service_code "${code.slice(0, 100)}" is not a service; GET services.json lists them.`);
        ids.push(directory.serviceTargets(code, 0).requestType.id);
      }
      q = q.where('c.request_type_id', 'in', ids);
    }
    if (query.statuses && query.statuses.length === 1) q = q.where('c.status', '=', query.statuses[0] === 'closed' ? 'resolved' : 'open');
    q = q
      .orderBy('c.received_at', 'desc')
      .orderBy('c.id', 'desc')
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize);
  }
  const rows = (await q.execute()) as unknown as Open311CaseRow[];
  const notes = query.extensions ? await publicNotes(tx, rows.map((r) => r.id)) : undefined;
  const names = rows.length > 0 ? await staffNames(tx, directory) : [];
  return rows.map((row) => presentOpen311Request(row, directory, notes ? { notes: notes.get(Number(row.id)) ?? [] } : undefined, names, query.siteUrl, now));
}

/** One request by its reference, or 404. */
export async function findOpen311Request(tx: Tx, directory: Directory, id: string, extensions: boolean, now: number, siteUrl?: string): Promise<Open311Request> {
  const [found] = await findOpen311Requests(tx, directory, { ids: [id], page: 1, pageSize: 1, extensions, siteUrl }, now);
  if (!found) throw notFound(`There is no service request "${id.slice(0, 100)}". Service request ids look like SR-2026-000123.`);
  return found;
}

/**
 * Staff members' full names, taken out of public texts wherever they are mentioned; read once per
 * directory snapshot (the staff who acted on a case are also taken from its audit trail).
 */
const staffNamesByDirectory = new WeakMap<Directory, Promise<string[]>>();

export function staffNames(tx: Tx, directory: Directory): Promise<string[]> {
  let pending = staffNamesByDirectory.get(directory);
  if (!pending) {
    pending = tx
      .selectFrom('staff_user')
      .select('name')
      .execute()
      .then((rows) => rows.map((r) => r.name));
    staffNamesByDirectory.set(directory, pending);
    pending.catch(() => staffNamesByDirectory.delete(directory));
  }
  return pending;
}

async function publicNotes(tx: Tx, caseIds: number[]): Promise<Map<number, { at: Date | string; type: string; data: Record<string, unknown> }[]>> {
  const byCase = new Map<number, { at: Date | string; type: string; data: Record<string, unknown> }[]>();
  if (caseIds.length === 0) return byCase;
  const rows = await tx
    .selectFrom('case_event as e')
    .select(['e.case_id', 'e.at', 'e.type', 'e.data'])
    .where('e.case_id', 'in', caseIds)
    .where(sql<boolean>`e.type in ${publicEvents}`)
    .orderBy('e.case_id')
    .orderBy('e.at')
    .orderBy('e.id')
    .execute();
  for (const row of rows) {
    const caseId = Number(row.case_id);
    const list = byCase.get(caseId) ?? [];
    list.push({ at: row.at, type: row.type, data: row.data });
    byCase.set(caseId, list);
  }
  return byCase;
}
