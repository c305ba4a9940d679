/**
 * Issue 13: imported history in the staff console. An imported case's reference (its source and
 * the source's row id, e.g. BALTIMORE-18-00123456) opens its case page, is found by the search and
 * linked from it; the page says it is history and offers no change. The import's lookup tables
 * (source type → request type, agency → division, channel) are an administrator's page, read and
 * changed without JavaScript; everyone else gets the 403 page. One browser for the file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveFormat } from '../../src/history/history-formats.js';
import { importHistory } from '../../src/history/import-history.js';
import { demo } from '../helpers/api.js';
import { expectAccessible, signInAs, startSite, type BrowserSite } from '../helpers/browser.js';
import { consoleAs, pageText, type ConsoleClient } from '../helpers/console.js';
import { testEngines } from '../helpers/db.js';

const baltimorePath = resolve(process.env['CITYDESK_SHARED_DATA'] ?? '../shared/data', '311/baltimore311_sample_2014-2018_city-of-baltimore.csv');

const [engine] = testEngines();

describe('Imported history in the console', () => {
  let site: BrowserSite;
  let manager: ConsoleClient;
  let reference = '';

  before(async () => {
    site = await startSite(engine!, '2026-12-01T10:00:00-05:00');
    const dir = mkdtempSync(join(tmpdir(), 'citydesk-imported-'));
    const file = join(dir, 'baltimore-40.csv');
    writeFileSync(file, `${readFileSync(baltimorePath, 'utf8').split('\n').slice(0, 41).join('\n')}\n`);
    const summary = await importHistory({ db: site.db, now: () => site.clock.now(), file, format: resolveFormat({ format: 'baltimore' }), organizationFromData: true });
    assert.equal(summary.imported, 40);
    const row = await site.db.kysely.selectFrom('service_case').select('reference').where('import_source_id', 'is not', null).orderBy('id').executeTakeFirstOrThrow();
    reference = row.reference;
    manager = await consoleAs(site, demo.csManager);
  });
  after(() => site.close());

  it("an imported case's reference opens its page, which says it is history and offers no change", async () => {
    assert.match(reference, /^BALTIMORE-\d\d-\d+$/);
    const page = await manager.get(`/staff/cases/${encodeURIComponent(reference)}`);
    assert.equal(page.status, 200, pageText(page.body).slice(0, 300));
    const words = pageText(page.body);
    assert.ok(words.includes(reference));
    assert.match(words, /Imported history This case was imported from another system's records \(baltimore\)/);
    assert.doesNotMatch(page.body, /action="\/staff\/cases\/[^"]+\/(acknowledge|resolve|transfer)"/);
    // A change posted anyway is refused in words, and changes nothing.
    const before = await site.db.kysely.selectFrom('service_case').select(['version', 'status']).where('reference', '=', reference).executeTakeFirstOrThrow();
    const refused = await manager.post(`/staff/cases/${encodeURIComponent(reference)}/note`, { 'note.text': 'A note on history' });
    assert.match(pageText(refused.body), /is history imported from another system: it cannot be changed in citydesk/);
    const after = await site.db.kysely.selectFrom('service_case').select(['version', 'status']).where('reference', '=', reference).executeTakeFirstOrThrow();
    assert.deepEqual(after, before);
    // A reference of neither shape is still "no such case".
    assert.equal((await manager.get('/staff/cases/not%20a%20reference')).status, 404);
  });

  it('the search finds an imported case by its reference and links to its page', async () => {
    const found = await manager.get(`/staff/search?q=${encodeURIComponent(reference)}`);
    assert.equal(found.status, 200);
    assert.ok(found.body.includes(`href="/staff/cases/${encodeURIComponent(reference)}"`), 'the result links to the case page');
  });

  it('an administrator reads the mapping tables, maps a value anew without JavaScript, and the change is recorded; axe finds nothing', async () => {
    const context = await site.context({ javaScript: false });
    const page = await context.newPage();
    await signInAs(page, demo.admin);
    await page.goto('/staff/admin');
    await page.getByRole('link', { name: /Import mappings/ }).click();
    await page.waitForURL('**/staff/admin/import-mappings');
    await page.getByRole('heading', { name: 'baltimore (baltimore format)' }).waitFor();
    const list = pageText(await page.content());
    assert.match(list, /Source types → request types/);
    assert.match(list, /Agencies → divisions/);
    // --organization from-data made a division per agency: the first agency of the sample is in the table.
    const agency = (await site.db.kysely.selectFrom('import_mapping').select(['source_value', 'target_code']).where('kind', '=', 'agency').orderBy('source_value').executeTakeFirstOrThrow());
    assert.ok(list.includes(agency.source_value), 'the agency is listed');
    // Map it to the sample City's roads division instead.
    const roads = await site.db.kysely.selectFrom('division').select(['code', 'name']).where('code', '=', 'roads-operations').executeTakeFirstOrThrow();
    await page.getByRole('link', { name: `Change what "${agency.source_value}" means` }).click();
    await page.getByLabel('Division in this City').selectOption(roads.code);
    await page.getByRole('button', { name: 'Save the mapping' }).click();
    await page.waitForURL('**/staff/admin/import-mappings?done=changed**');
    assert.match(pageText(await page.content()), /The mapping is saved\. The next import of baltimore uses it\./);
    const saved = await site.db.kysely.selectFrom('import_mapping').select('target_code').where('kind', '=', 'agency').where('source_value', '=', agency.source_value).executeTakeFirstOrThrow();
    assert.equal(saved.target_code, roads.code);
    await page.goto('/staff/admin');
    assert.ok(pageText(await page.content()).includes(`Mapped the agency "${agency.source_value}" of baltimore to roads-operations (was ${agency.target_code})`));
    // A target that is not of this City is refused beside the field, and nothing changes.
    const admin = await consoleAs(site, demo.admin);
    const refused = await admin.post('/staff/admin/import-mappings/edit', { source: 'baltimore', kind: 'agency', value: agency.source_value, target: 'no-such-division' });
    assert.equal(refused.status, 400);
    assert.match(pageText(refused.body), /There is a problem.*"no-such-division" is not a division of this City/);
    // axe, with scripts on (it runs as one), on the list, the form and an imported case.
    const withJs = await site.context();
    const checked = await withJs.newPage();
    await signInAs(checked, demo.admin);
    for (const url of ['/staff/admin/import-mappings', `/staff/admin/import-mappings/edit?source=baltimore&kind=type&value=x`, `/staff/cases/${encodeURIComponent(reference)}`]) {
      await checked.goto(url);
      await expectAccessible(checked, url);
    }
  });

  it('only administrators see or change the mapping tables (INTERPRETATION §9)', async () => {
    for (const url of ['/staff/admin/import-mappings', '/staff/admin/import-mappings/edit?source=baltimore&kind=type&value=x']) {
      assert.equal((await manager.get(url)).status, 403, url);
    }
    const before = await site.db.kysely.selectFrom('import_mapping').selectAll().orderBy('kind').orderBy('source_value').execute();
    const post = await manager.post('/staff/admin/import-mappings/edit', { source: 'baltimore', kind: 'agency', value: 'Anything', target: 'roads-operations' });
    assert.equal(post.status, 403);
    assert.deepEqual(await site.db.kysely.selectFrom('import_mapping').selectAll().orderBy('kind').orderBy('source_value').execute(), before);
  });
});
