import { createCase } from '../cases/create-case.js';
import type { CaseServices } from '../cases/case-services.js';
import type { AttributeValues } from '../standard/attributes.js';
import { findApiKey } from './api-keys.js';
import { checkText, optionalNumber, optionalText, type Arguments } from './open311-arguments.js';
import { badRequest, Open311Error } from './open311-errors.js';
import type { Open311Submitted } from './open311-format.js';
import { activeRequestTypes } from './list-open311-services.js';
import { notPinpointed } from './present-open311-request.js';

/**
 * POST requests: a service request from an Open311 client, recorded from the `open311` channel by
 * `open311:<key name>`, through the same intake as every other (its targets, its receipt message
 * when an e-mail address is given).
 */

/** The channel of every request an Open311 client submits (config/channels.yaml). */
export const open311Channel = 'open311';

export const descriptionLimit = 4000;

/** The holder of the api_key argument, or 403. */
export async function authenticateKey(services: CaseServices, args: Arguments): Promise<{ id: number; name: string }> {
  const key = args['api_key'];
  if (key === undefined || key === null || key === '') throw new Open311Error(403, 'An api_key is required to submit a service request or an update. Ask the City for one.');
  if (typeof key !== 'string') throw new Open311Error(403, 'api_key must be given once.');
  const holder = await findApiKey(services.db.kysely, key.trim());
  if (!holder) throw new Open311Error(403, 'The api_key is not valid (unknown or revoked). Check it, or ask the City for a new one.');
  return holder;
}

/** `attribute[code]=value` and `attribute[code][]=value`, as the form parser reads them. */
export function readAttributes(args: Arguments): AttributeValues {
  const given = args['attribute'];
  if (given === undefined || given === null || given === '') return {};
  if (typeof given !== 'object' || Array.isArray(given)) throw badRequest('Give attributes as attribute[code]=value (or attribute[code][]=value for a multivaluelist).');
  const values: AttributeValues = {};
  const entries = Object.entries(given as Record<string, unknown>);
  if (entries.length > 50) throw badRequest('At most 50 attributes can be given.');
  for (const [code, value] of entries) {
    checkText('attribute code', code);
    if (code.length > 64) throw badRequest(`The attribute code "${code.slice(0, 64)}…" is too long (at most 64 characters).`);
    const name = `attribute[${code}]`;
    if (typeof value === 'string') {
      checkText(name, value);
      if (value.length > descriptionLimit) throw badRequest(`${name} is too long (at most 4,000 characters).`);
      // An empty optional value is no answer.
      if (value.trim() !== '') values[code] = value.trim();
    } else if (Array.isArray(value) && value.length <= 50 && value.every((v) => typeof v === 'string')) {
      const list = (value as string[]).map((v) => checkText(name, v).trim()).filter((v) => v !== '');
      if (list.some((v) => v.length > 1000)) throw badRequest(`A value of ${name} is too long (at most 1,000 characters).`);
      if (list.length > 0) values[code] = list;
    } else {
      throw badRequest(`${name} must be a value, or a list of at most 50 values (attribute[${code}][]=…).`);
    }
  }
  return values;
}

/** media_url once or several times (several photos): every one, in the order given. */
export function readMediaUrls(args: Arguments): string[] {
  const given = args['media_url'];
  if (given === undefined || given === null) return [];
  const list = Array.isArray(given) ? given : [given];
  if (list.length > maxMediaUrls) throw badRequest(`media_url is given ${list.length} times; at most ${maxMediaUrls} photos or other media can be sent with one request.`);
  return list.flatMap((value) => {
    if (typeof value !== 'string') throw badRequest('media_url must be a web address (give it once for each photo).');
    checkText('media_url', value);
    const trimmed = value.trim();
    if (trimmed.length > 2000) throw badRequest('A media_url is too long (at most 2,000 characters).');
    return trimmed === '' ? [] : [trimmed];
  });
}
export const maxMediaUrls = 10;

/**
 * The attributes the service asks, and the others a client sent (FixMyStreet always sends the
 * ones it knows, such as uprn or easting): those are kept as extra details staff see, never refused.
 */
export function splitAttributes(values: AttributeValues, asked: readonly { code: string }[]): { attributes: AttributeValues; extraDetails: AttributeValues } {
  const codes = new Set(asked.map((a) => a.code));
  const attributes: AttributeValues = {};
  const extraDetails: AttributeValues = {};
  for (const [code, value] of Object.entries(values)) (codes.has(code) ? attributes : extraDetails)[code] = value;
  return { attributes, extraDetails };
}

export async function submitOpen311Request(options: { services: CaseServices; args: Arguments; keyName: string }): Promise<Open311Submitted> {
  const { services, args } = options;
  const directory = await services.directory.get();
  const serviceCode = optionalText(args, 'service_code', 64);
  if (serviceCode === undefined) throw badRequest('service_code is required: GET services.json lists the services.');
  const type = activeRequestTypes(directory).find((t) => t.code === serviceCode);
  if (!type) throw badRequest(`service_code "${serviceCode}" is not a service; GET services.json lists them.`);

  const latitude = optionalNumber(args, 'lat', -90, 90);
  const longitude = optionalNumber(args, 'long', -180, 180);
  if ((latitude === undefined) !== (longitude === undefined)) throw badRequest('Give both lat and long, or neither.');
  const addressString = optionalText(args, 'address_string', 500);
  const addressId = optionalText(args, 'address_id', 100);
  if (latitude === undefined && addressString === undefined && addressId === undefined) {
    throw badRequest('A location is required: lat and long, address_string, or address_id.');
  }
  // FixMyStreet's marker for "no pin on the map" is neither an address nor an id.
  const address = addressString !== undefined && !addressString.includes(notPinpointed) ? addressString : undefined;

  const rawDescription = args['description'];
  if (typeof rawDescription === 'string' && rawDescription.trim().length > descriptionLimit) {
    throw badRequest(`description is too long: at most 4,000 characters (it has ${rawDescription.trim().length.toLocaleString('en-CA')}).`);
  }
  const description = optionalText(args, 'description', descriptionLimit);
  const firstName = optionalText(args, 'first_name', 100);
  const lastName = optionalText(args, 'last_name', 100);
  const email = optionalText(args, 'email', 254);
  const phone = optionalText(args, 'phone', 40);
  // Accepted and checked, not kept: citydesk has no device or account records.
  for (const [name, max] of [['device_id', 200], ['account_id', 200]] as const) optionalText(args, name, max);
  const mediaUrls = readMediaUrls(args);
  const { attributes, extraDetails } = splitAttributes(readAttributes(args), type.attributes);

  const where = address ?? (latitude !== undefined ? `${latitude}, ${longitude}` : addressId === notPinpointed ? 'a place not pinpointed' : `address id ${addressId}`);
  const name = [firstName, lastName].filter((s) => s !== undefined).join(' ');
  const { caseRow } = await createCase({
    services,
    origin: { via: `open311:${options.keyName}` },
    input: {
      kind: 'service_request',
      channel: open311Channel,
      requestType: serviceCode,
      customer: { name: name === '' ? undefined : name, email, phone },
      // GeoReport v2's description is optional: without one the request has none.
      description: description ?? '',
      summary: `${type.name} at ${where}`.slice(0, 1000),
      summaryConfirmed: true,
      location: { address, latitude, longitude, addressId },
      attributes,
      mediaUrl: mediaUrls[0],
      ...(mediaUrls.length > 1 ? { moreMediaUrls: mediaUrls.slice(1) } : {}),
      ...(Object.keys(extraDetails).length > 0 ? { extraDetails } : {}),
    },
  });
  const division = directory.division(caseRow.division_id)?.name ?? 'The responsible division';
  const calendar = directory.calendar;
  const resolveBy = caseRow.resolve_by ? ` and aims to resolve it by ${calendar.format(new Date(caseRow.resolve_by).getTime())}` : '';
  return {
    service_request_id: caseRow.reference,
    service_notice: `${division} will acknowledge this request by ${calendar.format(new Date(caseRow.acknowledge_by).getTime())}${resolveBy}.`,
    account_id: null,
  };
}
