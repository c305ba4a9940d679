import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngines } from '../helpers/db.js';
import { expectAccessible, screenshot, signInAs, startSite, viewports, type BrowserSite } from '../helpers/browser.js';
import { demo, potholeByPhone } from '../helpers/api.js';
import { sessionToken } from '../helpers/sessions.js';

/** CSS §6.2 in Chromium: the staff dashboard and the public performance page, with and without JavaScript, on a phone; axe finds nothing. */

const [engine] = testEngines();

// The clock moves by days, past a session's life: each call uses the account's session for the day.
async function call(site: BrowserSite, email: string, url: string, body: Record<string, unknown>): Promise<string> {
  const token = await sessionToken(site, email);
  const r = await site.app.inject({ method: 'POST', url, payload: body, headers: { authorization: `Bearer ${token}` } });
  assert.ok(r.statusCode < 300, r.body);
  return JSON.parse(r.body).case?.reference as string;
}

test('the performance dashboard and the public page show the figures, charts with their data, and pass axe (CSS §6.2)', async (t) => {
  const site = await startSite(engine!, '2026-11-02T15:00:00Z');
  t.after(() => site.close());
  // Twelve potholes in November: eleven resolved within 7 days, one late; one open and not yet due.
  for (let i = 0; i < 12; i++) {
    site.clock.set(`2026-11-${String(2 + i).padStart(2, '0')}T15:00:00Z`);
    const ref = await call(site, demo.csRep, '/api/v1/cases', potholeByPhone({ summary: `Pothole number ${i + 1} on Kent St. W.` }));
    site.clock.set(`2026-11-${String(2 + i + (i === 11 ? 9 : 2)).padStart(2, '0')}T16:00:00Z`);
    await call(site, demo.roadsStaff, `/api/v1/cases/${ref}/resolve`, { resolution: 'Patched.' });
  }
  site.clock.set('2026-11-30T15:00:00Z');
  await call(site, demo.csRep, '/api/v1/cases', potholeByPhone({ summary: 'Pothole at the end of the month.' }));
  // Three of them escalated, a few metres apart on Kent St. W.: a recurring type and place (§6.2 escalation trends).
  const escalated = await site.db.kysely.selectFrom('service_case').select(['id', 'division_id']).where('summary', 'like', 'Pothole number%').orderBy('id').limit(3).execute();
  const roadsDepartment = (await site.db.kysely.selectFrom('division').select('department_id').where('id', '=', escalated[0]!.division_id).executeTakeFirstOrThrow()).department_id;
  for (const [i, c] of escalated.entries()) {
    await site.db.kysely.updateTable('service_case').set({ latitude: 44.3566 + i * 0.0002, longitude: -78.7386, address: `${50 + i * 10} Kent St. W., Lindsay` }).where('id', '=', c.id).execute();
    await site.db.kysely
      .insertInto('escalation')
      .values({ case_id: c.id, level: 1, escalated_at: new Date(`2026-11-${20 + i}T15:00:00Z`), reason: 'requested', division_id: c.division_id, department_id: roadsDepartment, initiated_by: 'staff' })
      .execute();
  }
  site.clock.set('2026-12-01T17:00:00Z');

  const page = await (await site.context()).newPage();
  await signInAs(page, demo.roadsHead);
  await page.goto('/staff/performance?from=2026-11-01&to=2026-11-30');
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Performance');
  const resolution = page.locator('.kpi-card', { hasText: 'Resolved within the original target' });
  assert.match(await resolution.innerText(), /92%/);
  assert.match(await resolution.innerText(), /11 of 12 on time, 1 not yet due/);
  assert.equal(await page.locator('.chart__svg svg').count(), 8, 'eight charts as SVG');
  assert.match(await page.getByRole('table', { name: 'Recurring request types' }).innerText(), /Pothole\s+3/);
  const places = await page.getByRole('table', { name: 'Recurring places' }).innerText();
  assert.match(places, /Pothole\s+near Kent St\. W\., Lindsay\s+3/);
  assert.doesNotMatch(places, /50 Kent/, 'the street only, never a house number');
  await page.getByText('The data as a table').first().click();
  assert.match(await page.getByRole('table', { name: 'Compliance by month received' }).innerText(), /November 2026/);
  await expectAccessible(page, '/staff/performance');
  await screenshot(page, 'performance-dashboard-desktop');
  // Filters are a GET form: the request-type filter narrows the figures.
  await page.getByLabel('Request type', { exact: true }).selectOption('sidewalk-hazard');
  await page.getByRole('button', { name: 'Show' }).click();
  assert.match(await page.locator('.kpi-card', { hasText: 'Resolved within the original target' }).innerText(), /No data/);

  // Without JavaScript, on a phone: the same page, nothing cut off sideways.
  const phone = await (await site.context({ javaScript: false, viewport: viewports.phone })).newPage();
  await signInAs(phone, demo.workingGroup);
  await phone.goto('/staff/performance?from=2026-11-01&to=2026-11-30');
  assert.match(await phone.locator('.kpi-card', { hasText: 'Resolved within the original target' }).innerText(), /92%/);
  assert.ok((await phone.evaluate('document.documentElement.scrollWidth')) as number <= viewports.phone.width + 1, 'no sideways scroll');
  await screenshot(phone, 'performance-dashboard-phone');

  // The public page, in plain words.
  const resident = await (await site.context({ viewport: viewports.phone })).newPage();
  await resident.goto('/performance');
  assert.equal(await resident.getByRole('heading', { level: 1 }).innerText(), 'How we are doing');
  const row = resident.getByRole('row', { name: /Pothole/ });
  assert.match(await row.innerText(), /92% resolved within the target \(11 of 12\)/);
  await expectAccessible(resident, '/performance');
  await screenshot(resident, 'performance-public-phone');
});
