import { createHash } from 'node:crypto';
import { insideBoundary, outsideBoundaryMessage } from '../directory/map-settings.js';
import { findArticleVersion } from '../knowledge/knowledge-base.js';
import { sql } from 'kysely';
import { DateTime } from 'luxon';
import type { PreferredContact } from '../db/schema.js';
import type { Directory } from '../directory/directory-cache.js';
import type { StaffMember } from '../directory/staff.js';
import { receiptMessage, resolutionMessage, type Message } from '../notify/templates.js';
import { domainOf, newNonce } from '../notify/message-ids.js';
import type { MailThread } from '../notify/outbox.js';
import { AppError } from '../platform/errors.js';
import { checkAttributeValues, type AttributeValues } from '../standard/attributes.js';
import { dueTimes } from '../standard/due-times.js';
import { completionDays } from '../standard/performance-indicators.js';
import { chooseTargets, type TargetUnit } from '../standard/targets.js';
import { assertTakesContacts, canResolveAtFirstContact } from './case-policy.js';
import { directoryCaseNames, type CaseNames } from './case-queries.js';
import { actorLabel, defaultMethod, nextCheckAt, nextDueAt, type CaseRow } from './case-record.js';
import { messageContext, type CaseServices } from './case-services.js';
import { writeNewCase, type IntakeEvent, type IntakeMessage } from './intake-writer.js';
import { emailAddressProblem } from '../standard/email-address.js';

/** A contact as staff record it (or as the portal and Open311 submit it). */
export interface IntakeInput {
  kind: 'inquiry' | 'service_request';
  channel: string;
  serviceCentre?: string | undefined;
  requestType?: string | undefined;
  /** For an inquiry: the division responsible for its topic (default: Customer Service). */
  division?: string | undefined;
  customer?: { name?: string | undefined; email?: string | undefined; phone?: string | undefined; preferredContact?: PreferredContact | undefined } | undefined;
  description: string;
  summary: string;
  summaryConfirmed: boolean;
  /** `addressId`: the address's id in the City's master address repository (Open311's address_id). */
  location?: { address?: string | undefined; latitude?: number | undefined; longitude?: number | undefined; addressId?: string | undefined } | undefined;
  attributes?: AttributeValues | undefined;
  receivedAt?: string | undefined;
  /** First-contact resolution of an inquiry (INTERPRETATION §2): the answer given. */
  resolveAtFirstContact?: { answer: string; article?: { slug: string; version: number } | undefined } | undefined;
  /** A photo or other media of the problem, by its http(s) address. */
  mediaUrl?: string | undefined;
  /** Further photos or media after the first (an Open311 client's repeated media_url), kept with the receipt. */
  moreMediaUrls?: string[] | undefined;
  /** Details a client sent that the request type does not ask (FixMyStreet's uprn, say): kept with the receipt for staff. */
  extraDetails?: AttributeValues | undefined;
}

/** Who recorded the contact: a staff member, the public portal, or an Open311 client. */
export type IntakeOrigin = { staff: StaffMember } | { via: string };

const invalid = (field: string, message: string): AppError => new AppError('VALIDATION_FAILED', message, [{ field, message }]);
const blank = (s: string | undefined): boolean => s === undefined || s.trim() === '';
const isWebAddress = (text: string): boolean => {
  if (text.length > 2000) return false;
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
};

/**
 * §3.3, §3.2, §3.1: records a general inquiry or a service request with its targets, the version
 * of the Division Service Targets in force at receipt, its audit event and the automatic receipt
 * message (which never counts as the acknowledgment). A retried create with the same
 * Idempotency-Key returns the same case.
 */
export async function createCase(options: {
  services: CaseServices;
  origin: IntakeOrigin;
  input: IntakeInput;
  idempotencyKey?: string | undefined;
  /** The customer's e-mail the contact came in by (the triage queue's): the receipt or answer mailed to them threads under it. */
  thread?: MailThread | undefined;
}): Promise<{ caseRow: CaseRow; replayed: boolean; names: CaseNames | null }> {
  const { services, origin, input } = options;
  const staff = 'staff' in origin ? origin.staff : null;
  const createdVia = 'via' in origin ? origin.via : null;
  const now = services.clock.now();
  const key = options.idempotencyKey?.trim() || undefined;
  if (key !== undefined && key.length > 200) throw invalid('Idempotency-Key', 'The Idempotency-Key header can have at most 200 characters.');
  const inputHash = key === undefined ? null : createHash('sha256').update(JSON.stringify(input)).digest('hex');

  const replay = async (): Promise<CaseRow | undefined> => {
    if (key === undefined) return undefined;
    const existing = await services.db.kysely
      .selectFrom('service_case')
      .selectAll()
      .where(sql<boolean>`coalesce(created_by, 0) = ${staff?.id ?? 0}`)
      .where(sql<boolean>`coalesce(created_via, '') = ${createdVia ?? ''}`)
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
    if (existing && existing.idempotency_hash !== inputHash) {
      throw new AppError('CONFLICT', 'This Idempotency-Key was already used for a different request. Use a new key for a new contact.');
    }
    return existing;
  };
  const earlier = await replay();
  if (earlier) return { caseRow: earlier, replayed: true, names: null };

  // Everything a contact is checked against is in memory; the database is written once, below.
  const directory = await services.directory.get();
  const { calendar, mediaUrl, moreMediaUrls, serviceCentreId, receivedAt, backdated, customer, email, phone, preferred, location, address, requestTypeId, divisionId, dstVersionId, due, resolveUnit, attributes, firstContact, answerForDivision } = checkIntake({ directory, staff, input, now });

  const base = {
    kind: input.kind,
    status: firstContact ? ('resolved' as const) : ('open' as const),
    channel: input.channel,
    service_centre_id: serviceCentreId,
    request_type_id: requestTypeId,
    division_id: divisionId,
    owner_id: staff?.id ?? null,
    customer_name: blank(customer.name) ? null : customer.name!.trim(),
    customer_email: email,
    customer_phone: phone,
    preferred_contact: preferred,
    description: input.description.trim(),
    summary: input.summary.trim(),
    address,
    latitude: location.latitude ?? null,
    longitude: location.longitude ?? null,
    attributes: JSON.stringify(attributes),
    received_at: receivedAt,
    recorded_at: now,
    created_by: staff?.id ?? null,
    created_via: createdVia,
    idempotency_key: key ?? null,
    idempotency_hash: inputHash,
    dst_version_id: dstVersionId,
    acknowledge_by: new Date(due.acknowledgeBy),
    resolve_by: due.resolveBy === null ? null : new Date(due.resolveBy),
    acknowledged_at: firstContact ? now : null,
    acknowledged_by: firstContact ? staff!.id : null,
    resolved_at: firstContact ? now : null,
    resolved_by: firstContact ? staff!.id : null,
    resolution: firstContact ? firstContact.answer.trim() : null,
    first_contact_resolution: Boolean(firstContact),
    completion_business_days: firstContact ? completionDays(calendar, receivedAt.getTime(), now.getTime()).businessDays : null,
    media_url: mediaUrl,
    address_id: blank(location.addressId) ? null : location.addressId!.trim(),
  };
  const deadlines = { ...base, committed_by: null, revised_resolve_by: null, transfer_follow_up_by: null };
  const row = { ...base, next_due_at: nextDueAt(deadlines), next_check_at: nextCheckAt(deadlines) };

  const events: IntakeEvent[] = [
    {
      type: 'received',
      data: {
        kind: input.kind,
        channel: input.channel,
        receivedAt: calendar.format(receivedAt.getTime()),
        ...(backdated ? { backdated: true, recordedAt: calendar.format(now.getTime()) } : {}),
        receiptBusinessDay: due.receiptBusinessDay,
        acknowledgeBy: calendar.format(due.acknowledgeBy),
        resolveBy: due.resolveBy === null ? null : calendar.format(due.resolveBy),
        // Issue 18: the timeline tells a target in calendar days as a day.
        ...(resolveUnit ? { resolveUnit } : {}),
        ...(dstVersionId ? { dstVersionId } : {}),
        summaryConfirmed: input.summaryConfirmed,
        ...(moreMediaUrls.length > 0 ? { moreMediaUrls } : {}),
        ...(input.extraDetails && Object.keys(input.extraDetails).length > 0 ? { extraDetails: input.extraDetails } : {}),
      },
    },
  ];

  if (answerForDivision !== null) {
    const division = directory.divisions.find((d) => d.id === divisionId);
    events.push({
      type: 'note',
      data: {
        text: `Answer given at first contact (not a resolution: only Customer Service and ${division?.name ?? 'the responsible division'} resolve its inquiries at first contact): ${answerForDivision}`,
      },
    });
  }

  // The message names the reference, which the insert draws: it is written around the reference.
  const context = (reference: string) => messageContext(directory, { reference, customer_name: base.customer_name, kind: input.kind, request_type_id: requestTypeId }, divisionId);
  let message: IntakeMessage | null = null;
  if (firstContact) {
    // Issue 18: an answer from the knowledge base records the article's version given (migration 063 indexes it).
    const article = firstContact.article ? await articleGiven(services.db.kysely, firstContact.article) : undefined;
    events.push({ type: 'resolved', data: { firstContact: true, resolution: base.resolution, ...(article ? { article } : {}) } });
    // An answer given on the phone or at the counter was the message; it is kept on record.
    const method = input.channel === 'phone' ? 'phone' : input.channel === 'in_person' ? 'in_person' : defaultMethod(base);
    const parts = aroundReference((reference) => ({ ...context(reference), staffName: staff!.name, resolution: base.resolution! }), resolutionMessage);
    message = { kind: 'resolution', automated: false, method, sentBy: staff!.id, ...parts };
  } else if (email) {
    const parts = aroundReference((reference) => ({ ...context(reference), receivedAt: receivedAt.getTime(), acknowledgeBy: due.acknowledgeBy, now: now.getTime() }), receiptMessage);
    message = { kind: 'receipt', automated: true, method: 'email', sentBy: null, ...parts };
  }

  try {
    const caseRow = await writeNewCase(services.db, {
      // SR-2026-000123: the year of receipt in the City's time zone.
      referencePrefix: `${input.kind === 'service_request' ? 'SR' : 'GI'}-${calendar.localDate(receivedAt.getTime()).slice(0, 4)}-`,
      sequence: input.kind === 'service_request' ? 'service_request_number' : 'general_inquiry_number',
      row,
      now,
      actor: staff ? { id: staff.id, label: actorLabel(staff) } : { id: null, label: createdVia! },
      events,
      message,
      // Mail goes out only to an address on file, as recordMessage does.
      mail: message?.method === 'email' && email ? { nonce: newNonce(), domain: domainOf(directory.municipality.settings), to: email, thread: options.thread } : null,
    });
    return { caseRow, replayed: false, names: directoryCaseNames(directory, caseRow, staff?.name ?? null) };
  } catch (error) {
    // Two copies of one retried create raced: the loser returns the winner's case.
    if ((error as { code?: string }).code === '23505' && key !== undefined) {
      const winner = await replay();
      if (winner) return { caseRow: winner, replayed: true, names: null };
    }
    throw error;
  }
}

/**
 * A contact checked against the Standard and the directory, and what follows from it (receipt,
 * responsible division, targets), without recording anything. createCase records what passes;
 * the console's intake asks it before the read-back, so a refusal comes while the caller is still
 * on the line, in the same words.
 */
export function checkIntake(options: { directory: Directory; staff: StaffMember | null; input: IntakeInput; now: Date }) {
  const { directory, staff, input, now } = options;
  const { calendar, municipality } = directory;
  const zone = calendar.timeZone;
  if (staff) assertTakesContacts(staff);

  // Channel (§3.2): social media is monitored for inquiries but takes no service requests.
  const channel = directory.channel(input.channel);
  if (!channel) throw invalid('channel', `"${input.channel}" is not a channel; channels: ${directory.channels.map((c) => c.code).join(', ')}.`);
  if (input.kind === 'service_request' && !channel.serviceRequests) {
    const ways = directory.channels
      .filter((c) => c.serviceRequests)
      .map((c) => (c.phones.length > 0 ? `${c.name} ${c.phones.join(' or ')}` : c.email ? `${c.name} ${c.email}` : c.url ? `${c.name} ${c.url}` : c.name))
      .join('; ');
    throw new AppError(
      'RULE_VIOLATION',
      `${channel.name} is not an official channel for service requests (CSS §3.2). Log this contact as a general inquiry and point the customer to an official channel: ${ways}.`,
      [{ field: 'channel', message: 'not a service-request channel' }],
    );
  }
  let serviceCentreId: number | null = null;
  if (input.channel === 'in_person') {
    if (blank(input.serviceCentre)) throw invalid('serviceCentre', 'An in-person contact needs the Service Centre where it was made.');
    const centre = directory.serviceCentre(input.serviceCentre!);
    if (!centre) {
      const codes = directory.serviceCentres.map((c) => c.code);
      throw invalid('serviceCentre', `"${input.serviceCentre}" is not a Service Centre; Service Centres: ${codes.join(', ')}.`);
    }
    serviceCentreId = centre.id;
  } else if (!blank(input.serviceCentre)) {
    throw invalid('serviceCentre', 'A Service Centre is only given for in-person contacts.');
  }

  // Receipt (INTERPRETATION §1): now, or earlier when staff back-date it; never in the future.
  let receivedAt = now;
  if (!blank(input.receivedAt)) {
    if (!staff) throw invalid('receivedAt', 'Only staff can record when a contact was received.');
    const parsed = DateTime.fromISO(input.receivedAt!.trim(), { zone });
    if (!parsed.isValid || !/T\d\d:\d\d/.test(input.receivedAt!)) {
      throw invalid('receivedAt', `"${input.receivedAt}" is not a date and time; write e.g. 2026-11-26T10:15 (local) or 2026-11-26T10:15:00-05:00.`);
    }
    if (parsed.toMillis() > now.getTime()) {
      throw invalid('receivedAt', `A contact cannot be received in the future (${parsed.toISO()} is after now, ${DateTime.fromJSDate(now, { zone }).toISO()}).`);
    }
    if (parsed.year < 2000) throw invalid('receivedAt', `${parsed.toISODate()} is too long ago to record.`);
    receivedAt = parsed.toJSDate();
  }
  const backdated = now.getTime() - receivedAt.getTime() > 60_000;

  // Customer: every detail optional (anonymous contacts are allowed).
  const customer = input.customer ?? {};
  const email = blank(customer.email) ? null : customer.email!.trim();
  const phone = blank(customer.phone) ? null : customer.phone!.trim();
  const emailProblem = email === null ? undefined : emailAddressProblem(email);
  if (emailProblem) throw invalid('customer.email', `"${email!.slice(0, 254)}" is not an e-mail address. ${emailProblem}`);
  if (phone !== null && !/^[+()\d\s.-]{7,25}(\s*(x|ext\.?)\s*\d{1,6})?$/i.test(phone)) {
    throw invalid('customer.phone', `"${phone}" is not a phone number; write e.g. 705-555-0123 or 705-555-0123 ext 42.`);
  }
  const preferred: PreferredContact = customer.preferredContact ?? (email ? 'email' : phone ? 'phone' : 'none');
  if (preferred === 'email' && !email) throw invalid('customer.preferredContact', 'The customer prefers e-mail but gave no e-mail address.');
  if (preferred === 'phone' && !phone) throw invalid('customer.preferredContact', 'The customer prefers the phone but gave no phone number.');

  // GeoReport v2 makes the description optional: an Open311 request may come without one.
  if (blank(input.description) && input.channel !== 'open311') throw invalid('description', 'Describe what the customer asked or reported.');
  if (blank(input.summary)) throw invalid('summary', 'Write the summary you read back to the customer (CSS §3.1).');
  if (staff && !input.summaryConfirmed) {
    throw new AppError('RULE_VIOLATION', 'Read the summary back to the customer and record that they confirmed it (CSS §3.1: summarize and confirm customer requests).', [
      { field: 'summaryConfirmed', message: 'must be true' },
    ]);
  }
  const location = input.location ?? {};
  const hasPoint = location.latitude !== undefined || location.longitude !== undefined;
  if (hasPoint && (location.latitude === undefined || location.longitude === undefined)) {
    throw invalid('location', 'Give both latitude and longitude, or neither.');
  }
  // Every caller (API, console, portal, Open311) gets the range check, not only the API's schema.
  for (const [axis, limit] of [['latitude', 90], ['longitude', 180]] as const) {
    const v = location[axis];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || Math.abs(v) > limit)) {
      throw invalid(`location.${axis}`, `The ${axis} must be a number between -${limit} and ${limit}.`);
    }
  }
  // Issue 19: the City takes reports for its own territory only, whichever channel brings them.
  const boundary = directory.map.boundary;
  if (boundary && location.latitude !== undefined && location.longitude !== undefined && !insideBoundary(boundary, { latitude: location.latitude, longitude: location.longitude })) {
    throw invalid('location', outsideBoundaryMessage(boundary));
  }
  const address = blank(location.address) ? null : location.address!.trim();
  const mediaUrl = blank(input.mediaUrl) ? null : input.mediaUrl!.trim();
  if (mediaUrl !== null && !isWebAddress(mediaUrl)) throw invalid('mediaUrl', `"${mediaUrl.slice(0, 100)}" is not a web address; give the photo's http:// or https:// address.`);
  const moreMediaUrls = (input.moreMediaUrls ?? []).map((u) => u.trim()).filter((u) => u !== '');
  for (const url of moreMediaUrls) if (!isWebAddress(url)) throw invalid('mediaUrl', `"${url.slice(0, 100)}" is not a web address; give the photo's http:// or https:// address.`);

  // What it is, who is responsible, and its targets (§3.3, §4).
  let requestTypeId: number | null = null;
  let divisionId: number;
  let dstVersionId: number | null = null;
  let due;
  let resolveUnit: TargetUnit | undefined;
  const attributes = input.attributes ?? {};
  if (input.kind === 'service_request') {
    if (blank(input.requestType)) throw invalid('requestType', 'A service request needs its request type, e.g. pothole.');
    if (!blank(input.division)) throw invalid('division', "A service request's division comes from its request type; do not give one.");
    if (input.resolveAtFirstContact) {
      throw new AppError('RULE_VIOLATION', 'A service request needs City action and cannot be resolved at first contact (CSS §3.3); record an inquiry instead if the customer only needed information.');
    }
    if (!address && !hasPoint && blank(location.addressId)) throw invalid('location', 'A service request needs a location: an address, or latitude and longitude.');
    const found = directory.serviceTargets(input.requestType!, receivedAt.getTime());
    const problems = checkAttributeValues(found.requestType.attributes, attributes, { enforceRequired: true });
    if (problems.length > 0) throw new AppError('VALIDATION_FAILED', `${problems[0]!.field}: ${problems[0]!.message}.`, problems);
    requestTypeId = found.requestType.id;
    divisionId = found.division.id;
    dstVersionId = found.dstVersion.id;
    const chosen = chooseTargets(found.targets, attributes);
    due = dueTimes(calendar, receivedAt.getTime(), chosen);
    resolveUnit = chosen.resolve?.unit;
  } else {
    if (!blank(input.requestType)) throw invalid('requestType', 'A general inquiry has no request type; record a service request instead.');
    if (Object.keys(attributes).length > 0) throw invalid('attributes', 'A general inquiry has no attributes.');
    let division;
    if (blank(input.division)) {
      division = directory.customerServiceDivision();
      if (!division) throw new Error('The directory has no Customer Service division.');
    } else {
      division = directory.divisionByCode(input.division!);
    }
    if (!division) {
      const codes = directory.divisions.map((d) => d.code);
      throw invalid('division', `"${input.division}" is not a division; divisions: ${codes.join(', ')}.`);
    }
    divisionId = division.id;
    due = dueTimes(calendar, receivedAt.getTime(), municipality.settings.generalInquiry);
  }

  const asked = input.resolveAtFirstContact;
  if (asked) {
    if (!staff) throw new AppError('RULE_VIOLATION', 'Only a staff member can resolve an inquiry at first contact.');
    if (blank(asked.answer)) throw invalid('resolveAtFirstContact.answer', 'Write the answer you gave the customer.');
  }
  // Staff outside Customer Service and the named division cannot acknowledge and resolve in that
  // division's name: the inquiry is recorded for the division to acknowledge, with the answer
  // given kept as a note (INTERPRETATION §2, §4).
  const firstContact = asked && canResolveAtFirstContact(staff!, divisionId) ? asked : undefined;
  const answerForDivision = asked && !firstContact ? asked.answer.trim() : null;
  return { calendar, mediaUrl, moreMediaUrls, municipality, zone, channel, serviceCentreId, receivedAt, backdated, customer, email, phone, preferred, location, address, requestTypeId, divisionId, dstVersionId, due, resolveUnit, attributes, firstContact, answerForDivision };
}

/**
 * A message written with a marker where the reference goes (the insert draws the reference). The
 * marker is a private-use character pair that templates never write; should a customer's own words
 * contain it, another is taken.
 */
function aroundReference<C>(context: (reference: string) => C, template: (c: C) => Message): { subject: string; body: string; marker: string } {
  for (let n = 0; ; n += 1) {
    const marker = `\u{F8FE}${n}\u{F8FF}`;
    const filled = context(marker);
    const others = Object.entries(filled as object).filter(([name]) => name !== 'reference');
    if (others.some(([, v]) => typeof v === 'string' && v.includes(marker))) continue;
    const message = template(filled);
    return { subject: message.subject, body: message.body, marker };
  }
}

/** The knowledge-base article version an answer was given from, checked to exist. */
async function articleGiven(tx: CaseServices['db']['kysely'], given: { slug: string; version: number }): Promise<{ slug: string; version: number; title: string }> {
  const found = await findArticleVersion(tx, given.slug, given.version);
  if (!found) throw invalid('resolveAtFirstContact.article', `There is no version ${given.version} of the article "${String(given.slug).slice(0, 80)}"; search the knowledge base again.`);
  return { slug: found.slug, version: found.version, title: found.title };
}
