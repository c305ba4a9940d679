import { sql } from 'kysely';
import type { Tx } from '../db/connect.js';
import type { Directory } from '../directory/directory-cache.js';
import { noteOf, publicEventTypes, redactor } from '../open311/present-open311-request.js';
import { staffNames } from '../open311/find-open311-requests.js';
import { escalationRoles, type EscalationLevel } from '../standard/escalation.js';
import { referencePattern } from './case-record.js';
import { listPublicPhotos } from './case-photos.js';
import { publicDescriptionOf } from './public-description.js';
import { caseResolutionUnit } from './resolution-target.js';
import type { TargetUnit } from '../standard/targets.js';

/**
 * What anyone holding a reference number may see of a case on the public portal (issue #5):
 * what it is, who is responsible, its targets and whether they were met, and the public updates.
 * Never the customer's name, e-mail address or phone number, never internal notes or staff names:
 * texts go through the Open311 presenter's redactor, events through its list of public ones.
 */
export interface PublicCase {
  reference: string;
  kind: 'inquiry' | 'service_request';
  status: 'open' | 'resolved';
  requestType: { code: string; name: string } | null;
  division: string;
  /** The division it is being transferred to, until that division confirms (INTERPRETATION §5). */
  transferringTo: string | null;
  /** As moderated (public-description.ts); '' when staff hid it. */
  description: string;
  descriptionHidden: boolean;
  /** The photos staff showed to the public (issue 19). */
  photos: { id: number; width: number; height: number }[];
  address: string | null;
  point: { latitude: number; longitude: number } | null;
  receivedAt: Date;
  acknowledgeBy: Date;
  acknowledgedAt: Date | null;
  resolveBy: Date | null;
  /** How the resolution target counts: one in calendar days is told as a day (issue 18). */
  resolveUnit: TargetUnit | undefined;
  /** An inquiry's committed answer date, given in its acknowledgment. */
  committedBy: Date | null;
  revisedResolveBy: Date | null;
  resolvedAt: Date | null;
  escalation: { level: number; role: string; at: Date | null } | null;
  updates: { at: Date; summary: string; text: string | null }[];
  /** Issue 18: the request this report was joined to, whose updates its customer follows. */
  duplicateOf: string | null;
}

/** "sr 2026 000123", "SR2026000123", "sr–2026–000123": the reference they mean, or undefined. */
export function normalizeReference(text: string): string | undefined {
  const compact = text
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s\u2010-\u2015_./]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const match = /^(SR|GI)-?(\d{4})-?(\d{6,12})$/.exec(compact);
  if (!match) return undefined;
  const reference = `${match[1]}-${match[2]}-${match[3]}`;
  return new RegExp(referencePattern).test(reference) ? reference : undefined;
}

const toDate = (d: Date | string | null): Date | null => (d === null ? null : new Date(d));

/** The public view of a case by its reference, or undefined when there is none. */
export async function findPublicCase(tx: Tx, directory: Directory, reference: string): Promise<PublicCase | undefined> {
  if (!new RegExp(referencePattern).test(reference)) return undefined;
  const c = await tx.selectFrom('service_case').selectAll().where('reference', '=', reference).executeTakeFirst();
  if (!c) return undefined;
  const events = await tx
    .selectFrom('case_event')
    .select(['at', 'type', 'data', 'actor_id', 'actor_label'])
    .where('case_id', '=', c.id)
    .where(sql<boolean>`type in (${sql.join(publicEventTypes.map((t) => sql.lit(t)))})`)
    .orderBy('at')
    .orderBy('id')
    .execute();
  const actors = await tx.selectFrom('case_event').select('actor_label').distinct().where('case_id', '=', c.id).where('actor_id', 'is not', null).execute();
  const redact = redactor({ ...c, actors: actors.map((a) => a.actor_label) }, await staffNames(tx, directory));
  const type = c.request_type_id === null ? undefined : directory.requestType(c.request_type_id);
  const escalatedAt = toDate(c.escalated_at);
  const parent = c.duplicate_of_id === null ? undefined : await tx.selectFrom('service_case').select('reference').where('id', '=', c.duplicate_of_id).executeTakeFirst();
  return {
    reference: c.reference,
    kind: c.kind,
    status: c.status,
    requestType: type ? { code: type.code, name: type.name } : null,
    division: directory.division(c.division_id)?.name ?? 'the responsible division',
    transferringTo: c.transfer_to_division_id === null ? null : (directory.division(c.transfer_to_division_id)?.name ?? null),
    description: redact(publicDescriptionOf(c)),
    descriptionHidden: c.description_moderation === 'hidden',
    photos: (await listPublicPhotos(tx, c.id)).map((p) => ({ id: p.id, width: p.width, height: p.height })),
    address: c.address === null ? null : redact(c.address),
    point: c.latitude !== null && c.longitude !== null ? { latitude: c.latitude, longitude: c.longitude } : null,
    receivedAt: new Date(c.received_at),
    acknowledgeBy: new Date(c.acknowledge_by),
    acknowledgedAt: toDate(c.acknowledged_at),
    resolveBy: toDate(c.resolve_by),
    resolveUnit: caseResolutionUnit(directory, c),
    committedBy: toDate(c.committed_by),
    revisedResolveBy: toDate(c.revised_resolve_by),
    resolvedAt: toDate(c.resolved_at),
    escalation: c.escalation_level > 0 ? { level: c.escalation_level, role: escalationRoles[c.escalation_level as EscalationLevel] ?? 'reviewer', at: escalatedAt } : null,
    duplicateOf: parent?.reference ?? null,
    updates: events.flatMap((e) => {
      const note = noteOf(e.type, e.data, directory);
      return note ? [{ at: new Date(e.at), summary: note.summary, text: note.description === null ? null : redact(note.description) }] : [];
    }),
  };
}

/** The latest answer to a public request to escalate the case (CSS §5.3), for the page that shows it. */
export async function findLatestEscalationAnswer(
  tx: Tx,
  reference: string,
): Promise<{ at: Date; grounds: 'missed_target' | 'disagree_with_outcome'; outcome: 'accepted' | 'declined'; answer: string } | undefined> {
  if (!new RegExp(referencePattern).test(reference)) return undefined;
  const row = await tx
    .selectFrom('escalation_request as r')
    .innerJoin('service_case as c', 'c.id', 'r.case_id')
    .select(['r.requested_at', 'r.grounds', 'r.outcome', 'r.answer'])
    .where('c.reference', '=', reference)
    .where('r.requested_by', '=', 'public')
    .orderBy('r.requested_at', 'desc')
    .orderBy('r.id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { at: new Date(row.requested_at), grounds: row.grounds, outcome: row.outcome, answer: row.answer } : undefined;
}

/** The reference of the case the portal recorded with this form's idempotency key, if any. */
export async function findPortalCaseByKey(tx: Tx, via: string, key: string): Promise<string | undefined> {
  const row = await tx.selectFrom('service_case').select('reference').where('created_via', '=', via).where('idempotency_key', '=', key).executeTakeFirst();
  return row?.reference;
}
