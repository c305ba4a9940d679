import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/db/connect.js';
import { migrate } from '../../src/db/migrate.js';
import { seedMunicipality } from '../../src/directory/seed-municipality.js';
import { changeServiceTargets } from '../../src/directory/change-service-targets.js';
import { loadStaffMember } from '../../src/directory/staff.js';
import { hashPassword } from '../../src/platform/passwords.js';
import { openFreshPostgres, type TestEngine } from '../helpers/db.js';
import { demo, inquiryByPhone, potholeByPhone, startApi, type Client, type TestApi } from '../helpers/api.js';
import { consoleAs } from '../helpers/console.js';
import { citydesk, cliEnv } from '../helpers/cli.js';
import { sampleConfig } from '../helpers/factories.js';

/**
 * CSS §6.2, INTERPRETATION §7: a month of cases whose KPIs are worked out by hand below, checked
 * through GET /api/v1/kpis (from the aggregates and case by case) and `citydesk kpi`.
 * Lindsay is UTC-5 in November: 10:00 local is 15:00Z, 16:30 local is 21:30Z.
 */

interface Engine extends TestEngine {
  env(): NodeJS.ProcessEnv;
}

function engines(): Engine[] {
  const dataDir = mkdtempSync(join(tmpdir(), 'citydesk-kpi-'));
  const seeded = async <D extends Awaited<ReturnType<typeof openDatabase>>>(db: D): Promise<D> => {
    await migrate(db);
    await seedMunicipality({ db, config: sampleConfig(), now: new Date('2025-01-01T12:00:00Z'), hash: hashPassword });
    return db;
  };
  const list: Engine[] = [{ name: 'pglite', open: async () => seeded(await openDatabase({ dataDir })), env: () => cliEnv({ CITYDESK_DATA_DIR: dataDir }) }];
  const url = process.env['DATABASE_URL'];
  if (url) {
    let dbUrl = '';
    list.push({
      name: 'postgres',
      open: async () => {
        const db = await openFreshPostgres(url);
        dbUrl = db.url;
        // Closed (and dropped) by the test itself after the CLI has read it.
        return seeded({ ...db, close: async () => {} });
      },
      env: () => cliEnv({ DATABASE_URL: dbUrl }),
    });
  }
  return list;
}

const asOf = '2026-12-01T17:00:00Z';

for (const engine of engines()) {
  describe(`KPIs of a month worked out by hand, on ${engine.name}`, () => {
    let api: TestApi;
    let cs: Client;
    let roads: Client;
    before(async () => {
      api = await startApi(engine, '2026-11-02T15:00:00Z');
      [cs, roads] = await Promise.all([api.as(demo.csRep), api.as(demo.roadsStaff)]);
      const at = (iso: string) => api.clock.set(iso);
      const ok = (r: { status: number; body: unknown }, what: string) => assert.ok(r.status < 300, `${what}: ${r.status} ${JSON.stringify(r.body)}`);
      const report = async (received: string, body: Record<string, unknown>) => {
        at(received);
        const r = await cs.post('/api/v1/cases', body);
        ok(r, `report at ${received}`);
        return r.body.case.reference as string;
      };
      const act = async (who: Client, when: string, reference: string, action: string, body: Record<string, unknown> = {}) => {
        at(when);
        ok(await who.post(`/api/v1/cases/${reference}/${action}`, body), `${action} ${reference} at ${when}`);
      };
      const ack = { nextSteps: 'A crew will look at it.', contact: 'Roads Operations, 705-324-9411' };
      const resolve = { resolution: 'Repaired.' };
      const pothole = potholeByPhone({ attributes: { road_class: '3' } }); // acknowledge 2 business days, resolve 7 calendar days

      // A: acknowledged and resolved on time. 3 business days, 3 calendar days.
      const a = await report('2026-11-02T15:00:00Z', pothole);
      await act(roads, '2026-11-03T15:00:00Z', a, 'acknowledge', ack);
      await act(roads, '2026-11-05T15:00:00Z', a, 'resolve', resolve);
      // B: acknowledged late (due Wed 4 Nov 16:30), resolved late (due Mon 9 Nov 10:00). 8 and 10 days.
      const b = await report('2026-11-02T15:01:00Z', pothole);
      await act(roads, '2026-11-06T15:00:00Z', b, 'acknowledge', ack);
      await act(roads, '2026-11-12T15:00:00Z', b, 'resolve', resolve);
      // C: never acknowledged: missed while open, for both targets.
      await report('2026-11-03T15:00:00Z', pothole);
      // D: received 30 Nov: pending for both at the as-of time.
      await report('2026-11-30T15:00:00Z', pothole);
      // E: a revised timeline kept (20 Nov) after the original (16 Nov 10:00) passed: missed, revised kept. 8 and 10 days.
      const e = await report('2026-11-09T15:00:00Z', pothole);
      await act(roads, '2026-11-10T15:00:00Z', e, 'acknowledge', ack);
      await act(roads, '2026-11-12T15:00:00Z', e, 'updates', { status: 'Waiting for asphalt.', timeline: '2026-11-20', reason: 'Plant closed.' });
      await act(roads, '2026-11-19T15:00:00Z', e, 'resolve', resolve);
      // F: a revised timeline (25 Nov) missed, still open: missed, revised missed.
      const f = await report('2026-11-09T15:01:00Z', pothole);
      await act(roads, '2026-11-10T15:00:00Z', f, 'acknowledge', ack);
      await act(roads, '2026-11-12T15:00:00Z', f, 'updates', { status: 'Waiting for asphalt.', timeline: '2026-11-25', reason: 'Plant closed.' });
      // G: reclassified to a dead animal (resolve 2 business days) counted from the original receipt: due
      // Wed 18 Nov 16:30, resolved Fri 20 Nov: missed (a restarted clock would say on time). 4 and 4 days.
      const g = await report('2026-11-16T15:00:00Z', pothole);
      await act(roads, '2026-11-17T15:00:00Z', g, 'acknowledge', ack);
      await act(roads, '2026-11-20T14:00:00Z', g, 'reclassify', { requestType: 'dead-animal', reason: 'It was a dead raccoon.' });
      await act(roads, '2026-11-20T15:00:00Z', g, 'resolve', resolve);
      // H: an inquiry transferred from Revenue to Roads: acknowledgment due Thu 19 Nov 16:30 from the original
      // receipt; acknowledged by Roads Fri 20 Nov: missed.
      const h = await report('2026-11-16T15:00:00Z', inquiryByPhone());
      await act(cs, '2026-11-17T15:00:00Z', h, 'transfer', { toDivision: 'roads-operations', note: 'About road allowance, not tax.' });
      await act(roads, '2026-11-19T15:00:00Z', h, 'transfer/confirm');
      await act(roads, '2026-11-20T15:00:00Z', h, 'acknowledge', { ...ack, timeline: '2026-11-27' });
      // I: an inquiry resolved at the first contact: on time. 0 and 0 days.
      await report('2026-11-23T15:00:00Z', inquiryByPhone({ resolveAtFirstContact: { answer: 'The interim bill is half of last year’s total.' } }));
      // J: an inquiry to Roads acknowledged late (due Thu 26 Nov 16:30, acknowledged Fri 27 Nov).
      const j = await report('2026-11-23T15:01:00Z', inquiryByPhone({ division: 'roads-operations', summary: 'When is the road resurfaced?' }));
      await act(roads, '2026-11-27T15:00:00Z', j, 'acknowledge', { ...ack, timeline: '2026-12-04' });
      // K and L: a new DST version (potholes resolved within 2 calendar days) takes effect 25 Nov.
      at('2026-11-20T16:00:00Z');
      const admin = (await loadStaffMember(api.db.kysely, (await api.db.kysely.selectFrom('staff_user').select('id').where('email', '=', demo.admin).executeTakeFirstOrThrow()).id))!;
      await changeServiceTargets({ db: api.db, actor: admin, requestType: 'pothole', targets: { acknowledge: '2 business days', resolve: '2 calendar days', byValue: { '2': {}, '3': {}, '4': {}, '5': {} } }, effectiveFrom: '2026-11-25', now: new Date('2026-11-20T16:00:00Z') });
        // L, received 24 Nov under the old version (due 1 Dec 10:00), resolved 30 Nov: on time. 4 and 6 days.
      const l = await report('2026-11-24T15:00:00Z', pothole);
      await act(roads, '2026-11-25T15:00:00Z', l, 'acknowledge', ack);
      await act(roads, '2026-11-30T15:00:00Z', l, 'resolve', resolve);
      // K, received 26 Nov under the new version (due 28 Nov 10:00), resolved 30 Nov: missed. 2 and 4 days.
      const k = await report('2026-11-26T15:00:00Z', pothole);
      await act(roads, '2026-11-27T15:00:00Z', k, 'acknowledge', ack);
      await act(roads, '2026-11-30T15:01:00Z', k, 'resolve', resolve);
      at(asOf);
    });
    after(async () => {
      await api?.close();
    });

    const expected = {
      cases: { serviceRequests: 9, inquiries: 3, open: 5 },
      ackRequests: { numerator: 6, denominator: 8, pending: 1 },
      ackInquiries: { numerator: 1, denominator: 3, pending: 0 },
      resolution: { numerator: 2, denominator: 8, pending: 1 },
      revised: { numerator: 1, denominator: 2, pending: 0 },
      // Business days 0, 2, 3, 4, 4, 8, 8; calendar days 0, 3, 4, 4, 6, 10, 10.
      business: { count: 7, median: 4, p90: 8, mean: 29 / 7 },
      calendar: { count: 7, median: 4, p90: 10, mean: 37 / 7 },
    };
    const pick = (f: { numerator: number; denominator: number; pending: number }) => ({ numerator: f.numerator, denominator: f.denominator, pending: f.pending });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const check = (k: any) => {
      assert.deepEqual(k.cases, expected.cases);
      assert.deepEqual(pick(k.acknowledgment.serviceRequest), expected.ackRequests, 'acknowledgment of service requests');
      assert.deepEqual(pick(k.acknowledgment.inquiry), expected.ackInquiries, 'acknowledgment of inquiries');
      assert.deepEqual(pick(k.resolution), expected.resolution, 'resolution against the original targets');
      assert.deepEqual(pick(k.revisedTimeline), expected.revised, 'revised timelines, beside');
      const days = (d: { count: number; median: number; p90: number; mean: number }) => ({ count: d.count, median: d.median, p90: d.p90, mean: Math.round(d.mean * 1000) / 1000 });
      assert.deepEqual(days(k.completion.businessDays), days(expected.business));
      assert.deepEqual(days(k.completion.calendarDays), days(expected.calendar));
    };

    test('§6.2 through the API, from the aggregates (a whole month)', async () => {
      const manager = await api.as(demo.csManager);
      const r = await manager.get('/api/v1/kpis?from=2026-11-01&to=2026-11-30&minimumGroupSize=1');
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.computedFrom, 'aggregates');
      assert.equal(r.body.periodRuleWords, 'cases received in the period');
      assert.match(r.body.formulaVersion, /^css-6\.2\//);
      check(r.body.total);
      assert.equal(r.body.total.resolution.value, 0.25);
    });

    test('§6.2 the same figures computed case by case (a period not on whole months)', async () => {
      const manager = await api.as(demo.csManager);
      const r = await manager.get('/api/v1/kpis?from=2026-10-31&to=2026-11-30&minimumGroupSize=1');
      assert.equal(r.body.computedFrom, 'cases');
      check(r.body.total);
    });

    test('§7 the honest-figure rule: below 10 cases, counts but no percentage', async () => {
      const manager = await api.as(demo.csManager);
      const r = await manager.get('/api/v1/kpis?from=2026-11-01&to=2026-11-30');
      assert.equal(r.body.total.resolution.state, 'too_few');
      assert.equal(r.body.total.resolution.value, null);
      assert.equal(r.body.total.resolution.denominator, 8);
      const empty = await manager.get('/api/v1/kpis?from=2026-10-01&to=2026-10-31');
      assert.equal(empty.body.total.resolution.state, 'no_data');
    });

    test('§7 "closed in the period": only resolved cases, labelled', async () => {
      const manager = await api.as(demo.csManager);
      const r = await manager.get('/api/v1/kpis?from=2026-11-01&to=2026-11-30&period=closed&minimumGroupSize=1');
      assert.equal(r.body.periodRuleWords, 'cases closed in the period');
      assert.deepEqual(pick(r.body.total.resolution), { numerator: 2, denominator: 6, pending: 0 });
    });

    test('grouped by division: Roads has the transferred inquiry and its own, Revenue the first-contact one', async () => {
      const manager = await api.as(demo.csManager);
      const r = await manager.get('/api/v1/kpis?from=2026-11-01&to=2026-11-30&by=division&minimumGroupSize=1');
      const byLabel = Object.fromEntries(r.body.groups.map((g: { label: string; indicators: { cases: unknown } }) => [g.label, g.indicators.cases]));
      assert.deepEqual(byLabel['Roads Operations'], { serviceRequests: 9, inquiries: 2, open: 5 });
    });

    test('role scope: a Division Head asking for another division gets 403; the Working Group sees everything', async () => {
      const head = await api.as(demo.roadsHead);
      const own = await head.get('/api/v1/kpis?from=2026-11-01&to=2026-11-30&minimumGroupSize=1');
      assert.equal(own.status, 200);
      assert.equal(own.body.total.cases.serviceRequests, 9);
      assert.equal(own.body.total.cases.inquiries, 2, 'only the inquiries now in Roads');
      const other = await head.get('/api/v1/kpis?division=revenue-taxation');
      assert.equal(other.status, 403);
      const traffic = await api.as(demo.trafficStaff);
      const none = await traffic.get('/api/v1/kpis?from=2026-11-01&to=2026-11-30');
      assert.equal(none.body.total.cases.serviceRequests, 0);
      assert.equal(none.body.total.resolution.state, 'no_data');
      const wg = await api.as(demo.workingGroup);
      assert.equal((await wg.get('/api/v1/kpis?from=2026-11-01&to=2026-11-30')).body.total.cases.inquiries, 3);
      const bad = await wg.get('/api/v1/kpis?from=2026-13-01');
      assert.equal(bad.status, 400);
      assert.match(bad.body.message ?? JSON.stringify(bad.body), /YYYY-MM-DD/);
    });

    test('CSV: byte-order mark and one row a group', async () => {
      const wg = await api.as(demo.workingGroup);
      const r = await wg.raw({ method: 'GET', url: '/api/v1/kpis?from=2026-11-01&to=2026-11-30&by=type&format=csv' });
      assert.equal(r.status, 200);
      const text = String(r.body);
      assert.ok(text.startsWith('\ufeff'), 'byte-order mark');
      assert.match(text, /Pothole/);
      assert.match(text, /Total/);
    });

    const page = async (email: string, url: string) => {
      const response = await (await consoleAs(api, email)).get(url);
      return { status: response.status, body: response.body, type: String(response.headers['content-type']) };
    };

    test('§6.2 the same figures on /staff/performance, with charts as SVG and their data as tables', async () => {
      const r = await page(demo.workingGroup, '/staff/performance?from=2026-11-01&to=2026-11-30');
      assert.equal(r.status, 200, r.body.slice(0, 500));
      const cardText = (label: string) => new RegExp(`${label}</span><strong class="kpi-card__value">([^<]*)</strong><span class="kpi-card__note">([^<]*)`).exec(r.body.replace(/<!-- -->/g, ''));
      assert.deepEqual(cardText('Resolved within the original target')?.slice(1), ['2 of 8', 'too few for a percentage (fewer than 10); 2 of 8 on time, 1 not yet due']);
      assert.deepEqual(cardText('Acknowledged within target \\(service requests\\)')?.slice(1), ['6 of 8', 'too few for a percentage (fewer than 10); 6 of 8 on time, 1 not yet due']);
      assert.match(r.body, /<svg[^>]+viewBox/);
      assert.match(r.body, /<caption>Open cases by age<\/caption>/);
      const csv = await page(demo.workingGroup, '/staff/performance/open-aging.csv?from=2026-11-01&to=2026-11-30');
      assert.equal(csv.status, 200);
      assert.ok(csv.body.startsWith('\ufeff'));
      assert.match(csv.body, /under 2 days,1/);
      // What was open and overdue when November ended (1 Dec 05:00Z): C, D, F, H and J open; C (never
      // acknowledged) and F (resolution due 16 Nov) overdue. B, E, G and K were late but resolved by then.
      const monthEnd = await page(demo.workingGroup, '/staff/performance/backlog-overdue.csv?from=2026-11-01&to=2026-11-30');
      assert.equal(monthEnd.status, 200);
      assert.match(monthEnd.body, /Open at month end,Overdue at month end \(a target passed\)\r?\nNovember 2026,5,2/);
      assert.match(r.body, /<caption>Open and overdue at each month end<\/caption>/);
      // Escalation trends from the KPI module (§6.2): none escalated in this month.
      assert.match(r.body, /<caption>Median days at each escalation level<\/caption>/);
      assert.match(r.body, /No request type was escalated more than once in this period/);
      // A Division Head asking for another division's performance gets 403.
      assert.equal((await page(demo.roadsHead, '/staff/performance?division=revenue-taxation')).status, 403);
    });

    test('the public /performance page: per request type, in plain words, no personal data', async () => {
      const r = await api.app.inject({ method: 'GET', url: '/performance' });
      assert.equal(r.statusCode, 200);
      const body = r.body.replace(/<!-- -->/g, '');
      assert.match(body, /Pothole/);
      assert.match(body, /too few requests for a percentage/);
      assert.doesNotMatch(body, /Dana|dana@example|705-555-0142|Roads Staff/i);
    });

    test('§6.2 the same figures through `citydesk kpi --json`', async () => {
      await api.close();
      api = undefined as unknown as TestApi;
      const r = await citydesk(['kpi', '--from', '2026-11-01', '--to', '2026-11-30', '--as-of', '2026-12-01T12:00', '--min-group', '1', '--json'], engine.env());
      assert.equal(r.code, 0, r.stderr);
      check(JSON.parse(r.stdout).total);
      const words = await citydesk(['kpi', '--from', '2026-11-01', '--to', '2026-11-30', '--as-of', '2026-12-01T12:00'], engine.env());
      assert.match(words.stdout, /resolution within the original target: 2 of 8 \(too few for a percentage\)/);
    });
  });
}
