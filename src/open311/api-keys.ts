import { createHash, randomBytes } from 'node:crypto';
import type { Tx } from '../db/connect.js';
import { AppError } from '../platform/errors.js';

/**
 * Credentials for the Open311 API (`api_key`). The key is shown once, at creation; the database
 * keeps only its SHA-256 hash (a random 256-bit key needs no slow hash) and a short prefix that
 * lets staff tell keys apart.
 */
export const hashApiKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

export async function createApiKey(options: { tx: Tx; name: string; now: Date }): Promise<{ id: number; name: string; key: string }> {
  const name = options.name.trim();
  if (name === '' || name.length > 100) {
    throw new AppError('VALIDATION_FAILED', 'An API key needs a name of 1 to 100 characters that says who uses it, e.g. "SeeClickFix".', [{ field: 'name', message: 'required, at most 100 characters' }]);
  }
  const key = `cdk_${randomBytes(32).toString('base64url')}`;
  const row = await options.tx
    .insertInto('api_key')
    .values({ name, key_hash: hashApiKey(key), key_prefix: key.slice(0, 10), created_at: options.now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, name, key };
}

/** The key's holder, or undefined for a key that is unknown or revoked. */
export async function findApiKey(tx: Tx, key: string): Promise<{ id: number; name: string } | undefined> {
  if (key.length > 200) return undefined;
  return tx.selectFrom('api_key').select(['id', 'name']).where('key_hash', '=', hashApiKey(key)).where('revoked_at', 'is', null).executeTakeFirst();
}
