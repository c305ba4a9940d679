import { stringify } from 'csv-stringify/sync';

/**
 * CSV the way a City's staff open it: a byte-order mark so spreadsheet programs read UTF-8, and
 * every cell that a spreadsheet would run as a formula (=, +, -, @, tab, carriage return) made text
 * with a leading apostrophe (OWASP "CSV injection"). Numbers stay numbers.
 */
type Cell = string | number | null | undefined;

const cell = (v: Cell): string => {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return String(v);
  return /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
};

export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return stringify([header.map(cell), ...rows.map((r) => r.map(cell))], { bom: true, record_delimiter: 'windows' });
}

export interface CsvTable {
  title: string;
  header: readonly string[];
  rows: readonly (readonly Cell[])[];
}

/** Several tables in one file (a report's): each under its title row, a blank line between, one byte-order mark. */
export function toCsvTables(tables: readonly CsvTable[]): string {
  const records: string[][] = [];
  tables.forEach((t, i) => {
    if (i > 0) records.push([]);
    records.push([cell(t.title)], t.header.map(cell), ...t.rows.map((r) => r.map(cell)));
  });
  return stringify(records, { bom: true, record_delimiter: 'windows' });
}
