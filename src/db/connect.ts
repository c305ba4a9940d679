import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Kysely, PostgresDialect, sql, type CompiledQuery, type Transaction } from 'kysely';
import pg from 'pg';
import { AppError } from '../platform/errors.js';
import { redactUrl } from '../platform/config.js';
import { databaseUnavailable } from '../platform/http-errors.js';
import { lockEmbeddedDatabase } from './embedded-lock.js';
import { PGliteDialect } from './pglite-dialect.js';
import type { Database } from './schema.js';

export type Engine = 'postgres' | 'pglite';

/** An open database: the Kysely handle and what citydesk needs to know about the engine. */
export interface Db {
  kysely: Kysely<Database>;
  engine: Engine;
  /**
   * Runs a statement of a hot path (sign-in checks, intake) outside any transaction. On
   * PostgreSQL it is a named prepared statement, parsed and planned once per connection rather
   * than on every call; on the embedded database it runs as any other.
   */
  executePrepared<R>(query: CompiledQuery<R>): Promise<{ rows: R[] }>;
  /** Runs a multi-statement SQL script inside a transaction the caller holds (migrations). */
  runScript(trx: Transaction<Database>, script: string): Promise<void>;
  /**
   * PostgreSQL only (undefined on the embedded database): one connection held for `fn`, as a
   * Kysely handle of its own and a `copyIn` that streams rows in by `COPY … from stdin` on that
   * same connection, inside the transaction open on it (bulk loads such as `citydesk import`).
   */
  withCopyConnection?<T>(fn: (connection: CopyConnection) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface CopyConnection {
  kysely: Kysely<Database>;
  /** `statement` is a `copy … from stdin` (text format); `chunks` its data, written with backpressure. */
  copyIn(statement: string, chunks: Iterable<string> | AsyncIterable<string>): Promise<void>;
}

export type Tx = Kysely<Database> | Transaction<Database>;

/** A query compiled once, with other values for its parameters. */
export function withParameters<R>(query: CompiledQuery<R>, parameters: readonly unknown[]): CompiledQuery<R> {
  return { ...query, parameters };
}

const DATE_OID = 1082;
const INT8_OID = 20;
const NUMERIC_OID = 1700;

export interface OpenOptions {
  databaseUrl?: string | undefined;
  /** The embedded database's folder; `memory://` keeps it in memory (tests). */
  dataDir: string;
  /** Who holds the embedded database, for the message another process gets. */
  purpose?: string;
  poolSize?: number;
  /** Told when a PostgreSQL connection breaks (the server logs it); citydesk carries on either way. */
  onConnectionLost?: (error: Error) => void;
}

export async function openDatabase(options: OpenOptions): Promise<Db> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options.poolSize, options.onConnectionLost) : openEmbedded(options.dataDir, options.purpose ?? 'citydesk');
}

async function openPostgres(url: string, poolSize = 10, onConnectionLost?: (error: Error) => void): Promise<Db> {
  const types = {
    getTypeParser: ((oid: number, format?: string) => {
      if (oid === DATE_OID) return (value: string) => value;
      if (oid === INT8_OID) return (value: string) => Number(value);
      return pg.types.getTypeParser(oid, format as 'text');
    }) as typeof pg.types.getTypeParser,
  };
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types, connectionTimeoutMillis: 10_000 });
  // A connection can end at any moment (PostgreSQL restarted, a backend terminated, the network
  // cut), and `pg` reports it as an 'error' event on the client, checked out or idle: unheard, that
  // event would stop the process. Each client hears it here for its whole life; the query it was
  // running (if any) fails with the error and the request answers 503 (src/platform/http-errors.ts);
  // a broken client is dropped when it is released, and the pool connects anew when asked.
  const connectionLost = (error: Error): void => {
    onConnectionLost?.(error);
  };
  pool.on('connect', (client) => client.on('error', connectionLost));
  pool.on('error', () => {
    // An idle client lost its connection: the pool has dropped it (and its own listener above was told).
  });
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new AppError('DATABASE_UNAVAILABLE', `Cannot connect to PostgreSQL at ${redactUrl(url)} (DATABASE_URL): ${describeConnectionError(error)}`, [], { cause: error });
  }
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  // A statement's name is its text's hash and a generation, moved on when PostgreSQL refuses a
  // prepared statement whose result a migration changed under a running server
  // (feature_not_supported, "cached plan must not change result type", e.g. a `select *`).
  let generation = 0;
  const names = new Map<string, string>();
  const statementName = (text: string): string => {
    let name = names.get(text);
    if (name === undefined) {
      name = `citydesk_${generation}_${createHash('sha1').update(text).digest('hex')}`;
      names.set(text, name);
    }
    return name;
  };
  return {
    kysely,
    engine: 'postgres',
    async executePrepared<R>(query: CompiledQuery<R>) {
      // No connection to be had: the statement was never sent (an AppError says so to the caller).
      const client = await pool.connect().catch((error: unknown) => {
        throw databaseUnavailable(error);
      });
      try {
        const run = () => client.query<R & pg.QueryResultRow>({ name: statementName(query.sql), text: query.sql, values: [...query.parameters] });
        try {
          return { rows: (await run()).rows };
        } catch (error) {
          if ((error as { code?: string }).code !== '0A000') throw error;
          generation += 1;
          names.clear();
          return { rows: (await run()).rows };
        }
      } finally {
        client.release();
      }
    },
    async runScript(trx, script) {
      // With no parameters, pg sends the script as one simple query: many statements are fine.
      await sql.raw(script).execute(trx);
    },
    async withCopyConnection(fn) {
      const client = await pool.connect().catch((error: unknown) => {
        throw databaseUnavailable(error);
      });
      // Kysely on this one connection: its "pool" hands out the held client and never releases it.
      const held = { query: client.query.bind(client), release: () => undefined } as unknown as pg.PoolClient;
      const single = new Kysely<Database>({ dialect: new PostgresDialect({ pool: { connect: async () => held, end: async () => undefined } }) });
      let failed: unknown;
      try {
        return await fn({
          kysely: single,
          async copyIn(statement, chunks) {
            // Loaded on first use: only bulk loads need it.
            const { from: copyFrom } = await import('pg-copy-streams');
            await pipeline(chunks, client.query(copyFrom(statement)));
          },
        });
      } catch (error) {
        failed = error;
        throw error;
      } finally {
        await single.destroy();
        // A connection that failed mid-COPY may be in any state: drop it rather than reuse it.
        client.release(failed instanceof Error ? failed : undefined);
      }
    },
    close: () => kysely.destroy(),
  };
}

async function openEmbedded(dataDir: string, purpose: string): Promise<Db> {
  const inMemory = dataDir.startsWith('memory://');
  const release = inMemory ? () => undefined : lockEmbeddedDatabase(dataDir, purpose);
  let pglite: PGlite;
  try {
    // Loaded only when the embedded database is used: a PostgreSQL process never holds it.
    const { PGlite } = await import('@electric-sql/pglite');
    pglite = await PGlite.create(inMemory ? dataDir : join(dataDir, 'pglite'), {
      parsers: { [DATE_OID]: (value: string) => value, [NUMERIC_OID]: (value: string) => value },
    });
  } catch (error) {
    release();
    throw new AppError('DATABASE_UNAVAILABLE', `Cannot open the embedded database in ${dataDir}: ${(error as Error).message}`, [], { cause: error });
  }
  const kysely = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return {
    kysely,
    engine: 'pglite',
    async executePrepared<R>(query: CompiledQuery<R>) {
      return { rows: (await kysely.executeQuery(query)).rows };
    },
    async runScript(_trx, script) {
      // PGlite's extended protocol takes one statement; exec takes a script. The caller's
      // transaction holds PGlite's only connection, so this runs inside it.
      await pglite.exec(script);
    },
    async close() {
      try {
        await kysely.destroy();
      } finally {
        release();
      }
    },
  };
}

function describeConnectionError(error: unknown): string {
  const e = error as NodeJS.ErrnoException & { code?: string };
  switch (e.code) {
    case 'ECONNREFUSED':
      return 'connection refused. Is PostgreSQL running, and are the host and port right?';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name was not found. Check the host in DATABASE_URL.';
    case '3D000':
      return `${e.message}. Create it (createdb) or fix the database name.`;
    case '28P01':
    case '28000':
      return `${e.message}. Check the user and password.`;
    default:
      return e.message || String(error);
  }
}
