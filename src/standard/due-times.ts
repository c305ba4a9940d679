import type { BusinessCalendar } from './calendar.js';
import type { ChosenTargets, Target } from './targets.js';

/** When a contact received at `receivedAt` must be acknowledged and resolved (CSS §3.3, §4). */
export interface DueTimes {
  receivedAt: number;
  /** The receipt business day (INTERPRETATION §1), YYYY-MM-DD. */
  receiptBusinessDay: string;
  acknowledgeBy: number;
  /** Null for a general inquiry: it has an acknowledgment target only. */
  resolveBy: number | null;
}

export function dueTimes(calendar: BusinessCalendar, receivedAt: number, targets: ChosenTargets | { acknowledge: Target; resolve?: undefined }): DueTimes {
  return {
    receivedAt,
    receiptBusinessDay: calendar.receiptBusinessDay(receivedAt),
    acknowledgeBy: calendar.dueAt(receivedAt, targets.acknowledge),
    resolveBy: targets.resolve ? calendar.dueAt(receivedAt, targets.resolve) : null,
  };
}
