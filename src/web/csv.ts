import { stringify } from 'csv-stringify/sync';

/**
 * CSV the way a City's staff open it: a byte-order mark so spreadsheet programs read UTF-8, and
 * every cell that a spreadsheet would run as a formula (=, +, -, @, tab, carriage return) made text
 * with a leading apostrophe (OWASP "CSV injection"). Numbers stay numbers.
 */
export function toCsv(header: readonly string[], rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  const cell = (v: string | number | null | undefined): string => {
    if (v === null || v === undefined) return '';
    if (typeof v === 'number') return String(v);
    return /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  };
  return stringify([header.map(cell), ...rows.map((r) => r.map(cell))], { bom: true, record_delimiter: 'windows' });
}
