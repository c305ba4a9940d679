import { createHash, randomBytes } from 'node:crypto';
import { withParameters, type Db } from '../db/connect.js';
import { AppError } from '../platform/errors.js';
import { verifyPassword } from '../platform/passwords.js';
import { loadStaffMember, staffMemberColumns, toStaffMember, type StaffMember } from './staff.js';

/**
 * Staff sign-in. Sessions are rows (only the token's hash is kept), so every server copy knows
 * them. Five wrong passwords in a row lock the account for fifteen minutes.
 */
export const sessionHours = 12;
export const maxFailedSignIns = 5;
export const lockMinutes = 15;

const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

// Spent on unknown e-mail addresses too, so the answer's timing does not reveal which exist.
const decoyHash = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

export async function signIn(options: { db: Db; email: string; password: string; now: Date }): Promise<{ token: string; staff: StaffMember; expiresAt: Date }> {
  const { db, now } = options;
  const user = await db.kysely
    .selectFrom('staff_user')
    .select(['id', 'password_hash', 'failed_sign_ins', 'locked_until', 'active'])
    .where((eb) => eb(eb.fn('lower', ['email']), '=', options.email.trim().toLowerCase()))
    .executeTakeFirst();
  const wrong = new AppError('UNAUTHENTICATED', 'That e-mail address and password do not match an account. Check them and try again.');
  if (!user || !user.active) {
    await verifyPassword(options.password, decoyHash);
    throw wrong;
  }
  if (user.locked_until && new Date(user.locked_until) > now) {
    throw new AppError('ACCOUNT_LOCKED', `This account is locked after ${maxFailedSignIns} wrong passwords until ${new Date(user.locked_until).toISOString()}. Try again then, or ask an administrator.`);
  }
  if (!(await verifyPassword(options.password, user.password_hash))) {
    const failures = user.failed_sign_ins + 1;
    const locked = failures >= maxFailedSignIns;
    await db.kysely
      .updateTable('staff_user')
      .set({ failed_sign_ins: locked ? 0 : failures, locked_until: locked ? new Date(now.getTime() + lockMinutes * 60_000) : null })
      .where('id', '=', user.id)
      .execute();
    if (locked) throw new AppError('ACCOUNT_LOCKED', `Too many wrong passwords: this account is locked for ${lockMinutes} minutes. Try again then, or ask an administrator.`);
    throw wrong;
  }
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + sessionHours * 3_600_000);
  await db.kysely.transaction().execute(async (trx) => {
    await trx.updateTable('staff_user').set({ failed_sign_ins: 0, locked_until: null }).where('id', '=', user.id).execute();
    await trx.insertInto('staff_session').values({ token_hash: hashToken(token), user_id: user.id, created_at: now, expires_at: expiresAt }).execute();
    await trx.deleteFrom('staff_session').where('user_id', '=', user.id).where('expires_at', '<', now).execute();
  });
  const staff = await loadStaffMember(db.kysely, user.id);
  return { token, staff: staff!, expiresAt };
}

/** The staff member a session token belongs to: one prepared query, as every staff request makes it. */
/**
 * A session is looked up in the database at most once a second per server copy: staff make many
 * requests in a row, and a signed-in check costs a round trip. Signing out here forgets it at
 * once; on other copies a session signed out or an account deactivated stops working within a
 * second.
 */
export const sessionCacheMs = 1000;
const sessionCaches = new WeakMap<Db, Map<string, { staff: StaffMember; expiresAt: number; checkedAt: number }>>();
const cacheOf = (db: Db) => sessionCaches.get(db) ?? sessionCaches.set(db, new Map()).get(db)!;

export async function authenticate(db: Db, token: string, now: Date): Promise<StaffMember | undefined> {
  if (token.length < 20 || token.length > 200) return undefined;
  const hash = hashToken(token);
  const cache = cacheOf(db);
  const cached = cache.get(hash);
  const at = now.getTime();
  if (cached && at - cached.checkedAt < sessionCacheMs && at >= cached.checkedAt && cached.expiresAt > at) return cached.staff;
  const [row] = (await db.executePrepared(withParameters(sessionQuery(db), [hash]))).rows;
  if (!row || new Date(row.expires_at) <= now) {
    cache.delete(hash);
    return undefined;
  }
  const staff = toStaffMember(row);
  if (!staff) return undefined;
  if (cache.size >= 10_000) cache.clear();
  cache.set(hash, { staff, expiresAt: new Date(row.expires_at).getTime(), checkedAt: at });
  return staff;
}

// Compiled once per database: only the token's hash changes from one request to the next.
const sessionQueries = new WeakMap<Db, ReturnType<typeof compileSessionQuery>>();
const sessionQuery = (db: Db) => sessionQueries.get(db) ?? sessionQueries.set(db, compileSessionQuery(db)).get(db)!;

function compileSessionQuery(db: Db) {
  return db.kysely
    .selectFrom('staff_session')
    .innerJoin('staff_user', 'staff_user.id', 'staff_session.user_id')
    .leftJoin('division', 'division.id', 'staff_user.division_id')
    .select(staffMemberColumns)
    .select('staff_session.expires_at')
    .where('staff_session.token_hash', '=', '')
    .compile();
}

export async function signOut(db: Db, token: string): Promise<void> {
  const hash = hashToken(token);
  cacheOf(db).delete(hash);
  await db.kysely.deleteFrom('staff_session').where('token_hash', '=', hash).execute();
}
