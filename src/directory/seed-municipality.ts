import { sql } from 'kysely';
import { seedKnowledge } from '../knowledge/seed-knowledge.js';
import type { Db, Tx } from '../db/connect.js';
import { AppError } from '../platform/errors.js';
import { hashPassword } from '../platform/passwords.js';
import type { ServiceTargets } from '../standard/targets.js';
import { configFiles, type MunicipalityConfig } from './municipality-config.js';
import { toServiceTargets, type MunicipalitySettings } from './municipality.js';
import { loadStandardEditions } from '../governance/standard-editions.js';

export interface SeedResult {
  departments: number;
  divisions: number;
  requestTypes: number;
  staffAccountsCreated: number;
  /** DST versions created by this seed, e.g. "Roads Operations v1 from 2025-01-01". */
  dstVersionsCreated: string[];
  /** Editions of the Standard loaded by this seed (governance.yaml). */
  standardEditionsLoaded: string[];
}

/**
 * Loads the municipality's configuration into the database in one transaction: it all lands or
 * none of it does. Seeding again updates names and settings in place, retires request types no
 * longer listed, and adds a new DST version for each division whose targets changed (versions are
 * history and are never edited).
 */
export async function seedMunicipality(options: {
  db: Db;
  config: MunicipalityConfig;
  now: Date;
  /** How demo passwords are hashed (tests pass a memoized one: scrypt is slow on purpose). */
  hash?: (password: string) => Promise<string>;
}): Promise<SeedResult> {
  const { db, config, now } = options;
  // Hash before the transaction: scrypt is slow on purpose and needs no database.
  const existing = new Set((await db.kysely.selectFrom('staff_user').select('email').execute().catch(() => [])).map((r) => r.email.toLowerCase()));
  const newAccounts = await Promise.all(
    config.staff.accounts
      .filter((a) => !existing.has(a.email.toLowerCase()))
      .map(async (a) => ({ ...a, passwordHash: await (options.hash ?? hashPassword)(config.staff.demoPassword!) })),
  );
  return db.kysely.transaction().execute(async (trx) => {
    if (db.engine === 'postgres') await sql`select pg_advisory_xact_lock(72657002)`.execute(trx);
    const settings: MunicipalitySettings = {
      standard: config.standard,
      website: config.website ?? null,
      calendar: config.calendar,
      closureRules: config.closureRules,
      contact: config.contact,
      generalInquiry: config.generalInquiry,
      emergency: config.emergency,
      governance: { acknowledgments: config.governance.acknowledgments, councilTerms: config.governance.councilTerms },
      feedback: config.feedback,
      reports: config.reports,
      performance: config.performance,
      map: config.map,
    };
    // Seeding again bumps the directory revision: every server copy reloads what it keeps in memory.
    await trx
      .insertInto('municipality')
      .values({ id: 1, name: config.name, settings: JSON.stringify(settings), seeded_at: now, updated_at: now })
      .onConflict((oc) =>
        oc.column('id').doUpdateSet({ name: config.name, settings: JSON.stringify(settings), updated_at: now, directory_revision: sql`municipality.directory_revision + 1` }),
      )
      .execute();

    for (const role of config.roles) {
      await trx.insertInto('staff_role').values(role).onConflict((oc) => oc.column('code').doUpdateSet({ name: role.name })).execute();
    }

    const divisionIds = new Map<string, number>();
    const divisionNames = new Map<string, string>();
    for (const department of config.departments) {
      const { id: departmentId } = await trx
        .insertInto('department')
        .values({ code: department.code, name: department.name, head_title: department.head, is_cao_office: department.code === config.caoOffice })
        .onConflict((oc) =>
          oc.column('code').doUpdateSet({ name: department.name, head_title: department.head, is_cao_office: department.code === config.caoOffice }),
        )
        .returning('id')
        .executeTakeFirstOrThrow();
      for (const division of department.divisions) {
        const values = {
          department_id: departmentId,
          name: division.name,
          head_title: division.head,
          contact_phone: division.contact?.phone ?? null,
          contact_email: division.contact?.email ?? null,
          is_customer_service: division.code === config.customerServiceDivision,
        };
        const { id } = await trx
          .insertInto('division')
          .values({ code: division.code, ...values })
          .onConflict((oc) => oc.column('code').doUpdateSet(values))
          .returning('id')
          .executeTakeFirstOrThrow();
        divisionIds.set(division.code, id);
        divisionNames.set(division.code, division.name);
      }
    }

    for (const centre of config.serviceCentres) {
      await trx
        .insertInto('service_centre')
        .values(centre)
        .onConflict((oc) => oc.column('code').doUpdateSet({ name: centre.name, address: centre.address }))
        .execute();
    }

    for (const channel of config.channels) {
      const values = {
        name: channel.name,
        hours: channel.hours,
        phones: channel.phones ?? [],
        email: channel.email ?? null,
        url: channel.url ?? null,
        service_requests: channel.serviceRequests,
      };
      await trx.insertInto('channel').values({ code: channel.code, ...values }).onConflict((oc) => oc.column('code').doUpdateSet(values)).execute();
    }

    const departmentIds = new Map((await trx.selectFrom('department').select(['id', 'code']).execute()).map((d) => [d.code, d.id]));
    for (const account of newAccounts) {
      await trx
        .insertInto('staff_user')
        .values({
          email: account.email,
          name: account.name,
          role: account.role,
          division_id: account.division ? divisionIds.get(account.division)! : null,
          department_id: account.department ? departmentIds.get(account.department)! : null,
          password_hash: account.passwordHash,
          created_at: now,
        })
        .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
        .execute();
    }

    const typeIds = new Map<string, number>();
    for (const [order, type] of config.requestTypes.entries()) {
      const values = {
        name: type.name,
        description: type.description,
        division_id: divisionIds.get(type.division)!,
        attributes: JSON.stringify(type.attributes),
        after_hours_line: type.afterHoursLine,
        active: true,
        nearby_metres: type.nearbyMetres,
        portal_group: type.group,
        portal_order: order,
      };
      const { id } = await trx
        .insertInto('request_type')
        .values({ code: type.code, ...values })
        .onConflict((oc) => oc.column('code').doUpdateSet(values))
        .returning('id')
        .executeTakeFirstOrThrow();
      typeIds.set(type.code, id);
    }
    const listed = [...typeIds.keys()];
    await trx.updateTable('request_type').set({ active: false }).where('code', 'not in', listed).execute();

    const dstVersionsCreated: string[] = [];
    for (const [divisionCode, divisionId] of divisionIds) {
      const wanted = new Map(config.requestTypes.filter((t) => t.division === divisionCode).map((t) => [t.code, t.targets]));
      if (wanted.size === 0) continue;
      const latest = await trx
        .selectFrom('dst_version')
        .select(['id', 'version', 'effective_from'])
        .where('division_id', '=', divisionId)
        .orderBy('version', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (latest) {
        const current = await currentTargets(trx, latest.id);
        if (sameTargets(current, wanted)) continue;
        if (config.dstEffectiveFrom <= latest.effective_from) {
          throw new AppError(
            'CONFIG_INVALID',
            `Configuration not loaded: ${configFiles.requestTypes}: effectiveFrom: the targets of ${divisionNames.get(divisionCode)} changed, ` +
              `but effectiveFrom (${config.dstEffectiveFrom}) is not after its DST version ${latest.version} (effective ${latest.effective_from}). ` +
              'DST versions are history: set effectiveFrom to the date the new targets take effect.',
            [{ field: `${configFiles.requestTypes} effectiveFrom`, message: 'must be after the current DST version' }],
          );
        }
      }
      const version = (latest?.version ?? 0) + 1;
      const { id: versionId } = await trx
        .insertInto('dst_version')
        .values({ division_id: divisionId, version, effective_from: config.dstEffectiveFrom, created_at: now, note: `Loaded from ${configFiles.requestTypes}` })
        .returning('id')
        .executeTakeFirstOrThrow();
      for (const [code, targets] of wanted) {
        await trx
          .insertInto('dst_target')
          .values({
            dst_version_id: versionId,
            request_type_id: typeIds.get(code)!,
            acknowledge_amount: targets.acknowledge.amount,
            acknowledge_unit: targets.acknowledge.unit,
            resolve_amount: targets.resolve.amount,
            resolve_unit: targets.resolve.unit,
            targets_by: targets.byAttribute ? JSON.stringify(targets.byAttribute) : null,
          })
          .execute();
      }
      dstVersionsCreated.push(`${divisionNames.get(divisionCode)} v${version} from ${config.dstEffectiveFrom}`);
    }

    const standardEditionsLoaded = await loadStandardEditions(trx, config.governance.standardEditions, now);
    await seedKnowledge(trx, config, now);

    return {
      departments: config.departments.length,
      divisions: divisionIds.size,
      requestTypes: config.requestTypes.length,
      staffAccountsCreated: newAccounts.length,
      dstVersionsCreated,
      standardEditionsLoaded,
    };
  });
}

async function currentTargets(trx: Tx, versionId: number): Promise<Map<string, ServiceTargets>> {
  const rows = await trx
    .selectFrom('dst_target')
    .innerJoin('request_type', 'request_type.id', 'dst_target.request_type_id')
    .selectAll('dst_target')
    .select('request_type.code')
    .where('dst_version_id', '=', versionId)
    .execute();
  return new Map(rows.map((r) => [r.code, toServiceTargets(r)]));
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

function sameTargets(a: Map<string, ServiceTargets>, b: Map<string, ServiceTargets>): boolean {
  if (a.size !== b.size) return false;
  for (const [code, targets] of a) {
    const other = b.get(code);
    if (!other || canonical(targets) !== canonical(other)) return false;
  }
  return true;
}
