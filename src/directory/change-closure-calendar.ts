import { sql } from 'kysely';
import type { Transaction } from 'kysely';
import type { Db } from '../db/connect.js';
import type { Database } from '../db/schema.js';
import { AppError } from '../platform/errors.js';
import { supportedYears } from '../standard/calendar.js';
import { defaultClosureDays } from '../standard/closures.js';
import { loadMunicipality } from './municipality.js';

const isDate = (value: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(value) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);

/**
 * An administrator adds a closure day (a one-off closure, or a holiday the defaults leave out,
 * such as Easter Monday) or removes one. The change is stored against the date and every server
 * copy picks it up through the calendar and directory revisions.
 */
export async function changeClosureCalendar(options: {
  db: Db;
  action: 'add' | 'remove';
  date: string;
  name?: string;
  reason?: string;
  changedBy: string;
  now: Date;
  /** The transaction to do it in (the caller writes its audit event in the same one). */
  tx?: Transaction<Database>;
}): Promise<void> {
  const { db, action, date, changedBy, now } = options;
  if (!isDate(date)) throw new AppError('VALIDATION_FAILED', `"${date}" is not a date; write YYYY-MM-DD.`, [{ field: 'date', message: 'not a date' }]);
  const year = Number(date.slice(0, 4));
  if (year < supportedYears.first || year > supportedYears.last) {
    throw new AppError('VALIDATION_FAILED', `${date} is outside the years citydesk keeps a calendar for (${supportedYears.first} to ${supportedYears.last}); check the year.`, [
      { field: 'date', message: `must be in ${supportedYears.first} to ${supportedYears.last}` },
    ]);
  }
  const name = options.name?.trim();
  if (action === 'add' && !name) throw new AppError('VALIDATION_FAILED', 'A closure day needs a name, e.g. "Christmas Eve closure".', [{ field: 'name', message: 'required' }]);
  const change = async (trx: Transaction<Database>): Promise<void> => {
    const municipality = await loadMunicipality(trx);
    const isDefault = defaultClosureDays(Number(date.slice(0, 4)), municipality.settings.closureRules).some((d) => d.date === date);
    const existing = await trx.selectFrom('closure_change').selectAll().where('closure_date', '=', date).executeTakeFirst();
    if (action === 'add') {
      if (isDefault && existing?.action !== 'remove') throw new AppError('CONFLICT', `${date} is already a closure day.`);
      if (isDefault) await trx.deleteFrom('closure_change').where('closure_date', '=', date).execute();
      else {
        await trx
          .insertInto('closure_change')
          .values({ closure_date: date, action: 'add', name: name!, reason: options.reason ?? null, changed_by: changedBy, changed_at: now })
          .onConflict((oc) => oc.column('closure_date').doUpdateSet({ action: 'add', name: name!, reason: options.reason ?? null, changed_by: changedBy, changed_at: now }))
          .execute();
      }
    } else {
      if (existing?.action === 'add') await trx.deleteFrom('closure_change').where('closure_date', '=', date).execute();
      else if (isDefault && !existing) {
        await trx
          .insertInto('closure_change')
          .values({ closure_date: date, action: 'remove', name: 'removed', reason: options.reason ?? null, changed_by: changedBy, changed_at: now })
          .execute();
      } else throw new AppError('NOT_FOUND', `${date} is not a closure day, so there is nothing to remove.`);
    }
    await trx
      .updateTable('municipality')
      .set({ calendar_revision: sql`calendar_revision + 1`, directory_revision: sql`directory_revision + 1`, updated_at: now })
      .execute();
  };
  await (options.tx ? change(options.tx) : db.kysely.transaction().execute(change));
}
