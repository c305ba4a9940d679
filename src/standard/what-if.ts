import type { BusinessCalendar } from './calendar.js';
import { firstLevelDue } from './escalation.js';
import { acknowledgmentOutcome, countOutcome, resolutionOutcome, type CaseFacts, type Outcome, type OutcomeTally } from './performance-indicators.js';
import { chooseTargets, type ServiceTargets } from './targets.js';

/**
 * What-if replay (CSS §8.3, INTERPRETATION §8): a past case measured against proposed targets.
 * The proposal's targets are recomputed from the case's original receipt with the City's
 * calendar (the same units and attribute rules as a DST), and the case is classified as it was
 * and as it would have been, by the performance indicators' own per-case rules
 * (performance-indicators.ts), with what actually happened (acknowledged, resolved, revised
 * timelines) unchanged. Escalation follows the pathway's own rule (escalation.ts): a request
 * would have gone to its Division Head at the first moment it was eligible.
 */

/** One past service request as the replay reads it. Instants are epoch milliseconds. */
export interface ReplayCase {
  receivedAt: number;
  acknowledgeBy: number;
  resolveBy: number | null;
  acknowledgedAt: number | null;
  resolvedAt: number | null;
  firstContactResolution: boolean;
  /** False for imported history whose source never recorded an acknowledgment: "not recorded" (§7), not missed. */
  acknowledgmentRecorded?: boolean;
  revisedResolveBy: number | null;
  revisedAt: number | null;
  /** The value of the proposal's targets-by attribute for this case (e.g. its road class), if any. */
  choice: string | null;
}

export interface CaseMeasure {
  acknowledgment: Outcome;
  resolution: Outcome;
  /** Would have been escalated to the Division Head (level 1) by `asOf`. */
  escalated: boolean;
}

function facts(c: ReplayCase, acknowledgeBy: number, resolveBy: number | null): CaseFacts {
  return {
    kind: 'service_request',
    receivedAt: c.receivedAt,
    acknowledgeBy,
    acknowledgedAt: c.acknowledgedAt,
    firstContactResolution: c.firstContactResolution,
    acknowledgmentRecorded: c.acknowledgmentRecorded ?? true,
    resolveBy,
    resolvedAt: c.resolvedAt,
    revisedResolveBy: c.revisedResolveBy,
  };
}

/**
 * §5.1, §5.3: was the case eligible for its first escalation at some moment up to `asOf`? The
 * moments that can make it so are its acknowledgment target, its resolution target and the end
 * of a revised timeline; at each, the case is seen as it stood then.
 */
export function wouldEscalate(c: ReplayCase, acknowledgeBy: number, resolveBy: number | null, asOf: number): boolean {
  if (c.firstContactResolution) return false;
  for (const at of [acknowledgeBy, resolveBy, c.revisedResolveBy]) {
    if (at === null || at > asOf) continue;
    const open = c.resolvedAt === null || c.resolvedAt > at;
    if (!open) continue;
    const revisedKnown = c.revisedAt !== null && c.revisedAt <= at;
    const reason = firstLevelDue(
      {
        kind: 'service_request',
        status: 'open',
        acknowledgedAt: c.acknowledgedAt !== null && c.acknowledgedAt <= at ? c.acknowledgedAt : null,
        acknowledgeBy,
        resolveBy,
        revisedResolveBy: revisedKnown ? c.revisedResolveBy : null,
        revisedAt: revisedKnown ? c.revisedAt : null,
        lastUpdateAt: null,
        escalationLevel: 0,
        escalatedAt: null,
        resolvedAt: null,
      },
      at,
    );
    if (reason) return true;
  }
  return false;
}

export function measureCase(c: ReplayCase, acknowledgeBy: number, resolveBy: number | null, asOf: number): CaseMeasure {
  const f = facts(c, acknowledgeBy, resolveBy);
  return { acknowledgment: acknowledgmentOutcome(f, asOf), resolution: resolutionOutcome(f, asOf), escalated: wouldEscalate(c, acknowledgeBy, resolveBy, asOf) };
}

/** The proposal's due times for a case, from its original receipt. */
export function proposedDueTimes(calendar: BusinessCalendar, targets: ServiceTargets, c: Pick<ReplayCase, 'receivedAt' | 'choice'>, attribute: string | undefined): { acknowledgeBy: number; resolveBy: number } {
  const chosen = chooseTargets(targets, attribute && c.choice !== null ? { [attribute]: c.choice } : {});
  return { acknowledgeBy: calendar.dueAt(c.receivedAt, chosen.acknowledge), resolveBy: calendar.dueAt(c.receivedAt, chosen.resolve) };
}

/** Counts for one group (a request type in a division), as it was and as it would have been. */
export interface ReplayGroupTally {
  cases: number;
  changed: number;
  before: { acknowledgment: OutcomeTally; resolution: OutcomeTally; escalated: number };
  after: { acknowledgment: OutcomeTally; resolution: OutcomeTally; escalated: number };
}

const emptyOutcomes = (): OutcomeTally => ({ onTime: 0, missed: 0, pending: 0, notRecorded: 0 });

export function emptyReplayTally(): ReplayGroupTally {
  return {
    cases: 0,
    changed: 0,
    before: { acknowledgment: emptyOutcomes(), resolution: emptyOutcomes(), escalated: 0 },
    after: { acknowledgment: emptyOutcomes(), resolution: emptyOutcomes(), escalated: 0 },
  };
}

/** Whether a case's measure differs under the proposal, and how. */
export function changeOf(before: CaseMeasure, after: CaseMeasure): { acknowledgment: boolean; resolution: boolean; escalation: 'new' | 'avoided' | null } | null {
  const acknowledgment = before.acknowledgment !== after.acknowledgment;
  const resolution = before.resolution !== after.resolution;
  const escalation = before.escalated === after.escalated ? null : after.escalated ? 'new' : 'avoided';
  return acknowledgment || resolution || escalation ? { acknowledgment, resolution, escalation } : null;
}

export function addToReplayTally(t: ReplayGroupTally, before: CaseMeasure, after: CaseMeasure, changed: boolean): void {
  t.cases += 1;
  if (changed) t.changed += 1;
  countOutcome(t.before.acknowledgment, before.acknowledgment);
  countOutcome(t.before.resolution, before.resolution);
  countOutcome(t.after.acknowledgment, after.acknowledgment);
  countOutcome(t.after.resolution, after.resolution);
  if (before.escalated) t.before.escalated += 1;
  if (after.escalated) t.after.escalated += 1;
}
