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

// A hash no password matches, verified for unknown addresses as for real ones.
const decoyHash = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/** The key wrong passwords are counted under: the address's hash, never the address. */
export const signInKey = (email: string): string => createHash('sha256').update(email.trim().toLowerCase()).digest('hex');

/**
 * Five wrong passwords for an e-mail address lock it for fifteen minutes, whether or not an
 * account has that address: the answers (401, then 423 with the same words), the work done and so
 * the time taken are the same either way, so sign-in tells no one which addresses are staff's.
 */
export async function signIn(options: { db: Db; email: string; password: string; now: Date }): Promise<{ token: string; staff: StaffMember; expiresAt: Date }> {
  const { db, now } = options;
  const email = options.email.trim().toLowerCase();
  const key = signInKey(email);
  const [user, throttle] = await Promise.all([
    db.kysely
      .selectFrom('staff_user')
      .select(['id', 'password_hash', 'active'])
      .where((eb) => eb(eb.fn('lower', ['email']), '=', email))
      .executeTakeFirst(),
    db.kysely.selectFrom('sign_in_throttle').select(['failures', 'locked_until']).where('email_key', '=', key).executeTakeFirst(),
  ]);
  const lockedAnswer = (until: Date) =>
    new AppError(
      'ACCOUNT_LOCKED',
      `Sign-in for this e-mail address is locked after ${maxFailedSignIns} wrong passwords, until ${until.toISOString()}. Try again then, or ask an administrator to set a new password.`,
    );
  if (throttle?.locked_until && new Date(throttle.locked_until) > now) throw lockedAnswer(new Date(throttle.locked_until));
  const account = user && user.active ? user : undefined;
  // Spent on unknown e-mail addresses too, so the answer's timing does not reveal which exist.
  const matches = await verifyPassword(options.password, account?.password_hash ?? decoyHash);
  if (!account || !matches) {
    const failures = (throttle?.failures ?? 0) + 1;
    const lockedUntil = failures >= maxFailedSignIns ? new Date(now.getTime() + lockMinutes * 60_000) : null;
    await db.kysely.transaction().execute(async (trx) => {
      await trx
        .insertInto('sign_in_throttle')
        .values({ email_key: key, failures: lockedUntil ? 0 : failures, locked_until: lockedUntil, updated_at: now })
        .onConflict((oc) => oc.column('email_key').doUpdateSet({ failures: lockedUntil ? 0 : failures, locked_until: lockedUntil, updated_at: now }))
        .execute();
      // The account's own record (shown to administrators) follows; no row matches an unknown address.
      await trx
        .updateTable('staff_user')
        .set({ failed_sign_ins: lockedUntil ? 0 : failures, locked_until: lockedUntil })
        .where((eb) => eb(eb.fn('lower', ['email']), '=', email))
        .execute();
    });
    if (lockedUntil) throw lockedAnswer(lockedUntil);
    throw new AppError('UNAUTHENTICATED', 'That e-mail address and password do not match an account. Check them and try again.');
  }
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + sessionHours * 3_600_000);
  await db.kysely.transaction().execute(async (trx) => {
    await trx.deleteFrom('sign_in_throttle').where('email_key', '=', key).execute();
    await trx.updateTable('staff_user').set({ failed_sign_ins: 0, locked_until: null }).where('id', '=', account.id).execute();
    await trx.insertInto('staff_session').values({ token_hash: hashToken(token), user_id: account.id, created_at: now, expires_at: expiresAt }).execute();
    await trx.deleteFrom('staff_session').where('user_id', '=', account.id).where('expires_at', '<', now).execute();
  });
  const staff = await loadStaffMember(db.kysely, account.id);
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
