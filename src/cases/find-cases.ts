import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import { DateTime } from 'luxon';
import type { Tx } from '../db/connect.js';
import type { Database } from '../db/schema.js';
import type { StaffMember } from '../directory/staff.js';
import { AppError } from '../platform/errors.js';
import type { BusinessCalendar } from '../standard/calendar.js';
import { queueNames, type QueueName } from './case-queries.js';
import { seesEveryDivision } from './case-policy.js';
import { queueConditions, queueDivisionColumn, queueDueColumn } from './queue-rules.js';

/**
 * The console's lists of cases: a work queue or a search, filtered by division, type, channel,
 * status and due date, sorted and paged, with the total. Whatever the filters, a list shows only
 * cases the person may open (case-policy.ts canViewCase), and a queue holds what listQueue holds.
 */


export const caseSortKeys = ['reference', 'type', 'division', 'status', 'owner', 'customer', 'received', 'due'] as const;
export type CaseSortKey = (typeof caseSortKeys)[number];
export const dueFilters = ['overdue', 'today', 'week'] as const;
export type DueFilter = (typeof dueFilters)[number];

export interface CaseFilters {
  /** A work queue (as listQueue), or none: every case the person may see. */
  queue?: QueueName | undefined;
  /** A reference number, customer (name, e-mail, phone), address or words of the summary. */
  text?: string | undefined;
  division?: string | undefined;
  requestType?: string | undefined;
  channel?: string | undefined;
  status?: 'open' | 'resolved' | undefined;
  due?: DueFilter | undefined;
  sort?: CaseSortKey | undefined;
  direction?: 'asc' | 'desc' | undefined;
  /** From 1. */
  page?: number | undefined;
}

export const casePageSize = 50;

type CaseTables = Database & { c: Database['service_case']; d: Database['division']; t: Database['request_type']; ch: Database['channel']; o: Database['staff_user'] };
type Eb = ExpressionBuilder<CaseTables, 'c'>;

/** The deadline that makes a case urgent in each queue (as listQueue sorts it). */
const dueColumnOf = (queue: QueueName | undefined) => `c.${queueDueColumn(queue)}` as const;

/**
 * The one reading of "cases this person may open", as SQL (canViewCase), on a query that names
 * the case table `c`.
 */
export function caseVisibleTo<DB extends { c: Database['service_case'] }>(builder: ExpressionBuilder<DB, 'c'>, staff: StaffMember): Expression<SqlBool> {
  // Every table with `c` reads the same here; TypeScript cannot see that through the generic.
  const eb = builder as unknown as ExpressionBuilder<Database & { c: Database['service_case'] }, 'c'>;
  if (staff.role === 'working_group') throw new AppError('FORBIDDEN', 'Working Group members see reports, not cases.');
  if (seesEveryDivision(staff)) return sql<boolean>`true`;
  if (staff.role === 'department_head') {
    if (staff.departmentId === null) return sql<boolean>`false`;
    const divisions = eb.selectFrom('division').select('division.id').where('division.department_id', '=', staff.departmentId);
    return eb.or([eb('c.division_id', 'in', divisions), eb('c.transfer_to_division_id', 'in', divisions)]);
  }
  if (staff.divisionId === null) return sql<boolean>`false`;
  return eb.or([eb('c.division_id', '=', staff.divisionId), eb('c.transfer_to_division_id', '=', staff.divisionId)]);
}

/** Like-pattern text for a term: % and _ are the customer's characters, not wildcards. */
const likeEscape = (s: string): string => s.replace(/[\\%_]/g, (ch) => `\\${ch}`);

/** A phone number as the index keeps it: the last ten digits, before any extension. */
export function phoneDigits(phone: string): string {
  return phone.toLowerCase().split('x')[0]!.replace(/[^0-9]/g, '').slice(-10);
}
const phoneDigitsSql = sql<string>`right(regexp_replace(split_part(lower(c.customer_phone), 'x', 1), '[^0-9]', '', 'g'), 10)`;
const referenceText = /^(SR|GI)-\d{4}-\d{1,12}$/i;

/**
 * A case as full-text search reads it: reference, customer and address weigh most, then the
 * summary, then the description. The same expression as migration 065's index, so it is used.
 */
const caseDocument = sql`(setweight(to_tsvector('english', coalesce(c.reference, '') || ' ' || coalesce(c.customer_name, '') || ' ' || coalesce(c.address, '')), 'A') || setweight(to_tsvector('english', coalesce(c.summary, '')), 'B') || setweight(to_tsvector('english', coalesce(c.description, '')), 'C'))`;
/** The words as a query: word forms match ("potholes" finds "pothole"); quotes and "or" work as on the web. */
const wordsQuery = (text: string) => sql`websearch_to_tsquery('english', ${text})`;
/** Words that are only stop words ("the") make an empty query: the plain match below still runs. */
export const relevance = (text: string) => sql<number>`ts_rank(${caseDocument}, ${wordsQuery(text)})`;

export interface FindContext {
  staff: StaffMember;
  now: Date;
  calendar: BusinessCalendar;
}

/**
 * The conditions of a list: the queue's own (those of listQueue, with its division scope), the
 * filters, and always the person's visibility.
 */
async function conditions(tx: Tx, context: FindContext, filters: CaseFilters) {
  const { staff, now, calendar } = context;
  let division: { id: number; department_id: number } | undefined;
  if (filters.division) {
    division = await tx.selectFrom('division').select(['id', 'department_id']).where('code', '=', filters.division).executeTakeFirst();
    if (!division) throw new AppError('VALIDATION_FAILED', `"${filters.division}" is not a division.`, [{ field: 'division', message: 'Choose a division from the list' }]);
  }
  let requestTypeId: number | undefined;
  if (filters.requestType) {
    const type = await tx.selectFrom('request_type').select('id').where('code', '=', filters.requestType).executeTakeFirst();
    if (!type) throw new AppError('VALIDATION_FAILED', `"${filters.requestType}" is not a request type.`, [{ field: 'type', message: 'Choose a request type from the list' }]);
    requestTypeId = type.id;
  }
  const endOfToday = new Date(calendar.hoursOf(calendar.localDate(now.getTime())).closes);
  const endOfLocalDay = DateTime.fromJSDate(now, { zone: calendar.timeZone }).endOf('day').toJSDate();
  const seesAll = seesEveryDivision(staff);
  const queue = filters.queue;
  const dueColumn = dueColumnOf(queue);
  const text = filters.text?.trim().slice(0, 200) ?? '';

  return (eb: Eb): Expression<SqlBool> => {
    const parts: Expression<SqlBool>[] = [caseVisibleTo(eb, staff)];
    // listQueue's division scope: a chosen division; else division staff their own, a Department
    // Head their department's, the others every division.
    const scopeColumn = `c.${queueDivisionColumn(queue)}` as const;
    if (division) parts.push(eb(scopeColumn, '=', division.id));
    else if (queue && queue !== 'mine' && staff.role === 'department_head' && staff.departmentId !== null) {
      parts.push(eb(scopeColumn, 'in', eb.selectFrom('division').select('division.id').where('division.department_id', '=', staff.departmentId)));
    } else if (queue && queue !== 'mine' && !seesAll && staff.role !== 'department_head') {
      parts.push(staff.divisionId === null ? sql<boolean>`false` : eb(scopeColumn, '=', staff.divisionId));
    }
    if (queue) parts.push(...queueConditions(eb, queue, { staffId: staff.id, now, endOfToday }));
    if (requestTypeId !== undefined) parts.push(eb('c.request_type_id', '=', requestTypeId));
    if (filters.channel) parts.push(eb('c.channel', '=', filters.channel));
    if (filters.status) parts.push(eb('c.status', '=', filters.status));
    if (filters.due) {
      // A due date is a deadline still to meet: only open cases have one.
      parts.push(eb('c.status', '=', 'open'), eb(dueColumn, 'is not', null), eb('c.import_source_id', 'is', null));
      if (filters.due === 'overdue') parts.push(eb(dueColumn, '<', now));
      else parts.push(eb(dueColumn, '>=', now), eb(dueColumn, '<=', filters.due === 'today' ? endOfLocalDay : new Date(now.getTime() + 7 * 86_400_000)));
    }
    if (text !== '') {
      if (referenceText.test(text)) {
        parts.push(eb('c.reference', '=', text.toUpperCase()));
      } else if (/^[+()\d\s.-]{7,}$/.test(text) && phoneDigits(text).length >= 7) {
        parts.push(eb(phoneDigitsSql, 'like', `%${phoneDigits(text)}`));
      } else {
        // Full-text: every word in one of its forms (potholes, pothole). Or, as before, every word
        // found as typed in one of the fields staff search by: a name's beginning, an e-mail address.
        const plain = text
          .split(/\s+/)
          .slice(0, 8)
          .map((word) => {
            const pattern = `%${likeEscape(word)}%`;
            return eb.or([
              eb('c.reference', 'ilike', pattern),
              eb('c.customer_name', 'ilike', pattern),
              eb('c.customer_email', 'ilike', pattern),
              eb('c.address', 'ilike', pattern),
              eb('c.summary', 'ilike', pattern),
              eb('c.description', 'ilike', pattern),
            ]);
          });
        parts.push(eb.or([sql<boolean>`${caseDocument} @@ ${wordsQuery(text)}`, eb.and(plain)]));
      }
    }
    return eb.and(parts);
  };
}

function baseQuery(tx: Tx) {
  return tx
    .selectFrom('service_case as c')
    .innerJoin('division as d', 'd.id', 'c.division_id')
    .leftJoin('channel as ch', 'ch.code', 'c.channel')
    .leftJoin('request_type as t', 't.id', 'c.request_type_id')
    .leftJoin('division as td', 'td.id', 'c.transfer_to_division_id')
    .leftJoin('staff_user as o', 'o.id', 'c.owner_id');
}

export interface CaseListItem {
  reference: string;
  kind: 'inquiry' | 'service_request';
  status: 'open' | 'resolved';
  summary: string;
  address: string | null;
  division: string;
  requestType: string | null;
  channel: string;
  customerName: string | null;
  receivedAt: string;
  /** The deadline that makes it urgent in this list (see dueColumnOf), if it is still open. */
  dueAt: string | null;
  /** What the deadline is: "acknowledge", "resolve", "update" or "confirm transfer". */
  dueFor: string | null;
  acknowledged: boolean;
  transferTo: string | null;
  /** Who the case is assigned to (INTERPRETATION §5), or null: nobody yet. */
  owner: string | null;
}

const iso = (calendar: BusinessCalendar, d: Date | string | null): string | null => (d === null ? null : calendar.format(new Date(d).getTime()));

/** One page of a list and how many cases it holds in all. */
export async function findCases(tx: Tx, context: FindContext, filters: CaseFilters): Promise<{ total: number; page: number; pageSize: number; items: CaseListItem[] }> {
  if (filters.queue !== undefined && !queueNames.includes(filters.queue)) throw new AppError('NOT_FOUND', `There is no queue "${filters.queue}".`);
  const where = await conditions(tx, context, filters);
  const page = Math.max(1, Math.min(filters.page ?? 1, 100_000));
  const dueColumn = dueColumnOf(filters.queue);
  const sortColumn = {
    reference: 'c.reference',
    type: 't.name',
    division: 'd.name',
    status: 'c.status',
    owner: 'o.name',
    customer: 'c.customer_name',
    received: 'c.received_at',
    due: dueColumn,
  } as const;
  const sort = filters.sort ?? (filters.queue ? 'due' : 'received');
  // Words searched with no sort chosen: the most relevant first.
  const words = filters.text?.trim().slice(0, 200) ?? '';
  const byRelevance = filters.sort === undefined && words !== '' && !referenceText.test(words);
  const direction = filters.direction ?? (sort === 'received' && !filters.queue ? 'desc' : 'asc');

  const [count, rows] = await Promise.all([
    baseQuery(tx).where(where).select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow(),
    baseQuery(tx)
      .where(where)
      .select([
        'c.reference',
        'c.kind',
        'c.status',
        'c.summary',
        'c.address',
        'c.customer_name',
        'c.received_at',
        'c.acknowledged_at',
        'c.acknowledge_by',
        'c.resolve_by',
        'c.committed_by',
        'c.transfer_follow_up_by',
        'c.next_due_at',
        'd.name as division',
        't.name as request_type',
        sql<string>`coalesce(ch.name, 'not recorded')`.as('channel'),
        'td.name as transfer_to',
        'o.name as owner',
      ])
      .$if(byRelevance, (q) => q.orderBy(relevance(words), 'desc'))
      .orderBy(sortColumn[sort], (ob) => (direction === 'asc' ? ob.asc().nullsLast() : ob.desc().nullsLast()))
      .orderBy('c.id', direction)
      .limit(casePageSize)
      .offset((page - 1) * casePageSize)
      .execute(),
  ]);
  const { calendar } = context;
  return {
    total: Number(count.n),
    page,
    pageSize: casePageSize,
    items: rows.map((r) => {
      const due = r.status !== 'open' ? null : r[dueColumn.slice(2) as 'next_due_at'];
      return {
        reference: r.reference,
        kind: r.kind,
        status: r.status,
        summary: r.summary,
        address: r.address,
        division: r.division,
        requestType: r.request_type,
        channel: r.channel,
        customerName: r.customer_name,
        receivedAt: iso(calendar, r.received_at)!,
        dueAt: iso(calendar, due),
        dueFor: due === null ? null : deadlineKind(r),
        acknowledged: r.acknowledged_at !== null,
        transferTo: r.transfer_to,
        owner: r.owner,
      };
    }),
  };
}

/** Which deadline a case's next due time is (nextDueAt in case-record.ts takes the earliest). */
export function deadlineKind(r: { next_due_at: Date | string | null; acknowledged_at: unknown; acknowledge_by: Date | string; resolve_by: Date | string | null; committed_by: Date | string | null; transfer_follow_up_by: Date | string | null }): string {
  const at = (d: Date | string | null) => (d === null ? Number.NaN : new Date(d).getTime());
  const next = at(r.next_due_at);
  if (r.acknowledged_at === null && at(r.acknowledge_by) === next) return 'acknowledge';
  if (at(r.transfer_follow_up_by) === next) return 'confirm transfer';
  if (at(r.committed_by) === next) return 'update';
  return 'resolve';
}

/** How many cases each work queue holds for this person (the queue pages' and home's counts). */
export async function countQueues(tx: Tx, context: FindContext, division?: string): Promise<Record<QueueName, number>> {
  const counts = await Promise.all(
    queueNames.map(async (queue) => {
      // listQueue's "mine" is every open case the person owns, in whichever division.
      const where = await conditions(tx, context, { queue, division: queue === 'mine' ? undefined : division });
      const row = await baseQuery(tx).where(where).select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow();
      return [queue, Number(row.n)] as const;
    }),
  );
  return Object.fromEntries(counts) as Record<QueueName, number>;
}

/** Whether any case has been recorded at all: an install without one greets staff with what to do first. */
export async function hasAnyCase(tx: Tx): Promise<boolean> {
  return (await tx.selectFrom('service_case').select('id').limit(1).executeTakeFirst()) !== undefined;
}

export interface RelatedCase {
  reference: string;
  status: 'open' | 'resolved';
  summary: string;
  address: string | null;
  requestType: string | null;
  division: string;
  receivedAt: string;
  acknowledged: boolean;
  transferTo: string | null;
  /** For a nearby request: how far its point is, in metres, when both have one. */
  metres?: number | undefined;
}

const relatedColumns = ['c.reference', 'c.status', 'c.acknowledged_at', 'td.name as transfer_to', 'c.summary', 'c.address', 'c.received_at', 'c.latitude', 'c.longitude', 'd.name as division', 't.name as request_type'] as const;

/** The same customer's earlier cases (same e-mail address, or the same phone number however written). */
export async function findCustomerCases(tx: Tx, context: FindContext, customer: { email?: string | undefined; phone?: string | undefined }, limit = 10): Promise<RelatedCase[]> {
  const email = customer.email?.trim().toLowerCase() ?? '';
  const digits = customer.phone ? phoneDigits(customer.phone) : '';
  if (email === '' && digits.length < 7) return [];
  const rows = await baseQuery(tx)
    .where((eb) => {
      const same: Expression<SqlBool>[] = [];
      if (email !== '') same.push(eb(sql<string>`lower(c.customer_email)`, '=', email));
      if (digits.length >= 7) same.push(eb(phoneDigitsSql, '=', digits));
      return eb.and([caseVisibleTo(eb, context.staff), eb.or(same)]);
    })
    .select(relatedColumns)
    .orderBy('c.received_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => related(context.calendar, r));
}

export interface NearbyPlace {
  requestType: string;
  address?: string | undefined;
  latitude?: number | undefined;
  longitude?: number | undefined;
  /** How near counts as the same problem: the request type's `nearbyMetres` (issue 19). */
  radiusMetres: number;
}

/** The mean Earth radius the distances use (metres). */
const earthMetres = 6_371_000;

/**
 * Open requests of the same type at the same address, or within the type's radius of the point:
 * the one nearby query, for staff intake (to spot a duplicate) and the portal's "already
 * reported?" (issue 19). SQL on both engines: the bounding box around the point (the
 * service_case_open_point index) narrows it to a few rows, the great-circle distance (haversine)
 * decides. `staff: null` is the public portal: every open request, and the caller shows no one's
 * personal information.
 */
export async function findNearbyOpenRequests(tx: Tx, context: { staff: StaffMember | null; calendar: BusinessCalendar }, place: NearbyPlace, limit = 10): Promise<RelatedCase[]> {
  const address = place.address?.trim().toLowerCase() ?? '';
  const point = place.latitude !== undefined && place.longitude !== undefined && Number.isFinite(place.latitude) && Number.isFinite(place.longitude) ? { lat: place.latitude, lon: place.longitude } : null;
  if (address === '' && !point) return [];
  const radius = place.radiusMetres;
  // A degree of latitude is earthMetres·π/180 long; a degree of longitude shrinks with cos(latitude).
  // The box is a little larger than the circle, so rounding never leaves a request out.
  const dLat = (radius * 1.01) / ((earthMetres * Math.PI) / 180);
  const dLon = point ? dLat / Math.max(Math.cos((point.lat * Math.PI) / 180), 0.01) : 0;
  const distance = point
    ? sql<number>`(2 * ${earthMetres} * asin(least(1, sqrt(
        power(sin(radians(c.latitude - ${point.lat}) / 2), 2)
        + cos(radians(${point.lat})) * cos(radians(c.latitude)) * power(sin(radians(c.longitude - ${point.lon}) / 2), 2)))))`
    : sql<number>`null`;
  const rows = await baseQuery(tx)
    .where((eb) => {
      const near: Expression<SqlBool>[] = [];
      if (address !== '') near.push(eb(sql<string>`lower(c.address)`, '=', address));
      if (point) {
        near.push(
          eb.and([
            eb('c.latitude', '>=', point.lat - dLat),
            eb('c.latitude', '<=', point.lat + dLat),
            eb('c.longitude', '>=', point.lon - dLon),
            eb('c.longitude', '<=', point.lon + dLon),
            eb(distance, '<=', radius),
          ]),
        );
      }
      const visible = context.staff ? caseVisibleTo(eb, context.staff) : sql<boolean>`true`;
      return eb.and([visible, eb('c.status', '=', 'open'), eb('c.import_source_id', 'is', null), eb('t.code', '=', place.requestType), eb.or(near)]);
    })
    .select([...relatedColumns, distance.as('metres')])
    .orderBy(sql.ref('metres'), (o) => o.asc().nullsLast())
    .orderBy('c.received_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...related(context.calendar, r), metres: r.metres === null || r.metres === undefined ? undefined : Math.round(Number(r.metres)) }));
}

function related(
  calendar: BusinessCalendar,
  r: {
    reference: string;
    status: 'open' | 'resolved';
    acknowledged_at: Date | string | null;
    transfer_to: string | null;
    summary: string;
    address: string | null;
    received_at: Date | string;
    division: string;
    request_type: string | null;
  },
): RelatedCase {
  return {
    reference: r.reference,
    status: r.status,
    acknowledged: r.acknowledged_at !== null,
    transferTo: r.transfer_to,
    summary: r.summary,
    address: r.address,
    requestType: r.request_type,
    division: r.division,
    receivedAt: iso(calendar, r.received_at)!,
  };
}

