import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testEngines } from '../helpers/db.js';
import { demo, potholeByPhone, startApi, type Client, type TestApi } from '../helpers/api.js';
import { consoleAs } from '../helpers/console.js';
import { DirectoryCache } from '../../src/directory/directory-cache.js';
import { sweepFollowers } from '../../src/notify/sweep-followers.js';

/**
 * Following a request by e-mail (issue 19), without a browser: the address is confirmed first
 * (the link's page alone confirms nothing), each public update reaches each follower exactly once
 * even with two sweepers at the same time, the moderated text is what they read, no follower learns
 * of another or of the reporter, and unfollowing holds. The browser walk is in
 * test/web/resident-side-browser.test.ts.
 */

const secret = 'the man at 12 Elm Street did it';
const followers = ['ana.follower@example.net', 'bo.follower@example.net'];

for (const engine of testEngines()) {
  describe(`following a request on ${engine.name}`, () => {
    let api: TestApi;
    let roads: Client;
    let directory: DirectoryCache;
    let reference = '';
    before(async () => {
      api = await startApi(engine, '2026-03-02T10:00:00-05:00');
      roads = await api.as(demo.roadsStaff);
      const cs = await api.as(demo.csRep);
      const created = await cs.post('/api/v1/cases', potholeByPhone({ description: `Deep pothole; ${secret}.` }));
      assert.equal(created.status, 201, JSON.stringify(created.body));
      reference = created.body.case.reference;
      directory = new DirectoryCache(api.db, api.clock);
    });
    after(() => api.close());

    const mailsTo = (to: string) => api.db.kysely.selectFrom('outbox_mail').select(['to_address', 'subject', 'body']).where('to_address', '=', to).orderBy('id').execute();
    const updatesTo = async (to: string) => (await mailsTo(to)).filter((m) => m.subject.startsWith('Update on'));
    const page = async (method: 'GET' | 'POST', url: string, form?: Record<string, string>) => {
      const r = await api.app.inject({ method, url, headers: { accept: 'text/html', ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) }, ...(form ? { payload: new URLSearchParams(form).toString() } : {}) });
      return { status: r.statusCode, body: r.body, location: r.headers.location };
    };
    const linkIn = (body: string, kind: 'confirm' | 'stop') => new RegExp(`http://localhost:3000(/follow/${kind}/[^\\s]+)`).exec(body)![1]!;
    const twoSweepers = async () => {
      const d = await directory.get();
      const results = await Promise.all([
        sweepFollowers({ db: api.db, directory: d, now: api.clock.now(), useLock: false }),
        sweepFollowers({ db: api.db, directory: d, now: api.clock.now(), useLock: false }),
      ]);
      return results.reduce((n, r) => n + r.sent, 0);
    };

    test('the address is confirmed first: the e-mail link opens a page with one button, and only the button confirms', async () => {
      const wrong = await page('POST', `/track/${reference}/follow`, { email: 'not an address', website: '' });
      assert.equal(wrong.status, 400);
      assert.match(wrong.body, /Enter an e-mail address in the right format, like name@example\.com/);

      for (const email of followers) {
        const asked = await page('POST', `/track/${reference}/follow`, { email, website: '' });
        assert.equal(asked.status, 303);
        assert.equal(asked.location, `/track/${reference}/follow?sent=1`);
      }
      assert.match((await page('GET', `/track/${reference}/follow?sent=1`)).body, /Check your e-mail/);
      for (const email of followers) {
        const [mail, ...more] = await mailsTo(email);
        assert.equal(more.length, 0);
        assert.equal(mail!.subject, `Confirm that you want updates on ${reference}`);
        const link = linkIn(mail!.body, 'confirm');
        const opened = await page('GET', link);
        assert.equal(opened.status, 200);
        assert.match(opened.body, /Yes, e-mail me the updates/);
        assert.equal((await api.db.kysely.selectFrom('case_follower').select('confirmed_at').where('email', '=', email).executeTakeFirstOrThrow()).confirmed_at, null, 'opening the link (as a mail scanner does) confirms nothing');
        const confirmed = await page('POST', link);
        assert.equal(confirmed.status, 200);
        assert.match(confirmed.body, /You are following this request/);
      }
      const damaged = await page('GET', `/follow/confirm/1.9999999999.${'A'.repeat(43)}`);
      assert.equal(damaged.status, 404);
      assert.match(damaged.body, /This link does not work/);
    });

    test('each public update reaches each follower exactly once, with two sweepers at once; nothing names the reporter or another follower', async () => {
      api.clock.set('2026-03-02T11:00:00-05:00');
      const ack = await roads.post(`/api/v1/cases/${reference}/acknowledge`, { nextSteps: 'A crew will inspect the pothole and patch it.', contact: 'Roads Operations, 705-324-9411 ext. 1200' });
      assert.equal(ack.status, 200, JSON.stringify(ack.body));
      assert.equal(await twoSweepers(), 2, 'one e-mail per follower');
      assert.equal(await twoSweepers(), 0, 'swept again: nothing more');

      // Staff redact the report before the next update: followers read only the moderated text.
      const staff = await consoleAs(api, demo.roadsStaff);
      const moderated = await staff.post(`/staff/cases/${reference}/moderation/description`, { 'moderate.action': 'redacted', 'moderate.publicText': 'Deep pothole.', 'moderate.reason': 'Names a neighbour' });
      assert.equal(moderated.status, 303);
      api.clock.set('2026-03-03T09:00:00-05:00');
      const update = await roads.post(`/api/v1/cases/${reference}/updates`, { status: 'The crew is booked for next week.', timeline: '2026-03-12', reason: 'The asphalt plant opens on Monday.' });
      assert.equal(update.status, 200, JSON.stringify(update.body));
      const both = await Promise.all([twoSweepers(), twoSweepers()]);
      assert.equal(both[0] + both[1], 2);

      for (const [i, email] of followers.entries()) {
        const mails = await updatesTo(email);
        assert.deepEqual(
          mails.map((m) => m.subject),
          [`Update on ${reference} (Pothole), which you follow`, `Update on ${reference} (Pothole), which you follow`],
        );
        assert.match(mails[0]!.body, /Acknowledged by the responsible division\nA crew will inspect the pothole and patch it\./);
        assert.match(mails[1]!.body, /The crew is booked for next week\./);
        assert.match(mails[1]!.body, /The request: Deep pothole\./);
        for (const m of mails) {
          assert.match(m.body, /\/follow\/stop\//, 'every e-mail has its unfollow link');
          assert.doesNotMatch(m.body, /Dana|dana@example\.org|705-555-0142/, 'never the reporter');
          assert.ok(!m.body.includes(followers[1 - i]!), 'never another follower');
        }
        assert.doesNotMatch(mails[1]!.body, /Elm Street/, 'moderated text never reaches a follower');
      }
      const recipients = await api.db.kysely.selectFrom('outbox_mail').select('to_address').where('subject', 'like', 'Update on%').execute();
      assert.ok(recipients.every((r) => !r.to_address.includes(',')), 'one address per e-mail');
    });

    test('unfollowing holds: the page alone changes nothing, the button stops the e-mails, and an old confirmation link does not undo it', async () => {
      const [ana] = followers;
      const [first] = await updatesTo(ana!);
      const stop = linkIn(first!.body, 'stop');
      assert.match((await page('GET', stop)).body, /Stop e-mailing me about it/);
      const stopped = await page('POST', stop);
      assert.equal(stopped.status, 200);
      assert.match(stopped.body, /No more updates/);
      const oldConfirm = linkIn((await mailsTo(ana!))[0]!.body, 'confirm');
      await page('POST', oldConfirm);

      api.clock.set('2026-03-04T09:00:00-05:00');
      const resolved = await roads.post(`/api/v1/cases/${reference}/resolve`, { resolution: 'The crew patched the pothole.' });
      assert.equal(resolved.status, 200, JSON.stringify(resolved.body));
      assert.equal(await twoSweepers(), 1);
      assert.equal((await updatesTo(ana!)).length, 2, 'nothing more after unfollowing');
      const bo = await updatesTo(followers[1]!);
      assert.equal(bo.length, 3);
      assert.match(bo[2]!.body, /Request closed\nThe crew patched the pothole\./);

      // Following again needs a new confirmation; the updates before it are not sent.
      await page('POST', `/track/${reference}/follow`, { email: ana!, website: '' });
      assert.equal((await mailsTo(ana!)).filter((m) => m.subject.startsWith('Confirm')).length, 2);
      assert.equal(await twoSweepers(), 0);
    });
  });
}
