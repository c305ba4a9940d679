import type { Db } from '../db/connect.js';
import type { StaffMember } from '../directory/staff.js';
import { AppError } from '../platform/errors.js';
import { findReport } from './find-reports.js';
import { assertMayIssueReports } from './report-policy.js';

/**
 * The Manager of Customer Service's comment on a scorecard row, before the report is issued
 * (CSS §6.3). An empty comment takes it away. Once issued, the comments are part of the issued
 * version: the database refuses any change (migration 050), and this says so first, in words.
 */
export async function commentOnScorecard(options: { db: Db; staff: StaffMember; reportId: number; comments: Record<string, string>; now: Date }): Promise<number> {
  const { db, staff, now } = options;
  assertMayIssueReports(staff);
  const comments = Object.entries(options.comments).map(([key, text]) => [key, text.replace(/\r\n/g, '\n').trim()] as const);
  const long = comments.find(([, text]) => text.length > 2000);
  if (long) {
    throw new AppError('VALIDATION_FAILED', `Shorten the comment to 2,000 characters or fewer (it has ${long[1].length.toLocaleString('en-CA')}).`, [{ field: `comment:${long[0]}`, message: 'too long' }]);
  }
  return db.kysely.transaction().execute(async (trx) => {
    const report = await findReport(trx, staff, options.reportId);
    if (report.issues.length > 0) {
      throw new AppError('CONFLICT', `This version was issued to ${report.issues[0]!.audienceWords}; its comments are part of it and cannot change. Generate a new version to comment again.`);
    }
    const unknown = comments.find(([key]) => !report.content.scorecard.some((r) => r.key === key));
    if (unknown) throw new AppError('VALIDATION_FAILED', `"${unknown[0].slice(0, 60)}" is not a row of this report’s scorecard.`, [{ field: 'row', message: 'unknown row' }]);
    let saved = 0;
    for (const [key, comment] of comments) {
      const before = report.comments[key]?.comment ?? '';
      if (comment === before) continue;
      saved += 1;
      if (comment === '') {
        await trx.deleteFrom('report_comment').where('report_id', '=', report.id).where('row_key', '=', key).execute();
        continue;
      }
      await trx
        .insertInto('report_comment')
        .values({ report_id: report.id, row_key: key, comment, written_at: now, written_by: staff.id })
        .onConflict((oc) => oc.columns(['report_id', 'row_key']).doUpdateSet({ comment, written_at: now, written_by: staff.id }))
        .execute();
    }
    return saved;
  });
}
