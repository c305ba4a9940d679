import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { demo, potholeByPhone, startApi, type Client, type TestApi } from '../helpers/api.js';
import { consoleAs } from '../helpers/console.js';
import { testEngines } from '../helpers/db.js';
import { compose } from '../helpers/mail-messages.js';
import { form, formHeaders } from '../open311/open311-client.js';
import { createApiKey } from '../../src/open311/api-keys.js';
import { takeMessage } from '../../src/mail/take-message.js';
import { listCustomerReplies } from '../../src/cases/customer-replies.js';
import { loadStaffMember } from '../../src/directory/staff.js';

/**
 * "Customer replied" is one list for the division, whatever the channel: a customer's e-mail reply
 * (issue 17) and a resident's "not fixed" through an Open311 app (issue 20) wait side by side on
 * the division's home page, oldest first, and another division sees neither.
 */
for (const engine of testEngines()) {
  describe(`one "customer replied" list from every channel, on ${engine.name}`, () => {
    let api: TestApi;
    let roads: Client;
    let byMail: string;
    let byApp: string;
    before(async () => {
      api = await startApi(engine, '2026-11-23T15:00:00Z');
      const cs = await api.as(demo.csRep);
      roads = await api.as(demo.roadsStaff);
      byMail = (await cs.post('/api/v1/cases', potholeByPhone())).body.case.reference;
      byApp = (await cs.post('/api/v1/cases', potholeByPhone({ summary: 'Pothole reported again through an app.' }))).body.case.reference;
      assert.equal((await roads.post(`/api/v1/cases/${byApp}/resolve`, { resolution: 'Filled.', method: 'record' })).status, 200);
      // The customer answers by e-mail, naming the case (they are its customer).
      api.clock.set('2026-11-23T16:00:00Z');
      const raw = await compose({ from: 'Dana Resident <dana@example.org>', subject: `Question about ${byMail}`, text: 'When will it be fixed?', messageId: '<dana-1@example.org>' });
      const taken = await takeMessage({ db: api.db, raw, place: { mailbox: 'INBOX', uidValidity: 1, uid: 1, arrivedAt: api.clock.now() }, now: api.clock.now() });
      assert.ok(taken.taken && taken.kind === 'reply');
      // A resident says, through FixMyStreet, that the resolved one is not fixed.
      api.clock.set('2026-11-23T17:00:00Z');
      const { key } = await createApiKey({ tx: api.db.kysely, name: 'FixMyStreet', now: api.clock.now() });
      const update = await api.app.inject({
        method: 'POST',
        url: '/open311/v2/servicerequestupdates.json',
        headers: formHeaders,
        payload: form({ api_key: key, jurisdiction_id: 'kawarthalakes.ca', service_request_id: byApp, update_id: 'nf-1', updated_datetime: '2026-11-23T12:00:00-05:00', status: 'REOPEN', description: 'Not fixed: the hole is back.', first_name: 'Quinn', last_name: 'Okafor', email: 'quinn.okafor@example.net' }),
        remoteAddress: '10.9.0.1',
      });
      assert.equal(update.statusCode, 200, update.body);
    });
    after(() => api.close());

    const home = async (email: string) => {
      const page = await (await consoleAs(api, email)).get('/staff');
      assert.equal(page.status, 200);
      return page.body.replace(/<!-- -->/g, '');
    };

    test('the use case lists both, oldest first, with the channel each came by', async () => {
      const staff = (await loadStaffMember(api.db.kysely, (await api.db.kysely.selectFrom('staff_user').select('id').where('email', '=', demo.roadsStaff).executeTakeFirstOrThrow()).id))!;
      const replies = await listCustomerReplies(api.db.kysely, staff, 10);
      assert.equal(replies.total, 2);
      assert.deepEqual(replies.items.map((r) => [r.reference, r.via, r.resolved]), [
        [byMail, 'e-mail', false],
        [byApp, 'FixMyStreet', true],
      ]);
    });

    test('the division home page shows one "Customer replied" section holding both; another division sees neither', async () => {
      const page = await home(demo.roadsStaff);
      const start = page.indexOf('id="home-customer-replied"');
      assert.ok(start > 0, 'the section is there');
      const section = page.slice(start, page.indexOf('</section>', start));
      assert.match(section, /Customer replied <span class="home-count">2<\/span>/);
      assert.ok(section.indexOf(byMail) > 0 && section.indexOf(byApp) > section.indexOf(byMail), 'both, oldest first');
      assert.match(section, /Customer replied, via e-mail/);
      assert.match(section, /About a resolved case: reopen or answer, via FixMyStreet/);
      assert.match(section, /Not fixed: the hole is back\./);
      assert.equal(page.split('Customer replied <span').length - 1, 1, 'one list, not one per channel');
      assert.doesNotMatch(page, /Residents say it is not fixed/);
      assert.doesNotMatch(await home(demo.trafficStaff), /id="home-customer-replied"/);
    });

    test('administrators see the mailbox status (no message contents); division staff may not', async () => {
      const open = async (email: string) => (await consoleAs(api, email)).get('/staff/mailbox');
      const page = await open(demo.admin);
      assert.equal(page.status, 200);
      const body = page.body.replace(/<!-- -->/g, '');
      assert.match(body, /Mailbox status/);
      assert.match(body, /No mailbox is connected/, 'this server copy has no IMAP_URL');
      assert.match(body, /<th scope="row">reply<\/th><td class="num">1<\/td>/);
      assert.doesNotMatch(body, /When will it be fixed|dana@example\.org|Question about/, 'no sender, subject or text');
      assert.equal((await open(demo.roadsStaff)).status, 403);
    });
  });
}
