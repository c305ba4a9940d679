import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { AppError } from '../platform/errors.js';
import { timeRules, type TimeRule } from './history-times.js';

/**
 * What each source's export looks like: which column holds what, and how its times are written.
 * The built-in formats are the public 311 exports of New York, San Francisco, Baltimore and
 * Boston and Open311 GeoReport v2; `csv` is any other CSV, described by a mapping file. A mapping
 * file may also adjust a built-in format and carries the administrator's lookup tables.
 */

export const formatNames = ['nyc', 'sf', 'baltimore', 'boston', 'open311', 'csv'] as const;
export type FormatName = (typeof formatNames)[number];

/** The fields citydesk reads from a source row. Only id, received and type are required. */
export const fieldNames = [
  'id',
  'received',
  'closed',
  'due',
  'type',
  'descriptor',
  'agency',
  'status',
  'channel',
  'address',
  'latitude',
  'longitude',
  'description',
  'resolution',
  'parent',
] as const;
export type FieldName = (typeof fieldNames)[number];
const requiredFields: FieldName[] = ['id', 'received', 'type'];

export interface SourceFormat {
  format: FormatName;
  /** The source's code: the rows' ids are unique within it. */
  source: string;
  /** The source's own name for people. */
  sourceName: string;
  zone: string;
  times: TimeRule;
  /** Column (CSV) or field path (JSON, dot-separated) per field. */
  columns: Partial<Record<FieldName, string>>;
  /** JSON exports: the same fields under their JSON names. */
  jsonColumns?: Partial<Record<FieldName, string>>;
  /** Columns whose numbers may be written with thousands separators (checked, kept as written). */
  numericColumns: string[];
  /** Open311: a closed request's closure is its updated_datetime. */
  closedFromUpdated?: boolean;
  /** The administrator's lookup tables from the mapping file (source value → citydesk code). */
  mappings: { type: Record<string, string>; agency: Record<string, string>; channel: Record<string, string> };
}

const noMappings = () => ({ type: {}, agency: {}, channel: {} });

/** Channels whose meaning is not in doubt; every other value is reported as unmapped. */
const plainChannels: Record<string, string> = { Phone: 'phone', PHONE: 'phone', phone: 'phone', Email: 'email', EMAIL: 'email', email: 'email', Web: 'web_portal', ONLINE: 'web_portal', web: 'web_portal' };

export const builtInFormats: Record<Exclude<FormatName, 'csv'>, () => SourceFormat> = {
  nyc: () => ({
    format: 'nyc',
    source: 'nyc',
    sourceName: 'NYC 311',
    zone: 'America/New_York',
    times: 'local',
    columns: {
      id: 'Unique Key',
      received: 'Created Date',
      closed: 'Closed Date',
      due: 'Due Date',
      type: 'Complaint Type',
      descriptor: 'Descriptor',
      agency: 'Agency',
      status: 'Status',
      channel: 'Open Data Channel Type',
      address: 'Incident Address',
      latitude: 'Latitude',
      longitude: 'Longitude',
      resolution: 'Resolution Description',
    },
    jsonColumns: {
      id: 'unique_key',
      received: 'created_date',
      closed: 'closed_date',
      due: 'due_date',
      type: 'complaint_type',
      descriptor: 'descriptor',
      agency: 'agency',
      status: 'status',
      channel: 'open_data_channel_type',
      address: 'incident_address',
      latitude: 'latitude',
      longitude: 'longitude',
      resolution: 'resolution_description',
    },
    numericColumns: ['X Coordinate (State Plane)', 'Y Coordinate (State Plane)', 'x_coordinate_state_plane', 'y_coordinate_state_plane', 'Incident Zip', 'BBL'],
    mappings: { ...noMappings(), channel: plainChannels },
  }),
  sf: () => ({
    format: 'sf',
    source: 'sf',
    sourceName: 'San Francisco 311',
    zone: 'America/Los_Angeles',
    // The file writes "+00:00", but its hours peak at 9 to 16: the digits are local time.
    times: 'local',
    columns: {
      id: 'unique_key',
      received: 'created_date',
      closed: 'closed_date',
      type: 'category',
      descriptor: 'complaint_type',
      agency: 'agency_name',
      status: 'status',
      channel: 'source',
      address: 'incident_address',
      latitude: 'latitude',
      longitude: 'longitude',
      description: 'descriptor',
      resolution: 'status_notes',
    },
    numericColumns: ['supervisor_district'],
    mappings: { ...noMappings(), channel: plainChannels },
  }),
  baltimore: () => ({
    format: 'baltimore',
    source: 'baltimore',
    sourceName: 'Baltimore 311',
    zone: 'America/New_York',
    times: 'local',
    columns: {
      id: 'ServiceRequestNum',
      received: 'CreatedDate',
      closed: 'CloseDate',
      due: 'DueDate',
      type: 'SRType',
      agency: 'Agency',
      status: 'SRStatus',
      channel: 'MethodReceived',
      address: 'Address',
      latitude: 'Latitude',
      longitude: 'Longitude',
      resolution: 'Outcome',
    },
    numericColumns: ['ZipCode', 'CouncilDistrict', 'DaysOpen'],
    mappings: { ...noMappings(), channel: plainChannels },
  }),
  boston: () => ({
    format: 'boston',
    source: 'boston',
    sourceName: 'Boston 311',
    zone: 'America/New_York',
    // Its hours peak at 4 to 7 in the morning: local time shifted by the offset once more.
    times: 'shifted',
    columns: {
      id: 'case_enquiry_id',
      received: 'open_dt',
      closed: 'closed_dt',
      due: 'sla_target_dt',
      type: 'type',
      descriptor: 'case_title',
      agency: 'department',
      status: 'case_status',
      channel: 'source',
      address: 'location',
      latitude: 'latitude',
      longitude: 'longitude',
      resolution: 'closure_reason',
    },
    numericColumns: ['location_zipcode'],
    mappings: { ...noMappings(), channel: { 'Constituent Call': 'phone' } },
  }),
  open311: () => ({
    format: 'open311',
    source: 'open311',
    sourceName: 'Open311 server',
    zone: 'UTC',
    times: 'offset',
    columns: {},
    jsonColumns: {
      id: 'service_request_id',
      received: 'requested_datetime',
      closed: 'updated_datetime',
      due: 'expected_datetime',
      type: 'service_code',
      descriptor: 'service_name',
      agency: 'agency_responsible',
      status: 'status',
      channel: 'extended_attributes.channel',
      address: 'address',
      latitude: 'lat',
      longitude: 'long',
      description: 'description',
      resolution: 'status_notes',
    },
    closedFromUpdated: true,
    numericColumns: [],
    mappings: { ...noMappings(), channel: { phone: 'phone', email: 'email', web: 'web_portal' } },
  }),
};

/**
 * The format of an import: a built-in one, adjusted by the mapping file when one is given, or
 * (`csv`) entirely described by it. The mapping file (YAML):
 *
 *   source: mytown           # the source's code (required for csv)
 *   zone: America/Toronto    # the zone its times are in
 *   times: local             # local | utc | offset | shifted
 *   columns: { id: Request ID, received: Created, closed: Closed, due: Due, type: Type, ... }
 *   types: { "Pot hole": pothole }          # source value → request type code
 *   agencies: { "Roads": roads-operations } # source value → division code
 *   channels: { "Telephone": phone }        # source value → channel code
 */
export function resolveFormat(options: { format: string; mappingFile?: string | undefined; source?: string | undefined; times?: string | undefined; zone?: string | undefined }): SourceFormat {
  if (!(formatNames as readonly string[]).includes(options.format)) {
    throw new AppError('VALIDATION_FAILED', `--format "${options.format}" is not a format citydesk reads; formats: ${formatNames.join(', ')}.`);
  }
  const format = options.format as FormatName;
  let spec: SourceFormat =
    format === 'csv'
      ? { format: 'csv', source: '', sourceName: '', zone: '', times: 'local', columns: {}, numericColumns: [], mappings: noMappings() }
      : builtInFormats[format]();
  if (options.mappingFile) spec = applyMappingFile(spec, options.mappingFile);
  if (options.source) spec.source = options.source;
  if (options.zone) spec.zone = options.zone;
  if (options.times) {
    if (!(timeRules as readonly string[]).includes(options.times)) {
      throw new AppError('VALIDATION_FAILED', `--times "${options.times}" is not a time rule; rules: ${timeRules.join(', ')} (see citydesk import --help).`);
    }
    spec.times = options.times as TimeRule;
  }
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(spec.source)) {
    throw new AppError(
      'VALIDATION_FAILED',
      spec.source === '' ? 'Name the source: --source <code> or "source:" in the mapping file (e.g. mytown-311).' : `The source "${spec.source}" must be lower-case letters, digits and dashes (at most 32), e.g. mytown-311.`,
    );
  }
  if (!spec.zone) spec.zone = 'UTC';
  if (!spec.sourceName) spec.sourceName = spec.source;
  if (format === 'csv') {
    const missing = requiredFields.filter((f) => !spec.columns[f]);
    if (missing.length > 0) throw new AppError('VALIDATION_FAILED', `The mapping file must name the column of ${missing.join(', ')} under "columns:" for --format csv.`);
  }
  return spec;
}

function applyMappingFile(spec: SourceFormat, file: string): SourceFormat {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new AppError('VALIDATION_FAILED', `--mapping ${file}: ${(error as Error).message.split('\n')[0]}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new AppError('VALIDATION_FAILED', `--mapping ${file}: expected a YAML mapping (source:, columns:, types:, …).`);
  const d = doc as Record<string, unknown>;
  const known = ['source', 'name', 'zone', 'times', 'columns', 'types', 'agencies', 'channels', 'numericColumns'];
  for (const key of Object.keys(d)) {
    if (!known.includes(key)) throw new AppError('VALIDATION_FAILED', `--mapping ${file}: "${key}" is not a setting; settings: ${known.join(', ')}.`);
  }
  const text = (key: string): string | undefined => {
    const v = d[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw new AppError('VALIDATION_FAILED', `--mapping ${file}: "${key}" must be text.`);
    return v;
  };
  const table = (key: string): Record<string, string> => {
    const v = d[key];
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) throw new AppError('VALIDATION_FAILED', `--mapping ${file}: "${key}" must map source values to codes, e.g. "Pot hole": pothole.`);
    const out: Record<string, string> = {};
    for (const [k, value] of Object.entries(v as Record<string, unknown>)) {
      if (typeof value !== 'string' && typeof value !== 'number') throw new AppError('VALIDATION_FAILED', `--mapping ${file}: ${key}."${k}" must be a code.`);
      out[k] = String(value);
    }
    return out;
  };
  const columns = table('columns');
  for (const key of Object.keys(columns)) {
    if (!(fieldNames as readonly string[]).includes(key)) throw new AppError('VALIDATION_FAILED', `--mapping ${file}: columns."${key}" is not a field; fields: ${fieldNames.join(', ')}.`);
  }
  const times = text('times');
  if (times !== undefined && !(timeRules as readonly string[]).includes(times)) throw new AppError('VALIDATION_FAILED', `--mapping ${file}: times "${times}" is not a rule; rules: ${timeRules.join(', ')}.`);
  const numeric = d['numericColumns'];
  return {
    ...spec,
    source: text('source') ?? spec.source,
    sourceName: text('name') ?? spec.sourceName,
    zone: text('zone') ?? spec.zone,
    times: (times as TimeRule | undefined) ?? spec.times,
    columns: { ...spec.columns, ...columns },
    ...(spec.jsonColumns ? { jsonColumns: { ...spec.jsonColumns, ...columns } } : {}),
    numericColumns: Array.isArray(numeric) ? numeric.map(String) : spec.numericColumns,
    mappings: {
      type: { ...spec.mappings.type, ...table('types') },
      agency: { ...spec.mappings.agency, ...table('agencies') },
      channel: { ...spec.mappings.channel, ...table('channels') },
    },
  };
}

export function requiredFieldList(): readonly FieldName[] {
  return requiredFields;
}
