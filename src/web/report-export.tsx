import { readFileSync } from 'node:fs';
import type { StoredReport } from '../reports/report-content.js';
import { printPdf } from './print-pdf.js';
import { renderPage } from './render.js';
import { ReportDocument } from './report-document.js';

/**
 * A stored report as one self-contained HTML file (its style inline, charts as inline SVG): what
 * `citydesk report --format html` writes and what Chromium prints to PDF (CSS §6.3).
 */

let stylesheet: string | undefined;
const css = (): string => (stylesheet ??= readFileSync(new URL('./assets/citydesk.css', import.meta.url), 'utf8'));

export function reportFileName(report: StoredReport, extension: string): string {
  return `${report.kind}-report-${report.period.replace(/\.\./g, '-to-')}-v${report.version}.${extension}`;
}

export function reportHtml(report: StoredReport, zone: string): string {
  const c = report.content;
  return renderPage(
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${c.title}, ${c.period.label} | ${c.city}`}</title>
        <style dangerouslySetInnerHTML={{ __html: `${css()}\nbody { background: #fff; }\nmain { padding: 0 0.5rem; }` }} />
      </head>
      <body>
        <main id="main">
          <ReportDocument report={report} zone={zone} />
        </main>
      </body>
    </html>,
  );
}

export function reportPdf(report: StoredReport, zone: string, chromiumPath?: string): Promise<Buffer> {
  const c = report.content;
  return printPdf(reportHtml(report, zone), { chromiumPath, footer: `${c.city} · ${c.title}, ${c.period.label} · version ${c.version}` });
}
