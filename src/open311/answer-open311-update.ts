import { sql } from 'kysely';
import { assertResponsibleDivision } from '../cases/case-policy.js';
import { changeCase } from '../cases/case-change.js';
import { recordEvent } from '../cases/case-record.js';
import type { CaseServices } from '../cases/case-services.js';
import type { StaffMember } from '../directory/staff.js';
import { AppError } from '../platform/errors.js';
import { waitingCondition } from './list-waiting-updates.js';

/**
 * The division answers the residents who say, through an Open311 app, that a resolved request is
 * not fixed (every such update of the case still waiting), and keeps it resolved (the other way is
 * to reopen it). The answer is public: the app
 * fetches it with the updates (GET servicerequestupdates), so the resident reads it there. Whoever
 * may reopen the case may answer (the responsible division, and Customer Service).
 */
export async function answerOpen311Updates(options: { services: CaseServices; staff: StaffMember; reference: string; answer: string }): Promise<void> {
  const { services, staff, reference } = options;
  const answer = options.answer.trim();
  if (answer === '') throw new AppError('VALIDATION_FAILED', 'Write the answer the resident will read in the app.', [{ field: 'answer', message: 'required' }]);
  if (answer.length > 4000) throw new AppError('VALIDATION_FAILED', 'The answer can have at most 4,000 characters.', [{ field: 'answer', message: 'at most 4,000 characters' }]);
  await changeCase(services, staff, reference, async ({ trx, caseRow, now, divisionName }) => {
    assertResponsibleDivision(staff, caseRow, 'reopen', divisionName(caseRow.division_id));
    const { rows } = await sql<{ id: string | number; update_id: string; via: string | null }>`
      select u.id, u.update_id, e.data->>'via' as via
      from open311_update u join service_case c on c.id = u.case_id join case_event e on e.id = u.case_event_id
      where u.case_id = ${caseRow.id} and ${waitingCondition}
      order by u.id
      for update of u`.execute(trx);
    if (rows.length === 0) throw new AppError('CONFLICT', `No resident's update on ${reference} is waiting for an answer: it was answered already, or the case was reopened.`);
    await sql`update open311_update set attended_at = ${now}, attended_by = ${staff.id} where id in (${sql.join(rows.map((r) => r.id))})`.execute(trx);
    const via = [...new Set(rows.map((r) => r.via ?? 'open311'))];
    await recordEvent(trx, { caseId: caseRow.id, at: now, actor: staff, type: 'customer_update_answered', data: { answer, updateIds: rows.map((r) => r.update_id), via: via.join(', ') } });
  });
}
