import type { Tx } from '../db/connect.js';
import type { StaffMember } from '../directory/staff.js';

/** Every governance action (acknowledgments, reviews, recommendations, proposals) is an event: who, when, what. */
export type GovernanceEventType =
  | 'document_acknowledged'
  | 'review_owner_changed'
  | 'review_completed'
  | 'recommendation_proposed'
  | 'recommendation_decided'
  | 'recommendation_implemented'
  | 'proposal_drafted'
  | 'proposal_changed'
  | 'proposal_replayed'
  | 'proposal_accepted';

export async function recordGovernanceEvent(tx: Tx, event: { actor: StaffMember; type: GovernanceEventType; data: Record<string, unknown>; now: Date }): Promise<void> {
  await tx
    .insertInto('governance_event')
    .values({ at: event.now, actor_id: event.actor.id, actor_label: `${event.actor.name} <${event.actor.email}>`, type: event.type, data: JSON.stringify(event.data) })
    .execute();
}
