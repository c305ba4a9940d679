import { DateTime } from 'luxon';
import type { ClosureDay } from './closures.js';
import type { Target } from './targets.js';

/**
 * The Standard's clock (INTERPRETATION §1): closure days, business days, the receipt business day
 * and due times for every kind of target, in the City's time zone across daylight-saving changes.
 *
 * Pure: it is given its rules and a source of closure days and never reads the clock. It keeps an
 * index of days (local midnight, opening and closing instants, business-day ordinals) for the years
 * it has been asked about, so every computation is a few array look-ups: N business days later is
 * one subtraction of ordinals, not a walk over N days.
 */

/**
 * The years citydesk keeps a closure calendar for: contacts are not recorded before 2000, and the
 * console shows closure years up to 2100. A closure day outside them is a typing mistake
 * (9999-12-31), not a plan.
 */
export const supportedYears = { first: 2000, last: 2100 } as const;

export interface AdministrationHours {
  /** ISO weekdays the City is open (1 = Monday … 7 = Sunday). */
  days: number[];
  /** Minutes after local midnight: 08:30 is 510. */
  opens: number;
  /** Minutes after local midnight: 16:30 is 990. */
  closes: number;
}

export interface CalendarRules {
  timeZone: string;
  hours: AdministrationHours;
}

export type ClosureSource = (year: number) => readonly ClosureDay[];

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

const epochDayOf = (date: string): number => {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  return Date.UTC(y, m - 1, d) / DAY_MS;
};
const dateOfEpochDay = (epochDay: number): string => new Date(epochDay * DAY_MS).toISOString().slice(0, 10);

interface Index {
  firstYear: number;
  lastYear: number;
  /** Epoch day (days since 1970-01-01) of the first local date in the index. */
  baseEpochDay: number;
  dayStart: Float64Array;
  opens: Float64Array;
  closes: Float64Array;
  business: Uint8Array;
  /** businessBefore[i]: how many business days come before day i (length = days + 1). */
  businessBefore: Int32Array;
  /** businessDay[k]: the index of the k-th business day (0-based). */
  businessDay: Int32Array;
  closureName: Map<number, string>;
}

export class BusinessCalendar {
  private index: Index | undefined;
  private readonly dayLengthMs: number;

  constructor(
    readonly rules: CalendarRules,
    private readonly closures: ClosureSource,
  ) {
    if (!DateTime.local().setZone(rules.timeZone).isValid) throw new Error(`Unknown time zone ${rules.timeZone}`);
    if (!(rules.hours.closes > rules.hours.opens)) throw new Error('Administration hours must close after they open');
    this.dayLengthMs = (rules.hours.closes - rules.hours.opens) * 60_000;
  }

  get timeZone(): string {
    return this.rules.timeZone;
  }

  /** The closure days of a year, sorted by date. */
  closureDays(year: number): ClosureDay[] {
    return [...this.closures(year)].sort((a, b) => a.date.localeCompare(b.date));
  }

  isClosureDay(date: string): boolean {
    const ix = this.covering(Number(date.slice(0, 4)));
    return ix.closureName.has(epochDayOf(date) - ix.baseEpochDay);
  }

  /** Monday to Friday (the administration days) and not a closure day. */
  isBusinessDay(date: string): boolean {
    const ix = this.covering(Number(date.slice(0, 4)));
    return ix.business[epochDayOf(date) - ix.baseEpochDay] === 1;
  }

  /** The local date (YYYY-MM-DD) of an instant in the City's time zone. */
  localDate(at: number): string {
    const ix = this.indexFor(at);
    return dateOfEpochDay(ix.baseEpochDay + this.dayOf(ix, at));
  }

  /**
   * §3.3: the receipt date when it is a business day and the receipt is before closing (16:30);
   * otherwise the next business day.
   */
  receiptBusinessDay(receivedAt: number): string {
    const ix = this.indexFor(receivedAt);
    const day = this.receiptDayIndex(ix, receivedAt);
    return dateOfEpochDay(ix.baseEpochDay + day);
  }

  /** The n-th business day after a date (n = 0: the date itself if a business day, else the next). */
  addBusinessDays(date: string, n: number): string {
    let ix = this.covering(Number(date.slice(0, 4)));
    for (;;) {
      const i = epochDayOf(date) - ix.baseEpochDay;
      const k = n === 0 ? ix.businessBefore[i]! : ix.businessBefore[i + 1]! + n - 1;
      if (k < ix.businessDay.length) return dateOfEpochDay(ix.baseEpochDay + ix.businessDay[k]!);
      ix = this.extendTo(ix.lastYear + Math.ceil(n / 240) + 1);
    }
  }

  /**
   * When a target that starts at `receivedAt` is due (INTERPRETATION §1):
   * - N business days: 16:30 on the N-th business day after the receipt business day;
   * - N business hours: N hours of administration time, from receipt or the next opening;
   * - N hours: N × 60 minutes of elapsed time; N calendar days: N × 24 hours of elapsed time.
   */
  dueAt(receivedAt: number, target: Target): number {
    switch (target.unit) {
      case 'hours':
        return receivedAt + target.amount * HOUR_MS;
      case 'calendar_days':
        return receivedAt + target.amount * DAY_MS;
      case 'business_days': {
        let ix = this.indexFor(receivedAt);
        for (;;) {
          const k = ix.businessBefore[this.receiptDayIndex(ix, receivedAt)]! + target.amount;
          if (k < ix.businessDay.length) return ix.closes[ix.businessDay[k]!]!;
          ix = this.extendTo(ix.lastYear + Math.ceil(target.amount / 240) + 1);
        }
      }
      case 'business_hours':
        return this.addBusinessTime(receivedAt, target.amount * HOUR_MS);
    }
  }

  /** Adds administration time to an instant: the clock only runs while the City is open. */
  addBusinessTime(from: number, durationMs: number): number {
    let ix = this.indexFor(from);
    for (;;) {
      let day = this.dayOf(ix, from);
      let start: number;
      if (ix.business[day] === 1 && from < ix.closes[day]!) {
        start = Math.max(from, ix.opens[day]!);
      } else {
        const k = ix.businessBefore[day + 1]!;
        if (k >= ix.businessDay.length) {
          ix = this.extendTo(ix.lastYear + 1);
          continue;
        }
        day = ix.businessDay[k]!;
        start = ix.opens[day]!;
      }
      const firstDay = ix.closes[day]! - start;
      if (durationMs <= firstDay) return start + durationMs;
      const rest = durationMs - firstDay;
      const more = Math.ceil(rest / this.dayLengthMs);
      const k = ix.businessBefore[day]! + more;
      if (k >= ix.businessDay.length) {
        ix = this.extendTo(ix.lastYear + Math.ceil(more / 240) + 1);
        continue;
      }
      return ix.opens[ix.businessDay[k]!]! + (rest - (more - 1) * this.dayLengthMs);
    }
  }

  /** Administration time (ms) between two instants: what the business-hours clock counts. */
  businessTimeBetween(from: number, to: number): number {
    if (to <= from) return 0;
    const ix = this.spanning(from, to);
    const a = this.dayOf(ix, from);
    const b = this.dayOf(ix, to);
    const open = (i: number, lo: number, hi: number): number =>
      ix.business[i] === 1 ? Math.max(0, Math.min(hi, ix.closes[i]!) - Math.max(lo, ix.opens[i]!)) : 0;
    if (a === b) return open(a, from, to);
    const fullDays = ix.businessBefore[b]! - ix.businessBefore[a + 1]!;
    return open(a, from, Infinity) + fullDays * this.dayLengthMs + open(b, -Infinity, to);
  }

  /** Business days from the receipt business day of `from` to the local date of `to` (0: same day). */
  businessDaysBetween(from: number, to: number): number {
    const ix = this.spanning(from, to);
    return Math.max(0, ix.businessBefore[this.dayOf(ix, to)]! - ix.businessBefore[this.receiptDayIndex(ix, from)]!);
  }

  /** ISO-8601 with the City's offset, to the second: 2026-12-01T16:30:00-05:00. */
  format(at: number): string {
    return DateTime.fromMillis(at, { zone: this.rules.timeZone }).toISO({ suppressMilliseconds: true })!;
  }

  /** Opening and closing instants of a local date (even if it is not a business day). */
  hoursOf(date: string): { opens: number; closes: number } {
    const ix = this.covering(Number(date.slice(0, 4)));
    const i = epochDayOf(date) - ix.baseEpochDay;
    return { opens: ix.opens[i]!, closes: ix.closes[i]! };
  }

  /** Whether the City's administration hours are on at an instant (business day, opens ≤ t < closes). */
  isOpenAt(at: number): boolean {
    const ix = this.indexFor(at);
    const i = this.dayOf(ix, at);
    return ix.business[i] === 1 && at >= ix.opens[i]! && at < ix.closes[i]!;
  }

  // ---- the index ----

  private receiptDayIndex(ix: Index, receivedAt: number): number {
    const day = this.dayOf(ix, receivedAt);
    if (ix.business[day] === 1 && receivedAt < ix.closes[day]!) return day;
    const k = ix.businessBefore[day + 1]!;
    if (k >= ix.businessDay.length) return this.receiptDayIndex(this.extendTo(ix.lastYear + 1), receivedAt);
    return ix.businessDay[k]!;
  }

  private dayOf(ix: Index, at: number): number {
    let i = Math.floor((at - ix.dayStart[0]!) / DAY_MS);
    const last = ix.dayStart.length - 1;
    if (i > last) i = last;
    if (i < 0) i = 0;
    while (i > 0 && at < ix.dayStart[i]!) i -= 1;
    while (i < last && at >= ix.dayStart[i + 1]!) i += 1;
    return i;
  }

  private indexFor(at: number): Index {
    const ix = this.index;
    // Leave a year of margin after the instant so targets that run past it need no rebuild.
    if (ix && at >= ix.dayStart[0]! + DAY_MS && at < ix.dayStart[ix.dayStart.length - 1]! - 366 * DAY_MS) return ix;
    const year = DateTime.fromMillis(at, { zone: this.rules.timeZone }).year;
    return this.covering(year, year + 1);
  }

  private spanning(from: number, to: number): Index {
    // Both instants well inside the index built already: no need to read their years (hot in imports).
    const ix = this.index;
    if (ix && Math.min(from, to) >= ix.dayStart[0]! + DAY_MS && Math.max(from, to) < ix.dayStart[ix.dayStart.length - 1]! - 366 * DAY_MS) return ix;
    const zone = this.rules.timeZone;
    return this.covering(DateTime.fromMillis(Math.min(from, to), { zone }).year, DateTime.fromMillis(Math.max(from, to), { zone }).year + 1);
  }

  private covering(year: number, through = year): Index {
    const ix = this.index;
    if (ix && year >= ix.firstYear && through <= ix.lastYear) return ix;
    const first = Math.min(ix?.firstYear ?? year - 1, year - 1);
    const last = Math.max(ix?.lastYear ?? through + 2, through + 1);
    return this.build(first, last);
  }

  private extendTo(lastYear: number): Index {
    const ix = this.index!;
    if (lastYear > ix.firstYear + 400) throw new RangeError('A target that long is beyond the calendar citydesk keeps (400 years)');
    return this.build(ix.firstYear, Math.max(lastYear, ix.lastYear + 1));
  }

  private build(firstYear: number, lastYear: number): Index {
    const zone = this.rules.timeZone;
    const baseEpochDay = Date.UTC(firstYear, 0, 1) / DAY_MS;
    const days = Date.UTC(lastYear + 1, 0, 1) / DAY_MS - baseEpochDay;
    const dayStart = new Float64Array(days + 1);
    const opens = new Float64Array(days);
    const closes = new Float64Array(days);
    const business = new Uint8Array(days);
    const businessBefore = new Int32Array(days + 1);
    const closureName = new Map<number, string>();
    for (let year = firstYear; year <= lastYear; year += 1) {
      for (const closure of this.closures(year)) {
        const i = epochDayOf(closure.date) - baseEpochDay;
        if (i >= 0 && i < days) closureName.set(i, closure.name);
      }
    }
    const { opens: openMin, closes: closeMin, days: openDays } = this.rules.hours;
    let count = 0;
    const businessList: number[] = [];
    for (let i = 0; i <= days; i += 1) {
      const date = DateTime.fromMillis((baseEpochDay + i) * DAY_MS, { zone: 'UTC' });
      const local = DateTime.fromObject({ year: date.year, month: date.month, day: date.day }, { zone });
      dayStart[i] = local.toMillis();
      if (i === days) break;
      opens[i] = local.set({ hour: Math.floor(openMin / 60), minute: openMin % 60 }).toMillis();
      closes[i] = local.set({ hour: Math.floor(closeMin / 60), minute: closeMin % 60 }).toMillis();
      businessBefore[i] = count;
      if (openDays.includes(local.weekday) && !closureName.has(i)) {
        business[i] = 1;
        businessList.push(i);
        count += 1;
      }
    }
    businessBefore[days] = count;
    this.index = {
      firstYear,
      lastYear,
      baseEpochDay,
      dayStart,
      opens,
      closes,
      business,
      businessBefore,
      businessDay: Int32Array.from(businessList),
      closureName,
    };
    return this.index;
  }
}

/** "08:30" → 510. */
export function minutesOfDay(text: string): number | undefined {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}
