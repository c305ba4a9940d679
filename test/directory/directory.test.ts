import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { testEngines } from '../helpers/db.js';
import { at, sampleConfig } from '../helpers/factories.js';
import { seedMunicipality } from '../../src/directory/seed-municipality.js';
import { findServiceTargets } from '../../src/directory/find-service-targets.js';
import { buildCalendar, CalendarProvider, loadMunicipality } from '../../src/directory/municipality.js';
import { changeClosureCalendar } from '../../src/directory/change-closure-calendar.js';
import { createApiKey, findApiKey } from '../../src/open311/api-keys.js';
import { AppError } from '../../src/platform/errors.js';
import type { MunicipalityConfig } from '../../src/directory/municipality-config.js';

const now = new Date('2026-11-26T15:00:00Z');

/** The sample with the pothole's class 2 target changed and a new effective date. */
function withNewPotholeTargets(effectiveFrom: string): MunicipalityConfig {
  const config = structuredClone(sampleConfig());
  config.dstEffectiveFrom = effectiveFrom;
  const pothole = config.requestTypes.find((t) => t.code === 'pothole')!;
  pothole.targets.byAttribute!.values['2'] = { resolve: { amount: 3, unit: 'calendar_days' } };
  return config;
}

for (const engine of testEngines()) {
  describe(`the municipality in the database on ${engine.name}`, () => {
    test('seeding loads the organization, channels, centres, request types and one DST version per division', async (t) => {
      const db = await engine.open({ seed: true });
      t.after(() => db.close());
      const count = async (table: 'department' | 'division' | 'service_centre' | 'channel' | 'request_type' | 'dst_version' | 'dst_target' | 'staff_role') =>
        Number((await db.kysely.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      assert.equal(await count('department'), 6);
      assert.equal(await count('division'), 9);
      assert.equal(await count('service_centre'), 4);
      assert.equal(await count('channel'), 7);
      assert.equal(await count('request_type'), 12);
      assert.equal(await count('staff_role'), 8);
      // Roads Operations, Environmental Services, Water, Traffic, Law Enforcement, Parks.
      assert.equal(await count('dst_version'), 6);
      assert.equal(await count('dst_target'), 12);
      const municipality = await loadMunicipality(db.kysely);
      assert.equal(municipality.name, 'City of Kawartha Lakes');
      assert.deepEqual(municipality.settings.generalInquiry.acknowledge, { amount: 3, unit: 'business_days' });
    });

    test('seeding again with the same files changes nothing', async (t) => {
      const db = await engine.open({ seed: true });
      t.after(() => db.close());
      const result = await seedMunicipality({ db, config: sampleConfig(), now });
      assert.deepEqual(result.dstVersionsCreated, []);
      const versions = await db.kysely.selectFrom('dst_version').select('id').execute();
      assert.equal(versions.length, 6);
    });

    test('changed targets with a later effective date become a new DST version; a case keeps the version in force at its receipt', async (t) => {
      const db = await engine.open({ seed: true });
      t.after(() => db.close());
      const result = await seedMunicipality({ db, config: withNewPotholeTargets('2026-06-01'), now });
      assert.deepEqual(result.dstVersionsCreated, ['Roads Operations v2 from 2026-06-01']);
      const calendar = await buildCalendar(db.kysely);
      const lookup = (received: string) => findServiceTargets(db.kysely, { requestTypeCode: 'pothole', receivedAt: at(received), calendar });
      const before = await lookup('2026-05-31 23:59');
      const after = await lookup('2026-06-01 00:00');
      assert.equal(before.dstVersion.version, 1);
      assert.deepEqual(before.targets.byAttribute!.values['2'], { resolve: { amount: 4, unit: 'calendar_days' } });
      assert.equal(after.dstVersion.version, 2);
      assert.deepEqual(after.targets.byAttribute!.values['2'], { resolve: { amount: 3, unit: 'calendar_days' } });
      assert.equal(after.division.name, 'Roads Operations');
      // Other divisions keep their single version.
      const water = await findServiceTargets(db.kysely, { requestTypeCode: 'water-main', receivedAt: at('2026-07-01 10:00'), calendar });
      assert.equal(water.dstVersion.version, 1);
      // A request received before the first version (an import of older records) uses the first.
      assert.equal((await lookup('2024-03-01 10:00')).dstVersion.version, 1);
    });

    test('changed targets without a later effective date are refused and nothing of the seed is written', async (t) => {
      const db = await engine.open({ seed: true });
      t.after(() => db.close());
      const config = withNewPotholeTargets('2025-01-01');
      config.name = 'Renamed City';
      await assert.rejects(seedMunicipality({ db, config, now }), (error: unknown) => {
        assert.ok(error instanceof AppError);
        assert.equal(error.code, 'CONFIG_INVALID');
        assert.match(error.message, /targets of Roads Operations changed, but effectiveFrom \(2025-01-01\) is not after its DST version 1/);
        return true;
      });
      assert.equal((await loadMunicipality(db.kysely)).name, 'City of Kawartha Lakes');
    });

    test('DST versions are history: the database refuses to change or delete them', async (t) => {
      const db = await engine.open({ seed: true });
      t.after(() => db.close());
      await assert.rejects(sql`update dst_target set resolve_amount = 99`.execute(db.kysely), /history and cannot be changed/);
      await assert.rejects(sql`delete from dst_version`.execute(db.kysely), /history and cannot be changed/);
    });

    test('an unknown request type is refused with the list of known ones', async (t) => {
      const db = await engine.open({ seed: true });
      t.after(() => db.close());
      const calendar = await buildCalendar(db.kysely);
      await assert.rejects(findServiceTargets(db.kysely, { requestTypeCode: 'pot-hole', receivedAt: at('2026-11-26 10:00'), calendar }), /no request type "pot-hole".*pothole/);
    });

    test('administrators add and remove closure days; every calendar picks the change up', async (t) => {
      const db = await engine.open({ seed: true });
      t.after(() => db.close());
      const provider = new CalendarProvider(db);
      const before = await provider.get();
      assert.equal(before.isBusinessDay('2026-12-24'), true);
      assert.equal(await provider.get(), before, 'unchanged calendar is reused');
      await changeClosureCalendar({ db, action: 'add', date: '2026-12-24', name: 'Christmas Eve closure', changedBy: 'admin', now });
      await changeClosureCalendar({ db, action: 'remove', date: '2026-08-03', changedBy: 'admin', now });
      const after = await provider.get();
      assert.notEqual(after, before);
      assert.equal(after.isBusinessDay('2026-12-24'), false);
      assert.equal(after.isBusinessDay('2026-08-03'), true);
      assert.deepEqual(after.closureDays(2026).find((d) => d.date === '2026-12-24')?.name, 'Christmas Eve closure');
      // Undo both: the defaults come back.
      await changeClosureCalendar({ db, action: 'remove', date: '2026-12-24', changedBy: 'admin', now });
      await changeClosureCalendar({ db, action: 'add', date: '2026-08-03', name: 'Civic Holiday', changedBy: 'admin', now });
      const restored = await provider.get();
      assert.deepEqual(restored.closureDays(2026), before.closureDays(2026));
      await assert.rejects(changeClosureCalendar({ db, action: 'add', date: '2026-12-25', name: 'again', changedBy: 'admin', now }), /already a closure day/);
      await assert.rejects(changeClosureCalendar({ db, action: 'remove', date: '2026-12-23', changedBy: 'admin', now }), /not a closure day/);
      await assert.rejects(changeClosureCalendar({ db, action: 'add', date: '2026-02-30', name: 'x', changedBy: 'admin', now }), /not a date/);
    });

    test('API keys are stored hashed and found by the key', async (t) => {
      const db = await engine.open({ seed: true });
      t.after(() => db.close());
      const created = await createApiKey({ tx: db.kysely, name: 'SeeClickFix', now });
      assert.match(created.key, /^cdk_[A-Za-z0-9_-]{43}$/);
      const stored = await db.kysely.selectFrom('api_key').selectAll().execute();
      assert.equal(stored.length, 1);
      assert.ok(!JSON.stringify(stored).includes(created.key), 'the key itself is not stored');
      assert.deepEqual(await findApiKey(db.kysely, created.key), { id: created.id, name: 'SeeClickFix' });
      assert.equal(await findApiKey(db.kysely, `${created.key}x`), undefined);
      await assert.rejects(createApiKey({ tx: db.kysely, name: '  ', now }), /needs a name/);
    });
  });
}
