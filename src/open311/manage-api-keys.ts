import type { Db, Tx } from '../db/connect.js';
import { assertAdministrator, recordDirectoryEvent } from '../directory/directory-audit.js';
import type { StaffMember } from '../directory/staff.js';
import { AppError } from '../platform/errors.js';
import { createApiKey } from './api-keys.js';

/** Administrators manage the Open311 API keys: list them, issue one (shown once), revoke one. */

export interface ApiKeySummary {
  id: number;
  name: string;
  prefix: string;
  createdAt: Date;
  revokedAt: Date | null;
}

export async function listApiKeys(tx: Tx): Promise<ApiKeySummary[]> {
  const rows = await tx.selectFrom('api_key').select(['id', 'name', 'key_prefix', 'created_at', 'revoked_at']).orderBy('revoked_at', 'desc').orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
  return rows
    .map((r) => ({ id: r.id, name: r.name, prefix: r.key_prefix, createdAt: new Date(r.created_at), revokedAt: r.revoked_at ? new Date(r.revoked_at) : null }))
    .sort((a, b) => Number(a.revokedAt !== null) - Number(b.revokedAt !== null));
}

/** A new key: the only time anyone sees it whole is this answer. */
export async function issueApiKey(options: { db: Db; actor: StaffMember; name: string; now: Date }): Promise<{ id: number; name: string; key: string }> {
  const { db, actor, now } = options;
  assertAdministrator(actor);
  return db.kysely.transaction().execute(async (trx) => {
    const created = await createApiKey({ tx: trx, name: options.name, now });
    await recordDirectoryEvent(trx, { actor, type: 'api_key_created', data: { apiKeyId: created.id, name: created.name, prefix: created.key.slice(0, 10) }, now });
    return created;
  });
}

/** A revoked key stops working at once (findApiKey refuses it); it stays listed with its date. */
export async function revokeApiKey(options: { db: Db; actor: StaffMember; id: number; now: Date }): Promise<{ name: string }> {
  const { db, actor, id, now } = options;
  assertAdministrator(actor);
  return db.kysely.transaction().execute(async (trx) => {
    const key = Number.isSafeInteger(id) ? await trx.selectFrom('api_key').select(['id', 'name', 'key_prefix', 'revoked_at']).where('id', '=', id).executeTakeFirst() : undefined;
    if (!key) throw new AppError('NOT_FOUND', 'There is no such API key. Go back to the list of API keys.');
    if (key.revoked_at) throw new AppError('CONFLICT', `The key "${key.name}" (${key.key_prefix}…) is already revoked.`);
    await trx.updateTable('api_key').set({ revoked_at: now }).where('id', '=', id).execute();
    await recordDirectoryEvent(trx, { actor, type: 'api_key_revoked', data: { apiKeyId: id, name: key.name, prefix: key.key_prefix }, now });
    return { name: key.name };
  });
}
