import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { citydesk, cliEnv } from '../helpers/cli.js';

/**
 * `npx citydesk report <kind> --period … --format pdf|csv|html --out <file>` as a user runs it
 * (CSS §6.3): each run keeps a new version, writes the report where it was asked, and tells the
 * terminal what it is doing on standard error, so standard output carries only the report.
 */

const env = cliEnv();
const dir = mkdtempSync(join(tmpdir(), 'citydesk-report-cli-'));
// Each run opens the embedded database (the first one creates and seeds it), then prints.
const minutes = 4 * 60_000;
const report = (args: string[]) => citydesk(['report', ...args], env, minutes);

test('report annual --format pdf --out writes the PDF, with progress on standard error (CSS §6.3)', { skip: !existsSync('/usr/bin/chromium') && 'no Chromium at /usr/bin/chromium', timeout: 2 * minutes }, async () => {
  const out = join(dir, 'council-2025.pdf');
  const result = await report(['annual', '--period', '2025', '--format', 'pdf', '--out', out]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, '', 'the PDF goes to the file, not the terminal');
  const steps = result.stderr.split('\n');
  assert.equal(steps[0], 'Generating the annual report for 2025…');
  assert.match(result.stderr, /\n {2}reading the figures from \d{4}-01-01 to 2025-12-31…\n/);
  assert.match(result.stderr, /\n {2}storing the report…\n {2}writing it as PDF…\n/);
  assert.match(result.stderr, new RegExp(`Annual report to Council, 2025: version 1 kept \\(report \\d+\\), written to ${out.replace(/[.]/g, '\\.')} in \\d+\\.\\d s\\.\\n$`));
  assert.equal(readFileSync(out).subarray(0, 5).toString(), '%PDF-');
  const text = execFileSync('pdftotext', [out, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  assert.match(text, /CITY OF KAWARTHA LAKES/);
  assert.match(text, /Annual report to Council/);
  assert.match(text, /City of Kawartha Lakes · Annual report to Council, 2025 · version 1 Page 1 of \d+/);
});

test('report biannual --format csv to standard output, html --out a file; each run is a new version; a bad period is one line (CSS §6.3)', { timeout: 3 * minutes }, async () => {
  const csv = await report(['biannual', '--period', '2025-H2', '--format', 'csv']);
  assert.equal(csv.code, 0, csv.stderr);
  assert.ok(csv.stdout.startsWith('\uFEFF'), 'a byte-order mark for spreadsheets');
  const records = parse(csv.stdout.slice(1), { relax_column_count: true }) as string[][];
  assert.match(records[0]![0]!, /^City of Kawartha Lakes: Bi-annual performance report, July to December 2025 \(version 1,/);
  assert.ok(records.some((r) => r[0] === 'Scorecard'));
  assert.match(csv.stderr, /Bi-annual performance report, July to December 2025: version 1 kept \(report \d+\) in/);

  const out = join(dir, 'h2.html');
  const html = await report(['biannual', '--period', '2025-H2', '--out', out, '--json']);
  assert.equal(html.code, 0, html.stderr);
  const summary = JSON.parse(html.stderr.trim().split('\n').pop()!);
  assert.deepEqual({ kind: summary.kind, period: summary.period, version: summary.version, format: summary.format, out: summary.out }, { kind: 'biannual', period: '2025-H2', version: 2, format: 'html', out });
  const page = readFileSync(out, 'utf8');
  assert.match(page, /<h1 id="report-title">Bi-annual performance report<\/h1>/);
  assert.match(page, /July to December 2025/);

  const bad = await report(['biannual', '--period', '2025-H3']);
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  assert.match(bad.stderr, /is not a half-year/);
});
