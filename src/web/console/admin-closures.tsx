import type { FastifyInstance, RouteShorthandOptions } from 'fastify';
import type { CaseServices } from '../../cases/case-services.js';
import { changeClosureDay, listClosureDays, type ClosureDayEntry } from '../../directory/change-closure-day.js';
import type { StaffMember } from '../../directory/staff.js';
import { AppError } from '../../platform/errors.js';
import { Alert, ErrorSummary, TextField, type FieldErrors } from '../components.js';
import { dateFieldHint, formatCalendarDate } from '../format.js';
import { sendPage } from '../render.js';
import { ClosureTable, readYear } from './reference-closures.js';
import { ConsolePage, formErrors, signedIn, textOf } from './reference-layout.js';

type Guards = RouteShorthandOptions['onRequest'];

/** An administrator adds a closure day or removes one (INTERPRETATION §1); due dates computed after the change follow it. */
export function registerAdminClosurePages(app: FastifyInstance, services: CaseServices, onRequest: Guards): void {
  const page = async (staff: StaffMember, options: { year?: number | undefined; done?: string | undefined; date?: string | undefined; errors?: FieldErrors; values?: Record<string, string> }) => {
    const directory = await services.directory.get();
    const thisYear = Number(directory.calendar.localDate(services.clock.now().getTime()).slice(0, 4));
    const years = options.year ? [options.year] : [thisYear, thisYear + 1];
    const lists = await Promise.all(years.map(async (year) => ({ year, days: await listClosureDays(services.db.kysely, year) })));
    const errors = options.errors ?? {};
    const values = options.values ?? {};
    const back = options.year ? `?year=${options.year}` : '';
    const action = (day: ClosureDayEntry) => (
      <form method="post" action={`/staff/admin/closures/${day.source === 'removed' ? 'add' : 'remove'}${back}`} class="inline-form">
        <input type="hidden" name="date" value={day.date} />
        <input type="hidden" name="name" value={day.name} />
        <button type="submit" class="button--secondary">
          {day.source === 'removed' ? 'Restore' : 'Remove'}
          <span class="visually-hidden"> {formatCalendarDate(day.date)}</span>
        </button>
      </form>
    );
    return (
      <ConsolePage
        staff={staff}
        municipality={directory.municipality.name}
        path="/staff/admin/closures"
        title="Change closure days"
        crumbs={[{ href: '/staff/admin', label: 'Administration' }, { label: 'Closure days' }]}
      >
        <h1>Change closure days</h1>
        <p class="lede">A closure day is not a business day. Due dates worked out after a change follow it; cases already received keep the dates they were given.</p>
        {options.done && options.date ? (
          <Alert kind="ok">
            <p>
              {formatCalendarDate(options.date)} {options.done === 'added' ? 'is now a closure day.' : 'is no longer a closure day.'}
            </p>
          </Alert>
        ) : null}
        <ErrorSummary errors={errors} />
        <section class="card" aria-labelledby="add-heading">
          <h2 id="add-heading">Add a closure day</h2>
          <form method="post" action={`/staff/admin/closures/add${back}`} novalidate>
            <TextField name="date" label="Date" type="date" hint={dateFieldHint(formatCalendarDate(`${thisYear}-12-24`))} class="narrow" value={values['date']} required error={errors['date']} />
            <TextField name="name" label="Name" hint='What people see, e.g. "Easter Monday" or "Christmas Eve closure".' value={values['name']} required error={errors['name']} maxLength={100} />
            <TextField name="reason" label="Reason" hint="For the record: why the City closes." value={values['reason']} error={errors['reason']} maxLength={300} />
            <button type="submit">Add the closure day</button>
          </form>
        </section>
        <form method="get" action="/staff/admin/closures" class="toolbar" aria-label="Choose a year">
          <TextField name="year" label="Year" type="number" class="narrow" value={options.year ? String(options.year) : ''} required />
          <button type="submit" class="button--secondary">
            Show
          </button>
        </form>
        {lists.map(({ year, days }) => (
          <section aria-labelledby={`closures-${year}`}>
            <h2 id={`closures-${year}`}>{year}</h2>
            <ClosureTable year={year} days={days} zone={directory.calendar.timeZone} action={action} actionHeading="Change" />
          </section>
        ))}
      </ConsolePage>
    );
  };

  const yearOf = (text: string | undefined): number | undefined => {
    const year = readYear(text);
    return typeof year === 'number' ? year : undefined;
  };

  app.get<{ Querystring: { year?: string; done?: string; date?: string } }>('/staff/admin/closures', { onRequest }, async (request, reply) =>
    sendPage(reply, await page(signedIn(request), { year: yearOf(request.query.year), done: request.query.done, date: request.query.date })),
  );

  for (const action of ['add', 'remove'] as const) {
    app.post<{ Querystring: { year?: string }; Body: Record<string, unknown> }>(`/staff/admin/closures/${action}`, { onRequest }, async (request, reply) => {
      const staff = signedIn(request);
      const year = yearOf(request.query.year);
      const values = { date: textOf(request.body, 'date').trim(), name: textOf(request.body, 'name'), reason: textOf(request.body, 'reason') };
      try {
        if (values.date === '') throw new AppError('VALIDATION_FAILED', 'Enter the date of the closure day.', [{ field: 'date', message: 'Enter the date of the closure day.' }]);
        await changeClosureDay({ db: services.db, actor: staff, action, date: values.date, name: values.name, reason: values.reason, now: services.clock.now() });
        const query = new URLSearchParams({ ...(year ? { year: String(year) } : {}), done: action === 'add' ? 'added' : 'removed', date: values.date });
        return reply.redirect(`/staff/admin/closures?${query.toString()}`, 303);
      } catch (error) {
        const errors = formErrors(error, action === 'add' ? ['date', 'name', 'reason'] : []);
        return sendPage(reply, await page(staff, { year, errors, values: action === 'add' ? values : {} }), 400);
      }
    });
  }
}
