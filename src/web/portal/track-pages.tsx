import type { PublicCase } from '../../cases/find-public-case.js';
import { Badge, Breadcrumbs, ErrorSummary, TextField, type FieldErrors } from '../components.js';
import { formatDateTime, formatTargetDue } from '../format.js';
import { PortalLayout, OfficePhones, type PortalContext } from './portal-layout.js';
import { PublicPhotos } from './report-photos.js';
import { FollowInvitation } from './follow-pages.js';

/** Track a request by its reference number (issue #5): how it stands, never who asked. */

function TrackForm(props: { value?: string | undefined; errors?: FieldErrors }) {
  return (
    <form method="get" action="/track" novalidate class="track-form">
      <TextField
        name="reference"
        label="Reference number"
        hint="It is in the e-mail we sent, or on the page you saw after sending: for example SR-2026-000123 or GI-2026-000045."
        value={props.value}
        required
        autocomplete="off"
        maxLength={40}
        class="narrow"
        error={props.errors?.['reference']}
      />
      <div class="actions">
        <button type="submit">Track</button>
      </div>
    </form>
  );
}

export function TrackStart(props: { ctx: PortalContext; value?: string; errors?: FieldErrors; notFound?: string }) {
  const errors = props.errors ?? {};
  const title = props.notFound ? 'Request not found' : 'Track a request';
  return (
    <PortalLayout ctx={props.ctx} title={`${Object.keys(errors).length > 0 ? 'Error: ' : ''}${title}`} path="/track">
      <Breadcrumbs items={[{ href: '/', label: 'Home' }, { label: 'Track a request' }]} />
      <ErrorSummary errors={errors} />
      <h1>{title}</h1>
      {props.notFound ? (
        <div class="alert alert--warn">
          <p>
            We cannot find a request with the reference number <strong>{props.notFound}</strong>. Check the number in your e-mail and try again. If it still cannot be found, phone{' '}
            <OfficePhones ctx={props.ctx} />.
          </p>
        </div>
      ) : (
        <p class="lede">See where your report or question is up to, who is responsible for it and when we aim to finish.</p>
      )}
      <div class="panel">
        <TrackForm value={props.value} errors={errors} />
      </div>
    </PortalLayout>
  );
}

function statusOf(c: PublicCase): { words: string; kind: 'open' | 'ok' | 'warn' } {
  if (c.duplicateOf) return { words: `Joined to ${c.duplicateOf}`, kind: 'ok' };
  if (c.status === 'resolved') return { words: 'Resolved', kind: 'ok' };
  if (c.transferringTo) return { words: `Being passed to ${c.transferringTo}`, kind: 'open' };
  if (c.acknowledgedAt === null) return { words: 'Received, waiting to be acknowledged', kind: 'open' };
  return { words: c.kind === 'inquiry' ? 'Being answered' : 'In progress', kind: 'open' };
}

/** A target and whether it was met, in words. */
function TargetRow(props: { label: string; due: Date; unit?: string | undefined; done: Date | null; doneWord: string; now: Date; zone: string }) {
  const { due, done, now, zone } = props;
  const dueWords = formatTargetDue(due, zone, props.unit);
  let badge;
  let words;
  if (done) {
    const onTime = done.getTime() <= due.getTime();
    badge = <Badge kind={onTime ? 'ok' : 'warn'}>{onTime ? 'Met' : 'Missed'}</Badge>;
    words = `${props.doneWord} ${formatDateTime(done, zone)}; the target was ${dueWords}.`;
  } else if (now.getTime() > due.getTime()) {
    badge = <Badge kind="bad">Missed</Badge>;
    words = `Not yet: it is overdue. The target was ${dueWords}.`;
  } else {
    badge = <Badge kind="muted">Not yet due</Badge>;
    words = `By ${dueWords}.`;
  }
  return (
    <tr>
      <th scope="row">{props.label}</th>
      <td>{badge}</td>
      <td>{words}</td>
    </tr>
  );
}

export function TrackResult(props: { ctx: PortalContext; found: PublicCase; escalationAnswer?: { outcome: string; answer: string; at: Date } | undefined }) {
  const { ctx, found } = props;
  const zone = ctx.zone;
  const passed = (at: Date) => at.getTime() <= ctx.now.getTime();
  const status = statusOf(found);
  const what = found.kind === 'inquiry' ? 'Question' : 'Service request';
  return (
    <PortalLayout ctx={ctx} title={`${what} ${found.reference}`} path="/track">
      <Breadcrumbs items={[{ href: '/', label: 'Home' }, { href: '/track', label: 'Track a request' }, { label: found.reference }]} />
      <h1>
        <span class="caption">{what}</span>
        {found.reference}
      </h1>
      <p class="status-line">
        Status: <Badge kind={status.kind}>{status.words}</Badge>
      </p>
      {found.duplicateOf ? (
        <div class="alert" role="note">
          <p>
            {`The City already had a report of the same problem, so this one was joined to it. The work goes on under `}
            <a href={`/track/${found.duplicateOf}`}>{found.duplicateOf}</a>
            {': follow its updates there.'}
          </p>
        </div>
      ) : null}
      <div class="columns">
        <div>
          <dl class="facts">
            <dt>What</dt>
            <dd>{found.requestType?.name ?? 'General inquiry'}</dd>
            {found.address ? (
              <>
                <dt>Where</dt>
                <dd>{found.address}</dd>
              </>
            ) : null}
            {found.point ? (
              <>
                <dt>Map point</dt>
                <dd>
                  {found.point.latitude}, {found.point.longitude}
                </dd>
              </>
            ) : null}
            <dt>Responsible</dt>
            <dd>{found.transferringTo ? `${found.division}, passing it to ${found.transferringTo}` : found.division}</dd>
            <dt>Received</dt>
            <dd>{formatDateTime(found.receivedAt, zone)}</dd>
            {found.resolvedAt ? (
              <>
                <dt>Resolved</dt>
                <dd>{formatDateTime(found.resolvedAt, zone)}</dd>
              </>
            ) : null}
            <dt>{found.kind === 'inquiry' ? 'Question' : 'Description'}</dt>
            <dd class="pre-wrap">{found.descriptionHidden ? <span class="muted">The City does not show this description publicly.</span> : found.description}</dd>
          </dl>
          <PublicPhotos reference={found.reference} photos={found.photos} />

          <h2>Service targets</h2>
          <div class="table-wrap" tabIndex={0} role="region" aria-label="Service targets">
            <table class="targets-table">
              <caption class="visually-hidden">Targets for {found.reference} and whether they were met</caption>
              <thead>
                <tr>
                  <th scope="col">Target</th>
                  <th scope="col">Met?</th>
                  <th scope="col">When</th>
                </tr>
              </thead>
              <tbody>
                <TargetRow label="Acknowledgment" due={found.acknowledgeBy} done={found.acknowledgedAt} doneWord="Acknowledged" now={ctx.now} zone={zone} />
                {found.resolveBy ? <TargetRow label="Resolution" due={found.resolveBy} unit={found.resolveUnit} done={found.resolvedAt} doneWord="Resolved" now={ctx.now} zone={zone} /> : null}
              </tbody>
            </table>
          </div>
          {found.revisedResolveBy && found.status === 'open' ? (
            passed(found.revisedResolveBy) ? (
              // Issue 18: a date that has passed is said to be overdue, never promised.
              <p class="alert alert--warn">
                <strong>Revised timeline:</strong> we told you we expected to finish by {formatDateTime(found.revisedResolveBy, zone)}. That date has passed, so it is overdue: we will give you a new date. The
                original target still counts in our reports.
              </p>
            ) : (
              <p class="alert">
                <strong>Revised timeline:</strong> we told you we now expect to finish by {formatDateTime(found.revisedResolveBy, zone)}. The original target still counts in our reports.
              </p>
            )
          ) : null}
          {found.committedBy && found.status === 'open' ? (
            passed(found.committedBy) ? (
              <p class="alert alert--warn">
                <strong>{found.kind === 'service_request' ? 'Overdue:' : 'Answer overdue:'}</strong> we expected {found.kind === 'service_request' ? 'to be done' : 'to answer'} by {formatDateTime(found.committedBy, zone)}. That date
                has passed: we will give you a new date.
              </p>
            ) : (
              <p class="alert">
                {/* Issue 19: a service request is fixed, not answered. */}
                <strong>{found.kind === 'service_request' ? 'Expected to be done:' : 'Answer expected:'}</strong> by {formatDateTime(found.committedBy, zone)}.
              </p>
            )
          ) : null}
          {found.escalation ? (
            <p class="alert alert--warn">
              <strong>Escalated:</strong> this request is with the {found.escalation.role} for review{found.escalation.at ? ` since ${formatDateTime(found.escalation.at, zone)}` : ''}.
            </p>
          ) : null}

          <h2>Updates</h2>
          {found.updates.length === 0 ? (
            <p>No updates yet.</p>
          ) : (
            <ol class="timeline">
              {[...found.updates].reverse().map((u) => (
                <li>
                  <time dateTime={u.at.toISOString()}>{formatDateTime(u.at, zone)}</time>
                  <strong>{u.summary}</strong>
                  {u.text ? <p class="body">{u.text}</p> : null}
                </li>
              ))}
            </ol>
          )}
        </div>
        <aside class="card" aria-labelledby="help-title">
          <h2 id="help-title">Need help with this?</h2>
          <p>
            Phone <OfficePhones ctx={ctx} /> and quote <span class="nowrap">{found.reference}</span>.
          </p>
          {found.kind === 'service_request' ? (
            <>
              <h3>Ask for an escalation</h3>
              {props.escalationAnswer ? (
                <p>
                  You asked on {formatDateTime(props.escalationAnswer.at, zone)}: {props.escalationAnswer.outcome === 'accepted' ? 'accepted' : 'declined'}.{' '}
                  <a href={`/track/${found.reference}/escalate/answer`}>Read the answer</a>.
                </p>
              ) : null}
              <p>If we have missed a target and have not given you a new date, you can ask for this request to go to a senior manager.</p>
              <p>
                <a href={`/track/${found.reference}/escalate`}>Ask for an escalation</a>
              </p>
              <FollowInvitation reference={found.reference} />
            </>
          ) : null}
        </aside>
      </div>
    </PortalLayout>
  );
}
