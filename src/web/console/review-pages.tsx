import type { FastifyInstance } from 'fastify';
import type { CaseServices } from '../../cases/case-services.js';
import type { StaffMember } from '../../directory/staff.js';
import { changeReviewOwner } from '../../governance/change-review-owner.js';
import { completeReview } from '../../governance/complete-review.js';
import { assertSeesGovernance, mayProposeTargets, seesAllReviews, trainingCompletionScope } from '../../governance/governance-policy.js';
import { findReview, listReviews, type ReviewView } from '../../governance/list-reviews.js';
import { decideRecommendation, findRecommendation, listRecommendations, proposeRecommendation, type RecommendationView } from '../../governance/recommendations.js';
import { scheduleReviews } from '../../governance/schedule-reviews.js';
import { AppError } from '../../platform/errors.js';
import { Alert, Badge, Choices, ErrorSummary, Select, TextArea, TextField, type FieldErrors } from '../components.js';
import { formatCalendarDate, formatDate } from '../format.js';
import { sendPage } from '../render.js';
import { requireStaffPage, roleNames } from './console-auth.js';
import { ConsolePage, formErrors, idOf, signedIn, textOf } from './reference-layout.js';

/**
 * The Working Group's pages (CSS §8.2, §8.3): reviews due and done, their findings and outcomes,
 * the members, and their recommendations from proposal to the DST version or edition that
 * carried each out.
 */

export function ReviewBadge(props: { review: Pick<ReviewView, 'state'> }) {
  const s = props.review.state;
  return s === 'done' ? <Badge kind="ok">Done</Badge> : s === 'overdue' ? <Badge kind="bad">Overdue</Badge> : <Badge kind="warn">Due</Badge>;
}

const statusWords: Record<RecommendationView['status'], string> = { proposed: 'Proposed', accepted: 'Accepted', rejected: 'Rejected', implemented: 'Implemented' };
const statusKind = { proposed: 'warn', accepted: 'open', rejected: 'muted', implemented: 'ok' } as const;

function RecommendationBadge(props: { status: RecommendationView['status'] }) {
  return <Badge kind={statusKind[props.status]}>{statusWords[props.status]}</Badge>;
}

const outcomeWords = { no_change: 'No change', proposed_change: 'A change proposed' } as const;

function ReviewTable(props: { reviews: ReviewView[]; caption: string; zone: string; done?: boolean }) {
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={props.caption}>
      <table>
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Review</th>
            <th scope="col">{props.done ? 'Done' : 'Due by'}</th>
            <th scope="col">Owner</th>
            <th scope="col">{props.done ? 'Outcome' : 'State'}</th>
          </tr>
        </thead>
        <tbody>
          {props.reviews.map((r) => (
            <tr>
              <th scope="row">
                <a href={`/staff/reviews/${r.id}`}>{r.title}</a>
              </th>
              <td>{props.done && r.completedAt ? formatDate(r.completedAt, props.zone) : formatCalendarDate(r.dueOn)}</td>
              <td>{r.owner?.name ?? <span class="muted">Not assigned</span>}</td>
              <td>{props.done && r.outcome ? outcomeWords[r.outcome] : <ReviewBadge review={r} />}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RecommendationList(props: { items: RecommendationView[]; zone: string }) {
  if (props.items.length === 0) return <p class="muted">No recommendations yet.</p>;
  return (
    <ul class="training-list">
      {props.items.map((r) => (
        <li class="card">
          <h3>
            <a href={`/staff/recommendations/${r.id}`}>{r.title}</a> <RecommendationBadge status={r.status} />
          </h3>
          <p class="muted">
            Proposed {formatDate(r.proposedAt, props.zone)} by {r.proposedBy}
            {r.division ? `, for ${r.division.name}` : ''}
            {r.decidedAt ? `; ${r.status === 'rejected' ? 'rejected' : 'accepted'} ${formatDate(r.decidedAt, props.zone)}` : ''}
            {r.implementedAt ? `; implemented ${formatDate(r.implementedAt, props.zone)}` : ''}.
          </p>
        </li>
      ))}
    </ul>
  );
}

export function registerReviewPages(app: FastifyInstance, services: CaseServices): void {
  const onRequest = requireStaffPage(services);
  const today = async (): Promise<{ today: string; zone: string; name: string }> => {
    const directory = await services.directory.get();
    return { today: directory.calendar.localDate(services.clock.now().getTime()), zone: directory.calendar.timeZone, name: directory.municipality.name };
  };

  app.get('/staff/governance', { onRequest }, async (request, reply) => {
    const staff = signedIn(request);
    assertSeesGovernance(staff);
    const { today: day, zone, name } = await today();
    const db = services.db.kysely;
    await db.transaction().execute((trx) => scheduleReviews(trx, services.clock.now()));
    const reviews = await listReviews(db, staff, day);
    const everything = seesAllReviews(staff);
    const members = everything ? await db.selectFrom('staff_user').select(['name', 'email']).where('role', '=', 'working_group').where('active', '=', true).orderBy('name').execute() : [];
    const recommendations = everything ? await listRecommendations(db) : [];
    const scope = trainingCompletionScope(staff);
    return sendPage(
      reply,
      <ConsolePage staff={staff} municipality={name} path="/staff/governance" title="Reviews and the Working Group" crumbs={[{ label: 'Governance' }]}>
        <h1>Reviews and the Working Group</h1>
        <p class="lede">
          Each division's Division Service Targets are reviewed every year, and the Standard once per Council term (CSS §8.2). The Corporate Customer Service Standards Working Group reviews
          performance, recommends changes and monitors compliance (§8.3).
        </p>
        <ul class="governance-links">
          {scope === undefined || scope.length > 0 ? (
            <li>
              <a href="/staff/training/completion">Who has read the Standard and the targets</a>
            </li>
          ) : null}
          {mayProposeTargets(staff) ? (
            <li>
              <a href="/staff/proposals">Proposed targets and what-if replay</a>
            </li>
          ) : null}
          <li>
            <a href="/staff/performance">Performance: compliance, satisfaction, escalations (CSS §6.2)</a>
          </li>
          <li>
            <a href="/staff/standard">The Standard's editions</a>
          </li>
          <li>
            <a href="/staff/targets">Division Service Targets and their versions</a>
          </li>
        </ul>
        <section aria-labelledby="reviews-open">
          <h2 id="reviews-open">Reviews due</h2>
          {reviews.open.length === 0 ? <p>No review is open.</p> : <ReviewTable reviews={reviews.open} caption="Open reviews, soonest first" zone={zone} />}
        </section>
        <section aria-labelledby="reviews-done">
          <h2 id="reviews-done">Reviews done</h2>
          {reviews.done.length === 0 ? <p class="muted">None recorded yet.</p> : <ReviewTable reviews={reviews.done} caption="Reviews done, latest first" zone={zone} done />}
        </section>
        {everything ? (
          <>
            <section aria-labelledby="wg-members">
              <h2 id="wg-members">Working Group members</h2>
              {members.length === 0 ? (
                <p class="muted">No one has the Working Group member role. An administrator gives it to staff accounts.</p>
              ) : (
                <ul>
                  {members.map((m) => (
                    <li>
                      {m.name} <span class="muted">({m.email})</span>
                    </li>
                  ))}
                </ul>
              )}
            </section>
            <section aria-labelledby="wg-recommendations">
              <h2 id="wg-recommendations">Recommendations</h2>
              <p>
                <a href="/staff/recommendations/new">Record a recommendation</a>
              </p>
              <RecommendationList items={recommendations} zone={zone} />
            </section>
          </>
        ) : null}
      </ConsolePage>,
    );
  });

  const reviewPage = async (staff: StaffMember, id: number, values: Record<string, string>, errors: FieldErrors, done?: string) => {
    const { today: day, zone, name } = await today();
    const review = await findReview(services.db.kysely, staff, id, day);
    const recommendations = await listRecommendations(services.db.kysely, { reviewId: review.id });
    const mayRecord = seesAllReviews(staff) || review.owner?.id === staff.id;
    const candidates = seesAllReviews(staff)
      ? await services.db.kysely
          .selectFrom('staff_user')
          .select(['id', 'name', 'role'])
          .where('active', '=', true)
          .where('role', 'in', ['division_head', 'department_head', 'manager_customer_service', 'cao', 'working_group', 'administrator'])
          .orderBy('name')
          .execute()
      : [];
    return (
      <ConsolePage staff={staff} municipality={name} path={`/staff/reviews/${review.id}`} title={review.title} crumbs={[{ href: '/staff/governance', label: 'Governance' }, { label: review.title }]}>
        <ErrorSummary errors={errors} />
        <h1>
          {review.title} <ReviewBadge review={review} />
        </h1>
        {done ? (
          <Alert kind="ok" title="Review recorded">
            <p>{done}</p>
          </Alert>
        ) : null}
        <dl class="facts">
          <dt>Due by</dt>
          <dd>{formatCalendarDate(review.dueOn)}</dd>
          {review.termStart ? (
            <>
              <dt>Council term</dt>
              <dd>From {formatCalendarDate(review.termStart)}</dd>
            </>
          ) : null}
          <dt>Owner</dt>
          <dd>{review.owner?.name ?? 'Not assigned'}</dd>
          {review.completedAt ? (
            <>
              <dt>Done</dt>
              <dd>
                {formatDate(review.completedAt, zone)} by {review.completedBy}
              </dd>
              <dt>Outcome</dt>
              <dd>{review.outcome ? outcomeWords[review.outcome] : ''}</dd>
            </>
          ) : null}
        </dl>
        <p class="muted">
          {review.kind === 'dst'
            ? 'CSS §8.2: the DST undergoes an annual review to reflect operational changes and the City’s service commitments. The next one is due a year after this one is done.'
            : 'CSS §8.2: the Standard undergoes a comprehensive review once per Council term. The next one is due within the following term.'}
          {review.division ? (
            <>
              {' '}
              <a href={`/staff/targets/${review.division.code}`}>{review.division.name}'s targets and their versions</a>.
            </>
          ) : null}
        </p>
        {review.findings ? (
          <section aria-labelledby="findings">
            <h2 id="findings">Findings</h2>
            <p class="pre-wrap">{review.findings}</p>
          </section>
        ) : null}
        {recommendations.length > 0 ? (
          <section aria-labelledby="review-recommendations">
            <h2 id="review-recommendations">Recommendations from this review</h2>
            <RecommendationList items={recommendations} zone={zone} />
          </section>
        ) : null}
        {review.state !== 'done' && mayRecord ? (
          <form method="post" action={`/staff/reviews/${review.id}/complete`} class="panel" noValidate>
            <h2>Record the review</h2>
            <TextArea name="findings" label="Findings" hint="What was reviewed (performance, feedback, operational changes) and what was found." required rows={6} value={values['findings']} error={errors['findings']} />
            <Choices
              name="outcome"
              label="Outcome"
              required
              options={[
                { value: 'no_change', label: 'No change' },
                { value: 'proposed_change', label: review.kind === 'dst' ? 'Propose a change to the DST' : 'Propose a change to the Standard' },
              ]}
              value={values['outcome']}
              error={errors['outcome']}
            />
            <TextField name="recommendationTitle" label="The proposed change" hint="Only for a proposed change: it becomes the Working Group's recommendation." value={values['recommendationTitle']} error={errors['recommendationTitle']} maxLength={300} />
            <TextArea name="recommendationDetail" label="Why, and what exactly" rows={4} value={values['recommendationDetail']} error={errors['recommendationDetail']} />
            <div class="actions">
              <button type="submit">Record the review</button>
            </div>
          </form>
        ) : null}
        {review.state !== 'done' && candidates.length > 0 ? (
          <form method="post" action={`/staff/reviews/${review.id}/owner`} class="panel">
            <h2>Owner</h2>
            <Select
              name="owner"
              label="Who owns this review"
              required
              options={candidates.map((c) => ({ value: String(c.id), label: `${c.name} (${roleNames[c.role]})` }))}
              value={review.owner ? String(review.owner.id) : undefined}
              error={errors['owner']}
            />
            <div class="actions">
              <button type="submit" class="button--secondary">
                Change the owner
              </button>
            </div>
          </form>
        ) : null}
      </ConsolePage>
    );
  };

  app.get<{ Params: { id: string }; Querystring: { done?: string } }>('/staff/reviews/:id', { onRequest }, async (request, reply) => {
    const staff = signedIn(request);
    assertSeesGovernance(staff);
    return sendPage(reply, await reviewPage(staff, idOf(request.params.id), {}, {}, request.query.done ? 'The findings and outcome are kept with the review, and the next review is scheduled.' : undefined));
  });

  app.post<{ Params: { id: string } }>('/staff/reviews/:id/complete', { onRequest }, async (request, reply) => {
    const staff = signedIn(request);
    assertSeesGovernance(staff);
    const id = idOf(request.params.id);
    const values = {
      findings: textOf(request.body, 'findings'),
      outcome: textOf(request.body, 'outcome'),
      recommendationTitle: textOf(request.body, 'recommendationTitle'),
      recommendationDetail: textOf(request.body, 'recommendationDetail'),
    };
    try {
      await completeReview({
        db: services.db,
        actor: staff,
        reviewId: id,
        findings: values.findings,
        outcome: values.outcome,
        recommendation: { title: values.recommendationTitle, detail: values.recommendationDetail },
        now: services.clock.now(),
      });
    } catch (error) {
      if (error instanceof AppError && (error.code === 'NOT_FOUND' || error.code === 'CONFLICT')) throw error;
      return sendPage(reply, await reviewPage(staff, id, values, formErrors(error, ['findings', 'outcome', 'recommendationTitle', 'recommendationDetail'])), 400);
    }
    return reply.redirect(`/staff/reviews/${id}?done=1`, 303);
  });

  app.post<{ Params: { id: string } }>('/staff/reviews/:id/owner', { onRequest }, async (request, reply) => {
    const staff = signedIn(request);
    const id = idOf(request.params.id);
    await changeReviewOwner({ db: services.db, actor: staff, reviewId: id, ownerId: idOf(textOf(request.body, 'owner')), now: services.clock.now() });
    return reply.redirect(`/staff/reviews/${id}`, 303);
  });

  const newRecommendationPage = async (staff: StaffMember, values: Record<string, string>, errors: FieldErrors) => {
    const directory = await services.directory.get();
    return (
      <ConsolePage
        staff={staff}
        municipality={directory.municipality.name}
        path="/staff/recommendations/new"
        title="Record a recommendation"
        crumbs={[{ href: '/staff/governance', label: 'Governance' }, { label: 'New recommendation' }]}
      >
        <ErrorSummary errors={errors} />
        <h1>Record a recommendation</h1>
        <p class="lede">The Working Group recommends updates to the Standard and the Division Service Targets based on performance and on staff and customer feedback (CSS §8.3).</p>
        <form method="post" action="/staff/recommendations" class="panel" noValidate>
          <TextField name="title" label="Recommendation" required value={values['title']} error={errors['title']} maxLength={300} />
          <TextArea name="detail" label="What, and why" required rows={6} value={values['detail']} error={errors['detail']} />
          <Select
            name="division"
            label="Division it concerns"
            placeholder="The Standard (every division)"
            options={directory.divisions.map((d) => ({ value: d.code, label: d.name }))}
            value={values['division']}
            error={errors['division']}
          />
          <div class="actions">
            <button type="submit">Record the recommendation</button>
          </div>
        </form>
      </ConsolePage>
    );
  };

  app.get('/staff/recommendations/new', { onRequest }, async (request, reply) => {
    const staff = signedIn(request);
    if (!seesAllReviews(staff)) throw new AppError('FORBIDDEN', "The Working Group's recommendations are recorded by the Working Group, the Manager of Customer Service, the CAO and administrators.");
    return sendPage(reply, await newRecommendationPage(staff, {}, {}));
  });

  app.post('/staff/recommendations', { onRequest }, async (request, reply) => {
    const staff = signedIn(request);
    const values = { title: textOf(request.body, 'title'), detail: textOf(request.body, 'detail'), division: textOf(request.body, 'division') };
    try {
      const { id } = await proposeRecommendation({ db: services.db, actor: staff, title: values.title, detail: values.detail, division: values.division || undefined, now: services.clock.now() });
      return reply.redirect(`/staff/recommendations/${id}`, 303);
    } catch (error) {
      return sendPage(reply, await newRecommendationPage(staff, values, formErrors(error, ['title', 'detail', 'division'])), 400);
    }
  });

  const recommendationPage = async (staff: StaffMember, id: number, errors: FieldErrors, values: Record<string, string> = {}) => {
    const directory = await services.directory.get();
    const zone = directory.calendar.timeZone;
    const r = await findRecommendation(services.db.kysely, id);
    return (
      <ConsolePage
        staff={staff}
        municipality={directory.municipality.name}
        path={`/staff/recommendations/${r.id}`}
        title={r.title}
        crumbs={[{ href: '/staff/governance', label: 'Governance' }, { label: 'Recommendation' }]}
      >
        <ErrorSummary errors={errors} />
        <h1>
          {r.title} <RecommendationBadge status={r.status} />
        </h1>
        <p class="pre-wrap">{r.detail}</p>
        <dl class="facts">
          <dt>Proposed</dt>
          <dd>
            {formatDate(r.proposedAt, zone)} by {r.proposedBy}
          </dd>
          {r.review ? (
            <>
              <dt>From the review</dt>
              <dd>
                <a href={`/staff/reviews/${r.review.id}`}>{r.review.kind === 'dst' ? `Annual DST review due ${formatCalendarDate(r.review.dueOn)}` : `The Standard's review due ${formatCalendarDate(r.review.dueOn)}`}</a>
              </dd>
            </>
          ) : null}
          {r.division ? (
            <>
              <dt>Division</dt>
              <dd>{r.division.name}</dd>
            </>
          ) : null}
          {r.decidedAt ? (
            <>
              <dt>{r.status === 'rejected' ? 'Rejected' : 'Accepted'}</dt>
              <dd>
                {formatDate(r.decidedAt, zone)} by {r.decidedBy}: {r.decisionReason}
              </dd>
            </>
          ) : null}
          {r.implementedAt ? (
            <>
              <dt>Implemented</dt>
              <dd>
                {formatDate(r.implementedAt, zone)} by {r.implementedBy}, in{' '}
                {r.dstVersion ? (
                  <a href={`/staff/targets/${r.dstVersion.divisionCode}`}>
                    {r.dstVersion.divisionName}'s DST version {r.dstVersion.version} (from {formatCalendarDate(r.dstVersion.effectiveFrom)})
                  </a>
                ) : r.standardEdition ? (
                  <a href={`/staff/standard/${r.standardEdition.edition}`}>{r.standardEdition.title}</a>
                ) : null}
                {r.implementationNote ? `. ${r.implementationNote}` : ''}
              </dd>
            </>
          ) : null}
        </dl>
        {seesAllReviews(staff) && r.status === 'proposed' ? (
          <form method="post" action={`/staff/recommendations/${r.id}/decision`} class="panel" noValidate>
            <h2>Decide</h2>
            <Choices
              name="decision"
              label="Decision"
              required
              options={[
                { value: 'accepted', label: 'Accept' },
                { value: 'rejected', label: 'Reject' },
              ]}
              value={values['decision']}
              error={errors['decision']}
            />
            <TextArea name="reason" label="Reason" required rows={3} value={values['reason']} error={errors['reason']} />
            <div class="actions">
              <button type="submit">Record the decision</button>
            </div>
          </form>
        ) : null}
        {seesAllReviews(staff) && r.status === 'accepted' ? (
          <form method="post" action={`/staff/recommendations/${r.id}/decision`} class="panel" noValidate>
            <h2>Implemented</h2>
            <input type="hidden" name="decision" value="implemented" />
            <p class="muted">A proposal accepted from the replay page links its DST version here itself. Otherwise name what carried it out.</p>
            <Select
              name="division"
              label="Division whose DST version carried it out"
              placeholder="Not a DST version"
              options={directory.divisions.map((d) => ({ value: d.code, label: d.name }))}
              value={values['division'] ?? r.division?.code}
              error={errors['dstVersion']}
            />
            <TextField name="version" label="DST version number" type="number" value={values['version']} />
            <TextField name="edition" label="Or: edition of the Standard" hint='e.g. "2029"' value={values['edition']} error={errors['standardEdition']} />
            <TextArea name="reason" label="Note" rows={2} value={values['reason']} />
            <div class="actions">
              <button type="submit">Record as implemented</button>
            </div>
          </form>
        ) : null}
      </ConsolePage>
    );
  };

  app.get<{ Params: { id: string } }>('/staff/recommendations/:id', { onRequest }, async (request, reply) => {
    const staff = signedIn(request);
    if (!seesAllReviews(staff)) throw new AppError('FORBIDDEN', "The Working Group's recommendations are for the Working Group, the Manager of Customer Service, the CAO and administrators.");
    return sendPage(reply, await recommendationPage(staff, idOf(request.params.id), {}));
  });

  app.post<{ Params: { id: string } }>('/staff/recommendations/:id/decision', { onRequest }, async (request, reply) => {
    const staff = signedIn(request);
    const id = idOf(request.params.id);
    const values = {
      decision: textOf(request.body, 'decision'),
      reason: textOf(request.body, 'reason'),
      division: textOf(request.body, 'division'),
      version: textOf(request.body, 'version'),
      edition: textOf(request.body, 'edition'),
    };
    try {
      await decideRecommendation({
        db: services.db,
        actor: staff,
        id,
        decision: values.decision,
        reason: values.reason,
        dstVersion: values.division && values.version ? { division: values.division, version: idOf(values.version) } : undefined,
        standardEdition: values.edition.trim() || undefined,
        now: services.clock.now(),
      });
    } catch (error) {
      if (error instanceof AppError && (error.code === 'NOT_FOUND' || error.code === 'CONFLICT' || error.code === 'FORBIDDEN')) throw error;
      return sendPage(reply, await recommendationPage(staff, id, formErrors(error, ['decision', 'reason', 'dstVersion', 'standardEdition']), values), 400);
    }
    return reply.redirect(`/staff/recommendations/${id}`, 303);
  });
}
