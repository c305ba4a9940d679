/**
 * Issue 13: imported history in the staff console. An imported case's reference (its source and
 * the source's row id, e.g. BALTIMORE-18-00123456) opens its case page, is found by the search and
 * linked from it; the page says it is history and offers no change.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveFormat } from '../../src/history/history-formats.js';
import { importHistory } from '../../src/history/import-history.js';
import { demo, startApi, type TestApi } from '../helpers/api.js';
import { consoleAs, type ConsoleClient } from '../helpers/console.js';
import { testEngines } from '../helpers/db.js';

const baltimorePath = resolve(process.env['CITYDESK_SHARED_DATA'] ?? '../shared/data', '311/baltimore311_sample_2014-2018_city-of-baltimore.csv');
const text = (html: string): string =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

const [engine] = testEngines();

describe('Imported history in the console', () => {
  let api: TestApi;
  let manager: ConsoleClient;
  let reference = '';

  before(async () => {
    api = await startApi(engine!, '2026-12-01T10:00:00-05:00');
    const dir = mkdtempSync(join(tmpdir(), 'citydesk-imported-'));
    const file = join(dir, 'baltimore-40.csv');
    writeFileSync(file, `${readFileSync(baltimorePath, 'utf8').split('\n').slice(0, 41).join('\n')}\n`);
    const summary = await importHistory({ db: api.db, now: () => api.clock.now(), file, format: resolveFormat({ format: 'baltimore' }), organizationFromData: true });
    assert.equal(summary.imported, 40);
    const row = await api.db.kysely.selectFrom('service_case').select('reference').where('import_source_id', 'is not', null).orderBy('id').executeTakeFirstOrThrow();
    reference = row.reference;
    manager = await consoleAs(api.app, demo.csManager);
  });
  after(() => api.close());

  it("an imported case's reference opens its page, which says it is history and offers no change", async () => {
    assert.match(reference, /^BALTIMORE-\d\d-\d+$/);
    const page = await manager.get(`/staff/cases/${encodeURIComponent(reference)}`);
    assert.equal(page.status, 200, text(page.body).slice(0, 300));
    const words = text(page.body);
    assert.ok(words.includes(reference));
    assert.match(words, /Imported history This case was imported from another system's records \(baltimore\)/);
    assert.doesNotMatch(page.body, /action="\/staff\/cases\/[^"]+\/(acknowledge|resolve|transfer)"/);
    // A change posted anyway is refused in words, and changes nothing.
    const before = await api.db.kysely.selectFrom('service_case').select(['version', 'status']).where('reference', '=', reference).executeTakeFirstOrThrow();
    const refused = await manager.post(`/staff/cases/${encodeURIComponent(reference)}/note`, { 'note.text': 'A note on history' });
    assert.match(text(refused.body), /is history imported from another system: it cannot be changed in citydesk/);
    const after = await api.db.kysely.selectFrom('service_case').select(['version', 'status']).where('reference', '=', reference).executeTakeFirstOrThrow();
    assert.deepEqual(after, before);
    // A reference of neither shape is still "no such case".
    assert.equal((await manager.get('/staff/cases/not%20a%20reference')).status, 404);
  });

  it('the search finds an imported case by its reference and links to its page', async () => {
    const found = await manager.get(`/staff/search?q=${encodeURIComponent(reference)}`);
    assert.equal(found.status, 200);
    assert.ok(found.body.includes(`href="/staff/cases/${encodeURIComponent(reference)}"`), 'the result links to the case page');
  });
});
