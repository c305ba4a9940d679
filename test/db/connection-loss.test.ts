/**
 * Connections that break (issue #11, finding 1), below the HTTP level: any error that says the
 * database went away maps to 503 DATABASE_UNAVAILABLE with a Retry-After, never 500; a connection
 * held by a transaction (as the sweeper's lock holder holds one for the whole sweep) or by a query
 * survives its backend being terminated without stopping the process, and the pool serves again
 * at once; /readyz says unavailable while the database cannot be reached.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { sql } from 'kysely';
import pg from 'pg';
import { openDatabase, type Db } from '../../src/db/connect.js';
import { AppError } from '../../src/platform/errors.js';
import { retryAfter, toAppError } from '../../src/platform/http-errors.js';
import { buildApp } from '../../src/server.js';
import { fixedClock } from '../../src/platform/clock.js';
import { openFreshPostgres } from '../helpers/db.js';
import { demo, potholeByPhone } from '../helpers/api.js';
import { sessionToken } from '../helpers/sessions.js';
import { sampleConfig } from '../helpers/factories.js';
import { migrate } from '../../src/db/migrate.js';
import { seedMunicipality } from '../../src/directory/seed-municipality.js';

const url = process.env['DATABASE_URL'];

describe('errors that say the database went away answer 503 DATABASE_UNAVAILABLE with Retry-After', () => {
  const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });
  const unavailable: [string, unknown][] = [
    ['a terminated backend (57P01)', withCode('57P01', 'terminating connection due to administrator command')],
    ['a crash shutdown (57P02)', withCode('57P02')],
    ['a server starting up (57P03)', withCode('57P03', 'the database system is starting up')],
    ['a connection exception (08006)', withCode('08006', 'connection failure')],
    ['too many connections (53300)', withCode('53300')],
    ['connection refused', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['connection reset', withCode('ECONNRESET', 'read ECONNRESET')],
    ['a connection that ended', new Error('Connection terminated unexpectedly')],
    ['a client broken earlier', new Error('Client has encountered a connection error and is not queryable')],
    ['no connection from the pool in time', new Error('timeout exceeded when trying to connect')],
    ['a wrapped cause', new Error('rollback failed', { cause: withCode('57P01') })],
  ];
  for (const [what, error] of unavailable) {
    test(what, () => {
      const mapped = toAppError(error);
      assert.equal(mapped.code, 'DATABASE_UNAVAILABLE');
      assert.equal(mapped.httpStatus, 503);
      assert.ok((retryAfter(mapped) ?? 0) > 0);
      assert.match(mapped.message, /try again/i);
    });
  }
  test('other database errors are not mistaken for an outage', () => {
    assert.equal(toAppError(withCode('23505', 'duplicate key value')).code, 'INTERNAL');
    assert.equal(toAppError(withCode('42P01', 'relation does not exist')).code, 'INTERNAL');
    assert.equal(retryAfter(new AppError('INTERNAL', 'x')), undefined);
  });
});

describe('connections whose backend is terminated on PostgreSQL', { skip: url ? false : 'DATABASE_URL is not set' }, () => {
  const terminate = async (db: Db & { url: string }): Promise<number> => {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const name = new URL(db.url).pathname.slice(1);
    const { rowCount } = await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`, [name]);
    await admin.end();
    return rowCount ?? 0;
  };

  test('a transaction held open (the sweeper lock holder) and an idle pool: the process stays up, the transaction fails as DATABASE_UNAVAILABLE, the next query succeeds', async (t) => {
    const db = await openFreshPostgres(url!);
    t.after(() => db.close());
    let lost = 0;
    // The same pool set-up as the server's, told of each lost connection.
    const watched = await openDatabase({ databaseUrl: db.url, dataDir: 'unused', onConnectionLost: () => (lost += 1) });
    t.after(() => watched.close());
    await sql`select 1`.execute(watched.kysely);
    let held!: () => void;
    const holding = new Promise<void>((resolve) => (held = resolve));
    const transaction = watched.kysely.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(4242)`.execute(trx);
      await holding; // idle inside the transaction, as the lock holder is while the batches run
      await sql`select 1`.execute(trx);
    });
    const outcome = transaction.then(
      () => 'committed',
      (error: unknown) => toAppError(error).code,
    );
    await new Promise((r) => setTimeout(r, 100));
    assert.ok((await terminate(db)) >= 1);
    await new Promise((r) => setTimeout(r, 300));
    held();
    assert.equal(await outcome, 'DATABASE_UNAVAILABLE');
    assert.ok(lost >= 1, 'the lost connection was reported');
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(watched.kysely);
    assert.equal(rows[0]!.one, 1, 'the pool connects anew by itself');
    // The lock went with the connection: another holder can take it.
    assert.equal((await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(4242) as locked`.execute(watched.kysely)).rows[0]!.locked, true);
  });

  test('/readyz answers 503 unavailable with Retry-After while the database cannot be reached, and ready when it can', async (t) => {
    const db = await openFreshPostgres(url!);
    t.after(() => db.close());
    const relay = await Relay.to(db.url);
    const served = await openDatabase({ databaseUrl: relay.url, dataDir: 'unused' });
    const app = await buildApp({ db: served, clock: fixedClock('2026-11-26T15:00:00Z') });
    t.after(async () => {
      await app.close();
      await served.close();
      await relay.close();
    });
    assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
    await relay.close();
    const down = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(down.statusCode, 503);
    assert.equal(down.json().status, 'unavailable');
    assert.equal(down.json().error.code, 'DATABASE_UNAVAILABLE');
    assert.ok(Number(down.headers['retry-after']) > 0);
    // An API call needing the database: 503 with the same code, not 500.
    const api = await app.inject({ method: 'GET', url: '/api/v1/cases/SR-2026-000001', headers: { authorization: `Bearer ${'x'.repeat(43)}` } });
    assert.equal(api.statusCode, 503, api.body);
    assert.equal(api.json().error.code, 'DATABASE_UNAVAILABLE');
    assert.ok(Number(api.headers['retry-after']) > 0);
    await relay.open();
    assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200, 'ready again without a restart');
  });

  test('a create whose connection breaks after it was sent is answered as it ended: 201 when it committed, 503 when it did not, never both', async (t) => {
    const db = await openFreshPostgres(url!);
    t.after(() => db.close());
    await migrate(db);
    await seedMunicipality({ db, config: sampleConfig(), now: new Date('2025-01-01T12:00:00Z') });
    const relay = await Relay.to(db.url);
    const served = await openDatabase({ databaseUrl: relay.url, dataDir: 'unused' });
    const clock = fixedClock('2026-11-26T15:00:00Z');
    const app = await buildApp({ db: served, clock });
    t.after(async () => {
      await app.close();
      await served.close();
      await relay.close();
    });
    const headers = { authorization: `Bearer ${await sessionToken({ db, clock }, demo.csRep)}` };
    const create = (summary: string) => app.inject({ method: 'POST', url: '/api/v1/cases', headers, payload: potholeByPhone({ summary }) });
    const stored = async (summary: string): Promise<string[]> =>
      (await sql<{ reference: string }>`select reference from service_case where summary = ${summary}`.execute(db.kysely)).rows.map((r) => r.reference);
    assert.equal((await create('A first pothole, to warm the connections up.')).statusCode, 201);
    // Connections open and idle in the pool, so no new one has to be made while bytes are lost.
    await Promise.all(Array.from({ length: 5 }, () => sql`select pg_sleep(0.05)`.execute(served.kysely)));

    // The statement reaches PostgreSQL and commits, but its answer is lost with the connection.
    relay.mode = 'drop-answers';
    const answered = create('Pothole whose answer was lost on the way.');
    await new Promise((r) => setTimeout(r, 500));
    relay.dropConnections();
    relay.mode = 'pass';
    const committed = await answered;
    assert.equal(committed.statusCode, 201, committed.body);
    assert.deepEqual(await stored('Pothole whose answer was lost on the way.'), [committed.json().case.reference]);

    // The statement never reaches PostgreSQL: the create is answered 503 and nothing is written.
    relay.mode = 'drop-requests';
    const refused = create('Pothole whose statement was lost on the way.');
    await new Promise((r) => setTimeout(r, 500));
    relay.dropConnections();
    relay.mode = 'pass';
    const notWritten = await refused;
    assert.equal(notWritten.statusCode, 503, notWritten.body);
    assert.equal(notWritten.json().error.code, 'DATABASE_UNAVAILABLE');
    assert.ok(Number(notWritten.headers['retry-after']) > 0);
    assert.deepEqual(await stored('Pothole whose statement was lost on the way.'), []);
    assert.equal((await create('A pothole after both.')).statusCode, 201);
  });
});

/** A TCP relay to PostgreSQL that the test can close, reopen, or make lose one direction's bytes. */
class Relay {
  mode: 'pass' | 'drop-answers' | 'drop-requests' = 'pass';
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private port = 0;

  private constructor(
    private readonly target: URL,
  ) {}

  static async to(databaseUrl: string): Promise<Relay> {
    const relay = new Relay(new URL(databaseUrl));
    await relay.open();
    return relay;
  }

  get url(): string {
    const through = new URL(this.target);
    through.hostname = '127.0.0.1';
    through.port = String(this.port);
    return through.toString();
  }

  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(Number(this.target.port || 5432), this.target.hostname);
      client.on('data', (chunk) => this.mode !== 'drop-requests' && upstream.write(chunk));
      upstream.on('data', (chunk) => this.mode !== 'drop-answers' && client.write(chunk));
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => {
          this.sockets.delete(socket);
          client.destroy();
          upstream.destroy();
        });
      }
    });
    await new Promise<void>((done) => server.listen(this.port, '127.0.0.1', () => done()));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  /** The database is gone: new connections are refused and open ones dropped. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    const closed = new Promise<void>((done) => (server ? server.close(() => done()) : done()));
    this.dropConnections();
    await closed;
  }
}
