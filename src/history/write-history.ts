import { sql } from 'kysely';
import type { CopyConnection, Tx } from '../db/connect.js';
import type { MappedCase } from './map-history-row.js';

/**
 * Writes one checked batch of history: new rows as cases with their verbatim source rows, rows
 * whose text changed since they were imported as updates, the rest left alone. Imported cases get
 * no next check time and no next due time (the sweep and the queues never see them), no event
 * that mails anyone and no message.
 *
 * New rows go in by `COPY` where the engine offers it (PostgreSQL: the cases with ids taken from
 * their sequence, then the kept rows naming them), else by one multi-row insert (embedded).
 */

export interface ExistingRow {
  source_row_id: string;
  row_hash: string;
  case_id: number;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** A value in COPY's text format: `\N` for null, backslash, tab and line breaks escaped. */
function copyValue(v: string | number | boolean | null): string {
  if (v === null) return '\\N';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 't' : 'f';
  return /[\\\t\n\r]/.test(v) ? v.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : v;
}

/** COPY data, a few hundred lines to a chunk. */
function* copyLines<T>(items: T[], line: (item: T, index: number) => (string | number | boolean | null)[]): Generator<string> {
  for (let from = 0; from < items.length; from += 500) {
    let chunk = '';
    for (let i = from; i < Math.min(items.length, from + 500); i += 1) chunk += `${line(items[i]!, i).map(copyValue).join('\t')}\n`;
    yield chunk;
  }
}

const anomalyArray = (r: MappedCase): string => `{${r.anomalies.join(',')}}`;

async function copyFresh(trx: Tx, copyIn: CopyConnection['copyIn'], fresh: MappedCase[], hashes: Map<MappedCase, string>, batch: { sourceId: number; now: Date }, via: string): Promise<void> {
  const { rows: ids } = await sql<{ id: number }>`
    select nextval(pg_get_serial_sequence('service_case', 'id')) as id from generate_series(1, ${fresh.length}::int)`.execute(trx);
  const now = batch.now.toISOString();
  await copyIn(
    `copy service_case (id, reference, kind, status, channel, request_type_id, division_id, description, summary, address,
       latitude, longitude, received_at, recorded_at, created_via, dst_version_id, acknowledge_by, resolve_by, resolve_by_basis,
       resolved_at, resolution, completion_business_days, acknowledgment_recorded, import_source_id) from stdin`,
    copyLines(fresh, (r, i) => [
      ids[i]!.id, r.reference, 'service_request', r.status, r.channel, r.requestTypeId, r.divisionId, r.description, r.summary, r.address,
      r.latitude, r.longitude, iso(r.receivedAt), now, via, r.dstVersionId, iso(r.acknowledgeBy), iso(r.resolveBy), r.resolveByBasis,
      // The source recorded no acknowledgment: "not recorded", never missed (INTERPRETATION §7).
      iso(r.resolvedAt), r.resolution, r.completionBusinessDays, false, batch.sourceId,
    ]),
  );
  await copyIn(
    'copy imported_row (case_id, source_id, source_row_id, row_hash, raw, anomalies, imported_at, updated_at) from stdin',
    copyLines(fresh, (r, i) => [ids[i]!.id, batch.sourceId, r.sourceRowId, hashes.get(r)!, r.raw, anomalyArray(r), now, now]),
  );
}

export async function writeHistoryBatch(
  trx: Tx,
  batch: { sourceId: number; sourceCode: string; rows: MappedCase[]; existing: Map<string, ExistingRow>; hash: (raw: string) => string; now: Date; copyIn?: CopyConnection['copyIn'] | undefined },
): Promise<{ inserted: number; updated: number; unchanged: number }> {
  const fresh: MappedCase[] = [];
  const changed: { row: MappedCase; caseId: number }[] = [];
  let unchanged = 0;
  const hashes = new Map<MappedCase, string>();
  for (const row of batch.rows) {
    const hash = batch.hash(row.raw);
    hashes.set(row, hash);
    const was = batch.existing.get(row.sourceRowId);
    if (!was) fresh.push(row);
    else if (was.row_hash !== hash) changed.push({ row, caseId: was.case_id });
    else unchanged += 1;
  }
  const via = `import:${batch.sourceCode}`;
  if (fresh.length > 0 && batch.copyIn) {
    await copyFresh(trx, batch.copyIn, fresh, hashes, batch, via);
  } else if (fresh.length > 0) {
    const col = <T>(f: (r: MappedCase) => T): T[] => fresh.map(f);
    await sql`
      with u as (
        select * from unnest(
          ${col((r) => r.reference)}::text[], ${col((r) => r.status)}::text[], ${col((r) => r.channel)}::text[],
          ${col((r) => r.requestTypeId)}::int[], ${col((r) => r.divisionId)}::int[], ${col((r) => r.description)}::text[],
          ${col((r) => r.summary)}::text[], ${col((r) => r.address)}::text[], ${col((r) => r.latitude)}::float8[],
          ${col((r) => r.longitude)}::float8[], ${col((r) => iso(r.receivedAt))}::timestamptz[], ${col((r) => r.dstVersionId)}::int[],
          ${col((r) => iso(r.acknowledgeBy))}::timestamptz[], ${col((r) => iso(r.resolveBy))}::timestamptz[], ${col((r) => r.resolveByBasis)}::text[],
          ${col((r) => iso(r.resolvedAt))}::timestamptz[], ${col((r) => r.resolution)}::text[], ${col((r) => r.completionBusinessDays)}::int[],
          ${col((r) => r.sourceRowId)}::text[], ${col((r) => hashes.get(r)!)}::text[], ${col((r) => r.raw)}::text[], ${col((r) => r.anomalies.join(','))}::text[]
        ) as u(reference, status, channel, request_type_id, division_id, description, summary, address, latitude, longitude,
               received_at, dst_version_id, acknowledge_by, resolve_by, resolve_by_basis, resolved_at, resolution,
               completion_business_days, source_row_id, row_hash, raw, anomalies)
      ), c as (
        insert into service_case (reference, kind, status, channel, request_type_id, division_id, description, summary, address,
          latitude, longitude, received_at, recorded_at, created_via, dst_version_id, acknowledge_by, resolve_by, resolve_by_basis,
          resolved_at, resolution, completion_business_days, acknowledgment_recorded, import_source_id)
        select reference, 'service_request', status, channel, request_type_id, division_id, description, summary, address,
          latitude, longitude, received_at, ${batch.now}, ${via}, dst_version_id, acknowledge_by, resolve_by, resolve_by_basis,
          -- The source recorded no acknowledgment: "not recorded", never missed (INTERPRETATION §7).
          resolved_at, resolution, completion_business_days, false, ${batch.sourceId}
        from u
        returning id, reference
      )
      insert into imported_row (case_id, source_id, source_row_id, row_hash, raw, anomalies, imported_at, updated_at)
      select c.id, ${batch.sourceId}, u.source_row_id, u.row_hash, u.raw,
             case when u.anomalies = '' then '{}'::text[] else string_to_array(u.anomalies, ',') end, ${batch.now}, ${batch.now}
      from c join u on u.reference = c.reference`.execute(trx);
  }
  if (changed.length > 0) {
    const col = <T>(f: (r: MappedCase) => T): T[] => changed.map((c) => f(c.row));
    const ids = changed.map((c) => c.caseId);
    await sql`
      update service_case c set
        status = u.status, channel = u.channel, request_type_id = u.request_type_id, division_id = u.division_id,
        description = u.description, summary = u.summary, address = u.address, latitude = u.latitude, longitude = u.longitude,
        received_at = u.received_at, dst_version_id = u.dst_version_id, acknowledge_by = u.acknowledge_by, resolve_by = u.resolve_by,
        resolve_by_basis = u.resolve_by_basis, resolved_at = u.resolved_at, resolution = u.resolution,
        completion_business_days = u.completion_business_days, version = c.version + 1
      from unnest(
        ${ids}::bigint[], ${col((r) => r.status)}::text[], ${col((r) => r.channel)}::text[], ${col((r) => r.requestTypeId)}::int[],
        ${col((r) => r.divisionId)}::int[], ${col((r) => r.description)}::text[], ${col((r) => r.summary)}::text[],
        ${col((r) => r.address)}::text[], ${col((r) => r.latitude)}::float8[], ${col((r) => r.longitude)}::float8[],
        ${col((r) => iso(r.receivedAt))}::timestamptz[], ${col((r) => r.dstVersionId)}::int[], ${col((r) => iso(r.acknowledgeBy))}::timestamptz[],
        ${col((r) => iso(r.resolveBy))}::timestamptz[], ${col((r) => r.resolveByBasis)}::text[], ${col((r) => iso(r.resolvedAt))}::timestamptz[],
        ${col((r) => r.resolution)}::text[], ${col((r) => r.completionBusinessDays)}::int[]
      ) as u(id, status, channel, request_type_id, division_id, description, summary, address, latitude, longitude, received_at,
             dst_version_id, acknowledge_by, resolve_by, resolve_by_basis, resolved_at, resolution, completion_business_days)
      where c.id = u.id`.execute(trx);
    await sql`
      update imported_row r set row_hash = u.row_hash, raw = u.raw,
        anomalies = case when u.anomalies = '' then '{}'::text[] else string_to_array(u.anomalies, ',') end, updated_at = ${batch.now}
      from unnest(${ids}::bigint[], ${col((r) => hashes.get(r)!)}::text[], ${col((r) => r.raw)}::text[], ${col((r) => r.anomalies.join(','))}::text[])
        as u(case_id, row_hash, raw, anomalies)
      where r.case_id = u.case_id`.execute(trx);
  }
  return { inserted: fresh.length, updated: changed.length, unchanged };
}
