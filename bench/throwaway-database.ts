import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { pino } from 'pino';
import { openDatabase, type Db } from '../src/db/connect.js';
import { migrate } from '../src/db/migrate.js';
import { loadMunicipalityConfig } from '../src/directory/municipality-config.js';
import { seedMunicipality } from '../src/directory/seed-municipality.js';
import { systemClock } from '../src/platform/clock.js';
import { redactUrl } from '../src/platform/config.js';
import { loggerOptions } from '../src/platform/logger.js';
import { buildApp } from '../src/server.js';

/** What the PostgreSQL benchmarks share: a database made for the run, and how busy the machine is. */

const defaultUrl = 'postgres://postgres@127.0.0.1:5432/test';

/** CPU time of the whole machine (every process), to tell how busy it was while measuring. */
export function machineCpu(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    busy += times.user + times.nice + times.sys + times.irq;
    total += times.user + times.nice + times.sys + times.irq + times.idle;
  }
  return { busy, total };
}

export const busyPercent = (from: { busy: number; total: number }): string => {
  const to = machineCpu();
  return `${(((to.busy - from.busy) / Math.max(to.total - from.total, 1)) * 100).toFixed(0)}%`;
};

/**
 * Runs a benchmark on a new database on the server DATABASE_URL points at (default: the local
 * PostgreSQL), dropped afterwards. Skips, met, when the server cannot be reached.
 */
export async function withThrowawayDatabase(run: (databaseUrl: string) => Promise<boolean>): Promise<boolean> {
  const url = process.env['DATABASE_URL'] || defaultUrl;
  const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  admin.on('error', () => undefined); // a lost connection fails the query in flight; it must not stop the bench
  try {
    await admin.connect();
  } catch (error) {
    console.log(`skipped: PostgreSQL is not reachable at ${redactUrl(url)} (${(error as Error).message || String(error)}).`);
    console.log('Start PostgreSQL or set DATABASE_URL to a server where this user may create databases.');
    await admin.end().catch(() => undefined);
    return true;
  }
  // Other work on the machine skews every figure: say how busy it was before we began.
  const idleCheck = machineCpu();
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  console.log(`machine CPU busy before the run (other processes): ${busyPercent(idleCheck)}`);
  const name = `citydesk_bench_${process.pid}_${randomBytes(4).toString('hex')}`;
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const target = new URL(url);
  target.pathname = `/${name}`;
  try {
    return await run(target.toString());
  } finally {
    const cleanup = new pg.Client({ connectionString: url });
    cleanup.on('error', () => undefined);
    await cleanup.connect();
    await cleanup.query(`drop database if exists ${name} with (force)`);
    await cleanup.end();
  }
}

/**
 * A throwaway database (as withThrowawayDatabase), opened with a pool of `poolSize`, migrated and
 * seeded with the sample municipality in `config/`; closed before it is dropped.
 */
export function withSampleDatabase(run: (db: Db, databaseUrl: string) => Promise<boolean>, poolSize = 10): Promise<boolean> {
  return withThrowawayDatabase(async (databaseUrl) => {
    const db = await openDatabase({ databaseUrl, dataDir: 'unused', poolSize });
    try {
      await migrate(db);
      await seedMunicipality({ db, config: loadMunicipalityConfig('config'), now: systemClock.now() });
      return await run(db, databaseUrl);
    } finally {
      await db.close().catch(() => undefined);
    }
  });
}

/** The app as `npm start` builds it: the system clock, logging at `info` (to /dev/null here). */
export function benchApp(db: Db): Promise<FastifyInstance> {
  return buildApp({ db, clock: systemClock, logger: pino(loggerOptions('info'), pino.destination('/dev/null')) });
}

/** Listens on 127.0.0.1 on a free port; the base URL to reach it. */
export async function listenLocally(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the server has no TCP address');
  return `http://127.0.0.1:${address.port}`;
}
