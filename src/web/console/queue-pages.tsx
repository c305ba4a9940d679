import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CaseServices } from '../../cases/case-services.js';
import { queueNames, type QueueName } from '../../cases/case-queries.js';
import { referencePattern } from '../../cases/case-record.js';
import { countQueues, findCases, type CaseFilters } from '../../cases/find-cases.js';
import type { Directory } from '../../directory/directory-cache.js';
import type { StaffMember } from '../../directory/staff.js';
import { AppError, isAppError } from '../../platform/errors.js';
import { Breadcrumbs, ErrorSummary, type FieldErrors } from '../components.js';
import { formatCount } from '../format.js';
import { Layout } from '../layout.js';
import { sendPage } from '../render.js';
import { CaseTable, FilterForm, Pagination, ResultCount, queueAbout, queueTitles, readFilters, visibleDivisions } from './c1-case-list.js';
import { performanceRulesOf } from '../../directory/municipality.js';
import { consoleLayout, requireStaffPage } from './console-auth.js';
import { registerSearchPage } from './search-page.js';

export type ListResult = Awaited<ReturnType<typeof findCases>>;

/** The results of a list: the count, the table, the pages. htmx swaps this element alone. */
export function CaseResults(props: { path: string; filters: CaseFilters; result: ListResult | null; now: Date; zone: string; caption: string; defaultSort: 'due' | 'received'; defaultDirection: 'asc' | 'desc' }) {
  const { result } = props;
  return (
    <div id="case-results">
      {result ? (
        <>
          <ResultCount page={result.page} pageSize={result.pageSize} total={result.total} shown={result.items.length} />
          {result.items.length > 0 ? (
            <CaseTable path={props.path} filters={props.filters} items={result.items} now={props.now} zone={props.zone} caption={props.caption} defaultSort={props.defaultSort} defaultDirection={props.defaultDirection} />
          ) : null}
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

function QueuePage(props: { staff: StaffMember; directory: Directory; queue: QueueName; filters: CaseFilters; result: ListResult | null; errors: FieldErrors; now: Date; notice?: string | undefined }) {
  const { directory, staff, queue, filters } = props;
  const path = `/staff/queues/${queue}`;
  const title = queueTitles[queue];
  return (
    <Layout title={title.title} {...consoleLayout(staff, path, directory.municipality.name)}>
      <Breadcrumbs items={[{ href: '/staff', label: 'Home' }, { href: '/staff/queues', label: 'Queues' }, { label: title.title }]} />
      <h1>{title.title}</h1>
      <p class="lede">{queueAbout(queue, performanceRulesOf(directory.municipality))}</p>
      {props.notice ? (
        <div class="alert alert--ok" role="status" id="queue-status">
          <p>{props.notice}</p>
        </div>
      ) : null}
      <ErrorSummary errors={props.errors} />
      <FilterForm action={path} now={props.now} filters={filters} directory={directory} staff={staff} errors={props.errors} />
      <CaseResults path={path} filters={filters} result={props.result} now={props.now} zone={directory.calendar.timeZone} caption={title.title} defaultSort="due" defaultDirection="asc" />
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

  app.get<{ Params: { queue: string }; Querystring: Record<string, unknown> }>('/staff/queues/:queue', { onRequest }, async (request: FastifyRequest<{ Params: { queue: string }; Querystring: Record<string, unknown> }>, reply) => {
    const staff = request.staff!;
    const queue = request.params.queue as QueueName;
    if (!queueNames.includes(queue)) throw new AppError('NOT_FOUND', `There is no queue "${request.params.queue}". The queues are listed on the Queues page.`);
    const directory = await services.directory.get();
    const { errors: _ignored, ...filters } = readFilters(request.query);
    const list = { ...filters, queue, text: undefined };
    const { result, errors } = await runList(services, staff, list);
    const declined = typeof request.query['declined'] === 'string' && new RegExp(referencePattern).test(request.query['declined']) ? request.query['declined'] : undefined;
    const notice = declined ? `Transfer of ${declined} declined: the case went back to the division that sent it, with your reason.` : undefined;
    return sendPage(reply, QueuePage({ staff, directory, queue, filters: list, result, errors, now: services.clock.now(), notice }), result ? 200 : 400);
  });

  await registerSearchPage(app, services);
}
