import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { demo, startApi, type TestApi } from '../helpers/api.js';
import { testEngines } from '../helpers/db.js';
import { consoleAs, pageText } from '../helpers/console.js';
import { createStaffUser, loadStaffMember } from '../../src/directory/staff.js';
import { changeServiceTargets } from '../../src/directory/change-service-targets.js';
import { sweepGovernance } from '../../src/governance/governance-sweep.js';
import { listTrainingFor, trainingCompletion } from '../../src/governance/training.js';

/**
 * CSS §7.2, INTERPRETATION §8: a new account must read the Standard's current edition and its
 * division's current DST version, within 14 days, with a reminder before and an overdue notice
 * after; a new DST version asks the division again; completion per division. The clock moves.
 */

const day = 24 * 3600_000;
const newcomerEmail = 'alex.new@kawarthalakes.example';
const newcomerPassword = 'a long enough password 2026';

for (const engine of testEngines()) {
  describe(`training acknowledgments (CSS §7.2) on ${engine.name}`, () => {
    let api: TestApi;
    let newcomerId: number;
    const start = new Date('2026-12-01T10:00:00-05:00');
    const mailTo = async (to: string) =>
      (await api.db.kysely.selectFrom('outbox_mail').select(['subject', 'body']).where('to_address', '=', to).orderBy('id').execute()).map((m) => m.subject);

    before(async () => {
      api = await startApi(engine, start.toISOString());
      newcomerId = (
        await createStaffUser({ tx: api.db.kysely, staff: { email: newcomerEmail, name: 'Alex Newcomer', role: 'division_staff', division: 'roads-operations', password: newcomerPassword }, now: start })
      ).id;
    });
    after(() => api.close());

    test('a new account must read the current Standard and its own division’s current DST, both due in 14 days (CSS §7.2)', async () => {
      const { items } = await listTrainingFor(api.db.kysely, newcomerId, start);
      assert.deepEqual(
        items.map((i) => [i.document.kind, i.status, new Date(i.dueAt).toISOString()]),
        [
          ['standard', 'due', '2026-12-15T15:00:00.000Z'],
          ['dst', 'due', '2026-12-15T15:00:00.000Z'],
        ],
      );
      const dst = items[1]!.document;
      assert.ok(dst.kind === 'dst' && dst.divisionCode === 'roads-operations' && dst.version === 1);

      const browser = await consoleAs(api, newcomerEmail, newcomerPassword);
      const home = pageText((await browser.get('/staff')).body);
      assert.match(home, /What to read/);
      assert.match(home, /Corporate Customer Service Standards 2025 Edition To read Due by/);
      assert.match(home, /Roads Operations: Division Service Targets, version 1 To read/);
      // Urgent work is not hidden behind it: the queues' counts are still the home page's first part.
      assert.ok(home.indexOf('Queue counts') === -1 || home.indexOf('What needs you today') < home.indexOf('What to read'));
    });

    test('a reminder goes 3 days before the due date and an overdue notice after it, each exactly once (CSS §7.2)', async () => {
      await sweepGovernance({ db: api.db, now: new Date(start.getTime() + 10 * day) });
      assert.deepEqual(await mailTo(newcomerEmail), [], 'nothing before the reminder time');

      const remindAt = new Date(start.getTime() + 11 * day + 60_000);
      const first = await sweepGovernance({ db: api.db, now: remindAt });
      assert.deepEqual(first.reminders.filter((r) => r.staffId === newcomerId).length, 2);
      await sweepGovernance({ db: api.db, now: new Date(remindAt.getTime() + 3600_000) });
      assert.deepEqual(await mailTo(newcomerEmail), [
        'Reminder: please read Corporate Customer Service Standards 2025 Edition by Tuesday 15 December 2026 at 10:00 am',
        'Reminder: please read Roads Operations: Division Service Targets, version 1 by Tuesday 15 December 2026 at 10:00 am',
      ]);

      // They read the Standard (recorded with the edition read); the DST stays unread.
      api.clock.set(new Date(start.getTime() + 12 * day));
      const browser = await consoleAs(api, newcomerEmail, newcomerPassword);
      const read = await browser.post('/staff/standard/2025/acknowledge');
      assert.equal(read.status, 303);
      const row = await api.db.kysely.selectFrom('training_acknowledgment').innerJoin('standard_edition', 'standard_edition.id', 'training_acknowledgment.standard_edition_id').select(['standard_edition.edition']).where('staff_user_id', '=', newcomerId).execute();
      assert.deepEqual(row, [{ edition: '2025' }]);
      // Acknowledging again records nothing new.
      assert.equal((await browser.post('/staff/standard/2025/acknowledge')).status, 303);
      assert.equal((await api.db.kysely.selectFrom('training_acknowledgment').select('id').where('staff_user_id', '=', newcomerId).execute()).length, 1);

      const overdueAt = new Date(start.getTime() + 14 * day + 60_000);
      // Two sweepers at once (two server copies): the notice is still sent once.
      await Promise.all([sweepGovernance({ db: api.db, now: overdueAt }), sweepGovernance({ db: api.db, now: overdueAt })]);
      await sweepGovernance({ db: api.db, now: new Date(overdueAt.getTime() + day) });
      const subjects = await mailTo(newcomerEmail);
      assert.equal(subjects.length, 3);
      assert.equal(subjects[2], 'Overdue: Roads Operations: Division Service Targets, version 1 was due to be read by Tuesday 15 December 2026 at 10:00 am');
      const { items } = await listTrainingFor(api.db.kysely, newcomerId, overdueAt);
      assert.deepEqual(items.map((i) => i.status), ['done', 'overdue']);
    });

    test('a new DST version asks its division’s staff again, and no other division (CSS §7.2)', async () => {
      const admin = (await loadStaffMember(api.db.kysely, (await api.db.kysely.selectFrom('staff_user').select('id').where('email', '=', demo.admin).executeTakeFirstOrThrow()).id))!;
      const now = new Date(start.getTime() + 16 * day);
      await changeServiceTargets({ db: api.db, actor: admin, requestType: 'road-sign', targets: { acknowledge: '1 business day', resolve: '8 business days' }, effectiveFrom: '2026-12-20', now });
      // Before it takes effect, version 1 is still the one to read.
      let { items } = await listTrainingFor(api.db.kysely, newcomerId, now);
      assert.deepEqual(items.map((i) => (i.document.kind === 'dst' ? i.document.version : 'standard')), ['standard', 1]);
      const effective = new Date('2026-12-20T09:00:00-05:00');
      ({ items } = await listTrainingFor(api.db.kysely, newcomerId, effective));
      const dst = items.find((i) => i.document.kind === 'dst')!;
      assert.ok(dst.document.kind === 'dst' && dst.document.version === 2);
      assert.equal(dst.status, 'due');
      assert.equal(new Date(dst.dueAt).toISOString(), '2027-01-03T05:00:00.000Z', 'due 14 days after the version took effect (its start of day)');
      const trafficStaff = await api.db.kysely.selectFrom('staff_user').select('id').where('email', '=', demo.trafficStaff).executeTakeFirstOrThrow();
      const traffic = await listTrainingFor(api.db.kysely, trafficStaff.id, effective);
      const trafficDst = traffic.items.find((i) => i.document.kind === 'dst')!;
      assert.ok(trafficDst.document.kind === 'dst' && trafficDst.document.version === 1 && trafficDst.document.divisionCode === 'traffic-streetlights');
    });

    test('completion per division is right, and visible only to its head, the Manager of Customer Service and the Working Group (CSS §7.2)', async () => {
      const at = new Date('2026-12-21T10:00:00-05:00');
      api.clock.set(at);
      const roadsHead = await consoleAs(api, demo.roadsHead);
      assert.equal((await roadsHead.post('/staff/training/dst/roads-operations/2/acknowledge')).status, 303);
      // The head cannot acknowledge an old version or another division's targets.
      assert.equal((await roadsHead.post('/staff/training/dst/roads-operations/1/acknowledge')).status, 422);
      assert.equal((await roadsHead.post('/staff/training/dst/traffic-streetlights/1/acknowledge')).status, 422);

      const { divisions } = await trainingCompletion(api.db.kysely, at);
      const roads = divisions.find((d) => d.divisionName === 'Roads Operations')!;
      // Roads: the newcomer (read the Standard, not v2), the demo staff member and the head (demo
      // accounts from 2025: overdue for the Standard), and the head read v2.
      assert.equal(roads.people.length, 3);
      assert.deepEqual(roads.standard, { done: 1, due: 0, overdue: 2 });
      assert.deepEqual({ ...roads.dst }, { done: 1, due: 2, overdue: 0, version: 2 });

      const page = pageText((await roadsHead.get('/staff/training/completion')).body);
      assert.match(page, /Roads Operations 3 1 read, 0 to read, 2 overdue Version 2: 1 read, 2 to read, 0 overdue/);
      assert.doesNotMatch(page, /Traffic and Streetlights/, 'a Division Head sees their own division only');
      for (const email of [demo.csManager, demo.workingGroup]) {
        const p = pageText((await (await consoleAs(api, email)).get('/staff/training/completion')).body);
        assert.match(p, /Roads Operations 3/);
        assert.match(p, /Traffic and Streetlights/);
      }
      for (const email of [demo.roadsStaff, demo.csRep, demo.trafficStaff]) {
        const response = await (await consoleAs(api, email)).get('/staff/training/completion');
        assert.equal(response.status, 403, email);
        assert.doesNotMatch(pageText(response.body), /Roads Operations 3/);
      }
    });
  });
}
