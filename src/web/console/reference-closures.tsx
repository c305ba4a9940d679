import type { FastifyInstance } from 'fastify';
import type { ComponentChildren } from 'preact';
import type { CaseServices } from '../../cases/case-services.js';
import { listClosureDays, type ClosureDayEntry } from '../../directory/change-closure-day.js';
import { Badge, ErrorSummary, TextField, type FieldErrors } from '../components.js';
import { formatCalendarDate, formatDate } from '../format.js';
import { sendPage } from '../render.js';
import { requireStaffPage } from './console-auth.js';
import { ConsolePage, signedIn } from './reference-layout.js';
import { supportedYears } from '../../standard/calendar.js';

/** The closure calendar (INTERPRETATION §1): the days the City is closed, which no business-day target counts. */
export function registerClosurePages(app: FastifyInstance, services: CaseServices): void {
  app.get<{ Querystring: { year?: string } }>('/staff/closures', { onRequest: requireStaffPage(services) }, async (request, reply) => {
    const staff = signedIn(request);
    const directory = await services.directory.get();
    const thisYear = Number(directory.calendar.localDate(services.clock.now().getTime()).slice(0, 4));
    const chosen = readYear(request.query.year);
    const errors: FieldErrors = chosen === 'invalid' ? { year: `Enter a year between ${minYear} and ${maxYear}, such as ${thisYear}.` } : {};
    const years = typeof chosen === 'number' ? [chosen] : [thisYear, thisYear + 1];
    const lists = await Promise.all(years.map(async (year) => ({ year, days: await listClosureDays(services.db.kysely, year) })));
    const zone = directory.calendar.timeZone;
    return sendPage(
      reply,
      <ConsolePage staff={staff} municipality={directory.municipality.name} path="/staff/closures" title="Closure days" crumbs={[{ label: 'Closure days' }]}>
        <h1>Closure days</h1>
        <p class="lede">
          The days the City is closed. A closure day is not a business day, so targets in business days and business hours skip it.
        </p>
        <ErrorSummary errors={errors} />
        <form method="get" action="/staff/closures" class="toolbar" aria-label="Choose a year">
          <TextField name="year" label="Year" type="number" class="narrow" value={typeof chosen === 'number' ? String(chosen) : request.query.year} required error={errors['year']} />
          <button type="submit" class="button--secondary">
            Show
          </button>
          {typeof chosen === 'number' ? <a href="/staff/closures">This year and next</a> : null}
        </form>
        {staff.role === 'administrator' ? (
          <p>
            <a href="/staff/admin/closures">Add or remove a closure day</a>
          </p>
        ) : null}
        {lists.map(({ year, days }) => (
          <section aria-labelledby={`closures-${year}`}>
            <h2 id={`closures-${year}`}>{year}</h2>
            <ClosureTable year={year} days={days} zone={zone} />
          </section>
        ))}
      </ConsolePage>,
    );
  });
}

export const minYear = supportedYears.first;
export const maxYear = supportedYears.last;

/** A year from a query string: absent, a year in range, or invalid. */
export function readYear(text: string | undefined): number | 'invalid' | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  if (!/^\d{4}$/.test(text.trim())) return 'invalid';
  const year = Number(text.trim());
  return year >= minYear && year <= maxYear ? year : 'invalid';
}

/** A year's closure days; days an administrator added or removed are marked, with who and why. */
export function ClosureTable(props: { year: number; days: ClosureDayEntry[]; zone: string; action?: (day: ClosureDayEntry) => ComponentChildren; actionHeading?: string }) {
  const closed = props.days.filter((d) => d.source !== 'removed').length;
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={`Closure days of ${props.year}`}>
      <table>
        <caption>
          {props.year}: {closed} closure {closed === 1 ? 'day' : 'days'}
        </caption>
        <thead>
          <tr>
            <th scope="col">Date</th>
            <th scope="col">Closure</th>
            <th scope="col">Source</th>
            {props.action ? <th scope="col">{props.actionHeading ?? 'Action'}</th> : null}
          </tr>
        </thead>
        <tbody>
          {props.days.map((d) => (
            <tr class={d.source === 'removed' ? 'closure--removed' : undefined}>
              <th scope="row">{d.source === 'removed' ? <del>{formatCalendarDate(d.date)}</del> : formatCalendarDate(d.date)}</th>
              <td>{d.source === 'removed' ? <del>{d.name}</del> : d.name}</td>
              <td>
                {d.source === 'default' ? (
                  <span class="muted">Standard holiday</span>
                ) : (
                  <>
                    {d.source === 'added' ? <Badge kind="warn">Added by an administrator</Badge> : <Badge kind="bad">Removed by an administrator: open that day</Badge>}
                    <span class="hint">
                      {d.changedBy} on {d.changedAt ? formatDate(d.changedAt, props.zone) : ''}
                      {d.reason ? `: ${d.reason}` : ''}
                    </span>
                  </>
                )}
              </td>
              {props.action ? <td>{props.action(d)}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
