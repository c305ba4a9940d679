import { createWriteStream, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { parse } from 'csv-parse/sync';
import { seededRandom } from '../src/history/seeded-random.js';

/**
 * A large NYC 311 export, generated from the real sample's distributions
 * (../shared/data/311/nyc311_sample_2018_info654fa22.csv): each row copies the categorical fields
 * (agency, complaint type, descriptor, channel, status, place) of a sample row chosen at random,
 * with a new unique key, a receipt spread over a year by the sample's hour-of-day, and the
 * sample's own receipt-to-closure and receipt-to-due durations. Deterministic for a seed.
 */

export const nycSamplePath = '../shared/data/311/nyc311_sample_2018_info654fa22.csv';

const pad = (n: number) => String(n).padStart(2, '0');
/** NYC's own writing: MM/DD/YYYY hh:mm:ss AM. */
function nycTime(ms: number): string {
  const d = new Date(ms);
  const h = d.getUTCHours();
  return `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()} ${pad(h % 12 === 0 ? 12 : h % 12)}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
}

function shortTime(text: string): number | null {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{2}) (\d{1,2}):(\d{2})$/.exec(text.trim());
  return m ? Date.UTC(2000 + Number(m[3]), Number(m[1]) - 1, Number(m[2]), Number(m[4]), Number(m[5])) : null;
}

const quote = (v: string): string => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

export async function writeNycExport(options: { path: string; rows: number; seed?: number; firstKey?: number; samplePath?: string }): Promise<void> {
  const sample = parse(readFileSync(options.samplePath ?? nycSamplePath), { bom: true }) as string[][];
  const header = sample[0]!;
  const rows = sample.slice(1);
  const col = (name: string) => header.indexOf(name);
  const [created, closed, due, key, status, updated] = ['Created Date', 'Closed Date', 'Due Date', 'Unique Key', 'Status', 'Resolution Action Updated Date'].map(col) as [number, number, number, number, number, number];
  const closeAfter = rows.map((r) => (shortTime(r[closed]!) ?? NaN) - (shortTime(r[created]!) ?? NaN)).filter((d) => d >= 0);
  const dueAfter = rows.map((r) => (shortTime(r[due]!) ?? NaN) - (shortTime(r[created]!) ?? NaN)).filter((d) => d >= 0);
  const random = seededRandom(options.seed ?? 13);
  const out = createWriteStream(options.path, { highWaterMark: 1 << 20 });
  out.write(`\ufeff${header.map(quote).join(',')}\n`);
  const start = Date.UTC(2025, 0, 1);
  let firstKey = options.firstKey ?? 50_000_000;
  let buffer: string[] = [];
  for (let i = 0; i < options.rows; i += 1) {
    const template = rows[Math.floor(random() * rows.length)]!;
    const row = template.slice();
    // The day from across the year, the time of day from a sample row's (its hour-of-day spread).
    const timeOfDay = ((shortTime(rows[Math.floor(random() * rows.length)]![created]!) ?? 0) % 86_400_000) + Math.floor(random() * 60) * 1000;
    const receivedAt = start + Math.floor(random() * 365) * 86_400_000 + timeOfDay;
    row[key] = String(firstKey++);
    row[created] = nycTime(receivedAt);
    const isClosed = template[status] === 'Closed' || random() < 0.4;
    row[status] = isClosed ? 'Closed' : template[status]!;
    row[closed] = isClosed ? nycTime(receivedAt + closeAfter[Math.floor(random() * closeAfter.length)]!) : '';
    row[updated] = row[closed]!;
    row[due] = template[due] ? nycTime(receivedAt + dueAfter[Math.floor(random() * dueAfter.length)]!) : '';
    buffer.push(row.map(quote).join(','));
    if (buffer.length === 2000) {
      if (!out.write(`${buffer.join('\n')}\n`)) await once(out, 'drain');
      buffer = [];
    }
  }
  if (buffer.length > 0) out.write(`${buffer.join('\n')}\n`);
  out.end();
  await once(out, 'finish');
}
