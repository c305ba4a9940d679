import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../../src/db/connect.js';
import { changeClosureDay, listClosureDays } from '../../src/directory/change-closure-day.js';
import { changeServiceTargets } from '../../src/directory/change-service-targets.js';
import { changeStaffRole, createStaffAccount, setStaffAccountActive, setStaffPassword } from '../../src/directory/change-staff-account.js';
import { DirectoryCache } from '../../src/directory/directory-cache.js';
import { loadStaffMember, type StaffMember } from '../../src/directory/staff.js';
import { findApiKey } from '../../src/open311/api-keys.js';
import { issueApiKey, listApiKeys, revokeApiKey } from '../../src/open311/manage-api-keys.js';
import { fixedClock } from '../../src/platform/clock.js';
import { isAppError } from '../../src/platform/errors.js';
import { demo } from '../helpers/api.js';
import { testEngines } from '../helpers/db.js';

const rejectsWith = async (promise: Promise<unknown>, code: string, message: RegExp) =>
  assert.rejects(promise, (error: unknown) => isAppError(error) && error.code === code && message.test(error.message));

for (const engine of testEngines()) {
  describe(`administration use cases on ${engine.name}`, () => {
    let db: Db;
    let admin: StaffMember;
    let manager: StaffMember;
    const now = new Date('2026-03-02T15:00:00Z'); // Monday 10:00 in Lindsay
    const member = async (email: string) => {
      const row = await db.kysely.selectFrom('staff_user').select('id').where('email', '=', email).executeTakeFirstOrThrow();
      return (await loadStaffMember(db.kysely, row.id))!;
    };
    const events = async (type: string) => db.kysely.selectFrom('directory_event').selectAll().where('type', '=', type).execute();

    before(async () => {
      db = await engine.open({ seed: true });
      admin = await member(demo.admin);
      manager = await member(demo.csManager);
    });
    after(() => db.close());

    test('INTERPRETATION §9: only an administrator changes the directory; anyone else is refused before anything is written', async () => {
      const refused = /Only an administrator/;
      await rejectsWith(changeServiceTargets({ db, actor: manager, requestType: 'pothole', targets: { acknowledge: '1 business day', resolve: '1 calendar day' }, effectiveFrom: '2026-04-01', now }), 'FORBIDDEN', refused);
      await rejectsWith(changeClosureDay({ db, actor: manager, action: 'add', date: '2026-03-04', name: 'Snow day', now }), 'FORBIDDEN', refused);
      await rejectsWith(issueApiKey({ db, actor: manager, name: 'x', now }), 'FORBIDDEN', refused);
      await rejectsWith(setStaffAccountActive({ db, actor: manager, staffId: admin.id, active: false, now }), 'FORBIDDEN', refused);
      await rejectsWith(createStaffAccount({ db, actor: manager, staff: { email: 'a@b.c', name: 'A', role: 'administrator', password: 'long enough password' }, now }), 'FORBIDDEN', refused);
      assert.equal((await db.kysely.selectFrom('directory_event').selectAll().execute()).length, 0);
    });

    test('§4, §8.2: a target change makes a new DST version from today or later, copies the division’s other targets, reloads every directory copy and is audited', async () => {
      const clock = fixedClock(now);
      const cache = new DirectoryCache(db, clock);
      const before = await cache.get();
      await rejectsWith(
        changeServiceTargets({ db, actor: admin, requestType: 'sidewalk-hazard', targets: { acknowledge: '1 business day', resolve: '7 calendar days' }, effectiveFrom: '2026-03-01', now }),
        'VALIDATION_FAILED',
        /cannot take effect in the past \(Sunday 1 March 2026\).*Choose today, Monday 2 March 2026/,
      );
      await rejectsWith(
        changeServiceTargets({ db, actor: admin, requestType: 'sidewalk-hazard', targets: { acknowledge: '2 business days', resolve: '14 calendar days' }, effectiveFrom: '2026-03-02', now }),
        'VALIDATION_FAILED',
        /already the targets of Sidewalk trip hazard/,
      );
      const changed = await changeServiceTargets({ db, actor: admin, requestType: 'sidewalk-hazard', targets: { acknowledge: '1 business day', resolve: '7 calendar days' }, effectiveFrom: '2026-03-02', now });
      assert.equal(changed.version, 2);
      assert.equal(changed.effectiveFrom, '2026-03-02');

      clock.advance(1_000);
      const afterChange = await cache.get();
      assert.notEqual(afterChange.revision, before.revision, 'the directory revision moved');
      const today = afterChange.serviceTargets('sidewalk-hazard', now.getTime());
      assert.equal(today.dstVersion.version, 2);
      assert.deepEqual(today.targets.resolve, { amount: 7, unit: 'calendar_days' });
      assert.deepEqual(afterChange.serviceTargets('pothole', now.getTime()).targets, before.serviceTargets('pothole', now.getTime()).targets, 'other targets copied');
      assert.equal(afterChange.serviceTargets('sidewalk-hazard', new Date('2026-02-27T15:00:00Z').getTime()).dstVersion.version, 1, 'earlier receipts keep version 1');

      await rejectsWith(
        changeServiceTargets({ db, actor: admin, requestType: 'pothole', targets: { acknowledge: '1 business day', resolve: '7 calendar days' }, effectiveFrom: '2026-03-02', now }),
        'VALIDATION_FAILED',
        /DST version 2 takes effect on Monday 2 March 2026.*choose a date after it/,
      );
      const [event] = await events('service_targets_changed');
      assert.deepEqual((event!.data as Record<string, unknown>)['to'], { acknowledge: '1 business day', resolve: '7 calendar days' });
    });

    test('INTERPRETATION §1: a closure day added or removed by an administrator is marked in the year’s list, with who changed it', async () => {
      await changeClosureDay({ db, actor: admin, action: 'add', date: '2026-04-06', name: 'Easter Monday', reason: 'Council decision', now });
      await changeClosureDay({ db, actor: admin, action: 'remove', date: '2026-04-03', now });
      const days = await listClosureDays(db.kysely, 2026);
      assert.deepEqual(
        days.filter((d) => d.source !== 'default').map((d) => [d.date, d.name, d.source, d.changedBy]),
        [
          ['2026-04-03', 'Good Friday', 'removed', demo.admin],
          ['2026-04-06', 'Easter Monday', 'added', demo.admin],
        ],
      );
      assert.equal((await events('closure_day_added')).length, 1);
      assert.equal((await events('closure_day_removed')).length, 1);
    });

    test('staff accounts: created with every problem named at once, the last administrator cannot be demoted or deactivated, a deactivated account has no sessions', async () => {
      await assert.rejects(createStaffAccount({ db, actor: admin, staff: { email: 'nope', name: '', role: 'division_staff', password: 'short' }, now }), (error: unknown) => {
        assert.ok(isAppError(error));
        assert.deepEqual(error.details.map((d) => d.field), ['name', 'email', 'division', 'password']);
        return true;
      });
      const { id } = await createStaffAccount({ db, actor: admin, staff: { email: 'lee.plow@kawarthalakes.example', name: 'Lee Plow', role: 'division_staff', division: 'roads-operations', password: 'plowing-all-winter' }, now });
      await changeStaffRole({ db, actor: admin, staffId: id, role: 'department_head', department: 'public-works', now });
      const promoted = (await loadStaffMember(db.kysely, id))!;
      assert.equal(promoted.role, 'department_head');
      assert.equal(promoted.divisionId, null);
      await setStaffPassword({ db, actor: admin, staffId: id, password: 'a-brand-new-password', now });
      await rejectsWith(changeStaffRole({ db, actor: admin, staffId: admin.id, role: 'cao', now }), 'RULE_VIOLATION', /only active administrator/);
      await rejectsWith(setStaffAccountActive({ db, actor: admin, staffId: admin.id, active: false, now }), 'RULE_VIOLATION', /cannot deactivate your own account/);
      await db.kysely.insertInto('staff_session').values({ token_hash: 'x'.repeat(64), user_id: id, created_at: now, expires_at: new Date(now.getTime() + 3_600_000) }).execute();
      await setStaffAccountActive({ db, actor: admin, staffId: id, active: false, now });
      assert.equal(await loadStaffMember(db.kysely, id), undefined, 'a deactivated account is no staff member');
      assert.equal((await db.kysely.selectFrom('staff_session').selectAll().where('user_id', '=', id).execute()).length, 0);
      const types = (await db.kysely.selectFrom('directory_event').select('type').where('type', 'like', 'staff_%').orderBy('id').execute()).map((e) => e.type);
      assert.deepEqual(types, ['staff_account_created', 'staff_role_changed', 'staff_password_set', 'staff_account_deactivated']);
      const passwordEvent = (await events('staff_password_set'))[0]!;
      assert.doesNotMatch(JSON.stringify(passwordEvent.data), /a-brand-new-password/, 'the password itself is never recorded');
    });

    test('Open311 API keys: issued once, listed by prefix, refused after revoking, each step audited', async () => {
      const issued = await issueApiKey({ db, actor: admin, name: 'Ward app', now });
      assert.deepEqual(await findApiKey(db.kysely, issued.key), { id: issued.id, name: 'Ward app' });
      const [listed] = await listApiKeys(db.kysely);
      assert.equal(listed!.prefix, issued.key.slice(0, 10));
      await revokeApiKey({ db, actor: admin, id: issued.id, now });
      assert.equal(await findApiKey(db.kysely, issued.key), undefined);
      await rejectsWith(revokeApiKey({ db, actor: admin, id: issued.id, now }), 'CONFLICT', /already revoked/);
      await rejectsWith(revokeApiKey({ db, actor: admin, id: 999_999, now }), 'NOT_FOUND', /no such API key/);
      assert.equal((await events('api_key_created')).length, 1);
      assert.equal((await events('api_key_revoked')).length, 1);
    });
  });
}
