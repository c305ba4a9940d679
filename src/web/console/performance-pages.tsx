import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CaseServices } from '../../cases/case-services.js';
import type { StaffMember } from '../../directory/staff.js';
import { AppError } from '../../platform/errors.js';
import { performanceDashboard } from '../../performance/dashboard-data.js';
import { findKpis, kpiScope, type KpiQuery } from '../../performance/find-kpis.js';
import { describeShare, type DaysFigure, type ShareFigure } from '../../standard/performance-indicators.js';
import { chartCell, chartRows, renderChartSvg, type ChartData } from '../charts.js';
import { toCsv } from '../csv.js';
import { dateFieldHint, formatDate } from '../format.js';
import { sendPage } from '../render.js';
import { requireStaffPage } from './console-auth.js';
import { ConsolePage, signedIn } from './reference-layout.js';

/** The performance dashboard (CSS §6.2) for the signed-in person's scope: cards, charts with their data, CSV. */

type Query = Record<string, string | undefined>;
const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, 64) : undefined);
const kpiQuery = (q: Query): KpiQuery => ({ from: text(q['from']), to: text(q['to']), division: text(q['division']), type: text(q['type']), channel: text(q['channel']) });
const queryString = (q: KpiQuery): string =>
  new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => typeof e[1] === 'string')).toString();

function Share(props: { figure: ShareFigure }) {
  const f = props.figure;
  return (
    <>
      <strong class="kpi-card__value">{f.state === 'value' ? describeShare(f) : f.state === 'no_data' ? 'No data' : `${f.numerator} of ${f.denominator}`}</strong>
      <span class="kpi-card__note">
        {f.state === 'too_few' ? `too few for a percentage (fewer than ${f.minimumGroupSize}); ` : ''}
        {f.numerator} of {f.denominator} on time, {f.pending} not yet due
      </span>
    </>
  );
}

function Days(props: { figure: DaysFigure }) {
  const f = props.figure;
  return (
    <>
      <strong class="kpi-card__value">{f.state === 'value' ? `${f.median} business days` : f.state === 'no_data' ? 'No data' : `${f.count} resolved`}</strong>
      <span class="kpi-card__note">{f.state === 'value' ? `mean ${f.mean!.toFixed(1)}, 90th percentile ${f.p90}` : f.state === 'too_few' ? 'too few for a median' : 'nothing resolved yet'}</span>
    </>
  );
}

/** A chart with its data as a table; `svg` is a chart kept as rendered (a stored report's). */
export function ChartFigure(props: { chart: ChartData; csvHref?: string; svg?: string }) {
  const c = props.chart;
  return (
    <figure class="chart card" aria-labelledby={`chart-${c.name}`}>
      <figcaption id={`chart-${c.name}`}>
        <h2>{c.title}</h2>
      </figcaption>
      {c.categories.length === 0 ? (
        <p>No data for this period.</p>
      ) : (
        <>
          <div class="chart__svg" role="img" aria-label={`${c.title}: chart; the same data is in the table below`} dangerouslySetInnerHTML={{ __html: props.svg ?? renderChartSvg(c) }} />
          <details>
            <summary>The data as a table</summary>
            <div class="table-wrap" tabIndex={0} role="region" aria-label={`${c.title}: data`}>
              <table>
                <caption>{c.title}</caption>
                <thead>
                  <tr>
                    <th scope="col">{c.name === 'open-aging' ? 'Age' : 'Group'}</th>
                    {c.series.map((s) => (
                      <th scope="col" class="num">
                        {s.name}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {c.categories.map((cat, i) => (
                    <tr>
                      <th scope="row">{cat}</th>
                      {c.series.map((s) => (
                        <td class="num">{chartCell(c, s.values[i] ?? null)}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
      {props.csvHref ? (
        <p>
          <a href={props.csvHref} download>
            Download “{c.title}” as CSV
          </a>
        </p>
      ) : null}
    </figure>
  );
}

function Filters(props: { query: KpiQuery; example: string; services: { divisions: { code: string; name: string }[]; types: { code: string; name: string }[]; channels: { code: string; name: string }[] } }) {
  const q = props.query;
  const select = (name: 'division' | 'type' | 'channel', label: string, options: { code: string; name: string }[]) => (
    <div class="field">
      <label for={`f-${name}`}>{label}</label>
      <select id={`f-${name}`} name={name}>
        <option value="">All</option>
        {options.map((o) => (
          <option value={o.code} selected={q[name] === o.code}>
            {o.name}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <form method="get" action="/staff/performance" class="filters card" aria-label="Filters">
      <div class="field">
        <label for="f-from">From</label>
        <span class="hint" id="f-from-hint">
          {dateFieldHint(props.example)}
        </span>
        <input id="f-from" name="from" type="date" value={q.from ?? ''} aria-describedby="f-from-hint" />
      </div>
      <div class="field">
        <label for="f-to">To</label>
        <span class="hint" id="f-to-hint">
          {dateFieldHint(props.example)}
        </span>
        <input id="f-to" name="to" type="date" value={q.to ?? ''} aria-describedby="f-to-hint" />
      </div>
      {props.services.divisions.length > 1 ? select('division', 'Division', props.services.divisions) : null}
      {select('type', 'Request type', props.services.types)}
      {select('channel', 'Channel', props.services.channels)}
      <button type="submit" class="button">
        Show
      </button>
    </form>
  );
}

export function registerPerformancePages(app: FastifyInstance, services: CaseServices): void {
  const onRequest = requireStaffPage(services);
  const load = async (request: FastifyRequest, staff: StaffMember) => {
    const directory = await services.directory.get();
    const query = kpiQuery(request.query as Query);
    const dashboard = await performanceDashboard({ tx: services.db.kysely, directory, staff, query, now: services.clock.now() });
    return { directory, query, dashboard };
  };

  app.get('/staff/performance', { onRequest }, async (request, reply) => {
    const staff = signedIn(request);
    const { directory, query, dashboard } = await load(request, staff);
    const k = dashboard.kpis;
    const scope = kpiScope(staff, directory);
    const divisions = directory.divisions.filter((d) => scope.divisionIds === null || scope.divisionIds.includes(d.id));
    const qs = queryString(query);
    return sendPage(
      reply,
      <ConsolePage staff={staff} municipality={directory.municipality.name} path="/staff/performance" title="Performance" crumbs={[{ label: 'Performance' }]}>
        <h1>Performance</h1>
        <p class="lede">
          {k.scope[0]!.toUpperCase() + k.scope.slice(1)}, {k.periodRuleWords} from {k.from} to {k.to}, as of {k.asOf}. Compliance counts against the original targets (CSS §6.2); formula {k.formulaVersion}.
        </p>
        <Filters
          query={query}
          example={formatDate(services.clock.now(), directory.calendar.timeZone)}
          services={{
            divisions: divisions.map((d) => ({ code: d.code, name: d.name })),
            types: [{ code: 'inquiry', name: 'General inquiries' }, ...directory.allRequestTypes().filter((t) => divisions.some((d) => d.id === t.divisionId)).map((t) => ({ code: t.code, name: t.name }))],
            channels: directory.channels.map((c) => ({ code: c.code, name: c.name })),
          }}
        />
        <ul class="kpi-cards" aria-label="Key figures">
          <li class="card kpi-card">
            <span class="kpi-card__label">Open now</span>
            <strong class="kpi-card__value">{dashboard.open}</strong>
          </li>
          <li class="card kpi-card">
            <span class="kpi-card__label">Overdue now</span>
            <strong class="kpi-card__value">{dashboard.overdue}</strong>
            <span class="kpi-card__note">acknowledgment or resolution target passed</span>
          </li>
          <li class="card kpi-card">
            <span class="kpi-card__label">Acknowledged within target (service requests)</span>
            <Share figure={k.total.acknowledgment.serviceRequest} />
          </li>
          <li class="card kpi-card">
            <span class="kpi-card__label">Acknowledged within target (inquiries)</span>
            <Share figure={k.total.acknowledgment.inquiry} />
          </li>
          <li class="card kpi-card">
            <span class="kpi-card__label">Resolved within the original target</span>
            <Share figure={k.total.resolution} />
          </li>
          <li class="card kpi-card">
            <span class="kpi-card__label">Revised timelines kept (beside, not instead)</span>
            <Share figure={k.total.revisedTimeline} />
          </li>
          <li class="card kpi-card">
            <span class="kpi-card__label">Median completion</span>
            <Days figure={k.total.completion.businessDays} />
          </li>
        </ul>
        <p>
          <a href={`/api/v1/kpis?${qs}${qs ? '&' : ''}by=type&format=csv`}>Download every figure by request type as CSV</a>
        </p>
        <div class="charts">
          {dashboard.charts.map((c) => (
            <ChartFigure chart={c} csvHref={`/staff/performance/${c.name}.csv${qs ? `?${qs}` : ''}`} />
          ))}
        </div>
        <section class="card" aria-labelledby="recurring-title">
          <h2 id="recurring-title">Escalated again and again</h2>
          <p class="muted">Escalations made in the period (CSS §6.2): request types escalated at least twice, and places where requests of one type were escalated at least three times within about 250 m. Places name the street only.</p>
          {dashboard.recurrence.recurringTypes.length === 0 ? (
            <p>No request type was escalated more than once in this period.</p>
          ) : (
            <div class="table-wrap" tabIndex={0} role="region" aria-label="Recurring request types">
              <table>
                <caption>Recurring request types</caption>
                <thead>
                  <tr>
                    <th scope="col">Request type</th>
                    <th scope="col" class="num">
                      Escalations
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {dashboard.recurrence.recurringTypes.map((t) => (
                    <tr>
                      <th scope="row">{t.name}</th>
                      <td class="num">{t.count}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {dashboard.recurrence.recurringPlaces.length === 0 ? (
            <p>No place had the same type of request escalated three times or more.</p>
          ) : (
            <div class="table-wrap" tabIndex={0} role="region" aria-label="Recurring places">
              <table>
                <caption>Recurring places</caption>
                <thead>
                  <tr>
                    <th scope="col">Request type</th>
                    <th scope="col">Place</th>
                    <th scope="col" class="num">
                      Escalated requests
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {dashboard.recurrence.recurringPlaces.map((p) => (
                    <tr>
                      <th scope="row">{p.requestType}</th>
                      <td>{p.place}</td>
                      <td class="num">{p.count}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      </ConsolePage>,
    );
  });

  app.get<{ Params: { chart: string } }>('/staff/performance/:chart', { onRequest }, async (request, reply) => {
    const name = request.params.chart.replace(/\.csv$/, '');
    const staff = signedIn(request);
    const { dashboard } = await load(request, staff);
    const chart = dashboard.charts.find((c) => c.name === name);
    if (!chart || !request.params.chart.endsWith('.csv')) throw new AppError('NOT_FOUND', `There is no chart ${name.slice(0, 40)}.`);
    const { header, rows } = chartRows(chart);
    return reply.type('text/csv; charset=utf-8').header('cache-control', 'no-store').header('content-disposition', `attachment; filename="${chart.name}.csv"`).send(toCsv(header, rows));
  });
}

/** Every division, as the public page reads it: no personal data, no staff names. */
const publicReader: StaffMember = { id: 0, email: 'public', name: 'public', role: 'working_group', divisionId: null, divisionName: null, departmentId: null, inCustomerService: false };

export async function publicPerformance(services: CaseServices) {
  const directory = await services.directory.get();
  const now = services.clock.now();
  const result = await findKpis({ tx: services.db.kysely, directory, staff: publicReader, query: { by: 'type' }, now });
  return { result, rows: result.groups.filter((g) => g.key !== '0') };
}
