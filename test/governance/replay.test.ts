import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { demo, startApi, type TestApi } from '../helpers/api.js';
import { testEngines } from '../helpers/db.js';
import { consoleAs, pageText } from '../helpers/console.js';
import { at } from '../helpers/factories.js';
import { loadDirectory } from '../../src/directory/directory-cache.js';
import { chooseTargets } from '../../src/standard/targets.js';
import { listTrainingFor } from '../../src/governance/training.js';
import type { ReplayResult } from '../../src/governance/replay-proposal.js';

/**
 * CSS §8.3, INTERPRETATION §8: the Working Group replays past cases against proposed targets.
 * A known set of cases with hand-computed results: compliance as it was and as it would have
 * been, the exact cases that change, the escalations the proposal would have caused; no case row
 * changes; accepting makes new DST versions with the chosen date, and staff are asked to read them.
 */

interface Known {
  ref: string;
  type: 'pothole' | 'streetlight' | 'road-sign';
  roadClass?: string;
  received: string;
  acknowledged?: string;
  resolved?: string;
  revised?: { at: string; by: string };
  kind?: 'inquiry';
}

/** The known cases (Toronto local times); the replay runs on 2026-12-01 10:00 over 2025-12-01 … 2026-11-30. */
const known: Known[] = [
  { ref: 'SR-2026-000001', type: 'pothole', roadClass: '3', received: '2026-03-02 10:00', acknowledged: '2026-03-03 15:00', resolved: '2026-03-06 12:00' },
  // Acknowledged Wednesday (on time for 2 business days, late for 1), resolved on day 6 (on time for 7, late for 5).
  { ref: 'SR-2026-000002', type: 'pothole', roadClass: '3', received: '2026-03-02 10:00', acknowledged: '2026-03-04 09:00', resolved: '2026-03-08 09:00' },
  { ref: 'SR-2026-000003', type: 'pothole', roadClass: '4', received: '2026-03-02 10:00', acknowledged: '2026-03-03 10:00', resolved: '2026-03-12 10:00' },
  // Received after hours on Friday, acknowledged late either way, still open.
  { ref: 'SR-2026-000004', type: 'pothole', roadClass: '3', received: '2026-06-05 17:00', acknowledged: '2026-06-11 10:00' },
  { ref: 'SR-2026-000005', type: 'pothole', received: '2026-09-14 10:00', acknowledged: '2026-09-15 16:00', resolved: '2026-09-20 10:00' },
  // Acknowledged on the second business day: on time as it was, late under 1 business day.
  { ref: 'SR-2026-000006', type: 'streetlight', received: '2026-10-05 09:00', acknowledged: '2026-10-07 10:00', resolved: '2026-10-09 10:00' },
  { ref: 'SR-2026-000007', type: 'road-sign', received: '2026-04-01 10:00', acknowledged: '2026-04-01 11:00', resolved: '2026-04-08 10:00' },
  // Before the period: not replayed.
  { ref: 'SR-2025-000008', type: 'pothole', roadClass: '3', received: '2025-11-20 10:00', acknowledged: '2025-11-24 10:00' },
  { ref: 'GI-2026-000009', type: 'pothole', kind: 'inquiry', received: '2026-05-01 10:00' },
  { ref: 'SR-2026-000010', type: 'pothole', roadClass: '3', received: '2026-11-23 10:00' },
  { ref: 'SR-2026-000011', type: 'pothole', roadClass: '3', received: '2026-11-27 10:00', acknowledged: '2026-11-27 11:00' },
  // Open and not yet due as it was (7 days: 2 December); past due under 5 days (30 November).
  { ref: 'SR-2026-000012', type: 'pothole', roadClass: '3', received: '2026-11-25 12:00', acknowledged: '2026-11-25 13:00' },
  // Late either way, but the customer held a revised timeline that was kept: no escalation either way.
  { ref: 'SR-2026-000013', type: 'pothole', roadClass: '3', received: '2026-05-04 10:00', acknowledged: '2026-05-04 11:00', revised: { at: '2026-05-06 10:00', by: '2026-05-15 10:00' }, resolved: '2026-05-14 10:00' },
];

for (const engine of testEngines()) {
  describe(`what-if replay of proposed targets (CSS §8.3) on ${engine.name}`, () => {
    let api: TestApi;
    let proposalUrl: string;
    const snapshot = async () => JSON.stringify(await api.db.kysely.selectFrom('service_case').selectAll().orderBy('id').execute());

    before(async () => {
      api = await startApi(engine, '2026-12-01T10:00:00-05:00');
      const directory = await loadDirectory(api.db.kysely);
      const calendar = directory.calendar;
      for (const k of known) {
        const receivedAt = at(k.received);
        const targets = directory.serviceTargets(k.type, receivedAt);
        const chosen = chooseTargets(targets.targets, k.roadClass ? { road_class: k.roadClass } : {});
        const inquiry = k.kind === 'inquiry';
        await api.db.kysely
          .insertInto('service_case')
          .values({
            reference: k.ref,
            kind: inquiry ? 'inquiry' : 'service_request',
            status: k.resolved ? 'resolved' : 'open',
            channel: 'phone',
            request_type_id: inquiry ? null : targets.requestType.id,
            division_id: targets.division.id,
            description: 'A known case for the replay test.',
            summary: `Known case ${k.ref}`,
            attributes: JSON.stringify(k.roadClass ? { road_class: k.roadClass } : {}),
            received_at: new Date(receivedAt),
            recorded_at: new Date(receivedAt),
            dst_version_id: inquiry ? null : targets.dstVersion.id,
            acknowledge_by: new Date(calendar.dueAt(receivedAt, chosen.acknowledge)),
            resolve_by: inquiry ? null : new Date(calendar.dueAt(receivedAt, chosen.resolve)),
            acknowledged_at: k.acknowledged ? new Date(at(k.acknowledged)) : null,
            resolved_at: k.resolved ? new Date(at(k.resolved)) : null,
            revised_at: k.revised ? new Date(at(k.revised.at)) : null,
            revised_resolve_by: k.revised ? new Date(at(k.revised.by)) : null,
          })
          .execute();
      }
    });
    after(() => api.close());

    test('only the Working Group, the Manager of Customer Service, the CAO and administrators may draft, replay and accept: others get 403 and see nothing', async () => {
      const wg = await consoleAs(api, demo.workingGroup);
      const drafted = await wg.post('/staff/proposals', { title: 'Secret faster potholes', periodFrom: '2025-12-01', periodTo: '2026-11-30', 't.pothole.ack': '1 business day', 't.pothole.res': '7 calendar days' });
      assert.equal(drafted.status, 303);
      const url = drafted.headers.location as string;
      for (const email of [demo.roadsHead, demo.roadsStaff, demo.csRep, demo.worksDirector]) {
        const other = await consoleAs(api, email);
        for (const response of [
          await other.get('/staff/proposals'),
          await other.get('/staff/proposals/new'),
          await other.get(url),
          await other.post('/staff/proposals', { title: 'Mine', periodFrom: '2025-12-01', periodTo: '2026-11-30', 't.noise.ack': '1 business day', 't.noise.res': '5 business days' }),
          await other.post(`${url}/replay`),
          await other.post(`${url}/accept`, { effectiveFrom: '2026-12-15' }),
        ]) {
          assert.equal(response.status, 403, email);
          assert.doesNotMatch(response.body, /Secret faster potholes/);
        }
      }
      assert.equal((await api.db.kysely.selectFrom('target_proposal').select('id').execute()).length, 1, 'nothing drafted by the others');
      for (const email of [demo.csManager, demo.cao, demo.admin]) assert.equal((await (await consoleAs(api, email)).get(url)).status, 200, email);
    });

    test('a proposal is checked like a DST: bad targets and periods are refused with what to fix', async () => {
      const wg = await consoleAs(api, demo.workingGroup);
      const bad = await wg.post('/staff/proposals', { title: '', periodFrom: '2026-12-05', periodTo: '2026-11-30', 't.pothole.ack': 'soon', 't.pothole.res': '7 calendar days' });
      assert.equal(bad.status, 400);
      const page = pageText(bad.body);
      assert.match(page, /Name the proposal/);
      assert.match(page, /Pothole: the acknowledgment target "soon" is not a target/);
      assert.match(page, /The last day of the period must be on or after its first day/);
      const unchanged = await wg.post('/staff/proposals', {
        title: 'Nothing',
        periodFrom: '2025-12-01',
        periodTo: '2026-11-30',
        't.pothole.ack': '2 business days',
        't.pothole.res': '7 calendar days',
        't.pothole.2.res': '4 calendar days',
        't.pothole.3.res': '7 calendar days',
        't.pothole.4.res': '14 calendar days',
        't.pothole.5.res': '30 calendar days',
      });
      assert.equal(unchanged.status, 400);
      assert.match(pageText(unchanged.body), /Change the targets of at least one request type/);
    });

    test('the replay gives the hand-computed compliance as it was and as it would have been, the exact changed cases and the escalations caused; no case row changes', async () => {
      const wg = await consoleAs(api, demo.workingGroup);
      const form = await wg.get('/staff/proposals/new');
      // The default period is the last 12 months.
      assert.match(form.body, /name="periodFrom" type="date" value="2025-12-01"/);
      assert.match(form.body, /name="periodTo" type="date" value="2026-11-30"/);
      const drafted = await wg.post('/staff/proposals', {
        title: 'Faster pothole repairs and streetlight acknowledgments',
        periodFrom: '2025-12-01',
        periodTo: '2026-11-30',
        't.pothole.ack': '1 business day',
        't.pothole.res': '7 calendar days',
        't.pothole.2.res': '4 calendar days',
        't.pothole.3.res': '5 calendar days',
        't.pothole.4.res': '14 calendar days',
        't.pothole.5.res': '30 calendar days',
        't.streetlight.ack': '1 business day',
        't.streetlight.res': '10 business days',
      });
      assert.equal(drafted.status, 303);
      proposalUrl = drafted.headers.location as string;
      const before = await snapshot();
      const replayed = await wg.post(`${proposalUrl}/replay`);
      assert.equal(replayed.status, 303);
      assert.equal(await snapshot(), before, 'every case row is unchanged');

      const id = Number(proposalUrl.split('/').pop());
      const { replay } = await api.db.kysely.selectFrom('target_proposal').select('replay').where('id', '=', id).executeTakeFirstOrThrow();
      const r = replay as ReplayResult;
      assert.equal(r.cases, 11, 'the eleven service requests received in the period');
      const group = (type: string) => r.groups.find((g) => g.requestType.code === type)!;
      const pothole = group('pothole');
      assert.equal(pothole.tally.cases, 9);
      assert.deepEqual(pothole.tally.before.acknowledgment, { onTime: 7, missed: 2, pending: 0, notRecorded: 0 });
      assert.deepEqual(pothole.tally.after.acknowledgment, { onTime: 6, missed: 3, pending: 0, notRecorded: 0 });
      assert.deepEqual(pothole.tally.before.resolution, { onTime: 4, missed: 3, pending: 2, notRecorded: 0 });
      assert.deepEqual(pothole.tally.after.resolution, { onTime: 3, missed: 5, pending: 1, notRecorded: 0 });
      assert.deepEqual([pothole.tally.before.escalated, pothole.tally.after.escalated], [2, 4]);
      const streetlight = group('streetlight');
      assert.deepEqual(streetlight.tally.before.acknowledgment, { onTime: 1, missed: 0, pending: 0, notRecorded: 0 });
      assert.deepEqual(streetlight.tally.after.acknowledgment, { onTime: 0, missed: 1, pending: 0, notRecorded: 0 });
      assert.deepEqual([streetlight.tally.before.escalated, streetlight.tally.after.escalated], [0, 1]);
      const sign = group('road-sign');
      assert.equal(sign.proposed, false);
      assert.deepEqual(sign.tally.before, sign.tally.after);
      assert.deepEqual(r.escalations, { before: 2, after: 5, new: 3, avoided: 0 });
      assert.equal(r.changedTotal, 3);
      assert.deepEqual(r.changed, [
        { reference: 'SR-2026-000002', requestType: 'Pothole', division: 'Roads Operations', acknowledgment: { before: 'on_time', after: 'missed' }, resolution: { before: 'on_time', after: 'missed' }, escalation: 'new' },
        { reference: 'SR-2026-000006', requestType: 'Streetlight out', division: 'Traffic and Streetlights', acknowledgment: { before: 'on_time', after: 'missed' }, resolution: null, escalation: 'new' },
        { reference: 'SR-2026-000012', requestType: 'Pothole', division: 'Roads Operations', acknowledgment: null, resolution: { before: 'pending', after: 'missed' }, escalation: 'new' },
      ]);

      const page = await wg.get(proposalUrl);
      const words = pageText(page.body);
      // Nine cases are fewer than the minimum group size (10): counts, not a percentage.
      assert.match(words, /Pothole proposed Roads Operations 9 7 of 9 \(too few for a percentage\) 6 of 9 \(too few for a percentage\) 4 of 7 \(too few for a percentage\) 3 of 8 \(too few for a percentage\) 2 4 2/);
      assert.match(words, /3 cases would change\. Escalations to the Division Head: 2 as it was, 5 under the proposal \(3 more, 0 fewer\)/);
      assert.match(page.body, /<a href="\/staff\/cases\/SR-2026-000002" class="case-ref">SR-2026-000002<\/a>/);
      assert.match(words, /SR-2026-000012 Pothole Roads Operations unchanged pending → missed would have been escalated/);
    });

    test('accepting the proposal makes a DST version of each division with the chosen date, through the audited DST change, and asks their staff to read it (CSS §7.2)', async () => {
      const wg = await consoleAs(api, demo.workingGroup);
      const past = await wg.post(`${proposalUrl}/accept`, { effectiveFrom: '2026-11-01' });
      assert.equal(past.status, 400);
      assert.match(pageText(past.body), /cannot take effect in the past/);
      const before = await snapshot();
      const accepted = await wg.post(`${proposalUrl}/accept`, { effectiveFrom: '2026-12-15' });
      assert.equal(accepted.status, 303);
      assert.equal(await snapshot(), before, 'accepting changes no case either');
      const versions = await api.db.kysely
        .selectFrom('dst_version')
        .innerJoin('division', 'division.id', 'dst_version.division_id')
        .select(['division.code', 'dst_version.version', 'dst_version.effective_from'])
        .where('dst_version.version', '>', 1)
        .orderBy('division.code')
        .execute();
      assert.deepEqual(versions, [
        { code: 'roads-operations', version: 2, effective_from: '2026-12-15' },
        { code: 'traffic-streetlights', version: 2, effective_from: '2026-12-15' },
      ]);
      const directory = await loadDirectory(api.db.kysely);
      const pothole = directory.serviceTargets('pothole', at('2026-12-16 10:00'));
      assert.equal(pothole.dstVersion.version, 2);
      assert.deepEqual(pothole.targets.acknowledge, { amount: 1, unit: 'business_days' });
      assert.deepEqual(pothole.targets.byAttribute?.values['3'], { resolve: { amount: 5, unit: 'calendar_days' } });
      assert.equal(directory.serviceTargets('road-sign', at('2026-12-16 10:00')).dstVersion.version, 2, 'the division’s other types are copied into its new version');
      const audit = await api.db.kysely.selectFrom('directory_event').select(['type', 'actor_label']).where('type', '=', 'service_targets_changed').execute();
      assert.equal(audit.length, 2);
      assert.match(audit[0]!.actor_label, /Robin Hughes/);
      const page = pageText((await wg.get(proposalUrl)).body);
      assert.match(page, /Roads Operations: DST version 2, from Tuesday 15 December 2026/);
      assert.equal((await wg.post(`${proposalUrl}/accept`, { effectiveFrom: '2026-12-20' })).status, 409);

      const roadsStaff = await api.db.kysely.selectFrom('staff_user').select('id').where('email', '=', demo.roadsStaff).executeTakeFirstOrThrow();
      const { items } = await listTrainingFor(api.db.kysely, roadsStaff.id, new Date(at('2026-12-15 09:00')));
      const dst = items.find((i) => i.document.kind === 'dst')!;
      assert.ok(dst.document.kind === 'dst' && dst.document.version === 2 && dst.status === 'due');
    });
  });
}
