import type { FastifyInstance } from 'fastify';
import type { CaseServices } from '../../cases/case-services.js';
import type { CaseFilters } from '../../cases/find-cases.js';
import type { Directory } from '../../directory/directory-cache.js';
import type { StaffMember } from '../../directory/staff.js';
import { Breadcrumbs, ErrorSummary, type FieldErrors } from '../components.js';
import { Layout } from '../layout.js';
import { sendPage } from '../render.js';
import { FilterForm, readFilters } from './c1-case-list.js';
import { consoleLayout, requireStaffPage } from './console-auth.js';
import { CaseResults, runList, type ListResult } from './queue-pages.js';

function SearchPage(props: { staff: StaffMember; directory: Directory; filters: CaseFilters; result: ListResult | null; errors: FieldErrors; now: Date }) {
  const { directory, staff, filters } = props;
  return (
    <Layout title={filters.text ? `Search: ${filters.text}` : 'Search cases'} {...consoleLayout(staff, '/staff/search', directory.municipality.name)}>
      <Breadcrumbs items={[{ href: '/staff', label: 'Home' }, { label: 'Search' }]} />
      <h1>Search cases</h1>
      <p class="lede">Find a case by its reference number, the customer's name, e-mail or phone, the address, or words of its summary. You see the cases you can open.</p>
      <ErrorSummary errors={props.errors} />
      <FilterForm action="/staff/search" now={props.now} filters={filters} directory={directory} staff={staff} errors={props.errors} withText />
      <CaseResults path="/staff/search" filters={filters} result={props.result} now={props.now} zone={directory.calendar.timeZone} caption="Cases found" defaultSort="received" defaultDirection="desc" />
    </Layout>
  );
}

/** Search by reference number, customer, address or text, with the queues' filters. */
export async function registerSearchPage(app: FastifyInstance, services: CaseServices): Promise<void> {
  app.get<{ Querystring: Record<string, unknown> }>('/staff/search', { onRequest: requireStaffPage(services) }, async (request, reply) => {
    const staff = request.staff!;
    const directory = await services.directory.get();
    const { errors: _ignored, ...filters } = readFilters(request.query);
    const asked = Boolean(filters.text || filters.division || filters.requestType || filters.channel || filters.status || filters.due);
    const { result, errors } = asked ? await runList(services, staff, filters) : { result: null, errors: {} };
    return sendPage(reply, SearchPage({ staff, directory, filters, result, errors, now: services.clock.now() }), Object.keys(errors).length > 0 ? 400 : 200);
  });
}
