import { DateTime } from 'luxon';
import type { Db, Tx } from '../db/connect.js';
import type { Directory } from '../directory/directory-cache.js';
import type { StaffMember } from '../directory/staff.js';
import { AppError, type ErrorDetail } from '../platform/errors.js';
import { formatTarget, isTarget, parseTarget, type ServiceTargets, type Target } from '../standard/targets.js';
import { recordGovernanceEvent } from './governance-audit.js';
import { assertMayProposeTargets } from './governance-policy.js';

/**
 * Proposed Division Service Targets (CSS §8.3, INTERPRETATION §8): the Working Group drafts new
 * targets for one or more request types, in the same words, units and attribute rules as a DST,
 * over a past period to replay (the last 12 months unless chosen otherwise).
 */

export type ProposedTargets = Record<string, ServiceTargets>;

export interface ProposalView {
  id: number;
  title: string;
  targets: ProposedTargets;
  periodFrom: string;
  periodTo: string;
  recommendationId: number | null;
  status: 'draft' | 'accepted';
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  replay: unknown;
  replayedAt: Date | null;
  acceptedAt: Date | null;
  acceptedBy: string | null;
  effectiveFrom: string | null;
  dstVersionIds: number[];
}

/** What a form gives per request type: targets in words, per attribute value for a targets-by rule. */
export interface ProposedTargetsInput {
  acknowledge?: string | undefined;
  resolve?: string | undefined;
  byValue?: Record<string, { acknowledge?: string | undefined; resolve?: string | undefined }> | undefined;
}

/** The default replay period: the 12 months before today (today excluded: it is not over). */
export function defaultReplayPeriod(today: string): { from: string; to: string } {
  const day = DateTime.fromISO(today, { zone: 'UTC' });
  return { from: day.minus({ months: 12 }).toISODate()!, to: day.minus({ days: 1 }).toISODate()! };
}

const isDate = (value: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(value) && DateTime.fromISO(value).isValid;

function describe(t: ServiceTargets): string {
  const by = t.byAttribute
    ? Object.entries(t.byAttribute.values)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([v, x]) => `${v}:${x.acknowledge ? formatTarget(x.acknowledge) : ''}/${x.resolve ? formatTarget(x.resolve) : ''}`)
        .join(',')
    : '';
  return `${formatTarget(t.acknowledge)}|${formatTarget(t.resolve)}|${by}`;
}

/**
 * Reads the form's targets: every active request type's fields, pre-filled with its current
 * targets; the proposal keeps the types whose targets differ. Same checks as a DST change.
 */
export function readProposedTargets(directory: Directory, now: Date, input: Record<string, ProposedTargetsInput | undefined>): { targets: ProposedTargets; problems: ErrorDetail[] } {
  const problems: ErrorDetail[] = [];
  const targets: ProposedTargets = {};
  for (const code of directory.activeRequestTypeCodes) {
    const given = input[code];
    const blank = (t: string | undefined): boolean => t === undefined || t.trim() === '';
    // A type left blank altogether keeps its targets.
    if (!given || (blank(given.acknowledge) && blank(given.resolve) && Object.values(given.byValue ?? {}).every((v) => blank(v.acknowledge) && blank(v.resolve)))) continue;
    const current = directory.serviceTargets(code, now.getTime());
    const name = current.requestType.name;
    const read = (field: string, text: string | undefined, label: string, fallback: Target | undefined): Target | undefined => {
      if (text === undefined || text.trim() === '') {
        if (fallback === undefined) problems.push({ field: `targets[${code}][${field}]`, message: `${name}: enter the ${label} target, e.g. "2 business days".` });
        return fallback;
      }
      const parsed = parseTarget(text);
      if ('error' in parsed) {
        problems.push({ field: `targets[${code}][${field}]`, message: `${name}: the ${label} target ${parsed.error}.` });
        return undefined;
      }
      return parsed;
    };
    const acknowledge = read('acknowledge', given.acknowledge, 'acknowledgment', undefined);
    const resolve = read('resolve', given.resolve, 'resolution', undefined);
    let byAttribute: ServiceTargets['byAttribute'];
    const rule = current.targets.byAttribute;
    if (rule) {
      const values: NonNullable<ServiceTargets['byAttribute']>['values'] = {};
      for (const value of Object.keys(rule.values)) {
        const v = given.byValue?.[value];
        const ack = v?.acknowledge?.trim() ? read(`byValue][${value}][acknowledge`, v.acknowledge, `acknowledgment (${rule.attribute} ${value})`, undefined) : undefined;
        const res = v?.resolve?.trim() ? read(`byValue][${value}][resolve`, v.resolve, `resolution (${rule.attribute} ${value})`, undefined) : undefined;
        values[value] = { ...(ack ? { acknowledge: ack } : {}), ...(res ? { resolve: res } : {}) };
      }
      byAttribute = { attribute: rule.attribute, values };
    }
    if (!acknowledge || !resolve) continue;
    const proposed: ServiceTargets = { acknowledge, resolve, ...(byAttribute ? { byAttribute } : {}) };
    if (describe(proposed) !== describe(current.targets)) targets[code] = proposed;
  }
  return { targets, problems };
}

/** Targets stored in a proposal, checked again as they are read back. */
function toProposedTargets(value: unknown): ProposedTargets {
  const out: ProposedTargets = {};
  for (const [code, t] of Object.entries((value ?? {}) as Record<string, ServiceTargets>)) {
    if (isTarget(t.acknowledge) && isTarget(t.resolve)) out[code] = t;
  }
  return out;
}

function query(tx: Tx) {
  return tx
    .selectFrom('target_proposal as p')
    .innerJoin('staff_user as c', 'c.id', 'p.created_by')
    .leftJoin('staff_user as a', 'a.id', 'p.accepted_by')
    .selectAll('p')
    .select(['c.name as created_by_name', 'a.name as accepted_by_name']);
}

type Row = Awaited<ReturnType<ReturnType<typeof query>['execute']>>[number];

function toView(r: Row): ProposalView {
  return {
    id: r.id,
    title: r.title,
    targets: toProposedTargets(r.targets),
    periodFrom: r.period_from,
    periodTo: r.period_to,
    recommendationId: r.recommendation_id,
    status: r.status,
    createdBy: r.created_by_name,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    replay: r.replay,
    replayedAt: r.replayed_at ? new Date(r.replayed_at) : null,
    acceptedAt: r.accepted_at ? new Date(r.accepted_at) : null,
    acceptedBy: r.accepted_by_name,
    effectiveFrom: r.effective_from,
    dstVersionIds: r.dst_version_ids ?? [],
  };
}

export async function listProposals(tx: Tx, actor: StaffMember): Promise<ProposalView[]> {
  assertMayProposeTargets(actor);
  return (await query(tx).orderBy('p.updated_at', 'desc').orderBy('p.id', 'desc').execute()).map(toView);
}

export async function findProposal(tx: Tx, actor: StaffMember, id: number): Promise<ProposalView> {
  assertMayProposeTargets(actor);
  const row = await query(tx).where('p.id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', 'There is no such proposal. Open the list of proposed targets.');
  return toView(row);
}

/** Drafts a new proposal, or changes a draft (`id`); an accepted proposal is history and is not changed. */
export async function draftProposal(options: {
  db: Db;
  actor: StaffMember;
  directory: Directory;
  id?: number | undefined;
  title: string;
  periodFrom: string;
  periodTo: string;
  targets: Record<string, ProposedTargetsInput | undefined>;
  recommendationId?: number | undefined;
  now: Date;
}): Promise<{ id: number }> {
  const { db, actor, now, directory } = options;
  assertMayProposeTargets(actor);
  const problems: ErrorDetail[] = [];
  const title = options.title.trim();
  if (title === '') problems.push({ field: 'title', message: 'Name the proposal, e.g. "Faster pothole repairs on class 3 roads".' });
  if (title.length > 200) problems.push({ field: 'title', message: 'Keep the name under 200 characters.' });
  const today = directory.calendar.localDate(now.getTime());
  const from = options.periodFrom.trim();
  const to = options.periodTo.trim();
  if (!isDate(from)) problems.push({ field: 'periodFrom', message: 'Enter the first day of the period to replay, as a date such as 2025-12-01.' });
  if (!isDate(to)) problems.push({ field: 'periodTo', message: 'Enter the last day of the period to replay, as a date such as 2026-11-30.' });
  if (isDate(from) && isDate(to)) {
    if (from > to) problems.push({ field: 'periodTo', message: 'The last day of the period must be on or after its first day.' });
    if (from > today) problems.push({ field: 'periodFrom', message: 'The replay looks at cases already received: the period must start today or earlier.' });
    if (DateTime.fromISO(to).diff(DateTime.fromISO(from), 'years').years > 10) problems.push({ field: 'periodFrom', message: 'Replay at most ten years at a time.' });
  }
  const { targets, problems: targetProblems } = readProposedTargets(directory, now, options.targets);
  problems.push(...targetProblems);
  if (targetProblems.length === 0 && Object.keys(targets).length === 0) {
    problems.push({ field: 'targets', message: 'Change the targets of at least one request type: every type shows its current targets, and a proposal is what differs.' });
  }
  if (problems.length > 0) throw new AppError('VALIDATION_FAILED', problems.length === 1 ? problems[0]!.message : 'Some of the proposal needs fixing.', problems);
  return db.kysely.transaction().execute(async (trx) => {
    if (options.recommendationId !== undefined) {
      const r = await trx.selectFrom('wg_recommendation').select('id').where('id', '=', options.recommendationId).executeTakeFirst();
      if (!r) throw new AppError('VALIDATION_FAILED', 'That recommendation does not exist.', [{ field: 'recommendation', message: 'unknown' }]);
    }
    const values = { title, targets: JSON.stringify(targets), period_from: from, period_to: to, recommendation_id: options.recommendationId ?? null, updated_at: now };
    if (options.id !== undefined) {
      const current = await trx.selectFrom('target_proposal').select(['id', 'status']).where('id', '=', options.id).forUpdate().executeTakeFirst();
      if (!current) throw new AppError('NOT_FOUND', 'There is no such proposal. Open the list of proposed targets.');
      if (current.status !== 'draft') throw new AppError('CONFLICT', 'This proposal was accepted and is now history: draft a new one to change the targets again.');
      // A changed proposal has not been replayed yet.
      await trx.updateTable('target_proposal').set({ ...values, replay: null, replayed_at: null }).where('id', '=', current.id).execute();
      await recordGovernanceEvent(trx, { actor, type: 'proposal_changed', data: { proposal: current.id, types: Object.keys(targets) }, now });
      return { id: current.id };
    }
    const { id } = await trx
      .insertInto('target_proposal')
      .values({ ...values, created_by: actor.id, created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordGovernanceEvent(trx, { actor, type: 'proposal_drafted', data: { proposal: id, types: Object.keys(targets) }, now });
    return { id };
  });
}
