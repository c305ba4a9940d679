import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngines } from '../helpers/db.js';
import { demo } from '../helpers/api.js';
import { peopleWhoCanAct } from '../../src/cases/people-who-can-act.js';
import { setStaffAccountActive } from '../../src/directory/change-staff-account.js';
import { loadStaffMember } from '../../src/directory/staff.js';

/**
 * Who is told when a case needs someone to act: the bounce notice (CSS §4.1: the acknowledgment
 * must reach the customer another way) and the at-risk digest both ask peopleWhoCanAct.
 */
for (const engine of testEngines()) {
  test(`[${engine.name}] the owner is told while active in the case's division; else the division's active staff and Division Head, never another division's (CSS §4.1)`, async (t) => {
    const db = await engine.open({ seed: true });
    t.after(() => db.close());
    const staff = await db.kysely.selectFrom('staff_user').select(['id', 'email']).execute();
    const id = (email: string) => staff.find((s) => s.email === email)!.id;
    const division = async (code: string) => (await db.kysely.selectFrom('division').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id;
    const roads = await division('roads-operations');
    const traffic = await division('traffic-streetlights');
    const told = async (cases: { divisionId: number; ownerId: number | null }[]) => (await peopleWhoCanAct(db.kysely, cases)).map((people) => people.map((p) => p.email).sort());

    assert.deepEqual(await told([]), []);
    assert.deepEqual(
      await told([
        { divisionId: roads, ownerId: null },
        { divisionId: roads, ownerId: id(demo.roadsStaff) },
        { divisionId: traffic, ownerId: null },
        // An owner outside the case's division (the case was transferred to Roads): Roads is told.
        { divisionId: roads, ownerId: id(demo.trafficStaff) },
      ]),
      [[demo.roadsHead, demo.roadsStaff].sort(), [demo.roadsStaff], [demo.trafficHead, demo.trafficStaff].sort(), [demo.roadsHead, demo.roadsStaff].sort()],
    );

    // A deactivated owner is told nothing, and drops out of the division's list too.
    const admin = (await loadStaffMember(db.kysely, id(demo.admin)))!;
    await setStaffAccountActive({ db, actor: admin, staffId: id(demo.roadsStaff), active: false, now: new Date('2026-03-02T15:00:00Z') });
    assert.deepEqual(await told([{ divisionId: roads, ownerId: id(demo.roadsStaff) }, { divisionId: roads, ownerId: null }]), [[demo.roadsHead], [demo.roadsHead]]);
  });
}
