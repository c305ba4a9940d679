/**
 * One staff session per account per test database and clock day, shared by every test helper
 * that signs in (`as()` in api.ts, `consoleAs()` in console.ts, `signInAs()` in browser.ts).
 *
 * The sessions are opened through the sign-in use case, the same code the sign-in routes run,
 * not through the routes: the routes' limits (10 a minute per e-mail address, 30 per client
 * address) count real minutes, and a test that moves its clock by days needs a new session each
 * day. The routes themselves, with their limits and answers, are tested where they are the
 * subject (test/directory, test/web/web-shell.test.ts).
 */
import type { Db } from '../../src/db/connect.js';
import type { Clock } from '../../src/platform/clock.js';
import { signIn } from '../../src/directory/sessions.js';
import { demoPassword } from './api.js';

interface OpenSession {
  token: string;
  expiresAt: number;
}

// By database, then account, then clock day.
const sessions = new WeakMap<Db, Map<string, Map<string, OpenSession>>>();

const accountOf = (email: string): string => email.trim().toLowerCase();
const dayOf = (now: Date): string => now.toISOString().slice(0, 10);

function daysOf(db: Db, email: string): Map<string, OpenSession> {
  const byAccount = sessions.get(db) ?? sessions.set(db, new Map()).get(db)!;
  return byAccount.get(accountOf(email)) ?? byAccount.set(accountOf(email), new Map()).get(accountOf(email))!;
}

/**
 * The session token of `email` for the clock's day: the one opened earlier that day if it is still
 * valid at the clock's time, else a new one (with `password`, the demo accounts' by default).
 */
export async function sessionToken(site: { db: Db; clock: Clock }, email: string, password = demoPassword): Promise<string> {
  const now = site.clock.now();
  const days = daysOf(site.db, email);
  const known = days.get(dayOf(now));
  if (known && known.expiresAt > now.getTime()) return known.token;
  const { token, expiresAt } = await signIn({ db: site.db, email, password, now });
  // Signing in deletes the account's sessions expired by then: so does this cache (a test that
  // moves its clock back to an earlier day gets a new session there).
  for (const [day, session] of days) if (session.expiresAt < now.getTime()) days.delete(day);
  days.set(dayOf(now), { token, expiresAt: expiresAt.getTime() });
  return token;
}

/** Forgets the account's session for the clock's day (signed out, say): the next call opens another. */
export function forgetSession(site: { db: Db; clock: Clock }, email: string): void {
  daysOf(site.db, email).delete(dayOf(site.clock.now()));
}
