import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { CaseServices } from '../../cases/case-services.js';
import { canViewCase, seesEveryDivision } from '../../cases/case-policy.js';
import { caseVisibleTo } from '../../cases/find-cases.js';
import type { Tx } from '../../db/connect.js';
import type { StaffMember } from '../../directory/staff.js';
import { MAX_ATTEMPTS } from '../../notify/deliver-outbox.js';
import { mayRetryMail, retryOutboxMessage, stuckSendingMs } from '../../notify/retry-outbox-message.js';
import { isAppError } from '../../platform/errors.js';
import { Alert, Badge, Select } from '../components.js';
import { formatShortDateTime } from '../format.js';
import { sendPage } from '../render.js';
import { requireStaffPage } from './console-auth.js';
import { PagedTable } from './paged-table.js';
import { ConsolePage, signedIn } from './reference-layout.js';

/**
 * The outbox: every e-mail citydesk has sent or is waiting to send, with its delivery state.
 * Staff see the mail of the cases they may open (case-policy's canViewCase, in SQL so the pages
 * count right) and mail addressed to themselves; Customer Service, the Manager, the CAO and
 * administrators see all of it.
 */

const states = {
  all: { label: 'All messages', statuses: ['pending', 'sending', 'sent', 'failed'] },
  waiting: { label: 'Waiting to be sent', statuses: ['pending', 'sending'] },
  sent: { label: 'Sent', statuses: ['sent'] },
  failed: { label: 'Failed: needs a person', statuses: ['failed'] },
} as const;
type StateFilter = keyof typeof states;
const pageSize = 25;


interface OutboxEntry {
  id: number;
  to: string;
  subject: string;
  status: 'pending' | 'sending' | 'sent' | 'failed';
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
  nextAttemptAt: Date;
  caseReference: string | null;
}

async function listOutbox(tx: Tx, staff: StaffMember, filter: StateFilter, page: number): Promise<{ entries: OutboxEntry[]; more: boolean }> {
  let query = tx
    .selectFrom('outbox_mail as o')
    .leftJoin('case_message as m', 'm.id', 'o.case_message_id')
    .leftJoin('service_case as c', 'c.id', 'm.case_id')
    .leftJoin('division as d', 'd.id', 'c.division_id')
    .leftJoin('division as t', 't.id', 'c.transfer_to_division_id')
    .select([
      'o.id',
      'o.to_address',
      'o.subject',
      'o.status',
      'o.attempts',
      'o.last_error',
      'o.created_at',
      'o.sent_at',
      'o.next_attempt_at',
      'c.reference',
      'c.division_id',
      'c.transfer_to_division_id',
      'd.department_id',
      't.department_id as transfer_department_id',
    ])
    .where('o.status', 'in', [...states[filter].statuses]);
  // Mail sent to the person, and the mail of every case they may open.
  const own = sql<boolean>`lower(o.to_address) = ${staff.email.toLowerCase()}`;
  if (staff.role === 'working_group') query = query.where(own);
  else if (!seesEveryDivision(staff)) query = query.where((eb) => eb.or([own, caseVisibleTo(eb, staff)]));
  const rows = await query
    .orderBy('o.created_at', 'desc')
    .orderBy('o.id', 'desc')
    .limit(pageSize + 1)
    .offset((page - 1) * pageSize)
    .execute();
  const entries = rows.slice(0, pageSize).map((r) => {
    // The case link only where the policy lets this person open the case.
    const mayOpen =
      r.reference !== null &&
      canViewCase(staff, {
        divisionId: r.division_id!,
        transferToDivisionId: r.transfer_to_division_id,
        departmentIds: [r.department_id, r.transfer_department_id].filter((x): x is number => x !== null),
      });
    return {
      id: r.id,
      to: r.to_address,
      subject: r.subject,
      status: r.status,
      attempts: r.attempts,
      lastError: r.last_error,
      createdAt: new Date(r.created_at),
      sentAt: r.sent_at ? new Date(r.sent_at) : null,
      nextAttemptAt: new Date(r.next_attempt_at),
      caseReference: mayOpen ? r.reference : null,
    };
  });
  return { entries, more: rows.length > pageSize };
}

const stateBadge = (e: OutboxEntry) =>
  e.status === 'sent' ? (
    <Badge kind="ok">Sent</Badge>
  ) : e.status === 'failed' ? (
    <Badge kind="bad">Failed</Badge>
  ) : e.status === 'sending' ? (
    <Badge kind="open">Sending</Badge>
  ) : (
    <Badge kind="warn">Waiting</Badge>
  );

export function registerOutboxPage(app: FastifyInstance, services: CaseServices): void {
  app.post<{ Params: { id: string } }>('/staff/outbox/:id/retry', { onRequest: requireStaffPage(services) }, async (request, reply) => {
    const staff = signedIn(request);
    const id = /^\d{1,12}$/.test(request.params.id) ? Number(request.params.id) : -1;
    try {
      await retryOutboxMessage({ db: services.db, staff, id, now: services.clock.now() });
    } catch (error) {
      if (!isAppError(error) || error.code !== 'CONFLICT') throw error;
      return reply.redirect(`/staff/outbox?state=all&refused=${id}`, 303);
    }
    return reply.redirect(`/staff/outbox?state=waiting&retried=${id}`, 303);
  });

  app.get<{ Querystring: { state?: string; page?: string; retried?: string; refused?: string } }>('/staff/outbox', { onRequest: requireStaffPage(services) }, async (request, reply) => {
    const staff = signedIn(request);
    const now = services.clock.now();
    const retrying = mayRetryMail(staff);
    const directory = await services.directory.get();
    const zone = directory.calendar.timeZone;
    const filter: StateFilter = Object.hasOwn(states, request.query.state ?? '') ? (request.query.state as StateFilter) : 'all';
    const page = /^\d{1,6}$/.test(request.query.page ?? '') ? Math.max(1, Number(request.query.page)) : 1;
    const { entries, more } = await listOutbox(services.db.kysely, staff, filter, page);
    const link = (p: number) => `/staff/outbox?${new URLSearchParams({ ...(filter !== 'all' ? { state: filter } : {}), ...(p > 1 ? { page: String(p) } : {}) }).toString()}`;
    return sendPage(
      reply,
      <ConsolePage staff={staff} municipality={directory.municipality.name} path="/staff/outbox" title="Outbox" crumbs={[{ label: 'Outbox' }]}>
        <h1>Outbox</h1>
        <p class="lede">
          E-mail to customers and staff: what has gone out and what is waiting.
          {seesEveryDivision(staff) ? ' You see all of it.' : ' You see the mail of the cases you can open, and mail sent to you.'}
        </p>
        <p class="muted">
          Without a mail server (SMTP_URL), messages wait here; each stays readable in its case's history. A message that fails {MAX_ATTEMPTS} times waits for a person
          {retrying ? ': use "Send again" once the problem is fixed.' : ' (the Manager of Customer Service or an administrator sends it again).'}
        </p>
        {/^\d+$/.test(request.query.retried ?? '') ? (
          <Alert kind="ok">
            <p>Message {request.query.retried} is waiting to be sent again.</p>
          </Alert>
        ) : null}
        {/^\d+$/.test(request.query.refused ?? '') ? (
          <Alert kind="error">
            <p>Message {request.query.refused} cannot be sent again: it was sent already, or it is waiting or being sent.</p>
          </Alert>
        ) : null}
        <form method="get" action="/staff/outbox" class="toolbar" aria-label="Filter the outbox">
          <Select
            name="state"
            label="Show"
            class="narrow"
            required
            value={filter}
            options={Object.entries(states).map(([value, s]) => ({ value, label: s.label }))}
          />
          <button type="submit" class="button--secondary">
            Show
          </button>
        </form>
        <PagedTable
          label="Outbox messages"
          caption={`${states[filter].label}, page ${page}`}
          columns={[{ label: 'Case' }, { label: 'To' }, { label: 'Subject' }, { label: 'State' }, { label: 'Attempts', num: true }, { label: 'Created' }, { label: 'Sent or next try' }]}
          rows={entries}
          row={(e) => (
            <tr>
              <td>{e.caseReference ? <a href={`/staff/cases/${encodeURIComponent(e.caseReference)}`}>{e.caseReference}</a> : <span class="muted">None</span>}</td>
              <td>{e.to}</td>
              <td>{e.subject}</td>
              <td>
                {stateBadge(e)}
                {e.lastError ? <span class="hint">Last error: {e.lastError}</span> : null}
                {retrying && (e.status === 'failed' || (e.status === 'sending' && now.getTime() - e.nextAttemptAt.getTime() > stuckSendingMs)) ? (
                  <form method="post" action={`/staff/outbox/${e.id}/retry`}>
                    <button type="submit" class="button--secondary">
                      Send again<span class="visually-hidden">{`: message ${e.id} to ${e.to}`}</span>
                    </button>
                  </form>
                ) : null}
              </td>
              <td class="num">{e.attempts}</td>
              <td>{formatShortDateTime(e.createdAt, zone)}</td>
              <td>{e.sentAt ? formatShortDateTime(e.sentAt, zone) : e.status === 'failed' ? 'Not sent' : `Next try ${formatShortDateTime(e.nextAttemptAt, zone)}`}</td>
            </tr>
          )}
          empty={page > 1 ? 'No more messages.' : 'No messages to show.'}
          page={page}
          more={more}
          href={link}
          pages={{ label: 'Pages of the outbox', previous: 'Newer messages', next: 'Older messages' }}
        />
      </ConsolePage>,
    );
  });
}
