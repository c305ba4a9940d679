import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { sampleCalendar, TORONTO } from '../helpers/factories.js';
import { targetUnits, type Target } from '../../src/standard/targets.js';
import type { BusinessCalendar } from '../../src/standard/calendar.js';

const calendar = sampleCalendar();
const HOUR = 3_600_000;

const start = Date.parse('2024-01-01T00:00:00-05:00');
const end = Date.parse('2031-01-01T00:00:00-05:00');
/** Any instant from 2024 to 2030, to the minute, with extra weight on the edges of the day. */
const instant = fc.oneof(
  fc.integer({ min: start / 60_000, max: end / 60_000 }).map((m) => m * 60_000),
  fc.tuple(fc.integer({ min: 0, max: 2556 }), fc.constantFrom('08:29', '08:30', '16:29', '16:30', '16:31', '00:00', '23:59', '01:30', '02:30')).map(([d, time]) =>
    DateTime.fromISO(`${DateTime.fromMillis(start, { zone: TORONTO }).plus({ days: d }).toISODate()}T${time}`, { zone: TORONTO }).toMillis(),
  ),
);
const target = fc.record({ amount: fc.integer({ min: 0, max: 60 }), unit: fc.constantFrom(...targetUnits) }).filter((t) => t.amount > 0 || t.unit === 'business_days') as fc.Arbitrary<Target>;

const local = (ms: number): DateTime => DateTime.fromMillis(ms, { zone: TORONTO });

describe('properties of due times (INTERPRETATION §1)', () => {
  test('a due time is never before receipt', () => {
    fc.assert(fc.property(instant, target, (received, t) => calendar.dueAt(received, t) >= received), { numRuns: 5000 });
  });

  test('a business-day target falls due at 16:30 on a business day', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 60 }), (received, amount) => {
        const due = local(calendar.dueAt(received, { amount, unit: 'business_days' }));
        return due.toFormat('HH:mm:ss') === '16:30:00' && calendar.isBusinessDay(due.toISODate()!);
      }),
      { numRuns: 5000 },
    );
  });

  test('a business-hour target falls due inside administration hours of a business day', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 80 }), (received, amount) => {
        const dueMs = calendar.dueAt(received, { amount, unit: 'business_hours' });
        const date = local(dueMs).toISODate()!;
        const { opens, closes } = calendar.hoursOf(date);
        return calendar.isBusinessDay(date) && dueMs > opens && dueMs <= closes;
      }),
      { numRuns: 5000 },
    );
  });

  test('a business-hour target uses exactly N hours of administration time', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 80 }), (received, amount) => {
        const dueMs = calendar.dueAt(received, { amount, unit: 'business_hours' });
        return calendar.businessTimeBetween(received, dueMs) === amount * HOUR;
      }),
      { numRuns: 3000 },
    );
  });

  test('due times are monotonic in receipt time', () => {
    fc.assert(
      fc.property(instant, instant, target, (a, b, t) => {
        const [early, late] = a <= b ? [a, b] : [b, a];
        return calendar.dueAt(early, t) <= calendar.dueAt(late, t);
      }),
      { numRuns: 5000 },
    );
  });

  test('due times are monotonic in N', () => {
    fc.assert(
      fc.property(instant, fc.constantFrom(...targetUnits), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 60 }), (received, unit, a, b) => {
        const [small, large] = a <= b ? [a, b] : [b, a];
        return calendar.dueAt(received, { amount: small, unit }) <= calendar.dueAt(received, { amount: large, unit });
      }),
      { numRuns: 5000 },
    );
  });

  test('the indexed calendar agrees with a day-by-day walk', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 30 }), (received, amount) => {
        assert.equal(calendar.dueAt(received, { amount, unit: 'business_days' }), walkBusinessDays(calendar, received, amount));
        if (amount > 0) assert.equal(calendar.dueAt(received, { amount, unit: 'business_hours' }), walkBusinessHours(calendar, received, amount));
      }),
      { numRuns: 2000 },
    );
  });

  test('every closure day of 2024 to 2030 is a weekday and not a business day', () => {
    for (let year = 2024; year <= 2030; year += 1) {
      for (const day of calendar.closureDays(year)) {
        assert.ok(local(Date.parse(`${day.date}T12:00:00Z`)).weekday <= 5, `${day.date} ${day.name}`);
        assert.equal(calendar.isBusinessDay(day.date), false, day.date);
      }
    }
  });
});

/** A slow, obvious reference: walk the days one at a time with Luxon. */
function walkBusinessDays(cal: BusinessCalendar, received: number, n: number): number {
  let day = local(received).startOf('day');
  const closing = (d: DateTime): DateTime => d.set({ hour: 16, minute: 30 });
  while (!cal.isBusinessDay(day.toISODate()!) || received >= closing(day).toMillis()) {
    day = day.plus({ days: 1 }).startOf('day');
    if (cal.isBusinessDay(day.toISODate()!)) break;
  }
  let remaining = n;
  while (remaining > 0) {
    day = day.plus({ days: 1 });
    if (cal.isBusinessDay(day.toISODate()!)) remaining -= 1;
  }
  return closing(day).toMillis();
}

function walkBusinessHours(cal: BusinessCalendar, received: number, n: number): number {
  let minutes = n * 60;
  let t = received;
  for (;;) {
    const d = local(t);
    const date = d.toISODate()!;
    const opens = d.set({ hour: 8, minute: 30, second: 0, millisecond: 0 }).toMillis();
    const closes = d.set({ hour: 16, minute: 30, second: 0, millisecond: 0 }).toMillis();
    if (cal.isBusinessDay(date) && t < closes) {
      const from = Math.max(t, opens);
      const available = (closes - from) / 60_000;
      if (minutes <= available) return from + minutes * 60_000;
      minutes -= available;
    }
    t = d.plus({ days: 1 }).startOf('day').toMillis();
  }
}
