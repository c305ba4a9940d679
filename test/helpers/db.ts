/**
 * Database tests run on PGlite always and, when DATABASE_URL is set, on PostgreSQL too. Each
 * opened database is new and empty: an in-memory PGlite, or a PostgreSQL database created for
 * the test and dropped after it.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Db } from '../../src/db/connect.js';
import { migrate } from '../../src/db/migrate.js';
import { seedMunicipality } from '../../src/directory/seed-municipality.js';
import { sampleConfig } from './factories.js';
import { hashPassword } from '../../src/platform/passwords.js';

// Every test database gets the same demo accounts: hash their password once per test process.
const hashes = new Map<string, Promise<string>>();
const hashOnce = (password: string): Promise<string> => {
  if (!hashes.has(password)) hashes.set(password, hashPassword(password));
  return hashes.get(password)!;
};

export interface TestEngine {
  name: 'pglite' | 'postgres';
  /** A new, migrated database; `seed` loads the sample municipality. */
  open(options?: { seed?: boolean; migrate?: boolean }): Promise<Db>;
}

export function testEngines(): TestEngine[] {
  const engines: TestEngine[] = [{ name: 'pglite', open: (o) => prepare(openDatabase({ dataDir: 'memory://' }), o) }];
  const url = process.env['DATABASE_URL'];
  if (url) engines.push({ name: 'postgres', open: (o) => prepare(openFreshPostgres(url), o) });
  return engines;
}

async function prepare(opening: Promise<Db>, options: { seed?: boolean; migrate?: boolean } = {}): Promise<Db> {
  const db = await opening;
  if (options.migrate !== false) await migrate(db);
  if (options.seed) await seedMunicipality({ db, config: sampleConfig(), now: new Date('2025-01-01T12:00:00Z'), hash: hashOnce });
  return db;
}

/** Creates a database named for this test on the server DATABASE_URL points at. */
export async function openFreshPostgres(url: string): Promise<Db & { url: string }> {
  const name = `citydesk_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: target.toString(), dataDir: 'unused' });
  return {
    ...db,
    url: target.toString(),
    async close() {
      await db.close();
      const cleanup = new pg.Client({ connectionString: url });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}
