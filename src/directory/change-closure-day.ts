import type { Db, Tx } from '../db/connect.js';
import { defaultClosureDays } from '../standard/closures.js';
import { changeClosureCalendar } from './change-closure-calendar.js';
import { assertAdministrator, recordDirectoryEvent } from './directory-audit.js';
import { loadMunicipality } from './municipality.js';
import type { StaffMember } from './staff.js';

/**
 * An administrator adds or removes a closure day from the console (INTERPRETATION §1): the change
 * itself is changeClosureCalendar's; this checks the role and records the directory event in the
 * same transaction.
 */
export async function changeClosureDay(options: {
  db: Db;
  actor: StaffMember;
  action: 'add' | 'remove';
  date: string;
  name?: string | undefined;
  reason?: string | undefined;
  now: Date;
}): Promise<void> {
  const { db, actor, action, date, now } = options;
  assertAdministrator(actor);
  const name = options.name?.trim() || undefined;
  const reason = options.reason?.trim() || undefined;
  // The change and its audit event stand or fall together.
  await db.kysely.transaction().execute(async (tx) => {
    await changeClosureCalendar({ db, tx, action, date, ...(name ? { name } : {}), ...(reason ? { reason } : {}), changedBy: actor.email, now });
    await recordDirectoryEvent(tx, { actor, type: action === 'add' ? 'closure_day_added' : 'closure_day_removed', data: { date, name: name ?? null, reason: reason ?? null }, now });
  });
}

export interface ClosureDayEntry {
  date: string;
  name: string;
  /** A default holiday, a day an administrator added, or a default an administrator removed. */
  source: 'default' | 'added' | 'removed';
  changedBy: string | null;
  changedAt: Date | null;
  reason: string | null;
}

/** A year's closure days as the calendar has them, with the administrators' removals listed too. */
export async function listClosureDays(tx: Tx, year: number): Promise<ClosureDayEntry[]> {
  const municipality = await loadMunicipality(tx);
  const defaults = defaultClosureDays(year, municipality.settings.closureRules);
  const changes = await tx
    .selectFrom('closure_change')
    .selectAll()
    .where('closure_date', '>=', `${year}-01-01`)
    .where('closure_date', '<=', `${year}-12-31`)
    .execute();
  const byDate = new Map(changes.map((c) => [c.closure_date, c]));
  const entries: ClosureDayEntry[] = defaults.map((d) => {
    const change = byDate.get(d.date);
    if (change?.action === 'remove') return { ...d, source: 'removed', changedBy: change.changed_by, changedAt: new Date(change.changed_at), reason: change.reason };
    if (change?.action === 'add') return { date: d.date, name: change.name, source: 'added', changedBy: change.changed_by, changedAt: new Date(change.changed_at), reason: change.reason };
    return { ...d, source: 'default', changedBy: null, changedAt: null, reason: null };
  });
  const defaultDates = new Set(defaults.map((d) => d.date));
  for (const change of changes) {
    if (change.action === 'add' && !defaultDates.has(change.closure_date)) {
      entries.push({ date: change.closure_date, name: change.name, source: 'added', changedBy: change.changed_by, changedAt: new Date(change.changed_at), reason: change.reason });
    }
  }
  return entries.sort((a, b) => a.date.localeCompare(b.date));
}
