/**
 * Performance monitoring (CSS §6.2, INTERPRETATION §7) as pure arithmetic: how one case counts
 * towards each indicator, tallies that add up and merge (so a database aggregate, a report, a
 * streaming import and the Working Group's what-if replay all share one definition), and the
 * honest figures made from them. No I/O, no clock reads: the as-of time is always given.
 *
 * Every figure carries `formulaVersion`; change the version whenever a definition here changes, so
 * a report kept as issued says which definitions it used.
 */
import type { BusinessCalendar } from './calendar.js';

/** The version of these definitions. Bump it (and say why in docs/performance.md) on any change. */
export const formulaVersion = 'css-6.2/2026.1';

export interface PerformanceRules {
  /** A group with fewer cases than this shows its counts but no percentage (INTERPRETATION §7). */
  minimumGroupSize: number;
  /** A case is at risk once it has used this share of the time to its next target. */
  atRiskShare: number;
}

export const defaultPerformanceRules: PerformanceRules = { minimumGroupSize: 10, atRiskShare: 0.75 };

/** Which cases a period counts: those received in it (the default) or those closed in it. */
export type PeriodRule = 'received' | 'closed';

export const periodRuleWords: Record<PeriodRule, string> = {
  received: 'cases received in the period',
  closed: 'cases closed in the period',
};

/**
 * How one case counts towards one compliance figure (§7): on time, missed (late, or still open
 * with the target passed), pending (open, not yet due: counted in neither the numerator nor the
 * denominator), not recorded (imported history whose source never recorded the acknowledgment:
 * counted in neither), or not applicable (an inquiry has no resolution target).
 */
export type Outcome = 'on_time' | 'missed' | 'pending' | 'not_recorded' | 'not_applicable';

/** What the indicators need to know about a case. Instants are epoch milliseconds. */
export interface CaseFacts {
  kind: 'inquiry' | 'service_request';
  receivedAt: number;
  /** The original acknowledgment target: the DST version in force at receipt, from the original receipt. */
  acknowledgeBy: number;
  acknowledgedAt: number | null;
  /** False for imported history whose source never recorded an acknowledgment (§7). */
  acknowledgmentRecorded?: boolean;
  /** Recorded in one step as acknowledged and resolved at the first contact (§3.3): on time. */
  firstContactResolution: boolean;
  /** The original resolution target; null for a general inquiry. */
  resolveBy: number | null;
  resolvedAt: number | null;
  /** The revised resolution timeline last given to the customer, if any (reported beside, §7). */
  revisedResolveBy: number | null;
  /** A service request escalated at least once (§5). */
  escalated?: boolean;
}

/** §3.3, §7: acknowledged by the acknowledgment target. A first-contact resolution is on time. */
export function acknowledgmentOutcome(c: CaseFacts, asOf: number): Outcome {
  if (c.firstContactResolution) return 'on_time';
  if (c.acknowledgedAt !== null) return c.acknowledgedAt <= c.acknowledgeBy ? 'on_time' : 'missed';
  if (c.acknowledgmentRecorded === false) return 'not_recorded';
  // Resolved with no acknowledgment on record: only imported history can be in this state.
  if (c.resolvedAt !== null) return c.resolvedAt <= c.acknowledgeBy ? 'on_time' : 'missed';
  return asOf > c.acknowledgeBy ? 'missed' : 'pending';
}

/** §4, §7: resolved by the original resolution target; transfers and revisions never move it. */
export function resolutionOutcome(c: CaseFacts, asOf: number): Outcome {
  if (c.kind !== 'service_request' || c.resolveBy === null) return 'not_applicable';
  if (c.firstContactResolution) return 'on_time';
  if (c.resolvedAt !== null) return c.resolvedAt <= c.resolveBy ? 'on_time' : 'missed';
  return asOf > c.resolveBy ? 'missed' : 'pending';
}

/** Beside compliance (§7): of the cases given a revised timeline, resolved by the date given. */
export function revisedTimelineOutcome(c: CaseFacts, asOf: number): Outcome {
  if (c.revisedResolveBy === null) return 'not_applicable';
  if (c.resolvedAt !== null) return c.resolvedAt <= c.revisedResolveBy ? 'on_time' : 'missed';
  return asOf > c.revisedResolveBy ? 'missed' : 'pending';
}

const DAY_MS = 86_400_000;

/**
 * Completion time of a resolved case in whole days: business days from the receipt business day
 * to the local date of resolution (INTERPRETATION §1; 0 = resolved on the receipt business day),
 * and calendar days from the local date of receipt to that of resolution (0 = the same date).
 */
export function completionDays(calendar: BusinessCalendar, receivedAt: number, resolvedAt: number): { businessDays: number; calendarDays: number } {
  const epochDay = (at: number): number => Date.parse(`${calendar.localDate(at)}T00:00:00Z`) / DAY_MS;
  return {
    businessDays: calendar.businessDaysBetween(receivedAt, resolvedAt),
    calendarDays: Math.max(0, epochDay(resolvedAt) - epochDay(receivedAt)),
  };
}

// ---------------------------------------------------------------------------------------------
// Tallies: plain data that add up case by case and merge group by group.

export interface OutcomeTally {
  onTime: number;
  missed: number;
  pending: number;
  notRecorded: number;
}

/** Whole-day completion times as a histogram (days → cases): mean, median and p90 stay exact when merged. */
export interface DaysTally {
  count: number;
  sum: number;
  /** days → number of cases (object keys are whole days as text). */
  histogram: Record<string, number>;
}

export type EscalationReasonGroup = 'not_acknowledged' | 'not_resolved' | 'on_request';

export interface EscalationTally {
  /** Escalations at each level (1 Division Head, 2 Department Head, 3 CAO). */
  byLevel: Record<'1' | '2' | '3', number>;
  byReason: Record<EscalationReasonGroup, number>;
  /** Service requests escalated at least once (counted with the cases: addCase). */
  escalatedRequests: number;
  /** Whole calendar days spent at each level (to the next level, the resolution, or the as-of time). */
  daysAtLevel: Record<'1' | '2' | '3', DaysTally>;
}

/** CSS §6.2 customer satisfaction: filled by the surveys and follow-up calls (1 to 5). */
export interface SatisfactionTally {
  invitations: number;
  answers: number;
  sumScores: number;
  /** Answers of 4 or 5. */
  satisfied: number;
}

export interface IndicatorTally {
  serviceRequests: number;
  inquiries: number;
  /** Cases still open at the as-of time. */
  open: number;
  acknowledgment: { serviceRequest: OutcomeTally; inquiry: OutcomeTally };
  resolution: OutcomeTally;
  revisedTimeline: OutcomeTally;
  completion: { businessDays: DaysTally; calendarDays: DaysTally };
  escalation: EscalationTally;
  satisfaction: SatisfactionTally;
}

const outcomeTally = (): OutcomeTally => ({ onTime: 0, missed: 0, pending: 0, notRecorded: 0 });
const daysTally = (): DaysTally => ({ count: 0, sum: 0, histogram: {} });

export function emptyTally(): IndicatorTally {
  return {
    serviceRequests: 0,
    inquiries: 0,
    open: 0,
    acknowledgment: { serviceRequest: outcomeTally(), inquiry: outcomeTally() },
    resolution: outcomeTally(),
    revisedTimeline: outcomeTally(),
    completion: { businessDays: daysTally(), calendarDays: daysTally() },
    escalation: {
      byLevel: { 1: 0, 2: 0, 3: 0 },
      byReason: { not_acknowledged: 0, not_resolved: 0, on_request: 0 },
      escalatedRequests: 0,
      daysAtLevel: { 1: daysTally(), 2: daysTally(), 3: daysTally() },
    },
    satisfaction: { invitations: 0, answers: 0, sumScores: 0, satisfied: 0 },
  };
}

export function countOutcome(t: OutcomeTally, outcome: Outcome, times = 1): void {
  if (outcome === 'on_time') t.onTime += times;
  else if (outcome === 'missed') t.missed += times;
  else if (outcome === 'pending') t.pending += times;
  else if (outcome === 'not_recorded') t.notRecorded += times;
}

export function countDays(t: DaysTally, days: number, times = 1): void {
  if (!Number.isInteger(days) || days < 0) throw new Error(`a completion time is a whole number of days, not ${days}`);
  t.count += times;
  t.sum += days * times;
  t.histogram[days] = (t.histogram[days] ?? 0) + times;
}

/** Adds one case, as it stands at `asOf`. `completion` is its completionDays() when resolved. */
export function addCase(t: IndicatorTally, c: CaseFacts, asOf: number, completion?: { businessDays: number; calendarDays: number }): void {
  if (c.kind === 'service_request') t.serviceRequests += 1;
  else t.inquiries += 1;
  if (c.resolvedAt === null && !c.firstContactResolution) t.open += 1;
  if (c.kind === 'service_request' && c.escalated) t.escalation.escalatedRequests += 1;
  countOutcome(c.kind === 'service_request' ? t.acknowledgment.serviceRequest : t.acknowledgment.inquiry, acknowledgmentOutcome(c, asOf));
  countOutcome(t.resolution, resolutionOutcome(c, asOf));
  countOutcome(t.revisedTimeline, revisedTimelineOutcome(c, asOf));
  if (completion) {
    countDays(t.completion.businessDays, completion.businessDays);
    countDays(t.completion.calendarDays, completion.calendarDays);
  }
}

/** The reason an escalation was made, in the three groups §6.2's trends report. */
export function escalationReasonGroup(reason: string, initiatedBy: string): EscalationReasonGroup {
  if (initiatedBy === 'public' || initiatedBy === 'staff' || reason === 'requested') return 'on_request';
  return reason === 'not_acknowledged' || reason === 'unacknowledged_two_weeks_after_escalation' ? 'not_acknowledged' : 'not_resolved';
}

/** Adds one escalation made in the period: its level, reason, and how long the request stayed at that level. */
export function addEscalation(
  t: IndicatorTally,
  e: { level: 1 | 2 | 3; reason: string; initiatedBy: string; escalatedAt: number; endedAt: number | null },
  asOf: number,
): void {
  t.escalation.byLevel[e.level] += 1;
  t.escalation.byReason[escalationReasonGroup(e.reason, e.initiatedBy)] += 1;
  const end = e.endedAt ?? asOf;
  countDays(t.escalation.daysAtLevel[e.level], Math.max(0, Math.floor((end - e.escalatedAt) / DAY_MS)));
}

/** A survey answer or a logged follow-up call (1 to 5), or an invitation sent. */
export function addSatisfaction(t: IndicatorTally, s: { invited?: boolean; score?: number | null }): void {
  if (s.invited) t.satisfaction.invitations += 1;
  if (s.score !== undefined && s.score !== null) {
    if (!Number.isInteger(s.score) || s.score < 1 || s.score > 5) throw new Error(`a satisfaction score is 1 to 5, not ${s.score}`);
    t.satisfaction.answers += 1;
    t.satisfaction.sumScores += s.score;
    if (s.score >= 4) t.satisfaction.satisfied += 1;
  }
}

function mergeOutcome(into: OutcomeTally, from: OutcomeTally): void {
  into.onTime += from.onTime;
  into.missed += from.missed;
  into.pending += from.pending;
  into.notRecorded += from.notRecorded;
}

function mergeDays(into: DaysTally, from: DaysTally): void {
  into.count += from.count;
  into.sum += from.sum;
  for (const [days, n] of Object.entries(from.histogram)) into.histogram[days] = (into.histogram[days] ?? 0) + n;
}

/** Adds `from` into `into` (and returns it): tallies of disjoint groups merge into the whole. */
export function mergeTally(into: IndicatorTally, from: IndicatorTally): IndicatorTally {
  into.serviceRequests += from.serviceRequests;
  into.inquiries += from.inquiries;
  into.open += from.open;
  mergeOutcome(into.acknowledgment.serviceRequest, from.acknowledgment.serviceRequest);
  mergeOutcome(into.acknowledgment.inquiry, from.acknowledgment.inquiry);
  mergeOutcome(into.resolution, from.resolution);
  mergeOutcome(into.revisedTimeline, from.revisedTimeline);
  mergeDays(into.completion.businessDays, from.completion.businessDays);
  mergeDays(into.completion.calendarDays, from.completion.calendarDays);
  for (const level of ['1', '2', '3'] as const) {
    into.escalation.byLevel[level] += from.escalation.byLevel[level];
    mergeDays(into.escalation.daysAtLevel[level], from.escalation.daysAtLevel[level]);
  }
  for (const reason of ['not_acknowledged', 'not_resolved', 'on_request'] as const) into.escalation.byReason[reason] += from.escalation.byReason[reason];
  into.escalation.escalatedRequests += from.escalation.escalatedRequests;
  into.satisfaction.invitations += from.satisfaction.invitations;
  into.satisfaction.answers += from.satisfaction.answers;
  into.satisfaction.sumScores += from.satisfaction.sumScores;
  into.satisfaction.satisfied += from.satisfaction.satisfied;
  return into;
}

// ---------------------------------------------------------------------------------------------
// Honest figures (§7): what was counted, and a value only when there is enough to say one.

/**
 * 'value': enough cases for a percentage. 'too_few': fewer than the minimum group size, so counts
 * only (a 1-of-1 is not 100%). 'no_data': nothing counted, never 100%.
 */
export type FigureState = 'value' | 'too_few' | 'no_data';

export interface ShareFigure {
  /** Share in [0, 1], or null when the state is not 'value'. */
  value: number | null;
  state: FigureState;
  numerator: number;
  denominator: number;
  /** Open and not yet due: counted in neither. */
  pending: number;
  /** Imported without an acknowledgment on record: counted in neither. */
  notRecorded: number;
  periodRule: PeriodRule;
  minimumGroupSize: number;
  formulaVersion: string;
}

export interface FigureOptions {
  periodRule: PeriodRule;
  minimumGroupSize: number;
}

export const defaultFigureOptions: FigureOptions = { periodRule: 'received', minimumGroupSize: defaultPerformanceRules.minimumGroupSize };

export function figureState(denominator: number, minimumGroupSize: number): FigureState {
  return denominator === 0 ? 'no_data' : denominator < minimumGroupSize ? 'too_few' : 'value';
}

/** A share: numerator ÷ denominator, with the counts it came from. */
export function shareFigure(numerator: number, denominator: number, options: FigureOptions, extra: { pending?: number; notRecorded?: number } = {}): ShareFigure {
  const state = figureState(denominator, options.minimumGroupSize);
  return {
    value: state === 'value' ? numerator / denominator : null,
    state,
    numerator,
    denominator,
    pending: extra.pending ?? 0,
    notRecorded: extra.notRecorded ?? 0,
    periodRule: options.periodRule,
    minimumGroupSize: options.minimumGroupSize,
    formulaVersion,
  };
}

/** §7: compliance = on time ÷ (on time + missed); pending and not recorded count in neither. */
export function complianceFigure(t: OutcomeTally, options: FigureOptions = defaultFigureOptions): ShareFigure {
  return shareFigure(t.onTime, t.onTime + t.missed, options, { pending: t.pending, notRecorded: t.notRecorded });
}

export interface DaysFigure {
  state: FigureState;
  count: number;
  mean: number | null;
  median: number | null;
  p90: number | null;
  unit: 'business_days' | 'calendar_days' | 'days';
  periodRule: PeriodRule;
  formulaVersion: string;
}

/** The smallest whole-day value with at least `share` of the cases at or below it (nearest rank). */
export function percentileOf(t: DaysTally, share: number): number | null {
  if (t.count === 0) return null;
  const rank = Math.max(1, Math.ceil(share * t.count));
  let seen = 0;
  for (const days of Object.keys(t.histogram).map(Number).sort((a, b) => a - b)) {
    seen += t.histogram[days]!;
    if (seen >= rank) return days;
  }
  return null;
}

/** Mean, median and 90th percentile (§6.2 completion time), withheld below the minimum group size. */
export function daysFigure(t: DaysTally, unit: DaysFigure['unit'], options: FigureOptions = defaultFigureOptions): DaysFigure {
  const state = figureState(t.count, options.minimumGroupSize);
  const shown = state === 'value';
  return {
    state,
    count: t.count,
    mean: shown ? t.sum / t.count : null,
    median: shown ? percentileOf(t, 0.5) : null,
    p90: shown ? percentileOf(t, 0.9) : null,
    unit,
    periodRule: options.periodRule,
    formulaVersion,
  };
}

export interface SatisfactionFigure {
  /** Share of answers that are 4 or 5. */
  satisfied: ShareFigure;
  mean: number | null;
  answers: number;
  /** Answers ÷ invitations. */
  responseRate: ShareFigure;
}

export function satisfactionFigure(t: SatisfactionTally, options: FigureOptions = defaultFigureOptions): SatisfactionFigure {
  const satisfied = shareFigure(t.satisfied, t.answers, options);
  return {
    satisfied,
    mean: satisfied.state === 'value' ? t.sumScores / t.answers : null,
    answers: t.answers,
    responseRate: shareFigure(Math.min(t.answers, t.invitations), t.invitations, options),
  };
}

/** Every §6.2 indicator of one group, as figures. */
export interface PerformanceIndicators {
  formulaVersion: string;
  periodRule: PeriodRule;
  periodRuleWords: string;
  minimumGroupSize: number;
  cases: { serviceRequests: number; inquiries: number; open: number };
  acknowledgment: { serviceRequest: ShareFigure; inquiry: ShareFigure };
  resolution: ShareFigure;
  /** Beside resolution compliance, never instead of it (§7). */
  revisedTimeline: ShareFigure;
  completion: { businessDays: DaysFigure; calendarDays: DaysFigure };
  escalation: {
    byLevel: Record<'1' | '2' | '3', number>;
    byReason: Record<EscalationReasonGroup, number>;
    escalatedRequests: number;
    /** Share of service requests escalated. */
    share: ShareFigure;
    medianDaysAtLevel: Record<'1' | '2' | '3', number | null>;
  };
  satisfaction: SatisfactionFigure;
}

export function performanceIndicators(t: IndicatorTally, options: FigureOptions = defaultFigureOptions): PerformanceIndicators {
  const medianDays = (d: DaysTally): number | null => (figureState(d.count, options.minimumGroupSize) === 'value' ? percentileOf(d, 0.5) : null);
  return {
    formulaVersion,
    periodRule: options.periodRule,
    periodRuleWords: periodRuleWords[options.periodRule],
    minimumGroupSize: options.minimumGroupSize,
    cases: { serviceRequests: t.serviceRequests, inquiries: t.inquiries, open: t.open },
    acknowledgment: { serviceRequest: complianceFigure(t.acknowledgment.serviceRequest, options), inquiry: complianceFigure(t.acknowledgment.inquiry, options) },
    resolution: complianceFigure(t.resolution, options),
    revisedTimeline: complianceFigure(t.revisedTimeline, options),
    completion: { businessDays: daysFigure(t.completion.businessDays, 'business_days', options), calendarDays: daysFigure(t.completion.calendarDays, 'calendar_days', options) },
    escalation: {
      byLevel: { ...t.escalation.byLevel },
      byReason: { ...t.escalation.byReason },
      escalatedRequests: t.escalation.escalatedRequests,
      share: shareFigure(t.escalation.escalatedRequests, t.serviceRequests, options),
      medianDaysAtLevel: { 1: medianDays(t.escalation.daysAtLevel[1]), 2: medianDays(t.escalation.daysAtLevel[2]), 3: medianDays(t.escalation.daysAtLevel[3]) },
    },
    satisfaction: satisfactionFigure(t.satisfaction, options),
  };
}

/** A share in words a resident reads: "87%", "3 of 4 (too few for a percentage)", "no data". */
export function describeShare(f: ShareFigure): string {
  if (f.state === 'no_data') return 'no data';
  if (f.state === 'too_few') return `${f.numerator} of ${f.denominator} (too few for a percentage)`;
  return `${Math.round(f.value! * 100)}%`;
}

// ---------------------------------------------------------------------------------------------
// Recurring types and places (§6.2 escalation trends): the same request type again and again at
// nearby locations.

export interface PlacedCase {
  requestType: string;
  latitude: number;
  longitude: number;
}

export interface RecurringPlace {
  requestType: string;
  /** The centre of the cases counted. */
  latitude: number;
  longitude: number;
  count: number;
}

/**
 * Groups cases of one type whose points fall in the same square of about `metres` a side, and
 * returns the squares with at least `minimum` cases, most first.
 */
export function recurringPlaces(cases: Iterable<PlacedCase>, options: { metres?: number; minimum?: number } = {}): RecurringPlace[] {
  const metres = options.metres ?? 250;
  const minimum = options.minimum ?? 3;
  const degLat = metres / 111_320;
  const cells = new Map<string, { requestType: string; lat: number; lon: number; count: number }>();
  for (const c of cases) {
    const degLon = metres / (111_320 * Math.max(0.01, Math.cos((c.latitude * Math.PI) / 180)));
    const key = `${c.requestType}|${Math.floor(c.latitude / degLat)}|${Math.floor(c.longitude / degLon)}`;
    const cell = cells.get(key) ?? { requestType: c.requestType, lat: 0, lon: 0, count: 0 };
    cell.lat += c.latitude;
    cell.lon += c.longitude;
    cell.count += 1;
    cells.set(key, cell);
  }
  return [...cells.values()]
    .filter((c) => c.count >= minimum)
    .map((c) => ({ requestType: c.requestType, latitude: c.lat / c.count, longitude: c.lon / c.count, count: c.count }))
    .sort((a, b) => b.count - a.count || a.requestType.localeCompare(b.requestType));
}

/** Request types counted most often, most first (at least `minimum`). */
export function recurringTypes(counts: Record<string, number>, minimum = 1): { requestType: string; count: number }[] {
  return Object.entries(counts)
    .filter(([, n]) => n >= minimum)
    .map(([requestType, count]) => ({ requestType, count }))
    .sort((a, b) => b.count - a.count || a.requestType.localeCompare(b.requestType));
}

// ---------------------------------------------------------------------------------------------
// At risk, before the breach.

/** The next target an open case must meet, and when the clock for it started. */
export function nextTarget(c: CaseFacts): { target: 'acknowledgment' | 'resolution'; due: number } | null {
  if (c.resolvedAt !== null || c.firstContactResolution) return null;
  if (c.acknowledgedAt === null && c.acknowledgmentRecorded !== false) return { target: 'acknowledgment', due: c.acknowledgeBy };
  if (c.resolveBy !== null) return { target: 'resolution', due: c.resolveBy };
  return null;
}

/**
 * An open case is at risk when it has used at least `share` of the time from receipt to its next
 * target and the target has not passed yet (once passed it is overdue, not at risk).
 */
export function atRisk(c: CaseFacts, asOf: number, share = defaultPerformanceRules.atRiskShare): { target: 'acknowledgment' | 'resolution'; due: number } | null {
  const next = nextTarget(c);
  if (!next || asOf > next.due) return null;
  return asOf >= atRiskFrom(c.receivedAt, next.due, share) ? next : null;
}

/** The instant a target's clock has used `share` of the time from receipt to it. */
export function atRiskFrom(receivedAt: number, due: number, share = defaultPerformanceRules.atRiskShare): number {
  return receivedAt + Math.ceil((due - receivedAt) * share);
}
