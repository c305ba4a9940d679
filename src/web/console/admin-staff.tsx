import type { FastifyInstance, RouteShorthandOptions } from 'fastify';
import type { CaseServices } from '../../cases/case-services.js';
import { changeStaffRole, createStaffAccount, findStaffAccount, listStaffAccounts, setStaffAccountActive, setStaffPassword, type StaffAccount } from '../../directory/change-staff-account.js';
import { roleCodes } from '../../directory/municipality-config.js';
import type { StaffMember } from '../../directory/staff.js';
import { Alert, Badge, ErrorSummary, Select, TextField, type FieldErrors, type Option } from '../components.js';
import { formatDate, formatShortDateTime } from '../format.js';
import { sendPage } from '../render.js';
import { roleNames } from './console-auth.js';
import { ConsolePage, formErrors, idOf, signedIn, textOf } from './reference-layout.js';

type Guards = RouteShorthandOptions['onRequest'];

const roleOptions: Option[] = roleCodes.map((code) => ({ value: code, label: roleNames[code] }));

/** Division and department choices, from the directory in memory and the database. */
async function placeOptions(services: CaseServices): Promise<{ divisions: Option[]; departments: Option[] }> {
  const directory = await services.directory.get();
  const departments = await services.db.kysely.selectFrom('department').select(['code', 'name']).orderBy('name').execute();
  return {
    divisions: [...directory.divisions].sort((a, b) => a.name.localeCompare(b.name)).map((d) => ({ value: d.code, label: d.name })),
    departments: departments.map((d) => ({ value: d.code, label: d.name })),
  };
}

const where = (a: StaffAccount): string => a.division?.name ?? a.department?.name ?? 'Corporate';

const flashes: Record<string, string> = {
  created: 'The account is created. Give the person their e-mail address and password; they can sign in now.',
  role: 'The role is changed. It applies from the person’s next page.',
  password: 'The new password is set and the account is unlocked. Any other sign-ins of this person are ended.',
  deactivated: 'The account is deactivated: the person is signed out and cannot sign in.',
  reactivated: 'The account is active again.',
};

/** Staff accounts: the list, a new account, and one account's role, password and status. */
export function registerAdminStaffPages(app: FastifyInstance, services: CaseServices, onRequest: Guards): void {
  app.get('/staff/admin/staff', { onRequest }, async (request, reply) => {
    const staff = signedIn(request);
    const directory = await services.directory.get();
    const accounts = await listStaffAccounts(services.db.kysely);
    const zone = directory.calendar.timeZone;
    return sendPage(
      reply,
      <ConsolePage
        staff={staff}
        municipality={directory.municipality.name}
        path="/staff/admin/staff"
        title="Staff accounts"
        crumbs={[{ href: '/staff/admin', label: 'Administration' }, { label: 'Staff accounts' }]}
      >
        <h1>Staff accounts</h1>
        <p>
          <a class="button" href="/staff/admin/staff/new">
            Add a staff account
          </a>
        </p>
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Staff accounts">
          <table>
            <caption>
              {accounts.filter((a) => a.active).length} active accounts of {accounts.length}
            </caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">E-mail</th>
                <th scope="col">Role</th>
                <th scope="col">Where</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {accounts.map((a) => (
                <tr>
                  <th scope="row">
                    <a href={`/staff/admin/staff/${a.id}`}>{a.name}</a>
                  </th>
                  <td>{a.email}</td>
                  <td>{roleNames[a.role]}</td>
                  <td>{where(a)}</td>
                  <td>
                    <AccountStatus account={a} now={services.clock.now()} />
                  </td>
                  <td>{formatDate(a.createdAt, zone)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </ConsolePage>,
    );
  });

  const newAccountPage = async (staff: StaffMember, values: Record<string, string>, errors: FieldErrors) => {
    const directory = await services.directory.get();
    const { divisions, departments } = await placeOptions(services);
    return (
      <ConsolePage
        staff={staff}
        municipality={directory.municipality.name}
        path="/staff/admin/staff/new"
        title="Add a staff account"
        crumbs={[{ href: '/staff/admin', label: 'Administration' }, { href: '/staff/admin/staff', label: 'Staff accounts' }, { label: 'Add an account' }]}
      >
        <div class="panel">
          <h1>Add a staff account</h1>
          <ErrorSummary errors={errors} />
          <form method="post" action="/staff/admin/staff/new" novalidate>
            <TextField name="name" label="Full name" autocomplete="off" value={values['name']} required error={errors['name']} maxLength={200} />
            <TextField name="email" label="Work e-mail" type="email" autocomplete="off" value={values['email']} required error={errors['email']} maxLength={254} />
            <PlaceFields values={values} errors={errors} divisions={divisions} departments={departments} />
            <TextField
              name="password"
              label="Password"
              type="password"
              autocomplete="new-password"
              hint="At least 12 characters. Give it to the person privately."
              required
              error={errors['password']}
            />
            <div class="actions">
              <button type="submit">Create the account</button>
              <a href="/staff/admin/staff">Cancel</a>
            </div>
          </form>
        </div>
      </ConsolePage>
    );
  };

  app.get('/staff/admin/staff/new', { onRequest }, async (request, reply) => sendPage(reply, await newAccountPage(signedIn(request), { role: 'division_staff' }, {})));

  app.post<{ Body: Record<string, unknown> }>('/staff/admin/staff/new', { onRequest }, async (request, reply) => {
    const staff = signedIn(request);
    const body = request.body ?? {};
    const values = { name: textOf(body, 'name'), email: textOf(body, 'email'), role: textOf(body, 'role'), division: textOf(body, 'division'), department: textOf(body, 'department') };
    try {
      const { id } = await createStaffAccount({
        db: services.db,
        actor: staff,
        staff: { ...values, division: values.division || undefined, department: values.department || undefined, password: textOf(body, 'password') },
        now: services.clock.now(),
      });
      return reply.redirect(`/staff/admin/staff/${id}?done=created`, 303);
    } catch (error) {
      const errors = formErrors(error, ['name', 'email', 'role', 'division', 'department', 'password']);
      return sendPage(reply, await newAccountPage(staff, values, errors), 400);
    }
  });

  const accountPage = async (staff: StaffMember, id: number, options: { done?: string | undefined; errors?: FieldErrors; values?: Record<string, string> } = {}) => {
    const directory = await services.directory.get();
    const account = await findStaffAccount(services.db.kysely, id);
    const { divisions, departments } = await placeOptions(services);
    const errors = options.errors ?? {};
    const values = options.values ?? { role: account.role, division: account.division?.code ?? '', department: account.department?.code ?? '' };
    const zone = directory.calendar.timeZone;
    return (
      <ConsolePage
        staff={staff}
        municipality={directory.municipality.name}
        path={`/staff/admin/staff/${account.id}`}
        title={account.name}
        crumbs={[{ href: '/staff/admin', label: 'Administration' }, { href: '/staff/admin/staff', label: 'Staff accounts' }, { label: account.name }]}
      >
        <h1>{account.name}</h1>
        {options.done && flashes[options.done] ? (
          <Alert kind="ok">
            <p>{flashes[options.done]}</p>
          </Alert>
        ) : null}
        <ErrorSummary errors={errors} />
        <dl class="facts">
          <dt>E-mail</dt>
          <dd>{account.email}</dd>
          <dt>Role</dt>
          <dd>{roleNames[account.role]}</dd>
          <dt>Where</dt>
          <dd>{where(account)}</dd>
          <dt>Status</dt>
          <dd>
            <AccountStatus account={account} now={services.clock.now()} />
            {account.lockedUntil && account.lockedUntil > services.clock.now() ? ` until ${formatShortDateTime(account.lockedUntil, zone)}` : null}
          </dd>
          <dt>Created</dt>
          <dd>{formatDate(account.createdAt, zone)}</dd>
        </dl>
        <div class="grid admin-forms">
          <section class="card" aria-labelledby="role-heading">
            <h2 id="role-heading">Role and where they work</h2>
            <form method="post" action={`/staff/admin/staff/${account.id}/role`} novalidate>
              <PlaceFields values={values} errors={errors} divisions={divisions} departments={departments} />
              <button type="submit">Change the role</button>
            </form>
          </section>
          <section class="card" aria-labelledby="password-heading">
            <h2 id="password-heading">Set a new password</h2>
            <form method="post" action={`/staff/admin/staff/${account.id}/password`} novalidate>
              <TextField
                name="password"
                label="New password"
                type="password"
                autocomplete="new-password"
                hint="At least 12 characters. This also unlocks the account."
                required
                error={errors['password']}
              />
              <button type="submit">Set the password</button>
            </form>
          </section>
          <section class="card" aria-labelledby="status-heading">
            <h2 id="status-heading">{account.active ? 'Deactivate the account' : 'Reactivate the account'}</h2>
            <p>
              {account.active
                ? 'The person is signed out at once and cannot sign in. Their name stays on the cases they worked on.'
                : 'The person can sign in again with their password.'}
            </p>
            <form method="post" action={`/staff/admin/staff/${account.id}/active`}>
              <input type="hidden" name="active" value={account.active ? 'no' : 'yes'} />
              <button type="submit" class={account.active ? 'button--danger' : undefined}>
                {account.active ? 'Deactivate' : 'Reactivate'}
              </button>
            </form>
          </section>
        </div>
      </ConsolePage>
    );
  };

  app.get<{ Params: { id: string }; Querystring: { done?: string } }>('/staff/admin/staff/:id', { onRequest }, async (request, reply) =>
    sendPage(reply, await accountPage(signedIn(request), idOf(request.params.id), { done: request.query.done })),
  );

  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>('/staff/admin/staff/:id/role', { onRequest }, async (request, reply) => {
    const staff = signedIn(request);
    const id = idOf(request.params.id);
    const body = request.body ?? {};
    const values = { role: textOf(body, 'role'), division: textOf(body, 'division'), department: textOf(body, 'department') };
    try {
      await changeStaffRole({ db: services.db, actor: staff, staffId: id, role: values.role, division: values.division || undefined, department: values.department || undefined, now: services.clock.now() });
      return reply.redirect(`/staff/admin/staff/${id}?done=role`, 303);
    } catch (error) {
      return sendPage(reply, await accountPage(staff, id, { errors: formErrors(error, ['role', 'division', 'department']), values }), 400);
    }
  });

  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>('/staff/admin/staff/:id/password', { onRequest }, async (request, reply) => {
    const staff = signedIn(request);
    const id = idOf(request.params.id);
    try {
      await setStaffPassword({ db: services.db, actor: staff, staffId: id, password: textOf(request.body, 'password'), now: services.clock.now() });
      return reply.redirect(`/staff/admin/staff/${id}?done=password`, 303);
    } catch (error) {
      return sendPage(reply, await accountPage(staff, id, { errors: formErrors(error, ['password']) }), 400);
    }
  });

  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>('/staff/admin/staff/:id/active', { onRequest }, async (request, reply) => {
    const staff = signedIn(request);
    const id = idOf(request.params.id);
    const active = textOf(request.body, 'active') === 'yes';
    try {
      await setStaffAccountActive({ db: services.db, actor: staff, staffId: id, active, now: services.clock.now() });
      return reply.redirect(`/staff/admin/staff/${id}?done=${active ? 'reactivated' : 'deactivated'}`, 303);
    } catch (error) {
      return sendPage(reply, await accountPage(staff, id, { errors: formErrors(error, []) }), 400);
    }
  });
}

function AccountStatus(props: { account: StaffAccount; now: Date }) {
  if (!props.account.active) return <Badge kind="muted">Deactivated</Badge>;
  if (props.account.lockedUntil && props.account.lockedUntil > props.now) return <Badge kind="bad">Locked</Badge>;
  return <Badge kind="ok">Active</Badge>;
}

function PlaceFields(props: { values: Record<string, string>; errors: FieldErrors; divisions: Option[]; departments: Option[] }) {
  return (
    <>
      <Select name="role" label="Role" options={roleOptions} value={props.values['role']} required error={props.errors['role']} />
      <Select
        name="division"
        label="Division"
        hint="For Customer Service, division staff and Division Heads."
        placeholder="Not in a division"
        options={props.divisions}
        value={props.values['division']}
        error={props.errors['division']}
      />
      <Select
        name="department"
        label="Department"
        hint="For a Department Head: the department they head."
        placeholder="Not a Department Head"
        options={props.departments}
        value={props.values['department']}
        error={props.errors['department']}
      />
    </>
  );
}
