import type { FastifyInstance, RouteShorthandOptions } from 'fastify';
import type { CaseServices } from '../../cases/case-services.js';
import type { StaffMember } from '../../directory/staff.js';
import { issueApiKey, listApiKeys, revokeApiKey } from '../../open311/manage-api-keys.js';
import { Alert, Badge, ErrorSummary, TextField, type FieldErrors } from '../components.js';
import { formatShortDateTime } from '../format.js';
import { sendPage } from '../render.js';
import { ConsolePage, formErrors, idOf, signedIn, textOf } from './reference-layout.js';

type Guards = RouteShorthandOptions['onRequest'];

/** Open311 API keys: the list, a new key (shown once, on the page that answers the form), revoking one. */
export function registerAdminApiKeyPages(app: FastifyInstance, services: CaseServices, onRequest: Guards): void {
  const page = async (staff: StaffMember, options: { created?: { name: string; key: string }; revoked?: string | undefined; errors?: FieldErrors; name?: string } = {}) => {
    const directory = await services.directory.get();
    const keys = await listApiKeys(services.db.kysely);
    const zone = directory.calendar.timeZone;
    const errors = options.errors ?? {};
    return (
      <ConsolePage
        staff={staff}
        municipality={directory.municipality.name}
        path="/staff/admin/api-keys"
        title="Open311 API keys"
        crumbs={[{ href: '/staff/admin', label: 'Administration' }, { label: 'Open311 API keys' }]}
      >
        <h1>Open311 API keys</h1>
        <p class="lede">
          An app that submits service requests through the Open311 API (<code>/open311/v2/requests.json</code>) needs a key. Requests it sends are recorded as from the web portal by
          “open311:” and the key's name.
        </p>
        {options.created ? (
          <Alert kind="ok" title={`The key for “${options.created.name}” is ready`}>
            <p>Copy it now and give it to its holder by a safe route. It is shown only this once: citydesk keeps only a fingerprint of it.</p>
            <p>
              <label for="new-api-key">New API key</label>
              <input id="new-api-key" class="api-key" type="text" readOnly value={options.created.key} />
            </p>
          </Alert>
        ) : null}
        {options.revoked ? (
          <Alert kind="ok">
            <p>The key “{options.revoked}” is revoked: requests sent with it are refused from now on.</p>
          </Alert>
        ) : null}
        <ErrorSummary errors={errors} />
        <section class="card" aria-labelledby="new-key-heading">
          <h2 id="new-key-heading">Issue a key</h2>
          <form method="post" action="/staff/admin/api-keys" novalidate>
            <TextField name="name" label="Who uses it" hint='The app or organization, e.g. "SeeClickFix" or "Lindsay ward app".' value={options.name} required error={errors['name']} maxLength={100} />
            <button type="submit">Issue the key</button>
          </form>
        </section>
        <h2>Keys</h2>
        {keys.length === 0 ? (
          <p class="muted">No keys yet.</p>
        ) : (
          <div class="table-wrap" tabIndex={0} role="region" aria-label="API keys">
            <table>
              <caption>
                {keys.filter((k) => !k.revokedAt).length} keys in use, {keys.filter((k) => k.revokedAt).length} revoked
              </caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Starts with</th>
                  <th scope="col">Created</th>
                  <th scope="col">Status</th>
                  <th scope="col">Change</th>
                </tr>
              </thead>
              <tbody>
                {keys.map((k) => (
                  <tr>
                    <th scope="row">{k.name}</th>
                    <td>
                      <code>{k.prefix}…</code>
                    </td>
                    <td>{formatShortDateTime(k.createdAt, zone)}</td>
                    <td>{k.revokedAt ? <Badge kind="muted">Revoked {formatShortDateTime(k.revokedAt, zone)}</Badge> : <Badge kind="ok">In use</Badge>}</td>
                    <td>
                      {k.revokedAt ? null : (
                        <form method="post" action={`/staff/admin/api-keys/${k.id}/revoke`}>
                          <button type="submit" class="button--danger">
                            Revoke<span class="visually-hidden"> the key {k.name}</span>
                          </button>
                        </form>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </ConsolePage>
    );
  };

  app.get<{ Querystring: { revoked?: string } }>('/staff/admin/api-keys', { onRequest }, async (request, reply) => {
    const staff = signedIn(request);
    const id = idOf(request.query.revoked ?? '');
    const revoked = Number.isNaN(id) ? undefined : (await listApiKeys(services.db.kysely)).find((k) => k.id === id && k.revokedAt)?.name;
    return sendPage(reply, await page(staff, { revoked }));
  });

  app.post<{ Body: Record<string, unknown> }>('/staff/admin/api-keys', { onRequest }, async (request, reply) => {
    const staff = signedIn(request);
    const name = textOf(request.body, 'name');
    try {
      const created = await issueApiKey({ db: services.db, actor: staff, name, now: services.clock.now() });
      // The key is shown on this answer only, never put in a URL; the page is never cached (no-store).
      return sendPage(reply, await page(staff, { created }), 201);
    } catch (error) {
      return sendPage(reply, await page(staff, { errors: formErrors(error, ['name']), name }), 400);
    }
  });

  app.post<{ Params: { id: string } }>('/staff/admin/api-keys/:id/revoke', { onRequest }, async (request, reply) => {
    const staff = signedIn(request);
    const id = idOf(request.params.id);
    try {
      await revokeApiKey({ db: services.db, actor: staff, id, now: services.clock.now() });
      return reply.redirect(`/staff/admin/api-keys?revoked=${id}`, 303);
    } catch (error) {
      return sendPage(reply, await page(staff, { errors: formErrors(error, []) }), 400);
    }
  });
}
