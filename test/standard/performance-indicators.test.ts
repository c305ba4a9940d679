import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { at, sampleCalendar } from '../helpers/factories.js';
import {
  acknowledgmentOutcome,
  addCase,
  addEscalation,
  addSatisfaction,
  atRisk,
  complianceFigure,
  completionDays,
  countDays,
  daysFigure,
  describeShare,
  emptyTally,
  escalationReasonGroup,
  formulaVersion,
  mergeTally,
  performanceIndicators,
  recurringPlaces,
  resolutionOutcome,
  revisedTimelineOutcome,
  type CaseFacts,
  type IndicatorTally,
  type Outcome,
} from '../../src/standard/performance-indicators.js';

const calendar = sampleCalendar();

function request(overrides: Partial<CaseFacts> = {}): CaseFacts {
  return {
    kind: 'service_request',
    receivedAt: at('2026-11-23 10:00'),
    acknowledgeBy: at('2026-11-25 16:30'),
    acknowledgedAt: null,
    firstContactResolution: false,
    resolveBy: at('2026-12-04 16:30'),
    resolvedAt: null,
    revisedResolveBy: null,
    ...overrides,
  };
}

const asOf = at('2026-12-01 12:00');

describe('how one case counts (CSS §6.2, INTERPRETATION §7)', () => {
  const rows: [string, Partial<CaseFacts>, ack: Outcome, resolution: Outcome, revised: Outcome][] = [
    ['acknowledged by its target: on time', { acknowledgedAt: at('2026-11-25 16:30') }, 'on_time', 'pending', 'not_applicable'],
    ['acknowledged a minute late: missed', { acknowledgedAt: at('2026-11-25 16:31') }, 'missed', 'pending', 'not_applicable'],
    ['not acknowledged, target passed at the as-of time: missed while open', {}, 'missed', 'pending', 'not_applicable'],
    ['not acknowledged, not yet due: pending', { acknowledgeBy: at('2026-12-02 16:30') }, 'pending', 'pending', 'not_applicable'],
    ['resolved by the original target: on time', { acknowledgedAt: at('2026-11-24 09:00'), resolvedAt: at('2026-11-30 09:00') }, 'on_time', 'on_time', 'not_applicable'],
    ['resolved after the original target: missed', { acknowledgedAt: at('2026-11-24 09:00'), resolveBy: at('2026-11-27 16:30'), resolvedAt: at('2026-11-30 09:00') }, 'on_time', 'missed', 'not_applicable'],
    ['open past its resolution target: missed while open', { acknowledgedAt: at('2026-11-24 09:00'), resolveBy: at('2026-11-27 16:30') }, 'on_time', 'missed', 'not_applicable'],
    [
      'a revised timeline kept does not turn a missed target into a kept one (§7: beside, never instead)',
      { acknowledgedAt: at('2026-11-24 09:00'), resolveBy: at('2026-11-27 16:30'), revisedResolveBy: at('2026-12-10 16:30'), resolvedAt: at('2026-12-01 09:00') },
      'on_time',
      'missed',
      'on_time',
    ],
    [
      'a revised timeline missed is missed beside the original',
      { acknowledgedAt: at('2026-11-24 09:00'), resolveBy: at('2026-11-20 16:30'), revisedResolveBy: at('2026-11-30 16:30') },
      'on_time',
      'missed',
      'missed',
    ],
    [
      'a revised timeline still ahead is pending beside the original',
      { acknowledgedAt: at('2026-11-24 09:00'), resolveBy: at('2026-11-27 16:30'), revisedResolveBy: at('2026-12-10 16:30') },
      'on_time',
      'missed',
      'pending',
    ],
    ['a first-contact resolution is on time (§3.3)', { firstContactResolution: true, acknowledgedAt: at('2026-11-23 10:00'), resolvedAt: at('2026-11-23 10:00') }, 'on_time', 'on_time', 'not_applicable'],
    ['imported history with no acknowledgment on record: not recorded, counted in neither', { acknowledgmentRecorded: false, resolvedAt: at('2026-11-26 10:00') }, 'not_recorded', 'on_time', 'not_applicable'],
    ['an inquiry has no resolution target', { kind: 'inquiry', resolveBy: null, acknowledgedAt: at('2026-11-24 10:00') }, 'on_time', 'not_applicable', 'not_applicable'],
  ];
  for (const [name, overrides, ack, resolution, revised] of rows) {
    test(name, () => {
      const c = request(overrides);
      assert.equal(acknowledgmentOutcome(c, asOf), ack, 'acknowledgment');
      assert.equal(resolutionOutcome(c, asOf), resolution, 'resolution');
      assert.equal(revisedTimelineOutcome(c, asOf), revised, 'revised timeline');
    });
  }

  test('a case becomes missed at the moment its target passes, not before (as-of time given, never read)', () => {
    const c = request({ acknowledgeBy: at('2026-12-01 16:30') });
    assert.equal(acknowledgmentOutcome(c, at('2026-12-01 16:30')), 'pending');
    assert.equal(acknowledgmentOutcome(c, at('2026-12-01 16:30') + 1), 'missed');
  });
});

describe('completion time in business and calendar days (§6.2)', () => {
  test('resolved on the receipt business day: 0 and 0', () => {
    assert.deepEqual(completionDays(calendar, at('2026-11-23 10:00'), at('2026-11-23 15:00')), { businessDays: 0, calendarDays: 0 });
  });
  test('received Friday 16:45, resolved Tuesday: 1 business day (receipt business day is Monday), 4 calendar days', () => {
    assert.deepEqual(completionDays(calendar, at('2026-11-20 16:45'), at('2026-11-24 11:00')), { businessDays: 1, calendarDays: 4 });
  });
  test('Christmas and Boxing Day closures are not business days', () => {
    // Thursday 24 December 2026 → Monday 28 December: the 25th is a closure, 26–27 a weekend, Boxing Day moves to the 28th.
    assert.deepEqual(completionDays(calendar, at('2026-12-24 10:00'), at('2026-12-29 10:00')), { businessDays: 1, calendarDays: 5 });
  });
  test('mean, median and 90th percentile by nearest rank, exact after merging', () => {
    const a = emptyTally();
    const b = emptyTally();
    [0, 1, 1, 2, 3].forEach((d) => countDays(a.completion.businessDays, d));
    [4, 5, 8, 9, 20].forEach((d) => countDays(b.completion.businessDays, d));
    const merged = mergeTally(mergeTally(emptyTally(), a), b);
    const f = daysFigure(merged.completion.businessDays, 'business_days');
    assert.deepEqual([f.count, f.mean, f.median, f.p90], [10, 5.3, 3, 9]);
  });
  test('below the minimum group size, the count but no mean or median', () => {
    const t = emptyTally();
    countDays(t.completion.calendarDays, 3);
    const f = daysFigure(t.completion.calendarDays, 'calendar_days');
    assert.deepEqual([f.state, f.count, f.mean, f.median], ['too_few', 1, null, null]);
  });
});

describe('honest figures (INTERPRETATION §7)', () => {
  test('no data is "no data", never 100%', () => {
    const f = complianceFigure(emptyTally().resolution);
    assert.equal(f.state, 'no_data');
    assert.equal(f.value, null);
    assert.equal(describeShare(f), 'no data');
  });
  test('a 1-of-1 is counts, not 100% (minimum group size 10)', () => {
    const f = complianceFigure({ onTime: 1, missed: 0, pending: 3, notRecorded: 0 });
    assert.deepEqual([f.state, f.value, f.numerator, f.denominator, f.pending], ['too_few', null, 1, 1, 3]);
    assert.equal(describeShare(f), '1 of 1 (too few for a percentage)');
  });
  test('the minimum group size is configurable', () => {
    const f = complianceFigure({ onTime: 2, missed: 1, pending: 0, notRecorded: 0 }, { periodRule: 'closed', minimumGroupSize: 3 });
    assert.equal(f.state, 'value');
    assert.equal(describeShare(f), '67%');
    assert.equal(f.periodRule, 'closed');
  });
  test('every figure carries the formula version and the period rule', () => {
    const t = emptyTally();
    for (let i = 0; i < 12; i++) addCase(t, request({ acknowledgedAt: at('2026-11-24 09:00') }), asOf);
    const k = performanceIndicators(t);
    assert.equal(k.formulaVersion, formulaVersion);
    assert.equal(k.acknowledgment.serviceRequest.formulaVersion, formulaVersion);
    assert.equal(k.periodRuleWords, 'cases received in the period');
    assert.equal(k.acknowledgment.serviceRequest.value, 1);
    assert.equal(k.resolution.state, 'no_data', 'all twelve are pending: no data, not 100%');
    assert.equal(k.resolution.pending, 12);
  });
  test('service requests and inquiries are counted apart for acknowledgment (§6.2)', () => {
    const t = emptyTally();
    addCase(t, request({ acknowledgedAt: at('2026-11-24 09:00') }), asOf);
    addCase(t, request({ kind: 'inquiry', resolveBy: null }), asOf);
    assert.deepEqual(t.acknowledgment.serviceRequest, { onTime: 1, missed: 0, pending: 0, notRecorded: 0 });
    assert.deepEqual(t.acknowledgment.inquiry, { onTime: 0, missed: 1, pending: 0, notRecorded: 0 });
    assert.equal(t.resolution.pending, 1, 'the inquiry has no resolution target');
  });
});

describe('escalation trends and satisfaction (§6.2)', () => {
  test('reasons group as not acknowledged, not resolved, on request', () => {
    assert.equal(escalationReasonGroup('not_acknowledged', 'sweep'), 'not_acknowledged');
    assert.equal(escalationReasonGroup('unacknowledged_two_weeks_after_escalation', 'sweep'), 'not_acknowledged');
    assert.equal(escalationReasonGroup('revised_timeline_passed', 'sweep'), 'not_resolved');
    assert.equal(escalationReasonGroup('manager_review', 'manager'), 'not_resolved');
    assert.equal(escalationReasonGroup('requested', 'public'), 'on_request');
  });
  test('share escalated and days at a level', () => {
    const t = emptyTally();
    for (let i = 0; i < 20; i++) addCase(t, request({ escalated: i === 0 }), asOf);
    addEscalation(t, { level: 1, reason: 'not_acknowledged', initiatedBy: 'sweep', escalatedAt: at('2026-11-01 09:00'), endedAt: at('2026-11-15 09:00') }, asOf);
    addEscalation(t, { level: 2, reason: 'no_update_two_weeks_after_escalation', initiatedBy: 'sweep', escalatedAt: at('2026-11-15 09:00'), endedAt: null }, asOf);
    const k = performanceIndicators(t, { periodRule: 'received', minimumGroupSize: 1 });
    assert.deepEqual(k.escalation.byLevel, { 1: 1, 2: 1, 3: 0 });
    assert.equal(k.escalation.share.numerator, 1);
    assert.equal(k.escalation.share.denominator, 20);
    assert.deepEqual(k.escalation.medianDaysAtLevel, { 1: 14, 2: 16, 3: null });
  });
  test('satisfaction is the share of 4s and 5s, with the mean, answers and response rate', () => {
    const t = emptyTally();
    for (let i = 0; i < 20; i++) addSatisfaction(t, { invited: true });
    for (const score of [5, 4, 4, 3, 1, 5, 5, 2, 4, 4]) addSatisfaction(t, { score });
    const s = performanceIndicators(t).satisfaction;
    assert.equal(s.satisfied.value, 0.7);
    assert.equal(s.mean, 3.7);
    assert.equal(s.answers, 10);
    assert.equal(s.responseRate.value, 0.5);
    assert.throws(() => addSatisfaction(t, { score: 6 }));
  });
  test('recurring places: the same type in the same ~250 m square', () => {
    const near = (dLat: number) => ({ requestType: 'pothole', latitude: 44.35 + dLat, longitude: -78.74 });
    const found = recurringPlaces([near(0), near(0.0001), near(0.0002), near(0.05), { ...near(0), requestType: 'streetlight' }]);
    assert.equal(found.length, 1);
    assert.equal(found[0]!.count, 3);
    assert.equal(found[0]!.requestType, 'pothole');
  });
});

describe('at risk before the breach', () => {
  test('at 75% of the time to the next target, until it passes', () => {
    const c = request({ receivedAt: at('2026-11-23 10:00'), acknowledgeBy: at('2026-11-23 10:00') + 100 * 60_000 });
    assert.equal(atRisk(c, at('2026-11-23 10:00') + 74 * 60_000), null);
    assert.equal(atRisk(c, at('2026-11-23 10:00') + 75 * 60_000)?.target, 'acknowledgment');
    assert.equal(atRisk(c, at('2026-11-23 10:00') + 101 * 60_000), null, 'once passed it is overdue, not at risk');
    const acknowledged = { ...c, acknowledgedAt: at('2026-11-23 11:00'), resolveBy: at('2026-11-23 10:00') + 1000 * 60_000 };
    assert.equal(atRisk(acknowledged, at('2026-11-23 10:00') + 760 * 60_000)?.target, 'resolution');
  });
});

// Properties: any set of cases at any as-of time.
const instant = fc.integer({ min: at('2026-01-01 00:00') / 60_000, max: at('2027-01-01 00:00') / 60_000 }).map((m) => m * 60_000);
const caseFacts: fc.Arbitrary<CaseFacts> = fc
  .record({
    kind: fc.constantFrom<'inquiry' | 'service_request'>('inquiry', 'service_request'),
    receivedAt: instant,
    ackAfter: fc.integer({ min: 0, max: 10 * 86_400_000 }),
    resolveAfter: fc.integer({ min: 0, max: 60 * 86_400_000 }),
    acknowledgedAfter: fc.option(fc.integer({ min: 0, max: 20 * 86_400_000 })),
    resolvedAfter: fc.option(fc.integer({ min: 0, max: 90 * 86_400_000 })),
    revisedAfter: fc.option(fc.integer({ min: 0, max: 90 * 86_400_000 })),
    firstContactResolution: fc.boolean(),
    acknowledgmentRecorded: fc.boolean(),
  })
  .map((r) => ({
    kind: r.kind,
    receivedAt: r.receivedAt,
    acknowledgeBy: r.receivedAt + r.ackAfter,
    acknowledgedAt: r.acknowledgedAfter === null ? null : r.receivedAt + r.acknowledgedAfter,
    acknowledgmentRecorded: r.acknowledgmentRecorded,
    firstContactResolution: r.firstContactResolution,
    resolveBy: r.kind === 'service_request' ? r.receivedAt + r.resolveAfter : null,
    resolvedAt: r.resolvedAfter === null ? null : r.receivedAt + r.resolvedAfter,
    revisedResolveBy: r.revisedAfter === null ? null : r.receivedAt + r.revisedAfter,
  }));

function tallyOf(cases: CaseFacts[], when: number): IndicatorTally {
  const t = emptyTally();
  for (const c of cases) addCase(t, c, when);
  return t;
}
const loose = { periodRule: 'received' as const, minimumGroupSize: 1 };

describe('properties of compliance (INTERPRETATION §7)', () => {
  test('compliance stays in [0, 1]', () => {
    fc.assert(
      fc.property(fc.array(caseFacts, { maxLength: 60 }), instant, (cases, when) => {
        const t = tallyOf(cases, when);
        for (const f of [complianceFigure(t.acknowledgment.serviceRequest, loose), complianceFigure(t.acknowledgment.inquiry, loose), complianceFigure(t.resolution, loose)]) {
          if (f.value !== null && !(f.value >= 0 && f.value <= 1)) return false;
          if (f.denominator === 0 && f.state !== 'no_data') return false;
        }
        return true;
      }),
      { numRuns: 500 },
    );
  });

  test('pending cases never move it', () => {
    fc.assert(
      fc.property(fc.array(caseFacts, { maxLength: 40 }), instant, fc.integer({ min: 1, max: 20 }), (cases, when, n) => {
        const t = tallyOf(cases, when);
        const before = complianceFigure(t.resolution, loose);
        // Open requests received at `when`, due later: pending for both targets.
        for (let i = 0; i < n; i++) addCase(t, request({ receivedAt: when, acknowledgeBy: when + 1, resolveBy: when + 2, acknowledgedAt: null, resolvedAt: null }), when);
        const after = complianceFigure(t.resolution, loose);
        return before.value === after.value && before.denominator === after.denominator && after.pending === before.pending + n;
      }),
      { numRuns: 500 },
    );
  });

  test('adding an on-time case never lowers it', () => {
    fc.assert(
      fc.property(fc.array(caseFacts, { maxLength: 40 }), instant, (cases, when) => {
        const t = tallyOf(cases, when);
        const before = complianceFigure(t.acknowledgment.serviceRequest, loose).value ?? 0;
        addCase(t, request({ receivedAt: when - 1000, acknowledgeBy: when, acknowledgedAt: when - 10 }), when);
        const after = complianceFigure(t.acknowledgment.serviceRequest, loose).value!;
        return after >= before;
      }),
      { numRuns: 500 },
    );
  });

  test('tallies of any split merge into the tally of the whole', () => {
    fc.assert(
      fc.property(fc.array(caseFacts, { maxLength: 40 }), fc.nat(40), instant, (cases, cut, when) => {
        const whole = tallyOf(cases, when);
        const merged = mergeTally(tallyOf(cases.slice(0, cut), when), tallyOf(cases.slice(cut), when));
        assert.deepEqual(merged, whole);
        return true;
      }),
      { numRuns: 300 },
    );
  });
});
