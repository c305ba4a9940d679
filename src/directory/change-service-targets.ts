import { sql } from 'kysely';
import { DateTime } from 'luxon';
import type { Db } from '../db/connect.js';
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
  const effectiveFrom = options.effectiveFrom.trim();
  return db.kysely.transaction().execute(async (trx) => {
    if (db.engine === 'postgres') await sql`select pg_advisory_xact_lock(72657002)`.execute(trx);
    const municipality = await loadMunicipality(trx);
    const zone = municipality.settings.calendar.timeZone;
    const type = await trx
      .selectFrom('request_type')
      .innerJoin('division', 'division.id', 'request_type.division_id')
      .select(['request_type.id', 'request_type.code', 'request_type.name', 'division.id as division_id', 'division.name as division_name'])
      .where('request_type.code', '=', options.requestType)
      .where('request_type.active', '=', true)
      .executeTakeFirst();
    if (!type) throw new AppError('NOT_FOUND', `There is no request type "${options.requestType}". Choose one from the list of request types.`);

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
    const current = rows.find((r) => r.request_type_id === type.id);
    const before = current ? toServiceTargets(current) : undefined;

    const read = (field: string, text: string | undefined, label: string, required: boolean): Target | undefined => {
      if (text === undefined || text.trim() === '') {
        if (required) problems.push({ field, message: `Enter the ${label} target, e.g. "2 business days".` });
        return undefined;
      }
      const parsed = parseTarget(text);
      if ('error' in parsed) {
        problems.push({ field, message: `The ${label} target ${parsed.error}.` });
        return undefined;
      }
      return parsed;
    };
    const acknowledge = read('acknowledge', options.targets.acknowledge, 'acknowledgment', true);
    const resolve = read('resolve', options.targets.resolve, 'resolution', true);
    let byAttribute: ServiceTargets['byAttribute'];
    if (before?.byAttribute) {
      const values: NonNullable<ServiceTargets['byAttribute']>['values'] = {};
      for (const value of Object.keys(before.byAttribute.values)) {
        const given = options.targets.byValue?.[value];
        const ack = read(`byValue[${value}][acknowledge]`, given?.acknowledge, `acknowledgment (${before.byAttribute.attribute} ${value})`, false);
        const res = read(`byValue[${value}][resolve]`, given?.resolve, `resolution (${before.byAttribute.attribute} ${value})`, false);
        values[value] = { ...(ack ? { acknowledge: ack } : {}), ...(res ? { resolve: res } : {}) };
      }
      byAttribute = { attribute: before.byAttribute.attribute, values };
    }
    if (problems.length > 0) {
      throw new AppError('VALIDATION_FAILED', problems.length === 1 ? problems[0]!.message : 'Some of the new targets need fixing.', problems);
    }
    const after: ServiceTargets = { acknowledge: acknowledge!, resolve: resolve!, ...(byAttribute ? { byAttribute } : {}) };
    if (before && JSON.stringify(describe(before)) === JSON.stringify(describe(after))) {
      throw new AppError('VALIDATION_FAILED', `These are already the targets of ${type.name}: change at least one before saving a new version.`);
    }

    const version = (await trx.selectFrom('dst_version').select((eb) => eb.fn.max('version').as('v')).where('division_id', '=', type.division_id).executeTakeFirstOrThrow()).v ?? 0;
    const { id: versionId } = await trx
      .insertInto('dst_version')
      .values({ division_id: type.division_id, version: Number(version) + 1, effective_from: effectiveFrom, created_at: now, note: options.note?.trim() || `${type.name}: targets changed by ${actor.name}` })
      .returning('id')
      .executeTakeFirstOrThrow();
    const copied = rows.filter((r) => r.request_type_id !== type.id).map((r) => ({ ...r, dst_version_id: versionId, targets_by: r.targets_by === null ? null : JSON.stringify(r.targets_by) }));
    await trx
      .insertInto('dst_target')
      .values([
        ...copied,
        {
          dst_version_id: versionId,
          request_type_id: type.id,
          acknowledge_amount: after.acknowledge.amount,
          acknowledge_unit: after.acknowledge.unit,
          resolve_amount: after.resolve.amount,
          resolve_unit: after.resolve.unit,
          targets_by: after.byAttribute ? JSON.stringify(after.byAttribute) : null,
        },
      ])
      .execute();
    await trx.updateTable('municipality').set({ directory_revision: sql`directory_revision + 1`, updated_at: now }).execute();
    await recordDirectoryEvent(trx, {
      actor,
      type: 'service_targets_changed',
      data: { requestType: type.code, division: type.division_name, version: Number(version) + 1, effectiveFrom, from: before ? describe(before) : null, to: describe(after) },
      now,
    });
    return { divisionName: type.division_name, version: Number(version) + 1, effectiveFrom };
  });
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
