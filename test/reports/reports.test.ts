import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { parse } from 'csv-parse/sync';
import { buildApp } from '../../src/server.js';
import { DirectoryCache } from '../../src/directory/directory-cache.js';
import { findReport } from '../../src/reports/find-reports.js';
import { reportCommand } from '../../src/reports/report-command.js';
import { submitPortalFeedback } from '../../src/feedback/customer-feedback.js';
import { testEngines } from '../helpers/db.js';
import { demo, inquiryByPhone, potholeByPhone, startApi, type TestApi } from '../helpers/api.js';
import { consoleAs, type ConsoleClient } from '../helpers/console.js';
import { sessionToken } from '../helpers/sessions.js';

/**
 * CSS §6.3 reports over a known half-year: twelve potholes (eleven resolved within 7 days, one
 * late), two sidewalk hazards (too few for a percentage) and an inquiry, received January to June
 * 2026. The scorecard agrees with GET /api/v1/kpis; the stored report never changes; issuing
 * freezes the Manager's comments and mails the link through the outbox.
 */

const asOf = '2026-07-02T15:00:00Z';

for (const engine of testEngines()) {
  describe(`reports (CSS §6.3) on ${engine.name}`, () => {
    let api: TestApi;
    let manager: ConsoleClient;
    let reportId = 0;

    // The clock moves by weeks: api.as() opens a session for each clock day (test/helpers/sessions.ts).
    const call = async (email: string, url: string, body: Record<string, unknown>): Promise<string> => {
      const r = await (await api.as(email)).post(url, body);
      assert.ok(r.status < 300, JSON.stringify(r.body));
      return r.body.case?.reference as string;
    };

    before(async () => {
      api = await startApi(engine, '2026-01-05T15:00:00Z');
      for (let i = 0; i < 12; i++) {
        const day = `2026-0${1 + Math.floor(i / 3)}-${String(5 + (i % 3) * 7).padStart(2, '0')}`;
        api.clock.set(`${day}T15:00:00Z`);
        const ref = await call(demo.csRep, '/api/v1/cases', potholeByPhone({ summary: `Pothole ${i + 1} on Kent St. W.` }));
        // Resolved two days later; the last one after ten days (its 7 calendar days passed).
        api.clock.set(new Date(Date.parse(`${day}T16:00:00Z`) + (i === 11 ? 10 : 2) * 86_400_000).toISOString());
        await call(demo.roadsStaff, `/api/v1/cases/${ref}/resolve`, { resolution: 'Patched.' });
      }
      for (const day of ['2026-05-04', '2026-05-11']) {
        api.clock.set(`${day}T15:00:00Z`);
        await call(demo.csRep, '/api/v1/cases', { ...potholeByPhone(), requestType: 'sidewalk-hazard', attributes: {}, summary: 'Raised slab on Kent St. W.' });
      }
      api.clock.set('2026-06-01T15:00:00Z');
      await call(demo.csRep, '/api/v1/cases', inquiryByPhone());
      api.clock.set(asOf);
      manager = await consoleAs(api, demo.csManager);
      const generated = await manager.post('/staff/reports', { kind: 'biannual', period: '2026-H1' });
      assert.equal(generated.status, 303, generated.body.slice(0, 500));
      reportId = Number(String(generated.headers['location']).split('/').pop());
    });
    after(() => api.close());

    test('the scorecard agrees with the KPI API, target | result | verdict, and too few cases show counts, not a percentage (CSS §6.3, INTERPRETATION §7)', async () => {
      const kpis = await (await api.as(demo.csManager)).get('/api/v1/kpis?from=2026-01-01&to=2026-06-30&by=type');
      assert.equal(kpis.status, 200);
      const pothole = kpis.body.groups.find((g: { label: string }) => g.label === 'Pothole').indicators;
      const report = await findReport(api.db.kysely, null, reportId);
      const row = report.content.scorecard.find((r) => r.key === 'pothole/resolution')!;
      assert.equal(row.result.numerator, pothole.resolution.numerator);
      assert.equal(row.result.denominator, pothole.resolution.denominator);
      assert.equal(row.result.value, pothole.resolution.value);
      assert.deepEqual([row.result.numerator, row.result.denominator], [11, 12]);
      assert.equal(row.verdict, 'met', '92% against a 90% target');
      const ack = report.content.scorecard.find((r) => r.key === 'pothole/acknowledgment')!;
      assert.equal(ack.result.numerator, pothole.acknowledgment.serviceRequest.numerator);
      assert.equal(ack.verdict, 'not_met', '11 of 12 (91.7%) is more than 3 points under 95%');

      const page = await manager.get(`/staff/reports/${reportId}`);
      assert.equal(page.status, 200);
      assert.match(page.body, /<h1 id="report-title">Bi-annual performance report<\/h1>/);
      assert.match(page.body, /January to June 2026/);
      assert.match(page.body, /For the Senior Management Team and the Corporate Customer Service Standards Working Group/);
      assert.match(page.body, /92%<span class="report-counts">11 of 12 on time<\/span>/);
      // Two sidewalk hazards, both open and past their target: counts, never a percentage.
      assert.match(page.body, /Sidewalk trip hazard<\/th><td>Roads Operations<\/td><td>Resolve within 14 calendar days<\/td><td>Resolved within target<\/td><td class="num">90%<\/td><td class="num">0 of 2 \(too few for a percentage\)/);
      // A request type with nothing in the period is not a row of "no data": one line names them, by division.
      assert.doesNotMatch(page.body, /Damaged or missing road sign<\/th>/);
      const gaps = /<p class="report-note">No cases in January to June 2026, so not in the scorecard \((\d+) request types\): ([^<]*)<\/p>/.exec(page.body);
      assert.ok(gaps, 'one line names the targets with no cases');
      assert.match(gaps[2]!, /Roads Operations: [^;]*Damaged or missing road sign/);
      assert.doesNotMatch(gaps[2]!, /Pothole|Sidewalk trip hazard/, 'types with cases are rows, not in the line');
      const directory = await new DirectoryCache(api.db, api.clock).get(api.db.kysely);
      const active = directory.allRequestTypes().filter((t) => t.active).length;
      assert.equal(Number(gaps[1]), active - 2, 'every active type but the two with cases');
      assert.equal(report.content.scorecard.filter((r) => r.division !== null).length, 4, 'two rows (acknowledgment, resolution) for each of the two types with cases');
      // One page per division, the executive summary's comparison, the annex.
      assert.match(page.body, /<h2 id="division-roads-operations">Roads Operations<\/h2>/);
      assert.match(page.body, /compared with July to December 2025/);
      assert.match(page.body, /What changed since the last report/);
      assert.equal((page.body.match(/<svg/g) ?? []).length >= 4, true, 'charts as SVG');

      const csv = await manager.get(`/staff/reports/${reportId}/csv`);
      assert.equal(csv.status, 200);
      assert.ok(csv.body.startsWith('\uFEFF'), 'a byte-order mark for spreadsheets');
      const records = parse(csv.body.slice(1), { relax_column_count: true }) as string[][];
      const csvRow = records.find((r) => r[0] === 'Pothole' && r[3] === 'Resolved within target')!;
      assert.deepEqual([csvRow[4], csvRow[5], csvRow[6], csvRow[7], csvRow[9]], ['90', String(Math.round(pothole.resolution.value * 1000) / 10), '11', '12', 'met']);
      assert.ok(records.some((r) => r[0] === 'Scorecard: request types with no cases in January to June 2026 (not judged)'), 'the types with no cases are a table of the CSV too');
      assert.ok(records.some((r) => r[0] === 'Damaged or missing road sign' && r[1] === 'Roads Operations'));
    });

    test('a stored report never changes: later cases leave its figures, a new generation is a new version, and SQL updates are refused (CSS §6.3)', async () => {
      const before = await manager.get(`/staff/reports/${reportId}`);
      // A late pothole recorded afterwards as received in June (imported history would do the same).
      api.clock.set('2026-06-29T15:00:00Z');
      await call(demo.csRep, '/api/v1/cases', potholeByPhone({ summary: 'Pothole reported late in June.' }));
      api.clock.set(asOf);
      const again = await manager.get(`/staff/reports/${reportId}`);
      const figures = (html: string) => html.match(/report-counts">[^<]*/g)?.join('|');
      assert.equal(figures(again.body), figures(before.body), 'the same figures after the cases changed');

      await assert.rejects(sql`update report set content = '{}'::jsonb where id = ${reportId}`.execute(api.db.kysely), /cannot be changed or deleted/);
      await assert.rejects(sql`delete from report where id = ${reportId}`.execute(api.db.kysely), /cannot be changed or deleted/);

      const second = await manager.post('/staff/reports', { kind: 'biannual', period: '2026-H1' });
      assert.equal(second.status, 303);
      const secondId = Number(String(second.headers['location']).split('/').pop());
      const v2 = await findReport(api.db.kysely, null, secondId);
      assert.equal(v2.version, 2);
      assert.equal(v2.content.scorecard.find((r) => r.key === 'pothole/acknowledgment')!.result.pending, 1, 'the new version counts the new case');
      const list = await manager.get('/staff/reports');
      assert.equal((list.body.match(/Bi-annual performance report<\/a>/g) ?? []).length, 2, 'the list shows every version');
    });

    test('the Manager comments on the scorecard, issues the version, the link goes out through the outbox, and the issued comments are frozen (CSS §6.3)', async () => {
      const home = await manager.get('/staff');
      assert.match(home.body, /Reports due/);
      assert.match(home.body, /Bi-annual performance report, January to June 2026<\/a> <span class="badge badge--warn">Due<\/span>/);
      assert.match(home.body, /Annual report to Council, 2025<\/a> <span class="badge badge--bad">Overdue<\/span>/);

      const wg = await consoleAs(api, demo.workingGroup);
      assert.equal((await wg.post('/staff/reports', { kind: 'annual', period: '2026' })).status, 403, 'the Working Group reads reports, it does not generate them');
      assert.equal((await wg.post(`/staff/reports/${reportId}/comments`, { 'comment:pothole/resolution': 'x' })).status, 403);
      const wgHome = (await wg.get('/staff')).body;
      assert.match(wgHome, /Reports due/);
      assert.match(wgHome, /Bi-annual performance report, January to June 2026<\/a> <span class="badge badge--warn">Due<\/span><span class="home-due">Due by [^<]*31 August 2026; a version is ready to issue/, 'the Working Group sees the same schedule');
      assert.match(wgHome, /Annual report to Council, 2025<\/a> <span class="badge badge--bad">Overdue<\/span><span class="home-due">Was due by [^<]*31 March 2026; not generated yet/);
      const roads = await consoleAs(api, demo.roadsStaff);
      assert.equal((await roads.get(`/staff/reports/${reportId}`)).status, 403);

      const bad = await manager.post('/staff/reports', { kind: 'biannual', period: '2026-H3' });
      assert.equal(bad.status, 400);
      assert.match(bad.body, /is not a half-year: write the year and H1 \(January to June\) or H2/);

      const saved = await manager.post(`/staff/reports/${reportId}/comments`, { 'comment:pothole/resolution': 'One late repair after the February storm; crews added.' });
      assert.equal(saved.status, 303);
      assert.match((await manager.get(String(saved.headers['location']))).body, /1 comment saved/);
      const issuing = await manager.post(`/staff/reports/${reportId}/issue`, {});
      assert.equal(issuing.status, 303);
      const issued = await manager.get(String(issuing.headers['location']));
      assert.match(issued.body, /Issued to the Senior Management Team and the Corporate Customer Service Standards Working Group/);
      assert.match(issued.body, /One late repair after the February storm; crews added\./);
      // The issued version keeps its figures when a case of the period is recorded afterwards.
      const counts = (html: string) => html.match(/report-counts">[^<]*/g)?.join('|');
      api.clock.set('2026-06-15T15:00:00Z');
      await call(demo.csRep, '/api/v1/cases', potholeByPhone({ summary: 'Pothole recorded after the report was issued.' }));
      api.clock.set(asOf);
      assert.equal(counts((await manager.get(`/staff/reports/${reportId}`)).body), counts(issued.body), 'the issued figures after the cases changed');
      const mail = await api.db.kysely.selectFrom('outbox_mail').select(['to_address', 'subject', 'body']).where('subject', 'like', '%Bi-annual%').orderBy('to_address').execute();
      assert.deepEqual(mail.map((m) => m.to_address), ['smt@kawarthalakes.example', 'working.group@kawarthalakes.example']);
      assert.match(mail[0]!.body, new RegExp(`/staff/reports/${reportId}`));

      const late = await manager.post(`/staff/reports/${reportId}/comments`, { 'comment:pothole/resolution': 'Changed my mind.' });
      assert.equal(late.status, 409);
      assert.match(late.body, /cannot change/);
      await assert.rejects(sql`update report_comment set comment = 'edited' where report_id = ${reportId}`.execute(api.db.kysely), /issued/);
      await assert.rejects(sql`update report_issue set recipients = '{}' where report_id = ${reportId}`.execute(api.db.kysely), /cannot be changed or deleted/);
      const list = await manager.get('/staff/reports');
      assert.match(list.body, /Issued<\/span> to the Senior Management Team/);
      assert.doesNotMatch((await manager.get('/staff')).body, /January to June 2026<\/a>/, 'an issued report is no longer due');
    });

    test('the annual report to Council and the feedback analysis from the command line; without Chromium the PDF export says so plainly (CSS §6.3)', async () => {
      const out: (string | Buffer)[] = [];
      const progress: string[] = [];
      const io = { write: (d: string | Buffer) => out.push(d), progress: (t: string) => progress.push(t), stdoutIsTerminal: false };
      await reportCommand(api.db, api.clock, 'annual', { period: '2026', format: 'csv' }, io, '/nonexistent/chromium');
      const csv = String(out.pop());
      assert.ok(csv.startsWith('\uFEFF'));
      assert.match(csv, /Headline figures by year/);
      assert.match(csv, /Service requests resolved within their original target/);
      assert.match(progress.join(''), /reading the figures from 2025-01-01 to 2026-12-31/);
      assert.match(progress.join(''), /Annual report to Council, 2026: version 1 kept/);
      // Council's scorecard is the KPI API's total for the year, figure for figure.
      const kpi = async (from: string, to: string) => (await (await api.as(demo.csManager)).get(`/api/v1/kpis?from=${from}&to=${to}`)).body.total;
      const latest = async (kind: 'annual' | 'feedback') => findReport(api.db.kysely, null, (await api.db.kysely.selectFrom('report').select('id').where('kind', '=', kind).orderBy('id', 'desc').executeTakeFirstOrThrow()).id);
      const counts = (f: { numerator: number; denominator: number; pending: number; value: number | null }) => [f.numerator, f.denominator, f.pending, f.value];
      const year = await kpi('2026-01-01', '2026-12-31');
      const annual = await latest('annual');
      assert.deepEqual(counts(annual.content.scorecard.find((r) => r.key === 'all/resolution')!.result), counts(year.resolution));
      assert.deepEqual(counts(annual.content.scorecard.find((r) => r.key === 'all/acknowledgment')!.result), counts(year.acknowledgment.serviceRequest));
      assert.deepEqual(counts(annual.content.scorecard.find((r) => r.key === 'inquiry/acknowledgment')!.result), counts(year.acknowledgment.inquiry));
      assert.equal(annual.content.scorecard.find((r) => r.key === 'all/resolution')!.result.denominator, 15, 'the twelve potholes resolved, and the two sidewalk hazards and the pothole recorded after the issue past their target');
      // A compliment in June, quoted by the Manager: the report prints it without the personal details.
      api.clock.set('2026-06-10T15:00:00Z');
      const { id: feedbackId } = await submitPortalFeedback({
        db: api.db,
        input: { kind: 'compliment', text: 'Dana Resident here, call me at 705-555-0142: the crew fixed the pothole in a day. Thank you!', reference: '', name: 'Dana Resident', email: 'dana@example.org', phone: '705-555-0142' },
        now: api.clock.now(),
      });
      api.clock.set(asOf);
      const quoted = await manager.post(`/staff/feedback/${feedbackId}/quote`, { quote: 'Dana Resident here, call me at 705-555-0142: the crew fixed the pothole in a day. Thank you!' });
      assert.equal(quoted.status, 200);
      assert.match(quoted.body, /Quoted in the reports as: “\[removed\] here, call me at \[removed\]: the crew fixed the pothole in a day\. Thank you!”/);
      await reportCommand(api.db, api.clock, 'feedback', { period: '2026-Q2', format: 'html' }, io);
      const feedbackHtml = String(out.pop());
      assert.match(feedbackHtml, /<h1 id="report-title">Customer feedback analysis<\/h1>/);
      assert.match(feedbackHtml, /<blockquote>\[removed\] here, call me at \[removed\]: the crew fixed the pothole in a day\. Thank you!<\/blockquote>/);
      assert.doesNotMatch(feedbackHtml, /Dana|705-555-0142/, 'no personal information in a report');
      assert.match(feedbackHtml, /Compliment 1/i);
      const quarter = await kpi('2026-04-01', '2026-06-30');
      assert.deepEqual(counts((await latest('feedback')).content.scorecard.find((r) => r.key === 'all/satisfaction')!.result), counts(quarter.satisfaction.satisfied));
      await assert.rejects(reportCommand(api.db, api.clock, 'annual', { period: '2026', format: 'pdf' }, io, '/nonexistent/chromium'), /PDF export is not available here: there is no Chromium at \/nonexistent\/chromium/);
      await assert.rejects(reportCommand(api.db, api.clock, 'annual', { period: '26', format: 'csv' }, io), /is not a year: write it as four digits/);

      const noChromium = await buildApp({ db: api.db, clock: api.clock, chromiumPath: '/nonexistent/chromium' });
      try {
        const token = await sessionToken(api, demo.cao);
        const r = await noChromium.inject({ method: 'GET', url: `/staff/reports/${reportId}/pdf`, cookies: { citydesk_session: token } });
        assert.equal(r.statusCode, 503);
        assert.match(r.body, /PDF export is not available on this server/);
        assert.match(r.body, /Back to the report/);
      } finally {
        await noChromium.close();
      }
      const directory = await new DirectoryCache(api.db, api.clock).get(api.db.kysely);
      assert.equal(directory.municipality.settings.reports?.recipients.council[0], 'clerk@kawarthalakes.example', 'recipients from config/reports.yaml');
    });

    test('issuing the annual report sends Council’s recipients the link at the configured public address (PUBLIC_URL), through the outbox (CSS §6.3)', async () => {
      const annual = await api.db.kysely.selectFrom('report').select('id').where('kind', '=', 'annual').orderBy('id', 'desc').executeTakeFirstOrThrow();
      const published = await buildApp({ db: api.db, clock: api.clock, surveyLinks: { publicUrl: 'https://service.kawarthalakes.example/' } });
      try {
        const desk = await consoleAs({ app: published, db: api.db, clock: api.clock }, demo.csManager);
        const issuing = await desk.post(`/staff/reports/${annual.id}/issue`, {});
        assert.equal(issuing.status, 303, issuing.body.slice(0, 300));
        assert.match((await desk.get(String(issuing.headers['location']))).body, /Issued to City Council/);
      } finally {
        await published.close();
      }
      const mail = await api.db.kysely.selectFrom('outbox_mail').select(['to_address', 'subject', 'body']).where('subject', 'like', '%Annual report to Council, 2026%').execute();
      assert.deepEqual(mail.map((m) => m.to_address), ['clerk@kawarthalakes.example'], 'Council’s recipient from config/reports.yaml');
      assert.match(mail[0]!.subject, /^City of Kawartha Lakes: Annual report to Council, 2026 \(version \d+\)$/);
      assert.ok(mail[0]!.body.includes(`Read it in the staff console (sign in first): https://service.kawarthalakes.example/staff/reports/${annual.id}\n`), mail[0]!.body);
      assert.ok(mail[0]!.body.includes(`PDF: https://service.kawarthalakes.example/staff/reports/${annual.id}/pdf`));
      assert.doesNotMatch(mail[0]!.body, /localhost/);
    });
  });
}
