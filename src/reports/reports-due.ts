import type { Tx } from '../db/connect.js';
import type { Directory } from '../directory/directory-cache.js';
import type { StaffMember } from '../directory/staff.js';
import { dueState, latestEndedPeriod, reportAudiences, reportDueOn, reportKinds, reportTitles, type ReportKind } from '../standard/report-periods.js';
import { reportConfigOf } from './report-policy.js';

/**
 * The reports due (CSS §6.3), for the home pages of the Manager of Customer Service and the
 * Working Group: after each period ends, the latest period of each kind not yet issued to its
 * audience, due until the configured date and overdue after it.
 */

export interface ReportDue {
  kind: ReportKind;
  title: string;
  period: string;
  periodLabel: string;
  dueOn: string;
  state: 'due' | 'overdue';
  /** The latest version generated, if any (not yet issued). */
  latestId: number | null;
}

export async function reportsDue(tx: Tx, directory: Directory, staff: StaffMember, today: string): Promise<ReportDue[]> {
  if (staff.role !== 'manager_customer_service' && staff.role !== 'working_group') return [];
  const rules = reportConfigOf(directory).due;
  const due: ReportDue[] = [];
  for (const kind of reportKinds) {
    const period = latestEndedPeriod(kind, today);
    const rows = await tx
      .selectFrom('report as r')
      .leftJoin('report_issue as i', (join) => join.onRef('i.report_id', '=', 'r.id').on('i.audience', '=', reportAudiences[kind].code))
      .select(['r.id', 'i.id as issue_id'])
      .where('r.kind', '=', kind)
      .where('r.period', '=', period.code)
      .orderBy('r.version', 'desc')
      .execute();
    if (rows.some((r) => r.issue_id !== null)) continue;
    const dueOn = reportDueOn(kind, period, rules);
    due.push({ kind, title: reportTitles[kind], period: period.code, periodLabel: period.label, dueOn, state: dueState(dueOn, today), latestId: rows[0]?.id ?? null });
  }
  return due;
}
