import { sql } from 'kysely';
import { DateTime } from 'luxon';
import type { Db, Tx } from '../db/connect.js';
import type { Row } from '../db/schema.js';
import { AppError, type ErrorDetail } from '../platform/errors.js';
import { formatTarget, parseTarget, type ServiceTargets, type Target } from '../standard/targets.js';
import { assertAdministrator, recordDirectoryEvent } from './directory-audit.js';
import { loadMunicipality, toServiceTargets } from './municipality.js';
import type { StaffMember } from './staff.js';

/** What an administrator writes for one request type's new targets, in words ("2 business days"). */
export interface TargetsInput {
  acknowledge: string;
  resolve: string;
  /** For the type's targets-by-attribute rule: per attribute value, blank for the defaults. */
  byValue?: Record<string, { acknowledge?: string | undefined; resolve?: string | undefined }> | undefined;
}

const isDate = (value: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(value) && DateTime.fromISO(value).isValid;

/**
 * CSS §4, §8.2, INTERPRETATION §8: a change to a request type's Division Service Targets is a new
 * DST version of its division, taking effect on a date that is today or later (never in the past:
 * requests already received keep the version in force at their receipt). The new version copies
 * the division's other targets from its latest version. Versions are history, so a new one must
 * take effect after the latest. Every server copy reloads its directory (directory_revision).
 */
export async function changeServiceTargets(options: {
  db: Db;
  actor: StaffMember;
  requestType: string;
  targets: TargetsInput;
  effectiveFrom: string;
  note?: string | undefined;
  now: Date;
}): Promise<{ divisionName: string; version: number; effectiveFrom: string }> {
  const { db, actor, now } = options;
  assertAdministrator(actor);
  return db.kysely.transaction().execute(async (trx) => {
    if (db.engine === 'postgres') await sql`select pg_advisory_xact_lock(72657002)`.execute(trx);
    const [changed] = await changeDivisionTargets(trx, { actor, changes: [{ requestType: options.requestType, targets: options.targets }], effectiveFrom: options.effectiveFrom, note: options.note, now });
    return { divisionName: changed!.divisionName, version: changed!.version, effectiveFrom: changed!.effectiveFrom };
  });
}

/**
 * The same change for several request types at once, in the caller's transaction (which holds
 * the directory's lock): one new DST version per division concerned, holding all of that
 * division's changed types. The caller authorizes (administrators; the Working Group accepting a
 * proposal, src/governance/). With more than one type, each problem's field is prefixed with the
 * type's code ("pothole.acknowledge").
 */
export async function changeDivisionTargets(
  trx: Tx,
  options: { actor: StaffMember; changes: { requestType: string; targets: TargetsInput }[]; effectiveFrom: string; note?: string | undefined; now: Date },
): Promise<{ divisionId: number; divisionName: string; version: number; versionId: number; effectiveFrom: string }[]> {
  const { actor, now } = options;
  const effectiveFrom = options.effectiveFrom.trim();
  const several = options.changes.length > 1;
  const municipality = await loadMunicipality(trx);
  const zone = municipality.settings.calendar.timeZone;
  const problems: ErrorDetail[] = [];
  const today = DateTime.fromJSDate(now, { zone }).toISODate()!;
  const spoken = (date: string): string => DateTime.fromISO(date, { zone }).setLocale('en-CA').toFormat('cccc d LLLL yyyy');
  if (!isDate(effectiveFrom)) problems.push({ field: 'effectiveFrom', message: 'Enter the date the new targets take effect, as a date such as 2026-04-01.' });
  else if (effectiveFrom < today) {
    problems.push({
      field: 'effectiveFrom',
      message: `The new targets cannot take effect in the past (${spoken(effectiveFrom)}): requests already received keep the targets they were given. Choose today, ${spoken(today)}, or a later date.`,
    });
  }
  if (options.changes.length === 0) problems.push({ field: 'requestType', message: 'Change the targets of at least one request type.' });

  type Planned = { type: { id: number; code: string; name: string; division_id: number; division_name: string }; before: ServiceTargets | undefined; after: ServiceTargets };
  const byDivision = new Map<number, { name: string; latest: { id: number; version: number; effective_from: string } | undefined; rows: Row<'dst_target'>[]; planned: Planned[] }>();
  for (const change of options.changes) {
    const prefix = several ? `${change.requestType}.` : '';
    const type = await trx
      .selectFrom('request_type')
      .innerJoin('division', 'division.id', 'request_type.division_id')
      .select(['request_type.id', 'request_type.code', 'request_type.name', 'division.id as division_id', 'division.name as division_name'])
      .where('request_type.code', '=', change.requestType)
      .where('request_type.active', '=', true)
      .executeTakeFirst();
    if (!type) throw new AppError('NOT_FOUND', `There is no request type "${change.requestType}". Choose one from the list of request types.`);
    let division = byDivision.get(type.division_id);
    if (!division) {
      const latest = await trx
        .selectFrom('dst_version')
        .select(['id', 'version', 'effective_from'])
        .where('division_id', '=', type.division_id)
        .orderBy('effective_from', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (latest && isDate(effectiveFrom) && effectiveFrom >= today && effectiveFrom <= latest.effective_from) {
        problems.push({
          field: 'effectiveFrom',
          message: `${type.division_name}'s DST version ${latest.version} takes effect on ${spoken(latest.effective_from)}, and versions are history that cannot be changed: choose a date after it.`,
        });
      }
      const rows = latest ? await trx.selectFrom('dst_target').selectAll().where('dst_version_id', '=', latest.id).execute() : [];
      division = { name: type.division_name, latest, rows, planned: [] };
      byDivision.set(type.division_id, division);
    }
    const current = division.rows.find((r) => r.request_type_id === type.id);
    const before = current ? toServiceTargets(current) : undefined;

    const read = (field: string, text: string | undefined, label: string, required: boolean): Target | undefined => {
      const named = several ? `${type.name}: the ${label}` : `The ${label}`;
      if (text === undefined || text.trim() === '') {
        if (required) problems.push({ field: prefix + field, message: several ? `${type.name}: enter the ${label} target, e.g. "2 business days".` : `Enter the ${label} target, e.g. "2 business days".` });
        return undefined;
      }
      const parsed = parseTarget(text);
      if ('error' in parsed) {
        problems.push({ field: prefix + field, message: `${named} target ${parsed.error}.` });
        return undefined;
      }
      return parsed;
    };
    const acknowledge = read('acknowledge', change.targets.acknowledge, 'acknowledgment', true);
    const resolve = read('resolve', change.targets.resolve, 'resolution', true);
    let byAttribute: ServiceTargets['byAttribute'];
    if (before?.byAttribute) {
      const values: NonNullable<ServiceTargets['byAttribute']>['values'] = {};
      for (const value of Object.keys(before.byAttribute.values)) {
        const given = change.targets.byValue?.[value];
        const ack = read(`byValue[${value}][acknowledge]`, given?.acknowledge, `acknowledgment (${before.byAttribute.attribute} ${value})`, false);
        const res = read(`byValue[${value}][resolve]`, given?.resolve, `resolution (${before.byAttribute.attribute} ${value})`, false);
        values[value] = { ...(ack ? { acknowledge: ack } : {}), ...(res ? { resolve: res } : {}) };
      }
      byAttribute = { attribute: before.byAttribute.attribute, values };
    }
    if (acknowledge && resolve) {
      const after: ServiceTargets = { acknowledge, resolve, ...(byAttribute ? { byAttribute } : {}) };
      if (before && JSON.stringify(describe(before)) === JSON.stringify(describe(after))) {
        problems.push({ field: `${prefix}acknowledge`, message: `These are already the targets of ${type.name}: change at least one before saving a new version.` });
      } else {
        division.planned.push({ type, before, after });
      }
    }
  }
  if (problems.length > 0) {
    throw new AppError('VALIDATION_FAILED', problems.length === 1 ? problems[0]!.message : 'Some of the new targets need fixing.', problems);
  }

  const created: { divisionId: number; divisionName: string; version: number; versionId: number; effectiveFrom: string }[] = [];
  for (const [divisionId, division] of byDivision) {
    const version = Number((await trx.selectFrom('dst_version').select((eb) => eb.fn.max('version').as('v')).where('division_id', '=', divisionId).executeTakeFirstOrThrow()).v ?? 0) + 1;
    const names = division.planned.map((p) => p.type.name).join(', ');
    const { id: versionId } = await trx
      .insertInto('dst_version')
      .values({ division_id: divisionId, version, effective_from: effectiveFrom, created_at: now, note: options.note?.trim() || `${names}: targets changed by ${actor.name}` })
      .returning('id')
      .executeTakeFirstOrThrow();
    const changedIds = new Set(division.planned.map((p) => p.type.id));
    const copied = division.rows.filter((r) => !changedIds.has(r.request_type_id)).map((r) => ({ ...r, dst_version_id: versionId, targets_by: r.targets_by === null ? null : JSON.stringify(r.targets_by) }));
    await trx
      .insertInto('dst_target')
      .values([
        ...copied,
        ...division.planned.map((p) => ({
          dst_version_id: versionId,
          request_type_id: p.type.id,
          acknowledge_amount: p.after.acknowledge.amount,
          acknowledge_unit: p.after.acknowledge.unit,
          resolve_amount: p.after.resolve.amount,
          resolve_unit: p.after.resolve.unit,
          targets_by: p.after.byAttribute ? JSON.stringify(p.after.byAttribute) : null,
        })),
      ])
      .execute();
    for (const p of division.planned) {
      await recordDirectoryEvent(trx, {
        actor,
        type: 'service_targets_changed',
        data: { requestType: p.type.code, division: division.name, version, effectiveFrom, from: p.before ? describe(p.before) : null, to: describe(p.after) },
        now,
      });
    }
    created.push({ divisionId, divisionName: division.name, version, versionId, effectiveFrom });
  }
  await trx.updateTable('municipality').set({ directory_revision: sql`directory_revision + 1`, updated_at: now }).execute();
  return created;
}

/** Targets in words, as the audit keeps them and to compare two versions. */
export function describe(targets: ServiceTargets): Record<string, unknown> {
  return {
    acknowledge: formatTarget(targets.acknowledge),
    resolve: formatTarget(targets.resolve),
    ...(targets.byAttribute
      ? {
          by: targets.byAttribute.attribute,
          values: Object.fromEntries(
            Object.entries(targets.byAttribute.values)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([value, t]) => [value, { acknowledge: t.acknowledge ? formatTarget(t.acknowledge) : null, resolve: t.resolve ? formatTarget(t.resolve) : null }]),
          ),
        }
      : {}),
  };
}
