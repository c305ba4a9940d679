/**
 * Issue 13: the import's CSV reader gives the same records as csv-parse (the reference) for every
 * real export in shared/data/311, with each record's verbatim text and the line it starts on,
 * whatever the size of the reads that split it; and it stops at the line of a broken record
 * (a quote never closed, a quote inside an unquoted field, text after a closing quote, a row with
 * another number of fields than the header), as strict as csv-parse's defaults.
 */
import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse';
import { openSourceFile, SourceFileError } from '../../src/history/read-source.js';

const dataDir = '../shared/data/311';
const dir = mkdtempSync(join(tmpdir(), 'citydesk-read-source-'));

interface Seen {
  line: number;
  raw: string;
  values: (string | null)[];
  multiline: boolean;
}

async function ours(path: string, chunkBytes?: number): Promise<{ columns: string[]; records: Seen[] }> {
  const file = openSourceFile(path, chunkBytes);
  const records: Seen[] = [];
  for await (const r of file.records()) records.push({ line: r.line, raw: r.raw, values: file.columns!.map((c) => r.get(c)), multiline: r.multiline });
  return { columns: file.columns!, records };
}

/** csv-parse, as the import used it before: raw text without its line ending, the line it starts on. */
async function reference(path: string): Promise<{ columns: string[]; records: Seen[] }> {
  const records: Seen[] = [];
  let columns: string[] = [];
  const parser = createReadStream(path).pipe(parse({ bom: true, raw: true, info: true, skip_empty_lines: true }));
  for await (const item of parser as AsyncIterable<{ record: string[]; raw: string; info: { lines: number } }>) {
    // Without its line ending: csv-parse's raw text of a CRLF record keeps its \r.
    const raw = item.raw.replace(/\r?\n$/, '').replace(/\r$/, '');
    const line = item.info.lines - (raw.match(/\n/g)?.length ?? 0);
    if (columns.length === 0) {
      columns = item.record;
      continue;
    }
    records.push({ line, raw, values: item.record, multiline: raw.includes('\n') });
  }
  return { columns, records };
}

const write = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

async function expectError(path: string, line: number, problem: RegExp): Promise<void> {
  await assert.rejects(ours(path, 7), (error: unknown) => {
    assert.ok(error instanceof SourceFileError, String(error));
    assert.equal(error.line, line, error.message);
    assert.match(error.problem, problem);
    return true;
  });
}

describe('the import reads CSV as csv-parse does (issue 13)', () => {
  for (const name of readdirSync(dataDir).filter((f) => f.endsWith('.csv'))) {
    it(`${name}: the same records, verbatim text and lines as csv-parse`, async () => {
      const path = join(dataDir, name);
      const [mine, theirs] = await Promise.all([ours(path), reference(path)]);
      assert.deepEqual(mine.columns, theirs.columns);
      assert.equal(mine.records.length, theirs.records.length);
      for (let i = 0; i < theirs.records.length; i += 1) assert.deepEqual(mine.records[i], theirs.records[i], `record ${i + 1}`);
    });
  }

  it('quoted commas, doubled quotes, line breaks in quotes, CRLF, a byte-order mark, blank lines, no final line break: at any read size', async () => {
    const text = '\uFEFFid,text,n\r\n1,"a, b",2\r\n\r\n2,"she said ""hi""",3\r\n3,"two\r\nlines",4\r\n4,,\r\n5,"",x\r\n\r\n6,"end",z';
    const path = write('tricky.csv', text);
    // csv-parse's fields are the reference; its line and raw text after a blank line or a record of
    // two lines are not the record's own (they count from where it noticed the end), so those are
    // written out here.
    const theirs = await reference(path);
    const whole = await ours(path);
    assert.deepEqual(whole.columns, ['id', 'text', 'n']);
    assert.deepEqual(whole.records.map((r) => r.values), theirs.records.map((r) => r.values));
    for (const size of [1, 2, 3, 5, 7, 64]) assert.deepEqual(await ours(path, size), whole, `read ${size} bytes at a time`);
    // LF endings read the same.
    const lf = await ours(write('tricky-lf.csv', text.replaceAll('\r\n', '\n')), 2);
    assert.deepEqual(lf.records.map((r) => r.values), whole.records.map((r) => r.values.map((v) => v!.replaceAll('\r\n', '\n'))));
    const mine = await ours(path, 3);
    assert.deepEqual(
      mine.records.map((r) => [r.line, r.values[1]]),
      [[2, 'a, b'], [4, 'she said "hi"'], [5, 'two\r\nlines'], [7, ''], [8, ''], [10, 'end']],
    );
    assert.equal(mine.records[2]!.multiline, true);
    assert.equal(mine.records[2]!.raw, '3,"two\r\nlines",4');
  });

  it('multi-byte characters split between reads stay whole', async () => {
    const path = write('accents.csv', 'id,place\n1,"Rue Sainte-Thérèse, Montréal"\n2,Ōtautahi — 東京\n');
    const mine = await ours(path, 1);
    assert.deepEqual(mine.records.map((r) => r.values[1]), ['Rue Sainte-Thérèse, Montréal', 'Ōtautahi — 東京']);
  });

  it('a broken record stops the reading at its line, saying what is wrong', async () => {
    await expectError(write('unclosed.csv', 'id,text\n1,ok\n2,"never closed\n3,more\n'), 3, /quoted field is never closed/);
    await expectError(write('mid-quote.csv', 'id,text\n1,ok\n2,abc"def\n'), 3, /quote in the middle of an unquoted field/);
    await expectError(write('after-quote.csv', 'id,text\n1,"abc"def,\n'), 2, /text after a closing quote/);
    await expectError(write('width.csv', 'id,text\n1,ok\n2,one,two\n'), 3, /expect 2, got 3: the row has a different number of fields than the header/);
  });
});
