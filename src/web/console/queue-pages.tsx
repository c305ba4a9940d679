import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CaseServices } from '../../cases/case-services.js';
import { queueNames, type QueueName } from '../../cases/case-queries.js';
import { referencePattern } from '../../cases/case-record.js';
import { countQueues, findCases, type CaseFilters } from '../../cases/find-cases.js';
import { bulkAssign, bulkTransfer, findBulkOutcome, type BulkOutcome } from '../../cases/bulk-case-work.js';
import type { Directory } from '../../directory/directory-cache.js';
import type { StaffMember } from '../../directory/staff.js';
import { AppError, isAppError } from '../../platform/errors.js';
import { Breadcrumbs, ErrorSummary, type FieldErrors } from '../components.js';
import { formatCount } from '../format.js';
import { Layout } from '../layout.js';
import { sendPage } from '../render.js';
import { CaseTable, FilterForm, Pagination, ResultCount, listHref, queueAbout, queueTitles, readFilters, visibleDivisions } from './c1-case-list.js';
import { BulkControls, BulkOutcomeNotice, bulkOffer, bulkQueues, type BulkFormModel } from './queue-bulk.js';
import { performanceRulesOf } from '../../directory/municipality.js';
import { consoleLayout, requireStaffPage } from './console-auth.js';
import { registerSearchPage } from './search-page.js';

export type ListResult = Awaited<ReturnType<typeof findCases>>;

/**
 * The results of a list: the count, the table, the pages. htmx swaps this element alone. With
 * `bulk`, the table is a form: a checkbox per case and the bulk controls under it (queue-bulk.tsx).
 */
export function CaseResults(props: {
  path: string;
  filters: CaseFilters;
  result: ListResult | null;
  now: Date;
  zone: string;
  caption: string;
  defaultSort: 'due' | 'received';
  defaultDirection: 'asc' | 'desc';
  bulk?: { model: BulkFormModel; division: string | null } | undefined;
}) {
  const { result, bulk } = props;
  const withForm = Boolean(bulk && result && result.items.length > 0 && (bulk.model.owners.length > 0 || bulk.model.divisions.length > 0));
  const table = result && result.items.length > 0 ? (
    <CaseTable
      path={props.path}
      filters={props.filters}
      items={result.items}
      now={props.now}
      zone={props.zone}
      caption={props.caption}
      defaultSort={props.defaultSort}
      defaultDirection={props.defaultDirection}
      select={withForm ? { selected: bulk!.model.selected } : undefined}
    />
  ) : null;
  return (
    <div id="case-results">
      {result ? (
        <>
          <ResultCount page={result.page} pageSize={result.pageSize} total={result.total} shown={result.items.length} />
          {withForm ? (
            // The list's filters and page come back with the form, so the page after it is the same list.
            <form method="post" action={listHref(`${props.path}/bulk`, props.filters, {})} class="bulk-form" aria-label="Work several cases at once">
              <div id="f-cases" tabIndex={-1} class={bulk!.model.errors['cases'] ? 'field--error bulk-cases' : 'bulk-cases'}>
                {bulk!.model.errors['cases'] ? <p class="error-message">{bulk!.model.errors['cases']}</p> : null}
                {table}
              </div>
              <BulkControls bulk={bulk!.model} division={bulk!.division} />
            </form>
          ) : (
            table
          )}
          <Pagination path={props.path} filters={props.filters} page={result.page} pageSize={result.pageSize} total={result.total} />
        </>
      ) : null}
    </div>
  );
}

/** A list's filters as the use case reads them; a bad division or type becomes a field error. */
export async function runList(services: CaseServices, staff: StaffMember, filters: CaseFilters): Promise<{ result: ListResult | null; errors: FieldErrors }> {
  try {
    return { result: await findCases(services.db.kysely, { staff, now: services.clock.now(), calendar: await services.calendars.get() }, filters), errors: {} };
  } catch (error) {
    if (!isAppError(error) || error.code !== 'VALIDATION_FAILED') throw error;
    const errors: FieldErrors = {};
    for (const d of error.details) if (d.field) errors[d.field] = d.message;
    if (Object.keys(errors).length === 0) errors['_form'] = error.message;
    return { result: null, errors };
  }
}

function QueuesPage(props: { staff: StaffMember; directory: Directory; counts: Record<QueueName, number>; division: string | undefined }) {
  const { directory, staff } = props;
  const divisions = visibleDivisions(directory, staff);
  const divisionName = props.division ? divisions.find((d) => d.value === props.division)?.label : undefined;
  const suffix = props.division ? `?division=${encodeURIComponent(props.division)}` : '';
  return (
    <Layout title="Work queues" {...consoleLayout(staff, '/staff/queues', directory.municipality.name)}>
      <Breadcrumbs items={[{ href: '/staff', label: 'Home' }, { label: 'Queues' }]} />
      <h1>Work queues</h1>
      <p class="lede">
        {divisionName
          ? `The queues of ${divisionName}.`
          : staff.role === 'department_head'
            ? "The queues of your department's divisions."
            : staff.divisionName && !['customer_service', 'manager_customer_service'].includes(staff.role)
              ? `The queues of ${staff.divisionName}.`
              : 'The queues of every division.'}{' '}
        Each queue lists the cases by the deadline that makes them urgent.
      </p>
      {divisions.length > 1 ? (
        <form method="get" action="/staff/queues" class="toolbar">
          <div class="field">
            <label for="f-division">Division</label>
            <select id="f-division" name="division">
              <option value="">All the divisions you can see</option>
              {divisions.map((d) => (
                <option value={d.value} selected={d.value === props.division}>
                  {d.label}
                </option>
              ))}
            </select>
          </div>
          <button type="submit">Show</button>
        </form>
      ) : null}
      <div class="table-wrap">
        <table>
          <caption>Queues and how many cases each holds</caption>
          <thead>
            <tr>
              <th scope="col">Queue</th>
              <th scope="col">What it holds</th>
              <th scope="col" class="num">
                Cases
              </th>
            </tr>
          </thead>
          <tbody>
            {queueNames.map((queue) => (
              <tr>
                <th scope="row">
                  <a href={`/staff/queues/${queue}${suffix}`}>{queueTitles[queue].title}</a>
                </th>
                <td>{queueAbout(queue, performanceRulesOf(props.directory.municipality))}</td>
                <td class="num">
                  <strong>{formatCount(props.counts[queue])}</strong>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p class="actions">
        <a href="/staff/search">Search every case you can open</a>
      </p>
    </Layout>
  );
}

interface QueuePageProps {
  staff: StaffMember;
  directory: Directory;
  queue: QueueName;
  filters: CaseFilters;
  result: ListResult | null;
  errors: FieldErrors;
  now: Date;
  notice?: string | undefined;
  bulk?: BulkFormModel | undefined;
  outcome?: BulkOutcome | undefined;
}

function QueuePage(props: QueuePageProps) {
  const { directory, staff, queue, filters } = props;
  const path = `/staff/queues/${queue}`;
  const title = queueTitles[queue];
  return (
    <Layout title={title.title} {...consoleLayout(staff, path, directory.municipality.name)} scripts={props.bulk ? ['/assets/queue-select.js'] : undefined}>
      <Breadcrumbs items={[{ href: '/staff', label: 'Home' }, { href: '/staff/queues', label: 'Queues' }, { label: title.title }]} />
      <h1>{title.title}</h1>
      <p class="lede">{queueAbout(queue, performanceRulesOf(directory.municipality))}</p>
      {props.notice ? (
        <div class="alert alert--ok" role="status" id="queue-status">
          <p>{props.notice}</p>
        </div>
      ) : null}
      {props.outcome ? <BulkOutcomeNotice outcome={props.outcome} /> : null}
      <ErrorSummary errors={props.errors} />
      <FilterForm action={path} now={props.now} filters={filters} directory={directory} staff={staff} errors={props.errors} />
      <CaseResults
        path={path}
        filters={filters}
        result={props.result}
        now={props.now}
        zone={directory.calendar.timeZone}
        caption={title.title}
        defaultSort="due"
        defaultDirection="asc"
        bulk={props.bulk ? { model: props.bulk, division: staff.divisionName } : undefined}
      />
    </Layout>
  );
}

/** The work queues (with counts) and each queue, filtered, sorted and paged. */
export async function registerQueuePages(app: FastifyInstance, services: CaseServices): Promise<void> {
  const onRequest = requireStaffPage(services);

  app.get<{ Querystring: Record<string, unknown> }>('/staff/queues', { onRequest }, async (request, reply) => {
    const staff = request.staff!;
    const directory = await services.directory.get();
    const division = typeof request.query['division'] === 'string' && request.query['division'] !== '' ? request.query['division'] : undefined;
    if (division && !visibleDivisions(directory, staff).some((d) => d.value === division)) {
      throw new AppError('NOT_FOUND', `There is no division "${division}" whose queues you can see.`);
    }
    const counts = await countQueues(services.db.kysely, { staff, now: services.clock.now(), calendar: directory.calendar }, division);
    return sendPage(reply, QueuesPage({ staff, directory, counts, division }));
  });

  const queueOf = (name: string): QueueName => {
    if (!queueNames.includes(name as QueueName)) throw new AppError('NOT_FOUND', `There is no queue "${name.slice(0, 40)}". The queues are listed on the Queues page.`);
    return name as QueueName;
  };

  /** A queue page: its list, and for bulk work the form as sent (kept on a refusal) and any outcome. */
  const showQueue = async (reply: FastifyReply, staff: StaffMember, queue: QueueName, query: Record<string, unknown>, extra: { form?: Partial<BulkFormModel>; outcome?: BulkOutcome | undefined; notice?: string | undefined }) => {
    const directory = await services.directory.get();
    const { errors: _ignored, ...filters } = readFilters(query);
    const list = { ...filters, queue, text: undefined };
    const { result, errors } = await runList(services, staff, list);
    const bulk: BulkFormModel | undefined = bulkQueues(queue)
      ? { ...(await bulkOffer(services.db.kysely, directory, staff)), selected: new Set(), values: {}, errors: {}, ...extra.form }
      : undefined;
    const allErrors = { ...errors, ...(extra.form?.errors ?? {}) };
    const status = !result ? 400 : extra.form?.errors && Object.keys(extra.form.errors).length > 0 ? 400 : 200;
    return sendPage(reply, QueuePage({ staff, directory, queue, filters: list, result, errors: allErrors, now: services.clock.now(), notice: extra.notice, bulk, outcome: extra.outcome }), status);
  };

  app.get<{ Params: { queue: string }; Querystring: Record<string, unknown> }>('/staff/queues/:queue', { onRequest }, async (request: FastifyRequest<{ Params: { queue: string }; Querystring: Record<string, unknown> }>, reply) => {
    const staff = request.staff!;
    const queue = queueOf(request.params.queue);
    const declined = typeof request.query['declined'] === 'string' && new RegExp(referencePattern).test(request.query['declined']) ? request.query['declined'] : undefined;
    const notice = declined ? `Transfer of ${declined} declined: the case went back to the division that sent it, with your reason.` : undefined;
    const bulkId = typeof request.query['bulk'] === 'string' && /^\d{1,15}$/.test(request.query['bulk']) ? Number(request.query['bulk']) : undefined;
    const outcome = bulkId !== undefined ? await findBulkOutcome(services.db.kysely, staff, bulkId) : undefined;
    return showQueue(reply, staff, queue, request.query, { notice, outcome });
  });

  // Issue 18 point 5: assign or transfer the ticked cases, each by the single-case use case.
  app.post<{ Params: { queue: string }; Querystring: Record<string, unknown>; Body: Record<string, unknown> }>('/staff/queues/:queue/bulk', { onRequest }, async (request, reply) => {
    const staff = request.staff!;
    const queue = queueOf(request.params.queue);
    const body = request.body ?? {};
    const text = (name: string): string => (typeof body[name] === 'string' ? (body[name] as string) : '');
    const values = { ownerId: text('ownerId'), toDivision: text('toDivision'), note: text('note') };
    const sent = (Array.isArray(body['cases']) ? body['cases'] : [body['cases']]).filter((v): v is string => typeof v === 'string');
    try {
      const action = text('action');
      let outcome: BulkOutcome;
      if (action === 'assign') {
        outcome = await bulkAssign({ services, staff, references: body['cases'], input: { ownerId: /^\d{1,10}$/.test(values.ownerId) ? Number(values.ownerId) : 0 } });
      } else if (action === 'transfer') {
        outcome = await bulkTransfer({ services, staff, references: body['cases'], input: { toDivision: values.toDivision, note: values.note } });
      } else {
        throw new AppError('VALIDATION_FAILED', 'Choose what to do with the selected cases: assign them or transfer them.');
      }
      const back = listHref(`/staff/queues/${queue}`, { ...readFilters(request.query), queue, text: undefined }, {});
      return reply.redirect(`${back}${back.includes('?') ? '&' : '?'}bulk=${outcome.id}#bulk-outcome`, 303);
    } catch (error) {
      if (!isAppError(error) || error.code !== 'VALIDATION_FAILED') throw error;
      const errors: FieldErrors = {};
      for (const d of error.details) if (d.field && ['cases', 'ownerId', 'toDivision', 'note'].includes(d.field)) errors[d.field] = /^[A-Z].*[.)]$/.test(d.message) ? d.message : error.message;
      if (Object.keys(errors).length === 0) errors['_form'] = error.message;
      return showQueue(reply, staff, queue, request.query, { form: { selected: new Set(sent), values, errors } });
    }
  });

  await registerSearchPage(app, services);
}
