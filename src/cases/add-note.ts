import type { StaffMember } from '../directory/staff.js';
import { AppError } from '../platform/errors.js';
import { recordEvent } from './case-record.js';
import { changeCase } from './case-change.js';
import type { CaseServices } from './case-services.js';

/** An internal note: staff who can see the case read it; the customer never does. */
export async function addNote(options: { services: CaseServices; staff: StaffMember; reference: string; input: { text: string } }): Promise<void> {
  const { services, staff, reference, input } = options;
  if (!input.text?.trim()) throw new AppError('VALIDATION_FAILED', 'A note needs some text.', [{ field: 'text', message: 'required' }]);
  await changeCase(services, staff, reference, async ({ trx, caseRow, now }) => {
    await recordEvent(trx, { caseId: caseRow.id, at: now, actor: staff, type: 'note', data: { text: input.text.trim() } });
  });
}
