import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngines } from '../helpers/db.js';
import { demo, startApi } from '../helpers/api.js';
import { configCopy } from '../helpers/config-dir.js';
import { consoleAs } from '../helpers/console.js';
import { loadMunicipalityConfig } from '../../src/directory/municipality-config.js';
import { searchArticles } from '../../src/knowledge/knowledge-base.js';
import { fillTemplate, placeholderValues, unknownPlaceholders } from '../../src/knowledge/template-placeholders.js';

/**
 * Issue 18: the knowledge base's search (word forms, relevance) on both engines, its versions, and
 * who manages response templates; the shipped samples load and a broken one says what to fix.
 */

const searches: [query: string, first: string][] = [
  ['pool hours', 'pool-hours'],
  ['swimming pools', 'pool-hours'],
  ['register for camps', 'recreation-program-registration'],
  ['taxes due', 'property-tax-due-dates'],
  ['bag tags', 'garbage-day-and-bag-limit'],
  ['quiet hours', 'noise-by-law'],
  ['building a deck', 'building-permit-when-needed'],
];

for (const engine of testEngines()) {
  test(`[${engine.name}] the knowledge base finds word forms, ranks title words first, keeps every version and records who may write`, async (t) => {
    const api = await startApi(engine, '2026-11-02T10:00:00-05:00');
    t.after(() => api.close());
    for (const [query, first] of searches) {
      const hits = await searchArticles(api.db.kysely, { query });
      assert.equal(hits[0]?.slug, first, `"${query}" finds ${first} first (found ${hits.map((h) => h.slug).join(', ')})`);
    }
    assert.deepEqual(await searchArticles(api.db.kysely, { query: 'zeppelin' }), []);
    assert.deepEqual(await searchArticles(api.db.kysely, { query: '"unbalanced & | !(' }), [], 'any typing is a search, never an error');

    // Heads write their division's; staff read only. An edit is a new version, the old one kept.
    const roadsStaff = await consoleAs(api, demo.roadsStaff);
    const refused = await roadsStaff.post('/staff/knowledge/new', { slug: 'road-salt', division: 'roads-operations', title: 'Road salt', body: 'We salt arterial roads first.', published: 'yes' });
    assert.equal(refused.status, 403);
    const head = await consoleAs(api, demo.roadsHead);
    const created = await head.post('/staff/knowledge/new', { slug: 'road-salt', division: 'roads-operations', title: 'Winter road salting', body: 'We salt arterial roads first.', published: 'yes' });
    assert.equal(created.status, 303, created.body.slice(0, 300));
    const edited = await head.post('/staff/knowledge/road-salt', { division: 'roads-operations', title: 'Winter road salting', body: 'Arterial roads first, then collectors.', published: 'yes' });
    assert.equal(edited.status, 303);
    const versions = await api.db.kysely.selectFrom('kb_article_version as v').innerJoin('kb_article as a', 'a.id', 'v.article_id').select(['v.version', 'v.body']).where('a.slug', '=', 'road-salt').orderBy('v.version').execute();
    assert.deepEqual(versions, [
      { version: 1, body: 'We salt arterial roads first.' },
      { version: 2, body: 'Arterial roads first, then collectors.' },
    ]);
    const other = await head.post('/staff/knowledge/new', { slug: 'bins', division: 'environmental-services', title: 'Bins', body: 'Text.', published: 'yes' });
    assert.equal(other.status, 403, 'a head writes only their own division’s articles');
    const bad = await head.post('/staff/knowledge/new', { slug: 'Road Salt!', division: 'roads-operations', title: '', body: '', published: 'yes' });
    assert.equal(bad.status, 400);
    assert.match(bad.body, /Give the article a web address: lower-case words joined by/);

    // Response templates: unknown placeholders are refused with the list of known ones; a rep cannot manage them.
    const typo = await head.post('/staff/templates', { division: 'roads-operations', requestType: 'pothole', action: 'acknowledge', name: 'Typo', body: 'Quote {refrence}.', active: 'yes' });
    assert.equal(typo.status, 400);
    assert.match(typo.body, /The template uses \{refrence\}, which citydesk cannot fill\. Use one of: \{reference\}/);
    const rep = await consoleAs(api, demo.csRep);
    assert.equal((await rep.post('/staff/templates', { division: 'roads-operations', requestType: '', action: 'update', name: 'Mine', body: 'Hello.', active: 'yes' })).status, 403);
    const saved = await head.post('/staff/templates', { division: 'roads-operations', requestType: '', action: 'update', name: 'Roads — crew booked', body: 'A crew is booked for {reference} by {resolve_by}.', active: 'yes' });
    assert.equal(saved.status, 303, saved.body.slice(0, 300));
    const audit = await api.db.kysely.selectFrom('directory_event').select('type').where('type', 'in', ['response_template_saved', 'kb_article_saved']).execute();
    assert.equal(audit.length, 3, 'each change is audited');
  });
}

test('the placeholders fill from the case and unknown ones are named', () => {
  const values = placeholderValues({
    reference: 'SR-2026-000123',
    requestTypeName: 'Pothole',
    divisionName: 'Roads Operations',
    divisionPhone: '705-324-9411',
    divisionEmail: 'roads@example.ca',
    receivedAt: new Date('2026-11-02T15:00:00Z'),
    acknowledgeBy: new Date('2026-11-04T21:30:00Z'),
    resolveBy: null,
    staffName: 'Sam',
    staffEmail: 'sam@example.ca',
    customerName: null,
    timeZone: 'America/Toronto',
    now: new Date('2026-11-02T15:00:00Z'),
  });
  assert.equal(fillTemplate('Hello {customer_name}: {reference} ({request_type}) by {acknowledge_by}; fixed by {resolve_by}. {division_phone}', values), 'Hello there: SR-2026-000123 (Pothole) by Wednesday 4 November 2026; fixed by the date we will give you. 705-324-9411');
  assert.deepEqual(unknownPlaceholders('{reference} {refrence} {x}'), ['refrence', 'x']);
});

test('the shipped templates and articles load; a template naming another division’s type says the file, line and what to fix', () => {
  const config = loadMunicipalityConfig('config');
  assert.ok(config.responseTemplates.length >= 12);
  assert.ok(config.articles.length >= 5);
  const dir = configCopy({ 'response-templates.yaml': (text) => text.replace('    division: roads-operations\n    requestType: pothole', '    division: environmental-services\n    requestType: pothole') });
  assert.throws(
    () => loadMunicipalityConfig(dir),
    (error: Error) => /response-templates\.yaml:\d+: templates\[0\]\.requestType: "pothole" is not a request type of environmental-services/.test(error.message),
  );
});
