/**
 * Open311 in a test: each answer fetched in both formats, the JSON checked against the GeoReport v2
 * JSON Schemas (copied in ./schemas), and the XML read back into the JSON shape to compare field by
 * field.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { XMLParser } from 'fast-xml-parser';
import type { FastifyInstance, InjectOptions } from 'fastify';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const schema = (name: string): object => JSON.parse(readFileSync(new URL(`./schemas/${name}`, import.meta.url), 'utf8')) as object;

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
ajv.addSchema(schema('request.json'), 'request.json');
ajv.addSchema(schema('service.json'), 'service.json');

/** The spec's POST answer (the Swagger file's RequestResponse) and error list, which the schema set lacks. */
const submittedSchema = {
  type: 'array',
  minItems: 1,
  items: {
    type: 'object',
    required: ['service_request_id'],
    properties: { service_request_id: { type: 'string' }, service_notice: { type: ['string', 'null'] }, account_id: { type: ['string', 'null'] }, token: { type: 'string' } },
  },
};
const errorsSchema = {
  type: 'array',
  minItems: 1,
  items: { type: 'object', required: ['code', 'description'], properties: { code: { type: 'integer' }, description: { type: 'string', minLength: 1 } }, additionalProperties: false },
};

/** Service discovery: the spec's fields and no others. */
const discoverySchema = {
  type: 'object',
  required: ['changeset', 'contact', 'key_service', 'endpoints'],
  additionalProperties: false,
  properties: {
    changeset: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(Z|[+-]\\d{2}:\\d{2})$' },
    contact: { type: 'string', minLength: 1 },
    key_service: { type: 'string', minLength: 1 },
    endpoints: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['specification', 'url', 'changeset', 'type', 'formats'],
        additionalProperties: false,
        properties: {
          specification: { type: 'string' },
          url: { type: 'string', format: 'uri' },
          changeset: { type: 'string' },
          type: { enum: ['production', 'test'] },
          formats: { type: 'array', items: { enum: ['text/xml', 'application/json'] } },
        },
      },
    },
  },
};

/**
 * The mySociety updates extension, from its definition (Open311::Endpoint::Role::mySociety in
 * mysociety/open311-adapter): GET answers a list of service_request_update, POST the update_id
 * it recorded (and an account_id it may give).
 */
export const extendedStatuses = ['open', 'closed', 'fixed', 'in_progress', 'action_scheduled', 'investigating', 'duplicate', 'not_councils_responsibility', 'no_further_action', 'internal_referral', 'reopen', 'for_triage'];
const w3cDatetime = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(Z|[+-]\\d{2}:\\d{2})$';
const updatesSchema = {
  type: 'array',
  items: {
    type: 'object',
    required: ['service_request_id', 'update_id', 'status', 'updated_datetime', 'description', 'media_url'],
    additionalProperties: false,
    properties: {
      service_request_id: { type: 'string', minLength: 1 },
      update_id: { type: 'string', minLength: 1 },
      status: { enum: extendedStatuses },
      updated_datetime: { type: 'string', pattern: w3cDatetime },
      description: { type: 'string' },
      media_url: { type: 'string' },
      external_status_code: { type: 'string' },
      customer_reference: { type: 'string' },
      fixmystreet_id: { type: 'string' },
      extras: { type: 'object', additionalProperties: { type: 'string' } },
    },
  },
};
const updatePostedSchema = {
  type: 'array',
  minItems: 1,
  maxItems: 1,
  items: { type: 'object', required: ['update_id'], additionalProperties: false, properties: { update_id: { type: 'string', minLength: 1 }, account_id: { type: 'string' } } },
};

export type Kind = 'services' | 'service_definition' | 'requests' | 'submitted' | 'errors' | 'discovery' | 'updates' | 'update_posted';

const validators: Partial<Record<Kind, ValidateFunction>> = {
  services: ajv.compile(schema('services.json')),
  service_definition: ajv.compile(schema('service-definition.json')),
  requests: ajv.compile(schema('requests.json')),
  submitted: ajv.compile(submittedSchema),
  errors: ajv.compile(errorsSchema),
  discovery: ajv.compile(discoverySchema),
  updates: ajv.compile(updatesSchema),
  update_posted: ajv.compile(updatePostedSchema),
};

/** Every datetime a request carries has an offset (GeoReport v2: W3C format), in whole seconds as real servers send them. */
export const datetimeWithOffset = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/;

export function assertValid(kind: Kind, body: unknown): void {
  const validate = validators[kind];
  if (validate && !validate(body)) assert.fail(`${kind} does not match its schema: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 800)}`);
  if (kind === 'requests') {
    for (const r of body as Record<string, unknown>[]) {
      for (const field of ['requested_datetime', 'updated_datetime', 'expected_datetime']) {
        if (r[field] !== null) assert.match(String(r[field]), datetimeWithOffset, `${field} of ${String(r['service_request_id'])}`);
      }
      for (const note of (r['notes'] as { datetime: string }[] | undefined) ?? []) assert.match(note.datetime, datetimeWithOffset, `a note of ${String(r['service_request_id'])}`);
    }
  }
}

const parser = new XMLParser({
  parseTagValue: false,
  ignoreDeclaration: false,
  isArray: (name) => ['service', 'request', 'attribute', 'value', 'error', 'note', 'endpoint', 'format', 'request_update'].includes(name),
});

const nullable = (v: unknown): unknown => (v === '' || v === undefined ? null : v);
const bool = (v: unknown): boolean => {
  assert.ok(v === 'true' || v === 'false', `a boolean in XML is true or false, not ${String(v)}`);
  return v === 'true';
};
const num = (v: unknown): number | null => (v === '' || v === undefined ? null : Number(v));

function requestFromXml(r: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(r)) {
    if (name === 'lat' || name === 'long') out[name] = num(value);
    else if (name === 'attributes') {
      // Read without looking at the JSON: the XML must say by itself whether an answer is one value or a list.
      const list = ((value as { attribute?: { code: string; value?: string[]; values?: { value?: string[] } | '' }[] }) || {}).attribute ?? [];
      out[name] = list.map((a) => (a.values !== undefined ? { code: a.code, values: a.values === '' ? [] : (a.values.value ?? []) } : { code: a.code, value: a.value?.[0] ?? '' }));
    } else if (name === 'extended_attributes') out[name] = value;
    else if (name === 'notes') out[name] = (((value as { note?: Record<string, unknown>[] }) || {}).note ?? []).map((n) => ({ ...n, description: nullable(n['description']) }));
    else out[name] = nullable(value);
  }
  return out;
}

/** The XML answer in the JSON answer's shape, so that the two compare field by field. */
export function xmlAsJson(kind: Kind, xml: string): unknown {
  assert.ok(xml.startsWith('<?xml version="1.0" encoding="utf-8"?>'), `the XML declaration: ${xml.slice(0, 60)}`);
  assert.doesNotMatch(xml, /xmlns/, 'no namespace');
  const doc = parser.parse(xml) as Record<string, Record<string, unknown>>;
  const list = <T>(v: unknown): T[] => (v === '' || v === undefined ? [] : (v as T[]));
  switch (kind) {
    case 'services':
      return list<Record<string, unknown>>(doc['services']!['service']).map((s) => ({
        ...Object.fromEntries(Object.entries(s).map(([k, v]) => [k, nullable(v)])),
        metadata: bool(s['metadata']),
      }));
    case 'service_definition': {
      const d = doc['service_definition']!;
      const attributes = list<Record<string, unknown>>((d['attributes'] as Record<string, unknown> | '')?.['attribute' as never]);
      return {
        service_code: d['service_code'],
        attributes: attributes.map((a) => ({
          ...Object.fromEntries(Object.entries(a).map(([k, v]) => [k, nullable(v)])),
          variable: bool(a['variable']),
          required: bool(a['required']),
          order: Number(a['order']),
          ...(a['values'] !== undefined ? { values: list((a['values'] as Record<string, unknown> | '')?.['value' as never]) } : {}),
        })),
      };
    }
    case 'requests': {
      const requests = list<Record<string, unknown>>(doc['service_requests']?.['request']);
      return requests.map((r) => requestFromXml(r));
    }
    case 'submitted':
      return list<Record<string, unknown>>(doc['service_requests']?.['request']).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, nullable(v)])));
    case 'errors':
      return list<Record<string, unknown>>(doc['errors']?.['error']).map((e) => ({ code: Number(e['code']), description: e['description'] }));
    // Empty elements stay empty strings here: the extension's description and media_url are strings.
    case 'updates':
    case 'update_posted':
      assert.ok('service_request_updates' in doc, `the root is service_request_updates: ${xml.slice(0, 200)}`);
      return list<Record<string, unknown>>(doc['service_request_updates']?.['request_update']);
    case 'discovery': {
      const d = doc['discovery']!;
      const endpoints = list<Record<string, unknown>>((d['endpoints'] as Record<string, unknown>)['endpoint']);
      return { ...d, endpoints: endpoints.map((e) => ({ ...e, formats: list((e['formats'] as Record<string, unknown>)['format']) })) };
    }
  }
}

export interface Both {
  status: number;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  xml: string;
}

/**
 * One Open311 call in both formats: `path` without its extension (the query after `?`), the same
 * arguments. Checks both statuses and content types agree, the JSON against its schema, and that
 * the XML says the same.
 */
export async function both(app: FastifyInstance, kind: Kind, path: string, options: Omit<InjectOptions, 'url'> = {}): Promise<Both> {
  const [base, query] = path.split('?');
  const call = (format: string) => app.inject({ ...options, url: `${base}.${format}${query !== undefined ? `?${query}` : ''}` });
  const json = await call('json');
  const xml = await call('xml');
  const statusKind: Kind = json.statusCode >= 400 ? 'errors' : kind;
  assert.equal(json.headers['content-type'], 'application/json; charset=utf-8', `${path}: ${json.body.slice(0, 300)}`);
  assert.equal(xml.headers['content-type'], 'text/xml; charset=utf-8', `${path}: ${xml.body.slice(0, 300)}`);
  assert.equal(xml.statusCode, json.statusCode, `${path}: JSON ${json.statusCode} ${json.body.slice(0, 200)}, XML ${xml.statusCode} ${xml.body.slice(0, 200)}`);
  const body = JSON.parse(json.body) as unknown;
  assertValid(statusKind, body);
  // A POST makes a new request each time: compare what does not depend on which one.
  const fromXml = xmlAsJson(statusKind, xml.body);
  if (options.method === 'POST' && (statusKind === 'submitted' || statusKind === 'update_posted')) {
    const strip = (list: unknown) => (list as Record<string, unknown>[]).map((s) => ({ ...s, ...(statusKind === 'submitted' ? { service_request_id: typeof s['service_request_id'] } : {}) }));
    assert.deepEqual(strip(fromXml), strip(body), `${path}: XML and JSON differ`);
  } else {
    assert.deepEqual(fromXml, body, `${path}: XML and JSON differ`);
  }
  return { status: json.statusCode, json: body, xml: xml.body };
}

export const form = (fields: Record<string, string | string[]>): string =>
  Object.entries(fields)
    .flatMap(([name, value]) => (Array.isArray(value) ? value.map((v) => `${encodeURIComponent(name)}=${encodeURIComponent(v)}`) : [`${encodeURIComponent(name)}=${encodeURIComponent(value)}`]))
    .join('&');

export const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' };
