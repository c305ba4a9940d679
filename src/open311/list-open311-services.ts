import type { Tx } from '../db/connect.js';
import type { Directory } from '../directory/directory-cache.js';
import type { AttributeDefinition } from '../standard/attributes.js';
import { notFound } from './open311-errors.js';
import type { Open311Attribute, Open311Service, Open311ServiceDefinition } from './open311-format.js';

/**
 * GeoReport v2 services: each active request type is a service whose code is the request type's
 * code, answered at once (`realtime`), with a service definition when it has questions (attributes).
 * Its `group` ("a category to group this service type within", GeoReport v2; FixMyStreet and
 * mySociety's adapter show it as the heading of the category list) is the heading the portal lists it
 * under, in residents' words (config/request-types.yaml `group`), not the City's division (issue 19).
 */

/** The heading of a type given no `group`, on the portal and in Open311 alike. */
export const otherServicesGroup = 'Something else';

const datatypeDescriptions: Record<AttributeDefinition['datatype'], string | null> = {
  string: 'A short text (at most 1,000 characters)',
  text: 'A text (at most 4,000 characters)',
  number: 'A number, e.g. 12 or 3.5',
  datetime: 'A date and time with its offset, e.g. 2026-11-26T14:30:00-05:00',
  singlevaluelist: 'One of the keys listed in values',
  multivaluelist: 'One or more of the keys listed in values',
};

/** The request types' descriptions are not part of the directory in memory: read per directory revision. */
const descriptions = new WeakMap<Directory, Promise<Map<string, string>>>();

async function typeDescriptions(tx: Tx, directory: Directory): Promise<Map<string, string>> {
  let pending = descriptions.get(directory);
  if (!pending) {
    pending = tx
      .selectFrom('request_type')
      .select(['code', 'description'])
      .execute()
      .then((rows) => new Map(rows.map((r) => [r.code, r.description])));
    descriptions.set(directory, pending);
    pending.catch(() => descriptions.delete(directory));
  }
  return pending;
}

/** The active request types, in code order. */
export function activeRequestTypes(directory: Directory) {
  return directory.activeRequestTypeCodes.flatMap((code) => {
    let id: number;
    try {
      id = directory.serviceTargets(code, 0).requestType.id;
    } catch {
      // A type without Division Service Targets cannot be requested: it is not offered.
      return [];
    }
    const full = directory.requestType(id)!;
    return [{ ...full, divisionName: directory.division(full.divisionId)?.name ?? null }];
  });
}

export async function listOpen311Services(tx: Tx, directory: Directory): Promise<Open311Service[]> {
  const described = await typeDescriptions(tx, directory);
  return activeRequestTypes(directory).map((t) => ({
    service_code: t.code,
    service_name: t.name,
    description: described.get(t.code) ?? null,
    metadata: t.attributes.length > 0,
    type: 'realtime' as const,
    keywords: null,
    group: t.portalGroup ?? otherServicesGroup,
  }));
}

export function open311ServiceDefinition(directory: Directory, serviceCode: string): Open311ServiceDefinition {
  const type = activeRequestTypes(directory).find((t) => t.code === serviceCode);
  if (!type) throw notFound(`There is no service "${serviceCode.slice(0, 100)}". GET services.json lists the services.`);
  return {
    service_code: type.code,
    attributes: type.attributes.map((a, i): Open311Attribute => ({
      variable: true,
      code: a.code,
      datatype: a.datatype,
      required: a.required,
      datatype_description: datatypeDescriptions[a.datatype],
      order: i + 1,
      description: a.description,
      ...(a.datatype === 'singlevaluelist' || a.datatype === 'multivaluelist' ? { values: (a.values ?? []).map((v) => ({ key: v.key, name: v.name })) } : {}),
    })),
  };
}
