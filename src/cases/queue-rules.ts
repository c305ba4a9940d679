import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { Database } from '../db/schema.js';
import type { QueueName } from './case-queries.js';
import { atRiskCondition } from '../performance/at-risk.js';

/**
 * What puts an open case in each work queue, and which deadline orders it: the one reading, used
 * by the API's queues (listQueue) and the console's lists (findCases). Queries name the case
 * table `c`.
 */

type CaseTable = { c: Database['service_case'] };

export interface QueueMoment {
  /** Whose queue "mine" is. */
  staffId: number;
  now: Date;
  /** The end of today's administration hours: "due today" means by then. */
  endOfToday: Date;
}

/** The deadline column that makes a case urgent in a queue (every other list: the next one due). */
export function queueDueColumn(queue: QueueName | undefined): 'next_due_at' | 'acknowledge_by' | 'resolve_by' | 'committed_by' | 'transfer_follow_up_by' {
  switch (queue) {
    case 'acknowledge-due-today':
    case 'acknowledge-overdue':
      return 'acknowledge_by';
    case 'resolution-overdue':
      return 'resolve_by';
    case 'update-overdue':
      return 'committed_by';
    case 'transfers-in':
    case 'transfers-out':
      return 'transfer_follow_up_by';
    default:
      return 'next_due_at';
  }
}

/** The division a queue belongs to: a transfer waits in the receiving division's queue (CSS §3.1). */
export function queueDivisionColumn(queue: QueueName | undefined): 'division_id' | 'transfer_to_division_id' {
  return queue === 'transfers-in' ? 'transfer_to_division_id' : 'division_id';
}

/**
 * The conditions that put a case in the queue (before any division scope). Imported history
 * (src/history) is in no work queue: it is a record of another system's work, not work to do.
 */
export function queueConditions<DB extends CaseTable>(builder: ExpressionBuilder<DB, 'c'>, queue: QueueName, at: QueueMoment): Expression<SqlBool>[] {
  // Every table with `c` reads the same here; TypeScript cannot see that through the generic.
  const eb = builder as unknown as ExpressionBuilder<CaseTable, 'c'>;
  const open = eb.and([eb('c.status', '=', 'open'), eb('c.import_source_id', 'is', null)]);
  switch (queue) {
    case 'mine':
      return [open, eb('c.owner_id', '=', at.staffId)];
    case 'division':
      return [open];
    case 'acknowledge-due-today':
      return [open, eb('c.acknowledged_at', 'is', null), eb('c.acknowledge_by', '>=', at.now), eb('c.acknowledge_by', '<=', at.endOfToday)];
    case 'acknowledge-overdue':
      return [open, eb('c.acknowledged_at', 'is', null), eb('c.acknowledge_by', '<', at.now)];
    case 'resolution-overdue':
      return [open, eb('c.resolve_by', 'is not', null), eb('c.resolve_by', '<', at.now)];
    case 'update-overdue':
      return [open, eb('c.committed_by', 'is not', null), eb('c.committed_by', '<', at.now)];
    case 'at-risk':
      return [open, atRiskCondition(at.now)];
    case 'overdue':
      // Whatever deadline it is (acknowledge, resolve, the date promised, a transfer's follow-up):
      // the earliest one still to meet has passed.
      return [open, eb('c.next_due_at', '<', at.now)];
    case 'transfers-in':
    case 'transfers-out':
      return [eb('c.transfer_to_division_id', 'is not', null), eb('c.import_source_id', 'is', null)];
  }
}
