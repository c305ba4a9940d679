import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { busyPercent, machineCpu, withSampleDatabase } from './throwaway-database.js';
import { writeNycExport } from './nyc-export.js';

/**
 * `npm run bench -- import` (issue 13): a generated NYC-format export (from the real sample's
 * distributions) imported by `citydesk import` in a child process, against PostgreSQL's own plain
 * COPY of the same, already-mapped rows (the cases and their kept source rows) into the same
 * tables with the same indexes and triggers, in the same run. Target: the import at least 50% of
 * COPY's rate, and its peak RSS under 300 MB at 1,000,000 rows and at 100,000.
 * CITYDESK_BENCH_IMPORT_ROWS=100000,1000000 chooses the sizes.
 */

const run = promisify(execFile);
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

async function psql(url: string, command: string): Promise<void> {
  await run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', url, '-c', command], { maxBuffer: 1 << 20 });
}

interface ChildMemory {
  /** RSS once the modules are loaded and the database is open, before the first row. */
  startRss: number;
  /** The highest heap in use and the highest memory outside the heap (Buffers), sampled. */
  peakHeapUsed: number;
  peakExternal: number;
}

/** The import in a child process, as a user runs it: its time, its peak RSS and where its memory went. */
function importInChild(url: string, file: string): Promise<{ seconds: number; maxRss: number; memory: ChildMemory; summary: { imported: number } }> {
  return new Promise((done, fail) => {
    const script = `
      const { importHistory } = await import(${JSON.stringify(resolve('src/history/import-history.ts'))});
      const { resolveFormat } = await import(${JSON.stringify(resolve('src/history/history-formats.ts'))});
      const { openDatabase } = await import(${JSON.stringify(resolve('src/db/connect.ts'))});
      const db = await openDatabase({ databaseUrl: process.env.BENCH_URL, dataDir: 'unused' });
      const memory = { startRss: process.memoryUsage().rss, peakHeapUsed: 0, peakExternal: 0 };
      const sample = () => {
        const m = process.memoryUsage();
        memory.peakHeapUsed = Math.max(memory.peakHeapUsed, m.heapUsed);
        memory.peakExternal = Math.max(memory.peakExternal, m.external);
      };
      const sampling = setInterval(sample, 100);
      const started = performance.now();
      const summary = await importHistory({ db, now: () => new Date(), file: process.env.BENCH_FILE, format: resolveFormat({ format: 'nyc' }), organizationFromData: true });
      const seconds = (performance.now() - started) / 1000;
      clearInterval(sampling);
      sample();
      await db.close();
      process.stdout.write(JSON.stringify({ seconds, maxRss: process.resourceUsage().maxRSS * 1024, memory, summary: { imported: summary.imported } }));`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...process.env, BENCH_URL: url, BENCH_FILE: file }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => (code === 0 ? done(JSON.parse(out)) : fail(new Error(`the import exited with ${code}`))));
  });
}

async function benchSize(rows: number): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), 'citydesk-bench-import-'));
  try {
    const file = join(dir, 'nyc.csv');
    await writeNycExport({ path: file, rows, seed: 13 });
    console.log(`${rows.toLocaleString('en-CA')} NYC rows generated (${mib(statSync(file).size)})`);
    return await withSampleDatabase(async (db, url) => {
      void db;
      const cpu = machineCpu();
      const imported = await importInChild(url, file);
      const importRate = imported.summary.imported / imported.seconds;
      // The same rows, already mapped, out of the tables and back in by a plain COPY.
      const cases = join(dir, 'cases.copy');
      const kept = join(dir, 'rows.copy');
      await psql(url, `\\copy (select * from service_case where import_source_id is not null order by id) to '${cases}'`);
      await psql(url, `\\copy (select * from imported_row order by case_id) to '${kept}'`);
      await psql(url, 'truncate imported_row');
      await psql(url, 'delete from service_case where import_source_id is not null');
      await psql(url, 'truncate kpi_delta, kpi_month');
      await psql(url, 'vacuum service_case');
      const copyStarted = performance.now();
      await psql(url, `\\copy service_case from '${cases}'`);
      await psql(url, `\\copy imported_row from '${kept}'`);
      const copySeconds = (performance.now() - copyStarted) / 1000;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const count = Number((await client.query('select count(*) from imported_row')).rows[0].count);
      await client.end();
      const copyRate = count / copySeconds;
      const ratio = importRate / copyRate;
      const rssMet = imported.maxRss < 300 * 2 ** 20;
      console.log(
        `import: ${imported.summary.imported.toLocaleString('en-CA')} rows in ${imported.seconds.toFixed(1)} s (${Math.round(importRate).toLocaleString('en-CA')} rows/s), peak RSS ${mib(imported.maxRss)} (${mib(imported.memory.startRss)} before the first row; peak heap in use ${mib(imported.memory.peakHeapUsed)}, outside the heap ${mib(imported.memory.peakExternal)})\n` +
          `plain COPY of the same mapped rows: ${count.toLocaleString('en-CA')} rows in ${copySeconds.toFixed(1)} s (${Math.round(copyRate).toLocaleString('en-CA')} rows/s)\n` +
          `import at ${(ratio * 100).toFixed(0)}% of COPY's rate (target ≥ 50%): ${ratio >= 0.5 ? 'met' : 'NOT met'}; RSS < 300 MB: ${rssMet ? 'met' : 'NOT met'}; machine busy ${busyPercent(cpu)}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`,
      );
      return ratio >= 0.5 && rssMet;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchImport(): Promise<boolean> {
  const sizes = (process.env['CITYDESK_BENCH_IMPORT_ROWS'] ?? '100000,1000000').split(',').map(Number);
  let met = true;
  for (const rows of sizes) met = (await benchSize(rows)) && met;
  return met;
}
