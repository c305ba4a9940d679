import Holidays from 'date-holidays';

/**
 * Closure days (INTERPRETATION §1): the City's holidays, generated for any year from the
 * `date-holidays` data for the configured country and region, kept to the holidays the City
 * observes, plus recurring closures of its own, with weekend holidays moved to the next weekday
 * that is not already a holiday. Administrators' additions and removals are applied on top by
 * `applyClosureChanges`.
 */

export interface ClosureDay {
  /** The local date, YYYY-MM-DD. */
  date: string;
  name: string;
}

export interface ClosureRules {
  /** ISO country code for date-holidays, e.g. "CA". */
  country: string;
  /** Region (province or state) code for date-holidays, e.g. "ON". */
  region?: string | undefined;
  /** The holidays the City closes for, by their date-holidays English names. */
  include: string[];
  /** Recurring closures of the City's own, as date-holidays rules ("1st monday in August"). */
  add: { name: string; rule: string }[];
  /** ISO weekdays (1 = Monday) a weekend holiday may move to: the administration days. */
  weekdays: number[];
  /** Appended to the name of a holiday moved off a weekend. */
  observedSuffix: string;
}

const engines = new Map<string, Holidays>();

function engineFor(rules: ClosureRules): Holidays {
  const key = JSON.stringify([rules.country, rules.region ?? null, rules.add]);
  let engine = engines.get(key);
  if (!engine) {
    engine = rules.region ? new Holidays(rules.country, rules.region) : new Holidays(rules.country);
    for (const extra of rules.add) {
      if (!engine.setHoliday(extra.rule, { name: { en: extra.name }, type: 'public' })) {
        throw new Error(`"${extra.rule}" is not a holiday rule date-holidays understands`);
      }
    }
    engines.set(key, engine);
  }
  return engine;
}

/** Checks rules without generating a year; returns what is wrong, or nothing. */
export function checkClosureRules(rules: ClosureRules): string[] {
  const problems: string[] = [];
  const probe = rules.region ? new Holidays(rules.country, rules.region) : new Holidays(rules.country);
  if (Object.keys(probe.getCountries()).indexOf(rules.country) < 0) {
    return [`country "${rules.country}" is not known to date-holidays`];
  }
  if (rules.region && !Object.hasOwn(probe.getStates(rules.country) ?? {}, rules.region)) {
    return [`region "${rules.region}" is not a region of ${rules.country} in date-holidays`];
  }
  for (const extra of rules.add) {
    if (!probe.setHoliday(extra.rule, { name: { en: extra.name }, type: 'public' })) {
      problems.push(`add: "${extra.rule}" (${extra.name}) is not a date-holidays rule, e.g. "1st monday in August"`);
    }
  }
  const known = new Set<string>();
  for (let year = 2024; year <= 2030; year += 1) for (const h of probe.getHolidays(year, 'en')) known.add(h.name);
  for (const name of rules.include) {
    if (!known.has(name)) problems.push(`include: "${name}" is not a holiday of ${rules.country}${rules.region ? `-${rules.region}` : ''}; known: ${[...known].sort().join(', ')}`);
  }
  return problems;
}

const isoWeekday = (date: string): number => {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return day === 0 ? 7 : day;
};

const nextDate = (date: string): string => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/** The default closure days of one year, sorted by date. */
export function defaultClosureDays(year: number, rules: ClosureRules): ClosureDay[] {
  const wanted = new Set([...rules.include, ...rules.add.map((a) => a.name)]);
  const holidays = engineFor(rules)
    .getHolidays(year, 'en')
    .filter((h) => wanted.has(h.name))
    .map((h) => ({ date: h.date.slice(0, 10), name: h.name }))
    .sort((a, b) => a.date.localeCompare(b.date));

  // A holiday on a weekend moves to the next weekday not already a holiday, in date order, so
  // Christmas on Saturday goes to Monday and Boxing Day on Sunday to Tuesday.
  const taken = new Set(holidays.filter((h) => rules.weekdays.includes(isoWeekday(h.date))).map((h) => h.date));
  const result: ClosureDay[] = [];
  for (const holiday of holidays) {
    if (rules.weekdays.includes(isoWeekday(holiday.date))) {
      result.push(holiday);
      continue;
    }
    let date = nextDate(holiday.date);
    while (!rules.weekdays.includes(isoWeekday(date)) || taken.has(date)) date = nextDate(date);
    taken.add(date);
    result.push({ date, name: `${holiday.name}${rules.observedSuffix}` });
  }
  return result.sort((a, b) => a.date.localeCompare(b.date));
}

/** An administrator's change to the closure calendar, stored in the database. */
export interface ClosureChange {
  date: string;
  action: 'add' | 'remove';
  name: string;
}

export function applyClosureChanges(defaults: readonly ClosureDay[], changes: readonly ClosureChange[]): ClosureDay[] {
  const byDate = new Map(defaults.map((d) => [d.date, d]));
  for (const change of changes) {
    if (change.action === 'remove') byDate.delete(change.date);
    else byDate.set(change.date, { date: change.date, name: change.name });
  }
  return [...byDate.values()].sort((a, b) => a.date.localeCompare(b.date));
}
