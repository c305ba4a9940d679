/**
 * Issue 13: a broken file stops with its line, its column and what is wrong, having written
 * nothing of the batch holding the problem; a newer export updates only the rows that changed;
 * and an import killed part-way (a child process, SIGKILL) resumes on the next run and ends with
 * the same rows as an uninterrupted import of the same file.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it, before } from 'node:test';
import { sql } from 'kysely';
import { openDatabase, type Db } from '../../src/db/connect.js';
import { migrate } from '../../src/db/migrate.js';
import { seedMunicipality } from '../../src/directory/seed-municipality.js';
import { sampleConfig } from '../helpers/factories.js';
import { resolveFormat } from '../../src/history/history-formats.js';
import { importHistory } from '../../src/history/import-history.js';
import { SourceFileError } from '../../src/history/read-source.js';
import { writeNycExport } from '../../bench/nyc-export.js';
import { testEngines } from '../helpers/db.js';
import { citydesk, cliEnv } from '../helpers/cli.js';

const baltimorePath = resolve(process.env['CITYDESK_SHARED_DATA'] ?? '../shared/data', '311/baltimore311_sample_2014-2018_city-of-baltimore.csv');
const dir = mkdtempSync(join(tmpdir(), 'citydesk-import-'));
const now = new Date('2026-12-01T15:00:00Z');

/** The first `rows` rows of the Baltimore sample, changed by `edit` (line 1 is the header). */
function baltimoreCopy(name: string, rows: number, edit: (lines: string[]) => void = () => undefined): string {
  const lines = readFileSync(baltimorePath, 'utf8').split('\n').slice(0, rows + 1);
  edit(lines);
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

async function imported(db: Db): Promise<number> {
  return (await db.kysely.selectFrom('imported_row').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
}

async function expectFileError(promise: Promise<unknown>, expected: { line: number; column: string | null; problem: RegExp }): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof SourceFileError, String(error));
    assert.equal(error.line, expected.line);
    assert.equal(error.column, expected.column);
    assert.match(error.problem, expected.problem);
    assert.match(error.message, new RegExp(`^line ${expected.line}`));
    return true;
  });
}

for (const engine of testEngines()) {
  describe(`A broken or newer export (${engine.name})`, () => {
    it('a wrong format, a missing column, a bad date or a broken quote stops with line, column and problem; nothing of that batch is written', async () => {
      const db = await engine.open({ seed: true });
      try {
        const run = (file: string, format = 'baltimore') =>
          importHistory({ db, now: () => now, file, format: resolveFormat({ format }), organizationFromData: true, batchSize: 200 });
        // The wrong format: its columns are not in the header.
        await expectFileError(run(baltimorePath, 'nyc'), { line: 1, column: 'Unique Key', problem: /no column "Unique Key".*--format/ });
        // A missing column.
        const noCreated = baltimoreCopy('no-created.csv', 50, (lines) => {
          for (let i = 0; i < lines.length; i += 1) lines[i] = lines[i]!.replace(/^([^,]*,[^,]*,[^,]*,[^,]*,)[^,]*,/, '$1');
        });
        await expectFileError(run(noCreated), { line: 1, column: 'CreatedDate', problem: /no column "CreatedDate"/ });
        assert.equal(await imported(db), 0);
        // A bad date on line 502 (row 501): the first two batches of 200 are written, the third is not.
        const badDate = baltimoreCopy('bad-date.csv', 700, (lines) => {
          lines[501] = lines[501]!.replace(/,(\d\d)\/(\d\d)\/(\d{4}) (\d\d:\d\d:\d\d [AP]M),/, ',13/45/$3 $4,');
        });
        await expectFileError(run(badDate), { line: 502, column: 'CreatedDate', problem: /"13\/45\/\d{4} .*" is not a date and time/ });
        assert.equal(await imported(db), 400);
        // A quote never closed.
        const brokenQuote = baltimoreCopy('broken-quote.csv', 30, (lines) => {
          lines[20] = lines[20]!.replace(/"/, '');
        });
        await assert.rejects(run(brokenQuote), (error: unknown) => {
          assert.ok(error instanceof SourceFileError);
          assert.ok(error.line >= 21, `line ${error.line}`);
          assert.match(error.message, /^line \d+: /);
          return true;
        });
        assert.equal(await imported(db), 400);
        // The fixed file imports the rest; what was written before is unchanged.
        const fixed = baltimoreCopy('fixed.csv', 700);
        const summary = await run(fixed);
        assert.equal(summary.unchanged, 400);
        assert.equal(summary.imported, 300);
      } finally {
        await db.close();
      }
    });

    it('a newer export of the same source updates only the rows that changed', async () => {
      const db = await engine.open({ seed: true });
      try {
        const run = (file: string) => importHistory({ db, now: () => now, file, format: resolveFormat({ format: 'baltimore' }), organizationFromData: true });
        const first = await run(baltimoreCopy('export-1.csv', 300));
        assert.equal(first.imported, 300);
        let changedId = '';
        const second = await run(
          baltimoreCopy('export-2.csv', 400, (lines) => {
            // Row 10 was still open; the newer export closes it.
            const fields = lines[10]!.split(',');
            changedId = fields[1]!;
            lines[10] = lines[10]!.replace(/,(Open|New|Pending|Closed),/, ',Closed (Duplicate),');
          }),
        );
        assert.equal(second.updated, 1);
        assert.equal(second.imported, 100);
        assert.equal(second.unchanged, 299);
        const row = await db.kysely
          .selectFrom('imported_row as r')
          .innerJoin('service_case as c', 'c.id', 'r.case_id')
          .select(['r.raw', 'r.anomalies', 'c.version'])
          .where('r.source_row_id', '=', changedId)
          .executeTakeFirstOrThrow();
        assert.match(row.raw, /Closed \(Duplicate\)/);
        assert.ok(row.anomalies.includes('source_duplicate'));
        assert.equal(row.version, 2);
      } finally {
        await db.close();
      }
    });
  });
}

describe('An import killed part-way', () => {
  let generated = '';
  before(async () => {
    generated = join(dir, 'nyc-generated.csv');
    await writeNycExport({ path: generated, rows: 3000, seed: 7 });
  });

  /** What an import leaves: every row and the case made of it, as one digest. */
  async function digest(opened: Db | string): Promise<{ rows: number; digest: string }> {
    const db = typeof opened === 'string' ? await openDatabase({ dataDir: opened }) : opened;
    try {
      const { rows } = await sql<{ rows: number; digest: string }>`
        select count(*)::int as rows,
               md5(string_agg(r.source_row_id || r.row_hash || c.reference || c.status || c.received_at::text || coalesce(c.resolved_at::text, '') ||
                              coalesce(c.resolve_by::text, '') || c.summary || d.code || t.code, '|' order by r.source_row_id)) as digest
        from imported_row r join service_case c on c.id = r.case_id join division d on d.id = c.division_id join request_type t on t.id = c.request_type_id`.execute(db.kysely);
      return rows[0]!;
    } finally {
      if (typeof opened === 'string') await db.close();
    }
  }

  it('resumes on the next run and ends with the same rows as an uninterrupted import', { timeout: 600_000 }, async () => {
    const args = ['import', '--format', 'nyc', '--file', generated, '--organization', 'from-data', '--batch-size', '250', '--json'];
    const whole = await testEngines()[0]!.open({ seed: true });
    const uninterrupted = await importHistory({ db: whole, now: () => now, file: generated, format: resolveFormat({ format: 'nyc' }), organizationFromData: true });
    assert.equal(uninterrupted.imported, 3000);

    // The child's database, migrated and seeded here (fast password hashes), so each run only imports.
    const killed = cliEnv();
    const prepared = await openDatabase({ dataDir: killed['CITYDESK_DATA_DIR']! });
    await migrate(prepared);
    await seedMunicipality({ db: prepared, config: sampleConfig(), now, hash: async () => 'not-a-password-hash' });
    await prepared.close();
    const child = spawn(process.execPath, [resolve('bin/citydesk.js'), ...args, '--progress', 'lines'], { env: killed });
    let lines = 0;
    await new Promise<void>((done) => {
      child.stderr.on('data', (chunk: Buffer) => {
        lines += (chunk.toString().match(/^progress: /gm) ?? []).length;
        // Killed hard after its third batch committed: no chance to stop cleanly.
        if (lines >= 3 && child.exitCode === null) child.kill('SIGKILL');
      });
      child.on('exit', () => done());
    });
    assert.equal(child.signalCode, 'SIGKILL', 'the import was killed before it finished');
    const part = await digest(killed['CITYDESK_DATA_DIR']!);
    assert.ok(part.rows >= 750 && part.rows < 3000, `${part.rows} rows after the kill`);

    // Its own time limit, wide: on a machine busy with other test files the rerun can take a while.
    const rerun = await citydesk(args, killed, 300_000);
    assert.equal(rerun.code, 0, rerun.stderr);
    const summary = JSON.parse(rerun.stdout);
    assert.equal(summary.resumedFrom, part.rows, 'the rerun continues after the last batch committed');
    assert.equal(summary.rows, 3000);
    assert.deepEqual(await digest(killed['CITYDESK_DATA_DIR']!), await digest(whole));

    // Stopped cleanly (Ctrl-C) on each engine: on PostgreSQL the next batch is being read while one
    // is written by COPY; the counts of the rerun still take each row once.
    for (const engine of testEngines()) {
      const db = await engine.open({ seed: true });
      try {
        const controller = new AbortController();
        const run = (more: Partial<Parameters<typeof importHistory>[0]> = {}) =>
          importHistory({ db, now: () => now, file: generated, format: resolveFormat({ format: 'nyc' }), organizationFromData: true, batchSize: 250, ...more });
        let batches = 0;
        const first = await run({ signal: controller.signal, onProgress: () => void (++batches === 3 && controller.abort()) });
        assert.ok(first.stopped, `${engine.name}: the run says it stopped`);
        const written = await imported(db);
        assert.equal(first.imported, written, `${engine.name}: what the stopped run counts is what it wrote`);
        assert.ok(written >= 500 && written < 3000, `${engine.name}: ${written} rows after the stop`);
        const rest = await run();
        assert.equal(rest.resumedFrom, written);
        assert.equal(rest.rows, 3000, engine.name);
        assert.equal(rest.imported, 3000, engine.name);
        assert.deepEqual(rest.anomalies, uninterrupted.anomalies, engine.name);
        assert.deepEqual(rest.targets, uninterrupted.targets, engine.name);
        assert.deepEqual(await digest(db), await digest(whole), engine.name);
      } finally {
        await db.close();
      }
    }
    await whole.close();
  });

  it('Ctrl-C (SIGINT) to a running citydesk import: it says it stops, writes the batch it is on, exits 130; the rerun continues', { timeout: 600_000 }, async () => {
    const args = ['import', '--format', 'nyc', '--file', generated, '--organization', 'from-data', '--batch-size', '250', '--json'];
    const env = cliEnv();
    const prepared = await openDatabase({ dataDir: env['CITYDESK_DATA_DIR']! });
    await migrate(prepared);
    await seedMunicipality({ db: prepared, config: sampleConfig(), now, hash: async () => 'not-a-password-hash' });
    await prepared.close();
    const child = spawn(process.execPath, [resolve('bin/citydesk.js'), ...args, '--progress', 'lines'], { env });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    let sent = false;
    const code = await new Promise<number | null>((done) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (!sent && (stderr.match(/^progress: /gm) ?? []).length >= 2) {
          sent = true;
          child.kill('SIGINT');
        }
      });
      child.on('exit', (exitCode) => done(exitCode));
    });
    assert.ok(sent, `the import ended before it could be stopped: ${stderr}`);
    assert.equal(code, 130, stderr);
    assert.match(stderr, /Stopping after the batch being written/);
    const summary = JSON.parse(stdout) as { stopped: boolean; imported: number; rows: number };
    assert.equal(summary.stopped, true);
    const part = await digest(env['CITYDESK_DATA_DIR']!);
    assert.equal(part.rows, summary.imported, 'what the stopped run says it wrote is what is in the database');
    assert.ok(part.rows >= 500 && part.rows < 3000, `${part.rows} rows after Ctrl-C`);

    const rerun = await citydesk(args, env, 300_000);
    assert.equal(rerun.code, 0, rerun.stderr);
    const rest = JSON.parse(rerun.stdout) as { resumedFrom: number; rows: number; imported: number; stopped: boolean };
    assert.equal(rest.resumedFrom, part.rows);
    assert.equal(rest.stopped, false);
    assert.equal(rest.rows, 3000);
    assert.equal(rest.imported, 3000);
    const whole = await testEngines()[0]!.open({ seed: true });
    try {
      await importHistory({ db: whole, now: () => now, file: generated, format: resolveFormat({ format: 'nyc' }), organizationFromData: true });
      assert.deepEqual(await digest(env['CITYDESK_DATA_DIR']!), await digest(whole));
    } finally {
      await whole.close();
    }
  });
});
