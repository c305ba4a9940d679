import type { StaffMember } from '../directory/staff.js';
import { AppError } from '../platform/errors.js';
import type { CaseRow } from './case-record.js';

/**
 * Who may see and act on a case (INTERPRETATION §9, CSS §3.1). Staff of a division act on their
 * division's cases; a case outside their responsibility they can only transfer out, or, when it is
 * sent to them, confirm receipt of. Customer Service takes contacts for every division and routes
 * them. Department Heads, the Manager of Customer Service and the CAO see across divisions.
 */

const corporateViewers = new Set(['customer_service', 'manager_customer_service', 'cao', 'administrator']);

/** Customer Service, its Manager, the CAO and administrators see every division's cases. */
export const seesEveryDivision = (staff: Pick<StaffMember, 'role'>): boolean => corporateViewers.has(staff.role);

export interface CaseScope {
  divisionId: number;
  transferToDivisionId: number | null;
  /** The department of the responsible division (and of the transfer target, if any). */
  departmentIds: number[];
}

export function canViewCase(staff: StaffMember, scope: CaseScope): boolean {
  if (seesEveryDivision(staff)) return true;
  if (staff.role === 'department_head') return staff.departmentId !== null && scope.departmentIds.includes(staff.departmentId);
  if (staff.role === 'working_group') return false;
  return staff.divisionId !== null && (staff.divisionId === scope.divisionId || staff.divisionId === scope.transferToDivisionId);
}

export function assertCanView(staff: StaffMember, scope: CaseScope, reference: string): void {
  if (!canViewCase(staff, scope)) {
    // Not found rather than forbidden: staff outside the case's reach do not learn it exists.
    throw new AppError('NOT_FOUND', `There is no case ${reference} that you can see.`);
  }
}

/**
 * Who takes contacts (CSS §3.1, INTERPRETATION §9): Customer Service and every division's staff,
 * heads and the CAO. The Working Group reads reports and the administrator runs the system; neither
 * records contacts.
 */
export function takesContacts(staff: Pick<StaffMember, 'role'>): boolean {
  return staff.role !== 'working_group' && staff.role !== 'administrator';
}

export function assertTakesContacts(staff: Pick<StaffMember, 'role'>): void {
  if (!takesContacts(staff)) {
    const who = staff.role === 'working_group' ? 'Working Group members read reports' : 'Administrators run the system';
    throw new AppError('FORBIDDEN', `${who}; contacts are recorded by Customer Service and division staff.`);
  }
}

/**
 * Resolving an inquiry at first contact records an acknowledgment and a resolution by the
 * responsible division (INTERPRETATION §2, §4): Customer Service answers for every division at
 * first contact; otherwise only a member of that division may.
 */
export function canResolveAtFirstContact(staff: StaffMember, divisionId: number): boolean {
  return takesContacts(staff) && (staff.inCustomerService || staff.divisionId === divisionId);
}

export type DivisionAction = 'acknowledge' | 'update' | 'resolve' | 'assign' | 'reclassify' | 'reopen' | 'merge';

const actionWords: Record<DivisionAction, string> = {
  acknowledge: 'acknowledge it (CSS §3.3, §4.1)',
  update: 'send the customer an update',
  resolve: 'resolve it',
  assign: 'assign its owner',
  reclassify: 'reclassify it',
  reopen: 'reopen it',
  merge: 'mark it a duplicate or undo that',
};

/** The action is for staff of the responsible division, and not while a transfer waits. */
export function assertResponsibleDivision(staff: StaffMember, c: CaseRow, action: DivisionAction, divisionName: string, pendingDivisionName?: string): void {
  const reopenByCustomerService = action === 'reopen' && staff.inCustomerService;
  if (c.transfer_to_division_id !== null && staff.divisionId === c.transfer_to_division_id) {
    throw new AppError(
      'RULE_VIOLATION',
      `${c.reference} is being transferred to ${pendingDivisionName ?? 'your division'} but its receipt is not confirmed yet: confirm receipt of the transfer first (CSS §3.1), then ${actionWords[action]}.`,
    );
  }
  if (staff.divisionId !== c.division_id && !reopenByCustomerService) {
    const you = staff.divisionName ? `You are in ${staff.divisionName}` : 'You do not work in a division';
    throw new AppError(
      'FORBIDDEN',
      `Only staff of ${divisionName}, the division responsible for ${c.reference}, can ${actionWords[action]}. ${you}: if it belongs to your division, ask ${divisionName} to transfer it.`,
    );
  }
  if (c.transfer_to_division_id !== null && action !== 'reopen') {
    throw new AppError(
      'RULE_VIOLATION',
      `${c.reference} is waiting for ${pendingDivisionName ?? 'the receiving division'} to confirm receipt of its transfer (CSS §3.1); nothing else can be done until they confirm it or the transfer is withdrawn.`,
    );
  }
}

/**
 * CSS §3.1: a case goes out by transfer from the division that has it, or from Customer Service,
 * which routes every division's contacts. The same rule holds for each case of a bulk transfer.
 */
export function canTransferOut(staff: StaffMember, c: Pick<CaseRow, 'division_id'>): boolean {
  return staff.inCustomerService || (staff.divisionId !== null && staff.divisionId === c.division_id);
}

export function assertCanTransferOut(staff: StaffMember, c: CaseRow, divisionName: string, action: 'transfer' | 'withdraw its transfer' = 'transfer'): void {
  if (!canTransferOut(staff, c)) {
    throw new AppError('FORBIDDEN', `Only staff of ${divisionName}, which has ${c.reference}, or Customer Service can ${action === 'transfer' ? 'transfer it' : action}.`);
  }
}

export type ReceivingAction = 'confirm' | 'decline';

/**
 * CSS §3.1: a transfer waits for the receiving division. Its staff confirm receipt (the case becomes
 * theirs) or decline it with a reason (it goes back to the sender, who keeps ownership); no one else.
 */
export function canAnswerTransfer(staff: StaffMember, c: Pick<CaseRow, 'transfer_to_division_id'>): boolean {
  return c.transfer_to_division_id !== null && staff.divisionId !== null && staff.divisionId === c.transfer_to_division_id;
}

export function assertReceivingDivision(staff: StaffMember, c: CaseRow, action: ReceivingAction, toName: string): void {
  if (!canAnswerTransfer(staff, c)) {
    throw new AppError('FORBIDDEN', `Only staff of ${toName}, the division ${c.reference} is being transferred to, can ${action === 'confirm' ? 'confirm its receipt' : 'decline it'}.`);
  }
}

/**
 * Bulk work from a queue (assign or transfer several cases at once) is the single-case action
 * repeated: each case is judged by the rule above for that action (assign: assertResponsibleDivision,
 * transfer: assertCanTransferOut), and a refused case is reported without stopping the others.
 */
export const bulkActions = ['assign', 'transfer'] as const;
export type BulkAction = (typeof bulkActions)[number];

export function assertOpen(c: CaseRow): void {
  if (c.status !== 'open') throw new AppError('RULE_VIOLATION', `${c.reference} is resolved. Reopen it first if the customer's issue is not resolved.`);
}
