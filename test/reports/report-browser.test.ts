import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testEngines } from '../helpers/db.js';
import { expectAccessible, screenshot, screenshotDir, signInAs, startSite, viewports, type BrowserSite } from '../helpers/browser.js';
import { demo, potholeByPhone } from '../helpers/api.js';
import { sessionToken } from '../helpers/sessions.js';

/**
 * CSS §6.3 in Chromium: the Manager generates the bi-annual report in the console, the page
 * passes axe and fits a phone, and its PDF (printed by Chromium, read back with poppler-utils'
 * pdftotext) carries the same scorecard figures, the City's name and page numbers in the footer,
 * and charts as vectors (no images). Screenshots of the page and the PDF's first page are saved.
 */

const [engine] = testEngines();

/** A staff API call with the account's session for the clock's day (test/helpers/sessions.ts). */
async function call(site: BrowserSite, email: string, url: string, body: Record<string, unknown>): Promise<string> {
  const r = await site.app.inject({ method: 'POST', url, payload: body, headers: { authorization: `Bearer ${await sessionToken(site, email)}` } });
  assert.ok(r.statusCode < 300, r.body);
  return JSON.parse(r.body).case?.reference as string;
}

test('the bi-annual report as a page and a PDF: the same scorecard, axe finds nothing, footer with the City and page numbers, vector charts (CSS §6.3)', async (t) => {
  const site = await startSite(engine!, '2026-03-02T15:00:00Z');
  t.after(() => site.close());
  // Twelve potholes in March: eleven resolved in two days, one after ten (its 7 calendar days passed).
  for (let i = 0; i < 12; i++) {
    const day = `2026-03-${String(2 + i).padStart(2, '0')}`;
    site.clock.set(`${day}T15:00:00Z`);
    const ref = await call(site, demo.csRep, '/api/v1/cases', potholeByPhone({ summary: `Pothole number ${i + 1} on Kent St. W.` }));
    site.clock.set(new Date(Date.parse(`${day}T16:00:00Z`) + (i === 11 ? 10 : 2) * 86_400_000).toISOString());
    await call(site, demo.roadsStaff, `/api/v1/cases/${ref}/resolve`, { resolution: 'Patched.' });
  }
  site.clock.set('2026-07-02T15:00:00Z');

  const page = await (await site.context()).newPage();
  await signInAs(page, demo.csManager);
  await page.goto('/staff');
  await page.getByRole('link', { name: 'Bi-annual performance report, January to June 2026' }).click();
  // The due item's link fills in the form.
  assert.equal(await page.getByLabel('Report', { exact: true }).inputValue(), 'biannual');
  assert.equal(await page.getByLabel('Period', { exact: true }).inputValue(), '2026-H1');
  await page.getByRole('button', { name: 'Generate a new version' }).click();
  await page.waitForURL(/\/staff\/reports\/\d+$/);
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Bi-annual performance report');
  const row = page.getByRole('row', { name: /Pothole Roads Operations Resolve within 7 calendar days/ });
  assert.match(await row.innerText(), /92%\s*11 of 12 on time/);
  assert.match(await row.innerText(), /Met/);
  await row.getByRole('textbox').fill('One late repair after the March thaw.');
  await page.getByRole('button', { name: 'Save comments' }).click();
  assert.match(await page.getByText('1 comment saved').innerText(), /They will be part of the version you issue/);
  await expectAccessible(page, '/staff/reports/:id');
  await screenshot(page, 'report-page-desktop');

  // The PDF, through the same session.
  const response = await page.request.get((await page.getByRole('link', { name: 'Download PDF' }).getAttribute('href'))!);
  assert.equal(response.status(), 200, await response.text().catch(() => ''));
  assert.equal(response.headers()['content-type'], 'application/pdf');
  const dir = mkdtempSync(join(tmpdir(), 'citydesk-report-'));
  const pdf = join(dir, 'report.pdf');
  writeFileSync(pdf, await response.body());
  // Reading order, whitespace folded.
  const text = execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  // As laid out on the page: a table row's cells side by side.
  const layout = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
  mkdirSync(screenshotDir, { recursive: true });
  writeFileSync(join(screenshotDir, 'report-pdf.txt'), text);
  assert.match(text, /CITY OF KAWARTHA LAKES/);
  assert.match(text, /Bi-annual performance report/);
  assert.match(text, /January to June 2026/);
  // The scorecard's row as printed: target, result, verdict and the Manager's comment (part of the printed version).
  const printedRow = (first: RegExp): string => {
    const lines = layout.split('\n');
    const at = lines.findIndex((l) => first.test(l));
    assert.ok(at >= 0, `a printed row matching ${first}`);
    return lines.slice(at, at + 6).join(' ').replace(/\s+/g, ' ');
  };
  const resolution = printedRow(/Pothole\s+Roads\s+Resolve within 7 calendar/);
  for (const part of ['Operations', 'Resolved', 'within target', '90%', '92%', '11 of', '12 on', 'Met', 'One late repair after', 'the March thaw.']) assert.ok(resolution.includes(part), `"${part}" in the printed row: ${resolution}`);
  const acknowledgment = printedRow(/Pothole\s+Roads\s+Acknowledge within 2/);
  for (const part of ['95%', '92%', '11 of', 'Not met']) assert.ok(acknowledgment.includes(part), `"${part}" in the printed row: ${acknowledgment}`);
  assert.match(text, /City of Kawartha Lakes · Bi-annual performance report, January to June 2026 · version 1 Page 1 of \d+/);
  assert.match(text, /Compliance by month received/);
  assert.match(text, /Resolved within target/);
  const pages = Number(/Page 1 of (\d+)/.exec(text)![1]);
  assert.ok(pages >= 5, `a document of several pages (${pages})`);
  const images = execFileSync('pdfimages', ['-list', pdf], { encoding: 'utf8' }).trim().split('\n').slice(2);
  assert.deepEqual(images, [], 'charts are vectors, not pictures');
  execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', pdf, join(dir, 'first-page')]);
  renameSync(join(dir, 'first-page.png'), join(screenshotDir, 'report-pdf-first-page.png'));

  // On a phone, without JavaScript, as the Working Group reads it: nothing cut off sideways.
  const phone = await (await site.context({ javaScript: false, viewport: viewports.phone })).newPage();
  await signInAs(phone, demo.workingGroup);
  await phone.goto('/staff/reports');
  await phone.getByRole('link', { name: 'Bi-annual performance report' }).first().click();
  assert.match(await phone.getByText('One late repair after the March thaw.').innerText(), /March thaw/);
  assert.equal(await phone.getByRole('button', { name: 'Save comments' }).count(), 0, 'only the Manager comments');
  assert.ok(((await phone.evaluate('document.documentElement.scrollWidth')) as number) <= viewports.phone.width + 1, 'no sideways scroll');
  await screenshot(phone, 'report-page-phone');
});
