/**
 * Issue #11, finding 4: no log line carries a row's personal data (INTERPRETATION §9). The console
 * checks coordinates as the API does (400 naming the field, not a database error), and the logger
 * takes the database's details ("Failing row contains (…)", "Key (…)=(…)"), request bodies and
 * query values out of what it writes. Each test reads what the server would have logged.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { testEngines } from '../helpers/db.js';
import { apiAs, demo, potholeByPhone } from '../helpers/api.js';
import { consoleAs } from '../helpers/console.js';
import { buildApp } from '../../src/server.js';
import { fixedClock } from '../../src/platform/clock.js';
import { createLogger, scrubLogText, scrubUrl } from '../../src/platform/logger.js';
import type { Db } from '../../src/db/connect.js';

const personal = ['Quinn', 'Okafor', 'quinn.okafor@example.net', '705-555-0177', '7055550177'];

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter((l) => l !== ''));
      done();
    },
  });
  return { lines, logger: createLogger('info', stream) };
}

const assertNoPersonalData = (lines: string[]) => {
  assert.ok(lines.length > 0, 'something was logged');
  for (const line of lines) {
    for (const detail of personal) {
      const at = line.toLowerCase().indexOf(detail.toLowerCase());
      assert.ok(at < 0, `a log line carries "${detail}": …${line.slice(Math.max(0, at - 300), at + 100)}…`);
    }
  }
};

/** A row the database refuses (latitude 95), with the customer's details in it. */
const refusedRow = (db: Db) =>
  sql`insert into service_case (reference, kind, status, channel, division_id, customer_name, customer_email, customer_phone, description, summary, latitude, longitude, received_at, recorded_at, acknowledge_by)
      select 'GI-2026-999999', 'inquiry', 'open', 'phone', id, 'Quinn Okafor', 'quinn.okafor@example.net', '705-555-0177', 'Quinn Okafor asked', 'asked', 95, 0, now(), now(), now() from division limit 1`.execute(db.kysely);

for (const engine of testEngines()) {
  describe(`logs on ${engine.name} (issue #11 finding 4)`, () => {
    let db: Db;
    let app: FastifyInstance;
    const clock = fixedClock('2026-11-23T15:00:00Z');
    let log: ReturnType<typeof capture>;
    before(async () => {
      db = await engine.open({ seed: true });
      log = capture();
      app = await buildApp({ db, clock, logger: log.logger });
      // A route that meets the database's refusal, as an unexpected bug would: the real error handler and access log.
      app.post('/test-only/refused-row', async () => {
        await refusedRow(db);
        return {};
      });
    });
    after(async () => {
      await app.close();
      await db.close();
    });

    test('finding 4: console intake with latitude 95 is a 400 naming the field, as in the API, and nothing personal is logged', async () => {
      const rep = await consoleAs({ app, db, clock }, demo.csRep);
      log.lines.length = 0;
      const form = {
        kind: 'service_request',
        requestType: 'pothole',
        channel: 'phone',
        'attribute[road_class]': '3',
        'location[address]': '50 Kent St. W., Lindsay',
        'location[latitude]': '95',
        'location[longitude]': '-78.74',
        'customer[name]': 'Quinn Okafor',
        'customer[email]': 'quinn.okafor@example.net',
        'customer[phone]': '705-555-0177',
        description: 'Pothole reported by Quinn Okafor.',
        summary: 'Pothole on Kent St.',
        summaryConfirmed: 'yes',
        idempotencyKey: 'log-privacy-1',
      };
      for (const url of ['/staff/intake/check', '/staff/intake']) {
        const response = await rep.post(url, form);
        assert.equal(response.status, 400, `${url}: ${response.status}`);
        assert.match(response.body, /The latitude must be a number between -90 and 90/);
        assert.match(response.body, /href="#f-location-latitude-"/, "the error summary links to the latitude field");
      }
      const count = await db.kysely.selectFrom('service_case').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(count.n), 0, 'nothing half-written');
      assertNoPersonalData(log.lines);
      // The API says the same.
      const api = await (await apiAs({ app, db, clock }, demo.csRep)).post('/api/v1/cases', potholeByPhone({ location: { latitude: 95, longitude: -78.74 } }));
      assert.equal(api.status, 400);
      assert.match(JSON.stringify(api.body), /location\.latitude/);
    });

    test('finding 4: a database error\u2019s row ("Failing row contains") never reaches the log, through the error handler or logged directly', async () => {
      // The database really puts the row in the error: the test is about something real.
      const error = await refusedRow(db).then(
        () => assert.fail('the row was stored'),
        (e: unknown) => e as Error & { detail?: string },
      );
      assert.match(`${error.message} ${error.detail ?? ''}`, /Quinn Okafor/, 'the database error carries the row');

      log.lines.length = 0;
      const response = await app.inject({ method: 'POST', url: '/test-only/refused-row?q=Quinn+Okafor', payload: { name: 'Quinn Okafor', email: 'quinn.okafor@example.net', phone: '705-555-0177' } });
      assert.equal(response.statusCode, 500);
      assert.doesNotMatch(response.body, /Quinn|Failing row/);
      assertNoPersonalData(log.lines);
      const errored = log.lines.map((l) => JSON.parse(l)).find((l) => l.err);
      assert.ok(errored, `the error is logged: ${log.lines.join('\n')}`);
      assert.match(JSON.stringify(errored.err), /check constraint|violates/, 'the log still says what went wrong');
      assert.equal(errored.req?.url ?? '/test-only/refused-row?q=[removed]', '/test-only/refused-row?q=[removed]');

      log.lines.length = 0;
      log.logger.error({ err: error }, 'direct');
      log.logger.error({ err: new Error('wrapped', { cause: error }) }, 'wrapped');
      assertNoPersonalData(log.lines);
    });

    test('finding 4: query values are not logged (a search for a name is personal)', async () => {
      const rep = await consoleAs({ app, db, clock }, demo.csRep);
      log.lines.length = 0;
      await rep.get('/staff/search?q=Quinn%20Okafor');
      assertNoPersonalData(log.lines);
    });
  });
}

test('finding 4: the scrubbing of database words, as a table', () => {
  assert.equal(scrubLogText('new row for relation "service_case" violates check constraint "x"'), 'new row for relation "service_case" violates check constraint "x"');
  assert.equal(scrubLogText('Failing row contains (1, Quinn Okafor, q@example.net).'), 'Failing row contains [removed].');
  assert.equal(scrubLogText('Key (email)=(quinn.okafor@example.net) already exists.'), 'Key (email)=[removed] already exists.');
  assert.equal(scrubLogText('invalid input syntax for type integer: "Quinn Okafor"'), 'invalid input syntax for type integer: [removed]');
  assert.equal(scrubLogText('call 705-555-0177'), 'call [removed]');
  assert.equal(scrubUrl('/staff/search?q=Quinn&page=2'), '/staff/search?q=[removed]&page=[removed]');
  assert.equal(scrubUrl('/track/SR-2026-000001'), '/track/SR-2026-000001');
});
