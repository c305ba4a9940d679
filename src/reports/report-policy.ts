import type { StaffMember } from '../directory/staff.js';
import { AppError } from '../platform/errors.js';
import { defaultReportConfig, type ReportConfig } from './report-config.js';
import type { Directory } from '../directory/directory-cache.js';

/**
 * Who may do what with the reports of CSS §6.3 (INTERPRETATION §9): the Manager of Customer
 * Service prepares them (generates, comments on the scorecard, issues); the Working Group, the
 * CAO and administrators read them; an administrator may also generate one (e.g. a run at night).
 */

const readers = new Set(['manager_customer_service', 'working_group', 'cao', 'administrator']);

export function mayReadReports(staff: StaffMember): boolean {
  return readers.has(staff.role);
}

export function assertMayReadReports(staff: StaffMember): void {
  if (!mayReadReports(staff)) throw new AppError('FORBIDDEN', 'The reports are for the Manager of Customer Service, the Working Group and the CAO. Your division’s figures are on the Performance page.');
}

export function assertMayGenerateReports(staff: StaffMember): void {
  if (staff.role !== 'manager_customer_service' && staff.role !== 'administrator') {
    throw new AppError('FORBIDDEN', 'Only the Manager of Customer Service (or an administrator) generates reports.');
  }
}

export function assertMayIssueReports(staff: StaffMember): void {
  if (staff.role !== 'manager_customer_service') throw new AppError('FORBIDDEN', 'Only the Manager of Customer Service comments on the scorecard and issues a report.');
}

/** reports.yaml as seeded, or the defaults in a database seeded before it existed. */
export function reportConfigOf(directory: Directory): ReportConfig {
  return directory.municipality.settings.reports ?? defaultReportConfig;
}
