import type { FastifyInstance, RouteShorthandOptions } from 'fastify';
import type { CaseServices } from '../../cases/case-services.js';
import type { StaffMember } from '../../directory/staff.js';
import { changeImportMapping, isMappingKind, listImportMappings, mappingKinds, mappingTargets, type MappingKind } from '../../history/import-mappings.js';
import { AppError } from '../../platform/errors.js';
import { Alert, ErrorSummary, Select, TextField, type FieldErrors } from '../components.js';
import { formatCount, formatShortDateTime } from '../format.js';
import { sendPage } from '../render.js';
import { ConsolePage, formErrors, signedIn, textOf } from './reference-layout.js';

type Guards = RouteShorthandOptions['onRequest'];

const heading: Record<MappingKind, { title: string; value: string; target: string }> = {
  type: { title: 'Source types → request types', value: "Source's type", target: 'Request type in this City' },
  agency: { title: 'Agencies → divisions', value: "Source's agency", target: 'Division in this City' },
  channel: { title: 'Channels', value: "Source's channel", target: 'Channel in this City' },
};

const editHref = (source: string, kind: MappingKind, value: string): string => `/staff/admin/import-mappings/edit?${new URLSearchParams({ source, kind, value }).toString()}`;

/**
 * The lookup tables of imported history (issue 13): what each source's types, agencies and
 * channels mean in this City, and the values its latest import could not map. Administrators only.
 */
export function registerAdminImportMappingPages(app: FastifyInstance, services: CaseServices, onRequest: Guards): void {
  app.get<{ Querystring: { done?: string; source?: string } }>('/staff/admin/import-mappings', { onRequest }, async (request, reply) => {
    const staff = signedIn(request);
    const directory = await services.directory.get();
    const zone = directory.calendar.timeZone;
    const sources = await listImportMappings(services.db.kysely);
    return sendPage(
      reply,
      <ConsolePage staff={staff} municipality={directory.municipality.name} path="/staff/admin/import-mappings" title="Import mappings" crumbs={[{ href: '/staff/admin', label: 'Administration' }, { label: 'Import mappings' }]}>
        <h1>Import mappings</h1>
        <p class="lede">
          What the values of another system's history mean in this City, for <code>citydesk import</code>. A change applies from the next import on: cases imported already keep what they were given. Values not in
          these tables are reported with their counts, never guessed.
        </p>
        {request.query.done === 'changed' ? (
          <Alert kind="ok">
            <p>The mapping is saved. The next import of {request.query.source ?? 'this source'} uses it.</p>
          </Alert>
        ) : null}
        {sources.length === 0 ? <p>No history has been imported yet. The tables fill on the first <code>citydesk import</code> (from its mapping file, or with <code>--organization from-data</code>).</p> : null}
        {sources.map((s) => (
          <section aria-labelledby={`source-${s.code}`} class="card">
            <h2 id={`source-${s.code}`}>{`${s.code} (${s.format} format)`}</h2>
            <p class="muted">{s.lastRun ? `Last import: ${s.lastRun.fileName}, ${formatShortDateTime(s.lastRun.startedAt, zone)} (${s.lastRun.status}).` : 'No import run recorded.'}</p>
            {mappingKinds.map((kind) => (
              <MappingTable source={s.code} kind={kind} rows={s.mappings[kind]} unmapped={s.unmapped[kind]} />
            ))}
          </section>
        ))}
      </ConsolePage>,
    );
  });

  const editPage = async (staff: StaffMember, values: { source: string; kind: string; value: string; target?: string }, errors: FieldErrors = {}) => {
    const directory = await services.directory.get();
    const kind = values.kind;
    if (!isMappingKind(kind)) throw new AppError('NOT_FOUND', 'There is no such mapping table: the tables are of types, agencies and channels.');
    const source = (await listImportMappings(services.db.kysely)).find((s) => s.code === values.source);
    if (!source) throw new AppError('NOT_FOUND', `No history has been imported from a source "${values.source.slice(0, 60)}".`);
    const current = source.mappings[kind].find((m) => m.value === values.value);
    const targets = (await mappingTargets(services.db.kysely))[kind];
    const words = heading[kind];
    return (
      <ConsolePage
        staff={staff}
        municipality={directory.municipality.name}
        path="/staff/admin/import-mappings"
        title={`Map a ${kind}: ${source.code}`}
        crumbs={[{ href: '/staff/admin', label: 'Administration' }, { href: '/staff/admin/import-mappings', label: 'Import mappings' }, { label: `${source.code}: ${kind}` }]}
      >
        <h1>{`Map a ${kind} of ${source.code}`}</h1>
        <ErrorSummary errors={errors} />
        <form method="post" action="/staff/admin/import-mappings/edit" novalidate>
          <input type="hidden" name="source" value={source.code} />
          <input type="hidden" name="kind" value={kind} />
          <TextField name="value" label={words.value} hint="Exactly as the source's file writes it." value={values.value} required error={errors['value']} maxLength={500} />
          <Select
            name="target"
            label={words.target}
            options={targets.map((t) => ({ value: t.code, label: `${t.name} (${t.code})` }))}
            value={values.target ?? current?.target}
            placeholder="Choose one"
            required
            error={errors['target']}
          />
          <button type="submit">Save the mapping</button>
        </form>
      </ConsolePage>
    );
  };

  app.get<{ Querystring: { source?: string; kind?: string; value?: string } }>('/staff/admin/import-mappings/edit', { onRequest }, async (request, reply) =>
    sendPage(reply, await editPage(signedIn(request), { source: request.query.source ?? '', kind: request.query.kind ?? '', value: request.query.value ?? '' })),
  );

  app.post<{ Body: Record<string, unknown> }>('/staff/admin/import-mappings/edit', { onRequest }, async (request, reply) => {
    const staff = signedIn(request);
    const values = { source: textOf(request.body, 'source'), kind: textOf(request.body, 'kind'), value: textOf(request.body, 'value'), target: textOf(request.body, 'target') };
    try {
      await changeImportMapping({ db: services.db, actor: staff, ...values, now: services.clock.now() });
      return reply.redirect(`/staff/admin/import-mappings?${new URLSearchParams({ done: 'changed', source: values.source }).toString()}#source-${encodeURIComponent(values.source)}`, 303);
    } catch (error) {
      const errors = formErrors(error, ['value', 'target']);
      return sendPage(reply, await editPage(staff, values, errors), 400);
    }
  });
}

function MappingTable(props: { source: string; kind: MappingKind; rows: { value: string; target: string; targetName: string | null }[]; unmapped: { value: string; count: number }[] }) {
  const words = heading[props.kind];
  const id = `${props.source}-${props.kind}`;
  return (
    <div>
      <h3 id={id}>{words.title}</h3>
      {props.rows.length === 0 ? (
        <p class="muted">None mapped.</p>
      ) : (
        <div class="table-wrap" tabIndex={0} role="region" aria-labelledby={id}>
          <table>
            <caption>{`${formatCount(props.rows.length)} ${props.kind === 'agency' ? 'agencies' : `${props.kind}s`} of ${props.source}`}</caption>
            <thead>
              <tr>
                <th scope="col">{words.value}</th>
                <th scope="col">{words.target}</th>
                <th scope="col">Change</th>
              </tr>
            </thead>
            <tbody>
              {props.rows.map((r) => (
                <tr>
                  <td>{r.value}</td>
                  <td>{r.targetName ? `${r.targetName} (${r.target})` : `${r.target} (not in this City: rows with it are not imported)`}</td>
                  <td>
                    <a href={editHref(props.source, props.kind, r.value)}>
                      Change<span class="visually-hidden">{` what "${r.value}" means`}</span>
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {props.unmapped.length > 0 ? (
        <>
          <p>{`The last import could not map these ${props.kind === 'agency' ? 'agencies' : `${props.kind}s`}:`}</p>
          <ul>
            {props.unmapped.slice(0, 50).map((u) => (
              <li>
                <a href={editHref(props.source, props.kind, u.value)}>
                  Map<span class="visually-hidden"> the {props.kind}</span> "{u.value}"
                </a>{' '}
                {`(${formatCount(u.count)} rows)`}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}
