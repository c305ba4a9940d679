import { DateTime } from 'luxon';
import { clockTime } from '../platform/time-words.js';

/** How pages write dates, times and numbers for people: in the City's time zone, in plain words. */

const toDateTime = (at: string | Date | number, zone: string): DateTime =>
  (typeof at === 'string' ? DateTime.fromISO(at) : typeof at === 'number' ? DateTime.fromMillis(at) : DateTime.fromJSDate(at)).setZone(zone);

/** "Thu 5 Mar 2026, 4:30 pm": for tables. */
export function formatShortDateTime(at: string | Date | number, zone: string): string {
  const t = toDateTime(at, zone).setLocale('en-CA');
  return `${t.toFormat('ccc d LLL yyyy')}, ${clockTime(t.hour, t.minute)}`;
}

/** "Thursday 5 March 2026". */
export function formatDate(at: string | Date | number, zone: string): string {
  return toDateTime(at, zone).setLocale('en-CA').toFormat('cccc d LLLL yyyy');
}

/** 1234 → "1,234". */
export function formatCount(n: number): string {
  return n.toLocaleString('en-CA');
}

/** "3 days", "1 day 2 hours", "45 minutes": a span in its two largest units. */
export function formatSpan(ms: number): string {
  const minutes = Math.max(1, Math.round(Math.abs(ms) / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (days > 0) return hours > 0 ? `${unit(days, 'day')} ${unit(hours, 'hour')}` : unit(days, 'day');
  if (hours > 0) return mins > 0 ? `${unit(hours, 'hour')} ${unit(mins, 'minute')}` : unit(hours, 'hour');
  return unit(mins, 'minute');
}

/** A deadline against now, in words: "overdue by 2 days 3 hours" or "due in 45 minutes". */
export function dueInWords(due: string | Date | number, now: Date): { overdue: boolean; words: string } {
  const ms = toDateTime(due, 'UTC').toMillis() - now.getTime();
  return ms < 0 ? { overdue: true, words: `overdue by ${formatSpan(-ms)}` } : { overdue: false, words: `due in ${formatSpan(ms)}` };
}

/** The words after an "Overdue" badge: "by 2 days 3 hours", so the page says "Overdue" once. */
export const afterOverdueBadge = (words: string): string => words.replace(/^overdue /, '');

/** A calendar date (YYYY-MM-DD, no time or zone: a closure day, an effective date) → "Wednesday 1 April 2026". */
export function formatCalendarDate(date: string): string {
  return DateTime.fromISO(date, { zone: 'UTC' }).setLocale('en-CA').toFormat('cccc d LLLL yyyy');
}

/**
 * Pages write hundreds of instants (a case's timeline of 200 entries), and a Luxon DateTime costs
 * tens of microseconds each: the long forms keep one Intl formatter per zone (the time-zone rules
 * Luxon itself uses) and assemble their words from its parts.
 */
const zonedParts = new Map<string, Intl.DateTimeFormat>();
function partsOf(at: string | Date | number, zone: string): Record<string, string> {
  let format = zonedParts.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone: zone, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: 'numeric', minute: '2-digit', hourCycle: 'h23' });
    zonedParts.set(zone, format);
  }
  const ms = typeof at === 'number' ? at : typeof at === 'string' ? Date.parse(at) : at.getTime();
  const parts: Record<string, string> = {};
  for (const p of format.formatToParts(ms)) parts[p.type] = p.value;
  parts['time'] = clockTime(Number(parts['hour']), Number(parts['minute']));
  return parts;
}

/** "Thursday 5 March 2026, 4:30 pm". */
export function formatDateTime(at: string | Date | number, zone: string): string {
  const p = partsOf(at, zone);
  return `${p['weekday']} ${p['day']} ${p['month']} ${p['year']}, ${p['time']}`;
}

/**
 * When a target is due, as its unit counts: a target in calendar days is a day ("Monday 9 March
 * 2026"), not the hour of the receipt it happens to fall on ("3:22 am"); the others are a date and time.
 */
export function formatTargetDue(at: string | Date | number, zone: string, unit: string | undefined): string {
  return unit === 'calendar_days' ? formatDate(at, zone) : formatDateTime(at, zone);
}

/** "Thursday 5 March, 4:30 pm": a near date and time, where the year goes without saying. */
export function formatDayTime(at: string | Date | number, zone: string): string {
  const p = partsOf(at, zone);
  return `${p['weekday']} ${p['day']} ${p['month']}, ${p['time']}`;
}

/**
 * Residents' words never cite the Standard's clauses: "(CSS §5.3)" is for staff. Removes a clause in
 * brackets and, failing that, a bare "CSS §3.2" or "§3.2" (issue 19).
 */
export const withoutClauses = (text: string): string =>
  text
    .replace(/\s*\((?:CSS )?§[^)]*\)/g, '')
    .replace(/\s*(?:under |per |see )?(?:CSS )?§\s?\d+(?:\.\d+)*(?:\s?(?:and|,)\s?§?\d+(?:\.\d+)*)*/g, '');

/**
 * The hints of date fields (issue 18): a date field shows its parts in the order of the browser's
 * language (2026-03-09, 03/09/2026 or 09/03/2026) and sends YYYY-MM-DD whatever it shows, so a
 * hint gives an example day in words (formatDate's or formatCalendarDate's) and how to give it,
 * never a pattern the field may not show.
 */
export const dateFieldHint = (exampleDay: string): string => `For example ${exampleDay}: choose the day in the calendar, or type it in the order the field shows.`;

/** The same for a date-and-time field ("datetime-local"): an example in formatDateTime's words. */
export const dateTimeFieldHint = (exampleDayAndTime: string): string =>
  `For example ${exampleDayAndTime}: choose the day in the calendar and type the time, in the order the field shows.`;
