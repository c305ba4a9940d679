import { resolve } from 'node:path';
import { AppError } from './errors.js';

/**
 * The process settings, read from the environment once at start-up. Each setting is documented
 * here and in the README; a bad value stops citydesk with one line naming the setting and saying
 * what to write instead.
 */
export interface Settings {
  /** PORT: the HTTP port (default 3000). */
  port: number;
  /** HOST: the address to listen on (default localhost; 0.0.0.0 to accept outside connections). */
  host: string;
  /** DATABASE_URL: a PostgreSQL URL. Absent: the embedded database (PGlite) in dataDir. */
  databaseUrl: string | undefined;
  /** CITYDESK_DATA_DIR: the embedded database's folder (default ./data). */
  dataDir: string;
  /** CITYDESK_CONFIG_DIR: the municipality's configuration files (default ./config). */
  configDir: string;
  /** SMTP_URL: smtp:// or smtps:// server for outgoing mail. Absent: mail stays in the outbox. */
  smtpUrl: string | undefined;
  /** LOG_LEVEL: fatal, error, warn, info (default), debug, trace or silent. */
  logLevel: string;
  /**
   * TRUST_PROXY: behind a reverse proxy, which proxies' X-Forwarded-For to believe, so rate limits
   * count each client rather than the proxy: `true` (any), a number of hops, or a comma-separated
   * list of addresses or CIDR ranges. Default: none (the connection's own address counts).
   */
  trustProxy: boolean | number | string[];
  /**
   * IMAP_URL: the City's inquiries mailbox, read for new e-mail contacts and replies:
   * `imaps://user:password@host:993/INBOX` (TLS), `imap://…:143/…` (STARTTLS when the server offers
   * it), `?auth=oauth2` to send the password part as an OAuth2 access token, `?move=Taken` to move
   * each taken message to that folder instead of flagging it. Absent: nothing is read, and mail is
   * entered by hand. IMAP_POLL_SECONDS: how often to look (default 60).
   */
  imap: ImapSettings | undefined;
  /**
   * PUBLIC_URL: the portal's address as residents reach it, for links in e-mails (survey links).
   * Default: http://localhost:<PORT>.
   */
  publicUrl: string;
  /**
   * SURVEY_LINK_SECRET: the key that signs survey links (at least 32 characters). Absent: a random
   * key made once and kept in the database, shared by every copy of citydesk on it. Changing it
   * makes the links already sent stop working.
   */
  surveyLinkSecret: string | undefined;
  /**
   * CHROMIUM_PATH: the Chromium that prints reports to PDF (CSS §6.3), driven by playwright-core.
   * Default /usr/bin/chromium (Debian's `chromium` package); citydesk never downloads a browser.
   * Without it, the PDF export says so and every other format still works.
   */
  chromiumPath: string;
}

/** Debian's Chromium package puts the browser here. */
export const defaultChromiumPath = '/usr/bin/chromium';

export interface ImapSettings {
  host: string;
  port: number;
  /** TLS from the start (imaps); otherwise STARTTLS when offered. */
  secure: boolean;
  user: string;
  /** The password, or with `auth=oauth2` the OAuth2 access token. */
  secret: string;
  auth: 'password' | 'oauth2';
  mailbox: string;
  /** The folder taken messages are moved to; absent: they are flagged and stay where they are. */
  moveTo: string | undefined;
  pollSeconds: number;
  /** For messages and logs: the URL without its secret. */
  display: string;
}

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function bad(name: string, value: string, fix: string): AppError {
  return new AppError('CONFIG_INVALID', `Setting ${name}=${JSON.stringify(value)} is not valid: ${fix}`, [
    { field: name, message: fix },
  ]);
}

function present(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const portText = present(env, 'PORT') ?? '3000';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
    throw bad('PORT', portText, 'use a whole number from 1 to 65535, e.g. PORT=3000.');
  }

  const host = present(env, 'HOST') ?? 'localhost';
  if (/\s|\//.test(host)) throw bad('HOST', host, 'use a host name or IP address, e.g. HOST=0.0.0.0.');

  const databaseUrl = present(env, 'DATABASE_URL');
  if (databaseUrl !== undefined) checkDatabaseUrl(databaseUrl);

  const smtpUrl = present(env, 'SMTP_URL');
  if (smtpUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(smtpUrl);
    } catch {
      url = undefined;
    }
    if (!url || !['smtp:', 'smtps:'].includes(url.protocol) || url.hostname === '') {
      throw bad('SMTP_URL', redactUrl(smtpUrl), 'use smtp://user:password@host:587 or smtps://host:465.');
    }
  }

  const logLevel = present(env, 'LOG_LEVEL') ?? 'info';
  if (!logLevels.includes(logLevel)) throw bad('LOG_LEVEL', logLevel, `use one of ${logLevels.join(', ')}.`);

  const imapUrl = present(env, 'IMAP_URL');
  const pollText = present(env, 'IMAP_POLL_SECONDS') ?? '60';
  if (!/^\d{1,5}$/.test(pollText) || Number(pollText) < 1) throw bad('IMAP_POLL_SECONDS', pollText, 'use a whole number of seconds, e.g. IMAP_POLL_SECONDS=60.');
  const imap = imapUrl === undefined ? undefined : readImapUrl(imapUrl, Number(pollText));

  const publicUrl = (present(env, 'PUBLIC_URL') ?? `http://localhost:${port}`).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/\s]+(\/\S*)?$/.test(publicUrl)) throw bad('PUBLIC_URL', publicUrl, 'use the portal\'s address, e.g. PUBLIC_URL=https://service.example.ca.');
  const surveyLinkSecret = present(env, 'SURVEY_LINK_SECRET');
  if (surveyLinkSecret !== undefined && surveyLinkSecret.length < 32) {
    throw bad('SURVEY_LINK_SECRET', '*****', 'use at least 32 random characters, e.g. the output of `openssl rand -hex 32`.');
  }

  return {
    port,
    imap,
    publicUrl,
    surveyLinkSecret,
    chromiumPath: present(env, 'CHROMIUM_PATH') ?? defaultChromiumPath,
    host,
    trustProxy: readTrustProxy(present(env, 'TRUST_PROXY')),
    databaseUrl,
    dataDir: resolve(present(env, 'CITYDESK_DATA_DIR') ?? './data'),
    configDir: resolve(present(env, 'CITYDESK_CONFIG_DIR') ?? './config'),
    smtpUrl,
    logLevel,
  };
}

/** IMAP_URL, e.g. imaps://inquiries%40city.ca:secret@mail.city.ca/INBOX?move=Taken. */
export function readImapUrl(value: string, pollSeconds = 60): ImapSettings {
  const fix = 'use imaps://user:password@host:993/INBOX (add ?auth=oauth2 for an OAuth2 access token in place of the password, ?move=Folder to move taken mail).';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw bad('IMAP_URL', redactUrl(value), fix);
  }
  if (!['imap:', 'imaps:'].includes(url.protocol) || url.hostname === '' || url.username === '' || url.password === '') throw bad('IMAP_URL', redactUrl(value), fix);
  const secure = url.protocol === 'imaps:';
  const port = url.port === '' ? (secure ? 993 : 143) : Number(url.port);
  const auth = url.searchParams.get('auth') ?? 'password';
  if (auth !== 'password' && auth !== 'oauth2') throw bad('IMAP_URL', redactUrl(value), 'auth= takes password or oauth2.');
  const known = new Set(['auth', 'move']);
  const unknown = [...url.searchParams.keys()].find((k) => !known.has(k));
  if (unknown !== undefined) throw bad('IMAP_URL', redactUrl(value), `"${unknown}" is not an option; the options are auth= and move=.`);
  const path = decodeURIComponent(url.pathname.replace(/^\//, ''));
  const moveTo = url.searchParams.get('move')?.trim() || undefined;
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port,
    secure,
    user: decodeURIComponent(url.username),
    secret: decodeURIComponent(url.password),
    auth,
    mailbox: path === '' ? 'INBOX' : path,
    moveTo,
    pollSeconds,
    display: redactUrl(value),
  };
}

function readTrustProxy(value: string | undefined): boolean | number | string[] {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d{1,2}$/.test(value)) return Number(value);
  const entries = value.split(',').map((e) => e.trim()).filter((e) => e !== '');
  if (entries.length > 0 && entries.every((e) => /^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(e))) return entries;
  throw bad('TRUST_PROXY', value, 'use true, a number of proxy hops (e.g. 1), or addresses and CIDR ranges separated by commas (e.g. 10.0.0.0/8,127.0.0.1).');
}

function checkDatabaseUrl(value: string): void {
  const fix = 'use postgres://user:password@host:5432/database, or leave DATABASE_URL unset for the embedded database.';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw bad('DATABASE_URL', redactUrl(value), fix);
  }
  if (!['postgres:', 'postgresql:'].includes(url.protocol)) throw bad('DATABASE_URL', redactUrl(value), fix);
  if (url.hostname === '' && !url.searchParams.has('host')) throw bad('DATABASE_URL', redactUrl(value), fix);
  if (url.port !== '' && !(Number(url.port) >= 1 && Number(url.port) <= 65535)) {
    throw bad('DATABASE_URL', redactUrl(value), fix);
  }
}

/** A URL as it may appear in a message or log: never with its password. */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '*****';
    return url.toString();
  } catch {
    return value.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:*****@');
  }
}
