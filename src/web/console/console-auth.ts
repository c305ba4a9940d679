import type { FastifyReply, FastifyRequest } from 'fastify';
import { takesContacts } from '../../cases/case-policy.js';
import type { CaseServices } from '../../cases/case-services.js';
import { authenticate } from '../../directory/sessions.js';
import type { StaffMember } from '../../directory/staff.js';
import type { RoleCode } from '../../directory/municipality-config.js';
import { sessionCookie } from '../../platform/staff-auth.js';
import type { NavItem } from '../layout.js';
import { mayTriage } from '../../mail/triage.js';
import { mayReadReports } from '../../reports/report-policy.js';

/**
 * An onRequest hook for every console page: without a valid session cookie the person is sent to
 * the sign-in page and brought back afterwards. Permissions beyond "is staff" are the use cases'.
 */
export function requireStaffPage(services: CaseServices) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const token = request.cookies?.[sessionCookie];
    const staff = token ? await authenticate(services.db, token, services.clock.now()) : undefined;
    if (!staff) {
      const next = request.method === 'GET' ? request.url : '/staff';
      await reply.redirect(`/staff/sign-in?next=${encodeURIComponent(next)}`, 303);
      return;
    }
    request.staff = staff;
  };
}

export const roleNames: Record<RoleCode, string> = {
  customer_service: 'Customer Service Representative',
  division_staff: 'Division staff',
  division_head: 'Division Head',
  department_head: 'Department Head',
  manager_customer_service: 'Manager of Customer Service',
  cao: 'Chief Administrative Officer',
  working_group: 'Working Group member',
  administrator: 'Administrator',
};

/** The console's navigation for this person. */
export function consoleNav(staff: StaffMember): NavItem[] {
  const items: NavItem[] = [{ href: '/staff', label: 'Home' }];
  if (takesContacts(staff)) items.push({ href: '/staff/intake', label: 'New contact' });
  if (mayTriage(staff)) items.push({ href: '/staff/mail', label: 'E-mail' });
  items.push({ href: '/staff/queues', label: 'Queues' }, { href: '/staff/search', label: 'Search' }, { href: '/staff/knowledge', label: 'Answers' });
  // An administrator reaches the targets, closure days and outbox from the Administration page,
  // where they are changed, so their menu fits one line at 1366 px (issue 18 point 7).
  if (staff.role !== 'administrator') items.push({ href: '/staff/targets', label: 'Service targets' }, { href: '/staff/closures', label: 'Closures' }, { href: '/staff/outbox', label: 'Outbox' });
  if (staff.inCustomerService || staff.role === 'administrator') items.push({ href: '/staff/surveys/calls', label: 'Follow-up calls' });
  if (staff.role !== 'working_group') items.push({ href: '/staff/feedback', label: 'Feedback' });
  items.push({ href: '/staff/training', label: 'What to read' });
  if (['working_group', 'manager_customer_service', 'cao', 'administrator', 'division_head'].includes(staff.role)) items.push({ href: '/staff/governance', label: 'Governance' });
  if (mayReadReports(staff)) items.push({ href: '/staff/reports', label: 'Reports' });
  if (staff.role === 'administrator') items.push({ href: '/staff/admin', label: 'Administration' });
  return items;
}

/** What every console page's Layout needs besides its title and content. */
export function consoleLayout(staff: StaffMember, path: string, municipality: string) {
  const division = staff.divisionName ? `, ${staff.divisionName}` : '';
  return { municipality, path, nav: consoleNav(staff), staff: { name: staff.name, role: `${roleNames[staff.role]}${division}` }, htmx: true };
}

/** Only a path on this site may be the target after sign-in (no open redirect). */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/staff(\/|$|\?)/.test(next) && !next.startsWith('//') ? next : '/staff';
}
