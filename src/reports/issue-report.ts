import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import type { Directory } from '../directory/directory-cache.js';
import type { StaffMember } from '../directory/staff.js';
import { enqueueMail } from '../notify/outbox.js';
import { AppError } from '../platform/errors.js';
import { reportAudiences } from '../standard/report-periods.js';
import { findReport } from './find-reports.js';
import type { ReportConfig } from './report-config.js';
import { assertMayIssueReports, reportConfigOf } from './report-policy.js';

/**
 * Issues a stored version to its audience (CSS §6.3): the bi-annual report to the Senior
 * Management Team and the Working Group, the annual one to Council, the feedback analysis to the
 * Working Group. The issue is recorded (which version went, when, to whom) and the link goes to
 * each configured recipient through the outbox, in the same transaction.
 */

export function recipientsFor(audience: string, config: ReportConfig): string[] {
  const r = config.recipients;
  const list = audience === 'smt_working_group' ? [...r.seniorManagementTeam, ...r.workingGroup] : audience === 'council' ? r.council : r.workingGroup;
  return [...new Set(list.map((e) => e.trim().toLowerCase()))];
}

export async function issueReport(options: { db: Db; directory: Directory; staff: StaffMember; reportId: number; now: Date; baseUrl: string }): Promise<{ audience: string; recipients: string[] }> {
  const { db, directory, staff, now } = options;
  assertMayIssueReports(staff);
  return db.kysely.transaction().execute(async (trx) => {
    if (db.engine === 'postgres') await sql`select pg_advisory_xact_lock(72657015, ${options.reportId})`.execute(trx);
    const report = await findReport(trx, staff, options.reportId);
    const audience = reportAudiences[report.kind];
    if (report.issues.some((i) => i.audience === audience.code)) {
      throw new AppError('CONFLICT', `Version ${report.version} was already issued to ${audience.words} on ${report.issues[0]!.issuedAt.toISOString().slice(0, 10)}.`);
    }
    const recipients = recipientsFor(audience.code, reportConfigOf(directory));
    await trx.insertInto('report_issue').values({ report_id: report.id, audience: audience.code, issued_at: now, issued_by: staff.id, recipients }).execute();
    const c = report.content;
    const link = `${options.baseUrl.replace(/\/+$/, '')}/staff/reports/${report.id}`;
    for (const to of recipients) {
      await enqueueMail(trx, {
        to,
        subject: `${c.city}: ${c.title}, ${c.period.label} (version ${report.version})`,
        body: [
          `The ${c.title.toLowerCase()} for ${c.period.label} has been issued to ${audience.words} (CSS §6.3).`,
          '',
          `Read it in the staff console (sign in first): ${link}`,
          `PDF: ${link}/pdf   CSV of every table: ${link}/csv`,
          '',
          `Version ${report.version}, generated ${c.generatedAtWords}; figures as of that time, definitions ${c.formulaVersion}.`,
          `Issued by ${staff.name}, Manager of Customer Service.`,
        ].join('\n'),
        now,
      });
    }
    return { audience: audience.words, recipients };
  });
}
