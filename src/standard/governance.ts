import { DateTime } from 'luxon';

/**
 * Training and review rules (CSS §7.2, §8.2, INTERPRETATION §8) as pure functions: when an
 * acknowledgment is due and when its reminder goes, when a division's annual DST review and the
 * Standard's once-per-Council-term review are due. No clock reads: every function is given the
 * instants it needs.
 */

export interface AcknowledgmentRules {
  /** Days from being asked to the due date (default 14). */
  dueWithinDays: number;
  /** The reminder goes this many days before the due date (default 3). */
  reminderDaysBefore: number;
}

export const defaultAcknowledgmentRules: AcknowledgmentRules = { dueWithinDays: 14, reminderDaysBefore: 3 };

export type AcknowledgmentStatus = 'done' | 'due' | 'overdue';

export interface AcknowledgmentTimes {
  /** When the person was asked: the later of their account's creation and the document's taking effect. */
  askedAt: number;
  dueAt: number;
  remindAt: number;
}

/**
 * §7.2: a person is asked to read a document when both they and it exist: the later of the
 * account's creation, the document's effective date (its start, in the City's time zone) and the
 * moment it was recorded. It is due `dueWithinDays` calendar days later (the same wall-clock time,
 * across daylight-saving changes), with a reminder `reminderDaysBefore` days before that.
 */
export function acknowledgmentTimes(options: { accountCreatedAt: number; effectiveFrom: string; recordedAt: number; zone: string; rules: AcknowledgmentRules }): AcknowledgmentTimes {
  const { rules, zone } = options;
  const effective = DateTime.fromISO(options.effectiveFrom, { zone }).startOf('day').toMillis();
  const askedAt = Math.max(options.accountCreatedAt, effective, options.recordedAt);
  const due = DateTime.fromMillis(askedAt, { zone }).plus({ days: rules.dueWithinDays });
  const remind = due.minus({ days: Math.min(rules.reminderDaysBefore, rules.dueWithinDays) });
  return { askedAt, dueAt: due.toMillis(), remindAt: Math.max(remind.toMillis(), askedAt) };
}

export function acknowledgmentStatus(times: Pick<AcknowledgmentTimes, 'dueAt'>, acknowledgedAt: number | null, now: number): AcknowledgmentStatus {
  if (acknowledgedAt !== null) return 'done';
  return now > times.dueAt ? 'overdue' : 'due';
}

/** Done, due and overdue counted for one group (a division's staff). */
export interface CompletionCounts {
  done: number;
  due: number;
  overdue: number;
}

export function countCompletion(statuses: Iterable<AcknowledgmentStatus>): CompletionCounts {
  const counts: CompletionCounts = { done: 0, due: 0, overdue: 0 };
  for (const s of statuses) counts[s] += 1;
  return counts;
}

/** A local date (YYYY-MM-DD) plus whole years; 29 February becomes 28 February in a common year. */
export function addYears(date: string, years: number): string {
  return DateTime.fromISO(date, { zone: 'UTC' }).plus({ years }).toISODate()!;
}

/** §8.2 "Annual Review": a division's DST review is due a year after the last one (or after its first DST took effect). */
export function nextDstReviewDue(lastReviewedOn: string): string {
  return addYears(lastReviewedOn, 1);
}

export interface CouncilTerm {
  /** The day the term begins (15 November after the October election in Ontario). */
  start: string;
  /** Its last day: the day before the next term begins. */
  end: string;
}

/**
 * Council terms from their configured start dates (ascending). The last configured term ends
 * four years after it began, as Ontario's do, unless a later start is configured.
 */
export function councilTerms(starts: readonly string[]): CouncilTerm[] {
  const sorted = [...starts].sort();
  return sorted.map((start, i) => {
    const next = sorted[i + 1] ?? addYears(start, 4);
    return { start, end: DateTime.fromISO(next, { zone: 'UTC' }).minus({ days: 1 }).toISODate()! };
  });
}

/** The term a date falls in, if any configured term holds it. */
export function termOf(terms: readonly CouncilTerm[], date: string): CouncilTerm | undefined {
  return terms.find((t) => t.start <= date && date <= t.end);
}

/**
 * §8.2 "once per Council term": the Standard's comprehensive review is due by the last day of the
 * term after the one in which it was last reviewed (or the current edition took effect: issuing
 * an edition is that term's review). Undefined when no configured term follows: the City must add
 * the next term's start date.
 */
export function nextStandardReview(terms: readonly CouncilTerm[], lastReviewedOn: string): { term: CouncilTerm; dueOn: string } | undefined {
  const current = termOf(terms, lastReviewedOn);
  const next = current ? terms.find((t) => t.start > current.end) : terms.find((t) => t.start > lastReviewedOn);
  return next ? { term: next, dueOn: next.end } : undefined;
}

export type ReviewState = 'done' | 'due' | 'overdue';

/** A review is overdue after its due date (a local date) has passed. */
export function reviewState(dueOn: string, completedAt: number | null, today: string): ReviewState {
  if (completedAt !== null) return 'done';
  return today > dueOn ? 'overdue' : 'due';
}
