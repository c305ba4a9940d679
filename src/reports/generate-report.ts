import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import type { Directory } from '../directory/directory-cache.js';
import type { StaffMember } from '../directory/staff.js';
import { AppError } from '../platform/errors.js';
import { formulaVersion } from '../standard/performance-indicators.js';
import { parseReportPeriod, reportKinds, type ReportKind, type ReportPeriod } from '../standard/report-periods.js';
import { buildReport, finishReport, renderCharts } from './build-report.js';
import { assertMayGenerateReports, reportConfigOf } from './report-policy.js';

/**
 * Generates a report for a period from the figures at this moment and keeps it as generated
 * (CSS §6.3): a new version each time, with its date, who generated it and the formula version.
 * The stored row never changes afterwards (migration 050's trigger refuses it).
 */

export function checkReportRequest(kind: string, period: string): { kind: ReportKind; period: ReportPeriod } {
  if (!(reportKinds as readonly string[]).includes(kind)) {
    throw new AppError('VALIDATION_FAILED', `"${kind.slice(0, 20)}" is not a report: choose biannual, annual or feedback.`, [{ field: 'kind', message: 'biannual, annual or feedback' }]);
  }
  const parsed = parseReportPeriod(kind as ReportKind, period);
  if ('error' in parsed) throw new AppError('VALIDATION_FAILED', parsed.error, [{ field: 'period', message: parsed.error }]);
  return { kind: kind as ReportKind, period: parsed };
}

export async function generateReport(options: {
  db: Db;
  directory: Directory;
  /** A staff member, or null for the command line. */
  staff: StaffMember | null;
  kind: string;
  period: string;
  now: Date;
  progress?: (step: string) => void;
}): Promise<{ id: number; version: number }> {
  const { db, directory, staff, now } = options;
  if (staff) assertMayGenerateReports(staff);
  const { kind, period } = checkReportRequest(options.kind, options.period);
  const today = directory.calendar.localDate(now.getTime());
  if (period.from > today) throw new AppError('VALIDATION_FAILED', `The period ${period.label} has not begun yet: choose one that has.`, [{ field: 'period', message: 'in the future' }]);
  const generatedBy = staff ? `${staff.name} (${staff.email})` : 'citydesk report (command line)';
  // Figures first, outside the transaction: PGlite's one connection would be held by it, and on
  // PostgreSQL the figures' statements run at once on the pool's connections.
  const draft = await buildReport({ read: db.kysely, directory, kind, period, config: reportConfigOf(directory), now, generatedBy, ...(options.progress ? { progress: options.progress } : {}) });
  options.progress?.('charts, the version number and the changes since the last report');
  // The charts render while the transaction's first statements are in flight.
  const charts = renderCharts(draft.charts);
  charts.catch(() => undefined); // awaited in the transaction; this only keeps a failure there from going unhandled
  return db.kysely.transaction().execute(async (trx) => {
    // One generation of a kind and period at a time: versions are numbered without gaps.
    if (db.engine === 'postgres') await sql`select pg_advisory_xact_lock(72657015, hashtext(${`${kind}/${period.code}`}))`.execute(trx);
    const last = await trx.selectFrom('report').select((eb) => eb.fn.max('version').as('v')).where('kind', '=', kind).where('period', '=', period.code).executeTakeFirst();
    const version = Number(last?.v ?? 0) + 1;
    const content = await finishReport(trx, directory, draft, version, charts);
    options.progress?.('storing the report');
    const row = await trx
      .insertInto('report')
      .values({
        kind,
        period: period.code,
        period_from: period.from,
        period_to: period.to,
        version,
        generated_at: now,
        generated_by: staff?.id ?? null,
        generated_by_label: generatedBy,
        formula_version: formulaVersion,
        content: JSON.stringify(content),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: row.id, version };
  });
}
