import { publicPhotoPath } from '../cases/case-photos.js';
import type { Directory } from '../directory/directory-cache.js';
import { personalDetailRedactor, publicWebAddress, type Redact } from '../standard/redaction.js';
import type { Open311Note, Open311Request } from './open311-format.js';

/**
 * A service request as GeoReport v2 shows it to anyone: what, where, when and how it stands, in
 * the City's time zone. Never the customer's name, e-mail address or phone number, nor a staff
 * member's: the public texts (next steps, updates, the resolution) have any of the customer's own
 * details, and anything that looks like an e-mail address or phone number, taken out.
 */

/** The columns of a case the presentation reads (the customer's only to take them out of text). */
export interface Open311CaseRow {
  id: number;
  reference: string;
  status: 'open' | 'resolved';
  channel: string;
  request_type_id: number | null;
  division_id: number;
  description: string;
  address: string | null;
  media_url: string | null;
  address_id: string | null;
  latitude: number | null;
  longitude: number | null;
  attributes: Record<string, string | string[]>;
  /** The resolution told to the customer, while resolved. */
  resolution: string | null;
  received_at: Date | string;
  acknowledge_by: Date | string;
  resolve_by: Date | string | null;
  revised_resolve_by: Date | string | null;
  customer_name: string | null;
  customer_email: string | null;
  customer_phone: string | null;
  /** The latest public event's time. */
  updated_at: Date | string | null;
  /** The latest event with public text: acknowledged, updated, resolved or reopened. */
  latest_note: { type: string; data: Record<string, unknown> } | null;
  /** The acknowledgment's next steps, once acknowledged. */
  next_steps: string | null;
  /** The staff who acted on the case, as the audit trail labels them ("Name (e-mail)"): taken out of its texts. */
  actors: string[] | null;
  /** The first of its photos staff showed to the public (issue 19), if any. */
  photo_id?: number | string | null;
  /** Issue 18: the reference of the request this one was marked a duplicate of. */
  duplicate_of?: string | null;
}

/** Events that show in `notes` (extensions=true), and how each reads; others (internal notes, assignments) never do. */
export const publicEventTypes = ['received', 'acknowledged', 'updated', 'progress_note', 'transfer_confirmed', 'reclassified', 'escalated', 'resolved', 'reopened', 'marked_duplicate', 'duplicate_undone'] as const;
/** Events whose text is written for the customer: status_notes comes from the latest. */
export const noteEventTypes = ['acknowledged', 'updated', 'progress_note', 'resolved', 'reopened'] as const;

export type { Redact } from '../standard/redaction.js';

/** Takes the customer's own details, the staff's names, and anything shaped like an e-mail address or phone number out of a text. */
export function redactor(c: Pick<Open311CaseRow, 'customer_name' | 'customer_email' | 'customer_phone' | 'actors'>, staffNames: readonly string[] = []): Redact {
  // The audit trail labels staff "Name (e-mail)": the name is taken out as a name, the address as an address.
  const actorNames = (c.actors ?? []).map((label) => label.replace(/\s*\([^)]*\)\s*$/, ''));
  return personalDetailRedactor({
    customerNames: [c.customer_name],
    customerEmails: [c.customer_email],
    customerPhones: [c.customer_phone],
    staffNames,
    actingStaffNames: actorNames,
  });
}

function requestTypeName(directory: Directory, code: string): string | undefined {
  try {
    return directory.serviceTargets(code, 0).requestType.name;
  } catch {
    return undefined;
  }
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

/** The public words of an event: its summary and, where the event has text written for the customer, that text. */
export function noteOf(type: string, data: Record<string, unknown>, directory: Directory): { type: string; summary: string; description: string | null } | undefined {
  switch (type) {
    case 'received':
      return { type: 'opened', summary: 'Request received', description: null };
    case 'acknowledged':
      return { type: 'acknowledged', summary: 'Acknowledged by the responsible division', description: str(data['nextSteps']) };
    case 'updated':
      return { type: 'updated', summary: 'Status update with a revised timeline', description: str(data['status']) };
    case 'progress_note':
      // CSS §3.3: where things stand, the date the customer holds unchanged.
      return { type: 'updated', summary: 'Progress update', description: str(data['status']) };
    case 'transfer_confirmed':
      return { type: 'transferred', summary: str(data['to']) ? `Transferred to ${str(data['to'])}` : 'Transferred to another division', description: null };
    case 'reclassified': {
      const to = typeof data['to'] === 'string' ? requestTypeName(directory, data['to']) : undefined;
      return { type: 'reclassified', summary: to ? `Reclassified as ${to}` : 'Reclassified', description: null };
    }
    case 'escalated':
      return { type: 'escalated', summary: 'Escalated for review', description: null };
    case 'resolved':
      return { type: 'closed', summary: 'Request closed', description: str(data['resolution']) };
    case 'reopened':
      return { type: 'reopened', summary: 'Request reopened', description: str(data['reason']) };
    case 'marked_duplicate':
      return { type: 'duplicate', summary: str(data['parent']) ? `Closed as a duplicate of ${str(data['parent'])}` : 'Closed as a duplicate', description: null };
    case 'duplicate_undone':
      return { type: 'reopened', summary: 'Not a duplicate after all: open again on its own', description: null };
    default:
      return undefined;
  }
}

/** FixMyStreet's address_id for a report whose reporter did not put a pin on the map: not an address, nor an id in the City's register. */
export const notPinpointed = '#NOTPINPOINTED#';

/**
 * The public address: what was given as an address. Requests recorded before address_id was kept
 * on its own carry "Address ID <id>" as their address; that was never an address either.
 */
function publicAddress(c: Pick<Open311CaseRow, 'address' | 'address_id'>): string | null {
  if (c.address === null || c.address.trim() === '' || c.address.includes(notPinpointed)) return null;
  if (c.address_id !== null && c.address.trim() === `Address ID ${c.address_id}`) return null;
  return c.address;
}

export function presentOpen311Request(
  c: Open311CaseRow,
  directory: Directory,
  extensions: { notes: { at: Date | string; type: string; data: Record<string, unknown> }[] } | undefined,
  staffNames: readonly string[] = [],
  siteUrl = '',
  /** Issue 18: a date that has passed by now is never given as expected, nor as a promise. */
  now?: number,
): Open311Request {
  const calendar = directory.calendar;
  // W3C datetimes in whole seconds with the City's offset, as real servers send them.
  const iso = (d: Date | string | null): string | null => (d === null ? null : calendar.format(Math.floor(new Date(d).getTime() / 1000) * 1000));
  const redact = redactor(c, staffNames);
  const type = c.request_type_id === null ? undefined : directory.requestType(c.request_type_id);
  const division = directory.division(c.division_id);
  const latest = c.latest_note ? noteOf(c.latest_note.type, c.latest_note.data, directory) : undefined;
  const resolved = c.status === 'resolved';
  // Once resolved, the resolution is what the public should read, whatever came after it.
  const statusNotes = resolved && str(c.resolution) ? c.resolution : latest ? (latest.description ?? latest.summary) : null;
  // Before the acknowledgment, the City's own words (nothing to take out); after, its next steps;
  // once resolved, the resolution.
  const notice = resolved
    ? str(c.resolution)
      ? redact(c.resolution!.trim())
      : null
    : c.next_steps
      ? redact(c.next_steps)
      : now !== undefined && new Date(c.acknowledge_by).getTime() <= now
        ? `${division?.name ?? 'The responsible division'} aimed to acknowledge this request by ${iso(c.acknowledge_by)}; it is overdue and will be acknowledged as soon as possible.`
        : `${division?.name ?? 'The responsible division'} will acknowledge this request by ${iso(c.acknowledge_by)}.`;
  // GeoReport v2 lets expected_datetime be blank: an open request past its date has no date to expect.
  const expected = c.revised_resolve_by ?? c.resolve_by;
  const expectedPassed = !resolved && expected !== null && now !== undefined && new Date(expected).getTime() <= now;
  const address = publicAddress(c);
  const request: Open311Request = {
    service_request_id: c.reference,
    status: resolved ? 'closed' : 'open',
    status_notes: statusNotes === null ? null : redact(statusNotes),
    service_name: type?.name ?? null,
    service_code: type?.code ?? '',
    // A request sent without a description has none: nothing is made up in its place.
    description: c.description.trim() === '' ? null : redact(c.description),
    agency_responsible: division?.name ?? null,
    service_notice: notice,
    requested_datetime: iso(c.received_at)!,
    updated_datetime: iso(c.updated_at ?? c.received_at),
    expected_datetime: expectedPassed ? null : iso(expected),
    address: address === null ? null : redact(address),
    address_id: c.address_id === null || c.address_id === notPinpointed ? null : redact(c.address_id),
    zipcode: null,
    lat: c.latitude,
    long: c.longitude,
    // A photo sent with the report and shown by staff, else the link the client sent.
    media_url: c.photo_id != null ? `${siteUrl}${publicPhotoPath(Number(c.photo_id))}` : publicWebAddress(c.media_url, redact),
  };
  if (extensions) {
    // In the order the service asks them, then any others it no longer asks.
    const order = new Map((type?.attributes ?? []).map((a, i) => [a.code, i]));
    request.attributes = Object.entries(c.attributes)
      .sort(([a], [b]) => (order.get(a) ?? order.size) - (order.get(b) ?? order.size) || a.localeCompare(b))
      .map(([code, value]) => (Array.isArray(value) ? { code, values: value.map(redact) } : { code, value: redact(value) }));
    // Chicago's extension: a duplicate names the request that carries it (issue 18).
    request.extended_attributes = { channel: c.channel, ...(c.duplicate_of ? { duplicate: c.duplicate_of, parent_service_request_id: c.duplicate_of } : {}) };
    request.notes = extensions.notes.flatMap((e): Open311Note[] => {
      const note = noteOf(e.type, e.data, directory);
      return note ? [{ datetime: iso(e.at)!, type: note.type, summary: note.summary, description: note.description === null ? null : redact(note.description) }] : [];
    });
  }
  return request;
}
