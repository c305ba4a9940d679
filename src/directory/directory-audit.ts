import type { Tx } from '../db/connect.js';
import { AppError } from '../platform/errors.js';
import type { StaffMember } from './staff.js';

/**
 * Administration of the directory (staff accounts, closure days, Division Service Targets, Open311
 * API keys) is the administrators' (INTERPRETATION §9), and every change they make is an event in
 * `directory_event`: who, when, what.
 */
export function assertAdministrator(actor: StaffMember): void {
  if (actor.role !== 'administrator') {
    throw new AppError('FORBIDDEN', 'Only an administrator can change staff accounts, closure days, service targets, API keys or import mappings. Ask your administrator if something needs changing.');
  }
}

export type DirectoryEventType =
  | 'staff_account_created'
  | 'staff_role_changed'
  | 'staff_password_set'
  | 'staff_account_deactivated'
  | 'staff_account_reactivated'
  | 'closure_day_added'
  | 'closure_day_removed'
  | 'service_targets_changed'
  | 'api_key_created'
  | 'api_key_revoked'
  | 'outbox_message_retried'
  | 'response_template_saved'
  | 'kb_article_saved'
  | 'import_mapping_changed';

export async function recordDirectoryEvent(tx: Tx, event: { actor: StaffMember; type: DirectoryEventType; data: Record<string, unknown>; now: Date }): Promise<void> {
  await tx
    .insertInto('directory_event')
    .values({ at: event.now, actor_id: event.actor.id, actor_label: `${event.actor.name} <${event.actor.email}>`, type: event.type, data: JSON.stringify(event.data) })
    .execute();
}

export interface DirectoryEvent {
  at: Date;
  actor: string;
  type: string;
  data: Record<string, unknown>;
}

/** The latest changes, newest first. */
export async function listDirectoryEvents(tx: Tx, limit = 20): Promise<DirectoryEvent[]> {
  const rows = await tx.selectFrom('directory_event').select(['at', 'actor_label', 'type', 'data']).orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map((r) => ({ at: new Date(r.at), actor: r.actor_label, type: r.type, data: r.data as Record<string, unknown> }));
}
