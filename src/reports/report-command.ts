import { writeFileSync } from 'node:fs';
import type { Db } from '../db/connect.js';
import { DirectoryCache } from '../directory/directory-cache.js';
import type { Clock } from '../platform/clock.js';
import { AppError } from '../platform/errors.js';
import { PdfUnavailable } from '../web/print-pdf.js';
import { reportHtml, reportPdf } from '../web/report-export.js';
import { findReport } from './find-reports.js';
import { checkReportRequest, generateReport } from './generate-report.js';
import { reportCsv } from './report-csv.js';

/**
 * `citydesk report <biannual|annual|feedback> --period …`: generates a new version, keeps it as
 * the console does (the same code), and writes it as HTML, PDF or CSV. Progress goes to standard
 * error, so the report itself can go to standard output.
 */

export interface ReportCommandOptions {
  period?: string;
  format?: string;
  out?: string;
  json?: boolean;
}

export interface ReportCommandIo {
  /** The report's bytes (standard output when no --out). */
  write: (data: string | Buffer) => void;
  progress: (text: string) => void;
  /** Whether standard output is a terminal (a PDF is not written to one). */
  stdoutIsTerminal: boolean;
}

export async function reportCommand(db: Db, clock: Clock, kind: string, options: ReportCommandOptions, io: ReportCommandIo, chromiumPath?: string): Promise<void> {
  const format = options.format ?? 'html';
  if (!['html', 'pdf', 'csv'].includes(format)) throw new AppError('VALIDATION_FAILED', `--format "${format.slice(0, 20)}" is not a format: write pdf, csv or html.`);
  if (!options.period) throw new AppError('VALIDATION_FAILED', 'Give the period with --period: 2026-H1 (bi-annual), 2026 (annual) or 2026-Q3 (feedback).');
  if (format === 'pdf' && !options.out && io.stdoutIsTerminal) throw new AppError('VALIDATION_FAILED', 'A PDF is not printed on a terminal: give --out report.pdf (or redirect standard output to a file).');
  // A bad kind or period is one line, before any progress is printed.
  checkReportRequest(kind, options.period);
  const directory = await new DirectoryCache(db, clock).get(db.kysely);
  const started = performance.now();
  io.progress(`Generating the ${kind} report for ${options.period}…\n`);
  const { id, version } = await generateReport({ db, directory, staff: null, kind, period: options.period, now: clock.now(), progress: (step) => io.progress(`  ${step}…\n`) });
  const report = await findReport(db.kysely, null, id);
  io.progress(`  writing it as ${format.toUpperCase()}…\n`);
  const zone = directory.calendar.timeZone;
  let data: string | Buffer;
  try {
    data = format === 'csv' ? reportCsv(report) : format === 'pdf' ? await reportPdf(report, zone, chromiumPath) : reportHtml(report, zone);
  } catch (error) {
    if (error instanceof PdfUnavailable) throw new AppError('VALIDATION_FAILED', `Version ${version} is kept (report ${id}). ${error.message} Use --format html or csv.`);
    throw error;
  }
  if (options.out) writeFileSync(options.out, data);
  else io.write(data);
  const summary = { id, kind, period: report.period, version, format, out: options.out ?? null, formulaVersion: report.formulaVersion, generatedAt: report.generatedAt.toISOString() };
  if (options.json) io.progress(`${JSON.stringify(summary)}\n`);
  else io.progress(`${report.content.title}, ${report.content.period.label}: version ${version} kept (report ${id})${options.out ? `, written to ${options.out}` : ''} in ${((performance.now() - started) / 1000).toFixed(1)} s.\n`);
}
