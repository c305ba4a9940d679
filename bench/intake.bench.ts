import { benchApp, busyPercent, listenLocally, machineCpu, withSampleDatabase } from './throwaway-database.js';
import { loadInChild } from './load-in-child.js';
import { sql } from 'kysely';
import pg from 'pg';
import type { Db } from '../src/db/connect.js';
import { intakeColumns } from '../src/cases/intake-writer.js';
import { loadMunicipalityConfig } from '../src/directory/municipality-config.js';
import { redactUrl } from '../src/platform/config.js';

/**
 * Intake on PostgreSQL: creates per second and p50/p99 latency of POST /api/v1/cases by a signed-in
 * Customer Service representative (targets: at least 1,000 per second with p99 under 50 ms, and at
 * least 40% of the throughput of a plain INSERT of the same service_case row through pg with a pool
 * of the same size at the same concurrency).
 *
 * The server runs in this process (buildApp, app.listen on 127.0.0.1, port 0, logging at `info` to
 * /dev/null as `npm start` logs to standard output); autocannon runs in a child process so that on a
 * 2-core machine the load generator does not share the server's event loop. Each run gets a fresh
 * database on the server DATABASE_URL points at, dropped afterwards.
 */

const connections = 10;
const poolSize = 10;
const warmupSeconds = 3;
const measureSeconds = 10;
const csRep = 'cs.rep@kawarthalakes.example';

/** The body of a phone report of a pothole (as test/helpers/api.ts potholeByPhone() builds it). */
const potholeByPhone = {
  kind: 'service_request',
  channel: 'phone',
  requestType: 'pothole',
  customer: { name: 'Dana Resident', email: 'dana@example.org', phone: '705-555-0142', preferredContact: 'email' },
  description: 'Deep pothole in the eastbound lane, about a metre from the curb.',
  summary: 'Pothole on Kent St. W. near Victoria Ave., eastbound lane.',
  summaryConfirmed: true,
  location: { address: '50 Kent St. W., Lindsay' },
  attributes: { road_class: '3' },
};

/** The service_case columns a create writes: the reference and what intake-writer.ts writes. */
const caseColumns: readonly string[] = ['reference', ...intakeColumns];

interface Figures {
  perSecond: number;
  p50: number;
  p99: number;
  count: number;
}

export async function benchIntake(): Promise<boolean> {
  return withSampleDatabase(async (db, databaseUrl) => {
    console.log(`database: ${redactUrl(databaseUrl)} (fresh, dropped after), app pool ${poolSize}, ${connections} connections, warm-up ${warmupSeconds} s, measured ${measureSeconds} s`);

    const http = await measureHttp(db, loadMunicipalityConfig('config').staff.demoPassword ?? 'citydesk-demo-2025');
    if (!http) return false;
    const plain = await measurePlainInsert(db, databaseUrl);

    const ratio = http.perSecond / plain.perSecond;
    const row = (label: string, f: Figures): string =>
      `${label.padEnd(30)} ${Math.round(f.perSecond).toLocaleString('en-CA').padStart(7)}/s   p50 ${f.p50.toFixed(1).padStart(5)} ms   p99 ${f.p99.toFixed(1).padStart(5)} ms   (${f.count.toLocaleString('en-CA')} in ${measureSeconds} s)`;
    console.log(row('POST /api/v1/cases (HTTP)', http));
    console.log(row('plain INSERT service_case (pg)', plain));
    console.log(`HTTP creates / plain inserts: ${(ratio * 100).toFixed(1)}%`);

    const fastEnough = http.perSecond >= 1_000;
    const quickEnough = http.p99 < 50;
    const closeEnough = ratio >= 0.4;
    console.log(`target: at least 1,000 creates per second: ${fastEnough ? 'met' : 'NOT met'} (${Math.round(http.perSecond).toLocaleString('en-CA')}/s)`);
    console.log(`target: p99 under 50 ms: ${quickEnough ? 'met' : 'NOT met'} (${http.p99.toFixed(1)} ms)`);
    console.log(`target: at least 40% of the plain INSERT's throughput: ${closeEnough ? 'met' : 'NOT met'} (${(ratio * 100).toFixed(1)}%)`);
    return fastEnough && quickEnough && closeEnough;
  }, poolSize);
}

/** POST /api/v1/cases over HTTP against the in-process server, the load from a child process. */
async function measureHttp(db: Db, password: string): Promise<Figures | undefined> {
  const app = await benchApp(db);
  try {
    const base = await listenLocally(app);
    const signIn = await fetch(`${base}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: csRep, password }),
    });
    if (signIn.status !== 200) throw new Error(`could not sign in as ${csRep}: ${signIn.status} ${await signIn.text()}`);
    const { token } = (await signIn.json()) as { token: string };
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const body = JSON.stringify(potholeByPhone);
    const check = await fetch(`${base}/api/v1/cases`, { method: 'POST', headers, body });
    if (check.status !== 201) throw new Error(`a create answered ${check.status}: ${await check.text()}`);

    const before = await countRows(db);
    let cpuAtStart = process.cpuUsage();
    let machineAtStart = machineCpu();
    const options = { url: `${base}/api/v1/cases`, method: 'POST' as const, headers, body, connections, warmupSeconds, measureSeconds };
    let lastBefore = before;
    const result = await loadInChild(options, () => {
      cpuAtStart = process.cpuUsage();
      machineAtStart = machineCpu();
      void countRows(db).then((n) => (lastBefore = n));
    });
    const cpu = process.cpuUsage(cpuAtStart);
    const machineBusy = busyPercent(machineAtStart);
    const after = await countRows(db);

    const ok = result['2xx'];
    const figures: Figures = { perSecond: ok / result.duration, p50: result.latency.p50, p99: result.latency.p99, count: ok };
    const cpuMs = (cpu.user + cpu.system) / 1000;
    console.log(
      `HTTP: ${ok.toLocaleString('en-CA')} created, ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts; ` +
        `server process CPU ${(cpuMs / 1000 / result.duration * 100).toFixed(0)}% of a core, ${(cpuMs / Math.max(ok, 1)).toFixed(2)} ms per create; ` +
        `machine CPU busy ${machineBusy} (all processes, all cores); ` +
        `rows written while measured: ${after.cases - lastBefore.cases} cases, ${after.events - lastBefore.events} events, ${after.messages - lastBefore.messages} messages, ${after.outbox - lastBefore.outbox} outbox`,
    );
    if (result.non2xx > 0 || result.errors > 0) {
      console.log(`status codes: ${JSON.stringify(result.statusCodeStats)}: the creates did not all succeed; figures are not valid.`);
      return undefined;
    }
    return figures;
  } finally {
    await app.close();
  }
}

async function countRows(db: Db): Promise<{ cases: number; events: number; messages: number; outbox: number }> {
  const { rows } = await sql<{ cases: number; events: number; messages: number; outbox: number }>`
    select (select count(*) from service_case)::int as cases, (select count(*) from case_event)::int as events,
           (select count(*) from case_message)::int as messages, (select count(*) from outbox)::int as outbox`.execute(db.kysely);
  return rows[0]!;
}

/**
 * The baseline: the service_case row a create writes (copied from one the HTTP run created, with a
 * new reference each time), inserted by `connections` workers through a pg pool of the same size.
 * The columns are those create-case.ts writes, plus any other column the created row has a value
 * in (a column a later migration adds and a create fills, e.g. next_check_at), never id or version.
 */
async function measurePlainInsert(db: Db, databaseUrl: string): Promise<Figures> {
  const { rows } = await sql<Record<string, unknown>>`select * from service_case order by id limit 1`.execute(db.kysely);
  const template = rows[0]!;
  const extra = Object.keys(template).filter((c) => !caseColumns.includes(c) && !['id', 'version'].includes(c) && template[c] !== null);
  const columns = [...caseColumns, ...extra];
  const values = columns.map((column) => {
    const value = template[column];
    return value !== null && typeof value === 'object' && !(value instanceof Date) ? JSON.stringify(value) : value;
  });
  const text = `insert into service_case (${columns.join(', ')}) values (${columns.map((_, i) => `$${i + 1}`).join(', ')})`;
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
  // A connection that ends (the database dropped at the end, a restart) is the query's error to
  // report, not an 'error' event that stops the bench.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  let serial = 0;
  let lastMachineBusy = '';
  const run = async (seconds: number): Promise<Figures> => {
    const latencies: number[] = [];
    const machineAtStart = machineCpu();
    const start = process.hrtime.bigint();
    const end = start + BigInt(seconds * 1e9);
    const worker = async (): Promise<void> => {
      while (process.hrtime.bigint() < end) {
        serial += 1;
        const began = process.hrtime.bigint();
        await pool.query(text, [`SR-9999-${String(serial).padStart(7, '0')}`, ...values.slice(1)]);
        const done = process.hrtime.bigint();
        if (done <= end) latencies.push(Number(done - began) / 1e6);
      }
    };
    await Promise.all(Array.from({ length: connections }, worker));
    lastMachineBusy = busyPercent(machineAtStart);
    latencies.sort((a, b) => a - b);
    const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)] ?? Number.NaN;
    return { perSecond: latencies.length / seconds, p50: at(0.5), p99: at(0.99), count: latencies.length };
  };
  try {
    await run(warmupSeconds);
    const figures = await run(measureSeconds);
    console.log(`plain INSERT of ${columns.length} columns${extra.length > 0 ? ` (with ${extra.join(', ')})` : ''}: ${figures.count.toLocaleString('en-CA')} rows; machine CPU busy ${lastMachineBusy} (all processes, all cores)`);
    return figures;
  } finally {
    await pool.end();
  }
}
