import { DateTime } from 'luxon';
import type { Tx } from '../db/connect.js';
import type { RoleCodeColumn } from '../db/schema.js';
import { loadMunicipality } from '../directory/municipality.js';
import {
  acknowledgmentStatus,
  acknowledgmentTimes,
  countCompletion,
  defaultAcknowledgmentRules,
  type AcknowledgmentRules,
  type AcknowledgmentStatus,
  type CompletionCounts,
} from '../standard/governance.js';
import { currentEdition } from './standard-editions.js';

/**
 * What each staff member must read (CSS §7.2, INTERPRETATION §8): the Standard's current edition,
 * and their own division's current DST version. Derived, not stored: a new account is asked the
 * moment it exists, a new DST version asks its division the day it takes effect; what is stored
 * is each acknowledgment with the version read, and each notice sent.
 */

export type TrainingDocument =
  | { kind: 'standard'; editionId: number; edition: string; title: string; effectiveFrom: string; recordedAt: Date }
  | { kind: 'dst'; dstVersionId: number; divisionId: number; divisionCode: string; divisionName: string; version: number; effectiveFrom: string; recordedAt: Date };

export interface TrainingItem {
  staffId: number;
  document: TrainingDocument;
  askedAt: number;
  dueAt: number;
  remindAt: number;
  acknowledgedAt: number | null;
  status: AcknowledgmentStatus;
}

export interface TrainingStaff {
  id: number;
  email: string;
  name: string;
  role: RoleCodeColumn;
  divisionId: number | null;
  createdAt: Date;
}

export function documentTitle(d: TrainingDocument): string {
  return d.kind === 'standard' ? `${d.title}` : `${d.divisionName}: Division Service Targets, version ${d.version}`;
}

export function documentHref(d: TrainingDocument): string {
  return d.kind === 'standard' ? `/staff/standard/${encodeURIComponent(d.edition)}` : `/staff/targets/${encodeURIComponent(d.divisionCode)}`;
}

interface TrainingContext {
  zone: string;
  rules: AcknowledgmentRules;
  today: string;
  edition: Extract<TrainingDocument, { kind: 'standard' }> | undefined;
  dstByDivision: Map<number, Extract<TrainingDocument, { kind: 'dst' }>>;
}

async function trainingContext(tx: Tx, now: Date): Promise<TrainingContext> {
  const municipality = await loadMunicipality(tx);
  const zone = municipality.settings.calendar.timeZone;
  const rules = municipality.settings.governance?.acknowledgments ?? defaultAcknowledgmentRules;
  const today = DateTime.fromJSDate(now, { zone }).toISODate()!;
  const editions = await tx.selectFrom('standard_edition').select(['id', 'edition', 'title', 'effective_from', 'loaded_at']).execute();
  const e = currentEdition(
    editions.map((r) => ({ ...r, effectiveFrom: r.effective_from })),
    today,
  );
  const versions = await tx
    .selectFrom('dst_version')
    .innerJoin('division', 'division.id', 'dst_version.division_id')
    .select(['dst_version.id', 'dst_version.division_id', 'dst_version.version', 'dst_version.effective_from', 'dst_version.created_at', 'division.code', 'division.name'])
    .where('dst_version.effective_from', '<=', today)
    .orderBy('dst_version.effective_from', 'asc')
    .orderBy('dst_version.version', 'asc')
    .execute();
  const dstByDivision = new Map<number, Extract<TrainingDocument, { kind: 'dst' }>>();
  for (const v of versions) {
    dstByDivision.set(v.division_id, {
      kind: 'dst',
      dstVersionId: v.id,
      divisionId: v.division_id,
      divisionCode: v.code,
      divisionName: v.name,
      version: v.version,
      effectiveFrom: v.effective_from,
      recordedAt: new Date(v.created_at),
    });
  }
  return {
    zone,
    rules,
    today,
    edition: e ? { kind: 'standard', editionId: e.id, edition: e.edition, title: e.title, effectiveFrom: e.effective_from, recordedAt: new Date(e.loaded_at) } : undefined,
    dstByDivision,
  };
}

/** The documents one person must have read, with their times and whether they have. */
function itemsFor(context: TrainingContext, staff: TrainingStaff, acknowledged: Map<string, number>, now: number): TrainingItem[] {
  const documents: TrainingDocument[] = [];
  if (context.edition) documents.push(context.edition);
  const dst = staff.divisionId === null ? undefined : context.dstByDivision.get(staff.divisionId);
  if (dst) documents.push(dst);
  return documents.map((document) => {
    const times = acknowledgmentTimes({
      accountCreatedAt: staff.createdAt.getTime(),
      effectiveFrom: document.effectiveFrom,
      recordedAt: document.recordedAt.getTime(),
      zone: context.zone,
      rules: context.rules,
    });
    const acknowledgedAt = acknowledged.get(ackKey(staff.id, document)) ?? null;
    return { staffId: staff.id, document, ...times, acknowledgedAt, status: acknowledgmentStatus(times, acknowledgedAt, now) };
  });
}

export function ackKey(staffId: number, d: TrainingDocument): string {
  return d.kind === 'standard' ? `${staffId}:s:${d.editionId}` : `${staffId}:d:${d.dstVersionId}`;
}

async function acknowledgments(tx: Tx, context: TrainingContext, staffIds: number[] | undefined): Promise<Map<string, number>> {
  const dstIds = [...context.dstByDivision.values()].map((d) => d.dstVersionId);
  let query = tx.selectFrom('training_acknowledgment').select(['staff_user_id', 'standard_edition_id', 'dst_version_id', 'acknowledged_at']);
  query = query.where((eb) =>
    eb.or([
      ...(context.edition ? [eb('standard_edition_id', '=', context.edition.editionId)] : []),
      ...(dstIds.length > 0 ? [eb('dst_version_id', 'in', dstIds)] : []),
      eb.lit(false),
    ]),
  );
  if (staffIds) query = query.where('staff_user_id', 'in', staffIds.length > 0 ? staffIds : [-1]);
  const rows = await query.execute();
  return new Map(
    rows.map((r) => [r.standard_edition_id !== null ? `${r.staff_user_id}:s:${r.standard_edition_id}` : `${r.staff_user_id}:d:${r.dst_version_id}`, new Date(r.acknowledged_at).getTime()]),
  );
}

const staffColumns = ['id', 'email', 'name', 'role', 'division_id', 'created_at'] as const;
const toTrainingStaff = (r: { id: number; email: string; name: string; role: RoleCodeColumn; division_id: number | null; created_at: Date }): TrainingStaff => ({
  id: r.id,
  email: r.email,
  name: r.name,
  role: r.role,
  divisionId: r.division_id,
  createdAt: new Date(r.created_at),
});

/** What one person must read now, done or not (their console's banner and training page). */
export async function listTrainingFor(tx: Tx, staffId: number, now: Date): Promise<{ items: TrainingItem[]; zone: string }> {
  const context = await trainingContext(tx, now);
  const row = await tx.selectFrom('staff_user').select(staffColumns).where('id', '=', staffId).where('active', '=', true).executeTakeFirst();
  if (!row) return { items: [], zone: context.zone };
  const staff = toTrainingStaff(row);
  return { items: itemsFor(context, staff, await acknowledgments(tx, context, [staff.id]), now.getTime()), zone: context.zone };
}

/** Every active staff member's items (the sweep and the completion figures). */
export async function listAllTraining(tx: Tx, now: Date): Promise<{ staff: TrainingStaff[]; items: TrainingItem[]; zone: string; today: string }> {
  const context = await trainingContext(tx, now);
  const staff = (await tx.selectFrom('staff_user').select(staffColumns).where('active', '=', true).orderBy('name').execute()).map(toTrainingStaff);
  const acknowledged = await acknowledgments(tx, context, undefined);
  return { staff, items: staff.flatMap((s) => itemsFor(context, s, acknowledged, now.getTime())), zone: context.zone, today: context.today };
}

export interface DivisionCompletion {
  divisionId: number | null;
  /** "Corporate roles" for staff without a division. */
  divisionName: string;
  standard: CompletionCounts;
  dst: CompletionCounts & { version: number | null };
  people: { id: number; name: string; role: RoleCodeColumn; items: TrainingItem[] }[];
}

/**
 * Completion per division (done, due, overdue), for its head, the Manager of Customer Service and
 * the Working Group. `divisionIds` limits it to those divisions (a Division Head's own).
 */
export async function trainingCompletion(tx: Tx, now: Date, divisionIds?: readonly number[]): Promise<{ divisions: DivisionCompletion[]; zone: string }> {
  const all = await listAllTraining(tx, now);
  const divisions = await tx.selectFrom('division').select(['id', 'name']).orderBy('name').execute();
  const groups: DivisionCompletion[] = [];
  const wanted = (id: number | null): boolean => divisionIds === undefined || (id !== null && divisionIds.includes(id));
  for (const group of [...divisions.map((d) => ({ id: d.id as number | null, name: d.name })), { id: null, name: 'Corporate roles (no division)' }]) {
    if (!wanted(group.id)) continue;
    const members = all.staff.filter((s) => s.divisionId === group.id);
    if (members.length === 0) continue;
    const people = members.map((s) => ({ id: s.id, name: s.name, role: s.role, items: all.items.filter((i) => i.staffId === s.id) }));
    const standard = people.flatMap((p) => p.items.filter((i) => i.document.kind === 'standard').map((i) => i.status));
    const dstItems = people.flatMap((p) => p.items.filter((i) => i.document.kind === 'dst'));
    const version = dstItems[0]?.document.kind === 'dst' ? dstItems[0].document.version : null;
    groups.push({ divisionId: group.id, divisionName: group.name, standard: countCompletion(standard), dst: { ...countCompletion(dstItems.map((i) => i.status)), version }, people });
  }
  return { divisions: groups, zone: all.zone };
}
