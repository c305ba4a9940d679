import type { FastifyInstance, RouteShorthandOptions } from 'fastify';
import type { CaseServices } from '../../cases/case-services.js';
import { changeServiceTargets } from '../../directory/change-service-targets.js';
import { listDstVersions } from '../../directory/list-dst-versions.js';
import type { StaffMember } from '../../directory/staff.js';
import { AppError } from '../../platform/errors.js';
import { formatTarget } from '../../standard/targets.js';
import { ErrorSummary, TextField, type FieldErrors } from '../components.js';
import { dateFieldHint, formatCalendarDate } from '../format.js';
import { sendPage } from '../render.js';
import { ConsolePage, formErrors, signedIn, targetsInWords, textOf } from './reference-layout.js';

type Guards = RouteShorthandOptions['onRequest'];

/**
 * An administrator changes a request type's targets (CSS §4, §8.2): a new DST version of its
 * division from a date today or later; requests received before then keep the targets they have.
 */
export function registerAdminTargetPages(app: FastifyInstance, services: CaseServices, onRequest: Guards): void {
  app.get('/staff/admin/targets', { onRequest }, async (request, reply) => {
    const staff = signedIn(request);
    const directory = await services.directory.get();
    const now = services.clock.now().getTime();
    const types = directory.activeRequestTypeCodes
      .map((code) => directory.serviceTargets(code, now))
      .sort((a, b) => a.division.name.localeCompare(b.division.name) || a.requestType.name.localeCompare(b.requestType.name));
    return sendPage(
      reply,
      <ConsolePage
        staff={staff}
        municipality={directory.municipality.name}
        path="/staff/admin/targets"
        title="Change service targets"
        crumbs={[{ href: '/staff/admin', label: 'Administration' }, { label: 'Service targets' }]}
      >
        <h1>Change service targets</h1>
        <p class="lede">
          Choose a request type. Its new targets become a new version of its division's Division Service Targets, from the date you choose. See every version on the{' '}
          <a href="/staff/targets">Division Service Targets</a> pages.
        </p>
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Request types and their targets">
          <table>
            <caption>Request types and the targets in force today</caption>
            <thead>
              <tr>
                <th scope="col">Request type</th>
                <th scope="col">Division</th>
                <th scope="col">Targets in force</th>
                <th scope="col">Change</th>
              </tr>
            </thead>
            <tbody>
              {types.map((t) => (
                <tr>
                  <th scope="row">{t.requestType.name}</th>
                  <td>
                    <a href={`/staff/targets/${encodeURIComponent(t.division.code)}`}>{t.division.name}</a> (version {t.dstVersion.version})
                  </td>
                  <td>{targetsInWords(t.targets)}</td>
                  <td>
                    <a href={`/staff/admin/targets/${encodeURIComponent(t.requestType.code)}`}>
                      Change<span class="visually-hidden"> the targets of {t.requestType.name}</span>
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </ConsolePage>,
    );
  });

  const formPage = async (staff: StaffMember, code: string, options: { errors?: FieldErrors; body?: unknown } = {}) => {
    const directory = await services.directory.get();
    const now = services.clock.now().getTime();
    const type = directory.serviceTargets(code, now).requestType;
    const division = directory.serviceTargets(code, now).division;
    const today = directory.calendar.localDate(now);
    const { versions } = await listDstVersions(services.db.kysely, division.code, today);
    // The new version copies the latest (which may be scheduled for later than today).
    const latest = versions[0]!;
    const base = latest.targets.find((t) => t.requestType.code === code)?.targets;
    const errors = options.errors ?? {};
    const given = (path: string[], fallback: string): string => (options.body !== undefined ? textOf(options.body, ...path) : fallback);
    const rule = base?.byAttribute;
    const question = rule ? type.attributes.find((a) => a.code === rule.attribute) : undefined;
    const title = `Change the targets of ${type.name}`;
    return (
      <ConsolePage
        staff={staff}
        municipality={directory.municipality.name}
        path={`/staff/admin/targets/${type.code}`}
        title={title}
        crumbs={[{ href: '/staff/admin', label: 'Administration' }, { href: '/staff/admin/targets', label: 'Service targets' }, { label: type.name }]}
      >
        <div class="panel">
          <h1>{title}</h1>
          <p>
            {division.name}'s latest Division Service Targets are version {latest.version}, from {formatCalendarDate(latest.effectiveFrom)}. Saving creates version {Math.max(...versions.map((v) => v.version)) + 1}{' '}
            with these targets for {type.name} and the division's other targets unchanged.
          </p>
          <ErrorSummary errors={errors} />
          <form method="post" action={`/staff/admin/targets/${encodeURIComponent(type.code)}`} novalidate>
            <TextField
              name="acknowledge"
              label="Acknowledge within"
              hint='A whole number and a unit: "2 business days", "8 business hours", "24 hours" or "14 calendar days".'
              value={given(['acknowledge'], base ? formatTarget(base.acknowledge) : '')}
              required
              error={errors['acknowledge']}
              class="narrow"
            />
            <TextField name="resolve" label="Resolve within" value={given(['resolve'], base ? formatTarget(base.resolve) : '')} required error={errors['resolve']} class="narrow" />
            {rule ? (
              <>
                <h2>Targets by answer</h2>
                <p class="hint">
                  {question?.description ?? rule.attribute} Leave a target blank to use the one above.
                </p>
                {Object.entries(rule.values)
                  .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
                  .map(([value, t]) => (
                    <fieldset class="target-value">
                      <legend>{question?.values?.find((v) => v.key === value)?.name ?? value}</legend>
                      <TextField
                        name={`byValue[v_${value}][acknowledge]`}
                        label="Acknowledge within"
                        value={given(['byValue', `v_${value}`, 'acknowledge'], t.acknowledge ? formatTarget(t.acknowledge) : '')}
                        error={errors[`byValue[v_${value}][acknowledge]`]}
                        class="narrow"
                      />
                      <TextField
                        name={`byValue[v_${value}][resolve]`}
                        label="Resolve within"
                        value={given(['byValue', `v_${value}`, 'resolve'], t.resolve ? formatTarget(t.resolve) : '')}
                        error={errors[`byValue[v_${value}][resolve]`]}
                        class="narrow"
                      />
                    </fieldset>
                  ))}
              </>
            ) : null}
            <TextField
              name="effectiveFrom"
              label="Take effect on"
              type="date"
              hint={`Today or later. Requests received before this date keep the targets they were given. ${dateFieldHint(formatCalendarDate(today))}`}
              value={given(['effectiveFrom'], '')}
              required
              error={errors['effectiveFrom']}
              class="narrow"
            />
            <TextField name="note" label="Note" hint="Why the targets change, e.g. the Council report that decided it." value={given(['note'], '')} error={errors['note']} maxLength={300} />
            <div class="actions">
              <button type="submit">Save the new targets</button>
              <a href="/staff/admin/targets">Cancel</a>
            </div>
          </form>
        </div>
      </ConsolePage>
    );
  };

  app.get<{ Params: { type: string } }>('/staff/admin/targets/:type', { onRequest }, async (request, reply) => sendPage(reply, await formPage(signedIn(request), request.params.type)));

  app.post<{ Params: { type: string }; Body: Record<string, unknown> }>('/staff/admin/targets/:type', { onRequest }, async (request, reply) => {
    const staff = signedIn(request);
    const body = request.body ?? {};
    const byValueRaw = body['byValue'];
    const byValue: Record<string, { acknowledge?: string; resolve?: string }> = {};
    // Each value's fields are named byValue[v_<value>][…]: a bare number would make the form parser build an array.
    if (byValueRaw && typeof byValueRaw === 'object' && !Array.isArray(byValueRaw)) {
      for (const key of Object.keys(byValueRaw).filter((k) => k.startsWith('v_'))) {
        byValue[key.slice(2)] = { acknowledge: textOf(byValueRaw, key, 'acknowledge'), resolve: textOf(byValueRaw, key, 'resolve') };
      }
    }
    try {
      const changed = await changeServiceTargets({
        db: services.db,
        actor: staff,
        requestType: request.params.type,
        targets: { acknowledge: textOf(body, 'acknowledge'), resolve: textOf(body, 'resolve'), byValue },
        effectiveFrom: textOf(body, 'effectiveFrom'),
        note: textOf(body, 'note'),
        now: services.clock.now(),
      });
      const directory = await services.directory.get();
      const division = directory.serviceTargets(request.params.type, services.clock.now().getTime()).division;
      return reply.redirect(`/staff/targets/${encodeURIComponent(division.code)}?changed=${changed.version}`, 303);
    } catch (error) {
      if (error instanceof AppError && error.code === 'NOT_FOUND') throw error;
      const fields = ['acknowledge', 'resolve', 'effectiveFrom', 'note', ...Object.keys(byValue).flatMap((v) => [`byValue[v_${v}][acknowledge]`, `byValue[v_${v}][resolve]`])];
      const rename = (field: string) => field.replace(/^byValue\[/, 'byValue[v_');
      return sendPage(reply, await formPage(staff, request.params.type, { errors: formErrors(error, fields, rename), body }), 400);
    }
  });
}
