import { test } from 'node:test';
import assert from 'node:assert/strict';
import { administrationHoursWords, clockTime, clockTimeOfMinutes } from '../../src/platform/time-words.js';
import { formatDateTime, formatDayTime, formatShortDateTime } from '../../src/web/format.js';
import { longDate } from '../../src/notify/templates.js';

const zone = 'America/Toronto';

test('a time of day is written one way: "4:30 pm", lowercase am/pm after a space, no leading zero, the minutes always given (issue 18 point 6)', () => {
  const cases: [number, number, string][] = [
    [0, 0, '12:00 am'],
    [0, 5, '12:05 am'],
    [8, 30, '8:30 am'],
    [9, 5, '9:05 am'],
    [11, 59, '11:59 am'],
    [12, 0, '12:00 pm'],
    [12, 30, '12:30 pm'],
    [16, 30, '4:30 pm'],
    [23, 59, '11:59 pm'],
    [24, 0, '12:00 am'],
  ];
  for (const [hour, minute, words] of cases) assert.equal(clockTime(hour, minute), words, `${hour}:${minute}`);
  assert.equal(clockTimeOfMinutes(990), '4:30 pm', 'a closing time of 16:30 as minutes after midnight');
  assert.equal(clockTimeOfMinutes(510), '8:30 am');
});

test('administration hours read in the same style: "Monday to Friday, 8:30 am to 4:30 pm" (CSS §3.2)', () => {
  assert.equal(administrationHoursWords({ days: [1, 2, 3, 4, 5], opens: 510, closes: 990 }), 'Monday to Friday, 8:30 am to 4:30 pm, except holidays');
  assert.equal(administrationHoursWords({ days: [2, 4], opens: 540, closes: 720 }), 'Tuesday, Thursday, 9:00 am to 12:00 pm, except holidays');
});

test('every formatter of instants, on pages and in customer messages, writes the time through the one style, in the City\'s time zone (issue 18 point 6)', () => {
  // 16:30 in Lindsay on Wednesday 4 March 2026 (UTC-5); 09:05 on Monday 9 March, after the change to daylight time (UTC-4).
  const afternoon = Date.parse('2026-03-04T21:30:00Z');
  const morning = Date.parse('2026-03-09T13:05:00Z');
  const midnight = Date.parse('2026-03-05T05:00:00Z');
  assert.equal(formatDateTime(afternoon, zone), 'Wednesday 4 March 2026, 4:30 pm');
  assert.equal(formatDateTime(morning, zone), 'Monday 9 March 2026, 9:05 am');
  assert.equal(formatDateTime(midnight, zone), 'Thursday 5 March 2026, 12:00 am');
  assert.equal(formatShortDateTime(afternoon, zone), 'Wed 4 Mar 2026, 4:30 pm');
  assert.equal(formatShortDateTime(morning, zone), 'Mon 9 Mar 2026, 9:05 am');
  assert.equal(formatDayTime(morning, zone), 'Monday 9 March, 9:05 am');
  assert.equal(longDate(afternoon, zone), 'Wednesday 4 March 2026 at 4:30 pm', 'the messages customers receive');
  assert.equal(longDate(midnight, zone), 'Thursday 5 March 2026 at 12:00 am');
  for (const text of [formatDateTime(afternoon, zone), formatShortDateTime(morning, zone), longDate(morning, zone)]) {
    assert.doesNotMatch(text, /AM|PM|a\.m\.|p\.m\.|\b0\d:\d\d|\b\d\d:\d\d\b(?! ?[ap]m)/, text);
  }
});
