import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { chooseTargets, formatTarget, parseTarget } from '../../src/standard/targets.js';
import { checkAttributeValues } from '../../src/standard/attributes.js';
import { dueTimes } from '../../src/standard/due-times.js';
import { at, sampleCalendar, sampleConfig } from '../helpers/factories.js';

describe('Division Service Targets as data (CSS §4)', () => {
  test('targets are read from plain words in every unit', () => {
    assert.deepEqual(parseTarget('2 business days'), { amount: 2, unit: 'business_days' });
    assert.deepEqual(parseTarget('1 business day'), { amount: 1, unit: 'business_days' });
    assert.deepEqual(parseTarget('8 business hours'), { amount: 8, unit: 'business_hours' });
    assert.deepEqual(parseTarget('24 hours'), { amount: 24, unit: 'hours' });
    assert.deepEqual(parseTarget('1 hour'), { amount: 1, unit: 'hours' });
    assert.deepEqual(parseTarget('30 Calendar Days'), { amount: 30, unit: 'calendar_days' });
  });

  test('a target that is not a number and a unit is refused with an example', () => {
    for (const bad of ['7 days', 'two business days', '-1 hours', '1.5 hours', '', '0 hours']) {
      const result = parseTarget(bad);
      assert.ok('error' in result, bad);
      assert.match(result.error, /business days|zero/);
    }
  });

  test('targets are written back in plain words', () => {
    assert.equal(formatTarget({ amount: 1, unit: 'business_days' }), '1 business day');
    assert.equal(formatTarget({ amount: 14, unit: 'calendar_days' }), '14 calendar days');
  });

  const pothole = sampleConfig().requestTypes.find((t) => t.code === 'pothole')!;
  const calendar = sampleCalendar();
  const received = at('2026-11-23 10:00');
  const expected: [string | undefined, string][] = [
    ['2', '2026-11-27T10:00:00-05:00'],
    ['3', '2026-11-30T10:00:00-05:00'],
    ['4', '2026-12-07T10:00:00-05:00'],
    ['5', '2026-12-23T10:00:00-05:00'],
    ['unknown', '2026-11-30T10:00:00-05:00'],
    [undefined, '2026-11-30T10:00:00-05:00'],
  ];
  for (const [roadClass, resolveBy] of expected) {
    test(`a pothole on road class ${roadClass ?? '(not given)'} is resolved by ${resolveBy} and acknowledged within 2 business days`, () => {
      const chosen = chooseTargets(pothole.targets, roadClass === undefined ? {} : { road_class: roadClass });
      const times = dueTimes(calendar, received, chosen);
      assert.equal(calendar.format(times.resolveBy!), resolveBy);
      assert.equal(calendar.format(times.acknowledgeBy), '2026-11-25T16:30:00-05:00');
    });
  }

  test('a general inquiry has an acknowledgment target of 3 business days and no resolution target (CSS §3.3)', () => {
    const times = dueTimes(calendar, received, sampleConfig().generalInquiry);
    assert.equal(calendar.format(times.acknowledgeBy), '2026-11-26T16:30:00-05:00');
    assert.equal(times.resolveBy, null);
  });

  test('attribute values are checked against the request type’s questions', () => {
    assert.deepEqual(checkAttributeValues(pothole.attributes, { road_class: '3' }, { enforceRequired: true }), []);
    const [wrong] = checkAttributeValues(pothole.attributes, { road_class: '9' }, { enforceRequired: true });
    assert.match(wrong!.message, /"9" is not an answer to road_class; choose one of 2, 3, 4, 5, unknown/);
    const [unknown] = checkAttributeValues(pothole.attributes, { colour: 'red' }, { enforceRequired: false });
    assert.match(unknown!.message, /not a question of this request type/);
    const missed = sampleConfig().requestTypes.find((t) => t.code === 'missed-collection')!;
    const [required] = checkAttributeValues(missed.attributes, {}, { enforceRequired: true });
    assert.match(required!.message, /stream is required/);
  });
});
