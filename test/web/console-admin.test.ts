import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { demo, potholeByPhone, inquiryByPhone, startApi, type TestApi } from '../helpers/api.js';
import { testEngines } from '../helpers/db.js';
import { consoleAs, formBody, pageText, type ConsoleClient } from '../helpers/console.js';

/**
 * The administrators' pages (issue #6, INTERPRETATION §9), driven as a browser without JavaScript
 * drives them: forms posted, 303 redirects, pages read as text.
 */

const [engine] = testEngines();

describe('administration pages', () => {
  let api: TestApi;
  let admin: ConsoleClient;
  const nextSecond = () => api.clock.advance(1_100); // every server copy's directory is re-read at most once a second

  before(async () => {
    api = await startApi(engine!, '2026-03-02T10:00:00-05:00');
    admin = await consoleAs(api, demo.admin);
  });
  after(() => api.close());

  test('only administrators use the administration pages: everyone else gets the 403 page on every GET and POST, and nothing changes (INTERPRETATION §9)', async () => {
    const gets = ['/staff/admin', '/staff/admin/staff', '/staff/admin/staff/new', '/staff/admin/staff/1', '/staff/admin/closures', '/staff/admin/targets', '/staff/admin/targets/pothole', '/staff/admin/api-keys'];
    const posts: [string, Record<string, string>][] = [
      ['/staff/admin/staff/new', { name: 'Mallory', email: 'mallory@example.org', role: 'administrator', password: 'a long enough password' }],
      ['/staff/admin/staff/1/role', { role: 'administrator' }],
      ['/staff/admin/staff/1/password', { password: 'a long enough password' }],
      ['/staff/admin/staff/1/active', { active: 'no' }],
      ['/staff/admin/closures/add', { date: '2026-03-04', name: 'Snow day' }],
      ['/staff/admin/closures/remove', { date: '2026-04-03' }],
      ['/staff/admin/targets/pothole', { acknowledge: '1 business day', resolve: '1 calendar day', effectiveFrom: '2026-03-10' }],
      ['/staff/admin/api-keys', { name: 'Mallory app' }],
      ['/staff/admin/api-keys/1/revoke', {}],
    ];
    const versions = (await api.db.kysely.selectFrom('dst_version').selectAll().execute()).length;
    for (const email of [demo.csRep, demo.csManager, demo.roadsStaff, demo.roadsHead, demo.worksDirector, demo.cao, demo.workingGroup]) {
      const someone = await consoleAs(api, email);
      for (const url of gets) {
        const response = await someone.get(url);
        assert.equal(response.status, 403, `${email} GET ${url}`);
        assert.match(pageText(response.body), /You cannot do that here.*Only an administrator can use the administration pages/, `${email} GET ${url}`);
      }
      for (const [url, fields] of posts) {
        const response = await someone.post(url, fields);
        assert.equal(response.status, 403, `${email} POST ${url}`);
      }
      assert.doesNotMatch(pageText((await someone.get('/staff/targets')).body), /Administration/, `${email} has no Administration link`);
    }
    assert.equal((await api.db.kysely.selectFrom('directory_event').selectAll().execute()).length, 0);
    assert.equal((await api.db.kysely.selectFrom('api_key').selectAll().execute()).length, 0);
    assert.equal((await api.db.kysely.selectFrom('closure_change').selectAll().execute()).length, 0);
    assert.equal((await api.db.kysely.selectFrom('dst_version').selectAll().execute()).length, versions);
    assert.equal((await api.db.kysely.selectFrom('staff_user').selectAll().where('email', '=', 'mallory@example.org').execute()).length, 0);

    const anonymous = await api.app.inject({ method: 'GET', url: '/staff/admin/staff' });
    assert.equal(anonymous.statusCode, 303);
    assert.match(anonymous.headers.location as string, /^\/staff\/sign-in\?next=/);
  });

  test('an administrator creates a staff account; the person signs in with it; a short password is refused in plain words; deactivating signs them out', async () => {
    const refused = await admin.post('/staff/admin/staff/new', { name: 'Robin Grader', email: 'robin.grader@kawarthalakes.example', role: 'division_staff', division: 'roads-operations', password: 'short' });
    assert.equal(refused.status, 400);
    assert.match(pageText(refused.body), /There is a problem.*A password needs at least 12 characters/);
    assert.match(refused.body, /value="Robin Grader"/, 'the form keeps what was typed');

    const noDivision = await admin.post('/staff/admin/staff/new', { name: 'Robin Grader', email: 'robin.grader@kawarthalakes.example', role: 'division_staff', password: 'grader-2026-spring' });
    assert.equal(noDivision.status, 400);
    assert.match(pageText(noDivision.body), /A member of division staff works in a division: choose one/);

    const created = await admin.post('/staff/admin/staff/new', {
      name: 'Robin Grader',
      email: 'robin.grader@kawarthalakes.example',
      role: 'division_staff',
      division: 'roads-operations',
      password: 'grader-2026-spring',
    });
    assert.equal(created.status, 303, pageText(created.body));
    const page = await admin.get(created.headers.location as string);
    assert.match(pageText(page.body), /Robin Grader.*The account is created.*Division staff.*Roads Operations.*Active/);
    const row = await api.db.kysely.selectFrom('staff_user').selectAll().where('email', '=', 'robin.grader@kawarthalakes.example').executeTakeFirstOrThrow();
    assert.equal(row.role, 'division_staff');
    const event = await api.db.kysely.selectFrom('directory_event').selectAll().where('type', '=', 'staff_account_created').executeTakeFirstOrThrow();
    assert.ok(event.actor_label.endsWith(`<${demo.admin}>`), 'the change is recorded against the administrator who made it');

    const robin = await consoleAs(api, 'robin.grader@kawarthalakes.example', 'grader-2026-spring');
    const home = await robin.get('/staff/targets');
    assert.equal(home.status, 200);
    assert.match(pageText(home.body), /Signed in as Robin Grader \(Division staff, Roads Operations\)/);

    const promoted = await admin.post(`/staff/admin/staff/${row.id}/role`, { role: 'division_head', division: 'roads-operations' });
    assert.equal(promoted.status, 303);
    assert.equal((await api.db.kysely.selectFrom('staff_user').select('role').where('id', '=', row.id).executeTakeFirstOrThrow()).role, 'division_head');

    const reset = await admin.post(`/staff/admin/staff/${row.id}/password`, { password: 'a-new-password-2026' });
    assert.equal(reset.status, 303);
    // The sign-in page itself, not the shared test session: the new password is the one that works.
    const signInWith = (password: string) =>
      api.app.inject({ method: 'POST', url: '/staff/sign-in', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: formBody({ email: 'robin.grader@kawarthalakes.example', password }) });
    assert.equal((await signInWith('grader-2026-spring')).statusCode, 400, 'the old password no longer signs in');
    assert.equal((await signInWith('a-new-password-2026')).statusCode, 303, 'the new one does');

    const deactivated = await admin.post(`/staff/admin/staff/${row.id}/active`, { active: 'no' });
    assert.equal(deactivated.status, 303);
    api.clock.advance(2_000); // sessions are re-checked at most once a second
    const afterwards = await robin.get('/staff/targets');
    assert.equal(afterwards.status, 303, 'a deactivated account is signed out');
    assert.equal((await signInWith('a-new-password-2026')).statusCode, 400, 'nor can it sign in again');

    const adminRow = await api.db.kysely.selectFrom('staff_user').select('id').where('email', '=', demo.admin).executeTakeFirstOrThrow();
    const self = await admin.post(`/staff/admin/staff/${adminRow.id}/role`, { role: 'working_group' });
    assert.equal(self.status, 400);
    assert.match(pageText(self.body), /only active administrator's account, so it cannot be given another role/);
  });

  test('§4, §8.2: a target change is a new DST version from its effective date; a request received after it gets the new targets, one received before keeps the old', async () => {
    const cs = await api.as(demo.csRep);
    const past = await admin.post('/staff/admin/targets/pothole', { acknowledge: '1 business day', resolve: '7 calendar days', effectiveFrom: '2026-02-27' });
    assert.equal(past.status, 400);
    assert.match(pageText(past.body), /The new targets cannot take effect in the past \(Friday 27 February 2026\).*Choose today, Monday 2 March 2026, or a later date/);
    assert.match(past.body, /aria-invalid="true"[^>]*aria-describedby="f-effectiveFrom-hint f-effectiveFrom-error"|id="f-effectiveFrom-error"/);

    const badTarget = await admin.post('/staff/admin/targets/pothole', { acknowledge: 'soon', resolve: '7 calendar days', effectiveFrom: '2026-03-09' });
    assert.equal(badTarget.status, 400);
    assert.match(pageText(badTarget.body), /The acknowledgment target "soon" is not a target/);

    const versionsBefore = await api.db.kysely.selectFrom('dst_version').selectAll().execute();
    const changed = await admin.post('/staff/admin/targets/pothole', {
      acknowledge: '1 business day',
      resolve: '7 calendar days',
      'byValue[v_2][resolve]': '2 calendar days',
      'byValue[v_3][resolve]': '5 calendar days',
      'byValue[v_4][resolve]': '14 calendar days',
      'byValue[v_5][resolve]': '30 calendar days',
      effectiveFrom: '2026-03-09',
      note: 'Council report PW2026-014',
    });
    assert.equal(changed.status, 303, pageText(changed.body));
    assert.equal(changed.headers.location, '/staff/targets/roads-operations?changed=2');
    const shown = pageText((await admin.get(changed.headers.location as string)).body);
    assert.match(shown, /New targets saved.*Version 2 of Roads Operations's Division Service Targets takes effect on Monday 9 March 2026/);
    assert.match(shown, /In force now: version 1.*Pothole Acknowledge within 2 business days; resolve within 7 calendar days/);
    assert.match(shown, /Scheduled to take effect Version 2, from Monday 9 March 2026.*Pothole Acknowledge within 1 business day; resolve within 7 calendar days.*Class 3: a collector road between neighbourhoods — resolve within 5 calendar days/);

    const roads = await api.db.kysely.selectFrom('division').select('id').where('code', '=', 'roads-operations').executeTakeFirstOrThrow();
    const v2 = await api.db.kysely.selectFrom('dst_version').selectAll().where('division_id', '=', roads.id).where('version', '=', 2).executeTakeFirstOrThrow();
    assert.equal(v2.effective_from, '2026-03-09');
    assert.equal((await api.db.kysely.selectFrom('dst_version').selectAll().execute()).length, versionsBefore.length + 1);
    const v1 = versionsBefore.find((v) => v.division_id === roads.id)!;
    const countOf = async (id: number) => (await api.db.kysely.selectFrom('dst_target').select('request_type_id').where('dst_version_id', '=', id).execute()).length;
    assert.equal(await countOf(v2.id), await countOf(v1.id), "the division's other targets are copied");

    // Received before the effective date: the old targets (2 business days; class 3: 7 days).
    nextSecond();
    const before = await cs.post('/api/v1/cases', potholeByPhone());
    assert.equal(before.status, 201);
    assert.equal(before.body.case.targets.dstVersion.version, 1);
    assert.equal(before.body.case.targets.acknowledgeBy, '2026-03-04T16:30:00-05:00');

    api.clock.set('2026-03-09T10:00:00-04:00');
    const afterChange = await cs.post('/api/v1/cases', potholeByPhone());
    assert.equal(afterChange.status, 201);
    assert.equal(afterChange.body.case.targets.dstVersion.version, 2);
    assert.equal(afterChange.body.case.targets.acknowledgeBy, '2026-03-10T16:30:00-04:00');
    assert.equal(afterChange.body.case.targets.resolveBy, '2026-03-14T10:00:00-04:00', 'class 3 now 5 calendar days');

    const earlier = await cs.get(`/api/v1/cases/${before.body.case.reference}`);
    assert.equal(earlier.body.case.targets.dstVersion.version, 1, 'the earlier request keeps its version');
    assert.equal(earlier.body.case.targets.acknowledgeBy, '2026-03-04T16:30:00-05:00');

    const now = pageText((await admin.get('/staff/targets/roads-operations')).body);
    assert.match(now, /In force now: version 2.*Past versions Version 1, in force from Wednesday 1 January 2025/);
    const event = await api.db.kysely.selectFrom('directory_event').selectAll().where('type', '=', 'service_targets_changed').executeTakeFirstOrThrow();
    assert.deepEqual((event.data as Record<string, unknown>)['effectiveFrom'], '2026-03-09');
    api.clock.set('2026-03-02T10:00:00-05:00');
    nextSecond();
  });

  test('an API key issued on the page works for POST /open311/v2/requests.json and stops working once revoked', async () => {
    api.clock.set('2026-03-02T11:00:00-05:00');
    const issued = await admin.post('/staff/admin/api-keys', { name: 'Lindsay ward app' });
    assert.equal(issued.status, 201);
    assert.match(pageText(issued.body), /The key for “Lindsay ward app” is ready.*shown only this once/);
    const key = /value="(cdk_[A-Za-z0-9_-]+)"/.exec(issued.body)![1]!;
    const stored = await api.db.kysely.selectFrom('api_key').selectAll().executeTakeFirstOrThrow();
    assert.notEqual(stored.key_hash, key, 'only a hash is kept');

    const submit = () =>
      api.app.inject({
        method: 'POST',
        url: '/open311/v2/requests.json',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: formBody({ api_key: key, service_code: 'pothole', lat: '44.3501', long: '-78.7452', description: 'A deep pothole by the curb.' }),
      });
    const accepted = await submit();
    assert.equal(accepted.statusCode, 200, accepted.body);
    assert.match(accepted.body, /"service_request_id":"SR-2026-\d+"/);

    const list = pageText((await admin.get('/staff/admin/api-keys')).body);
    assert.match(list, new RegExp(`Lindsay ward app ${key.slice(0, 10)}… .* In use`));
    assert.doesNotMatch((await admin.get('/staff/admin/api-keys')).body, new RegExp(key), 'the whole key is never shown again');

    const revoked = await admin.post(`/staff/admin/api-keys/${stored.id}/revoke`);
    assert.equal(revoked.status, 303);
    assert.match(pageText((await admin.get(revoked.headers.location as string)).body), /The key “Lindsay ward app” is revoked.*Revoked/);
    const refused = await submit();
    assert.equal(refused.statusCode, 403);
    assert.match(refused.body, /not valid \(unknown or revoked\)/);
  });

  test('INTERPRETATION §1: adding a closure day moves a due date past it, removing it brings the date back', async () => {
    const cs = await api.as(demo.csRep);
    api.clock.set('2026-03-02T10:00:00-05:00');
    nextSecond();
    // An inquiry received Monday 10:00: 3 business days, due Thursday 16:30.
    const plain = await cs.post('/api/v1/cases', inquiryByPhone());
    assert.equal(plain.body.case.targets.acknowledgeBy, '2026-03-05T16:30:00-05:00');

    const added = await admin.post('/staff/admin/closures/add', { date: '2026-03-04', name: 'Ice storm closure', reason: 'Council declared an emergency' });
    assert.equal(added.status, 303);
    const page = pageText((await admin.get(added.headers.location as string)).body);
    assert.match(page, /Wednesday 4 March 2026 is now a closure day/);
    assert.match(page, /Wednesday 4 March 2026 Ice storm closure Added by an administrator/);
    nextSecond();
    const withClosure = await cs.post('/api/v1/cases', inquiryByPhone());
    assert.equal(withClosure.body.case.targets.acknowledgeBy, '2026-03-06T16:30:00-05:00');

    const removed = await admin.post('/staff/admin/closures/remove', { date: '2026-03-04' });
    assert.equal(removed.status, 303);
    nextSecond();
    const withoutClosure = await cs.post('/api/v1/cases', inquiryByPhone());
    assert.equal(withoutClosure.body.case.targets.acknowledgeBy, '2026-03-05T16:30:00-05:00');

    const missingName = await admin.post('/staff/admin/closures/add', { date: '2026-03-04', name: '' });
    assert.equal(missingName.status, 400);
    assert.match(pageText(missingName.body), /A closure day needs a name/);
    const notClosed = await admin.post('/staff/admin/closures/remove', { date: '2026-03-11' });
    assert.equal(notClosed.status, 400);
    assert.match(pageText(notClosed.body), /2026-03-11 is not a closure day, so there is nothing to remove/);

    const types = (await api.db.kysely.selectFrom('directory_event').select('type').orderBy('id').execute()).map((e) => e.type);
    assert.ok(types.includes('closure_day_added') && types.includes('closure_day_removed'));
  });
});
