import type { Db, Tx } from '../db/connect.js';
import type { RoleCodeColumn } from '../db/schema.js';
import { AppError } from '../platform/errors.js';
import { hashPassword, passwordProblem } from '../platform/passwords.js';
import { assertAdministrator, recordDirectoryEvent } from './directory-audit.js';
import { divisionRoles, roleCodes, type RoleCode } from './municipality-config.js';
import { createStaffUser, type NewStaff, type StaffMember } from './staff.js';
import { isEmailAddress } from '../standard/email-address.js';
import { signInKey } from './sessions.js';

/**
 * The administrators' work on staff accounts: create one, change its role and where the person
 * works, set a new password, deactivate or reactivate it. Each writes a directory event in the
 * same transaction. A change that would leave no active administrator is refused, so the console
 * can always be administered.
 */

export interface StaffAccount {
  id: number;
  email: string;
  name: string;
  role: RoleCode;
  division: { code: string; name: string } | null;
  department: { code: string; name: string } | null;
  active: boolean;
  lockedUntil: Date | null;
  createdAt: Date;
}

const fieldError = (field: string, message: string): AppError => new AppError('VALIDATION_FAILED', message, [{ field, message }]);

export async function listStaffAccounts(tx: Tx): Promise<StaffAccount[]> {
  const rows = await accountQuery(tx).orderBy('staff_user.active', 'desc').orderBy('staff_user.name').execute();
  return rows.map(toAccount);
}

export async function findStaffAccount(tx: Tx, id: number): Promise<StaffAccount> {
  const row = Number.isSafeInteger(id) ? await accountQuery(tx).where('staff_user.id', '=', id).executeTakeFirst() : undefined;
  if (!row) throw new AppError('NOT_FOUND', 'There is no such staff account. It may have been typed wrongly: go back to the list of staff accounts.');
  return toAccount(row);
}

function accountQuery(tx: Tx) {
  return tx
    .selectFrom('staff_user')
    .leftJoin('division', 'division.id', 'staff_user.division_id')
    .leftJoin('department', 'department.id', 'staff_user.department_id')
    .select([
      'staff_user.id',
      'staff_user.email',
      'staff_user.name',
      'staff_user.role',
      'staff_user.active',
      'staff_user.locked_until',
      'staff_user.created_at',
      'division.code as division_code',
      'division.name as division_name',
      'department.code as department_code',
      'department.name as department_name',
    ]);
}

function toAccount(r: Awaited<ReturnType<ReturnType<typeof accountQuery>['executeTakeFirstOrThrow']>>): StaffAccount {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    role: r.role,
    division: r.division_code ? { code: r.division_code, name: r.division_name! } : null,
    department: r.department_code ? { code: r.department_code, name: r.department_name! } : null,
    active: r.active,
    lockedUntil: r.locked_until ? new Date(r.locked_until) : null,
    createdAt: new Date(r.created_at),
  };
}

export async function createStaffAccount(options: { db: Db; actor: StaffMember; staff: NewStaff; now: Date }): Promise<{ id: number }> {
  const { db, actor, staff, now } = options;
  assertAdministrator(actor);
  return db.kysely.transaction().execute(async (trx) => {
    // Every problem at once, in the console's words; createStaffUser checks them again.
    const problems: { field: string; message: string }[] = [];
    if (staff.name.trim() === '') problems.push({ field: 'name', message: 'Enter the person’s full name.' });
    if (!isEmailAddress(staff.email.trim())) problems.push({ field: 'email', message: 'Enter their work e-mail address, like name@example.ca.' });
    if (!(roleCodes as readonly string[]).includes(staff.role)) problems.push({ field: 'role', message: 'Choose a role.' });
    else {
      try {
        await placement(trx, staff.role as RoleCode, staff.division, staff.department);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        problems.push(...error.details.map((d) => ({ field: d.field ?? 'role', message: d.message })));
      }
    }
    const weak = passwordProblem(staff.password);
    if (weak) problems.push({ field: 'password', message: weak });
    if (problems.length > 0) throw new AppError('VALIDATION_FAILED', problems.length === 1 ? problems[0]!.message : 'Some details of the new account need fixing.', problems);
    const created = await createStaffUser({ tx: trx, staff, now });
    const account = await findStaffAccount(trx, created.id);
    await recordDirectoryEvent(trx, {
      actor,
      type: 'staff_account_created',
      data: { staffId: created.id, email: account.email, role: account.role, division: account.division?.code ?? null, department: account.department?.code ?? null },
      now,
    });
    return created;
  });
}

/** Where a person with this role works: a division for division roles, a department for a Department Head, else neither. */
async function placement(tx: Tx, role: RoleCode, division: string | undefined, department: string | undefined): Promise<{ divisionId: number | null; departmentId: number | null }> {
  if (divisionRoles.includes(role)) {
    if (!division) throw fieldError('division', `A ${roleWord(role)} works in a division: choose one.`);
    const row = await tx.selectFrom('division').select(['id', 'is_customer_service']).where('code', '=', division).executeTakeFirst();
    if (!row) throw fieldError('division', `There is no division "${division}".`);
    if ((role === 'customer_service' || role === 'manager_customer_service') && !row.is_customer_service) {
      throw fieldError('division', `A ${roleWord(role)} works in the Customer Service division.`);
    }
    return { divisionId: row.id, departmentId: null };
  }
  if (role === 'department_head') {
    if (!department) throw fieldError('department', 'A Department Head heads a department: choose one.');
    const row = await tx.selectFrom('department').select('id').where('code', '=', department).executeTakeFirst();
    if (!row) throw fieldError('department', `There is no department "${department}".`);
    return { divisionId: null, departmentId: row.id };
  }
  return { divisionId: null, departmentId: null };
}

const roleWords: Record<RoleCode, string> = {
  customer_service: 'Customer Service Representative',
  division_staff: 'member of division staff',
  division_head: 'Division Head',
  department_head: 'Department Head',
  manager_customer_service: 'Manager of Customer Service',
  cao: 'Chief Administrative Officer',
  working_group: 'Working Group member',
  administrator: 'administrator',
};
const roleWord = (role: RoleCode): string => roleWords[role];

/** The last active administrator cannot be deactivated or given another role. */
async function assertAnotherAdministrator(tx: Tx, staffId: number, what: string): Promise<void> {
  const others = await tx
    .selectFrom('staff_user')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('role', '=', 'administrator')
    .where('active', '=', true)
    .where('id', '<>', staffId)
    .executeTakeFirstOrThrow();
  if (Number(others.n) === 0) {
    throw new AppError('RULE_VIOLATION', `This is the only active administrator's account, so it cannot ${what}: create another administrator first.`);
  }
}

export async function changeStaffRole(options: {
  db: Db;
  actor: StaffMember;
  staffId: number;
  role: string;
  division?: string | undefined;
  department?: string | undefined;
  now: Date;
}): Promise<void> {
  const { db, actor, staffId, now } = options;
  assertAdministrator(actor);
  if (!(roleCodes as readonly string[]).includes(options.role)) throw fieldError('role', 'Choose a role.');
  const role = options.role as RoleCode;
  await db.kysely.transaction().execute(async (trx) => {
    const before = await findStaffAccount(trx, staffId);
    if (before.role === 'administrator' && role !== 'administrator' && before.active) await assertAnotherAdministrator(trx, staffId, 'be given another role');
    const place = await placement(trx, role, options.division, options.department);
    await trx
      .updateTable('staff_user')
      .set({ role: role as RoleCodeColumn, division_id: place.divisionId, department_id: place.departmentId })
      .where('id', '=', staffId)
      .execute();
    const after = await findStaffAccount(trx, staffId);
    await recordDirectoryEvent(trx, {
      actor,
      type: 'staff_role_changed',
      data: {
        staffId,
        email: after.email,
        from: { role: before.role, division: before.division?.code ?? null, department: before.department?.code ?? null },
        to: { role: after.role, division: after.division?.code ?? null, department: after.department?.code ?? null },
      },
      now,
    });
  });
}

/** A new password (the person forgot theirs): it also unlocks the account and ends its other sessions. */
export async function setStaffPassword(options: { db: Db; actor: StaffMember; staffId: number; password: string; now: Date }): Promise<void> {
  const { db, actor, staffId, now } = options;
  assertAdministrator(actor);
  const problem = passwordProblem(options.password);
  if (problem) throw fieldError('password', problem);
  const hash = await hashPassword(options.password);
  await db.kysely.transaction().execute(async (trx) => {
    const account = await findStaffAccount(trx, staffId);
    await trx.updateTable('staff_user').set({ password_hash: hash, failed_sign_ins: 0, locked_until: null }).where('id', '=', staffId).execute();
    await trx.deleteFrom('sign_in_throttle').where('email_key', '=', signInKey(account.email)).execute();
    if (staffId !== actor.id) await trx.deleteFrom('staff_session').where('user_id', '=', staffId).execute();
    // The password itself is never recorded.
    await recordDirectoryEvent(trx, { actor, type: 'staff_password_set', data: { staffId, email: account.email }, now });
  });
}

/** Deactivating ends the person's sessions; their name stays on the cases they worked on. */
export async function setStaffAccountActive(options: { db: Db; actor: StaffMember; staffId: number; active: boolean; now: Date }): Promise<void> {
  const { db, actor, staffId, active, now } = options;
  assertAdministrator(actor);
  await db.kysely.transaction().execute(async (trx) => {
    const account = await findStaffAccount(trx, staffId);
    if (account.active === active) return;
    if (!active) {
      if (staffId === actor.id) throw new AppError('RULE_VIOLATION', 'You cannot deactivate your own account. Ask another administrator to do it.');
      if (account.role === 'administrator') await assertAnotherAdministrator(trx, staffId, 'be deactivated');
    }
    await trx.updateTable('staff_user').set({ active }).where('id', '=', staffId).execute();
    if (!active) await trx.deleteFrom('staff_session').where('user_id', '=', staffId).execute();
    await recordDirectoryEvent(trx, { actor, type: active ? 'staff_account_reactivated' : 'staff_account_deactivated', data: { staffId, email: account.email }, now });
  });
}
