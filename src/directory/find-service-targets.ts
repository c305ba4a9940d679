import type { Tx } from '../db/connect.js';
import { AppError } from '../platform/errors.js';
import type { AttributeDefinition } from '../standard/attributes.js';
import type { BusinessCalendar } from '../standard/calendar.js';
import type { ServiceTargets } from '../standard/targets.js';
import { toServiceTargets } from './municipality.js';

export interface RequestTypeTargets {
  requestType: { id: number; code: string; name: string; attributes: AttributeDefinition[] };
  division: { id: number; code: string; name: string };
  dstVersion: { id: number; version: number; effectiveFrom: string };
  targets: ServiceTargets;
}

/**
 * A request type's Division Service Targets in force when a request was received: the division's
 * DST version with the latest effective date on or before the receipt's local date. A request
 * received before the first version (an import of older records) is measured by the first.
 */
export async function findServiceTargets(
  tx: Tx,
  options: { requestTypeCode: string; receivedAt: number; calendar: BusinessCalendar },
): Promise<RequestTypeTargets> {
  const type = await tx
    .selectFrom('request_type')
    .innerJoin('division', 'division.id', 'request_type.division_id')
    .select([
      'request_type.id',
      'request_type.code',
      'request_type.name',
      'request_type.attributes',
      'division.id as division_id',
      'division.code as division_code',
      'division.name as division_name',
    ])
    .where('request_type.code', '=', options.requestTypeCode)
    .where('request_type.active', '=', true)
    .executeTakeFirst();
  if (!type) {
    const known = await tx.selectFrom('request_type').select('code').where('active', '=', true).orderBy('code').execute();
    throw unknownRequestType(options.requestTypeCode, known.map((k) => k.code));
  }
  const receiptDate = options.calendar.localDate(options.receivedAt);
  const base = tx
    .selectFrom('dst_target')
    .innerJoin('dst_version', 'dst_version.id', 'dst_target.dst_version_id')
    .selectAll('dst_target')
    .select(['dst_version.version', 'dst_version.effective_from'])
    .where('dst_target.request_type_id', '=', type.id)
    .where('dst_version.division_id', '=', type.division_id);
  const row =
    (await base.where('dst_version.effective_from', '<=', receiptDate).orderBy('dst_version.effective_from', 'desc').limit(1).executeTakeFirst()) ??
    (await base.orderBy('dst_version.effective_from', 'asc').limit(1).executeTakeFirst());
  if (!row) throw noServiceTargets(type.code);
  return {
    requestType: { id: type.id, code: type.code, name: type.name, attributes: type.attributes as AttributeDefinition[] },
    division: { id: type.division_id, code: type.division_code, name: type.division_name },
    dstVersion: { id: row.dst_version_id, version: row.version, effectiveFrom: row.effective_from },
    targets: toServiceTargets(row),
  };
}

/** The answer to an unknown (or retired) request type, with the active ones by code. */
export function unknownRequestType(code: string, activeCodes: readonly string[]): AppError {
  return new AppError('NOT_FOUND', `There is no request type "${code}". Request types: ${activeCodes.join(', ')}.`, [{ field: 'type', message: 'unknown request type' }]);
}

export function noServiceTargets(code: string): AppError {
  return new AppError('NOT_FOUND', `The request type "${code}" has no Division Service Target. Add its targets to config/request-types.yaml and run \`citydesk seed\`.`);
}
