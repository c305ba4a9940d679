import { sql } from 'kysely';
import type { Tx } from '../db/connect.js';
import type { RoleCodeColumn } from '../db/schema.js';
import { AppError } from '../platform/errors.js';
import { hashPassword, passwordProblem } from '../platform/passwords.js';
import { divisionRoles, roleCodes, type RoleCode } from './municipality-config.js';
import { emailAddressProblem } from '../standard/email-address.js';

/** A signed-in staff member, as every use case and policy sees them. */
export interface StaffMember {
  id: number;
  email: string;
  name: string;
  role: RoleCode;
  /** The division they work in (division roles), else null. */
  divisionId: number | null;
  divisionName: string | null;
  /** Their department: the one they head, or their division's. Null for corporate roles. */
  departmentId: number | null;
  /** The Customer Service division's staff take contacts for every division (CSS §3.1). */
  inCustomerService: boolean;
}

export async function loadStaffMember(tx: Tx, id: number): Promise<StaffMember | undefined> {
  const row = await tx
    .selectFrom('staff_user')
    .leftJoin('division', 'division.id', 'staff_user.division_id')
    .select(staffMemberColumns)
    .where('staff_user.id', '=', id)
    .executeTakeFirst();
  return row ? toStaffMember(row) : undefined;
}

/** The columns toStaffMember needs, from staff_user left-joined with their division. */
export const staffMemberColumns = [
  'staff_user.id',
  'staff_user.email',
  'staff_user.name',
  'staff_user.role',
  'staff_user.division_id',
  'staff_user.department_id',
  'staff_user.active',
  'division.name as division_name',
  'division.department_id as division_department_id',
  'division.is_customer_service',
] as const;

interface StaffMemberRow {
  id: number;
  email: string;
  name: string;
  role: RoleCode;
  division_id: number | null;
  department_id: number | null;
  active: boolean;
  division_name: string | null;
  division_department_id: number | null;
  is_customer_service: boolean | null;
}

/** A deactivated account is no staff member. */
export function toStaffMember(row: StaffMemberRow): StaffMember | undefined {
  if (!row.active) return undefined;
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    divisionId: row.division_id,
    divisionName: row.division_name,
    departmentId: row.department_id ?? row.division_department_id,
    inCustomerService: row.is_customer_service === true,
  };
}

export interface NewStaff {
  email: string;
  name: string;
  role: string;
  division?: string | undefined;
  department?: string | undefined;
  password: string;
}

/** `citydesk user create` and the administrators' pages: one account, checked like the config. */
export async function createStaffUser(options: { tx: Tx; staff: NewStaff; now: Date }): Promise<{ id: number }> {
  const { tx, staff, now } = options;
  const email = staff.email.trim();
  const emailProblem = emailAddressProblem(email);
  if (emailProblem) throw fieldError('email', `"${email.slice(0, 254)}" is not an e-mail address. ${emailProblem}`);
  if (staff.name.trim() === '') throw fieldError('name', 'A staff member needs a name.');
  if (!(roleCodes as readonly string[]).includes(staff.role)) throw fieldError('role', `"${staff.role}" is not a role; roles: ${roleCodes.join(', ')}.`);
  const role = staff.role as RoleCode;
  const problem = passwordProblem(staff.password);
  if (problem) throw fieldError('password', problem);
  let divisionId: number | null = null;
  let departmentId: number | null = null;
  if (divisionRoles.includes(role)) {
    if (!staff.division) throw fieldError('division', `A ${role} works in a division: give its code.`);
    const division = await tx.selectFrom('division').select(['id', 'is_customer_service']).where('code', '=', staff.division).executeTakeFirst();
    if (!division) throw fieldError('division', `There is no division "${staff.division}".`);
    if ((role === 'customer_service' || role === 'manager_customer_service') && !division.is_customer_service) {
      throw fieldError('division', `A ${role} works in the Customer Service division.`);
    }
    divisionId = division.id;
  } else if (role === 'department_head') {
    if (!staff.department) throw fieldError('department', 'A department_head heads a department: give its code.');
    const department = await tx.selectFrom('department').select('id').where('code', '=', staff.department).executeTakeFirst();
    if (!department) throw fieldError('department', `There is no department "${staff.department}".`);
    departmentId = department.id;
  }
  const existing = await tx.selectFrom('staff_user').select('id').where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase())).executeTakeFirst();
  if (existing) throw new AppError('CONFLICT', `There is already an account for ${email}.`, [{ field: 'email', message: 'already used' }]);
  const created = await tx
    .insertInto('staff_user')
    .values({
      email,
      name: staff.name.trim(),
      role: role as RoleCodeColumn,
      division_id: divisionId,
      department_id: departmentId,
      password_hash: await hashPassword(staff.password),
      created_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  // Public texts leave out staff names, read once per directory snapshot: a new name makes a new snapshot.
  await tx.updateTable('municipality').set({ directory_revision: sql`directory_revision + 1` }).execute();
  return created;
}

function fieldError(field: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', message, [{ field, message }]);
}
