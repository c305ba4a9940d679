import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { citydesk, cliEnv, startServer, stopped } from './helpers/cli.js';
import { configCopy } from './helpers/config-dir.js';

const oneLine = (text: string): void => {
  assert.equal(text.trim().split('\n').length, 1, `expected one line, got:\n${text}`);
};

describe('citydesk due and closures give the interpretation’s answers (INTERPRETATION §1)', () => {
  const env = cliEnv();
  before(async () => {
    const seeded = await citydesk(['seed'], env);
    assert.equal(seeded.code, 0, seeded.stderr);
    assert.match(seeded.stdout, /Loaded City of Kawartha Lakes: 6 departments, 9 divisions, 12 request types/);
  });

  const dueCases: [string, string[], Record<string, string | null>][] = [
    [
      'a pothole on a class 3 road received Friday at 16:45',
      ['--received', '2026-11-27T16:45:00-05:00', '--type', 'pothole', '--attr', 'road_class=3'],
      { receivedAt: '2026-11-27T16:45:00-05:00', receiptBusinessDay: '2026-11-30', acknowledgeBy: '2026-12-02T16:30:00-05:00', resolveBy: '2026-12-04T16:45:00-05:00' },
    ],
    [
      'a pothole on a class 2 road received at 16:30 exactly, local time without an offset',
      ['--received', '2026-11-26T16:30', '--type', 'pothole', '--attr', 'road_class=2'],
      { receivedAt: '2026-11-26T16:30:00-05:00', receiptBusinessDay: '2026-11-27', acknowledgeBy: '2026-12-01T16:30:00-05:00', resolveBy: '2026-11-30T16:30:00-05:00' },
    ],
    [
      'an inquiry received on Christmas Eve 2027 after closing',
      ['--received', '2027-12-24T17:00:00-05:00', '--inquiry'],
      { receivedAt: '2027-12-24T17:00:00-05:00', receiptBusinessDay: '2027-12-29', acknowledgeBy: '2028-01-04T16:30:00-05:00', resolveBy: null },
    ],
    [
      'a water main break on the night the clocks go forward',
      ['--received', '2026-03-08T01:30:00-05:00', '--type', 'water-main'],
      { receivedAt: '2026-03-08T01:30:00-05:00', receiptBusinessDay: '2026-03-09', acknowledgeBy: '2026-03-08T03:30:00-04:00', resolveBy: '2026-03-09T02:30:00-04:00' },
    ],
    [
      'a road sign received in UTC during the fall clock-change week',
      ['--received', '2026-10-30T14:00:00Z', '--type', 'road-sign'],
      { receivedAt: '2026-10-30T10:00:00-04:00', receiptBusinessDay: '2026-10-30', acknowledgeBy: '2026-11-02T16:30:00-05:00', resolveBy: '2026-11-13T16:30:00-05:00' },
    ],
  ];
  for (const [name, args, expected] of dueCases) {
    test(`due --json: ${name}`, async () => {
      const result = await citydesk(['due', ...args, '--json'], env);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(JSON.parse(result.stdout), expected);
    });
  }

  test('due without --json explains the targets in words', async () => {
    const result = await citydesk(['due', '--received', '2026-11-23T10:00', '--type', 'pothole', '--attr', 'road_class=5'], env);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Pothole \(Roads Operations\), DST version 1 effective 2025-01-01, road_class 5: acknowledge within 2 business days, resolve within 30 calendar days/);
    assert.match(result.stdout, /Resolve by: +Wednesday 23 December 2026, 10:00/);
  });

  test('closures --year 2026 --json lists the closure days with the observed Boxing Day', async () => {
    const result = await citydesk(['closures', '--year', '2026', '--json'], env);
    assert.equal(result.code, 0, result.stderr);
    const days = JSON.parse(result.stdout) as { date: string; name: string }[];
    assert.equal(days.length, 10);
    assert.deepEqual(days.at(-1), { date: '2026-12-28', name: 'Boxing Day (observed)' });
    assert.deepEqual(days[0], { date: '2026-01-01', name: "New Year's Day" });
  });

  test('bad arguments get one line that says what to write', async () => {
    for (const args of [
      ['due', '--received', 'yesterday', '--inquiry'],
      ['due', '--received', '2026-11-26T10:00', '--type', 'pot-hole'],
      ['due', '--received', '2026-11-26T10:00', '--type', 'pothole', '--attr', 'road_class=9'],
      ['due', '--received', '2026-11-26T10:00'],
      ['closures', '--year', '26'],
    ]) {
      const result = await citydesk(args, env);
      assert.equal(result.code, 1, args.join(' '));
      oneLine(result.stderr);
      assert.match(result.stderr, /^citydesk: /);
    }
  });

  test('apikey create prints a key once, as JSON with --json', async () => {
    const result = await citydesk(['apikey', 'create', 'SeeClickFix', '--json'], env);
    assert.equal(result.code, 0, result.stderr);
    assert.match(JSON.parse(result.stdout).key, /^cdk_/);
  });

  test('user create makes a staff account; a weak password or a wrong division is refused in one line', async () => {
    const ok = await citydesk(
      ['user', 'create', '--email', 'jane.roads@kawarthalakes.example', '--name', 'Jane Roads', '--role', 'division_staff', '--division', 'roads-operations', '--json'],
      { ...env, CITYDESK_PASSWORD: 'a long enough passphrase' },
    );
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(JSON.parse(ok.stdout).id > 0);
    const weak = await citydesk(['user', 'create', '--email', 'x@kawarthalakes.example', '--name', 'X', '--role', 'cao'], { ...env, CITYDESK_PASSWORD: 'short' });
    assert.equal(weak.code, 1);
    oneLine(weak.stderr);
    assert.match(weak.stderr, /at least 12 characters/);
    const wrong = await citydesk(['user', 'create', '--email', 'y@kawarthalakes.example', '--name', 'Y', '--role', 'customer_service', '--division', 'roads-operations'], {
      ...env,
      CITYDESK_PASSWORD: 'a long enough passphrase',
    });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /works in the Customer Service division/);
  });

  test('sweep --now --json reports what it did; with nothing due it does nothing', async () => {
    const result = await citydesk(['sweep', '--now', '2026-11-26T10:00', '--json'], env);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.now, '2026-11-26T15:00:00.000Z');
    assert.deepEqual({ skipped: report.skipped, escalations: report.escalations, breaches: report.breaches }, { skipped: false, escalations: [], breaches: [] });
    const words = await citydesk(['sweep', '--now', '2026-11-26T10:00'], env);
    assert.match(words.stdout, /^Checked 0 cases: 0 breaches recorded, 0 escalations, 0 put on the review list\./);
  });

  test('--help describes every command', async () => {
    for (const command of ['start', 'migrate', 'seed', 'due', 'closures', 'apikey', 'user', 'sweep']) {
      const result = await citydesk([command, '--help'], env);
      assert.equal(result.code, 0, command);
      assert.match(result.stdout, new RegExp(`Usage: citydesk ${command}`));
    }
  });
});

describe('citydesk start and the embedded database', () => {
  test('the first start creates and seeds the database, a second start keeps it, and a busy database is named', async () => {
    const env = cliEnv();
    const port = 3900 + Math.floor(Math.random() * 500);
    const first = await startServer(env, port);
    assert.match(first.output(), /municipality loaded from config/);
    // While the server holds the embedded database, writing commands are refused in one line…
    const busy = await citydesk(['apikey', 'create', 'x'], env);
    assert.equal(busy.code, 1);
    oneLine(busy.stderr);
    assert.match(busy.stderr, /The embedded database in .* is in use by process \d+ \(citydesk start/);
    // …and reading commands answer from config/ and say so.
    const due = await citydesk(['due', '--received', '2026-11-23T10:00', '--inquiry', '--json'], env);
    assert.equal(due.code, 0, due.stderr);
    assert.equal(JSON.parse(due.stdout).acknowledgeBy, '2026-11-26T16:30:00-05:00');
    assert.match(due.stderr, /Answering from/);
    first.kill('SIGTERM');
    assert.equal(await stopped(first), 0);
    assert.equal(existsSync(join(env['CITYDESK_DATA_DIR']!, 'citydesk.lock')), false, 'the lock is released');
    // With the server stopped, commands write; the next start reuses the data.
    const key = await citydesk(['apikey', 'create', 'after', '--json'], env);
    assert.equal(key.code, 0, key.stderr);
    const second = await startServer(env, port);
    assert.doesNotMatch(second.output(), /municipality loaded from config/);
    second.kill('SIGTERM');
    assert.equal(await stopped(second), 0);
  });

  test('a broken config file gives one line naming the file and the field, and loads nothing', async () => {
    const config = configCopy({ 'request-types.yaml': (t) => t.replace('acknowledge: 2 hours', 'acknowledge: 2 hrs') });
    const env = cliEnv({ CITYDESK_CONFIG_DIR: config });
    const result = await citydesk(['seed'], env);
    assert.equal(result.code, 1);
    oneLine(result.stderr);
    assert.match(result.stderr, /request-types\.yaml:\d+: requestTypes\[3\]\.acknowledge: "2 hrs" is not a target/);
    const started = await citydesk(['start'], { ...env, PORT: '3899' });
    assert.equal(started.code, 1);
    oneLine(started.stderr);
    assert.match(started.stderr, /request-types\.yaml/);
    rmSync(config, { recursive: true, force: true });
  });

  test('a bad DATABASE_URL gives one clear line', async () => {
    const unreachable = await citydesk(['migrate'], cliEnv({ DATABASE_URL: 'postgres://citydesk@127.0.0.1:1/citydesk' }));
    assert.equal(unreachable.code, 1);
    oneLine(unreachable.stderr);
    assert.match(unreachable.stderr, /Cannot connect to PostgreSQL at postgres:\/\/citydesk@127\.0\.0\.1:1\/citydesk \(DATABASE_URL\): connection refused/);
    const malformed = await citydesk(['start'], cliEnv({ DATABASE_URL: 'mysql://localhost/citydesk' }));
    assert.equal(malformed.code, 1);
    oneLine(malformed.stderr);
    assert.match(malformed.stderr, /Setting DATABASE_URL="mysql:\/\/localhost\/citydesk" is not valid/);
  });
});
