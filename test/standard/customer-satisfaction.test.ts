import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { checkSurveyAnswer, feedbackAnalysis } from '../../src/standard/customer-satisfaction.js';

describe('the survey answer (issue 14, CSS §6.2)', () => {
  test('a rating is a whole number from 1 to 5; yes, partly or no; a comment of at most 4,000 characters', () => {
    for (const rating of ['0', '6', '4.5', '-1', 'x', '']) assert.ok('errors' in checkSurveyAnswer({ rating, resolved: 'yes' }), rating);
    assert.deepEqual(checkSurveyAnswer({ rating: '5', resolved: 'partly', comment: '  <b>ok</b> ' }), { answer: { rating: 5, resolved: 'partly', comment: '<b>ok</b>' } });
    assert.ok('errors' in checkSurveyAnswer({ rating: '3', resolved: 'maybe' }));
    assert.ok('errors' in checkSurveyAnswer({ rating: '3', resolved: 'no', comment: 'x'.repeat(4001) }));
    assert.ok('answer' in checkSurveyAnswer({ rating: '3', resolved: 'no', comment: 'x'.repeat(4000) }));
  });
});

describe('the feedback analysis (CSS §6.3)', () => {
  const day = 86_400_000;
  const period = { from: 100 * day, to: 130 * day };
  const at = (d: number) => d * day;
  test('volume by theme and source in the period, the change from the period before, the themes rising most', () => {
    const facts = [
      ...Array.from({ length: 12 }, (_, i) => ({ at: at(75 + i), source: 'survey_comment', themes: ['timeliness'] })),
      ...Array.from({ length: 18 }, (_, i) => ({ at: at(101 + i), source: i % 2 ? 'complaint' : 'survey_comment', themes: ['timeliness'] })),
      ...Array.from({ length: 4 }, (_, i) => ({ at: at(110 + i), source: 'compliment', themes: ['staff-courtesy', 'staff-courtesy'] })),
      { at: at(120), source: 'complaint', themes: [] },
      { at: at(131), source: 'complaint', themes: ['policy'] },
    ];
    const analysis = feedbackAnalysis(facts, period);
    assert.equal(analysis.current, 23);
    assert.equal(analysis.previous, 12);
    assert.deepEqual(analysis.bySource, { survey_comment: 9, complaint: 10, compliment: 4 });
    assert.deepEqual(analysis.themes[0], { theme: 'timeliness', current: 18, previous: 12, change: 6, changeShare: 0.5 });
    // Too few before for a percentage: counts only.
    assert.deepEqual(analysis.themes.find((t) => t.theme === 'staff-courtesy'), { theme: 'staff-courtesy', current: 4, previous: 0, change: 4, changeShare: null });
    assert.deepEqual(analysis.risingMost.map((t) => t.theme), ['timeliness', 'staff-courtesy']);
    assert.equal(analysis.themes.find((t) => t.theme === 'untagged')?.current, 1);
  });
  test('no feedback: zero everywhere, nothing rising', () => {
    assert.deepEqual(feedbackAnalysis([], period), { current: 0, previous: 0, bySource: {}, themes: [], risingMost: [] });
  });
});
