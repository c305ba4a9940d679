import type { FastifyInstance } from 'fastify';
import type { CaseServices } from '../../cases/case-services.js';
import { listDivisionTargets, listDstVersions, type DstVersionView } from '../../directory/list-dst-versions.js';
import { Alert, Badge } from '../components.js';
import { formatCalendarDate, formatDate } from '../format.js';
import { sendPage } from '../render.js';
import { requireStaffPage } from './console-auth.js';
import { ConsolePage, signedIn, targetsByInWords, targetsInWords } from './reference-layout.js';

/** Each division's Division Service Targets (CSS §4, §8.2): the version in force, those scheduled, and every past one. */
export function registerTargetPages(app: FastifyInstance, services: CaseServices): void {
  const onRequest = requireStaffPage(services);

  app.get('/staff/targets', { onRequest }, async (request, reply) => {
    const staff = signedIn(request);
    const directory = await services.directory.get();
    const today = directory.calendar.localDate(services.clock.now().getTime());
    const divisions = (await listDivisionTargets(services.db.kysely, today)).filter((d) => d.versions > 0);
    return sendPage(
      reply,
      <ConsolePage staff={staff} municipality={directory.municipality.name} path="/staff/targets" title="Division Service Targets" crumbs={[{ label: 'Division Service Targets' }]}>
        <h1>Division Service Targets</h1>
        <p class="lede">
          Each division's targets for acknowledging and resolving its service requests (CSS §4). A request is measured by the version in force on the day it was received.
        </p>
        {staff.role === 'administrator' ? (
          <p>
            <a href="/staff/admin/targets">Change a request type's targets</a>
          </p>
        ) : null}
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Divisions with Division Service Targets">
          <table>
            <caption>Divisions with Division Service Targets</caption>
            <thead>
              <tr>
                <th scope="col">Division</th>
                <th scope="col">Department</th>
                <th scope="col">In force now</th>
                <th scope="col" class="num">Request types</th>
                <th scope="col">Next version</th>
              </tr>
            </thead>
            <tbody>
              {divisions.map((d) => (
                <tr>
                  <th scope="row">
                    <a href={`/staff/targets/${encodeURIComponent(d.code)}`}>{d.name}</a>
                  </th>
                  <td>{d.departmentName}</td>
                  <td>{d.current ? `Version ${d.current.version}, since ${formatCalendarDate(d.current.effectiveFrom)}` : 'None'}</td>
                  <td class="num">{d.requestTypes}</td>
                  <td>{d.scheduled ? `Version ${d.scheduled.version} from ${formatCalendarDate(d.scheduled.effectiveFrom)}` : <span class="muted">None scheduled</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </ConsolePage>,
    );
  });

  app.get<{ Params: { division: string }; Querystring: { changed?: string } }>('/staff/targets/:division', { onRequest }, async (request, reply) => {
    const staff = signedIn(request);
    const directory = await services.directory.get();
    const zone = directory.calendar.timeZone;
    const today = directory.calendar.localDate(services.clock.now().getTime());
    const { division, versions } = await listDstVersions(services.db.kysely, request.params.division, today);
    const current = versions.find((v) => v.state === 'current');
    const scheduled = versions.filter((v) => v.state === 'scheduled').reverse();
    const past = versions.filter((v) => v.state === 'past');
    const changed = versions.find((v) => String(v.version) === request.query.changed);
    const title = `${division.name}: Division Service Targets`;
    return sendPage(
      reply,
      <ConsolePage
        staff={staff}
        municipality={directory.municipality.name}
        path={`/staff/targets/${division.code}`}
        title={title}
        crumbs={[{ href: '/staff/targets', label: 'Division Service Targets' }, { label: division.name }]}
      >
        <h1>{title}</h1>
        <p class="lede">
          {division.departmentName}. A request is measured by the version in force on the day it was received; later versions never change it.
        </p>
        {changed ? (
          <Alert kind="ok" title="New targets saved">
            <p>
              Version {changed.version} of {division.name}'s Division Service Targets takes effect on {formatCalendarDate(changed.effectiveFrom)}. Requests received before then keep the targets
              they were given.
            </p>
          </Alert>
        ) : null}
        {staff.role === 'administrator' ? (
          <p>
            <a href="/staff/admin/targets">Change a request type's targets</a>
          </p>
        ) : null}
        {current ? (
          <section aria-labelledby="current-version">
            <h2 id="current-version">
              In force now: version {current.version} <Badge kind="ok">current</Badge>
            </h2>
            <VersionTable version={current} zone={zone} />
          </section>
        ) : (
          <p>{division.name} has no Division Service Targets yet.</p>
        )}
        {scheduled.length > 0 ? (
          <section aria-labelledby="scheduled-versions">
            <h2 id="scheduled-versions">Scheduled to take effect</h2>
            {scheduled.map((v) => (
              <>
                <h3>
                  Version {v.version}, from {formatCalendarDate(v.effectiveFrom)} <Badge kind="warn">scheduled</Badge>
                </h3>
                <VersionTable version={v} zone={zone} />
              </>
            ))}
          </section>
        ) : null}
        <section aria-labelledby="past-versions">
          <h2 id="past-versions">Past versions</h2>
          {past.length === 0 ? <p class="muted">None: version {current?.version ?? 1} is the first.</p> : null}
          {past.map((v) => (
            <>
              <h3>
                Version {v.version}, in force from {formatCalendarDate(v.effectiveFrom)} <Badge kind="muted">past</Badge>
              </h3>
              <VersionTable version={v} zone={zone} />
            </>
          ))}
        </section>
      </ConsolePage>,
    );
  });
}

function VersionTable(props: { version: DstVersionView; zone: string }) {
  const v = props.version;
  return (
    <>
      <p class="muted">
        Effective {formatCalendarDate(v.effectiveFrom)}; recorded {formatDate(v.createdAt, props.zone)}
        {v.note ? `. ${v.note}` : ''}.
      </p>
      <div class="table-wrap" tabIndex={0} role="region" aria-label={`Version ${v.version} targets`}>
        <table>
          <caption>Version {v.version} targets by request type</caption>
          <thead>
            <tr>
              <th scope="col">Request type</th>
              <th scope="col">Targets</th>
              <th scope="col">Targets by answer</th>
            </tr>
          </thead>
          <tbody>
            {v.targets.map(({ requestType, targets }) => {
              const by = targetsByInWords(targets, requestType.attributes);
              return (
                <tr>
                  <th scope="row">
                    {requestType.name}
                    {requestType.active ? null : (
                      <>
                        {' '}
                        <Badge kind="muted">retired</Badge>
                      </>
                    )}
                  </th>
                  <td>{targetsInWords(targets)}</td>
                  <td>
                    {by ? (
                      <>
                        <span class="muted">{by.question}</span>
                        <ul class="target-by">
                          {by.rows.map((r) => (
                            <li>
                              {r.label} — {r.words}
                            </li>
                          ))}
                        </ul>
                      </>
                    ) : (
                      <span class="muted">Same for every request</span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}
