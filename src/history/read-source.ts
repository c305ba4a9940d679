import { createReadStream, openSync, readSync, closeSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { CsvError, parse } from 'csv-parse';
import { AppError } from '../platform/errors.js';

/**
 * Reads a source file record by record, streaming, so memory stays flat whatever its size: CSV
 * through csv-parse (quoted newlines, a byte-order mark), JSON as an array of objects (a Socrata
 * export, or an Open311 answer, bare or wrapped as {"service_requests": [...]}) through a small
 * splitter that parses one object at a time. Each record keeps its text verbatim and the line it
 * starts on, so a problem names its line and column.
 */

export interface SourceRecord {
  /** The line of the file the record starts on. */
  line: number;
  /** The record as the file wrote it (without its line ending). */
  raw: string;
  /** A field's text by column (CSV) or dot-separated path (JSON); null when absent or null. */
  get(column: string): string | null;
  /** A JSON field written as a number rather than text. */
  isNumber(column: string): boolean;
  /** A CSV record with a line break inside a quoted field. */
  multiline: boolean;
}

export interface SourceFile {
  kind: 'csv' | 'json';
  byteOrderMark: boolean;
  size: number;
  /** The file's size and a hash of its first megabyte: to know a rerun is of the same file. */
  identity: string;
  /** CSV: the header's columns. */
  columns: string[] | null;
  bytesRead(): number;
  records(): AsyncGenerator<SourceRecord>;
}

/** A problem in the file: where it is and what is wrong. Nothing of the batch holding it is written. */
export class SourceFileError extends AppError {
  constructor(
    readonly line: number,
    readonly column: string | null,
    readonly problem: string,
  ) {
    super('VALIDATION_FAILED', `line ${line}${column ? `, column "${column}"` : ''}: ${problem}`, [{ field: column ?? `line ${line}`, message: problem }]);
  }
}

export function openSourceFile(path: string): SourceFile {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new AppError('VALIDATION_FAILED', `--file ${path}: there is no such file.`);
  }
  const fd = openSync(path, 'r');
  const head = Buffer.alloc(Math.min(size, 1024 * 1024));
  readSync(fd, head, 0, head.length, 0);
  closeSync(fd);
  const identity = `${size}:${createHash('sha256').update(head).digest('hex').slice(0, 32)}`;
  const byteOrderMark = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
  const start = head.subarray(byteOrderMark ? 3 : 0, 4096).toString('utf8').trimStart();
  const kind = start.startsWith('[') || start.startsWith('{') ? 'json' : 'csv';
  let read = 0;
  const stream = () => {
    const s = createReadStream(path, { highWaterMark: 256 * 1024 });
    s.on('data', (chunk) => (read += chunk.length));
    return s;
  };
  const file: SourceFile = {
    kind,
    byteOrderMark,
    size,
    identity,
    columns: null,
    bytesRead: () => read,
    records: kind === 'csv' ? () => csvRecords(stream(), file) : () => jsonRecords(stream()),
  };
  return file;
}

async function* csvRecords(input: NodeJS.ReadableStream, file: SourceFile): AsyncGenerator<SourceRecord> {
  const parser = input.pipe(parse({ bom: true, raw: true, info: true, skip_empty_lines: true, max_record_size: 1024 * 1024 }));
  let index = new Map<string, number>();
  let header = true;
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; raw: string; info: { lines: number } }>) {
      const raw = item.raw.replace(/\r?\n$/, '');
      const line = item.info.lines - (raw.match(/\n/g)?.length ?? 0);
      if (header) {
        header = false;
        file.columns = item.record;
        index = new Map(item.record.map((name, i) => [name, i]));
        continue;
      }
      const values = item.record;
      yield {
        line,
        raw,
        get: (column) => {
          const i = index.get(column);
          return i === undefined ? null : (values[i] ?? null);
        },
        isNumber: () => false,
        multiline: raw.includes('\n'),
      };
    }
  } catch (error) {
    const e = error as { code?: string; lines?: number; message: string };
    if (error instanceof CsvError) {
      const what =
        e.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH'
          ? `${e.message.replace(/ on line \d+$/, '')}: the row has a different number of fields than the header (a missing or extra comma, or an unquoted comma)`
          : e.code === 'CSV_QUOTE_NOT_CLOSED'
            ? 'a quoted field is never closed: the file is cut short or a quote is missing'
            : e.code === 'INVALID_OPENING_QUOTE'
              ? `${e.message.replace(/ at line \d+.*$/, '')}: a quote in the middle of an unquoted field (a field's opening quote is missing)`
              : e.message;
      throw new SourceFileError(e.lines ?? 0, null, what);
    }
    throw error;
  }
}

/**
 * The objects of the first array in a JSON document, one at a time: for `[{…},{…}]` and
 * `{"service_requests": [{…}]}` alike. Strings are followed so braces inside them do not count.
 */
async function* jsonRecords(input: NodeJS.ReadableStream): AsyncGenerator<SourceRecord> {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let arrayDepth = -1;
  let objectText: string[] = [];
  let line = 1;
  let objectLine = 1;
  let seenArray = false;
  let done = false;
  for await (const chunk of input as AsyncIterable<Buffer>) {
    const text = chunk.toString('utf8');
    let from = -1;
    for (let i = 0; i < text.length; i += 1) {
      const ch = text.charCodeAt(i);
      if (ch === 10) line += 1;
      if (done) continue;
      if (inString) {
        if (escaped) escaped = false;
        else if (ch === 92) escaped = true;
        else if (ch === 34) inString = false;
        continue;
      }
      if (ch === 34) {
        inString = true;
      } else if (ch === 91 /* [ */) {
        depth += 1;
        if (!seenArray) {
          seenArray = true;
          arrayDepth = depth;
        }
      } else if (ch === 93 /* ] */) {
        if (depth === arrayDepth) done = true;
        depth -= 1;
      } else if (ch === 123 /* { */) {
        depth += 1;
        if (seenArray && depth === arrayDepth + 1) {
          from = i;
          objectLine = line;
          objectText = [];
        }
      } else if (ch === 125 /* } */) {
        if (seenArray && depth === arrayDepth + 1) {
          objectText.push(text.slice(from === -1 ? 0 : from, i + 1));
          from = -1;
          const raw = objectText.join('');
          objectText = [];
          let value: unknown;
          try {
            value = JSON.parse(raw);
          } catch (error) {
            throw new SourceFileError(objectLine, null, `the JSON object here cannot be read: ${(error as Error).message}`);
          }
          yield jsonRecord(value as Record<string, unknown>, raw, objectLine);
        }
        depth -= 1;
      }
    }
    if (depth > arrayDepth && seenArray && !done) objectText.push(text.slice(from === -1 ? 0 : from));
  }
  if (!seenArray) throw new SourceFileError(1, null, 'the JSON holds no array of requests (expected [{…}, …] or {"service_requests": [{…}, …]})');
  if (!done || inString) throw new SourceFileError(line, null, 'the JSON ends before its array is closed: the file is cut short');
}

function jsonRecord(value: Record<string, unknown>, raw: string, line: number): SourceRecord {
  const at = (path: string): unknown => {
    let v: unknown = value;
    for (const part of path.split('.')) {
      if (v === null || typeof v !== 'object') return undefined;
      v = (v as Record<string, unknown>)[part];
    }
    return v;
  };
  return {
    line,
    raw,
    get: (path) => {
      const v = at(path);
      if (v === undefined || v === null) return null;
      return typeof v === 'object' ? JSON.stringify(v) : String(v);
    },
    isNumber: (path) => typeof at(path) === 'number',
    multiline: false,
  };
}
