import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { demo, startApi, type TestApi } from '../helpers/api.js';
import { testEngines } from '../helpers/db.js';
import { consoleAs, pageText } from '../helpers/console.js';
import { sweepGovernance } from '../../src/governance/governance-sweep.js';
import { councilTerms, nextStandardReview } from '../../src/standard/governance.js';

/**
 * CSS §8.2, §8.3, INTERPRETATION §8: each division's DST is reviewed a year after its last review;
 * the Standard once per Council term (terms begin 15 November after the October elections); the
 * Working Group's recommendations go from proposed to accepted or rejected, then implemented by a
 * DST version. The clock moves.
 */

test('the Standard’s review follows the configured Council terms: due by the last day of the term after the one it was last reviewed in (CSS §8.2)', () => {
  const ontario = councilTerms(['2022-11-15', '2026-11-15', '2030-11-15']);
  assert.deepEqual(ontario.map((t) => [t.start, t.end]), [
    ['2022-11-15', '2026-11-14'],
    ['2026-11-15', '2030-11-14'],
    ['2030-11-15', '2034-11-14'],
  ]);
  // Issued 1 January 2025 (term 2022–2026): the next review is due within the 2026–2030 term.
  assert.deepEqual(nextStandardReview(ontario, '2025-01-01'), { term: ontario[1], dueOn: '2030-11-14' });
  // Reviewed on the term's first day: the next is the following term's.
  assert.deepEqual(nextStandardReview(ontario, '2026-11-15')?.dueOn, '2034-11-14');
  // Another municipality's terms (the older 1 December start) are configuration too.
  const older = councilTerms(['2014-12-01', '2018-12-01', '2022-11-15']);
  assert.deepEqual(nextStandardReview(older, '2016-05-01')?.dueOn, '2022-11-14');
  // No configured term after the last: the City must add one.
  assert.equal(nextStandardReview(councilTerms(['2022-11-15']), '2024-01-01'), undefined);
});

for (const engine of testEngines()) {
  describe(`reviews and the Working Group (CSS §8.2, §8.3) on ${engine.name}`, () => {
    let api: TestApi;
    let roadsReviewId: number;
    before(async () => {
      api = await startApi(engine, '2025-12-01T10:00:00-05:00');
    });
    after(() => api.close());

    test('each division’s annual DST review comes due a year after its targets took effect, owned by its head; the Standard’s is due within the next Council term', async () => {
      const swept = await sweepGovernance({ db: api.db, now: api.clock.now() });
      assert.ok(swept.reviewsScheduled.includes('Roads Operations: annual DST review due 2026-01-01'), swept.reviewsScheduled.join('; '));
      assert.ok(swept.reviewsScheduled.includes('The Standard: comprehensive review for the Council term from 2026-11-15, due 2030-11-14'));
      const again = await sweepGovernance({ db: api.db, now: api.clock.now() });
      assert.deepEqual(again.reviewsScheduled, [], 'one open review per division');
      const roads = await api.db.kysely
        .selectFrom('governance_review')
        .innerJoin('division', 'division.id', 'governance_review.division_id')
        .innerJoin('staff_user', 'staff_user.id', 'governance_review.owner_id')
        .select(['governance_review.id', 'governance_review.due_on', 'staff_user.email'])
        .where('division.code', '=', 'roads-operations')
        .executeTakeFirstOrThrow();
      roadsReviewId = roads.id;
      assert.deepEqual({ due: roads.due_on, owner: roads.email }, { due: '2026-01-01', owner: demo.roadsHead });

      for (const email of [demo.workingGroup, demo.csManager]) {
        const home = pageText((await (await consoleAs(api, email)).get('/staff')).body);
        assert.match(home, /Reviews due .*Roads Operations: annual DST review Due Due by Thursday 1 January 2026; owner Sam Patel/, email);
        assert.doesNotMatch(home, /The Standard: comprehensive review/, 'not due for years: not on the home page');
      }
      assert.doesNotMatch(pageText((await (await consoleAs(api, demo.roadsStaff)).get('/staff')).body), /Reviews due/);
    });

    test('a review past its due date is overdue on the Working Group’s and the Manager’s home pages', async () => {
      api.clock.set('2026-01-05T10:00:00-05:00');
      const home = pageText((await (await consoleAs(api, demo.workingGroup)).get('/staff')).body);
      assert.match(home, /Roads Operations: annual DST review Overdue/);
      const page = pageText((await (await consoleAs(api, demo.csManager)).get('/staff/governance')).body);
      assert.match(page, /Roads Operations: annual DST review Thursday 1 January 2026 Sam Patel Overdue/);
      assert.match(page, /Working Group members Robin Hughes/);
    });

    test('only people who oversee it see it: division staff get 403, another division’s head cannot open it', async () => {
      assert.equal((await (await consoleAs(api, demo.roadsStaff)).get('/staff/governance')).status, 403);
      assert.equal((await (await consoleAs(api, demo.csRep)).get(`/staff/reviews/${roadsReviewId}`)).status, 403);
      const traffic = await consoleAs(api, demo.trafficHead);
      assert.equal((await traffic.get(`/staff/reviews/${roadsReviewId}`)).status, 404);
      assert.equal((await traffic.post(`/staff/reviews/${roadsReviewId}/complete`, { findings: 'x', outcome: 'no_change' })).status, 404);
      assert.equal((await (await consoleAs(api, demo.roadsStaff)).get('/staff/recommendations/new')).status, 403);
    });

    test('the owner records the review with findings and a proposed change; the next review is due a year later (CSS §8.2)', async () => {
      const head = await consoleAs(api, demo.roadsHead);
      const missing = await head.post(`/staff/reviews/${roadsReviewId}/complete`, { findings: '  ', outcome: 'proposed_change' });
      assert.equal(missing.status, 400);
      assert.match(pageText(missing.body), /Write the review’s findings/);
      assert.match(pageText(missing.body), /Name the proposed change/);

      api.clock.set('2026-01-10T11:00:00-05:00');
      // (Sessions last a working day: sign in again on the new day.)
      const later = await consoleAs(api, demo.roadsHead);
      const done = await later.post(`/staff/reviews/${roadsReviewId}/complete`, {
        findings: 'Class 3 potholes resolved on time in 96% of cases; crews report 7 days is generous.',
        outcome: 'proposed_change',
        recommendationTitle: 'Resolve potholes on class 3 roads within 5 calendar days',
        recommendationDetail: 'Compliance has been above 95% for a year.',
      });
      assert.equal(done.status, 303);
      assert.equal(done.headers.location, `/staff/reviews/${roadsReviewId}?done=1`);
      const page = pageText((await later.get(`/staff/reviews/${roadsReviewId}`)).body);
      assert.match(page, /Roads Operations: annual DST review Done/);
      assert.match(page, /Findings Class 3 potholes resolved on time in 96% of cases/);
      assert.match(page, /Outcome A change proposed/);
      assert.match(page, /Resolve potholes on class 3 roads within 5 calendar days Proposed/);
      const next = await api.db.kysely
        .selectFrom('governance_review')
        .innerJoin('division', 'division.id', 'governance_review.division_id')
        .select(['due_on'])
        .where('division.code', '=', 'roads-operations')
        .where('completed_at', 'is', null)
        .executeTakeFirstOrThrow();
      assert.equal(next.due_on, '2027-01-10');
      assert.equal((await later.post(`/staff/reviews/${roadsReviewId}/complete`, { findings: 'again', outcome: 'no_change' })).status, 409, 'a recorded review is not changed');
    });

    test('the Working Group accepts the recommendation with a reason and records the DST version that implemented it (CSS §8.3)', async () => {
      const wg = await consoleAs(api, demo.workingGroup);
      const recommendation = await api.db.kysely.selectFrom('wg_recommendation').select(['id', 'status']).executeTakeFirstOrThrow();
      assert.equal(recommendation.status, 'proposed');
      assert.equal((await wg.post(`/staff/recommendations/${recommendation.id}/decision`, { decision: 'implemented', division: 'roads-operations', version: '1' })).status, 409, 'not before it is accepted');
      assert.equal((await wg.post(`/staff/recommendations/${recommendation.id}/decision`, { decision: 'accepted', reason: '' })).status, 400);
      assert.equal((await wg.post(`/staff/recommendations/${recommendation.id}/decision`, { decision: 'accepted', reason: 'Supported by a year of data.' })).status, 303);
      assert.equal((await wg.post(`/staff/recommendations/${recommendation.id}/decision`, { decision: 'rejected', reason: 'changed our minds' })).status, 409);
      assert.equal((await wg.post(`/staff/recommendations/${recommendation.id}/decision`, { decision: 'implemented', division: 'roads-operations', version: '1' })).status, 303);
      const page = pageText((await wg.get(`/staff/recommendations/${recommendation.id}`)).body);
      assert.match(page, /Implemented/);
      assert.match(page, /Accepted Saturday 10 January 2026 by .*: Supported by a year of data\./);
      assert.match(page, /in Roads Operations's DST version 1/);
      assert.match(page, /From the review Annual DST review due Thursday 1 January 2026/);

      const other = await wg.post('/staff/recommendations', { title: 'Publish targets on the portal', detail: 'Residents ask what to expect.', division: '' });
      assert.equal(other.status, 303);
      const id = Number((other.headers.location as string).split('/').pop());
      assert.equal((await wg.post(`/staff/recommendations/${id}/decision`, { decision: 'rejected', reason: 'Already on the track page.' })).status, 303);
      assert.match(pageText((await wg.get('/staff/governance')).body), /Publish targets on the portal Rejected/);
    });

    test('the Manager records the Standard’s review; the next is due within the following Council term', async () => {
      api.clock.set('2027-03-01T10:00:00-05:00');
      const review = await api.db.kysely.selectFrom('governance_review').select(['id', 'due_on', 'term_start']).where('kind', '=', 'standard').where('completed_at', 'is', null).executeTakeFirstOrThrow();
      assert.deepEqual({ due: review.due_on, term: review.term_start }, { due: '2030-11-14', term: '2026-11-15' });
      const manager = await consoleAs(api, demo.csManager);
      assert.equal((await manager.post(`/staff/reviews/${review.id}/complete`, { findings: 'The Standard works; no change for this term.', outcome: 'no_change' })).status, 303);
      const next = await api.db.kysely.selectFrom('governance_review').select(['due_on', 'term_start']).where('kind', '=', 'standard').where('completed_at', 'is', null).executeTakeFirstOrThrow();
      assert.deepEqual({ due: next.due_on, term: next.term_start }, { due: '2034-11-14', term: '2030-11-15' });
    });
  });
}
