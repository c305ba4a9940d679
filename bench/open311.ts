import { sql } from 'kysely';
import type { Db } from '../src/db/connect.js';
import { redactUrl } from '../src/platform/config.js';
import { benchApp, busyPercent, listenLocally, machineCpu, withSampleDatabase } from './throwaway-database.js';
import { loadInChild } from './load-in-child.js';

/**
 * Open311 on PostgreSQL: `GET /open311/v2/requests.json` (the default query: the last 90 days,
 * newest first, 50 a page) by 100 concurrent clients over 100,000 stored service requests.
 * Target: p99 under 50 ms. The requests are bulk-inserted with SQL (each with its `received`
 * event, half acknowledged with next steps, a fifth resolved), not through HTTP. The server runs
 * in this process; autocannon in a child process, as in the intake bench.
 */

const stored = 100_000;
const connections = 100;
const warmupSeconds = 3;
const measureSeconds = 10;
const path = '/open311/v2/requests.json';


export async function benchOpen311(): Promise<boolean> {
  return withSampleDatabase(async (db, databaseUrl) => {
    const setUpStarted = performance.now();
    await storeRequests(db);
    console.log(`database: ${redactUrl(databaseUrl)} (fresh, dropped after); ${stored.toLocaleString('en-CA')} service requests stored in ${((performance.now() - setUpStarted) / 1000).toFixed(1)} s`);

    const app = await benchApp(db);
    try {
      const base = await listenLocally(app);
      const check = await fetch(`${base}${path}`);
      const first = (await check.json()) as { service_request_id: string }[];
      if (check.status !== 200 || first.length !== 50) throw new Error(`${path} answered ${check.status} with ${first.length} requests`);

      // What an answer costs when it is not in the cache: each URL asked once, one at a time.
      const uncached: number[] = [];
      for (let i = 0; i < 30; i += 1) {
        const started = performance.now();
        const response = await fetch(`${base}${path}?page=${i + 1}`);
        await response.text();
        uncached.push(performance.now() - started);
      }
      uncached.sort((a, b) => a - b);
      console.log(`uncached (30 different pages, one at a time): median ${uncached[15]!.toFixed(1)} ms, slowest ${uncached.at(-1)!.toFixed(1)} ms`);

      let machineAtStart = machineCpu();
      let cpuAtStart = process.cpuUsage();
      const result = await loadInChild({ url: `${base}${path}`, method: 'GET', connections, warmupSeconds, measureSeconds }, () => {
        machineAtStart = machineCpu();
        cpuAtStart = process.cpuUsage();
      });
      const cpu = process.cpuUsage(cpuAtStart);
      const ok = result['2xx'];
      console.log(
        `GET ${path}, ${connections} connections, warm-up ${warmupSeconds} s, measured ${measureSeconds} s: ${Math.round(ok / result.duration).toLocaleString('en-CA')}/s, ` +
          `p50 ${result.latency.p50} ms, p97.5 ${result.latency.p97_5} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms; ` +
          `${ok.toLocaleString('en-CA')} answered, ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts; ` +
          `server process CPU ${(((cpu.user + cpu.system) / 1e6 / result.duration) * 100).toFixed(0)}% of a core; machine CPU busy ${busyPercent(machineAtStart)}`,
      );
      const valid = result.non2xx === 0 && result.errors === 0 && result.timeouts === 0;
      const met = valid && result.latency.p99 < 50;
      console.log(`target: p99 under 50 ms with ${connections} clients over ${stored.toLocaleString('en-CA')} requests: ${met ? 'met' : 'NOT met'} (${result.latency.p99} ms${valid ? '' : '; some requests failed'})`);
      return met;
    } finally {
      await app.close();
    }
  });
}

/** 100,000 service requests over the past 60 days, with their audit events, in three statements. */
async function storeRequests(db: Db): Promise<void> {
  await sql`
    insert into service_case (reference, kind, status, channel, request_type_id, division_id, customer_name, customer_email, preferred_contact,
      description, summary, address, latitude, longitude, attributes, received_at, recorded_at, created_via, acknowledge_by, resolve_by,
      acknowledged_at, resolved_at, resolution, next_due_at)
    select 'SR-2026-' || lpad(n::text, 7, '0'), 'service_request', case when n % 5 = 0 then 'resolved' else 'open' end, 'web_portal', t.id, t.division_id,
      'Resident ' || n, 'resident' || n || '@example.org', 'email',
      'Reported through the bench: ' || t.name || ' number ' || n || '.', t.name || ' at ' || (n % 400 + 1) || ' Kent St. W.',
      (n % 400 + 1) || ' Kent St. W., Lindsay', 44.35 + (n % 1000) / 100000.0, -78.74 - (n % 1000) / 100000.0,
      case when t.code = 'pothole' then '{"road_class": "3"}'::jsonb else '{}'::jsonb end,
      r.at, r.at, 'open311:bench', r.at + interval '2 days', r.at + interval '7 days',
      case when n % 2 = 0 then r.at + interval '1 day' end, case when n % 5 = 0 then r.at + interval '3 days' end,
      case when n % 5 = 0 then 'Done.' end, case when n % 5 <> 0 then r.at + interval '2 days' end
    from generate_series(1, ${stored}) as n
    cross join lateral (select now() - (${stored} - n) * (interval '60 days' / ${stored}) as at) as r
    join lateral (select id, division_id, code, name from request_type where active order by id offset (n % (select count(*) from request_type where active)) limit 1) as t on true`.execute(db.kysely);
  await sql`
    insert into case_event (case_id, at, actor_id, actor_label, type, data)
    select id, received_at, null::integer, 'open311:bench', 'received', '{}'::jsonb from service_case
    union all
    select id, acknowledged_at, null, 'bench', 'acknowledged', '{"nextSteps": "A crew will look at it this week."}'::jsonb from service_case where acknowledged_at is not null
    union all
    select id, resolved_at, null, 'bench', 'resolved', '{"resolution": "Done."}'::jsonb from service_case where resolved_at is not null`.execute(db.kysely);
  await sql`vacuum analyze`.execute(db.kysely);
}
