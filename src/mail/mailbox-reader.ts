import { ImapFlow } from 'imapflow';
import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import type { Clock } from '../platform/clock.js';
import type { ImapSettings } from '../platform/config.js';
import type { Logger } from '../platform/logger.js';
import { takeMessage } from './take-message.js';

/**
 * Reads the City's mailbox (IMAP_URL) with imapflow: every few seconds it takes each message not
 * yet taken, oldest first, and then flags it (`$CitydeskTaken`, and seen) or moves it to the
 * configured folder. Taking is decided by the database (take-message.ts), flagging only spares
 * the next look some work: a message taken but not flagged (the mailbox went away in between) is
 * seen again and left alone. A mailbox that cannot be reached is tried again with back-off and
 * shown on /readyz and to administrators; it never stops the server.
 */

export const TAKEN_KEYWORD = '$CitydeskTaken';

export interface MailboxStatus {
  state: 'starting' | 'ok' | 'retrying' | 'stopped';
  mailbox: string;
  /** The URL without its secret. */
  server: string;
  lastSuccessAt: Date | null;
  lastError: string | null;
  failures: number;
  nextAttemptAt: Date | null;
  taken: number;
}

/** What the console and /readyz read: this server copy's reader, or none (no IMAP_URL). */
export interface MailboxMonitor {
  status(): MailboxStatus;
}

export interface PollResult {
  taken: number;
  alreadyTaken: number;
}

const BATCH = 200;

export class MailboxReader implements MailboxMonitor {
  private current: MailboxStatus;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;
  private client: ImapFlow | undefined;

  constructor(
    private readonly options: {
      db: Db;
      clock: Clock;
      settings: ImapSettings;
      logger?: Logger | undefined;
      /** The City's own address (its mail coming back is a loop). */
      ownAddress?: string | undefined;
      /** The first wait after a failure (doubling up to maxBackoffMs). */
      firstBackoffMs?: number;
      maxBackoffMs?: number;
      /** Time to give the server to answer before it counts as unreachable. */
      timeoutMs?: number;
    },
  ) {
    this.current = { state: 'starting', mailbox: options.settings.mailbox, server: options.settings.display, lastSuccessAt: null, lastError: null, failures: 0, nextAttemptAt: null, taken: 0 };
  }

  status(): MailboxStatus {
    return { ...this.current };
  }

  /** The wait after the n-th failure in a row: 5 s, 10 s, 20 s … at most 5 minutes. */
  backoffMs(failures: number): number {
    const first = this.options.firstBackoffMs ?? 5_000;
    return Math.min(first * 2 ** Math.max(failures - 1, 0), this.options.maxBackoffMs ?? 300_000);
  }

  /** Looks once: takes every message not yet taken. Throws when the mailbox (or the database) fails. */
  async pollOnce(): Promise<PollResult> {
    const { settings, db, clock } = this.options;
    const timeout = this.options.timeoutMs ?? 30_000;
    const client = new ImapFlow({
      host: settings.host,
      port: settings.port,
      secure: settings.secure,
      auth: settings.auth === 'oauth2' ? { user: settings.user, accessToken: settings.secret } : { user: settings.user, pass: settings.secret },
      logger: false,
      disableAutoIdle: true,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout * 4,
      clientInfo: { name: 'citydesk' },
    });
    // A connection lost mid-poll is reported by the command that was waiting; this keeps the
    // event from being an uncaught error that would stop the process.
    client.on('error', () => undefined);
    this.client = client;
    const result: PollResult = { taken: 0, alreadyTaken: 0 };
    try {
      await client.connect();
      if (settings.moveTo) await client.mailboxCreate(settings.moveTo).catch(() => undefined);
      const lock = await client.getMailboxLock(settings.mailbox);
      try {
        const box = client.mailbox;
        if (!box) throw new Error(`the mailbox ${settings.mailbox} could not be opened`);
        const uidValidity = Number(box.uidValidity);
        await this.noteUidValidity(uidValidity);
        const found = await client.search(settings.moveTo ? { all: true } : { unKeyword: TAKEN_KEYWORD }, { uid: true });
        const uids = (found || []).sort((a, b) => a - b).slice(0, BATCH);
        for (const uid of uids) {
          if (this.stopped) break;
          const message = await client.fetchOne(String(uid), { uid: true, source: true, internalDate: true }, { uid: true });
          if (!message || !message.source) continue; // expunged meanwhile
          const arrivedAt = message.internalDate ? new Date(message.internalDate) : clock.now();
          const taken = await takeMessage({ db, raw: message.source, place: { mailbox: settings.mailbox, uidValidity, uid, arrivedAt }, now: clock.now(), ownAddress: this.options.ownAddress });
          if (taken.taken) result.taken += 1;
          else result.alreadyTaken += 1;
          if (settings.moveTo) await client.messageMove(String(uid), settings.moveTo, { uid: true });
          else await client.messageFlagsAdd(String(uid), [TAKEN_KEYWORD, '\\Seen'], { uid: true });
        }
      } finally {
        lock.release();
      }
      await client.logout();
    } finally {
      this.client = undefined;
      client.close();
    }
    return result;
  }

  /** Starts looking every IMAP_POLL_SECONDS; a failure waits the back-off instead. */
  start(): void {
    const tick = (): void => {
      this.timer = undefined;
      if (this.stopped) return;
      this.running = this.pollAndRecord().finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        const wait = this.current.state === 'retrying' ? this.backoffMs(this.current.failures) : this.options.settings.pollSeconds * 1000;
        this.current.nextAttemptAt = new Date(this.options.clock.now().getTime() + wait);
        this.timer = setTimeout(tick, wait);
        this.timer.unref();
      });
    };
    this.timer = setTimeout(tick, 0);
    this.timer.unref();
  }

  /** One look, with its outcome kept for /readyz, the console and the log. */
  async pollAndRecord(): Promise<PollResult | undefined> {
    const { logger, db, clock, settings } = this.options;
    const at = clock.now();
    try {
      const result = await this.pollOnce();
      this.current = { ...this.current, state: 'ok', lastSuccessAt: at, lastError: null, failures: 0, taken: this.current.taken + result.taken };
      if (result.taken > 0) logger?.info({ taken: result.taken, alreadyTaken: result.alreadyTaken }, 'mailbox: messages taken');
      await sql`insert into mailbox_state (mailbox, last_attempt_at, last_success_at, failures, last_error, taken) values (${settings.mailbox}, ${at}, ${at}, 0, null, ${result.taken})
        on conflict (mailbox) do update set last_attempt_at = excluded.last_attempt_at, last_success_at = excluded.last_success_at, failures = 0, last_error = null,
          taken = mailbox_state.taken + excluded.taken`.execute(db.kysely).catch(() => undefined);
      return result;
    } catch (error) {
      const message = describe(error);
      this.current = { ...this.current, state: this.stopped ? 'stopped' : 'retrying', lastError: message, failures: this.current.failures + 1 };
      logger?.warn({ failures: this.current.failures, error: message }, 'mailbox: could not read; trying again later');
      await sql`insert into mailbox_state (mailbox, last_attempt_at, failures, last_error) values (${settings.mailbox}, ${at}, 1, ${message})
        on conflict (mailbox) do update set last_attempt_at = excluded.last_attempt_at, failures = mailbox_state.failures + 1, last_error = excluded.last_error`
        .execute(db.kysely)
        .catch(() => undefined);
      return undefined;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.client?.close();
    await this.running;
    this.current.state = 'stopped';
  }

  private async noteUidValidity(uidValidity: number): Promise<void> {
    const { db, settings, logger } = this.options;
    const row = await db.kysely.selectFrom('mailbox_state').select('uid_validity').where('mailbox', '=', settings.mailbox).executeTakeFirst();
    if (row?.uid_validity !== null && row?.uid_validity !== undefined && Number(row.uid_validity) !== uidValidity) {
      // The server renumbered the folder: UIDs start again, and Message-IDs (or content hashes)
      // keep what was taken from being taken again.
      logger?.warn({ mailbox: settings.mailbox }, 'mailbox: UIDVALIDITY changed; messages already taken are recognised by their Message-ID');
    }
    await sql`insert into mailbox_state (mailbox, uid_validity) values (${settings.mailbox}, ${uidValidity})
      on conflict (mailbox) do update set uid_validity = excluded.uid_validity`.execute(db.kysely);
  }
}

/** An error in words for staff and the log: never the password (imapflow's messages hold none). */
function describe(error: unknown): string {
  const e = error as { message?: string; code?: string; responseText?: string; authenticationFailed?: boolean };
  if (e.authenticationFailed) return 'the mail server refused the user name or password (or token)';
  if (e.code === 'ECONNREFUSED') return 'the mail server refused the connection (is it running, and is IMAP_URL right?)';
  if (e.code === 'ENOTFOUND') return 'the mail server name was not found';
  if (e.code === 'ETIMEDOUT' || e.code === 'CONNECT_TIMEOUT' || e.code === 'GREETING_TIMEOUT') return 'the mail server did not answer in time';
  const text = [e.message, e.responseText].filter(Boolean).join(': ');
  return (text || String(error)).slice(0, 300);
}
