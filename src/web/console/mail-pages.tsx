import type { FastifyInstance, FastifyReply } from 'fastify';
import { caseScope } from '../../cases/case-change.js';
import { canViewCase } from '../../cases/case-policy.js';
import { findCase } from '../../cases/case-record.js';
import type { CaseServices } from '../../cases/case-services.js';
import type { Directory } from '../../directory/directory-cache.js';
import type { StaffMember } from '../../directory/staff.js';
import { readStoredFile } from '../../files/file-store.js';
import { convertTriageItem, notContactReasons, setAsideTriageItem, type TriageDecision } from '../../mail/convert-triage-item.js';
import type { MailboxStatus } from '../../mail/mailbox-reader.js';
import { assertMayTriage, mayTriage, findMailItem, listTriage, type MailItem, type TriageFilter } from '../../mail/triage.js';
import { AppError, isAppError } from '../../platform/errors.js';
import { dueTimes } from '../../standard/due-times.js';
import type { AttributeValues } from '../../standard/attributes.js';
import { Alert, Badge, Choices, ErrorSummary, Select, TextArea, TextField, type FieldErrors } from '../components.js';
import { formatCount, formatDateTime, formatShortDateTime } from '../format.js';
import { sendPage } from '../render.js';
import { requireStaffPage } from './console-auth.js';
import { AttributeField } from './intake-pages.js';
import { PagedTable } from './paged-table.js';
import { registerCaseMailRoutes } from './case-mail.js';
import { ConsolePage, formErrors, idOf, signedIn, textOf } from './reference-layout.js';

/**
 * The e-mail triage queue (/staff/mail) and each e-mail's page: Customer Service reads what came
 * in to the City's mailbox and makes it a case, answers it, or sets it aside. Without IMAP_URL
 * the queue says that mail is entered by hand.
 */

const pageSize = 25;

function MailboxBanner(props: { status: MailboxStatus | undefined; zone: string }) {
  const s = props.status;
  if (!s) {
    return (
      <Alert kind="info" title="No mailbox is connected">
        <p>
          citydesk does not read the City's e-mail here (IMAP_URL is not set). Enter each e-mail contact by hand with <a href="/staff/intake">New contact</a>, with the time
          the e-mail arrived as its receipt time.
        </p>
      </Alert>
    );
  }
  if (s.state === 'retrying') {
    return (
      <Alert kind="warn" title="The mailbox cannot be reached">
        <p>
          citydesk could not read {s.mailbox} ({s.lastError ?? 'no answer'}); it tries again by itself
          {s.nextAttemptAt ? ` (next try ${formatShortDateTime(s.nextAttemptAt, props.zone)})` : ''}. Nothing in the mailbox is lost meanwhile
          {s.lastSuccessAt ? `; last read ${formatShortDateTime(s.lastSuccessAt, props.zone)}` : ''}. Tell your administrator if this lasts.
        </p>
      </Alert>
    );
  }
  return (
    <p class="muted">
      Reading {s.mailbox}
      {s.lastSuccessAt ? `, last read ${formatShortDateTime(s.lastSuccessAt, props.zone)}` : ''}.
    </p>
  );
}

const statusBadge = (status: string) =>
  status === 'open' ? (
    <Badge kind="warn">Waiting</Badge>
  ) : status === 'converting' ? (
    <Badge kind="open">Being recorded</Badge>
  ) : status === 'not_contact' ? (
    <Badge kind="muted">Not a contact</Badge>
  ) : status === 'answered' ? (
    <Badge kind="ok">Answered</Badge>
  ) : (
    <Badge kind="ok">Recorded</Badge>
  );

const sender = (m: { fromName: string | null; fromAddress: string | null }): string => (m.fromName && m.fromAddress ? `${m.fromName} <${m.fromAddress}>` : (m.fromAddress ?? m.fromName ?? 'Unknown sender'));

export function registerMailPages(app: FastifyInstance, services: CaseServices): void {
  const auth = { onRequest: requireStaffPage(services) };
  registerCaseMailRoutes(app, services);

  // The mailbox's state for administrators (and Customer Service): connection, last read, errors.
  // Message counts only, never a message's sender, subject or text.
  app.get('/staff/mailbox', auth, async (request, reply) => {
    const staff = signedIn(request);
    if (staff.role !== 'administrator' && !mayTriage(staff)) throw new AppError('FORBIDDEN', 'The mailbox status is for administrators and Customer Service.');
    const directory = await services.directory.get();
    const zone = directory.calendar.timeZone;
    const s = services.mailbox?.status();
    const counts = await services.db.kysely.selectFrom('inbound_mail').select(['kind', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('kind').orderBy('kind').execute();
    const when = (d: Date | null) => (d ? formatShortDateTime(d, zone) : 'never');
    const rows: [string, string][] = s
      ? [
          ['State', s.state === 'ok' ? 'Connected' : s.state === 'retrying' ? 'Cannot be reached: retrying' : s.state === 'starting' ? 'Starting' : 'Stopped'],
          ['Mailbox', s.mailbox],
          ['Server', s.server],
          ['Last successful read', when(s.lastSuccessAt)],
          ['Failures in a row', String(s.failures)],
          ['Last error', s.lastError ?? 'none'],
          ['Next try', when(s.nextAttemptAt)],
          ['Messages taken by this server copy', formatCount(s.taken)],
        ]
      : [];
    return sendPage(
      reply,
      <ConsolePage staff={staff} municipality={directory.municipality.name} path="/staff/mailbox" title="Mailbox status" crumbs={[{ label: 'Mailbox status' }]}>
        <h1>Mailbox status</h1>
        <MailboxBanner status={s} zone={zone} />
        {rows.length > 0 ? (
          <dl class="summary-list">
            {rows.map(([term, value]) => (
              <div>
                <dt>{term}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
        ) : null}
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Messages read">
          <table>
            <caption>Messages read from the mailbox, by what they were</caption>
            <thead>
              <tr>
                <th scope="col">Kind</th>
                <th scope="col" class="num">
                  Messages
                </th>
              </tr>
            </thead>
            <tbody>
              {counts.length === 0 ? (
                <tr>
                  <td colSpan={2}>None yet.</td>
                </tr>
              ) : (
                counts.map((c) => (
                  <tr>
                    <th scope="row">{c.kind.replace('_', ' ')}</th>
                    <td class="num">{formatCount(Number(c.n))}</td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </div>
      </ConsolePage>,
    );
  });

  app.get<{ Querystring: { show?: string; page?: string; done?: string } }>('/staff/mail', auth, async (request, reply) => {
    const staff = signedIn(request);
    assertMayTriage(staff);
    const directory = await services.directory.get();
    const zone = directory.calendar.timeZone;
    const filter: TriageFilter = request.query.show === 'done' ? 'done' : 'open';
    const page = /^\d{1,6}$/.test(request.query.page ?? '') ? Math.max(1, Number(request.query.page)) : 1;
    const { items, more, openCount } = await listTriage(services.db.kysely, { filter, page, pageSize });
    const link = (p: number) => `/staff/mail?${new URLSearchParams({ ...(filter === 'done' ? { show: 'done' } : {}), ...(p > 1 ? { page: String(p) } : {}) }).toString()}`;
    return sendPage(
      reply,
      <ConsolePage staff={staff} municipality={directory.municipality.name} path="/staff/mail" title="E-mail triage" crumbs={[{ label: 'E-mail triage' }]}>
        <h1>E-mail triage</h1>
        <p class="lede">
          New e-mail to the City waiting for Customer Service: {formatCount(openCount)}. Oldest first: each one's targets count from when it arrived (CSS §3.2, §4).
        </p>
        <MailboxBanner status={services.mailbox?.status()} zone={zone} />
        <nav class="tabs" aria-label="Which e-mail">
          <a href="/staff/mail" aria-current={filter === 'open' ? 'page' : undefined}>
            Waiting
          </a>{' '}
          <a href="/staff/mail?show=done" aria-current={filter === 'done' ? 'page' : undefined}>
            Dealt with
          </a>
        </nav>
        <PagedTable
          label="E-mail"
          caption={filter === 'open' ? 'E-mail waiting, oldest first' : 'E-mail dealt with, newest first'}
          columns={[{ label: 'Arrived' }, { label: 'From' }, { label: 'Subject' }, { label: 'State' }]}
          rows={items}
          row={(item) => (
            <tr>
              <td>{formatShortDateTime(item.arrivedAt, zone)}</td>
              <td>{sender(item)}</td>
              <td>
                <a href={`/staff/mail/${item.id}`}>{item.subject.trim() === '' ? '(no subject)' : item.subject}</a>
                {item.attachments > 0 ? <span class="hint">{`${formatCount(item.attachments)} attachment${item.attachments === 1 ? '' : 's'}`}</span> : null}
              </td>
              <td>
                {statusBadge(item.status)}
                {item.caseReference ? (
                  <>
                    {' '}
                    <a href={`/staff/cases/${item.caseReference}`}>{item.caseReference}</a>
                  </>
                ) : null}
              </td>
            </tr>
          )}
          empty={filter === 'open' ? (page > 1 ? 'No more e-mail.' : 'No e-mail is waiting.') : 'No e-mail has been dealt with yet.'}
          page={page}
          more={more}
          href={link}
          pages={{ label: 'Pages of e-mail', previous: 'Previous page', next: 'Next page' }}
        />
      </ConsolePage>,
    );
  });

  const showItem = async (reply: FastifyReply, staff: StaffMember, id: number, form: ItemForm, status = 200) => {
    const directory = await services.directory.get();
    const item = await findMailItem(services.db.kysely, id);
    if (item.mail.kind !== 'new_contact') throw new AppError('NOT_FOUND', `E-mail ${id} is not in the triage queue; it is on its case's page.`);
    return sendPage(reply, <ItemPage staff={staff} directory={directory} item={item} form={form} now={services.clock.now()} />, status);
  };

  app.get<{ Params: { id: string }; Querystring: { type?: string; done?: string } }>('/staff/mail/:id', auth, async (request, reply) => {
    const staff = signedIn(request);
    assertMayTriage(staff);
    return showItem(reply, staff, idOf(request.params.id), { values: { requestType: request.query.type ?? '' }, errors: {}, open: request.query.type ? 'service_request' : undefined, done: request.query.done });
  });

  app.post<{ Params: { id: string } }>('/staff/mail/:id/record', auth, async (request, reply) => {
    const staff = signedIn(request);
    assertMayTriage(staff);
    const id = idOf(request.params.id);
    const body = request.body;
    const as = textOf(body, 'as');
    const values: Record<string, string> = {
      as,
      summary: textOf(body, 'summary'),
      division: textOf(body, 'division'),
      requestType: textOf(body, 'requestType'),
      address: textOf(body, 'address'),
      answer: textOf(body, 'answer'),
    };
    const attributes = attributeValues(body);
    let decision: TriageDecision;
    if (as === 'inquiry') decision = { as, division: values['division']!, summary: values['summary']! };
    else if (as === 'service_request') decision = { as, requestType: values['requestType']!, summary: values['summary']!, location: { address: values['address'] }, attributes };
    else if (as === 'answer') decision = { as, summary: values['summary']!, answer: values['answer']! };
    else throw new AppError('VALIDATION_FAILED', 'Choose what to record this e-mail as.');
    try {
      const { caseRow } = await convertTriageItem({ services, staff, id, decision });
      return reply.redirect(`/staff/cases/${caseRow.reference}?done=created`, 303);
    } catch (error) {
      const errors = formErrors(error, ['summary', 'division', 'requestType', 'address', 'answer', ...Object.keys(attributes).map((k) => `attribute[${k}]`)], (field) =>
        field === 'location' ? 'address' : field === 'resolveAtFirstContact.answer' ? 'answer' : field,
      );
      return showItem(reply, staff, id, { values, attributes, errors, open: as }, 400);
    }
  });

  app.post<{ Params: { id: string } }>('/staff/mail/:id/not-a-contact', auth, async (request, reply) => {
    const staff = signedIn(request);
    assertMayTriage(staff);
    const id = idOf(request.params.id);
    const values = { reason: textOf(request.body, 'reason'), note: textOf(request.body, 'note') };
    try {
      await setAsideTriageItem({ services, staff, id, reason: values.reason, note: values.note });
      return reply.redirect(`/staff/mail/${id}?done=set-aside`, 303);
    } catch (error) {
      return showItem(reply, staff, id, { values, errors: formErrors(error, ['reason', 'note']), open: 'not_contact' }, 400);
    }
  });

  // An attachment or the original message, for staff who may see the e-mail.
  app.get<{ Params: { id: string; file: string } }>('/staff/mail/:id/files/:file', auth, async (request, reply) => {
    const staff = signedIn(request);
    const item = await findMailItem(services.db.kysely, idOf(request.params.id));
    await assertMaySeeMail(services, staff, item);
    const fileId = idOf(request.params.file);
    const isRaw = fileId === item.mail.raw_file_id;
    const attachment = item.attachments.find((a) => a.file_id === fileId);
    if (!isRaw && !attachment) throw new AppError('NOT_FOUND', 'This e-mail has no such file.');
    const file = await readStoredFile(services.db.kysely, fileId);
    if (!file) throw new AppError('NOT_FOUND', 'The file is no longer kept.');
    const name = isRaw ? `email-${item.mail.id}.eml` : attachment!.filename;
    return reply
      .type(isRaw ? 'message/rfc822' : file.contentType)
      .header('content-disposition', `attachment; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-store')
      .send(file.content);
  });
}

/** Customer Service sees every e-mail; others, the e-mail of the cases they may open. */
async function assertMaySeeMail(services: CaseServices, staff: StaffMember, item: MailItem): Promise<void> {
  try {
    assertMayTriage(staff);
    return;
  } catch {
    // Not Customer Service: the case decides.
  }
  if (!item.caseReference) throw new AppError('NOT_FOUND', 'There is no such e-mail that you can see.');
  const c = await findCase(services.db.kysely, item.caseReference);
  if (!canViewCase(staff, await caseScope(services.db.kysely, c))) throw new AppError('NOT_FOUND', 'There is no such e-mail that you can see.');
}

function attributeValues(body: unknown): AttributeValues {
  const raw = body && typeof body === 'object' ? (body as Record<string, unknown>)['attribute'] : undefined;
  const out: AttributeValues = {};
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
      if (typeof v === 'string' && v.trim() !== '') out[k] = v.slice(0, 4000);
      else if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === 'string').slice(0, 50);
    }
  }
  return out;
}

interface ItemForm {
  values: Record<string, string>;
  attributes?: AttributeValues;
  errors: FieldErrors;
  open?: string | undefined;
  done?: string | undefined;
}

function ItemPage(props: { staff: StaffMember; directory: Directory; item: MailItem; form: ItemForm; now: Date }) {
  const { staff, directory, item, form } = props;
  const { mail } = item;
  const zone = directory.calendar.timeZone;
  const arrived = new Date(mail.arrived_at);
  const inquiryDue = dueTimes(directory.calendar, arrived.getTime(), directory.municipality.settings.generalInquiry);
  const waiting = mail.triage_status === 'open' || mail.triage_status === 'converting';
  const v = form.values;
  const type = v['requestType'] ? safeType(directory, v['requestType'], props.now) : undefined;
  const title = mail.subject.trim() === '' ? '(no subject)' : mail.subject;
  return (
    <ConsolePage staff={staff} municipality={directory.municipality.name} path="/staff/mail" title={`E-mail: ${title}`} crumbs={[{ href: '/staff/mail', label: 'E-mail triage' }, { label: `E-mail ${mail.id}` }]}>
      <h1>{title}</h1>
      <ErrorSummary errors={form.errors} />
      {form.done === 'set-aside' ? (
        <Alert kind="ok">
          <p>Set aside as not a contact. It stays here, and counts in no report.</p>
        </Alert>
      ) : null}
      <section class="card" aria-labelledby="mail-facts">
        <h2 id="mail-facts">The e-mail</h2>
        <dl class="facts">
          <dt>From</dt>
          <dd>{sender({ fromName: mail.from_name, fromAddress: mail.from_address })}</dd>
          <dt>Arrived</dt>
          <dd>
            {formatDateTime(arrived, zone)}
            <span class="hint">This is its receipt time: its targets count from here (as a general inquiry, acknowledge by {formatDateTime(inquiryDue.acknowledgeBy, zone)}).</span>
          </dd>
          <dt>State</dt>
          <dd>
            {statusBadge(mail.triage_status ?? 'open')}
            {item.caseReference ? (
              <>
                {' '}
                <a href={`/staff/cases/${item.caseReference}`}>{item.caseReference}</a>
              </>
            ) : null}
            {!waiting && item.decidedByName ? <span class="hint">{`By ${item.decidedByName}${mail.decided_at ? `, ${formatShortDateTime(mail.decided_at, zone)}` : ''}${mail.decision_note ? `: ${mail.decision_note}` : ''}`}</span> : null}
          </dd>
        </dl>
        <h3>Message</h3>
        <div class="mail-text">{mail.body_text.trim() === '' ? <p class="muted">The e-mail has no text.</p> : mail.body_text.split(/\n{2,}/).map((p) => <p>{p}</p>)}</div>
        {item.attachments.length > 0 ? (
          <>
            <h3>Attachments</h3>
            <ul>
              {item.attachments.map((a) => (
                <li>
                  {a.file_id ? <a href={`/staff/mail/${mail.id}/files/${a.file_id}`}>{a.filename}</a> : <span>{a.filename}</span>} <span class="muted">({formatBytes(a.size)}, {a.content_type})</span>
                  {a.refused_reason ? <span class="hint">Not kept: {a.refused_reason}. The original message still holds it.</span> : null}
                </li>
              ))}
            </ul>
          </>
        ) : null}
        <p>
          <a href={`/staff/mail/${mail.id}/files/${mail.raw_file_id}`}>Download the original message</a>
        </p>
      </section>

      {waiting ? (
        <>
          <h2>What is it?</h2>
          <p class="muted">Record it as the contact it is; the customer gets the automatic receipt e-mail, which never counts as the acknowledgment (CSS §4.1).</p>
          <details class="card" open={form.open === 'inquiry' || form.open === undefined}>
            <summary>A general inquiry for a division</summary>
            <form method="post" action={`/staff/mail/${mail.id}/record`}>
              <input type="hidden" name="as" value="inquiry" />
              <Select
                name="division"
                label="Division responsible for the topic"
                required
                value={v['division'] || directory.customerServiceDivision()?.code}
                options={directory.divisions.map((d) => ({ value: d.code, label: d.name }))}
                error={form.open === 'inquiry' ? form.errors['division'] : undefined}
              />
              <TextField name="summary" label="Summary" hint="One line staff will read in queues." required value={form.open === 'inquiry' ? v['summary'] : mail.subject} maxLength={500} error={form.open === 'inquiry' ? form.errors['summary'] : undefined} />
              <button type="submit">Record the general inquiry</button>
            </form>
          </details>
          <details class="card" open={form.open === 'service_request'}>
            <summary>A service request</summary>
            <form method="get" action={`/staff/mail/${mail.id}`}>
              <Select
                name="type"
                label="Request type"
                required
                value={v['requestType']}
                placeholder="Choose the request type"
                options={directory.activeRequestTypeCodes.map((code) => ({ value: code, label: safeType(directory, code, props.now)?.name ?? code }))}
              />
              <button type="submit" class="button--secondary">
                {type ? 'Change the type' : 'Show its questions'}
              </button>
            </form>
            {type ? (
              <form method="post" action={`/staff/mail/${mail.id}/record`}>
                <input type="hidden" name="as" value="service_request" />
                <input type="hidden" name="requestType" value={type.code} />
                <p>
                  {type.name}: {type.divisionName} is responsible for it.
                </p>
                <TextField name="address" label="Address or place" required value={v['address']} maxLength={500} error={form.open === 'service_request' ? form.errors['address'] : undefined} />
                {type.attributes.map((d) => (
                  <AttributeField definition={d} value={form.attributes?.[d.code]} error={form.open === 'service_request' ? form.errors[`attribute[${d.code}]`] : undefined} />
                ))}
                <TextField name="summary" label="Summary" required value={form.open === 'service_request' ? v['summary'] : mail.subject} maxLength={500} error={form.open === 'service_request' ? form.errors['summary'] : undefined} />
                <button type="submit">Record the service request</button>
              </form>
            ) : null}
          </details>
          <details class="card" open={form.open === 'answer'}>
            <summary>Answer it now (first-contact resolution)</summary>
            <form method="post" action={`/staff/mail/${mail.id}/record`}>
              <input type="hidden" name="as" value="answer" />
              <TextField name="summary" label="Summary" required value={form.open === 'answer' ? v['summary'] : mail.subject} maxLength={500} error={form.open === 'answer' ? form.errors['summary'] : undefined} />
              <TextArea name="answer" label="Your answer to the customer" hint="It is e-mailed to them and recorded as the inquiry's resolution." required value={v['answer']} error={form.errors['answer']} />
              <button type="submit">Send the answer and record it</button>
            </form>
          </details>
          <details class="card" open={form.open === 'not_contact'}>
            <summary>Not a contact (spam, newsletters)</summary>
            <form method="post" action={`/staff/mail/${mail.id}/not-a-contact`}>
              <Choices name="reason" label="Why is it not a contact?" required value={v['reason']} options={Object.entries(notContactReasons).map(([value, label]) => ({ value, label }))} error={form.errors['reason']} />
              <TextField name="note" label="Note" value={v['note']} maxLength={1000} error={form.errors['note']} />
              <button type="submit" class="button--secondary">
                Set it aside
              </button>
            </form>
          </details>
        </>
      ) : null}
      {item.events.length > 0 ? (
        <section class="card" aria-labelledby="mail-history">
          <h2 id="mail-history">History</h2>
          <ul>
            {item.events.map((e) => (
              <li>
                {formatShortDateTime(e.at, zone)}: {eventWords(e.type)} by {e.actor_label}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </ConsolePage>
  );
}

const eventWords = (type: string): string => ({ converted: 'recorded as a case', answered: 'answered at first contact', not_contact: 'set aside as not a contact' })[type] ?? type;

function safeType(directory: Directory, code: string, now: Date) {
  if (!directory.activeRequestTypeCodes.includes(code)) return undefined;
  try {
    const found = directory.serviceTargets(code, now.getTime());
    return { code, name: found.requestType.name, divisionName: found.division.name, attributes: found.requestType.attributes };
  } catch (error) {
    if (isAppError(error)) return undefined;
    throw error;
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
