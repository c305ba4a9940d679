/**
 * Issue 13: every real export in shared/data imports, with the summary an independent reading of
 * the file expects (rows, imported, each anomaly's count); a second import changes nothing;
 * imported cases are history (never swept, in no work queue, never mailed); and the Baltimore
 * sample's per-agency indicators equal an independent computation from the file itself
 * (CSS §6.2, INTERPRETATION §7: resolution compliance against the city's DueDate, median and mean
 * calendar days to close).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import type { Db } from '../../src/db/connect.js';
import { resolveFormat } from '../../src/history/history-formats.js';
import { findKpis } from '../../src/performance/find-kpis.js';
import { importHistory, type ImportSummary } from '../../src/history/import-history.js';
import { sweep } from '../../src/escalation/sweep.js';
import { listQueue, queueNames } from '../../src/cases/case-queries.js';
import { loadStaffMember } from '../../src/directory/staff.js';
import { loadDirectory } from '../../src/directory/directory-cache.js';
import { testEngines } from '../helpers/db.js';

// The real exports live beside the project (../shared/data, as the issue names them).
const data = resolve(process.env['CITYDESK_SHARED_DATA'] ?? '../shared/data');
const files = {
  baltimore: `${data}/311/baltimore311_sample_2014-2018_city-of-baltimore.csv`,
  nycSample: `${data}/311/nyc311_sample_2018_info654fa22.csv`,
  nycMixed: `${data}/311/nyc311_mixed_2014-2019_TwoSixDgraphDemo.csv`,
  nycJson: `${data}/311/nyc311_fhrw-4uyv_TwoSixDgraphDemo.json`,
  sf: `${data}/311/sf311_sample_2008-2018_UPenn500.csv`,
  boston: `${data}/311/boston311_2025_openoverdue_subset_SaferTrail.csv`,
  toronto: `${data}/open311/real-responses/toronto_open311_requests_2017-04.json`,
  chicago: `${data}/open311/real-responses/chicago_open311_requests_extensions_2014-2015.json`,
};

const now = new Date('2026-12-01T15:00:00Z');

async function run(db: Db, format: string, file: string, source?: string): Promise<ImportSummary> {
  return importHistory({ db, now: () => now, file, format: resolveFormat({ format, source }), organizationFromData: true });
}

/** Everything an import writes, to compare before and after a second import. */
async function snapshot(db: Db): Promise<string> {
  const { rows } = await sql<{ cases: number; rows: number; versions: number; digest: string; divisions: number; types: number; events: number; messages: number; outbox: number }>`
    select (select count(*)::int from service_case) as cases,
           (select count(*)::int from imported_row) as rows,
           (select coalesce(sum(version), 0)::int from service_case) as versions,
           (select md5(coalesce(string_agg(row_hash || array_to_string(anomalies, ','), '' order by case_id), '')) from imported_row) as digest,
           (select count(*)::int from division) as divisions,
           (select count(*)::int from request_type) as types,
           (select count(*)::int from case_event) as events,
           (select count(*)::int from case_message) as messages,
           (select count(*)::int from outbox) as outbox`.execute(db.kysely);
  return JSON.stringify(rows[0]);
}

/** Baltimore's dates: MM/DD/YYYY hh:mm:ss AM, compared as wall-clock times (one zone for both). */
function baltimoreTime(text: string): number {
  const m = /^(\d\d)\/(\d\d)\/(\d{4}) (\d\d):(\d\d):(\d\d) (AM|PM)$/.exec(text)!;
  let hour = Number(m[4]) % 12;
  if (m[7] === 'PM') hour += 12;
  return Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2]), hour, Number(m[5]), Number(m[6]));
}

for (const engine of testEngines()) {
  describe(`Importing real 311 history (${engine.name})`, () => {
    it('imports every real sample with the expected summary; a second import changes nothing; imported cases are history; Baltimore per-agency figures equal an independent computation', async () => {
      const db = await engine.open({ seed: true });
      try {
        const baltimore = await run(db, 'baltimore', files.baltimore);
        assert.equal(baltimore.rows, 10_000);
        assert.equal(baltimore.imported, 10_000);
        assert.deepEqual(baltimore.anomalies, { integer_coordinates: 892, source_duplicate: 217 });
        assert.deepEqual(baltimore.targets, { source_due_date: 9714, city_dst: 0, none: 286 });
        assert.equal(baltimore.organization.divisionsCreated, 16);
        assert.equal(baltimore.organization.typesCreated, 231);
        // Channels the City has no name for are reported with their counts, never guessed.
        assert.deepEqual(baltimore.unmapped.channel, { API: 2571, Internal: 2194, Mail: 206, System: 19, Other: 10 });

        const nyc = await run(db, 'nyc', files.nycSample);
        assert.equal(nyc.rows, 6765);
        assert.equal(nyc.imported, 6765);
        assert.equal(nyc.fileAnomalies.byteOrderMark, true);
        assert.deepEqual(nyc.anomalies, { thousands_separators: 6650, short_year_dates: 6765, date_only_receipt: 6, closure_date_while_open: 117, closed_without_closure_date: 2 });
        assert.equal(nyc.targets.source_due_date, 3037);

        const mixed = await run(db, 'nyc', files.nycMixed);
        assert.equal(mixed.imported, 1000);
        assert.deepEqual(mixed.anomalies, { date_only_closure: 106, closure_date_while_open: 17, date_only_receipt: 6 });
        assert.equal(mixed.targets.source_due_date, 486);

        const json = await run(db, 'nyc', files.nycJson);
        assert.equal(json.imported, 1000);
        assert.deepEqual(json.anomalies, { date_only_closure: 493, date_only_receipt: 465, closure_date_while_open: 15, sentinel_date: 1 });

        const sf = await run(db, 'sf', files.sf);
        assert.equal(sf.imported, 10_000);
        assert.deepEqual(sf.anomalies, { time_offset_ignored: 10_000, zero_coordinates: 4264, quoted_newlines: 139, closed_before_created: 17 });
        assert.equal(sf.times.rule, 'local');
        assert.equal(sf.times.warning, null, 'SF read as local time peaks in the daytime');

        const boston = await run(db, 'boston', files.boston);
        assert.equal(boston.imported, 2424);
        assert.deepEqual(boston.anomalies, {});
        assert.equal(boston.targets.source_due_date, 2424);
        // Boston's export shifts local time by the zone's offset once more: read as plain local
        // time, its busiest hour comes four or five hours too early (the spread shows it).
        const asLocal = await importHistory({ db, now: () => now, file: files.boston, format: resolveFormat({ format: 'boston', source: 'boston-as-local', times: 'local' }), organizationFromData: true, dryRun: true });
        const busiest = (hours: number[]) => hours.indexOf(Math.max(...hours));
        assert.ok([4, 5].includes(busiest(boston.times.hourOfDay) - busiest(asLocal.times.hourOfDay)), `${boston.times.hourOfDay} vs ${asLocal.times.hourOfDay}`);
        assert.equal(boston.times.hourOfDay.reduce((a, b) => a + b, 0), 2424);
        // SF's local times read as UTC would put its working day in the small hours: a warning.
        const sfAsUtc = await importHistory({ db, now: () => now, file: files.sf, format: resolveFormat({ format: 'sf', source: 'sf-as-utc', times: 'utc' }), organizationFromData: true, dryRun: true });
        assert.match(sfAsUtc.times.warning ?? '', /busiest eight hours start at 0\d:00 local time/);
        assert.equal(sfAsUtc.imported, 10_000, 'a dry run says what would be imported');
        assert.equal(await db.kysely.selectFrom('import_source').select('id').where('code', '=', 'sf-as-utc').executeTakeFirst(), undefined, 'a dry run writes nothing');

        const toronto = await run(db, 'open311', files.toronto, 'toronto');
        assert.equal(toronto.imported, 1000);
        assert.deepEqual(toronto.anomalies, { numbers_for_codes: 1000, status_missing: 790, closed_without_closure_date: 9 });
        const chicago = await run(db, 'open311', files.chicago, 'chicago');
        assert.equal(chicago.imported, 50);
        assert.deepEqual(chicago.anomalies, {});

        // Each source row is kept verbatim beside its case.
        const kept = await db.kysely
          .selectFrom('imported_row as r')
          .innerJoin('service_case as c', 'c.id', 'r.case_id')
          .select(['r.raw', 'c.reference', 'c.resolve_by_basis'])
          .where('r.source_row_id', '=', '18-00269879')
          .executeTakeFirstOrThrow();
        assert.equal(kept.reference, 'BALTIMORE-18-00269879');
        assert.ok(readFileSync(files.baltimore, 'utf8').includes(`${kept.raw}\n`));
        assert.equal(kept.resolve_by_basis, 'source_due_date');

        // A second import of every file changes nothing.
        const before = await snapshot(db);
        for (const [format, file, source] of [
          ['baltimore', files.baltimore],
          ['nyc', files.nycSample],
          ['sf', files.sf],
          ['open311', files.toronto, 'toronto'],
        ] as const) {
          const again = await run(db, format, file, source);
          assert.equal(again.imported, 0, file);
          assert.equal(again.updated, 0, file);
          assert.equal(again.unchanged, again.rows, file);
        }
        assert.equal(await snapshot(db), before);

        // History is never swept, never mailed, and in no work queue.
        const swept = await sweep({ db, now });
        assert.equal(swept.checked, 0);
        const imported = await sql<{ due: number }>`select count(*)::int as due from service_case where import_source_id is not null and (next_check_at is not null or next_due_at is not null)`.execute(db.kysely);
        assert.equal(imported.rows[0]!.due, 0);
        const admin = await db.kysely.selectFrom('staff_user').select('id').where('role', '=', 'manager_customer_service').executeTakeFirstOrThrow();
        const manager = (await loadStaffMember(db.kysely, admin.id))!;
        const { calendar } = await loadDirectory(db.kysely);
        for (const queue of queueNames) {
          const listed = await listQueue(db.kysely, { staff: manager, queue, now, calendar });
          assert.equal(listed.items.length, 0, `the ${queue} queue holds no imported history`);
        }
        const mail = await sql<{ n: number }>`select (select count(*) from outbox) + (select count(*) from case_message) as n`.execute(db.kysely);
        assert.equal(Number(mail.rows[0]!.n), 0);

        // CSS §6.2, INTERPRETATION §7: Baltimore's per-agency indicators equal an independent computation from the file.
        await baltimoreIndicators(db);
      } finally {
        await db.close();
      }
    });
  });
}

async function baltimoreIndicators(db: Db): Promise<void> {
        // The City's own indicators (src/performance, CSS §6.2) by division, over the sample's years.
        const admin = await db.kysely.selectFrom('staff_user').select('id').where('role', '=', 'manager_customer_service').executeTakeFirstOrThrow();
        const manager = (await loadStaffMember(db.kysely, admin.id))!;
        const directory = await loadDirectory(db.kysely);
        const kpis = await findKpis({ tx: db.kysely, directory, staff: manager, query: { from: '2014-01-01', to: '2019-12-31', by: 'division' }, now });
        const figures = kpis.groups
          .map((g) => ({ division: g.label, code: directory.division(Number(g.key))?.code ?? '', indicators: g.indicators }))
          .filter((g) => g.code.startsWith('baltimore-'));
        const records = parse(readFileSync(files.baltimore), { columns: true }) as Record<string, string>[];
        const byAgency = new Map<string, Record<string, string>[]>();
        for (const r of records) byAgency.set(r['Agency']!, [...(byAgency.get(r['Agency']!) ?? []), r]);
        assert.equal(figures.length, byAgency.size);
        for (const [agency, rows] of byAgency) {
          const f = figures.find((x) => x.division === agency);
          assert.ok(f, agency);
          // Resolution compliance against DueDate: closed by it is on time; closed after it, or
          // still open now that it has passed, is missed; no DueDate, no target.
          const withDue = rows.filter((r) => r['DueDate']);
          const onTime = withDue.filter((r) => r['CloseDate'] && baltimoreTime(r['CloseDate']) <= baltimoreTime(r['DueDate']!)).length;
          assert.equal(f.indicators.resolution.numerator, onTime, agency);
          assert.equal(f.indicators.resolution.denominator, withDue.length, agency);
          if (withDue.length >= 10) assert.ok(Math.abs(f.indicators.resolution.value! - onTime / withDue.length) < 1e-12, agency);
          else assert.equal(f.indicators.resolution.value, null, `${agency}: fewer than 10 cases show counts, not a percentage`);
          // Calendar days to close: the file's own DaysOpen on every closed row.
          const days = rows.filter((r) => r['CloseDate']).map((r) => Number(r['DaysOpen']));
          const completion = f.indicators.completion.calendarDays;
          assert.equal(completion.count, days.length, agency);
          if (days.length >= 10) {
            const sorted = [...days].sort((a, b) => a - b);
            const median = sorted[Math.ceil(0.5 * sorted.length) - 1];
            assert.equal(completion.median, median, agency);
            assert.ok(Math.abs(completion.mean! - days.reduce((a, b) => a + b, 0) / days.length) < 1e-9, agency);
          }
          // The source recorded no acknowledgment: "not recorded", never missed.
          assert.equal(f.indicators.acknowledgment.serviceRequest.notRecorded, rows.length, agency);
          assert.equal(f.indicators.acknowledgment.serviceRequest.denominator, 0, agency);
        }
}
