/**
 * The mySociety updates extension's statuses (Open311::Endpoint::Role::mySociety, the extension
 * FixMyStreet speaks) read from citydesk's states: the one mapping, written down in
 * docs/open311-updates.md. A case's status after one of its public events is set by the latest
 * event that changes its state at or before it; transfers, reclassifications and escalations
 * leave the status as it was and say what happened in their description.
 *
 * citydesk does not record why a case was resolved (fixed, not the City's, no further action,
 * a duplicate), so a resolution is `closed` and never claims more (a request staff mark a duplicate
 * of another is `duplicate`, issue 18); it has no state for a request
 * referred away and closed, so `internal_referral` is not sent (a transfer between divisions stays
 * open); and a reopened case is `open` again, the status FixMyStreet reads as "open again" (it
 * ignores `reopen` in the updates it fetches).
 */

/** GET servicerequestupdates: the extension's `status_extended`, lower case. */
export const updateStatuses = ['open', 'closed', 'fixed', 'in_progress', 'action_scheduled', 'investigating', 'duplicate', 'not_councils_responsibility', 'no_further_action', 'internal_referral', 'reopen', 'for_triage'] as const;
export type UpdateStatus = (typeof updateStatuses)[number];

/**
 * The public events that are updates, in the words of present-open311-request's noteOf, and the
 * division's answer to a resident who said a resolved request is not fixed (it stays resolved).
 */
export const updateEventTypes = ['acknowledged', 'updated', 'progress_note', 'transfer_confirmed', 'reclassified', 'escalated', 'resolved', 'reopened', 'customer_update_answered', 'marked_duplicate', 'duplicate_undone'] as const;
/** The events that change what the status is. */
export const statusEventTypes = ['acknowledged', 'updated', 'resolved', 'reopened', 'marked_duplicate', 'duplicate_undone'] as const;

/** The status after the latest state-changing event (none yet: received, not yet acknowledged). */
export function updateStatus(latestStatusEvent: string | null): UpdateStatus {
  switch (latestStatusEvent) {
    case 'acknowledged':
      // A person of the responsible division has it and has said what happens next (CSS §3.3).
      return 'investigating';
    case 'updated':
      // A status update always carries a revised timeline: the work has a date.
      return 'action_scheduled';
    case 'resolved':
      return 'closed';
    // Issue 18: closed because another report carries the work.
    case 'marked_duplicate':
      return 'duplicate';
    case 'duplicate_undone':
    case 'reopened':
    case null:
      return 'open';
    default:
      return 'open';
  }
}

/** POST servicerequestupdates: the extension's `status_extended_upper` (any case is taken). */
export const postedStatuses = ['OPEN', 'CLOSED', 'FIXED', 'IN_PROGRESS', 'ACTION_SCHEDULED', 'INVESTIGATING', 'DUPLICATE', 'NOT_COUNCILS_RESPONSIBILITY', 'NO_FURTHER_ACTION', 'INTERNAL_REFERRAL', 'REOPEN', 'FOR_TRIAGE'] as const;
export type PostedStatus = (typeof postedStatuses)[number];

/**
 * What a resident's update says about a request the City resolved: FixMyStreet sends OPEN or
 * REOPEN when its user says "not fixed" (REOPEN with mark_reopen); that puts the request before its
 * division to reopen or answer. Every other status is the resident's view, kept with the message.
 */
export function asksToReopen(status: PostedStatus): boolean {
  return status === 'OPEN' || status === 'REOPEN';
}
