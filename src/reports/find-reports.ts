import { sql } from 'kysely';
import type { Tx } from '../db/connect.js';
import type { StaffMember } from '../directory/staff.js';
import { AppError } from '../platform/errors.js';
import { reportAudiences, reportTitles, type ReportKind } from '../standard/report-periods.js';
import type { ReportContent, StoredReport } from './report-content.js';
import { assertMayReadReports } from './report-policy.js';

/** The stored reports (CSS §6.3): every version, and which went to whom. */

export const audienceWords: Record<string, string> = Object.fromEntries(Object.values(reportAudiences).map((a) => [a.code, a.words]));

export interface ReportListItem {
  id: number;
  kind: ReportKind;
  title: string;
  period: string;
  periodLabel: string;
  version: number;
  generatedAt: Date;
  generatedBy: string;
  formulaVersion: string;
  issues: { audienceWords: string; issuedAt: Date }[];
}

export async function listReports(tx: Tx, staff: StaffMember, options: { limit?: number } = {}): Promise<ReportListItem[]> {
  assertMayReadReports(staff);
  const rows = await tx
    .selectFrom('report as r')
    .select(['r.id', 'r.kind', 'r.period', 'r.version', 'r.generated_at', 'r.generated_by_label', 'r.formula_version', sql<string | null>`r.content -> 'period' ->> 'label'`.as('period_label')])
    .orderBy('r.period_to', 'desc')
    .orderBy('r.kind')
    .orderBy('r.version', 'desc')
    .limit(options.limit ?? 200)
    .execute();
  const issues = rows.length
    ? await tx
        .selectFrom('report_issue')
        .select(['report_id', 'audience', 'issued_at'])
        .where('report_id', 'in', rows.map((r) => r.id))
        .orderBy('issued_at')
        .execute()
    : [];
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    title: reportTitles[r.kind],
    period: r.period,
    periodLabel: r.period_label ?? r.period,
    version: r.version,
    generatedAt: new Date(r.generated_at),
    generatedBy: r.generated_by_label,
    formulaVersion: r.formula_version,
    issues: issues.filter((i) => i.report_id === r.id).map((i) => ({ audienceWords: audienceWords[i.audience] ?? i.audience, issuedAt: new Date(i.issued_at) })),
  }));
}

/** One stored version, exactly as generated, with its comments and issues. */
export async function findReport(tx: Tx, staff: StaffMember | null, id: number): Promise<StoredReport> {
  if (staff) assertMayReadReports(staff);
  const row = Number.isSafeInteger(id) ? await tx.selectFrom('report').selectAll().where('id', '=', id).executeTakeFirst() : undefined;
  if (!row) throw new AppError('NOT_FOUND', 'There is no report with that number. The list of reports shows every version kept.');
  const [comments, issues] = await Promise.all([
    tx
      .selectFrom('report_comment as c')
      .innerJoin('staff_user as s', 's.id', 'c.written_by')
      .select(['c.row_key', 'c.comment', 'c.written_at', 's.name'])
      .where('c.report_id', '=', id)
      .execute(),
    tx
      .selectFrom('report_issue as i')
      .innerJoin('staff_user as s', 's.id', 'i.issued_by')
      .select(['i.audience', 'i.issued_at', 'i.recipients', 's.name'])
      .where('i.report_id', '=', id)
      .orderBy('i.issued_at')
      .execute(),
  ]);
  const content = (typeof row.content === 'string' ? JSON.parse(row.content) : row.content) as ReportContent;
  return {
    id: row.id,
    kind: row.kind,
    period: row.period,
    version: row.version,
    generatedAt: new Date(row.generated_at),
    generatedBy: row.generated_by_label,
    formulaVersion: row.formula_version,
    content,
    comments: Object.fromEntries(comments.map((c) => [c.row_key, { comment: c.comment, writtenAt: new Date(c.written_at), writtenBy: c.name }])),
    issues: issues.map((i) => ({ audience: i.audience, audienceWords: audienceWords[i.audience] ?? i.audience, issuedAt: new Date(i.issued_at), issuedBy: i.name, recipients: i.recipients })),
  };
}
