import type { Tx } from '../db/connect.js';
import { AppError } from '../platform/errors.js';
import type { AttributeDefinition } from '../standard/attributes.js';
import type { ServiceTargets } from '../standard/targets.js';
import { toServiceTargets } from './municipality.js';

/** A division's Division Service Targets, every version (CSS §4, §8.2), for the reference pages. */

export interface DstVersionView {
  id: number;
  version: number;
  effectiveFrom: string;
  createdAt: Date;
  note: string | null;
  /** In force on the given day, scheduled for later, or replaced by a later one. */
  state: 'current' | 'scheduled' | 'past';
  targets: { requestType: { code: string; name: string; active: boolean; attributes: AttributeDefinition[] }; targets: ServiceTargets }[];
}

export interface DivisionTargets {
  division: { id: number; code: string; name: string; departmentName: string };
  /** Newest effective date first. */
  versions: DstVersionView[];
}

/** A division's DST versions on `today` (the City's local date, YYYY-MM-DD). */
export async function listDstVersions(tx: Tx, divisionCode: string, today: string): Promise<DivisionTargets> {
  const division = await tx
    .selectFrom('division')
    .innerJoin('department', 'department.id', 'division.department_id')
    .select(['division.id', 'division.code', 'division.name', 'department.name as department_name'])
    .where('division.code', '=', divisionCode)
    .executeTakeFirst();
  if (!division) throw new AppError('NOT_FOUND', `There is no division "${divisionCode}". Choose one from the list of Division Service Targets.`);
  const versions = await tx.selectFrom('dst_version').selectAll().where('division_id', '=', division.id).orderBy('effective_from', 'desc').execute();
  const targets = await tx
    .selectFrom('dst_target')
    .innerJoin('dst_version', 'dst_version.id', 'dst_target.dst_version_id')
    .innerJoin('request_type', 'request_type.id', 'dst_target.request_type_id')
    .selectAll('dst_target')
    .select(['request_type.code', 'request_type.name', 'request_type.active', 'request_type.attributes'])
    .where('dst_version.division_id', '=', division.id)
    .orderBy('request_type.name')
    .execute();
  const current = versions.find((v) => v.effective_from <= today) ?? versions.at(-1);
  return {
    division: { id: division.id, code: division.code, name: division.name, departmentName: division.department_name },
    versions: versions.map((v) => ({
      id: v.id,
      version: v.version,
      effectiveFrom: v.effective_from,
      createdAt: new Date(v.created_at),
      note: v.note,
      state: v === current ? 'current' : v.effective_from > today ? 'scheduled' : 'past',
      targets: targets
        .filter((t) => t.dst_version_id === v.id)
        .map((t) => ({ requestType: { code: t.code, name: t.name, active: t.active, attributes: t.attributes as AttributeDefinition[] }, targets: toServiceTargets(t) })),
    })),
  };
}

export interface DivisionTargetsSummary {
  code: string;
  name: string;
  departmentName: string;
  requestTypes: number;
  current: { version: number; effectiveFrom: string } | null;
  scheduled: { version: number; effectiveFrom: string } | null;
  versions: number;
}

/** Every division with its DST version in force on `today` and the next one scheduled, if any. */
export async function listDivisionTargets(tx: Tx, today: string): Promise<DivisionTargetsSummary[]> {
  const divisions = await tx
    .selectFrom('division')
    .innerJoin('department', 'department.id', 'division.department_id')
    .select((eb) => [
      'division.id',
      'division.code',
      'division.name',
      'department.name as department_name',
      eb.selectFrom('request_type').select(eb.fn.countAll<number>().as('n')).whereRef('request_type.division_id', '=', 'division.id').where('request_type.active', '=', true).as('types'),
    ])
    .orderBy('department.name')
    .orderBy('division.name')
    .execute();
  const versions = await tx.selectFrom('dst_version').select(['division_id', 'version', 'effective_from']).orderBy('effective_from').execute();
  return divisions.map((d) => {
    const own = versions.filter((v) => v.division_id === d.id);
    const current = own.filter((v) => v.effective_from <= today).at(-1) ?? own[0];
    const scheduled = own.find((v) => v.effective_from > today && v !== current);
    return {
      code: d.code,
      name: d.name,
      departmentName: d.department_name,
      requestTypes: Number(d.types ?? 0),
      current: current ? { version: current.version, effectiveFrom: current.effective_from } : null,
      scheduled: scheduled ? { version: scheduled.version, effectiveFrom: scheduled.effective_from } : null,
      versions: own.length,
    };
  });
}
