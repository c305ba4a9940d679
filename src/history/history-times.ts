import { DateTime } from 'luxon';

/**
 * How another system's export wrote its times, and reading them back as instants. Sources differ:
 * NYC and Baltimore write floating local time; SF writes local time with a "+00:00" that is not
 * true; Boston's export is local time shifted by the zone's offset once more. The rule is chosen
 * per source (each format has its default; `--times` overrides it), and the import reports the
 * hour-of-day spread it produced so an operator sees a wrong choice before committing.
 *
 * - `local`: the digits are the wall-clock time in the source's zone; any offset written is ignored.
 * - `utc`: the digits are UTC (an offset written with them is honoured).
 * - `offset`: each time carries its offset, and it is true (Open311, ISO 8601).
 * - `shifted`: the digits are the local time with the zone's UTC offset applied once more (an
 *   export that took local time for UTC and converted it again); the import undoes the shift.
 */
export type TimeRule = 'local' | 'utc' | 'offset' | 'shifted';
export const timeRules: readonly TimeRule[] = ['local', 'utc', 'offset', 'shifted'];

/** A time as written, before any rule: its digits and what it said about itself. */
export interface WrittenTime {
  /** The digits read as if they were UTC, in milliseconds. */
  digits: number;
  /** The offset written with it, in minutes, or null when it had none. */
  offsetMinutes: number | null;
  /** Only a date (or midnight exactly): the time of day was not recorded. */
  dateOnly: boolean;
  /** Written M/D/YY: a two-digit year. */
  shortYear: boolean;
  year: number;
}

const MONTH_DAY = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*([AaPp][Mm])?)?$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** Reads a written time, or null when the text is not one (the caller says where and why). */
export function readWrittenTime(text: string): WrittenTime | null {
  const t = text.trim();
  let year: number, month: number, day: number, hour = 0, minute = 0, second = 0, millis = 0;
  let offsetMinutes: number | null = null;
  let hasTime = false;
  let shortYear = false;
  let m = ISO.exec(t);
  if (m) {
    year = Number(m[1]);
    month = Number(m[2]);
    day = Number(m[3]);
    if (m[4] !== undefined) {
      hasTime = true;
      hour = Number(m[4]);
      minute = Number(m[5]);
      second = m[6] ? Number(m[6]) : 0;
      millis = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
      const zone = m[8];
      if (zone) offsetMinutes = zone === 'Z' ? 0 : offsetOf(zone);
    }
  } else {
    m = MONTH_DAY.exec(t);
    if (!m) return null;
    month = Number(m[1]);
    day = Number(m[2]);
    shortYear = m[3]!.length === 2;
    // Two-digit years are this century's up to 69, as most spreadsheets read them.
    year = shortYear ? (Number(m[3]) < 70 ? 2000 + Number(m[3]) : 1900 + Number(m[3])) : Number(m[3]);
    if (m[4] !== undefined) {
      hasTime = true;
      hour = Number(m[4]);
      minute = Number(m[5]);
      second = m[6] ? Number(m[6]) : 0;
      millis = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
      const half = m[8]?.toUpperCase();
      if (half) {
        if (hour < 1 || hour > 12) return null;
        if (half === 'AM' && hour === 12) hour = 0;
        if (half === 'PM' && hour !== 12) hour += 12;
      }
    }
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
  const digits = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  // Date.UTC rolls 31 February over into March: that is not a date.
  if (new Date(digits).getUTCDate() !== day) return null;
  const dateOnly = !hasTime || (hour === 0 && minute === 0 && second === 0 && millis === 0);
  return { digits, offsetMinutes, dateOnly, shortYear, year };
}

function offsetOf(zone: string): number {
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
}

/**
 * Turns written times into instants by one rule in one zone. Zone offsets are looked up once per
 * local hour and kept, so a million rows cost a few thousand time-zone look-ups.
 */
export class TimeReader {
  private readonly wallOffsets = new Map<number, number>();
  private readonly instantOffsets = new Map<number, number>();
  private readonly changeDayOffsets = new Map<number, number>();
  constructor(
    readonly rule: TimeRule,
    readonly zone: string,
  ) {
    if (!DateTime.local().setZone(zone).isValid) throw new Error(`"${zone}" is not a time zone`);
  }

  /**
   * The zone's offset (ms) at a wall-clock time given as UTC digits. A day without a change of
   * offset (all but two a year) is looked up once; a day with one, hour by hour.
   */
  private offsetAtWall(digits: number): number {
    const dayKey = Math.floor(digits / 86_400_000);
    let offset = this.wallOffsets.get(dayKey);
    if (offset === undefined) {
      const first = this.wallOffsetAtHour(dayKey * 24);
      const last = this.wallOffsetAtHour(dayKey * 24 + 23);
      // NaN marks a day whose offset changes: its hours are looked up one by one.
      offset = first === last ? first : NaN;
      this.wallOffsets.set(dayKey, offset);
    }
    if (!Number.isNaN(offset)) return offset;
    const hourKey = Math.floor(digits / 3_600_000);
    let hourly = this.changeDayOffsets.get(hourKey);
    if (hourly === undefined) {
      hourly = this.wallOffsetAtHour(hourKey);
      this.changeDayOffsets.set(hourKey, hourly);
    }
    return hourly;
  }

  private wallOffsetAtHour(hourKey: number): number {
    const d = new Date(hourKey * 3_600_000);
    const local = DateTime.fromObject({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours() }, { zone: this.zone });
    return local.offset * 60_000;
  }

  /** The zone's offset (ms) at an instant. */
  offsetAtInstant(instant: number): number {
    // The offset at the wall time the instant would have in the zone's standard time is the same
    // as at the instant except within an hour of a change: check both ends.
    const dayKey = Math.floor(instant / 86_400_000);
    let offset = this.instantOffsets.get(dayKey);
    if (offset === undefined) {
      const first = DateTime.fromMillis(dayKey * 86_400_000, { zone: this.zone }).offset;
      const last = DateTime.fromMillis(dayKey * 86_400_000 + 86_399_999, { zone: this.zone }).offset;
      offset = first === last ? first * 60_000 : NaN;
      this.instantOffsets.set(dayKey, offset);
    }
    if (!Number.isNaN(offset)) return offset;
    return DateTime.fromMillis(instant, { zone: this.zone }).offset * 60_000;
  }

  /** The instant a written time stands for, or a message saying why this rule cannot read it. */
  instant(written: WrittenTime): number | string {
    switch (this.rule) {
      case 'local':
        return written.digits - this.offsetAtWall(written.digits);
      case 'utc':
        return written.digits - (written.offsetMinutes ?? 0) * 60_000;
      case 'offset':
        if (written.offsetMinutes === null) return 'has no UTC offset, which the time rule "offset" needs (choose --times local or utc)';
        return written.digits - written.offsetMinutes * 60_000;
      case 'shifted': {
        const wall = written.digits - this.offsetAtWall(written.digits);
        return wall - this.offsetAtWall(wall);
      }
    }
  }

  /** The local hour of day (0–23) of an instant in the source's zone. */
  localHour(instant: number): number {
    const wall = instant + this.offsetAtInstant(instant);
    return new Date(wall).getUTCHours();
  }
}
