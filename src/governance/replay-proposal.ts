import { sql } from 'kysely';
import { DateTime } from 'luxon';
import type { Db, Tx } from '../db/connect.js';
import type { Directory } from '../directory/directory-cache.js';
import type { StaffMember } from '../directory/staff.js';
import type { BusinessCalendar } from '../standard/calendar.js';
import { complianceFigure, formulaVersion, type Outcome, type ShareFigure } from '../standard/performance-indicators.js';
import type { ServiceTargets } from '../standard/targets.js';
import { addToReplayTally, changeOf, emptyReplayTally, measureCase, proposedDueTimes, type ReplayCase, type ReplayGroupTally } from '../standard/what-if.js';
import { recordGovernanceEvent } from './governance-audit.js';
import { findProposal, type ProposedTargets } from './proposals.js';

/**
 * What-if replay (CSS §8.3, INTERPRETATION §8): every service request received in the period,
 * measured against its original targets (as it was) and against the proposal's targets
 * recomputed from its original receipt with the City's calendar (as it would have been). The
 * cases are read in one read-only transaction, in batches by id (streamed: memory stays small
 * whatever the history), and nothing is written to any case; the result is kept with the
 * proposal.
 */

/** A case row as the replay reads it: instants as epoch milliseconds. */
export interface ReplayRow {
  id: number;
  reference: string;
  request_type_id: number;
  division_id: number;
  received_at: number;
  acknowledge_by: number;
  resolve_by: number | null;
  acknowledged_at: number | null;
  resolved_at: number | null;
  first_contact_resolution: boolean;
  acknowledgment_recorded: boolean;
  revised_resolve_by: number | null;
  revised_at: number | null;
  choice: string | null;
}

/** Where the period starts and ends, as instants: the local days from..to inclusive. */
export function periodBounds(from: string, to: string, zone: string): { start: Date; end: Date } {
  return { start: DateTime.fromISO(from, { zone }).startOf('day').toJSDate(), end: DateTime.fromISO(to, { zone }).plus({ days: 1 }).startOf('day').toJSDate() };
}

const ms = (column: string) => sql.raw(`(extract(epoch from ${column}) * 1000)::float8`);

/**
 * Streams the service requests received in [start, end) in batches of `batchSize`, in id order.
 * `choices` names, per request type id, the attribute whose value chooses its targets (read as
 * `choice`). The bench reads with this very function to measure the read alone.
 */
export async function readReplayCases(
  tx: Tx,
  options: { start: Date; end: Date; choices: Map<number, string>; batchSize?: number },
  onBatch: (rows: ReplayRow[]) => void | Promise<void>,
): Promise<number> {
  const batchSize = options.batchSize ?? 10_000;
  const choice =
    options.choices.size === 0
      ? sql`null::text`
      : sql`case c.request_type_id ${sql.join(
          [...options.choices].map(([typeId, attribute]) => sql`when ${typeId} then c.attributes ->> ${attribute}`),
          sql` `,
        )} end`;
  let after = 0;
  let total = 0;
  for (;;) {
    const { rows } = await sql<ReplayRow>`
      select c.id, c.reference, c.request_type_id, c.division_id,
             ${ms('c.received_at')} as received_at, ${ms('c.acknowledge_by')} as acknowledge_by, ${ms('c.resolve_by')} as resolve_by,
             ${ms('c.acknowledged_at')} as acknowledged_at, ${ms('c.resolved_at')} as resolved_at, c.first_contact_resolution, c.acknowledgment_recorded,
             ${ms('c.revised_resolve_by')} as revised_resolve_by, ${ms('c.revised_at')} as revised_at, ${choice} as choice
      from service_case c
      where c.id > ${after} and c.kind = 'service_request' and c.received_at >= ${options.start} and c.received_at < ${options.end}
      order by c.id
      limit ${batchSize}`.execute(tx);
    if (rows.length === 0) break;
    total += rows.length;
    after = rows[rows.length - 1]!.id;
    await onBatch(rows);
    if (rows.length < batchSize) break;
  }
  return total;
}

export interface ReplayGroup {
  requestType: { code: string; name: string };
  division: { code: string; name: string };
  /** The proposal changes this type's targets. */
  proposed: boolean;
  tally: ReplayGroupTally;
  compliance: { before: { acknowledgment: ShareFigure; resolution: ShareFigure }; after: { acknowledgment: ShareFigure; resolution: ShareFigure } };
}

export interface ChangedCase {
  reference: string;
  requestType: string;
  division: string;
  acknowledgment: { before: Outcome; after: Outcome } | null;
  resolution: { before: Outcome; after: Outcome } | null;
  escalation: 'new' | 'avoided' | null;
}

export interface ReplayResult {
  asOf: string;
  period: { from: string; to: string };
  cases: number;
  changedTotal: number;
  /** The first `changedLimit` changed cases, in receipt order of id. */
  changed: ChangedCase[];
  changedLimit: number;
  escalations: { before: number; after: number; new: number; avoided: number };
  groups: ReplayGroup[];
  formulaVersion: string;
  elapsedMs: number;
}

/** The replay itself, pure apart from reading: used by the page, the CLI-less bench and tests. */
export async function computeReplay(
  tx: Tx,
  options: { directory: Directory; calendar: BusinessCalendar; targets: ProposedTargets; period: { from: string; to: string }; asOf: Date; changedLimit?: number; batchSize?: number },
): Promise<ReplayResult> {
  const started = performance.now();
  const { directory, calendar } = options;
  const asOf = options.asOf.getTime();
  const changedLimit = options.changedLimit ?? 2_000;
  const zone = calendar.timeZone;
  const proposedByType = new Map<number, { targets: ServiceTargets; attribute: string | undefined }>();
  const choices = new Map<number, string>();
  for (const [code, targets] of Object.entries(options.targets)) {
    const type = directory.activeRequestTypeCodes.includes(code) ? directory.serviceTargets(code, asOf).requestType : undefined;
    if (!type) continue;
    const attribute = targets.byAttribute?.attribute;
    proposedByType.set(type.id, { targets, attribute });
    if (attribute) choices.set(type.id, attribute);
  }
  const tallies = new Map<string, { typeId: number; divisionId: number; tally: ReplayGroupTally }>();
  const changed: ChangedCase[] = [];
  let changedTotal = 0;
  const escalations = { before: 0, after: 0, new: 0, avoided: 0 };
  const typeName = (id: number): string => directory.requestType(id)?.name ?? `type ${id}`;
  const divisionName = (id: number): string => directory.division(id)?.name ?? `division ${id}`;
  const { start, end } = periodBounds(options.period.from, options.period.to, zone);
  const c: ReplayCase = { receivedAt: 0, acknowledgeBy: 0, resolveBy: null, acknowledgedAt: null, resolvedAt: null, firstContactResolution: false, acknowledgmentRecorded: true, revisedResolveBy: null, revisedAt: null, choice: null };
  const cases = await readReplayCases(tx, { start, end, choices, batchSize: options.batchSize }, (rows) => {
    for (const r of rows) {
      c.receivedAt = r.received_at;
      c.acknowledgeBy = r.acknowledge_by;
      c.resolveBy = r.resolve_by;
      c.acknowledgedAt = r.acknowledged_at;
      c.resolvedAt = r.resolved_at;
      c.firstContactResolution = r.first_contact_resolution;
      c.acknowledgmentRecorded = r.acknowledgment_recorded;
      c.revisedResolveBy = r.revised_resolve_by;
      c.revisedAt = r.revised_at;
      c.choice = r.choice;
      const before = measureCase(c, r.acknowledge_by, r.resolve_by, asOf);
      const proposal = proposedByType.get(r.request_type_id);
      let after = before;
      if (proposal) {
        const due = proposedDueTimes(calendar, proposal.targets, c, proposal.attribute);
        after = measureCase(c, due.acknowledgeBy, due.resolveBy, asOf);
      }
      const change = proposal ? changeOf(before, after) : null;
      const key = `${r.request_type_id}:${r.division_id}`;
      let group = tallies.get(key);
      if (!group) {
        group = { typeId: r.request_type_id, divisionId: r.division_id, tally: emptyReplayTally() };
        tallies.set(key, group);
      }
      addToReplayTally(group.tally, before, after, change !== null);
      if (before.escalated) escalations.before += 1;
      if (after.escalated) escalations.after += 1;
      if (change) {
        changedTotal += 1;
        if (change.escalation === 'new') escalations.new += 1;
        if (change.escalation === 'avoided') escalations.avoided += 1;
        if (changed.length < changedLimit) {
          changed.push({
            reference: r.reference,
            requestType: typeName(r.request_type_id),
            division: divisionName(r.division_id),
            acknowledgment: change.acknowledgment ? { before: before.acknowledgment, after: after.acknowledgment } : null,
            resolution: change.resolution ? { before: before.resolution, after: after.resolution } : null,
            escalation: change.escalation,
          });
        }
      }
    }
  });
  const groups: ReplayGroup[] = [...tallies.values()]
    .map((g) => {
      const type = directory.requestType(g.typeId);
      const division = directory.division(g.divisionId);
      return {
        requestType: { code: type?.code ?? String(g.typeId), name: typeName(g.typeId) },
        division: { code: division?.code ?? String(g.divisionId), name: divisionName(g.divisionId) },
        proposed: proposedByType.has(g.typeId),
        tally: g.tally,
        compliance: {
          before: { acknowledgment: complianceFigure(g.tally.before.acknowledgment), resolution: complianceFigure(g.tally.before.resolution) },
          after: { acknowledgment: complianceFigure(g.tally.after.acknowledgment), resolution: complianceFigure(g.tally.after.resolution) },
        },
      };
    })
    .sort((a, b) => a.division.name.localeCompare(b.division.name) || a.requestType.name.localeCompare(b.requestType.name));
  return {
    asOf: options.asOf.toISOString(),
    period: options.period,
    cases,
    changedTotal,
    changed,
    changedLimit,
    escalations,
    groups,
    formulaVersion,
    elapsedMs: Math.round(performance.now() - started),
  };
}

/**
 * Replays a proposal over its period and keeps the result with it. The cases are read in a
 * read-only transaction (on PostgreSQL, repeatable read: one consistent snapshot); the result is
 * written to the proposal afterwards, with an audit event.
 */
export async function replayProposal(options: { db: Db; actor: StaffMember; directory: Directory; id: number; now: Date }): Promise<ReplayResult> {
  const { db, actor, directory, now } = options;
  const proposal = await findProposal(db.kysely, actor, options.id);
  const run = async (trx: Tx): Promise<ReplayResult> => {
    await sql`set transaction read only`.execute(trx);
    return computeReplay(trx, { directory, calendar: directory.calendar, targets: proposal.targets, period: { from: proposal.periodFrom, to: proposal.periodTo }, asOf: now });
  };
  const result = db.engine === 'postgres' ? await db.kysely.transaction().setIsolationLevel('repeatable read').execute(run) : await db.kysely.transaction().execute(run);
  await db.kysely.transaction().execute(async (trx) => {
    await trx.updateTable('target_proposal').set({ replay: JSON.stringify(result), replayed_at: now }).where('id', '=', proposal.id).execute();
    await recordGovernanceEvent(trx, { actor, type: 'proposal_replayed', data: { proposal: proposal.id, cases: result.cases, changed: result.changedTotal }, now });
  });
  return result;
}
