import type { FastifyInstance } from 'fastify';
import type { CaseServices } from '../../cases/case-services.js';
import type { Directory } from '../../directory/directory-cache.js';
import type { StaffMember } from '../../directory/staff.js';
import { acceptProposal } from '../../governance/accept-proposal.js';
import { assertMayProposeTargets } from '../../governance/governance-policy.js';
import { defaultReplayPeriod, draftProposal, findProposal, listProposals, type ProposalView, type ProposedTargetsInput } from '../../governance/proposals.js';
import { replayProposal, type ReplayResult } from '../../governance/replay-proposal.js';
import { AppError } from '../../platform/errors.js';
import { describeShare, type Outcome, type ShareFigure } from '../../standard/performance-indicators.js';
import { formatTarget, type ServiceTargets } from '../../standard/targets.js';
import { Alert, Badge, ErrorSummary, TextField, type FieldErrors } from '../components.js';
import { dateFieldHint, formatCalendarDate, formatCount, formatDate } from '../format.js';
import { sendPage } from '../render.js';
import { requireStaffPage } from './console-auth.js';
import { ConsolePage, formErrors, idOf, signedIn, targetsInWords, textOf } from './reference-layout.js';

/**
 * Proposed targets and the what-if replay (CSS §8.3, INTERPRETATION §8), for the Working Group,
 * the Manager of Customer Service, the CAO and administrators (everyone else: 403).
 */

const outcomeWords: Record<Outcome, string> = { on_time: 'on time', missed: 'missed', pending: 'pending', not_recorded: 'not recorded', not_applicable: 'not applicable' };

function share(f: ShareFigure): string {
  return f.state === 'value' ? `${describeShare(f)} (${formatCount(f.numerator)} of ${formatCount(f.denominator)})` : describeShare(f);
}

/** Form field names: flat, so a type's per-value targets fit in an HTML form. */
const ackField = (code: string, value?: string) => (value === undefined ? `t.${code}.ack` : `t.${code}.${value}.ack`);
const resField = (code: string, value?: string) => (value === undefined ? `t.${code}.res` : `t.${code}.${value}.res`);

/** targets[pothole][acknowledge] → t.pothole.ack; targets[pothole][byValue][3][resolve] → t.pothole.3.res */
function renameField(field: string): string {
  const m = /^targets\[([^\]]+)\](?:\[byValue\]\[([^\]]+)\])?\[(acknowledge|resolve)\]$/.exec(field);
  if (!m) return field;
  return m[3] === 'acknowledge' ? ackField(m[1]!, m[2]) : resField(m[1]!, m[2]);
}

function readTargetsForm(body: unknown, directory: Directory, now: Date): Record<string, ProposedTargetsInput> {
  const out: Record<string, ProposedTargetsInput> = {};
  for (const code of directory.activeRequestTypeCodes) {
    const rule = directory.serviceTargets(code, now.getTime()).targets.byAttribute;
    const byValue = rule ? Object.fromEntries(Object.keys(rule.values).map((v) => [v, { acknowledge: textOf(body, ackField(code, v)), resolve: textOf(body, resField(code, v)) }])) : undefined;
    out[code] = { acknowledge: textOf(body, ackField(code)), resolve: textOf(body, resField(code)), byValue };
  }
  return out;
}

function formValues(directory: Directory, now: Date, targets?: Record<string, ServiceTargets>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const code of directory.activeRequestTypeCodes) {
    const t = targets?.[code] ?? directory.serviceTargets(code, now.getTime()).targets;
    values[ackField(code)] = formatTarget(t.acknowledge);
    values[resField(code)] = formatTarget(t.resolve);
    const rule = directory.serviceTargets(code, now.getTime()).targets.byAttribute;
    for (const v of Object.keys(rule?.values ?? {})) {
      const x = t.byAttribute?.values[v];
      values[ackField(code, v)] = x?.acknowledge ? formatTarget(x.acknowledge) : '';
      values[resField(code, v)] = x?.resolve ? formatTarget(x.resolve) : '';
    }
  }
  return values;
}

function ProposalForm(props: { directory: Directory; now: Date; action: string; values: Record<string, string>; errors: FieldErrors; submit: string }) {
  const { directory, now, values, errors } = props;
  const byDivision = new Map<string, string[]>();
  for (const code of directory.activeRequestTypeCodes) {
    const division = directory.serviceTargets(code, now.getTime()).division.name;
    byDivision.set(division, [...(byDivision.get(division) ?? []), code]);
  }
  return (
    <form method="post" action={props.action} class="proposal-form" noValidate>
      <TextField name="title" label="Name of the proposal" required value={values['title']} error={errors['title']} maxLength={200} />
      <fieldset>
        <legend>Period to replay</legend>
        <span class="hint">Every service request received in it is measured again. The last 12 months unless you choose otherwise.</span>
        <div class="intake-pair">
          <TextField name="periodFrom" label="From" type="date" hint={dateFieldHint(formatDate(now, directory.calendar.timeZone))} required value={values['periodFrom']} error={errors['periodFrom']} />
          <TextField name="periodTo" label="To" type="date" hint={dateFieldHint(formatDate(now, directory.calendar.timeZone))} required value={values['periodTo']} error={errors['periodTo']} />
        </div>
      </fieldset>
      {values['recommendation'] ? <input type="hidden" name="recommendation" value={values['recommendation']} /> : null}
      <h2>Proposed targets</h2>
      <p class="hint">
        Each request type shows its current targets. Change the ones you propose; the others stay as they are. Write targets as a DST does: "2 business days", "8 business hours", "24 hours",
        "14 calendar days".
      </p>
      {errors['targets'] ? <p class="error-message">{errors['targets']}</p> : null}
      {[...byDivision].map(([division, codes]) => (
        <fieldset class="form-section">
          <legend>{division}</legend>
          {codes.map((code) => {
            const current = directory.serviceTargets(code, now.getTime());
            const rule = current.targets.byAttribute;
            const question = current.requestType.attributes.find((a) => a.code === rule?.attribute);
            return (
              <div class="proposal-type">
                <h3>{current.requestType.name}</h3>
                <p class="muted">Now: {targetsInWords(current.targets)}.</p>
                <div class="intake-pair">
                  <TextField name={ackField(code)} label="Acknowledge within" required value={values[ackField(code)]} error={errors[ackField(code)]} />
                  <TextField name={resField(code)} label="Resolve within" required value={values[resField(code)]} error={errors[resField(code)]} />
                </div>
                {rule
                  ? Object.keys(rule.values).map((v) => {
                      const label = question?.values?.find((x) => x.key === v)?.name ?? v;
                      return (
                        <div class="intake-pair">
                          <TextField name={ackField(code, v)} label={`Acknowledge within, ${label}`} hint="Blank: the type's target above" value={values[ackField(code, v)]} error={errors[ackField(code, v)]} />
                          <TextField name={resField(code, v)} label={`Resolve within, ${label}`} hint="Blank: the type's target above" value={values[resField(code, v)]} error={errors[resField(code, v)]} />
                        </div>
                      );
                    })
                  : null}
              </div>
            );
          })}
        </fieldset>
      ))}
      <div class="actions">
        <button type="submit">{props.submit}</button>
        <a href="/staff/proposals">Cancel</a>
      </div>
    </form>
  );
}

function ReplayView(props: { result: ReplayResult; zone: string }) {
  const r = props.result;
  const arrow = (x: { before: Outcome; after: Outcome } | null) => (x ? `${outcomeWords[x.before]} → ${outcomeWords[x.after]}` : <span class="muted">unchanged</span>);
  return (
    <section aria-labelledby="replay" class="replay-result">
      <h2 id="replay">What it would have changed</h2>
      <p>
        {formatCount(r.cases)} service requests received from {formatCalendarDate(r.period.from)} to {formatCalendarDate(r.period.to)}, replayed on {formatDate(new Date(r.asOf), props.zone)}:
        each measured against its original targets (as it was) and against the proposal's, recomputed from its original receipt with the City's calendar (as it would have been), with what
        staff actually did unchanged. Compliance = on time ÷ (on time + missed); open cases not yet due count in neither ({r.formulaVersion}).
      </p>
      <p>
        <strong>{formatCount(r.changedTotal)}</strong> cases would change. Escalations to the Division Head: {formatCount(r.escalations.before)} as it was, {formatCount(r.escalations.after)} under the
        proposal ({formatCount(r.escalations.new)} more, {formatCount(r.escalations.avoided)} fewer).
      </p>
      {r.cases === 0 ? <p>No service request was received in the period: there is no data to compare.</p> : null}
      <div class="table-wrap" tabIndex={0} role="region" aria-label="Compliance per request type and division" hidden={r.cases === 0}>
        <table>
          <caption>Compliance per request type and division, as it was and as it would have been</caption>
          <thead>
            <tr>
              <th scope="col">Request type</th>
              <th scope="col">Division</th>
              <th scope="col" class="num">
                Cases
              </th>
              <th scope="col">Acknowledged on time: was</th>
              <th scope="col">would be</th>
              <th scope="col">Resolved on time: was</th>
              <th scope="col">would be</th>
              <th scope="col" class="num">
                Escalations: was
              </th>
              <th scope="col" class="num">
                would be
              </th>
              <th scope="col" class="num">
                Cases changed
              </th>
            </tr>
          </thead>
          <tbody>
            {r.groups.map((g) => (
              <tr>
                <th scope="row">
                  {g.requestType.name} {g.proposed ? <Badge kind="warn">proposed</Badge> : null}
                </th>
                <td>{g.division.name}</td>
                <td class="num">{formatCount(g.tally.cases)}</td>
                <td>{share(g.compliance.before.acknowledgment)}</td>
                <td>{share(g.compliance.after.acknowledgment)}</td>
                <td>{share(g.compliance.before.resolution)}</td>
                <td>{share(g.compliance.after.resolution)}</td>
                <td class="num">{formatCount(g.tally.before.escalated)}</td>
                <td class="num">{formatCount(g.tally.after.escalated)}</td>
                <td class="num">{formatCount(g.tally.changed)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3 id="changed-cases">The cases that would change</h3>
      {r.changedTotal === 0 ? (
        <p>None: every case would have been measured the same.</p>
      ) : (
        <>
          {r.changedTotal > r.changed.length ? (
            <p class="muted">
              The first {formatCount(r.changed.length)} of {formatCount(r.changedTotal)}.
            </p>
          ) : null}
          <div class="table-wrap" tabIndex={0} role="region" aria-label="Cases that would change">
            <table>
              <caption class="visually-hidden">Cases that would change under the proposal</caption>
              <thead>
                <tr>
                  <th scope="col">Case</th>
                  <th scope="col">Request type</th>
                  <th scope="col">Division</th>
                  <th scope="col">Acknowledgment</th>
                  <th scope="col">Resolution</th>
                  <th scope="col">Escalation</th>
                </tr>
              </thead>
              <tbody>
                {r.changed.map((c) => (
                  <tr>
                    <th scope="row">
                      <a href={`/staff/cases/${c.reference}`} class="case-ref">
                        {c.reference}
                      </a>
                    </th>
                    <td>{c.requestType}</td>
                    <td>{c.division}</td>
                    <td>{arrow(c.acknowledgment)}</td>
                    <td>{arrow(c.resolution)}</td>
                    <td>{c.escalation === 'new' ? 'would have been escalated' : c.escalation === 'avoided' ? 'would not have been escalated' : <span class="muted">unchanged</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

function ProposedTargetsList(props: { proposal: ProposalView; directory: Directory; now: Date }) {
  return (
    <ul>
      {Object.entries(props.proposal.targets).map(([code, t]) => {
        const current = props.directory.activeRequestTypeCodes.includes(code) ? props.directory.serviceTargets(code, props.now.getTime()) : undefined;
        const by = t.byAttribute
          ? Object.entries(t.byAttribute.values)
              .filter(([, x]) => x.acknowledge || x.resolve)
              .map(([v, x]) => `${t.byAttribute!.attribute} ${v}: ${[x.acknowledge ? `acknowledge within ${formatTarget(x.acknowledge)}` : '', x.resolve ? `resolve within ${formatTarget(x.resolve)}` : ''].filter(Boolean).join(', ')}`)
          : [];
        return (
          <li>
            <strong>{current?.requestType.name ?? code}</strong> ({current?.division.name}): {targetsInWords(t)}
            {by.length > 0 ? `; ${by.join('; ')}` : ''}.{current ? <span class="muted"> Now: {targetsInWords(current.targets)}.</span> : null}
          </li>
        );
      })}
    </ul>
  );
}

export function registerProposalPages(app: FastifyInstance, services: CaseServices): void {
  const onRequest = requireStaffPage(services);
  const guard = async (request: { staff: StaffMember | null }) => {
    const staff = request.staff;
    if (staff) assertMayProposeTargets(staff);
  };
  const hooks = { onRequest: [onRequest, guard] };

  app.get('/staff/proposals', hooks, async (request, reply) => {
    const staff = signedIn(request);
    const directory = await services.directory.get();
    const proposals = await listProposals(services.db.kysely, staff);
    return sendPage(
      reply,
      <ConsolePage staff={staff} municipality={directory.municipality.name} path="/staff/proposals" title="Proposed targets" crumbs={[{ href: '/staff/governance', label: 'Governance' }, { label: 'Proposed targets' }]}>
        <h1>Proposed targets and what-if replay</h1>
        <p class="lede">Draft new Division Service Targets, replay past cases against them to see what would have changed, and accept them as a new DST version (CSS §8.3).</p>
        <p>
          <a class="button" href="/staff/proposals/new">
            Draft a proposal
          </a>
        </p>
        {proposals.length === 0 ? (
          <p class="muted">No proposals yet.</p>
        ) : (
          <ul class="training-list">
            {proposals.map((p) => (
              <li class="card">
                <h2>
                  <a href={`/staff/proposals/${p.id}`}>{p.title}</a> {p.status === 'accepted' ? <Badge kind="ok">accepted</Badge> : p.replayedAt ? <Badge kind="open">replayed</Badge> : <Badge kind="muted">draft</Badge>}
                </h2>
                <p class="muted">
                  {Object.keys(p.targets).length} request type{Object.keys(p.targets).length === 1 ? '' : 's'}; period {formatCalendarDate(p.periodFrom)} to {formatCalendarDate(p.periodTo)}; by {p.createdBy}.
                </p>
              </li>
            ))}
          </ul>
        )}
      </ConsolePage>,
    );
  });

  const formPage = async (staff: StaffMember, values: Record<string, string>, errors: FieldErrors, id?: number) => {
    const directory = await services.directory.get();
    const now = services.clock.now();
    const title = id === undefined ? 'Draft a proposal' : 'Change the proposal';
    return (
      <ConsolePage
        staff={staff}
        municipality={directory.municipality.name}
        path={id === undefined ? '/staff/proposals/new' : `/staff/proposals/${id}/edit`}
        title={title}
        crumbs={[{ href: '/staff/proposals', label: 'Proposed targets' }, { label: title }]}
      >
        <ErrorSummary errors={errors} />
        <h1>{title}</h1>
        <ProposalForm directory={directory} now={now} action={id === undefined ? '/staff/proposals' : `/staff/proposals/${id}`} values={values} errors={errors} submit="Save the proposal" />
      </ConsolePage>
    );
  };

  app.get<{ Querystring: { recommendation?: string } }>('/staff/proposals/new', hooks, async (request, reply) => {
    const staff = signedIn(request);
    const directory = await services.directory.get();
    const now = services.clock.now();
    const period = defaultReplayPeriod(directory.calendar.localDate(now.getTime()));
    const values = { ...formValues(directory, now), title: '', periodFrom: period.from, periodTo: period.to, recommendation: request.query.recommendation ?? '' };
    return sendPage(reply, await formPage(staff, values, {}));
  });

  const save = async (staff: StaffMember, body: unknown, id?: number) => {
    const directory = await services.directory.get();
    const now = services.clock.now();
    const recommendation = textOf(body, 'recommendation');
    return draftProposal({
      db: services.db,
      actor: staff,
      directory,
      id,
      title: textOf(body, 'title'),
      periodFrom: textOf(body, 'periodFrom'),
      periodTo: textOf(body, 'periodTo'),
      targets: readTargetsForm(body, directory, now),
      recommendationId: recommendation ? idOf(recommendation) : undefined,
      now,
    });
  };
  const valuesOf = (body: unknown): Record<string, string> =>
    Object.fromEntries(Object.entries((body ?? {}) as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'));
  const fieldsOf = (directory: Directory, now: Date): string[] => ['title', 'periodFrom', 'periodTo', 'targets', ...Object.keys(formValues(directory, now))];

  app.post('/staff/proposals', hooks, async (request, reply) => {
    const staff = signedIn(request);
    try {
      const { id } = await save(staff, request.body);
      return reply.redirect(`/staff/proposals/${id}`, 303);
    } catch (error) {
      const directory = await services.directory.get();
      return sendPage(reply, await formPage(staff, valuesOf(request.body), formErrors(error, fieldsOf(directory, services.clock.now()), renameField)), 400);
    }
  });

  app.get<{ Params: { id: string } }>('/staff/proposals/:id/edit', hooks, async (request, reply) => {
    const staff = signedIn(request);
    const directory = await services.directory.get();
    const proposal = await findProposal(services.db.kysely, staff, idOf(request.params.id));
    if (proposal.status !== 'draft') throw new AppError('CONFLICT', 'This proposal was accepted and is now history: draft a new one to change the targets again.');
    const values = { ...formValues(directory, services.clock.now(), proposal.targets), title: proposal.title, periodFrom: proposal.periodFrom, periodTo: proposal.periodTo, recommendation: proposal.recommendationId ? String(proposal.recommendationId) : '' };
    return sendPage(reply, await formPage(staff, values, {}, proposal.id));
  });

  app.post<{ Params: { id: string } }>('/staff/proposals/:id', hooks, async (request, reply) => {
    const staff = signedIn(request);
    const id = idOf(request.params.id);
    try {
      await save(staff, request.body, id);
      return reply.redirect(`/staff/proposals/${id}`, 303);
    } catch (error) {
      if (error instanceof AppError && (error.code === 'NOT_FOUND' || error.code === 'CONFLICT')) throw error;
      const directory = await services.directory.get();
      return sendPage(reply, await formPage(staff, valuesOf(request.body), formErrors(error, fieldsOf(directory, services.clock.now()), renameField), id), 400);
    }
  });

  const proposalPage = async (staff: StaffMember, id: number, errors: FieldErrors, values: Record<string, string>, notice?: string) => {
    const directory = await services.directory.get();
    const now = services.clock.now();
    const zone = directory.calendar.timeZone;
    const proposal = await findProposal(services.db.kysely, staff, id);
    const versions =
      proposal.dstVersionIds.length > 0
        ? await services.db.kysely
            .selectFrom('dst_version')
            .innerJoin('division', 'division.id', 'dst_version.division_id')
            .select(['division.code', 'division.name', 'dst_version.version', 'dst_version.effective_from'])
            .where('dst_version.id', 'in', proposal.dstVersionIds)
            .orderBy('division.name')
            .execute()
        : [];
    const today = directory.calendar.localDate(now.getTime());
    return (
      <ConsolePage staff={staff} municipality={directory.municipality.name} path={`/staff/proposals/${proposal.id}`} title={proposal.title} crumbs={[{ href: '/staff/proposals', label: 'Proposed targets' }, { label: proposal.title }]}>
        <ErrorSummary errors={errors} />
        <h1>
          {proposal.title} {proposal.status === 'accepted' ? <Badge kind="ok">accepted</Badge> : <Badge kind="muted">draft</Badge>}
        </h1>
        {notice ? (
          <Alert kind="ok">
            <p>{notice}</p>
          </Alert>
        ) : null}
        <p class="muted">
          Drafted by {proposal.createdBy} on {formatDate(proposal.createdAt, zone)}. Replay period: {formatCalendarDate(proposal.periodFrom)} to {formatCalendarDate(proposal.periodTo)}.
        </p>
        <h2>Proposed targets</h2>
        <ProposedTargetsList proposal={proposal} directory={directory} now={now} />
        {proposal.status === 'draft' ? (
          <div class="actions">
            <form method="post" action={`/staff/proposals/${proposal.id}/replay`}>
              <button type="submit">{proposal.replayedAt ? 'Replay again' : 'Replay past cases'}</button>
            </form>
            <a href={`/staff/proposals/${proposal.id}/edit`}>Change the proposal</a>
          </div>
        ) : null}
        {proposal.replay ? <ReplayView result={proposal.replay as ReplayResult} zone={zone} /> : <p>Not replayed yet: replay it to see what it would have changed. Nothing is written to any case.</p>}
        {proposal.status === 'draft' && proposal.replayedAt ? (
          <form method="post" action={`/staff/proposals/${proposal.id}/accept`} class="panel" noValidate>
            <h2>Accept as new Division Service Targets</h2>
            <p>
              Each division concerned gets a new DST version taking effect on the date below; requests received before it keep their targets, and the division's staff are asked to read the new
              version (CSS §7.2).
            </p>
            <TextField name="effectiveFrom" label="Takes effect on" type="date" hint={dateFieldHint(formatCalendarDate(today))} required value={values['effectiveFrom'] ?? today} error={errors['effectiveFrom']} />
            <div class="actions">
              <button type="submit">Accept the proposal</button>
            </div>
          </form>
        ) : null}
        {proposal.status === 'accepted' ? (
          <section aria-labelledby="accepted">
            <h2 id="accepted">Accepted</h2>
            <p>
              Accepted by {proposal.acceptedBy} on {proposal.acceptedAt ? formatDate(proposal.acceptedAt, zone) : ''}, taking effect {proposal.effectiveFrom ? formatCalendarDate(proposal.effectiveFrom) : ''}:
            </p>
            <ul>
              {versions.map((v) => (
                <li>
                  <a href={`/staff/targets/${v.code}`}>
                    {v.name}: DST version {v.version}, from {formatCalendarDate(v.effective_from)}
                  </a>
                </li>
              ))}
            </ul>
          </section>
        ) : null}
      </ConsolePage>
    );
  };

  app.get<{ Params: { id: string }; Querystring: { accepted?: string } }>('/staff/proposals/:id', hooks, async (request, reply) => {
    const staff = signedIn(request);
    return sendPage(reply, await proposalPage(staff, idOf(request.params.id), {}, {}, request.query.accepted ? 'Accepted: the new DST versions are recorded and audited.' : undefined));
  });

  app.post<{ Params: { id: string } }>('/staff/proposals/:id/replay', hooks, async (request, reply) => {
    const staff = signedIn(request);
    const id = idOf(request.params.id);
    await replayProposal({ db: services.db, actor: staff, directory: await services.directory.get(), id, now: services.clock.now() });
    return reply.redirect(`/staff/proposals/${id}#replay`, 303);
  });

  app.post<{ Params: { id: string } }>('/staff/proposals/:id/accept', hooks, async (request, reply) => {
    const staff = signedIn(request);
    const id = idOf(request.params.id);
    const effectiveFrom = textOf(request.body, 'effectiveFrom');
    try {
      await acceptProposal({ db: services.db, actor: staff, id, effectiveFrom, now: services.clock.now() });
    } catch (error) {
      if (error instanceof AppError && (error.code === 'NOT_FOUND' || error.code === 'CONFLICT' || error.code === 'RULE_VIOLATION')) throw error;
      return sendPage(reply, await proposalPage(staff, id, formErrors(error, ['effectiveFrom']), { effectiveFrom }), 400);
    }
    return reply.redirect(`/staff/proposals/${id}?accepted=1`, 303);
  });
}
