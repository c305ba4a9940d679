import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderToString } from 'preact-render-to-string';
import { demo, startApi, type TestApi } from '../helpers/api.js';
import { consoleAs } from '../helpers/console.js';
import { testEngines } from '../helpers/db.js';
import { sampleConfig } from '../helpers/factories.js';
import { seedMunicipality } from '../../src/directory/seed-municipality.js';
import { MarkdownDocument } from '../../src/web/markdown.js';
import { isAppError } from '../../src/platform/errors.js';

/** CSS §8.2: the Standard's editions, kept exactly as issued and readable in the console, safely. */

const [engine] = testEngines();

describe('the Standard as a document', () => {
  let api: TestApi;
  before(async () => {
    api = await startApi(engine!, '2026-12-01T10:00:00-05:00');
  });
  after(() => api.close());

  test('the seed keeps the 2025 edition byte for byte as config/ ships it', async () => {
    const row = await api.db.kysely.selectFrom('standard_edition').selectAll().executeTakeFirstOrThrow();
    assert.equal(row.edition, '2025');
    assert.equal(row.effective_from, '2025-01-01');
    assert.equal(row.body, readFileSync('config/corporate-customer-service-standards-2025.md', 'utf8'));
    assert.equal(row.body, readFileSync('/work/shared/standard/corporate-customer-service-standards-2025.md', 'utf8'));
  });

  test('an issued edition cannot be changed: seeding a different text for it is refused, and nothing changes', async () => {
    const config = sampleConfig();
    const changed = { ...config, governance: { ...config.governance, standardEditions: config.governance.standardEditions.map((e) => ({ ...e, body: `${e.body}\nA sentence added later.`, sha256: 'different' })) } };
    await assert.rejects(
      () => seedMunicipality({ db: api.db, config: changed, now: new Date('2026-12-01T15:00:00Z') }),
      (error) => isAppError(error) && error.code === 'CONFIG_INVALID' && /kept exactly as issued/.test(error.message),
    );
    const rows = await api.db.kysely.selectFrom('standard_edition').select('body_sha256').execute();
    assert.deepEqual(rows, [{ body_sha256: config.governance.standardEditions[0]!.sha256 }]);
    // The database refuses an edit too.
    await assert.rejects(() => api.db.kysely.updateTable('standard_edition').set({ body: 'edited' }).execute());
  });

  test('every staff member reads the edition in the console: headings, lists and the §7 text', async () => {
    const traffic = await consoleAs(api, demo.trafficStaff);
    const page = await traffic.get('/staff/standard/2025');
    assert.equal(page.status, 200);
    assert.match(page.body, /<h1>Corporate Customer Service Standards 2025 Edition<\/h1>/);
    assert.match(page.body, /<h4 id="s-7-2-onboarding-and-staff-responsibilities">7.2 Onboarding and Staff Responsibilities<\/h4>/);
    assert.match(page.body, /all new staff will receive a review of the CSS/);
    assert.match(page.body, /<li><strong>Annual Review<\/strong>: The DST will undergo an annual review/);
    assert.match(page.body, /I have read the 2025 edition of the Standard/);
    assert.equal((await traffic.get('/staff/standard/1999')).status, 404);
  });

  test('Markdown is rendered safely: HTML in the text is shown as text, and only safe links become links', () => {
    const html = renderToString(
      MarkdownDocument({ source: '# Title <script>alert(1)</script>\n\nA <img src=x onerror=alert(1)> and [bad](javascript:alert(1)) and [good](https://example.ca).\n\n- one\n  - nested **bold**\n' }),
    );
    assert.doesNotMatch(html, /<script|<img/);
    assert.match(html, /&lt;script>alert\(1\)&lt;\/script>|&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.doesNotMatch(html, /href="javascript:/);
    assert.match(html, /bad \(javascript:alert\(1\)\)/);
    assert.match(html, /<a href="https:\/\/example.ca">good<\/a>/);
    assert.match(html, /<ul><li>one<ul><li>nested <strong>bold<\/strong><\/li><\/ul><\/li><\/ul>/);
  });
});
