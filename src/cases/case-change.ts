import { DateTime } from 'luxon';
import type { Transaction } from 'kysely';
import type { Tx } from '../db/connect.js';
import type { Database } from '../db/schema.js';
import type { StaffMember } from '../directory/staff.js';
import type { Directory } from '../directory/directory-cache.js';
import { AppError } from '../platform/errors.js';
import type { BusinessCalendar } from '../standard/calendar.js';
import { loadCaseForChange, type CaseRow } from './case-record.js';
import { assertCanView, type CaseScope } from './case-policy.js';
import { messageContext, type CaseServices } from './case-services.js';
import type { MessageContext } from '../notify/templates.js';

export async function caseScope(tx: Tx, c: Pick<CaseRow, 'division_id' | 'transfer_to_division_id'>): Promise<CaseScope> {
  const ids = [c.division_id, ...(c.transfer_to_division_id ? [c.transfer_to_division_id] : [])];
  const departments = await tx.selectFrom('division').select('department_id').where('id', 'in', ids).execute();
  return { divisionId: c.division_id, transferToDivisionId: c.transfer_to_division_id, departmentIds: departments.map((d) => d.department_id) };
}

export interface ChangeContext {
  trx: Transaction<Database>;
  caseRow: CaseRow;
  now: Date;
  calendar: BusinessCalendar;
  directory: Directory;
  divisionName(id: number): string;
  /** The words of a customer message about this case, from the directory in memory. */
  messageContext(c: Parameters<typeof messageContext>[1], divisionId: number): MessageContext;
}

/**
 * Runs one change to one case: in a transaction, with the case locked, after checking that the
 * staff member can see it. The change itself checks what it needs beyond that.
 */
export async function changeCase<T>(services: CaseServices, staff: StaffMember, reference: string, change: (ctx: ChangeContext) => Promise<T>): Promise<T> {
  const now = services.clock.now();
  return services.db.kysely.transaction().execute(async (trx) => {
    const caseRow = await loadCaseForChange(trx, reference);
    assertCanView(staff, await caseScope(trx, caseRow), reference);
    const directory = await services.directory.get(trx);
    const divisionName = (id: number): string => {
      const division = directory.division(id);
      if (!division) throw new Error(`division ${id} is not in the directory`);
      return division.name;
    };
    return change({
      trx,
      caseRow,
      now,
      calendar: directory.calendar,
      directory,
      divisionName,
      messageContext: (c, divisionId) => messageContext(directory, c, divisionId),
    });
  });
}

/**
 * A date promised to the customer: a date (YYYY-MM-DD) means the close of administration hours
 * that day; a date and time is taken as given. It must be in the future.
 */
export function parsePromisedDate(text: string | undefined, field: string, calendar: BusinessCalendar, now: Date): Date {
  if (text === undefined || text.trim() === '') throw new AppError('VALIDATION_FAILED', `Give the ${field} as a date, e.g. 2026-12-04.`, [{ field, message: 'required' }]);
  const value = text.trim();
  // A promise more than five years out is a typo, and far years would make the calendar build them.
  const year = Number(/^\d{4}/.exec(value)?.[0] ?? NaN);
  const thisYear = DateTime.fromJSDate(now, { zone: calendar.timeZone }).year;
  if (!(year >= thisYear && year <= thisYear + 5)) {
    const passed = year < thisYear;
    throw new AppError('VALIDATION_FAILED', passed ? `The ${field} ${value} has already passed: give a date in the future.` : `"${value}" is not a date within the next five years; write e.g. ${thisYear}-12-04.`, [
      { field, message: passed ? 'must be in the future' : 'must be a date within five years' },
    ]);
  }
  let at: DateTime;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const day = DateTime.fromISO(value, { zone: calendar.timeZone });
    at = day.isValid ? DateTime.fromMillis(calendar.hoursOf(value).closes, { zone: calendar.timeZone }) : day;
  } else {
    at = DateTime.fromISO(value, { zone: calendar.timeZone });
  }
  if (!at.isValid) throw new AppError('VALIDATION_FAILED', `"${value}" is not a date; write e.g. 2026-12-04.`, [{ field, message: 'not a date' }]);
  if (at.toMillis() <= now.getTime()) {
    throw new AppError('VALIDATION_FAILED', `The ${field} ${value} has already passed: give a date in the future.`, [{ field, message: 'must be in the future' }]);
  }
  return at.toJSDate();
}
