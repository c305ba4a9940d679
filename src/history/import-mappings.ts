import type { Db, Tx } from '../db/connect.js';
import { assertAdministrator, recordDirectoryEvent } from '../directory/directory-audit.js';
import type { StaffMember } from '../directory/staff.js';
import { AppError } from '../platform/errors.js';
import type { ImportSummary } from './import-history.js';

/**
 * The lookup tables of imported history (issue 13, import_mapping): what a source's type, agency
 * and channel values mean in this City. An administrator reads and changes them; `citydesk import`
 * uses them from its next run on (cases imported already keep what they were given; a rerun of an
 * unchanged file leaves them as they are). Values the latest run of a source could not map are
 * listed with their counts, to be mapped here.
 */

export const mappingKinds = ['type', 'agency', 'channel'] as const;
export type MappingKind = (typeof mappingKinds)[number];

export interface SourceMappings {
  code: string;
  format: string;
  lastRun: { fileName: string; startedAt: Date; status: string } | null;
  mappings: Record<MappingKind, { value: string; target: string; targetName: string | null; updatedAt: Date }[]>;
  /** Values the latest run counted as unmapped and still not in the table, most frequent first. */
  unmapped: Record<MappingKind, { value: string; count: number }[]>;
}

export interface MappingTargets {
  type: { code: string; name: string }[];
  agency: { code: string; name: string }[];
  channel: { code: string; name: string }[];
}

/** Every request type, division and channel of this City: what a value can be mapped to. */
export async function mappingTargets(tx: Tx): Promise<MappingTargets> {
  const [type, agency, channel] = await Promise.all([
    tx.selectFrom('request_type').select(['code', 'name']).orderBy('name').orderBy('code').execute(),
    tx.selectFrom('division').select(['code', 'name']).orderBy('name').orderBy('code').execute(),
    tx.selectFrom('channel').select(['code', 'name']).orderBy('name').execute(),
  ]);
  return { type, agency, channel };
}

export async function listImportMappings(tx: Tx): Promise<SourceMappings[]> {
  const [sources, rows, runs, targets] = await Promise.all([
    tx.selectFrom('import_source').select(['id', 'code', 'format']).orderBy('code').execute(),
    tx.selectFrom('import_mapping').select(['source_id', 'kind', 'source_value', 'target_code', 'updated_at']).orderBy('kind').orderBy('source_value').execute(),
    tx.selectFrom('import_run').select(['source_id', 'file_name', 'started_at', 'status', 'summary']).orderBy('started_at', 'desc').orderBy('id', 'desc').execute(),
    mappingTargets(tx),
  ]);
  const names: Record<MappingKind, Map<string, string>> = {
    type: new Map(targets.type.map((t) => [t.code, t.name])),
    agency: new Map(targets.agency.map((t) => [t.code, t.name])),
    channel: new Map(targets.channel.map((t) => [t.code, t.name])),
  };
  return sources.map((s) => {
    const mappings: SourceMappings['mappings'] = { type: [], agency: [], channel: [] };
    for (const r of rows) {
      if (r.source_id !== s.id) continue;
      mappings[r.kind].push({ value: r.source_value, target: r.target_code, targetName: names[r.kind].get(r.target_code) ?? null, updatedAt: new Date(r.updated_at) });
    }
    const run = runs.find((r) => r.source_id === s.id);
    const unmapped: SourceMappings['unmapped'] = { type: [], agency: [], channel: [] };
    const said = (run?.summary as Partial<ImportSummary> | undefined)?.unmapped;
    for (const kind of mappingKinds) {
      const mapped = new Set(mappings[kind].map((m) => m.value));
      unmapped[kind] = Object.entries(said?.[kind] ?? {})
        .filter(([value]) => !mapped.has(value))
        .map(([value, count]) => ({ value, count }))
        .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
    }
    return { code: s.code, format: s.format, lastRun: run ? { fileName: run.file_name, startedAt: new Date(run.started_at), status: run.status } : null, mappings, unmapped };
  });
}

const kindWords: Record<MappingKind, { value: string; target: string }> = {
  type: { value: 'type', target: 'request type' },
  agency: { value: 'agency', target: 'division' },
  channel: { value: 'channel', target: 'channel' },
};

export function isMappingKind(text: string): text is MappingKind {
  return (mappingKinds as readonly string[]).includes(text);
}

/** An administrator maps a source's value to a request type, division or channel of this City (or maps it anew). */
export async function changeImportMapping(options: { db: Db; actor: StaffMember; source: string; kind: string; value: string; target: string; now: Date }): Promise<{ from: string | null }> {
  const { db, actor, now } = options;
  assertAdministrator(actor);
  const kind = options.kind;
  if (!isMappingKind(kind)) throw new AppError('VALIDATION_FAILED', 'Choose what kind of value to map: a type, an agency or a channel.', [{ field: 'kind', message: 'Choose a type, an agency or a channel.' }]);
  const words = kindWords[kind];
  const value = options.value;
  if (value.trim() === '' || value.length > 500) {
    throw new AppError('VALIDATION_FAILED', `Enter the source's ${words.value} as its file writes it (at most 500 characters).`, [{ field: 'value', message: `Enter the source's ${words.value}.` }]);
  }
  if (options.target === '') throw new AppError('VALIDATION_FAILED', `Choose the ${words.target} it means in this City.`, [{ field: 'target', message: `Choose a ${words.target}.` }]);
  return db.kysely.transaction().execute(async (trx) => {
    const source = await trx.selectFrom('import_source').select(['id', 'code']).where('code', '=', options.source).executeTakeFirst();
    if (!source) throw new AppError('NOT_FOUND', `No history has been imported from a source "${options.source.slice(0, 60)}".`);
    const table = kind === 'type' ? 'request_type' : kind === 'agency' ? 'division' : 'channel';
    const target = await trx.selectFrom(table).select('code').where('code', '=', options.target).executeTakeFirst();
    if (!target) throw new AppError('VALIDATION_FAILED', `"${options.target.slice(0, 60)}" is not a ${words.target} of this City.`, [{ field: 'target', message: `Choose a ${words.target} from the list.` }]);
    const was = await trx.selectFrom('import_mapping').select('target_code').where('source_id', '=', source.id).where('kind', '=', kind).where('source_value', '=', value).executeTakeFirst();
    await trx
      .insertInto('import_mapping')
      .values({ source_id: source.id, kind, source_value: value, target_code: target.code, updated_at: now })
      .onConflict((oc) => oc.columns(['source_id', 'kind', 'source_value']).doUpdateSet({ target_code: target.code, updated_at: now }))
      .execute();
    await recordDirectoryEvent(trx, { actor, type: 'import_mapping_changed', data: { source: source.code, kind, value, from: was?.target_code ?? null, to: target.code }, now });
    return { from: was?.target_code ?? null };
  });
}
