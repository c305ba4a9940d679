import type { Directory } from '../directory/directory-cache.js';
import { dueTimes } from '../standard/due-times.js';
import { chooseTargets } from '../standard/targets.js';
import type { FieldName, SourceFormat } from './history-formats.js';
import { readWrittenTime, type TimeReader, type WrittenTime } from './history-times.js';
import { SourceFileError, type SourceRecord } from './read-source.js';

/**
 * One source row made into a case of history, with every anomaly flagged, none silently fixed:
 * the row is kept verbatim beside the case, so what was written is never lost.
 */

export const anomalyNames = {
  closed_before_created: 'closed before it was created',
  sentinel_date: 'a placeholder date (before 1970, such as 1900-01-01) read as no date',
  date_only_closure: 'closure recorded as a date only (no time of day)',
  date_only_receipt: 'receipt recorded as a date only (no time of day; left out of the hour-of-day spread)',
  zero_coordinates: 'coordinates at 0,0',
  integer_coordinates: 'coordinates truncated to whole degrees',
  coordinates_unreadable: 'coordinates that are not numbers or out of range (left empty)',
  closed_without_closure_date: 'closed status with no closure date',
  closure_date_while_open: 'a closure date on a request whose status is open',
  source_duplicate: 'marked a duplicate by the source',
  short_year_dates: 'dates written M/D/YY',
  thousands_separators: 'numbers written with thousands separators',
  quoted_newlines: 'fields with line breaks inside quotes',
  time_offset_ignored: 'a UTC offset written with local times (ignored by the time rule)',
  status_missing: 'no status',
  numbers_for_codes: 'ids or codes written as numbers',
  repeated_row_id: 'a row id that appears again later in the file (the later row is kept)',
} as const;
export type Anomaly = keyof typeof anomalyNames;

/** What a source value means in this City, from the lookup tables. */
export interface HistoryLookups {
  type(value: string): { id: number; code: string; divisionId: number; cityTargets: boolean } | undefined;
  agency(value: string): number | undefined;
  channel(value: string): string | undefined;
}

export interface MappedCase {
  sourceRowId: string;
  line: number;
  raw: string;
  anomalies: Anomaly[];
  reference: string;
  status: 'open' | 'resolved';
  channel: string | null;
  requestTypeId: number;
  divisionId: number;
  summary: string;
  description: string;
  address: string | null;
  latitude: number | null;
  longitude: number | null;
  receivedAt: number;
  dstVersionId: number | null;
  acknowledgeBy: number;
  resolveBy: number | null;
  resolveByBasis: 'source_due_date' | 'city_dst' | 'none';
  resolvedAt: number | null;
  /** Business days from the receipt business day to the date of resolution (§6.2 completion time). */
  completionBusinessDays: number | null;
  resolution: string | null;
  /** The local hour of receipt in the source's zone, for the hour-of-day spread (null: a date only). */
  receivedHour: number | null;
}

export type MappedRow =
  | { kind: 'case'; row: MappedCase }
  | { kind: 'unmapped'; sourceRowId: string; type: string | null; agency: string | null; channel: string | null; anomalies: Anomaly[]; receivedHour: number | null };

/** The value of a field, trimmed, or null when the source left it empty. */
function field(record: SourceRecord, format: SourceFormat, columns: Partial<Record<FieldName, string>>, name: FieldName): string | null {
  const column = columns[name];
  if (!column) return null;
  const v = record.get(column);
  if (v === null) return null;
  const t = v.trim();
  return t === '' ? null : t;
}

const CLOSED = /^(closed|resolved|completed|close)\b/i;
const THOUSANDS = /^-?\d{1,3}(,\d{3})+(\.\d+)?$/;

export interface RowContext {
  format: SourceFormat;
  columns: Partial<Record<FieldName, string>>;
  times: TimeReader;
  directory: Directory;
  lookups: HistoryLookups;
}

export function mapHistoryRow(record: SourceRecord, ctx: RowContext): MappedRow {
  const { format, columns, times, directory, lookups } = ctx;
  const anomalies = new Set<Anomaly>();
  const get = (name: FieldName) => field(record, format, columns, name);
  const fail = (name: FieldName, problem: string): never => {
    throw new SourceFileError(record.line, columns[name] ?? name, problem);
  };

  const id = get('id');
  if (id === null) fail('id', 'the row has no request id');
  if (id!.length > 200) fail('id', 'the request id is longer than 200 characters');
  if (record.isNumber(columns.id!) || (columns.type && record.isNumber(columns.type))) anomalies.add('numbers_for_codes');
  if (record.multiline) anomalies.add('quoted_newlines');
  for (const column of format.numericColumns) {
    const v = record.get(column);
    if (v !== null && THOUSANDS.test(v.trim())) {
      anomalies.add('thousands_separators');
      break;
    }
  }

  /** A date field: its instant, null when empty or a placeholder; an unreadable one stops the import. */
  const instant = (name: FieldName): { at: number; written: WrittenTime } | null => {
    const text = get(name);
    if (text === null) return null;
    const written = readWrittenTime(text);
    if (written === null) {
      return fail(name, `"${text.slice(0, 40)}" is not a date and time (expected e.g. 2018-04-12 11:11:26, 04/12/2018 11:11:26 AM or 10/21/18 0:00)`);
    }
    if (written.shortYear) anomalies.add('short_year_dates');
    if (written.year < 1970) {
      anomalies.add('sentinel_date');
      return null;
    }
    if (written.offsetMinutes !== null && times.rule === 'local') anomalies.add('time_offset_ignored');
    const at = times.instant(written);
    if (typeof at === 'string') return fail(name, `"${text}" ${at}`);
    if (written.year > 2100) return fail(name, `"${text}" is after 2100`);
    return { at, written };
  };

  const received = instant('received');
  if (received === null) fail('received', 'the row has no date of receipt');
  if (received!.written.dateOnly) anomalies.add('date_only_receipt');
  // With offsets written, the local hour is the one written; else the hour in the source's zone.
  const receivedHour = received!.written.dateOnly ? null : times.rule === 'offset' ? new Date(received!.written.digits).getUTCHours() : times.localHour(received!.at);
  const statusText = get('status');
  if (columns.status && statusText === null) anomalies.add('status_missing');
  if (statusText !== null && /duplicate/i.test(statusText)) anomalies.add('source_duplicate');
  if (get('parent') !== null) anomalies.add('source_duplicate');
  const closedStatus = statusText !== null && CLOSED.test(statusText);
  // Open311 has no closure time: a closed request's last update is when it was closed.
  const closure = format.closedFromUpdated ? (closedStatus ? instant('closed') : null) : instant('closed');
  let status: 'open' | 'resolved';
  if (statusText === null) status = closure ? 'resolved' : 'open';
  else status = closedStatus ? 'resolved' : 'open';
  if (status === 'resolved' && closure === null) anomalies.add('closed_without_closure_date');
  if (status === 'open' && closure !== null) anomalies.add('closure_date_while_open');
  const resolvedAt = status === 'resolved' && closure ? closure.at : null;
  if (resolvedAt !== null && closure!.written.dateOnly) anomalies.add('date_only_closure');
  if (resolvedAt !== null && resolvedAt < received!.at) anomalies.add('closed_before_created');
  const due = instant('due');

  // Coordinates: kept as the source wrote them; only numbers no map can hold are left empty.
  let latitude: number | null = null;
  let longitude: number | null = null;
  const latText = get('latitude');
  const lonText = get('longitude');
  if (latText !== null && lonText !== null) {
    const lat = Number(latText);
    const lon = Number(lonText);
    if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) {
      anomalies.add('coordinates_unreadable');
    } else {
      latitude = lat;
      longitude = lon;
      if (lat === 0 && lon === 0) anomalies.add('zero_coordinates');
      else if (Number.isInteger(lat) && Number.isInteger(lon)) anomalies.add('integer_coordinates');
    }
  } else if (latText !== null || lonText !== null) {
    anomalies.add('coordinates_unreadable');
  }

  const typeValue = get('type');
  const agencyValue = get('agency');
  const channelValue = get('channel');
  const type = lookups.type(typeValue ?? '(no type)');
  const agencyDivision = agencyValue === null ? undefined : lookups.agency(agencyValue);
  const channel = channelValue === null ? null : (lookups.channel(channelValue) ?? null);
  if (!type) return { kind: 'unmapped', sourceRowId: id!, type: typeValue, agency: agencyValue, channel: channelValue !== null && channel === null ? channelValue : null, anomalies: [...anomalies], receivedHour };

  // Targets: the source's own due date where it has one, else the City's DST for the mapped type
  // counted from the receipt (INTERPRETATION §7); the case says which.
  const receivedAt = received!.at;
  let dstVersionId: number | null = null;
  let acknowledgeBy: number;
  let resolveBy: number | null = null;
  let basis: MappedCase['resolveByBasis'] = 'none';
  if (type.cityTargets) {
    const found = directory.serviceTargets(type.code, receivedAt);
    const times = dueTimes(directory.calendar, receivedAt, chooseTargets(found.targets, {}));
    dstVersionId = found.dstVersion.id;
    acknowledgeBy = times.acknowledgeBy;
    resolveBy = times.resolveBy;
    basis = 'city_dst';
  } else {
    acknowledgeBy = directory.calendar.dueAt(receivedAt, directory.municipality.settings.generalInquiry.acknowledge);
  }
  if (due) {
    resolveBy = due.at;
    basis = 'source_due_date';
  }

  const descriptor = get('descriptor');
  const summary = [typeValue, descriptor].filter((s) => s !== null).join(': ').slice(0, 300);
  return {
    kind: 'case',
    row: {
      sourceRowId: id!,
      line: record.line,
      raw: record.raw,
      anomalies: [...anomalies],
      reference: `${format.source.toUpperCase()}-${id}`,
      status,
      channel,
      requestTypeId: type.id,
      divisionId: agencyDivision ?? type.divisionId,
      summary,
      description: get('description') ?? summary,
      address: get('address'),
      latitude,
      longitude,
      receivedAt,
      dstVersionId,
      acknowledgeBy,
      resolveBy,
      resolveByBasis: basis,
      resolvedAt,
      completionBusinessDays: resolvedAt === null ? null : directory.calendar.businessDaysBetween(receivedAt, Math.max(receivedAt, resolvedAt)),
      resolution: get('resolution'),
      receivedHour,
    },
  };
}

/** The values a row needs looked up, to create or report them before the row is mapped. */
export function lookupValues(record: SourceRecord, ctx: Pick<RowContext, 'format' | 'columns'>): { type: string | null; agency: string | null } {
  return { type: field(record, ctx.format, ctx.columns, 'type'), agency: field(record, ctx.format, ctx.columns, 'agency') };
}
