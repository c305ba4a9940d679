import type { FastifyInstance } from 'fastify';
import type { CaseServices } from '../../cases/case-services.js';
import { listDirectoryEvents, type DirectoryEvent } from '../../directory/directory-audit.js';
import { formatCalendarDate, formatShortDateTime } from '../format.js';
import { sendPage } from '../render.js';
import { registerAdminApiKeyPages } from './admin-api-keys.js';
import { registerAdminClosurePages } from './admin-closures.js';
import { registerAdminImportMappingPages } from './admin-import-mappings.js';
import { registerAdminStaffPages } from './admin-staff.js';
import { registerAdminTargetPages } from './admin-targets.js';
import { requireStaffPage } from './console-auth.js';
import { ConsolePage, requireAdministratorPage, signedIn } from './reference-layout.js';

/** The administrators' pages: staff accounts, closure days, service targets, Open311 API keys, import mappings. */
export function registerAdminPages(app: FastifyInstance, services: CaseServices): void {
  const onRequest = [requireStaffPage(services), requireAdministratorPage];

  app.get('/staff/admin', { onRequest }, async (request, reply) => {
    const staff = signedIn(request);
    const directory = await services.directory.get();
    const events = await listDirectoryEvents(services.db.kysely, 15);
    const zone = directory.calendar.timeZone;
    const typeName = (code: string): string => {
      try {
        return directory.serviceTargets(code, services.clock.now().getTime()).requestType.name;
      } catch {
        return code; // a retired request type
      }
    };
    const areas = [
      { href: '/staff/admin/staff', title: 'Staff accounts', text: 'Create accounts, change roles and where people work, set a new password, deactivate.' },
      { href: '/staff/admin/closures', title: 'Closure days', text: 'Add a one-off closure or a holiday the defaults leave out; remove a default.' },
      { href: '/staff/admin/targets', title: 'Service targets', text: "Change a request type's targets: a new DST version from a date you choose." },
      { href: '/staff/admin/api-keys', title: 'Open311 API keys', text: 'Issue a key to an app that submits service requests; revoke one.' },
      { href: '/staff/outbox', title: 'Outbox', text: 'Every message to a customer or to staff: sent, waiting or failed; send a failed one again.' },
      { href: '/staff/mailbox', title: 'Mailbox status', text: 'Whether citydesk can read the City\'s e-mail: connection, last read, errors.' },
      { href: '/staff/admin/import-mappings', title: 'Import mappings', text: "What another system's types, agencies and channels mean here, for imported history." },
    ];
    return sendPage(
      reply,
      <ConsolePage staff={staff} municipality={directory.municipality.name} path="/staff/admin" title="Administration" crumbs={[{ label: 'Administration' }]}>
        <h1>Administration</h1>
        <p class="lede">Every change made here is recorded with who made it and when.</p>
        <ul class="grid admin-areas">
          {areas.map((a) => (
            <li>
              <a class="card" href={a.href}>
                <strong>{a.title}</strong>
                <span class="admin-areas__text">{a.text}</span>
              </a>
            </li>
          ))}
        </ul>
        <h2>Recent changes</h2>
        {events.length === 0 ? (
          <p class="muted">No changes yet.</p>
        ) : (
          <div class="table-wrap" tabIndex={0} role="region" aria-label="Recent changes">
            <table>
              <caption>The latest {events.length} changes, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">What</th>
                </tr>
              </thead>
              <tbody>
                {events.map((e) => (
                  <tr>
                    <td>{formatShortDateTime(e.at, zone)}</td>
                    <td>{e.actor}</td>
                    <td>{eventInWords(e, typeName)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </ConsolePage>,
    );
  });

  registerAdminStaffPages(app, services, onRequest);
  registerAdminClosurePages(app, services, onRequest);
  registerAdminTargetPages(app, services, onRequest);
  registerAdminApiKeyPages(app, services, onRequest);
  registerAdminImportMappingPages(app, services, onRequest);
}

function eventInWords(e: DirectoryEvent, typeName: (code: string) => string): string {
  const d = e.data as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  switch (e.type) {
    case 'staff_account_created':
      return `Created the account ${d['email']} (${d['role']})`;
    case 'staff_role_changed':
      return `Changed ${d['email']}'s role from ${d['from']?.role} to ${d['to']?.role}`;
    case 'staff_password_set':
      return `Set a new password for ${d['email']}`;
    case 'staff_account_deactivated':
      return `Deactivated ${d['email']}`;
    case 'staff_account_reactivated':
      return `Reactivated ${d['email']}`;
    case 'closure_day_added':
      return `Added the closure day ${formatCalendarDate(d['date'])}${d['name'] ? ` (${d['name']})` : ''}`;
    case 'closure_day_removed':
      return `Removed the closure day ${formatCalendarDate(d['date'])}`;
    case 'service_targets_changed':
      return `Changed the targets of ${typeName(d['requestType'])}: ${d['division']} DST version ${d['version']} from ${formatCalendarDate(d['effectiveFrom'])}`;
    case 'api_key_created':
      return `Issued the API key "${d['name']}" (${d['prefix']}…)`;
    case 'import_mapping_changed':
      return `Mapped the ${d['kind']} "${d['value']}" of ${d['source']} to ${d['to']}${d['from'] ? ` (was ${d['from']})` : ''}`;
    case 'api_key_revoked':
      return `Revoked the API key "${d['name']}" (${d['prefix']}…)`;
    default:
      return e.type;
  }
}
