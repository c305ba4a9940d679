/**
 * The directory each server copy keeps in memory (directory-cache.ts): what it answers matches the
 * database, and a change made elsewhere (a closure day, a re-seed) reaches every copy once it has
 * looked again, which it does at most once a second by its clock.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { testEngines } from '../helpers/db.js';
import { apiAs, demo, inquiryByPhone, potholeByPhone, startApi, type Client, type TestApi } from '../helpers/api.js';
import { at, sampleConfig } from '../helpers/factories.js';
import { buildApp } from '../../src/server.js';
import { fixedClock } from '../../src/platform/clock.js';
import { changeClosureCalendar } from '../../src/directory/change-closure-calendar.js';
import { seedMunicipality } from '../../src/directory/seed-municipality.js';
import { DirectoryCache, loadDirectory } from '../../src/directory/directory-cache.js';
import { findServiceTargets } from '../../src/directory/find-service-targets.js';
import { buildCalendar } from '../../src/directory/municipality.js';
import type { MunicipalityConfig } from '../../src/directory/municipality-config.js';

const MONDAY_10AM = '2026-11-23T15:00:00Z';

/** The sample with Roads Operations renamed and the pothole's class 2 target changed from a date. */
function reorganized(effectiveFrom: string): MunicipalityConfig {
  const config = structuredClone(sampleConfig());
  config.dstEffectiveFrom = effectiveFrom;
  config.departments.flatMap((d) => d.divisions).find((d) => d.code === 'roads-operations')!.name = 'Roads and Bridges';
  config.requestTypes.find((t) => t.code === 'pothole')!.targets.byAttribute!.values['2'] = { resolve: { amount: 3, unit: 'calendar_days' } };
  return config;
}

for (const engine of testEngines()) {
  describe(`the directory in memory on ${engine.name}`, () => {
    let api: TestApi;
    /** A second copy of the server on the same database, with its own clock. */
    let other: FastifyInstance;
    let otherClock: ReturnType<typeof fixedClock>;
    let otherRep: Client;
    before(async () => {
      api = await startApi(engine, MONDAY_10AM);
      otherClock = fixedClock(MONDAY_10AM);
      other = await buildApp({ db: api.db, clock: otherClock });
      otherRep = await apiAs({ app: other, db: api.db, clock: otherClock }, demo.csRep);
    });
    after(async () => {
      await other.close();
      await api.close();
    });

    const createOnOther = async (body: Record<string, unknown>) => {
      const response = await otherRep.post('/api/v1/cases', body);
      assert.equal(response.status, 201, JSON.stringify(response.body));
      return response.body.case;
    };

    test('what a create answers is what reading the case back shows', async () => {
      const csRep = await api.as(demo.csRep);
      const bodies = [
        potholeByPhone(),
        potholeByPhone({ channel: 'in_person', serviceCentre: 'omemee', attributes: { road_class: '2' } }),
        potholeByPhone({ receivedAt: '2026-11-20T15:00', customer: { name: 'Sam', phone: '705-555-0100' } }),
        inquiryByPhone(),
        inquiryByPhone({ division: undefined, resolveAtFirstContact: { answer: 'The landfill is open Saturdays.' } }),
      ];
      for (const body of bodies) {
        const created = await csRep.post('/api/v1/cases', body);
        assert.equal(created.status, 201, JSON.stringify(created.body));
        const read = await csRep.get(`/api/v1/cases/${created.body.case.reference}`);
        assert.deepEqual(created.body.case, read.body.case);
      }
    });

    test('the targets it chooses are the database query’s, for every request type and receipt', async (t) => {
      const db = await engine.open({ seed: true });
      t.after(() => db.close());
      await seedMunicipality({ db, config: reorganized('2026-06-01'), now: new Date(MONDAY_10AM) });
      const directory = await loadDirectory(db.kysely);
      const calendar = await buildCalendar(db.kysely);
      const receipts = ['2024-03-01 10:00', '2025-01-01 00:00', '2026-05-31 23:59', '2026-06-01 00:00', '2026-11-23 10:00'];
      for (const type of sampleConfig().requestTypes) {
        for (const receipt of receipts) {
          const fromDatabase = await findServiceTargets(db.kysely, { requestTypeCode: type.code, receivedAt: at(receipt), calendar });
          assert.deepEqual(directory.serviceTargets(type.code, at(receipt)), fromDatabase, `${type.code} received ${receipt}`);
        }
      }
      assert.throws(() => directory.serviceTargets('pot-hole', at('2026-11-23 10:00')), /no request type "pot-hole".*pothole/);
    });

    test('a closure day added elsewhere reaches the other copy once it looks again, within a second', async () => {
      // A general inquiry on Monday 10:00 is acknowledged within 3 business days: Thursday 16:30.
      const before = await createOnOther(inquiryByPhone());
      assert.equal(before.targets.acknowledgeBy, '2026-11-26T16:30:00-05:00');
      await changeClosureCalendar({ db: api.db, action: 'add', date: '2026-11-25', name: 'Storm closure', changedBy: 'admin', now: new Date(MONDAY_10AM) });
      // Within the second it last looked, the copy answers from memory.
      assert.equal((await createOnOther(inquiryByPhone())).targets.acknowledgeBy, '2026-11-26T16:30:00-05:00');
      otherClock.advance(1_000);
      try {
        assert.equal((await createOnOther(inquiryByPhone())).targets.acknowledgeBy, '2026-11-27T16:30:00-05:00', 'Wednesday is closed now');
      } finally {
        await changeClosureCalendar({ db: api.db, action: 'remove', date: '2026-11-25', changedBy: 'admin', now: new Date(MONDAY_10AM) });
        otherClock.set(MONDAY_10AM);
      }
      // The clock set back is a second away too: the copy looks again.
      assert.equal((await createOnOther(inquiryByPhone())).targets.acknowledgeBy, '2026-11-26T16:30:00-05:00');
    });

    test('a re-seed (a renamed division, new targets) reaches the other copy, names and targets alike', async () => {
      const before = await createOnOther(potholeByPhone({ attributes: { road_class: '2' } }));
      await seedMunicipality({ db: api.db, config: reorganized('2026-11-01'), now: new Date(MONDAY_10AM) });
      otherClock.advance(1_000);
      try {
        const after = await createOnOther(potholeByPhone({ attributes: { road_class: '2' } }));
        assert.equal(before.division.name, 'Roads Operations');
        assert.equal(after.division.name, 'Roads and Bridges');
        assert.equal(after.targets.dstVersion.effectiveFrom, '2026-11-01');
        // Class 2: 3 calendar days from receipt (a second after 10:00) by the new version, not 4.
        assert.equal(after.targets.resolveBy, '2026-11-26T10:00:01-05:00');
        // The receipt message names the division as it is now.
        const message = await api.db.kysely
          .selectFrom('case_message')
          .innerJoin('service_case', 'service_case.id', 'case_message.case_id')
          .select('case_message.body')
          .where('service_case.reference', '=', after.reference)
          .executeTakeFirstOrThrow();
        assert.match(message.body, /A member of Roads and Bridges will contact you/);
      } finally {
        otherClock.set(MONDAY_10AM);
      }
    });

    test('the cache looks at the revision at most once a second, and reloads only when it moved', async () => {
      const clock = fixedClock(MONDAY_10AM);
      const cache = new DirectoryCache(api.db, clock);
      const first = await cache.get();
      assert.equal(await cache.get(), first, 'the same snapshot within the second');
      clock.advance(1_000);
      assert.equal(await cache.get(), first, 'looked again: nothing changed, nothing reloaded');
      await changeClosureCalendar({ db: api.db, action: 'add', date: '2026-12-24', name: 'Christmas Eve closure', changedBy: 'admin', now: new Date(MONDAY_10AM) });
      try {
        assert.equal(await cache.get(), first, 'not looked again yet');
        clock.advance(999);
        assert.equal(await cache.get(), first, 'still within the second');
        clock.advance(1);
        const reloaded = await cache.get();
        assert.notEqual(reloaded, first);
        assert.equal(reloaded.revision, first.revision + 1);
        assert.equal(reloaded.calendar.isBusinessDay('2026-12-24'), false);
        assert.equal(first.calendar.isBusinessDay('2026-12-24'), true, 'a snapshot never changes');
      } finally {
        await changeClosureCalendar({ db: api.db, action: 'remove', date: '2026-12-24', changedBy: 'admin', now: new Date(MONDAY_10AM) });
      }
    });
  });
}
