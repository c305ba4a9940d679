import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { sql } from 'kysely';
import type { CopyConnection, Db, Tx } from '../db/connect.js';
import { loadDirectory, type Directory } from '../directory/directory-cache.js';
import { AppError } from '../platform/errors.js';
import type { FieldName, SourceFormat } from './history-formats.js';
import { TimeReader } from './history-times.js';
import { anomalyNames, lookupValues, mapHistoryRow, type Anomaly, type HistoryLookups, type MappedCase, type MappedRow, type RowContext } from './map-history-row.js';
import { openSourceFile, SourceFileError, type SourceRecord } from './read-source.js';
import { writeHistoryBatch, type ExistingRow } from './write-history.js';

/**
 * `citydesk import`: another system's service-request history, streamed from its export into
 * cases of history. Each batch is mapped and checked whole before anything of it is written, and
 * written in one transaction with the run's progress, so a run stopped anywhere (Ctrl-C, a crash)
 * is continued by the next run of the same file from the first batch it had not committed. The
 * source and its row id are unique: importing a file again changes nothing, and a newer export of
 * the same source updates the rows whose text changed.
 */

export interface ImportSummary {
  source: string;
  format: string;
  file: string;
  dryRun: boolean;
  /** The run continued one stopped earlier: this many records had been done before it. */
  resumedFrom: number;
  /** True when the run was stopped before the end (Ctrl-C): run it again to continue. */
  stopped: boolean;
  rows: number;
  imported: number;
  updated: number;
  unchanged: number;
  /** Rows not imported because their type has no meaning in this City yet (see unmapped). */
  notImported: number;
  unmapped: { type: Record<string, number>; agency: Record<string, number>; channel: Record<string, number> };
  anomalies: Partial<Record<Anomaly, number>>;
  /** Anomalies of the file as a whole. */
  fileAnomalies: { byteOrderMark: boolean };
  targets: { source_due_date: number; city_dst: number; none: number };
  times: { rule: string; zone: string; hourOfDay: number[]; warning: string | null };
  organization: { divisionsCreated: number; typesCreated: number };
  seconds: number;
}

export interface ImportProgress {
  rows: number;
  bytesRead: number;
  bytesTotal: number;
  seconds: number;
}

export interface ImportOptions {
  db: Db;
  now: () => Date;
  file: string;
  format: SourceFormat;
  organizationFromData?: boolean;
  dryRun?: boolean;
  batchSize?: number;
  /** Aborting stops after the batch being written commits: a rerun continues from there. */
  signal?: AbortSignal;
  onProgress?: (progress: ImportProgress) => void;
}

const emptySummary = (o: ImportOptions, file: string): ImportSummary => ({
  source: o.format.source,
  format: o.format.format,
  file,
  dryRun: Boolean(o.dryRun),
  resumedFrom: 0,
  stopped: false,
  rows: 0,
  imported: 0,
  updated: 0,
  unchanged: 0,
  notImported: 0,
  unmapped: { type: {}, agency: {}, channel: {} },
  anomalies: {},
  fileAnomalies: { byteOrderMark: false },
  targets: { source_due_date: 0, city_dst: 0, none: 0 },
  times: { rule: o.format.times, zone: o.format.zone, hourOfDay: Array.from({ length: 24 }, () => 0), warning: null },
  organization: { divisionsCreated: 0, typesCreated: 0 },
  seconds: 0,
});

export async function importHistory(options: ImportOptions): Promise<ImportSummary> {
  const { db, format } = options;
  const started = performance.now();
  const dryRun = Boolean(options.dryRun);
  const batchSize = options.batchSize ?? 2000;
  const file = openSourceFile(options.file);
  const columns: Partial<Record<FieldName, string>> = file.kind === 'json' ? (format.jsonColumns ?? format.columns) : format.columns;
  if (Object.keys(columns).length === 0) throw new AppError('VALIDATION_FAILED', `--file ${options.file} is ${file.kind.toUpperCase()}, which the ${format.format} format is not written in.`);
  const times = new TimeReader(format.times, format.zone);
  const now = options.now();

  const source = await prepareSource(db, format, now, dryRun);
  const directory = await historyDirectory(db);
  const lookups = await loadLookups(db, source?.id ?? null, format, dryRun, now, directory);
  const ctx: RowContext = { format, columns, times, directory, lookups: lookups.lookups };

  // A stopped run of the same file is continued, with its counts so far.
  let summary = emptySummary(options, basename(options.file));
  let runId: number | null = null;
  if (source && !dryRun) {
    const earlier = await db.kysely
      .selectFrom('import_run')
      .select(['id', 'records_done', 'summary', 'status'])
      .where('source_id', '=', source.id)
      .where('file_identity', '=', file.identity)
      .orderBy('started_at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst();
    if (earlier && (earlier.status === 'stopped' || earlier.status === 'running') && earlier.records_done > 0) {
      runId = earlier.id;
      summary = { ...(earlier.summary as unknown as ImportSummary), resumedFrom: earlier.records_done, stopped: false, dryRun: false };
      await db.kysely.updateTable('import_run').set({ status: 'running' }).where('id', '=', runId).execute();
    } else {
      runId = (
        await db.kysely
          .insertInto('import_run')
          .values({ source_id: source.id, file_name: basename(options.file), file_identity: file.identity, started_at: now, status: 'running', summary: JSON.stringify(summary) })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    }
  }
  summary.fileAnomalies.byteOrderMark = file.byteOrderMark;
  const skip = summary.resumedFrom;
  const earlierSeconds = summary.seconds;

  // With COPY (PostgreSQL), the batches are written on one connection held for the run, and the
  // next batch is read and mapped while the one before is being written (at most two in memory);
  // embedded, one batch after the other.
  const run = async (session: { kysely: Tx; copyIn?: CopyConnection['copyIn'] }): Promise<boolean> => {
    let read = 0;
    let headerChecked = false;
    // A row is mapped as soon as it is read (only its case is kept, not the parsed record), except,
    // with --organization from-data, one naming a type or agency not created yet: that waits for
    // the batch's creations.
    let items: (MappedItem | SourceRecord)[] = [];
    let writing: Promise<void> | null = null;
    const overlap = session.copyIn !== undefined;

    const write = async (rows: MappedCase[], tally: BatchTally, done: number): Promise<void> => {
      await session.kysely.transaction().execute(async (trx) => {
        // The batch and the run's progress commit together, so a batch lost in a crash before it
        // reached the disk is simply read again by the rerun: no need to wait for each flush.
        if (session.copyIn) await sql`set local synchronous_commit = off`.execute(trx);
        const existing = await findExisting(trx, source!.id, rows.map((r) => r.sourceRowId));
        const result = await writeHistoryBatch(trx, { sourceId: source!.id, sourceCode: format.source, rows, existing, hash: rowHash, now, copyIn: session.copyIn });
        // The run's counts move on with the batch's commit, so a resumed run counts each row once.
        addTally(summary, tally);
        summary.imported += result.inserted;
        summary.updated += result.updated;
        summary.unchanged += result.unchanged;
        summary.seconds = earlierSeconds + (performance.now() - started) / 1000;
        await trx
          .updateTable('import_run')
          .set({ records_done: done, summary: JSON.stringify(summary) })
          .where('id', '=', runId!)
          .execute();
      });
    };
    const settle = async () => {
      const pending = writing;
      writing = null;
      if (pending) {
        await pending;
        progress(read);
      }
    };

    const flush = async () => {
      if (items.length === 0) return;
      const batch = items;
      items = [];
      const waiting = batch.filter((i): i is SourceRecord => !('mapped' in i));
      if (waiting.length > 0) {
        const created = await lookups.createFromData(waiting.map((r) => lookupValues(r, ctx)), now);
        summary.organization.divisionsCreated += created.divisions;
        summary.organization.typesCreated += created.types;
      }
      // The whole batch is mapped and checked before any of it is written: a broken row stops the
      // import with nothing of its batch written.
      const { rows, tally } = tallyBatch(
        batch.map((i) => ('mapped' in i ? i : mapItem(i, ctx))),
        lookups.lookups,
      );
      if (dryRun || !source) {
        addTally(summary, tally);
        const existing = source ? await findExisting(db.kysely, source.id, rows.map((r) => r.sourceRowId)) : new Map<string, ExistingRow>();
        for (const row of rows) {
          const was = existing.get(row.sourceRowId);
          if (!was) summary.imported += 1;
          else if (was.row_hash === rowHash(row.raw)) summary.unchanged += 1;
          else summary.updated += 1;
        }
        progress(read);
        return;
      }
      await settle();
      writing = write(rows, tally, skip + read);
      // Its failure is thrown where it is awaited (settle), not as an unhandled rejection meanwhile.
      writing.catch(() => undefined);
      if (!overlap) await settle();
    };

    try {
      let index = 0;
      for await (const r of file.records()) {
        if (!headerChecked) {
          headerChecked = true;
          checkColumns(file.columns, columns);
        }
        index += 1;
        if (index <= skip) continue;
        read += 1;
        items.push(options.organizationFromData && !lookups.known(lookupValues(r, ctx)) ? r : mapItem(r, ctx));
        if (items.length >= batchSize) {
          await flush();
          if (options.signal?.aborted) {
            // The batch being written commits; nothing read after it is written.
            await settle();
            return true;
          }
        }
      }
      if (!headerChecked) checkColumns(file.columns, columns);
      await flush();
      await settle();
      return false;
    } catch (error) {
      // A broken row: what was committed before it stays, and its own batch is not written.
      await settle().catch(() => undefined);
      throw error;
    }
  };

  const progress = (read: number) => options.onProgress?.({ rows: skip + read, bytesRead: file.bytesRead(), bytesTotal: file.size, seconds: (performance.now() - started) / 1000 });
  let stopped = false;
  try {
    stopped = db.withCopyConnection && source && !dryRun ? await db.withCopyConnection((c) => run(c)) : await run({ kysely: db.kysely });
  } catch (error) {
    if (runId !== null) {
      await db.kysely
        .updateTable('import_run')
        .set({ status: error instanceof SourceFileError ? 'failed' : 'stopped', finished_at: options.now() })
        .where('id', '=', runId)
        .execute()
        .catch(() => undefined);
    }
    throw error;
  }
  summary.stopped = stopped;
  summary.seconds = earlierSeconds + (performance.now() - started) / 1000;
  summary.times.warning = hourWarning(summary.times.hourOfDay, format.times);
  if (runId !== null) {
    await db.kysely
      .updateTable('import_run')
      .set({ status: stopped ? 'stopped' : 'finished', finished_at: stopped ? null : options.now(), summary: JSON.stringify(summary) })
      .where('id', '=', runId)
      .execute();
  }
  return summary;
}

/** What one batch adds to the run's counts (added when the batch is written, or at once in a dry run). */
interface BatchTally {
  rows: number;
  notImported: number;
  unmapped: ImportSummary['unmapped'];
  anomalies: Partial<Record<Anomaly, number>>;
  targets: ImportSummary['targets'];
  hourOfDay: number[];
}

const count = (table: Record<string, number>, value: string, n = 1) => (table[value] = (table[value] ?? 0) + n);

/** A row mapped, with the agency and channel it names (for the counts of unmapped values). */
interface MappedItem {
  mapped: MappedRow;
  agency: string | undefined;
  channel: string | undefined;
}

function mapItem(r: SourceRecord, ctx: RowContext): MappedItem {
  const { columns } = ctx;
  return {
    mapped: mapHistoryRow(r, ctx),
    agency: columns.agency ? r.get(columns.agency)?.trim() : undefined,
    channel: columns.channel ? r.get(columns.channel)?.trim() : undefined,
  };
}

/** A batch's mapped rows and what they add to the counts; of two rows with one id, the later is kept. */
function tallyBatch(items: MappedItem[], lookups: HistoryLookups): { rows: MappedCase[]; tally: BatchTally } {
  const tally: BatchTally = {
    rows: items.length,
    notImported: 0,
    unmapped: { type: {}, agency: {}, channel: {} },
    anomalies: {},
    targets: { source_due_date: 0, city_dst: 0, none: 0 },
    hourOfDay: Array.from({ length: 24 }, () => 0),
  };
  const cases = new Map<string, MappedCase>();
  const anomaliesSeen: Anomaly[][] = [];
  for (const { mapped, agency, channel } of items) {
    if (mapped.kind === 'unmapped') {
      tally.notImported += 1;
      if (mapped.type !== null) count(tally.unmapped.type, mapped.type);
      else count(tally.unmapped.type, '(no type)');
      if (mapped.agency !== null && lookups.agency(mapped.agency) === undefined) count(tally.unmapped.agency, mapped.agency);
      if (mapped.channel !== null) count(tally.unmapped.channel, mapped.channel);
      anomaliesSeen.push(mapped.anomalies);
      if (mapped.receivedHour !== null) tally.hourOfDay[mapped.receivedHour]! += 1;
      continue;
    }
    const row = mapped.row;
    if (cases.has(row.sourceRowId)) {
      row.anomalies.push('repeated_row_id');
      cases.delete(row.sourceRowId);
    }
    cases.set(row.sourceRowId, row);
    anomaliesSeen.push(row.anomalies);
    if (row.receivedHour !== null) tally.hourOfDay[row.receivedHour]! += 1;
    tally.targets[row.resolveByBasis] += 1;
    if (agency && lookups.agency(agency) === undefined) count(tally.unmapped.agency, agency);
    if (channel && row.channel === null) count(tally.unmapped.channel, channel);
  }
  for (const list of anomaliesSeen) for (const a of list) count(tally.anomalies, a);
  return { rows: [...cases.values()], tally };
}

function addTally(summary: ImportSummary, tally: BatchTally): void {
  summary.rows += tally.rows;
  summary.notImported += tally.notImported;
  for (const kind of ['type', 'agency', 'channel'] as const) for (const [value, n] of Object.entries(tally.unmapped[kind])) count(summary.unmapped[kind], value, n);
  for (const [name, n] of Object.entries(tally.anomalies)) count(summary.anomalies, name, n);
  for (const basis of ['source_due_date', 'city_dst', 'none'] as const) summary.targets[basis] += tally.targets[basis];
  tally.hourOfDay.forEach((n, h) => (summary.times.hourOfDay[h]! += n));
}

/**
 * The directory an import reads the City's calendar and DSTs from. Building a calendar over a
 * decade of history is the costly part, so it is kept per database while the calendar and the
 * DST versions are unchanged (divisions and types made from the data do not change them).
 */
const directories = new WeakMap<Db, { key: string; directory: Directory }>();
async function historyDirectory(db: Db): Promise<Directory> {
  const { rows } = await sql<{ key: string }>`
    select (select calendar_revision from municipality where id = 1)::text || ':' || (select count(*) from dst_version)::text || ':' ||
           (select count(*) from closure_change)::text || ':' || (select coalesce(max(id), 0) from request_type where active)::text as key`.execute(db.kysely);
  const key = rows[0]!.key;
  const kept = directories.get(db);
  if (kept && kept.key === key) return kept.directory;
  const directory = await loadDirectory(db.kysely);
  directories.set(db, { key, directory });
  return directory;
}

export function rowHash(raw: string): string {
  return createHash('sha1').update(raw).digest('base64');
}

/** In a CSV file, every column the format reads must be in the header: else it is another format. */
function checkColumns(header: string[] | null, columns: Partial<Record<FieldName, string>>): void {
  if (header === null) return;
  const have = new Set(header);
  for (const [name, column] of Object.entries(columns)) {
    if (!have.has(column)) {
      throw new SourceFileError(1, column, `the header has no column "${column}" (the ${name}): is this the right --format, or does the mapping file name the columns as this file does?`);
    }
  }
}

/**
 * Most contacts come in the daytime: when the busiest eight hours of a file fall at night, its
 * times were probably read by the wrong rule.
 */
export function hourWarning(hours: number[], rule: string): string | null {
  const total = hours.reduce((a, b) => a + b, 0);
  if (total < 50) return null;
  let best = 0;
  let bestStart = 0;
  for (let start = 0; start < 24; start += 1) {
    let sum = 0;
    for (let h = 0; h < 8; h += 1) sum += hours[(start + h) % 24]!;
    if (sum > best) {
      best = sum;
      bestStart = start;
    }
  }
  const centre = (bestStart + 4) % 24;
  if (centre >= 9 && centre <= 17) return null;
  return `The busiest eight hours start at ${String(bestStart).padStart(2, '0')}:00 local time, which is unusual for a 311 service; check that --times ${rule} is how this source writes its times.`;
}

async function findExisting(tx: Tx, sourceId: number, ids: string[]): Promise<Map<string, ExistingRow>> {
  if (ids.length === 0) return new Map();
  // A join to the ids, not "source_row_id = any(ids)": without fresh statistics (a table filled by
  // this very import, before any analyze) the planner reads "= any" of thousands of ids as matching
  // every row and scans all of the source's rows for each batch, which made a large import
  // quadratic; the join probes the unique index once per id whatever the statistics say.
  const { rows } = await sql<ExistingRow>`
    select r.source_row_id, r.row_hash, r.case_id
    from unnest(${ids}::text[]) as wanted(id)
    join imported_row r on r.source_id = ${sourceId} and r.source_row_id = wanted.id`.execute(tx);
  return new Map(rows.map((r) => [r.source_row_id, r]));
}

/** The source's row, made on its first import; its time rule stays the one it was first imported with. */
async function prepareSource(db: Db, format: SourceFormat, now: Date, dryRun: boolean): Promise<{ id: number } | null> {
  const existing = await db.kysely.selectFrom('import_source').selectAll().where('code', '=', format.source).executeTakeFirst();
  if (existing) {
    if (existing.time_rule !== format.times || existing.time_zone !== format.zone) {
      throw new AppError(
        'CONFLICT',
        `The source "${format.source}" was imported with times ${existing.time_rule} in ${existing.time_zone}; this run says ${format.times} in ${format.zone}. One source keeps one time rule: use the same --times, or import under another --source.`,
      );
    }
    return { id: existing.id };
  }
  if (dryRun) return null;
  const inserted = await db.kysely
    .insertInto('import_source')
    .values({ code: format.source, format: format.format, time_rule: format.times, time_zone: format.zone, created_at: now })
    .onConflict((oc) => oc.column('code').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return inserted;
  return db.kysely.selectFrom('import_source').select('id').where('code', '=', format.source).executeTakeFirstOrThrow();
}

const slug = (text: string): string =>
  text
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '-')
    .slice(0, 40)
    .replace(/-+$/, '');

/**
 * The lookup tables: the administrator's (import_mapping) with the mapping file's entries saved
 * into them and the format's plain defaults added where the administrator said nothing. With
 * `--organization from-data`, a division per agency and an (inactive) request type per source
 * type are created as the file names them, and entered in the tables.
 */
async function loadLookups(db: Db, sourceId: number | null, format: SourceFormat, dryRun: boolean, now: Date, directory: Directory) {
  const kinds = ['type', 'agency', 'channel'] as const;
  const [types, divisions, channels] = await Promise.all([
    db.kysely.selectFrom('request_type').select(['id', 'code', 'division_id', 'active']).execute(),
    db.kysely.selectFrom('division').select(['id', 'code']).execute(),
    db.kysely.selectFrom('channel').select(['code']).execute(),
  ]);
  const typeByCode = new Map(types.map((t) => [t.code, t]));
  const divisionByCode = new Map(divisions.map((d) => [d.code, d.id]));
  const channelCodes = new Set(channels.map((c) => c.code));
  const exists = { type: (c: string) => typeByCode.has(c), agency: (c: string) => divisionByCode.has(c), channel: (c: string) => channelCodes.has(c) };
  const what = { type: 'request type', agency: 'division', channel: 'channel' };
  const fileTables = { type: format.mappings.type, agency: format.mappings.agency, channel: format.mappings.channel };
  for (const kind of kinds) {
    for (const [value, code] of Object.entries(fileTables[kind])) {
      if (!exists[kind](code)) throw new AppError('VALIDATION_FAILED', `The mapping maps ${kind} "${value}" to "${code}", which is not a ${what[kind]} of this City.`);
    }
  }
  const table = { type: new Map<string, string>(), agency: new Map<string, string>(), channel: new Map<string, string>() };
  if (sourceId !== null) {
    const saved = await db.kysely.selectFrom('import_mapping').select(['kind', 'source_value', 'target_code']).where('source_id', '=', sourceId).execute();
    for (const m of saved) table[m.kind].set(m.source_value, m.target_code);
  }
  const upserts: { kind: (typeof kinds)[number]; value: string; code: string }[] = [];
  for (const kind of kinds) {
    for (const [value, code] of Object.entries(fileTables[kind])) {
      if (table[kind].get(value) !== code) upserts.push({ kind, value, code });
      table[kind].set(value, code);
    }
  }
  if (sourceId !== null && !dryRun && upserts.length > 0) {
    await db.kysely
      .insertInto('import_mapping')
      .values(upserts.map((u) => ({ source_id: sourceId, kind: u.kind, source_value: u.value, target_code: u.code, updated_at: now })))
      .onConflict((oc) => oc.columns(['source_id', 'kind', 'source_value']).doUpdateSet((eb) => ({ target_code: eb.ref('excluded.target_code'), updated_at: eb.ref('excluded.updated_at') })))
      .execute();
  }

  const withCityTargets = new Map<string, boolean>();
  const cityTargets = (code: string, directoryNow: Directory): boolean => {
    let v = withCityTargets.get(code);
    if (v === undefined) {
      try {
        directoryNow.serviceTargets(code, Date.UTC(2000, 0, 1));
        v = true;
      } catch {
        v = false;
      }
      withCityTargets.set(code, v);
    }
    return v;
  };
  const lookups: HistoryLookups = {
    type(value) {
      const code = table.type.get(value);
      if (code === undefined) return undefined;
      const t = typeByCode.get(code);
      if (!t) return undefined;
      return { id: t.id, code: t.code, divisionId: t.division_id, cityTargets: cityTargets(t.code, directory) };
    },
    agency(value) {
      const code = table.agency.get(value);
      return code === undefined ? undefined : divisionByCode.get(code);
    },
    channel(value) {
      const code = table.channel.get(value);
      return code !== undefined && channelCodes.has(code) ? code : undefined;
    },
  };

  /** --organization from-data: divisions and types for the values this batch names that have none. */
  let departmentId: number | null = null;
  let fakeIds = -1;
  const createFromData = async (values: { type: string | null; agency: string | null }[], at: Date): Promise<{ divisions: number; types: number }> => {
    const agencies = new Set<string>();
    const newTypes = new Map<string, string | null>();
    for (const v of values) {
      const agency = v.agency ?? '(no agency)';
      if (!table.agency.has(agency)) agencies.add(agency);
      const type = v.type ?? '(no type)';
      if (!table.type.has(type) && !newTypes.has(type)) newTypes.set(type, agency);
    }
    // Types need a division: a type's first agency, or the "no agency" division.
    for (const agency of newTypes.values()) if (agency !== null && !table.agency.has(agency)) agencies.add(agency);
    if (agencies.size === 0 && newTypes.size === 0) return { divisions: 0, types: 0 };
    const taken = new Set<string>([...divisionByCode.keys(), ...typeByCode.keys()]);
    const codeFor = (value: string): string => {
      const base = `${format.source}-${slug(value) || 'x'}`.slice(0, 60);
      const code = taken.has(base) ? `${base}-${createHash('sha1').update(value).digest('hex').slice(0, 6)}` : base;
      taken.add(code);
      return code;
    };
    if (dryRun || sourceId === null) {
      for (const agency of agencies) {
        const code = codeFor(agency);
        divisionByCode.set(code, fakeIds--);
        table.agency.set(agency, code);
      }
      for (const [type, agency] of newTypes) {
        const code = codeFor(type);
        typeByCode.set(code, { id: fakeIds--, code, division_id: divisionByCode.get(table.agency.get(agency ?? '(no agency)')!)!, active: false });
        table.type.set(type, code);
      }
      return { divisions: agencies.size, types: newTypes.size };
    }
    await db.kysely.transaction().execute(async (trx) => {
      if (departmentId === null) {
        const code = `${format.source}-imported`.slice(0, 60);
        await trx
          .insertInto('department')
          .values({ code, name: `${format.sourceName} (imported)`, head_title: 'Department Head' })
          .onConflict((oc) => oc.column('code').doNothing())
          .execute();
        departmentId = (await trx.selectFrom('department').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id;
      }
      const mappings: { kind: 'type' | 'agency'; value: string; code: string }[] = [];
      for (const agency of agencies) {
        const code = codeFor(agency);
        const id = (
          await trx
            .insertInto('division')
            .values({ code, department_id: departmentId, name: agency.slice(0, 200), head_title: 'Division Head' })
            .returning('id')
            .executeTakeFirstOrThrow()
        ).id;
        divisionByCode.set(code, id);
        mappings.push({ kind: 'agency', value: agency, code });
      }
      for (const m of mappings) table.agency.set(m.value, m.code);
      for (const [type, agency] of newTypes) {
        const code = codeFor(type);
        const divisionId = divisionByCode.get(table.agency.get(agency ?? '(no agency)')!)!;
        const id = (
          await trx
            .insertInto('request_type')
            .values({
              code,
              name: type.slice(0, 200),
              description: `"${type.slice(0, 200)}" as ${format.sourceName} recorded it (imported history; not offered to the public).`,
              division_id: divisionId,
              attributes: '[]',
              active: false,
            })
            .returning('id')
            .executeTakeFirstOrThrow()
        ).id;
        typeByCode.set(code, { id, code, division_id: divisionId, active: false });
        mappings.push({ kind: 'type', value: type, code });
        table.type.set(type, code);
      }
      await trx
        .insertInto('import_mapping')
        .values(mappings.map((m) => ({ source_id: sourceId, kind: m.kind, source_value: m.value, target_code: m.code, updated_at: at })))
        .onConflict((oc) => oc.columns(['source_id', 'kind', 'source_value']).doNothing())
        .execute();
      // Every server copy reloads the directory it keeps in memory.
      await trx
        .updateTable('municipality')
        .set({ directory_revision: sql`directory_revision + 1` })
        .execute();
    });
    return { divisions: agencies.size, types: newTypes.size };
  };
  /** The type and agency a row names are both in the tables (nothing to create for it). */
  const known = (v: { type: string | null; agency: string | null }): boolean => table.type.has(v.type ?? '(no type)') && table.agency.has(v.agency ?? '(no agency)');
  return { lookups, createFromData, known };
}

export { anomalyNames };
