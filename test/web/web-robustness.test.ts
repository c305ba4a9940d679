import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngines } from '../helpers/db.js';
import { buildApp } from '../../src/server.js';
import { fixedClock } from '../../src/platform/clock.js';
import { sessionCookie } from '../../src/platform/staff-auth.js';
import { apiAs, demo, potholeByPhone } from '../helpers/api.js';
import { sessionToken } from '../helpers/sessions.js';

/**
 * Every page and form of the portal and the console, sent malformed input by people of every kind
 * (signed out, division staff, a head, the Manager, an administrator): a person sees a 4xx page
 * that says what to fix, never a server error.
 */

const [engine] = testEngines();

const bodies: { type: string; body: string }[] = [
  { type: 'application/x-www-form-urlencoded', body: '' },
  { type: 'application/x-www-form-urlencoded', body: 'a[]=1&a[]=2&x[y][z][w]=1' },
  { type: 'application/x-www-form-urlencoded', body: '%&%E0%A4%A=1' },
  { type: 'application/x-www-form-urlencoded', body: '__proto__[x]=1&constructor[prototype][x]=1' },
  { type: 'application/x-www-form-urlencoded', body: `name=${'x'.repeat(200_000)}` },
  { type: 'application/x-www-form-urlencoded', body: 'date=2026-13-45&timeline=2026-02-30&year=99999&page=-1&division[]=a&requestType[x]=1&role[]=cao' },
  { type: 'application/x-www-form-urlencoded', body: 'kind=service_request&requestType=pothole&channel=phone&description[]=a&summary=%00&receivedAt=yesterday' },
  { type: 'application/x-www-form-urlencoded', body: 'email[]=a&password[]=b&acknowledge.nextSteps[]=a&review.timeline=2026-02-30' },
  { type: 'application/x-www-form-urlencoded', body: `key=${'k'.repeat(5000)}&type=pothole&latitude=91&longitude=abc&attribute[road_class][]=2` },
  { type: 'application/json', body: '[1,2]' },
  { type: 'application/json', body: 'null' },
  { type: 'application/json', body: '{"a":{"b":[1]}}' },
  { type: 'text/plain', body: 'plain' },
];
const queries = ['', '?page=abc&sort=zzz&direction=up&division[]=1&year=abc&state=zz&q=%25', '?page=99999999999&type=%00&due=x&next=//evil.example'];

test('no page or form of the portal or the console answers malformed input with a server error', async (t) => {
  const db = await engine!.open({ seed: true });
  const clock = fixedClock('2026-03-02T10:00:00-05:00');
  const app = await buildApp({ db, clock });
  t.after(async () => {
    await app.close();
    await db.close();
  });
  const created = await (await apiAs({ app, db, clock }, demo.csRep)).post('/api/v1/cases', potholeByPhone());
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const reference = created.body.case.reference as string;
  const cookieOf = async (email: string): Promise<string> => `${sessionCookie}=${await sessionToken({ db, clock }, email)}`;
  const cookies = ['', await cookieOf(demo.roadsStaff), await cookieOf(demo.roadsHead), await cookieOf(demo.csManager), await cookieOf(demo.admin)];

  // Every route of the pages, read from the router itself, with its parameters filled in.
  const routes = app
    .printRoutes({ commonPrefix: false })
    .split('\n')
    .map((line) => /(\/\S*) \(([^)]*)\)/.exec(line.replace(/^[\s│├└─]+/, '')))
    .filter((m): m is RegExpExecArray => m !== null && !m[1]!.startsWith('/api') && !m[1]!.startsWith('/open311'))
    .flatMap((m) => m[2]!.split(', ').filter((method) => method === 'GET' || method === 'POST').map((method) => ({ method, url: m[1]! })));
  const fill = (url: string) => url.replace(':reference', reference).replace(':division', 'roads-operations').replace(':queue', 'division').replace('*', 'x').replace(/:[A-Za-z]+/g, '1');
  assert.ok(routes.filter((r) => r.method === 'POST').length >= 30, `the router lists the forms (${routes.length} routes)`);

  const failures: string[] = [];
  let sent = 0;
  for (const route of routes) {
    for (const cookie of cookies) {
      const tries =
        route.method === 'GET'
          ? queries.map((q) => ({ method: 'GET' as const, url: fill(route.url) + q }))
          : bodies.map((b) => ({ method: 'POST' as const, url: fill(route.url), payload: b.body, headers: { 'content-type': b.type } }));
      for (const request of tries) {
        const response = await app.inject({ ...request, headers: { ...('headers' in request ? request.headers : {}), cookie } });
        sent += 1;
        if (response.statusCode >= 500) failures.push(`${request.method} ${request.url} (${cookie.slice(0, 16) || 'signed out'}): ${response.statusCode}`);
      }
    }
  }
  assert.deepEqual(failures, [], `${failures.length} of ${sent} requests failed with a server error`);
  assert.ok(sent > 1_000);
});
