/**
 * The escalation pathway's rules (CSS §5, INTERPRETATION §6) as pure functions: who a level goes
 * to, when a service request is eligible, and the answer to a request to escalate.
 */

export const escalationRoles = { 1: 'Division Head', 2: 'Department Head', 3: 'Chief Administrative Officer' } as const;
export type EscalationLevel = 1 | 2 | 3;

/** Two weeks (14 calendar days) after an escalation, the next step is due. */
export const stepDays = 14;
const DAY_MS = 86_400_000;

export interface EscalationState {
  kind: 'inquiry' | 'service_request';
  status: 'open' | 'resolved';
  acknowledgedAt: number | null;
  acknowledgeBy: number;
  resolveBy: number | null;
  /** The revised resolution timeline communicated to the customer, if any. */
  revisedResolveBy: number | null;
  /** When that revised timeline was given. */
  revisedAt: number | null;
  lastUpdateAt: number | null;
  escalationLevel: number;
  escalatedAt: number | null;
  resolvedAt: number | null;
}

export type EscalationReason =
  | 'not_acknowledged'
  | 'not_resolved'
  | 'revised_timeline_passed'
  | 'unacknowledged_two_weeks_after_escalation'
  | 'no_update_two_weeks_after_escalation'
  | 'revised_timeline_passed_after_escalation';

export type Decision =
  | { escalate: true; level: EscalationLevel; reason: EscalationReason }
  | { escalate: false; reason: string; reviewList?: boolean };

/** §5.1, §5.3: not acknowledged by its target, or not resolved by it with no revised timeline still ahead. */
export function firstLevelDue(s: EscalationState, now: number): EscalationReason | null {
  if (s.kind !== 'service_request' || s.status !== 'open' || s.escalationLevel !== 0) return null;
  if (s.acknowledgedAt === null && s.acknowledgeBy <= now) return 'not_acknowledged';
  if (s.resolveBy !== null && s.resolveBy <= now && !(s.revisedResolveBy !== null && s.revisedResolveBy > now)) {
    return s.revisedResolveBy !== null ? 'revised_timeline_passed' : 'not_resolved';
  }
  return null;
}

/**
 * §5.2: two weeks after a level-N escalation (N = 1, 2) the request goes up if it is still
 * unacknowledged, the customer has had no update since, or the revised timeline given at level N
 * has passed; a request merely unresolved, updated and within its revised timeline goes to the
 * Manager of Customer Service's review list instead.
 */
export function nextLevelDue(s: EscalationState, now: number): { escalate: EscalationReason } | { reviewList: true } | null {
  if (s.kind !== 'service_request' || s.status !== 'open' || s.escalatedAt === null) return null;
  if (s.escalationLevel < 1 || s.escalationLevel > 2) return null;
  if (now < s.escalatedAt + stepDays * DAY_MS) return null;
  if (s.acknowledgedAt === null) return { escalate: 'unacknowledged_two_weeks_after_escalation' };
  if (s.lastUpdateAt === null || s.lastUpdateAt < s.escalatedAt) return { escalate: 'no_update_two_weeks_after_escalation' };
  if (s.revisedResolveBy !== null && s.revisedAt !== null && s.revisedAt >= s.escalatedAt && s.revisedResolveBy <= now) {
    return { escalate: 'revised_timeline_passed_after_escalation' };
  }
  return { reviewList: true };
}

const day = (ms: number, format: (ms: number) => string): string => format(ms);

/**
 * §5.3: the answer to a customer's or staff member's request to escalate, given at once.
 * Disagreement with an outcome is not grounds (it is recorded as feedback by the caller).
 */
export function decideEscalationRequest(
  s: EscalationState,
  now: number,
  grounds: 'missed_target' | 'disagree_with_outcome',
  format: (ms: number) => string,
): Decision {
  if (grounds === 'disagree_with_outcome') {
    return {
      escalate: false,
      reason:
        'Disagreement with the outcome of a request is not grounds for escalation (CSS §5.3). Your comments are recorded as customer feedback and will be reviewed.',
    };
  }
  if (s.kind !== 'service_request') return { escalate: false, reason: 'The escalation pathway applies to service requests (CSS §5); this is a general inquiry.' };
  if (s.status === 'resolved') {
    return {
      escalate: false,
      reason: `This request was resolved on ${day(s.resolvedAt ?? now, format)}. If the problem is not fixed, ask us to reopen it; disagreement with the outcome is not grounds for escalation (CSS §5.3).`,
    };
  }
  if (s.escalationLevel >= 3) return { escalate: false, reason: 'This request is already with the Chief Administrative Officer, the final corporate review (CSS §5.2).' };
  if (s.escalationLevel === 0) {
    const reason = firstLevelDue(s, now);
    if (reason) return { escalate: true, level: 1, reason };
    if (s.revisedResolveBy !== null && s.revisedResolveBy > now && s.resolveBy !== null && s.resolveBy <= now) {
      return {
        escalate: false,
        reason: `A revised resolution timeline was communicated to you: ${day(s.revisedResolveBy, format)}. It has not passed, so escalation is not warranted yet (CSS §5.3).`,
      };
    }
    const targets = [
      s.acknowledgedAt === null ? `acknowledged by ${day(s.acknowledgeBy, format)}` : null,
      s.resolveBy !== null ? `resolved by ${day(s.resolveBy, format)}` : null,
    ].filter(Boolean);
    return {
      escalate: false,
      reason: `This request is within its Division Service Targets: it is due to be ${targets.join(' and ')}. You can ask again if a target is missed (CSS §5.1).`,
    };
  }
  const next = nextLevelDue(s, now);
  const level = (s.escalationLevel + 1) as EscalationLevel;
  if (next && 'escalate' in next) return { escalate: true, level, reason: next.escalate };
  const stepAt = (s.escalatedAt ?? now) + stepDays * DAY_MS;
  if (!next) {
    return {
      escalate: false,
      reason: `This request was escalated to the ${escalationRoles[s.escalationLevel as EscalationLevel]} on ${day(s.escalatedAt ?? now, format)}. The next step is possible from ${day(stepAt, format)} if it is still unacknowledged, you have had no update, or the revised timeline has passed (CSS §5.2).`,
    };
  }
  return {
    escalate: false,
    reason: `The ${escalationRoles[s.escalationLevel as EscalationLevel]} has updated you and the revised timeline, ${day(s.revisedResolveBy ?? now, format)}, has not passed (CSS §5.3). The Manager of Customer Service is reviewing the request.`,
    reviewList: true,
  };
}
