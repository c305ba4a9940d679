import { XMLBuilder } from 'fast-xml-parser';
import type { FastifyReply } from 'fastify';
import type { Open311Error } from './open311-errors.js';

/**
 * The two formats of every GeoReport v2 answer, with the same content: JSON (bare arrays, as the
 * spec shows them) and XML (a declaration, no namespace, the spec's element names). The format is
 * the path's extension.
 */
export type Format = 'json' | 'xml';

export const contentTypes: Record<Format, string> = {
  json: 'application/json; charset=utf-8',
  // What discovery advertises and real servers (open311-adapter, Chicago) send.
  xml: 'text/xml; charset=utf-8',
};

/** "requests.json" → { name: "requests", format: "json" }; no or another extension → format undefined. */
export function splitExtension(file: string): { name: string; format: Format | undefined; extension: string | undefined } {
  const dot = file.lastIndexOf('.');
  if (dot < 0) return { name: file, format: undefined, extension: undefined };
  const extension = file.slice(dot + 1);
  const lower = extension.toLowerCase();
  return { name: file.slice(0, dot), format: lower === 'json' || lower === 'xml' ? lower : undefined, extension };
}

export interface Open311Service {
  service_code: string;
  service_name: string;
  description: string | null;
  metadata: boolean;
  type: 'realtime' | 'batch' | 'blackbox';
  keywords: string | null;
  group: string | null;
}

export interface Open311Attribute {
  variable: boolean;
  code: string;
  datatype: 'string' | 'number' | 'datetime' | 'text' | 'singlevaluelist' | 'multivaluelist';
  required: boolean;
  datatype_description: string | null;
  order: number;
  description: string;
  values?: { key: string; name: string }[];
}

export interface Open311ServiceDefinition {
  service_code: string;
  attributes: Open311Attribute[];
}

export type Open311AttributeAnswer = { code: string; value: string } | { code: string; values: string[] };

export interface Open311Note {
  datetime: string;
  type: string;
  summary: string;
  description: string | null;
}

export interface Open311Request {
  service_request_id: string;
  status: 'open' | 'closed';
  status_notes: string | null;
  service_name: string | null;
  service_code: string;
  description: string | null;
  agency_responsible: string | null;
  service_notice: string | null;
  requested_datetime: string;
  updated_datetime: string | null;
  expected_datetime: string | null;
  address: string | null;
  address_id: string | null;
  zipcode: string | null;
  lat: number | null;
  long: number | null;
  media_url: string | null;
  /** With extensions=true only. */
  /** The answers to the service's attributes: `value` for one, `values` for a multivaluelist's, the same in XML. */
  attributes?: Open311AttributeAnswer[];
  /** What Chicago's extension carries where citydesk has it: the channel, and for a duplicate the request it duplicates. */
  extended_attributes?: { channel: string; duplicate?: string; parent_service_request_id?: string };
  notes?: Open311Note[];
}

export interface Open311Submitted {
  service_request_id: string;
  service_notice: string | null;
  account_id: string | null;
}

export interface Open311Discovery {
  changeset: string;
  contact: string;
  key_service: string;
  endpoints: { specification: string; url: string; changeset: string; type: string; formats: string[] }[];
}

/** An update to a request (the mySociety extension's service_request_update). */
export interface Open311Update {
  update_id: string;
  service_request_id: string;
  status: string;
  updated_datetime: string;
  description: string;
  media_url: string;
}

/** What each answer is, for its XML root and element names. */
export type Document =
  | { kind: 'services'; body: Open311Service[] }
  | { kind: 'service_definition'; body: Open311ServiceDefinition }
  | { kind: 'requests'; body: Open311Request[] }
  | { kind: 'submitted'; body: Open311Submitted[] }
  | { kind: 'discovery'; body: Open311Discovery }
  | { kind: 'updates'; body: Open311Update[] }
  | { kind: 'update_posted'; body: { update_id: string }[] }
  | { kind: 'errors'; body: { code: number; description: string }[] };

const builder = new XMLBuilder({ ignoreAttributes: true, format: false, suppressEmptyNode: false, suppressBooleanAttributes: false });
const declaration = '<?xml version="1.0" encoding="utf-8"?>';

// XML 1.0 cannot carry C0 controls other than tab, newline and carriage return (not even as
// &#1;), nor U+FFFE/U+FFFF or half a surrogate pair. Open311 input refuses them; text recorded
// by other means loses them in XML only.
// eslint-disable-next-line no-control-regex -- these characters are exactly what is looked for
const notXml = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** A value as XML text: null is an empty element, booleans and numbers as JSON writes them. */
function text(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value.replace(notXml, '') : String(value);
}

type Tree = { [name: string]: string | Tree | Tree[] | string[] };

/** A flat record as elements in the order of its keys. */
function fields(record: object, skip: readonly string[] = []): Tree {
  const out: Tree = {};
  for (const [name, value] of Object.entries(record)) {
    if (skip.includes(name)) continue;
    out[name] = text(value as string | number | boolean | null);
  }
  return out;
}

function requestTree(r: Open311Request): Tree {
  const tree = fields(r, ['attributes', 'extended_attributes', 'notes']);
  if (r.attributes) {
    tree['attributes'] = { attribute: r.attributes.map((a): Tree => ('values' in a ? { code: text(a.code), values: { value: a.values.map(text) } } : { code: text(a.code), value: text(a.value) })) };
  }
  if (r.extended_attributes) tree['extended_attributes'] = fields(r.extended_attributes);
  if (r.notes) tree['notes'] = { note: r.notes.map((n) => fields(n)) };
  return tree;
}

export function toXml(document: Document): string {
  let tree: Tree;
  switch (document.kind) {
    case 'services':
      tree = { services: { service: document.body.map((s) => fields(s)) } };
      break;
    case 'service_definition':
      tree = {
        service_definition: {
          service_code: text(document.body.service_code),
          attributes: {
            attribute: document.body.attributes.map((a) => ({
              ...fields(a, ['values']),
              ...(a.values ? { values: { value: a.values.map((v) => fields(v)) } } : {}),
            })),
          },
        },
      };
      break;
    case 'requests':
      tree = { service_requests: { request: document.body.map(requestTree) } };
      break;
    case 'submitted':
      tree = { service_requests: { request: document.body.map((s) => fields(s)) } };
      break;
    case 'discovery': {
      const d = document.body;
      tree = {
        discovery: {
          ...fields(d, ['endpoints']),
          endpoints: { endpoint: d.endpoints.map((e) => ({ ...fields(e, ['formats']), formats: { format: e.formats.map(text) } })) },
        },
      };
      break;
    }
    case 'errors':
      tree = { errors: { error: document.body.map((e) => fields(e)) } };
      break;
    // The extension's root and element names, as open311-adapter writes them and FixMyStreet reads them.
    case 'updates':
    case 'update_posted':
      tree = { service_request_updates: { request_update: (document.body as object[]).map((u) => fields(u)) } };
      break;
  }
  return `${declaration}\n${builder.build(tree) as string}`;
}

export function serialize(document: Document, format: Format): string {
  return format === 'json' ? JSON.stringify(document.body) : toXml(document);
}

export function sendDocument(reply: FastifyReply, status: number, document: Document, format: Format): FastifyReply {
  return reply.status(status).type(contentTypes[format]).send(serialize(document, format));
}

export function sendError(reply: FastifyReply, error: Open311Error, format: Format): FastifyReply {
  return sendDocument(reply, error.status, { kind: 'errors', body: [{ code: error.status, description: error.description }] }, format);
}
