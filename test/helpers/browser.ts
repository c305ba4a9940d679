/**
 * Browser tests: the app listening on a free port, Debian's Chromium driven by playwright-core
 * (the project never downloads a browser; `.ci/run` installs Debian's), axe for accessibility
 * and screenshots saved under test-results/screenshots/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { buildApp } from '../../src/server.js';
import { fixedClock } from '../../src/platform/clock.js';
import type { Db } from '../../src/db/connect.js';
import type { FastifyInstance } from 'fastify';
import type { TestEngine } from './db.js';
import { apiAs, demo, demoPassword } from './api.js';
import { sessionToken } from './sessions.js';
import { sessionCookie } from '../../src/platform/staff-auth.js';

export const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const screenshotDir = join('test-results', 'screenshots');

/** Phone and desktop widths for screenshots. */
export const viewports = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 900 } } as const;

export interface BrowserSite {
  app: FastifyInstance;
  db: Db;
  clock: ReturnType<typeof fixedClock>;
  baseUrl: string;
  browser: Browser;
  /** A new browser context (own cookies); `javaScript: false` runs the page without scripts. */
  context(options?: { javaScript?: boolean; viewport?: { width: number; height: number } }): Promise<BrowserContext>;
  close(): Promise<void>;
}

// The site each context belongs to, for signInAs to give its pages the shared session.
const siteOf = new WeakMap<BrowserContext, BrowserSite>();

export async function startSite(engine: TestEngine, now: string): Promise<BrowserSite> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`Chromium is not installed at ${chromiumPath}. Install Debian's package: apt-get install -y chromium (.ci/run does this).`);
  }
  const db = await engine.open({ seed: true });
  const clock = fixedClock(now);
  const app = await buildApp({ db, clock });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  const contexts: BrowserContext[] = [];
  const site: BrowserSite = {
    app,
    db,
    clock,
    baseUrl: `http://127.0.0.1:${port}`,
    browser,
    async context(options = {}) {
      const context = await browser.newContext({
        baseURL: `http://127.0.0.1:${port}`,
        javaScriptEnabled: options.javaScript ?? true,
        viewport: options.viewport ?? viewports.desktop,
      });
      contexts.push(context);
      siteOf.set(context, site);
      return context;
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
      await app.close();
      await db.close();
    },
  };
  return site;
}

/**
 * axe with the WCAG 2.1 A and AA rules: fails the test with every violation listed. axe runs as a
 * script in the page, so use a context with JavaScript on (it hangs in one without).
 */
export async function expectAccessible(page: Page, what = page.url()): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const problems = results.violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(problems, [], `axe found accessibility violations on ${what}`);
}

/**
 * Whether the page scrolls sideways: empty when it fits the window, else its width and up to five
 * innermost elements past the right edge, each with its text and where it ends.
 */
export async function pastTheEdge(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const { scrollWidth, clientWidth } = document.documentElement;
    if (scrollWidth <= clientWidth) return [];
    const past = Array.from(document.querySelectorAll<HTMLElement>('body *'))
      .filter((e) => e.children.length === 0 && e.getBoundingClientRect().right > clientWidth + 1)
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}.${e.className} "${e.innerText.slice(0, 40)}" ends at ${Math.round(e.getBoundingClientRect().right)} px`);
    return [`the page is ${scrollWidth} px wide in a ${clientWidth} px window`, ...past];
  });
}

/**
 * The keyboard alone (WCAG 2.1.1): presses Tab until the element matching `selector` has the
 * focus, failing with what had it last when Tab never gets there in `limit` presses.
 */
export async function tabTo(page: Page, selector: string, limit = 150): Promise<void> {
  for (let i = 0; i < limit; i += 1) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  const last = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120) ?? 'nothing');
  assert.fail(`Tab never reached ${selector} (the focus was last on ${last})`);
}

/** Saves a full-page screenshot as test-results/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Signs the page's context in as `email` and opens the console's home page, as the sign-in page
 * leaves it. A context of a site from startSite gets the account's session for the clock's day
 * (shared with the API and console helpers, see sessions.ts), so no test meets the sign-in
 * routes' per-minute limits; any other goes through the sign-in page.
 */
export async function signInAs(page: Page, email: string): Promise<void> {
  const site = siteOf.get(page.context());
  if (!site) return signInThroughPage(page, email);
  await page.context().addCookies([{ name: sessionCookie, value: await sessionToken(site, email), url: site.baseUrl, httpOnly: true, sameSite: 'Lax' }]);
  await page.goto('/staff');
}

/** Signs in by filling in the console's sign-in page, as a person does. */
export async function signInThroughPage(page: Page, email: string): Promise<void> {
  await page.goto('/staff/sign-in');
  await page.getByLabel('Work e-mail').fill(email);
  await page.getByLabel('Password').fill(demoPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/staff/sign-in'));
}

/** Records a contact through the staff API, as the intake page would, and returns its reference. */
export async function recordContact(site: Pick<BrowserSite, 'app' | 'db' | 'clock'>, body: Record<string, unknown>, email: string = demo.csRep): Promise<string> {
  const created = await (await apiAs(site, email)).post('/api/v1/cases', body);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.case.reference as string;
}
