import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { at, sampleCalendar } from '../helpers/factories.js';
import type { Target } from '../../src/standard/targets.js';

const calendar = sampleCalendar();
const due = (received: string, target: Target): string => calendar.format(calendar.dueAt(at(received), target));
const businessDays = (amount: number): Target => ({ amount, unit: 'business_days' });
const businessHours = (amount: number): Target => ({ amount, unit: 'business_hours' });
const hours = (amount: number): Target => ({ amount, unit: 'hours' });
const calendarDays = (amount: number): Target => ({ amount, unit: 'calendar_days' });

describe('INTERPRETATION §1 closure days: Ontario holidays, Civic Holiday, weekend substitutes', () => {
  const expected: Record<number, [string, string][]> = {
    2024: [
      ['2024-01-01', "New Year's Day"], ['2024-02-19', 'Family Day'], ['2024-03-29', 'Good Friday'], ['2024-05-20', 'Victoria Day'],
      ['2024-07-01', 'Canada Day'], ['2024-08-05', 'Civic Holiday'], ['2024-09-02', 'Labour Day'], ['2024-10-14', 'Thanksgiving'],
      ['2024-12-25', 'Christmas Day'], ['2024-12-26', 'Boxing Day'],
    ],
    2025: [
      ['2025-01-01', "New Year's Day"], ['2025-02-17', 'Family Day'], ['2025-04-18', 'Good Friday'], ['2025-05-19', 'Victoria Day'],
      ['2025-07-01', 'Canada Day'], ['2025-08-04', 'Civic Holiday'], ['2025-09-01', 'Labour Day'], ['2025-10-13', 'Thanksgiving'],
      ['2025-12-25', 'Christmas Day'], ['2025-12-26', 'Boxing Day'],
    ],
    2026: [
      ['2026-01-01', "New Year's Day"], ['2026-02-16', 'Family Day'], ['2026-04-03', 'Good Friday'], ['2026-05-18', 'Victoria Day'],
      ['2026-07-01', 'Canada Day'], ['2026-08-03', 'Civic Holiday'], ['2026-09-07', 'Labour Day'], ['2026-10-12', 'Thanksgiving'],
      ['2026-12-25', 'Christmas Day'], ['2026-12-28', 'Boxing Day (observed)'],
    ],
    2027: [
      ['2027-01-01', "New Year's Day"], ['2027-02-15', 'Family Day'], ['2027-03-26', 'Good Friday'], ['2027-05-24', 'Victoria Day'],
      ['2027-07-01', 'Canada Day'], ['2027-08-02', 'Civic Holiday'], ['2027-09-06', 'Labour Day'], ['2027-10-11', 'Thanksgiving'],
      ['2027-12-27', 'Christmas Day (observed)'], ['2027-12-28', 'Boxing Day (observed)'],
    ],
    2028: [
      ['2028-01-03', "New Year's Day (observed)"], ['2028-02-21', 'Family Day'], ['2028-04-14', 'Good Friday'], ['2028-05-22', 'Victoria Day'],
      ['2028-07-03', 'Canada Day (observed)'], ['2028-08-07', 'Civic Holiday'], ['2028-09-04', 'Labour Day'], ['2028-10-09', 'Thanksgiving'],
      ['2028-12-25', 'Christmas Day'], ['2028-12-26', 'Boxing Day'],
    ],
    2029: [
      ['2029-01-01', "New Year's Day"], ['2029-02-19', 'Family Day'], ['2029-03-30', 'Good Friday'], ['2029-05-21', 'Victoria Day'],
      ['2029-07-02', 'Canada Day (observed)'], ['2029-08-06', 'Civic Holiday'], ['2029-09-03', 'Labour Day'], ['2029-10-08', 'Thanksgiving'],
      ['2029-12-25', 'Christmas Day'], ['2029-12-26', 'Boxing Day'],
    ],
    2030: [
      ['2030-01-01', "New Year's Day"], ['2030-02-18', 'Family Day'], ['2030-04-19', 'Good Friday'], ['2030-05-20', 'Victoria Day'],
      ['2030-07-01', 'Canada Day'], ['2030-08-05', 'Civic Holiday'], ['2030-09-02', 'Labour Day'], ['2030-10-14', 'Thanksgiving'],
      ['2030-12-25', 'Christmas Day'], ['2030-12-26', 'Boxing Day'],
    ],
  };
  for (const [year, days] of Object.entries(expected)) {
    test(`the closure days of ${year} are the ten City holidays on their observed dates`, () => {
      assert.deepEqual(
        calendar.closureDays(Number(year)).map((d) => [d.date, d.name]),
        days,
      );
    });
  }

  test('Easter Monday, Remembrance Day and 30 September are not closures unless an administrator adds them', () => {
    for (const date of ['2026-04-06', '2026-11-11', '2026-09-30', '2027-03-29', '2027-11-11', '2027-09-30']) {
      assert.equal(calendar.isClosureDay(date), false, date);
      assert.equal(calendar.isBusinessDay(date), true, date);
    }
  });

  test('Christmas on Saturday moves to Monday and Boxing Day on Sunday to Tuesday (2027)', () => {
    assert.equal(calendar.isBusinessDay('2027-12-27'), false);
    assert.equal(calendar.isBusinessDay('2027-12-28'), false);
    assert.equal(calendar.isBusinessDay('2027-12-29'), true);
  });

  test("an administrator's added closure is a closure and a removed holiday is a business day again", () => {
    const edited = sampleCalendar([
      { date: '2026-12-24', action: 'add', name: 'Christmas Eve closure' },
      { date: '2026-08-03', action: 'remove', name: 'removed' },
    ]);
    assert.equal(edited.isBusinessDay('2026-12-24'), false);
    assert.equal(edited.isBusinessDay('2026-08-03'), true);
    assert.deepEqual(edited.closureDays(2026).find((d) => d.date === '2026-12-24'), { date: '2026-12-24', name: 'Christmas Eve closure' });
    assert.equal(edited.closureDays(2026).some((d) => d.date === '2026-08-03'), false);
    // A business-day target received before the added closure skips it.
    assert.equal(edited.format(edited.dueAt(at('2026-12-23 10:00'), businessDays(1))), '2026-12-29T16:30:00-05:00');
  });

  test('weekends are never business days', () => {
    assert.equal(calendar.isBusinessDay('2026-11-28'), false);
    assert.equal(calendar.isBusinessDay('2026-11-29'), false);
    assert.equal(calendar.isBusinessDay('2026-11-30'), true);
  });
});

describe('INTERPRETATION §1 the receipt business day', () => {
  const cases: [string, string, string][] = [
    ['a business day before 16:30', '2026-11-23 10:00', '2026-11-23'],
    ['a business day before opening', '2026-11-23 06:15', '2026-11-23'],
    ['one second before 16:30', '2026-11-27 16:29:59', '2026-11-27'],
    ['16:30 exactly on a Friday', '2026-11-27 16:30', '2026-11-30'],
    ['Friday night', '2026-11-27 23:59', '2026-11-30'],
    ['Saturday', '2026-11-28 11:00', '2026-11-30'],
    ['Sunday', '2026-11-29 11:00', '2026-11-30'],
    ['a closure day (Canada Day 2026, a Wednesday)', '2026-07-01 10:00', '2026-07-02'],
    ['Christmas Eve 2027 after closing, before four closed days', '2027-12-24 16:45', '2027-12-29'],
    ['New Year\'s Eve 2027 evening, before the observed New Year\'s Day', '2027-12-31 20:00', '2028-01-04'],
    ['Thursday before Good Friday 2028 after closing', '2028-04-13 17:00', '2028-04-17'],
    ['Friday before the observed Canada Day 2028', '2028-06-30 17:00', '2028-07-04'],
    ['Saturday of the spring clock change 2026', '2026-03-07 12:00', '2026-03-09'],
    ['receipt given in UTC', '2026-11-27T21:29:00Z', '2026-11-27'],
    ['receipt given in UTC after closing', '2026-11-27T21:30:00Z', '2026-11-30'],
  ];
  for (const [name, received, expected] of cases) {
    test(`received ${name} (${received}): receipt business day ${expected}`, () => {
      assert.equal(calendar.receiptBusinessDay(at(received)), expected);
    });
  }
});

describe('INTERPRETATION §1 "within N business days" ends at 16:30 on the N-th business day after the receipt business day', () => {
  const cases: [string, string, number, string][] = [
    ['Monday 10:00, N = 3: Thursday', '2026-11-23 10:00', 3, '2026-11-26T16:30:00-05:00'],
    ['Friday 16:45, N = 3: receipt business day Monday, due Thursday', '2026-11-27 16:45', 3, '2026-12-03T16:30:00-05:00'],
    ['Saturday, N = 3: due Thursday', '2026-11-28 09:00', 3, '2026-12-03T16:30:00-05:00'],
    ['16:30 exactly, N = 1', '2026-11-26 16:30', 1, '2026-11-30T16:30:00-05:00'],
    ['16:29, N = 1', '2026-11-26 16:29', 1, '2026-11-27T16:30:00-05:00'],
    ['N = 0 is the receipt business day itself', '2026-11-27 17:00', 0, '2026-11-30T16:30:00-05:00'],
    ['Christmas Eve 2026, N = 2, over Christmas and the observed Boxing Day', '2026-12-24 10:00', 2, '2026-12-30T16:30:00-05:00'],
    ['Christmas Eve 2027 evening, N = 1', '2027-12-24 18:00', 1, '2027-12-30T16:30:00-05:00'],
    ['New Year\'s Eve 2027 noon, N = 1, over the observed New Year\'s Day 2028', '2027-12-31 12:00', 1, '2028-01-04T16:30:00-05:00'],
    ['Friday before the observed Canada Day 2028 evening, N = 2', '2028-06-30 17:00', 2, '2028-07-06T16:30:00-04:00'],
    ['the Friday before the spring clock change, N = 2', '2026-03-06 10:00', 2, '2026-03-10T16:30:00-04:00'],
    ['the Friday before the fall clock change, N = 2', '2026-10-30 10:00', 2, '2026-11-03T16:30:00-05:00'],
    ['Thursday before Easter 2029, N = 1 (Good Friday closed, Easter Monday open)', '2029-03-29 09:00', 1, '2029-04-02T16:30:00-04:00'],
    ['the week of Thanksgiving 2030, N = 3', '2030-10-11 12:00', 3, '2030-10-17T16:30:00-04:00'],
    ['twenty business days across the 2024 holidays', '2024-12-02 10:00', 20, '2025-01-02T16:30:00-05:00'],
    // 260 weekdays from Monday 2026-06-01 is Monday 2027-05-31; ten closures in between add ten days.
    ['a long target crosses into the next year', '2026-06-01 10:00', 260, '2027-06-14T16:30:00-04:00'],
  ];
  for (const [name, received, n, expected] of cases) {
    test(name, () => assert.equal(due(received, businessDays(n)), expected));
  }
});

describe('INTERPRETATION §1 "N business hours" count only administration hours, from receipt or the next opening', () => {
  const cases: [string, string, number, string][] = [
    ['inside hours, same day', '2026-11-23 10:00', 2, '2026-11-23T12:00:00-05:00'],
    ['before opening starts at 08:30', '2026-11-23 07:00', 2, '2026-11-23T10:30:00-05:00'],
    ['ending exactly at closing stays that day', '2026-11-23 08:30', 8, '2026-11-23T16:30:00-05:00'],
    ['runs over into the next business day', '2026-11-23 15:30', 2, '2026-11-24T09:30:00-05:00'],
    ['Friday evening starts Monday 08:30', '2026-11-27 16:45', 8, '2026-11-30T16:30:00-05:00'],
    ['Christmas Eve 2026 over four closed days', '2026-12-24 15:00', 8, '2026-12-29T15:00:00-05:00'],
    ['across the spring clock change weekend', '2026-03-06 15:30', 3, '2026-03-09T10:30:00-04:00'],
    ['sixteen hours is two whole days', '2026-11-23 08:30', 16, '2026-11-24T16:30:00-05:00'],
  ];
  for (const [name, received, n, expected] of cases) {
    test(name, () => assert.equal(due(received, businessHours(n)), expected));
  }
});

describe('INTERPRETATION §1 "N hours" (24/7) and "N calendar days" (N × 24 h) run continuously from receipt', () => {
  const cases: [string, string, Target, string][] = [
    ['1 hour on a Saturday night', '2026-11-28 23:30', hours(1), '2026-11-29T00:30:00-05:00'],
    ['1 hour across the spring clock change (02:00 does not exist)', '2026-03-08T01:30:00-05:00', hours(1), '2026-03-08T03:30:00-04:00'],
    ['24 hours across the spring clock change', '2026-03-08T01:30:00-05:00', hours(24), '2026-03-09T02:30:00-04:00'],
    ['2 hours across the fall clock change (01:00 happens twice)', '2026-11-01T00:30:00-04:00', hours(2), '2026-11-01T01:30:00-05:00'],
    ['24 hours on Christmas Day', '2026-12-25 14:00', hours(24), '2026-12-26T14:00:00-05:00'],
    ['4 calendar days ignore weekends and holidays', '2026-12-24 10:00', calendarDays(4), '2026-12-28T10:00:00-05:00'],
    ['4 calendar days across the spring clock change are 96 hours', '2026-03-06 10:00', calendarDays(4), '2026-03-10T11:00:00-04:00'],
    ['7 calendar days across the fall clock change are 168 hours', '2026-10-30 10:00', calendarDays(7), '2026-11-06T09:00:00-05:00'],
  ];
  for (const [name, received, target, expected] of cases) {
    test(name, () => assert.equal(due(received, target), expected));
  }
});

describe('business time and business days between instants', () => {
  test('a business-hours target uses exactly its hours of administration time', () => {
    const from = at('2026-12-24 15:00');
    const to = calendar.dueAt(from, businessHours(8));
    assert.equal(calendar.businessTimeBetween(from, to), 8 * 3_600_000);
  });
  test('a request resolved on the third business day after receipt took 3 business days', () => {
    assert.equal(calendar.businessDaysBetween(at('2026-11-23 10:00'), at('2026-11-26 11:00')), 3);
    assert.equal(calendar.businessDaysBetween(at('2026-11-27 17:00'), at('2026-11-30 09:00')), 0);
  });
  test('addBusinessDays counts from a date', () => {
    assert.equal(calendar.addBusinessDays('2026-12-24', 1), '2026-12-29');
    assert.equal(calendar.addBusinessDays('2026-12-26', 0), '2026-12-29');
    assert.equal(calendar.addBusinessDays('2026-11-23', 5), '2026-11-30');
  });
  test('the City is open on a business day from 08:30 until just before 16:30', () => {
    assert.equal(calendar.isOpenAt(at('2026-11-23 08:29')), false);
    assert.equal(calendar.isOpenAt(at('2026-11-23 08:30')), true);
    assert.equal(calendar.isOpenAt(at('2026-11-23 16:29')), true);
    assert.equal(calendar.isOpenAt(at('2026-11-23 16:30')), false);
    assert.equal(calendar.isOpenAt(at('2026-12-25 10:00')), false);
  });
  test('years far apart are answered without a gap in the index', () => {
    assert.equal(due('2030-12-31 10:00', businessDays(1)), '2031-01-02T16:30:00-05:00');
    assert.equal(due('2024-01-02 10:00', businessDays(1)), '2024-01-03T16:30:00-05:00');
    assert.equal(due('2035-06-01 10:00', businessDays(1)), '2035-06-04T16:30:00-04:00');
  });
});
