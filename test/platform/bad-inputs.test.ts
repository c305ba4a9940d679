/**
 * Issue #11, finding 9: smaller bad inputs get a clear 400. An e-mail address is one address
 * (no display name, list, CR or LF); an error lists at most 20 details and says how many more; a
 * closure day is within the years the calendar keeps.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngines } from '../helpers/db.js';
import { demo, potholeByPhone, startApi, type Client, type TestApi } from '../helpers/api.js';
import { consoleAs } from '../helpers/console.js';
import { emailAddressProblem, isEmailAddress } from '../../src/standard/email-address.js';
import { createStaffUser } from '../../src/directory/staff.js';
import { supportedYears } from '../../src/standard/calendar.js';

const notOneAddress = ['"Victim"<x@evil.example>', 'Victim <x@evil.example>', '<x@evil.example>', 'a@example.org,victim', 'a@example.org, b@example.org', 'a@example.org;b@example.org', 'a@example.org\r\nBcc: x@evil.example', 'a@example.org\nb', 'a b@example.org', 'a@@example.org', 'a@example', '"a"@example.org', 'a@example.org (Victim)', '.a@example.org', 'a..b@example.org', 'a@-example.org'];

test('finding 9: e-mail validation takes one address only, as a table', () => {
  for (const good of ['dana@example.org', 'first.last+tag@mail.example.co.uk', "o'brien@example.ca", 'josé@exemple.ca', 'cs.rep@kawarthalakes.example', 'a@xn--bcher-kva.ch']) assert.ok(isEmailAddress(good), good);
  for (const bad of notOneAddress) assert.ok(!isEmailAddress(bad), bad);
  assert.match(emailAddressProblem('"Victim"<x@evil.example>')!, /without a name or angle brackets/);
  assert.match(emailAddressProblem('a@example.org,victim')!, /one e-mail address.*not a list/);
  assert.match(emailAddressProblem('a@example.org\r\nBcc: x@evil.example')!, /one line/);
});

const [engine] = testEngines();

describe('bad inputs through the API and the console (issue #11 finding 9)', () => {
  let api: TestApi;
  let cs: Client;
  before(async () => {
    api = await startApi(engine!, '2026-11-23T15:00:00Z');
    cs = await api.as(demo.csRep);
  });
  after(() => api.close());

  test('finding 9: a display name or a list as the customer\u2019s e-mail is a 400 naming customer.email, and no mail is queued', async () => {
    for (const email of notOneAddress) {
      const response = await cs.post('/api/v1/cases', potholeByPhone({ customer: { name: 'Dana', email, preferredContact: 'email' } }));
      assert.equal(response.status, 400, `${JSON.stringify(email)}: ${JSON.stringify(response.body)}`);
      assert.equal(response.body.error.details[0].field, 'customer.email');
    }
    const outbox = await api.db.kysely.selectFrom('outbox_mail').select('to_address').execute();
    assert.deepEqual(outbox, []);
    // The portal's form says the same before anything is sent.
    const portal = await api.app.inject({
      method: 'POST',
      url: '/report/check',
      payload: new URLSearchParams({ type: 'pothole', address: '50 Kent St. W.', description: 'A pothole', email: 'a@example.org,victim', contact: 'email' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(portal.statusCode, 400);
    assert.match(portal.body, /Enter an e-mail address in the right format/);
    // And a staff account.
    await assert.rejects(
      createStaffUser({ tx: api.db.kysely, staff: { email: '"Boss"<boss@evil.example>', name: 'Boss', role: 'division_staff', division: 'roads-operations', password: 'a long enough password 2026' }, now: api.clock.now() }),
      /not an e-mail address/,
    );
  });

  test('finding 9: 10,000 bad attributes give a short error: 20 details and how many more', async () => {
    const wrongType = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`q${i}`, i]));
    const unknown = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`q${i}`, 'yes']));
    for (const attributes of [wrongType, unknown]) {
      const response = await cs.post('/api/v1/cases', potholeByPhone({ attributes }));
      assert.equal(response.status, 400);
      const size = JSON.stringify(response.body).length;
      assert.ok(size < 20_000, `the error is ${size.toLocaleString('en-CA')} characters`);
      assert.equal(response.body.error.details.length, 21);
      assert.match(response.body.error.details[20].message, /^and 9,9\d\d more problems not listed/);
    }
  });

  test(`finding 9: a closure day must be within ${supportedYears.first} to ${supportedYears.last} (9999-12-31 is refused with the reason)`, async () => {
    const admin = await consoleAs(api, demo.admin);
    for (const date of ['9999-12-31', '1899-01-01', '2101-01-01']) {
      const response = await admin.post('/staff/admin/closures/add', { date, name: 'Typo closure', reason: 'test' });
      assert.equal(response.status, 400, date);
      assert.match(response.body, new RegExp(`${date} is outside the years citydesk keeps a calendar for \\(2000 to 2100\\)`));
    }
    const stored = await api.db.kysely.selectFrom('closure_change').select('closure_date').execute();
    assert.deepEqual(stored, []);
    const fine = await admin.post('/staff/admin/closures/add', { date: '2100-12-24', name: 'Christmas Eve closure', reason: 'Council decision' });
    assert.equal(fine.status, 303);
  });
});
