import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { testEngines } from '../helpers/db.js';
import { expectAccessible, screenshot, signInAs, startSite, viewports } from '../helpers/browser.js';
import { demo, potholeByPhone } from '../helpers/api.js';
import { caseServices } from '../../src/cases/case-services.js';
import { createCase, type IntakeInput } from '../../src/cases/create-case.js';
import { portalOrigin } from '../../src/web/portal/portal-forms.js';

const [engine] = testEngines();

/**
 * Issue 19: the report form's map (a marker to drag, the address nearby from a geocoder, the
 * point in the latitude and longitude fields, which are also the no-JavaScript way), "already
 * reported?" before sending, the City's boundary, and the point on the staff case page. The tests
 * have no internet: the tile server and the geocoder are a fake on loopback, whose tiles never load.
 */
test('a resident places the marker on a phone, sees the pothole already reported nearby and can follow it; a point outside the City is refused; without JavaScript the fields do it all; staff see the point', async (t) => {
  const asked: string[] = [];
  const fake = createServer((request, response) => {
    asked.push(request.url ?? '');
    if (request.url?.startsWith('/reverse?')) {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ display_name: '50 Kent Street West, Lindsay' }));
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => fake.close(() => resolve())));
  const fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;

  const site = await startSite(engine!, '2026-03-03T10:00:00-05:00');
  t.after(() => site.close());
  await sql`update municipality set settings = jsonb_set(jsonb_set(settings, '{map,geocoder}', to_jsonb(${`${fakeUrl}/reverse`}::text)), '{map,tiles,url}', to_jsonb(${`${fakeUrl}/tiles/{z}/{x}/{y}.png`}::text)),
    directory_revision = directory_revision + 1`.execute(site.db.kysely);

  // ---- With JavaScript, on a phone ----
  const context = await site.context({ viewport: viewports.phone });
  const page = await context.newPage();
  const refused: string[] = [];
  page.on('console', (m) => (m.type() === 'error' && /Content Security Policy/.test(m.text()) ? refused.push(m.text()) : undefined));
  await page.goto('/report?type=pothole');
  const map = page.getByRole('region', { name: /Map: drag the marker/ });
  await map.waitFor();
  await page.getByRole('status').filter({ hasText: 'The map pictures could not load' }).waitFor();
  assert.deepEqual(refused, [], 'the tile server is allowed by the page\'s Content-Security-Policy');
  // Drag the marker a little way: the fields take the point, the geocoder's address fills the empty address.
  const marker = page.locator('.leaflet-marker-icon');
  await map.scrollIntoViewIfNeeded();
  const box = (await marker.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height - 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 40, box.y + box.height - 30, { steps: 8 });
  await page.mouse.up();
  await page.getByRole('status').filter({ hasText: 'The address nearest it is filled in above' }).waitFor();
  const latitude = Number(await page.getByLabel('Latitude').inputValue());
  const longitude = Number(await page.getByLabel('Longitude').inputValue());
  assert.ok(Math.abs(latitude - 44.3501) < 0.2 && Math.abs(longitude + 78.7391) < 0.3, `the marker moved near Lindsay: ${latitude}, ${longitude}`);
  assert.equal(await page.getByLabel('Address or nearest intersection').inputValue(), '50 Kent Street West, Lindsay');
  assert.ok(asked.some((u) => u.startsWith('/reverse?') && u.includes('format=jsonv2')), 'the configured geocoder was asked');
  await expectAccessible(page, 'the report form with its map');
  await screenshot(page, 'portal-map-phone');

  // Someone else reported a pothole 20 m away this morning, and a streetlight at the same point.
  const services = caseServices(site.db, site.clock);
  const near = { latitude: latitude + 20 / 111_195, longitude };
  const record = async (input: Record<string, unknown>, key: string) => (await createCase({ services, origin: portalOrigin, input: input as unknown as IntakeInput, idempotencyKey: key })).caseRow.reference;
  const base = { ...potholeByPhone(), channel: 'web_portal', customer: { name: 'Robin Neighbour', email: 'robin@example.org', preferredContact: 'email' } };
  const other = await record({ ...base, location: near, summary: 'Pothole by the curb' }, 'map-test-1');
  const streetlight = await record({ ...base, requestType: 'streetlight', attributes: {}, location: near, summary: 'Light out' }, 'map-test-2');

  await page.getByLabel('Describe the problem').fill('A deep pothole by the curb.');
  await page.getByRole('button', { name: 'Continue' }).click();
  const already = page.getByRole('region', { name: 'Already reported?' });
  await already.waitFor();
  const words = await already.innerText();
  assert.match(words, new RegExp(`${other}: Pothole, about 2\\d m away`));
  assert.match(words, /within 50 m/);
  assert.doesNotMatch(words, new RegExp(streetlight), 'only the same type');
  assert.doesNotMatch(words, /Robin|robin@example\.org|by the curb/, "no other resident's name, contact or words");
  assert.equal(await already.getByRole('link', { name: `Follow ${other} instead` }).getAttribute('href'), `/track/${other}/follow`);
  assert.equal(await already.getByRole('link', { name: `See ${other}` }).getAttribute('href'), `/track/${other}`);
  await expectAccessible(page, 'check your answers with "already reported?"');
  await screenshot(page, 'portal-already-reported-phone');
  // Following it instead of sending a duplicate: the follow page of that request.
  const follow = await context.newPage();
  await follow.goto(`/track/${other}/follow`);
  assert.match(await follow.getByRole('heading', { level: 1 }).innerText(), new RegExp(other));
  await follow.close();

  // A point outside the City: the form says so and where to fix it.
  await page.getByRole('button', { name: 'Change your answers' }).click();
  await page.getByLabel('Latitude').fill('43.6532');
  await page.getByLabel('Longitude').fill('-79.3832');
  await page.getByRole('button', { name: 'Continue' }).click();
  const summary = page.getByRole('alert');
  assert.match(await summary.innerText(), /That point is outside the City of Kawartha Lakes/);
  assert.equal(await summary.getByRole('link').first().getAttribute('href'), '#f-latitude');
  await expectAccessible(page, 'the report form refusing a point outside the City');
  const place = await (await page.request.get('/report/place?latitude=43.6532&longitude=-79.3832')).json();
  assert.equal(place.inside, false);

  // ---- Without JavaScript, on a desktop ----
  const plain = await (await site.context({ javaScript: false, viewport: viewports.desktop })).newPage();
  await plain.goto('/report?type=pothole');
  assert.equal(await plain.locator('.point-map').isVisible(), false, 'no map without JavaScript');
  await plain.getByLabel('Latitude').fill(String(near.latitude));
  await plain.getByLabel('Longitude').fill(String(near.longitude));
  await plain.getByLabel('Describe the problem').fill('Pothole.');
  await plain.getByRole('button', { name: 'Continue' }).click();
  assert.match(await plain.getByRole('region', { name: 'Already reported?' }).innerText(), new RegExp(`${other}: Pothole, about 0 m away`));
  await screenshot(plain, 'portal-already-reported-desktop-no-js');
  await plain.getByRole('button', { name: 'Send report' }).click();
  assert.match(await plain.getByRole('heading', { level: 1 }).innerText(), /Your report has been sent/);

  // The map's address opened as a page, with a point it cannot read: a page with the error summary, never JSON (issue 19).
  for (const [javaScript, viewport, name] of [[false, viewports.desktop, 'desktop-no-js'], [true, viewports.phone, 'phone']] as const) {
    const placePage = await (await site.context({ javaScript, viewport })).newPage();
    const answer = await placePage.goto('/report/place?latitude=north&longitude=');
    assert.equal(answer!.status(), 400);
    assert.match(answer!.headers()['content-type'] ?? '', /^text\/html/);
    assert.equal(await placePage.title(), 'Error: Check a place | City of Kawartha Lakes');
    const errors = placePage.getByRole('alert');
    assert.match(await errors.innerText(), /There is a problem\s+Enter the latitude as a number between -90 and 90, like 44\.3501\s+Enter the longitude, like -78\.7391/);
    assert.equal(await errors.getByRole('link').first().getAttribute('href'), '#f-latitude');
    assert.equal(await placePage.getByLabel('Latitude').inputValue(), 'north', 'what was given is kept to fix');
    await screenshot(placePage, `portal-place-errors-${name}`);
    if (javaScript) await expectAccessible(placePage, 'the place page with errors');
    // Fixed, the page says the place is inside the City, with the address nearest it.
    await placePage.getByLabel('Latitude').fill('44.3501');
    await placePage.getByLabel('Longitude').fill('-78.7391');
    await placePage.getByRole('button', { name: 'Check this place' }).click();
    assert.match(await placePage.getByRole('status').innerText(), /The point 44\.3501, -78\.7391 is inside the City of Kawartha Lakes, near 50 Kent Street West, Lindsay\./);
    if (javaScript) await expectAccessible(placePage, 'the place page');
    await screenshot(placePage, `portal-place-${name}`);
  }

  // ---- Staff see the point on the case page ----
  const staff = await (await site.context({ viewport: viewports.desktop })).newPage();
  await signInAs(staff, demo.csRep);
  await staff.goto(`/staff/cases/${other}`);
  assert.match(await staff.getByRole('link', { name: 'open on a map' }).getAttribute('href') ?? '', /openstreetmap\.org\/\?mlat=44\.\d+&mlon=-78\.\d+/);
  await staff.getByRole('region', { name: `Map of where ${other} was reported` }).waitFor();
  await expectAccessible(staff, 'the staff case page with its map');
  await screenshot(staff, 'console-case-map');
});
