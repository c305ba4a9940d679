/**
 * A real IMAP server for the mail tests: Debian's Dovecot (dovecot-imapd), started by the test as
 * a foreground process on a free loopback port, with a throw-away maildir and configuration in a
 * temporary folder (no TLS, one user with a fixed password). `.ci/run` and `scripts/test.js`
 * install the package; where it cannot be installed the tests skip and say so.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { readImapUrl, type ImapSettings } from '../../src/platform/config.js';

export const dovecotPath = process.env['DOVECOT_PATH'] ?? '/usr/sbin/dovecot';

/** Why the mail tests cannot run here, or undefined when they can. */
export function dovecotMissing(): string | undefined {
  return existsSync(dovecotPath) ? undefined : `Dovecot is not installed at ${dovecotPath}: install Debian's dovecot-imapd (apt-get install -y dovecot-imapd; .ci/run and npm test do) to run the mail tests.`;
}

export interface Dovecot {
  port: number;
  user: string;
  password: string;
  /** IMAP_URL for this server. */
  url(query?: string): string;
  settings(query?: string): ImapSettings;
  /** Delivers a message as a mail server would: IMAP APPEND, with its arrival time (INTERNALDATE). */
  deliver(raw: string | Buffer, arrivedAt: Date, mailbox?: string): Promise<number>;
  /** Delivers many messages over one connection. */
  deliverMany(messages: { raw: string | Buffer; arrivedAt: Date }[], mailbox?: string): Promise<void>;
  /** A client signed in to the mailbox, for looking at flags. */
  client(): Promise<ImapFlow>;
  /** Takes the server down at once (every process), as an outage would. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, up: boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open === up) return;
    if (Date.now() > deadline) throw new Error(`Dovecot did not ${up ? 'start listening' : 'stop'} on port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const idOf = (name: string, flag: '-u' | '-g'): number => Number(execFileSync('id', [flag, name]).toString().trim());

export async function startDovecot(): Promise<Dovecot> {
  const dir = mkdtempSync(join(tmpdir(), 'citydesk-dovecot-'));
  chmodSync(dir, 0o755);
  const port = await freePort();
  const user = 'inquiries';
  const password = 'mailbox-test-password';
  const root = process.getuid?.() === 0;
  // Dovecot refuses to run its login and mail processes as root: as root, its own users do that.
  const me = userInfo().username;
  const loginUser = root ? 'dovenull' : me;
  const internalUser = root ? 'dovecot' : me;
  const mailUser = root ? 'dovecot' : me;
  const mailUid = root ? idOf('dovecot', '-u') : process.getuid!();
  const mailGid = root ? idOf('dovecot', '-g') : process.getgid!();
  const mailDir = join(dir, 'mail');
  mkdirSync(mailDir);
  mkdirSync(join(dir, 'state'));
  mkdirSync(join(dir, 'run'));
  if (root) chownSync(mailDir, mailUid, mailGid);
  const conf = join(dir, 'dovecot.conf');
  writeFileSync(
    conf,
    `protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = ${dir}/dovecot.log
default_internal_user = ${internalUser}
default_login_user = ${loginUser}
first_valid_uid = 0
mail_location = maildir:${mailDir}/%u
mail_uid = ${mailUser}
mail_gid = ${mailGid}
passdb {
  driver = static
  args = password=${password}
}
userdb {
  driver = static
  args = uid=${mailUid} gid=${mailGid} home=${mailDir}/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
protocol imap {
  mail_max_userip_connections = 100
}
`,
  );

  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    rmSync(join(dir, 'run', 'master.pid'), { force: true });
    // Its own process group, so stop() takes the whole server down at once, as a crash would.
    child = spawn(dovecotPath, ['-F', '-c', conf], { stdio: 'ignore', detached: true });
    await waitForPort(port, true);
  };
  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    // The master and every imap and login process: connections in use drop mid-command.
    process.kill(-running.pid!, 'SIGKILL');
    await exited;
    // Its imap and login processes go with the master's connections; wait until nothing listens.
    await waitForPort(port, false);
  };
  await start();
  const url = (query = ''): string => `imap://${user}:${password}@127.0.0.1:${port}/INBOX${query ? `?${query}` : ''}`;
  const client = async (): Promise<ImapFlow> => {
    const c = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass: password }, logger: false });
    c.on('error', () => undefined);
    await c.connect();
    return c;
  };
  return {
    port,
    user,
    password,
    url,
    settings: (query) => readImapUrl(url(query), 1),
    async deliver(raw, arrivedAt, mailbox = 'INBOX') {
      const c = await client();
      try {
        const appended = await c.append(mailbox, raw, [], arrivedAt);
        if (!appended) throw new Error('APPEND failed');
        return appended.uid ?? 0;
      } finally {
        await c.logout();
      }
    },
    async deliverMany(messages, mailbox = 'INBOX') {
      const c = await client();
      try {
        for (const m of messages) await c.append(mailbox, m.raw, [], m.arrivedAt);
      } finally {
        await c.logout();
      }
    },
    client,
    start,
    stop,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
