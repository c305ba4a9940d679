import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Db } from './connect.js';

/** Any fixed number: the advisory lock that makes concurrent migrations take turns. */
const migrationLockKey = 72_657_001;
const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Migration {
  version: number;
  name: string;
  script: string;
}

/** The numbered SQL files in src/db/migrations, in order: 001_directory.sql, 002_… */
export function listMigrations(dir = migrationsDir): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 3)), name: f.replace(/\.sql$/, ''), script: readFileSync(join(dir, f), 'utf8') }));
}

/**
 * Applies the migrations not yet applied, each in its own transaction with its bookkeeping row.
 * On PostgreSQL an advisory lock makes concurrent starts of several copies take turns.
 */
export async function migrate(db: Db, migrations = listMigrations()): Promise<string[]> {
  const applied: string[] = [];
  await sql`create table if not exists schema_migration (
    version integer primary key,
    name text not null,
    applied_at timestamptz not null default now()
  )`.execute(db.kysely);
  for (const migration of migrations) {
    const ran = await db.kysely.transaction().execute(async (trx) => {
      if (db.engine === 'postgres') await sql`select pg_advisory_xact_lock(${migrationLockKey})`.execute(trx);
      const done = await trx.selectFrom('schema_migration').select('version').where('version', '=', migration.version).executeTakeFirst();
      if (done) return false;
      try {
        await db.runScript(trx, migration.script);
      } catch (error) {
        throw new Error(`Migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
      }
      await trx.insertInto('schema_migration').values({ version: migration.version, name: migration.name }).execute();
      return true;
    });
    if (ran) applied.push(migration.name);
  }
  return applied;
}
