import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { defaultChromiumPath } from '../platform/config.js';

/**
 * HTML printed to PDF by Debian's Chromium through playwright-core (ARCHITECTURE "Web"): text
 * stays text and the server-rendered SVG charts stay vectors. citydesk never downloads a browser:
 * without one at CHROMIUM_PATH the caller is told so, in words a person can act on.
 */

export class PdfUnavailable extends Error {
  constructor(readonly chromiumPath: string) {
    super(
      `PDF export is not available here: there is no Chromium at ${chromiumPath}. Install Debian's chromium package (apt-get install chromium) or set CHROMIUM_PATH to a Chromium binary. The web page and the CSV work without it, and the page prints from any browser.`,
    );
    this.name = 'PdfUnavailable';
  }
}

export interface PrintOptions {
  chromiumPath?: string | undefined;
  /** Printed at the foot of every page, left; the page number goes right. */
  footer: string;
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function printPdf(html: string, options: PrintOptions): Promise<Buffer> {
  const path = options.chromiumPath ?? defaultChromiumPath;
  if (!existsSync(path)) throw new PdfUnavailable(path);
  const browser = await chromium.launch({ executablePath: path, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  try {
    const page = await browser.newPage();
    // Everything is inline: the page asks nothing of the network.
    await page.route('**/*', (route) => route.abort());
    await page.setContent(html, { waitUntil: 'load' });
    return await page.pdf({
      format: 'Letter',
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      footerTemplate: `<div style="font: 8pt system-ui, sans-serif; color: #4a5560; width: 100%; padding: 0 12mm; display: flex; justify-content: space-between;"><span>${escapeHtml(options.footer)}</span><span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`,
      margin: { top: '14mm', bottom: '18mm', left: '12mm', right: '12mm' },
    });
  } finally {
    await browser.close();
  }
}
