import { createReadStream, openSync, readSync, closeSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
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

/** `chunkBytes`: how much of the file is read at a time (tests make it small to split records across reads). */
export function openSourceFile(path: string, chunkBytes = 256 * 1024): SourceFile {
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
    const s = createReadStream(path, { highWaterMark: chunkBytes });
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

/** The longest record the reader holds while looking for its end (a quote never closed ends here). */
const maxRecordChars = 1024 * 1024;

/**
 * CSV records (RFC 4180: quoted fields with doubled quotes and line breaks, a byte-order mark,
 * LF or CRLF endings, blank lines skipped), each with its verbatim text and the line it starts on.
 * A small reader of its own rather than csv-parse: csv-parse with `raw` and `info`, which the kept
 * verbatim rows and the error lines need, cost about 30 µs a row, the largest share of an import;
 * this one scans each character once. test/history/read-source.test.ts checks it against
 * csv-parse on every real file in ../shared/data/311/ and on broken ones. It is as strict as
 * csv-parse's defaults: a quote inside an unquoted field, text after a closing quote, a quote never
 * closed and a row with another number of fields than the header stop the import at that line.
 */
async function* csvRecords(input: NodeJS.ReadableStream, file: SourceFile): AsyncGenerator<SourceRecord> {
  const decoder = new StringDecoder('utf8');
  let text = '';
  /** Where the record being read starts in `text`, and its line. */
  let start = 0;
  let startLine = 1;
  let line = 1;
  let pos = 0;
  let quoted = false;
  let fieldStart = true;
  let fields: string[] = [];
  let fieldFrom = 0;
  let fieldHasQuotes = false;
  let index: Map<string, number> | null = null;
  let width = 0;

  const endField = (at: number) => {
    let value = text.slice(fieldFrom, at);
    if (fieldHasQuotes) value = value.slice(1, value.endsWith('"') ? -1 : value.length).replaceAll('""', '"');
    fields.push(value);
  };
  /** The record that ends before `at` (its line break, or the end of the file). */
  const endRecord = (at: number): SourceRecord | null => {
    const end = at > start && text.charCodeAt(at - 1) === 13 ? at - 1 : at;
    endField(end);
    const raw = text.slice(start, end);
    const values = fields;
    fields = [];
    if (raw === '') return null;
    if (index === null) {
      index = new Map(values.map((name, i) => [name, i]));
      width = values.length;
      file.columns = values;
      return null;
    }
    if (values.length !== width) {
      throw new SourceFileError(startLine, null, `Invalid Record Length: expect ${width}, got ${values.length}: the row has a different number of fields than the header (a missing or extra comma, or an unquoted comma)`);
    }
    const columns = index;
    return {
      line: startLine,
      raw,
      get: (column) => {
        const i = columns.get(column);
        return i === undefined ? null : (values[i] ?? null);
      },
      isNumber: () => false,
      multiline: line !== startLine,
    };
  };

  /** Reads on from `pos`, giving out the records that end; `last` when the file has ended. */
  const scan = (more: string, last: boolean): SourceRecord[] => {
    // Keep only the record being read; the ones before it were given out.
    if (start > 0) {
      text = text.slice(start);
      pos -= start;
      fieldFrom -= start;
      start = 0;
    }
    text += more;
    const records: SourceRecord[] = [];
    const n = text.length;
    while (pos < n) {
      const c = text.charCodeAt(pos);
      if (quoted) {
        if (c === 34) {
          // Is it "" or the closing quote? Unless the file ends here, the next chunk says.
          if (pos + 1 >= n && !last) break;
          if (pos + 1 < n && text.charCodeAt(pos + 1) === 34) pos += 2;
          else {
            quoted = false;
            pos += 1;
            const next = pos < n ? text.charCodeAt(pos) : 10;
            if (next !== 44 && next !== 10 && next !== 13) throw new SourceFileError(line, null, 'text after a closing quote: a quote inside a quoted field must be doubled ("")');
          }
          continue;
        }
        if (c === 10) line += 1;
        pos += 1;
        continue;
      }
      if (c === 44 /* , */) {
        endField(pos);
        pos += 1;
        fieldFrom = pos;
        fieldStart = true;
        fieldHasQuotes = false;
        continue;
      }
      if (c === 10 /* \n */) {
        const record = endRecord(pos);
        if (record) records.push(record);
        line += 1;
        pos += 1;
        start = pos;
        startLine = line;
        fieldFrom = pos;
        fieldStart = true;
        fieldHasQuotes = false;
        continue;
      }
      if (c === 34 /* " */) {
        if (!fieldStart) throw new SourceFileError(line, null, "Invalid Opening Quote: a quote in the middle of an unquoted field (a field's opening quote is missing)");
        quoted = true;
        fieldHasQuotes = true;
      }
      fieldStart = false;
      pos += 1;
    }
    if (quoted && (last || pos - start > maxRecordChars)) throw new SourceFileError(startLine, null, 'a quoted field is never closed: the file is cut short or a quote is missing');
    if (last && start < n) {
      const record = endRecord(n);
      if (record) records.push(record);
    }
    return records;
  };

  let first = true;
  for await (const chunk of input as AsyncIterable<Buffer>) {
    let more = decoder.write(chunk);
    if (first && more.length > 0) {
      // A byte-order mark, if the file starts with one (its three bytes may come in different reads).
      first = false;
      if (more.charCodeAt(0) === 0xfeff) more = more.slice(1);
    }
    for (const record of scan(more, false)) yield record;
  }
  for (const record of scan(decoder.end(), true)) yield record;
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
