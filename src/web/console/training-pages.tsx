import type { FastifyInstance } from 'fastify';
import type { CaseServices } from '../../cases/case-services.js';
import { acknowledgeDocument } from '../../governance/acknowledge-document.js';
import { trainingCompletionScope } from '../../governance/governance-policy.js';
import { findStandardEdition, listStandardEditions, currentEdition } from '../../governance/standard-editions.js';
import { documentHref, documentTitle, listTrainingFor, trainingCompletion, type TrainingItem } from '../../governance/training.js';
import { AppError } from '../../platform/errors.js';
import { Alert, Badge } from '../components.js';
import { formatCalendarDate, formatCount, formatDate } from '../format.js';
import { MarkdownDocument, markdownHeadings } from '../markdown.js';
import { sendPage } from '../render.js';
import { requireStaffPage, roleNames } from './console-auth.js';
import { ConsolePage, signedIn } from './reference-layout.js';

/**
 * The Standard's editions, what each person must read and their acknowledgments, and completion
 * per division (CSS §7.2, §8.2, INTERPRETATION §8).
 */

export function StatusBadge(props: { item: Pick<TrainingItem, 'status'> }) {
  const s = props.item.status;
  return s === 'done' ? <Badge kind="ok">Read</Badge> : s === 'overdue' ? <Badge kind="bad">Overdue</Badge> : <Badge kind="warn">To read</Badge>;
}

/** The acknowledgment button of one document (a plain form: works without JavaScript). */
function AcknowledgeForm(props: { item: TrainingItem }) {
  const d = props.item.document;
  const action = d.kind === 'standard' ? `/staff/standard/${encodeURIComponent(d.edition)}/acknowledge` : `/staff/training/dst/${encodeURIComponent(d.divisionCode)}/${d.version}/acknowledge`;
  const what = d.kind === 'standard' ? `the ${d.edition} edition of the Standard` : `version ${d.version} of ${d.divisionName}'s Division Service Targets`;
  return (
    <form method="post" action={action} class="actions">
      <button type="submit">I have read {what}</button>
    </form>
  );
}

function TrainingList(props: { items: TrainingItem[]; zone: string }) {
  return (
    <ul class="training-list">
      {props.items.map((item) => (
        <li class="card">
          <h2>
            <a href={documentHref(item.document)}>{documentTitle(item.document)}</a> <StatusBadge item={item} />
          </h2>
          {item.acknowledgedAt !== null ? (
            <p>You confirmed you read it on {formatDate(item.acknowledgedAt, props.zone)}.</p>
          ) : (
            <>
              <p>
                {item.status === 'overdue' ? 'It was due by ' : 'Please read it by '}
                <strong>{formatDate(item.dueAt, props.zone)}</strong>
                {item.document.kind === 'dst' ? ', then confirm here.' : ' and confirm at the end of the text.'}
              </p>
              {item.document.kind === 'dst' ? (
                <>
                  <p>
                    <a href={documentHref(item.document)}>Read version {item.document.version} of the targets</a>
                  </p>
                  <AcknowledgeForm item={item} />
                </>
              ) : (
                <p>
                  <a href={documentHref(item.document)}>Read the Standard</a>
                </p>
              )}
            </>
          )}
        </li>
      ))}
    </ul>
  );
}

export function registerTrainingPages(app: FastifyInstance, services: CaseServices): void {
  const onRequest = requireStaffPage(services);

  app.get<{ Querystring: { read?: string } }>('/staff/training', { onRequest }, async (request, reply) => {
    const staff = signedIn(request);
    const directory = await services.directory.get();
    const { items, zone } = await listTrainingFor(services.db.kysely, staff.id, services.clock.now());
    const open = items.filter((i) => i.status !== 'done');
    const scope = trainingCompletionScope(staff);
    return sendPage(
      reply,
      <ConsolePage staff={staff} municipality={directory.municipality.name} path="/staff/training" title="What to read" crumbs={[{ label: 'What to read' }]}>
        <h1>What to read</h1>
        <p class="lede">
          Every staff member reads the City's Corporate Customer Service Standard and their own division's Division Service Targets, and confirms they have (CSS §7.2). Urgent case work always comes
          first: reading never blocks it.
        </p>
        {request.query.read ? (
          <Alert kind="ok" title="Thank you">
            <p>Your confirmation is recorded with the version you read.</p>
          </Alert>
        ) : null}
        {items.length === 0 ? <p>There is nothing for you to read right now.</p> : null}
        {items.length > 0 && open.length === 0 ? <p>You have read everything you are asked to read.</p> : null}
        <TrainingList items={items} zone={zone} />
        <p>
          <a href="/staff/standard">Every edition of the Standard</a>
          {scope === undefined || scope.length > 0 ? (
            <>
              {' · '}
              <a href="/staff/training/completion">Who has read them, per division</a>
            </>
          ) : null}
        </p>
      </ConsolePage>,
    );
  });

  app.post<{ Params: { division: string; version: string } }>('/staff/training/dst/:division/:version/acknowledge', { onRequest }, async (request, reply) => {
    const staff = signedIn(request);
    const version = Number(request.params.version);
    if (!Number.isInteger(version) || version < 1) throw new AppError('NOT_FOUND', 'There is no such version of the Division Service Targets.');
    await acknowledgeDocument({ db: services.db, actor: staff, document: { kind: 'dst', division: request.params.division, version }, now: services.clock.now() });
    return reply.redirect('/staff/training?read=1', 303);
  });

  app.get('/staff/standard', { onRequest }, async (request, reply) => {
    const staff = signedIn(request);
    const directory = await services.directory.get();
    const today = directory.calendar.localDate(services.clock.now().getTime());
    const editions = await listStandardEditions(services.db.kysely);
    const current = currentEdition(editions, today);
    return sendPage(
      reply,
      <ConsolePage staff={staff} municipality={directory.municipality.name} path="/staff/standard" title="The Standard" crumbs={[{ label: 'The Standard' }]}>
        <h1>The Corporate Customer Service Standard</h1>
        <p class="lede">Every edition the City issued, kept exactly as issued. The one in force is the latest that has taken effect.</p>
        {editions.length === 0 ? (
          <p>No edition is loaded. An administrator lists the editions in config/governance.yaml and runs citydesk seed.</p>
        ) : (
          <ul class="training-list">
            {editions.map((e) => (
              <li class="card">
                <h2>
                  <a href={`/staff/standard/${encodeURIComponent(e.edition)}`}>{e.title}</a>{' '}
                  {e === current ? <Badge kind="ok">in force</Badge> : e.effectiveFrom > today ? <Badge kind="warn">scheduled</Badge> : <Badge kind="muted">past</Badge>}
                </h2>
                <p class="muted">
                  Edition {e.edition}, in force from {formatCalendarDate(e.effectiveFrom)}.
                </p>
              </li>
            ))}
          </ul>
        )}
      </ConsolePage>,
    );
  });

  app.get<{ Params: { edition: string } }>('/staff/standard/:edition', { onRequest }, async (request, reply) => {
    const staff = signedIn(request);
    const directory = await services.directory.get();
    const now = services.clock.now();
    const edition = await findStandardEdition(services.db.kysely, request.params.edition);
    const { items, zone } = await listTrainingFor(services.db.kysely, staff.id, now);
    const item = items.find((i) => i.document.kind === 'standard' && i.document.editionId === edition.id);
    const headings = markdownHeadings(edition.body).filter((h) => h.level <= 3);
    return sendPage(
      reply,
      <ConsolePage
        staff={staff}
        municipality={directory.municipality.name}
        path={`/staff/standard/${edition.edition}`}
        title={edition.title}
        crumbs={[{ href: '/staff/standard', label: 'The Standard' }, { label: `Edition ${edition.edition}` }]}
      >
        <h1>{edition.title}</h1>
        <p class="lede">
          Edition {edition.edition}, in force from {formatCalendarDate(edition.effectiveFrom)}; the text as the City issued it.
        </p>
        {item && item.acknowledgedAt === null ? (
          <Alert kind={item.status === 'overdue' ? 'warn' : 'info'} title={item.status === 'overdue' ? 'Your confirmation is overdue' : 'Please read this edition'}>
            <p>
              Read it through, then confirm at the end. {item.status === 'overdue' ? 'It was due by' : 'Due by'} {formatDate(item.dueAt, zone)}.
            </p>
          </Alert>
        ) : null}
        {item?.acknowledgedAt ? (
          <Alert kind="ok">
            <p>You confirmed you read this edition on {formatDate(item.acknowledgedAt, zone)}.</p>
          </Alert>
        ) : null}
        {headings.length > 0 ? (
          <nav aria-label="Contents" class="document-contents">
            <details>
              <summary>Contents</summary>
              <ul>
                {headings.map((h) => (
                  <li class={`toc-level-${h.level}`}>
                    <a href={`#${h.id}`}>{h.text}</a>
                  </li>
                ))}
              </ul>
            </details>
          </nav>
        ) : null}
        <article aria-label={edition.title}>
          <MarkdownDocument source={edition.body} />
        </article>
        {item && item.acknowledgedAt === null ? <AcknowledgeForm item={item} /> : null}
      </ConsolePage>,
    );
  });

  app.post<{ Params: { edition: string } }>('/staff/standard/:edition/acknowledge', { onRequest }, async (request, reply) => {
    const staff = signedIn(request);
    await acknowledgeDocument({ db: services.db, actor: staff, document: { kind: 'standard', edition: request.params.edition }, now: services.clock.now() });
    return reply.redirect('/staff/training?read=1', 303);
  });

  app.get('/staff/training/completion', { onRequest }, async (request, reply) => {
    const staff = signedIn(request);
    const scope = trainingCompletionScope(staff);
    if (scope !== undefined && scope.length === 0) {
      throw new AppError('FORBIDDEN', "Who has read the Standard is shown to each division's head, the Manager of Customer Service and the Working Group.");
    }
    const directory = await services.directory.get();
    const { divisions, zone } = await trainingCompletion(services.db.kysely, services.clock.now(), scope);
    const counts = (c: { done: number; due: number; overdue: number }) => `${formatCount(c.done)} read, ${formatCount(c.due)} to read, ${formatCount(c.overdue)} overdue`;
    return sendPage(
      reply,
      <ConsolePage
        staff={staff}
        municipality={directory.municipality.name}
        path="/staff/training/completion"
        title="Training completion"
        crumbs={[{ href: '/staff/training', label: 'What to read' }, { label: 'Completion' }]}
      >
        <h1>Who has read the Standard and their division's targets</h1>
        <p class="lede">Per division: staff who confirmed they read the current edition of the Standard and their division's current Division Service Targets (CSS §7.2).</p>
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Completion per division">
          <table>
            <caption>Completion per division</caption>
            <thead>
              <tr>
                <th scope="col">Division</th>
                <th scope="col" class="num">
                  Staff
                </th>
                <th scope="col">The Standard</th>
                <th scope="col">Division Service Targets</th>
              </tr>
            </thead>
            <tbody>
              {divisions.map((d) => (
                <tr>
                  <th scope="row">{d.divisionName}</th>
                  <td class="num">{formatCount(d.people.length)}</td>
                  <td>{counts(d.standard)}</td>
                  <td>{d.dst.version === null ? <span class="muted">No targets to read</span> : `Version ${d.dst.version}: ${counts(d.dst)}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {divisions.map((d) => (
          <section aria-labelledby={`people-${d.divisionId ?? 'corporate'}`}>
            <h2 id={`people-${d.divisionId ?? 'corporate'}`}>{d.divisionName}</h2>
            <div class="table-wrap" tabIndex={0} role="region" aria-label={`${d.divisionName}: staff`}>
              <table>
                <caption class="visually-hidden">{d.divisionName}: each person</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Role</th>
                    <th scope="col">Document</th>
                    <th scope="col">Status</th>
                    <th scope="col">Due or read</th>
                  </tr>
                </thead>
                <tbody>
                  {d.people.flatMap((p) =>
                    p.items.map((i) => (
                      <tr>
                        <th scope="row">{p.name}</th>
                        <td>{roleNames[p.role]}</td>
                        <td>{documentTitle(i.document)}</td>
                        <td>
                          <StatusBadge item={i} />
                        </td>
                        <td>{i.acknowledgedAt !== null ? `Read ${formatDate(i.acknowledgedAt, zone)}` : `Due ${formatDate(i.dueAt, zone)}`}</td>
                      </tr>
                    )),
                  )}
                </tbody>
              </table>
            </div>
          </section>
        ))}
      </ConsolePage>,
    );
  });
}
