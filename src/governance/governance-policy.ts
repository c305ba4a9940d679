import type { StaffMember } from '../directory/staff.js';
import { AppError } from '../platform/errors.js';

/**
 * Who may do what in governance (CSS §8.3, INTERPRETATION §9). The Working Group oversees the
 * Standard and the DST; the Manager of Customer Service runs them day to day; the CAO and
 * administrators may act for them.
 */

/** Draft, replay and accept proposed targets. */
export function mayProposeTargets(staff: StaffMember): boolean {
  return staff.role === 'working_group' || staff.role === 'manager_customer_service' || staff.role === 'cao' || staff.role === 'administrator';
}

export function assertMayProposeTargets(staff: StaffMember): void {
  if (!mayProposeTargets(staff)) {
    throw new AppError('FORBIDDEN', 'Only the Working Group, the Manager of Customer Service, the CAO and administrators can draft, replay and accept proposed targets.');
  }
}

/** Training completion of every division (a Division Head sees their own: divisionsSeen). */
export function seesAllTrainingCompletion(staff: StaffMember): boolean {
  return staff.role === 'working_group' || staff.role === 'manager_customer_service';
}

/** The divisions whose training completion this person sees; undefined: every division; []: none. */
export function trainingCompletionScope(staff: StaffMember): number[] | undefined {
  if (seesAllTrainingCompletion(staff)) return undefined;
  if (staff.role === 'division_head' && staff.divisionId !== null) return [staff.divisionId];
  return [];
}

/** The reviews and the Working Group's recommendations: the Working Group, the Manager, the CAO, administrators, and heads for their own division's review. */
export function seesAllReviews(staff: StaffMember): boolean {
  return mayProposeTargets(staff);
}

export function assertSeesGovernance(staff: StaffMember): void {
  if (!seesAllReviews(staff) && staff.role !== 'division_head') {
    throw new AppError('FORBIDDEN', 'The reviews and the Working Group pages are for the Working Group, the Manager of Customer Service, the CAO, administrators and Division Heads.');
  }
}
