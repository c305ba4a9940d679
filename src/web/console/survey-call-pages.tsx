import type { FastifyInstance } from 'fastify';
import type { CaseServices } from '../../cases/case-services.js';
import { listFollowUpCalls, recordFollowUpCall, type CallListEntry } from '../../feedback/follow-up-calls.js';
import { isAppError } from '../../platform/errors.js';
import { maxCommentLength } from '../../standard/customer-satisfaction.js';
import { Alert, Badge, Choices, ErrorSummary, TextArea, type FieldErrors } from '../components.js';
import { formatDate, formatShortDateTime } from '../format.js';
import { sendPage } from '../render.js';
import { ratingOptions, resolvedOptions } from '../portal/survey-pages.js';
import { requireStaffPage } from './console-auth.js';
import { ConsolePage, idOf, signedIn, textOf } from './reference-layout.js';

/**
 * The follow-up call list (issue 14, CSS §6.2): Customer Service calls the customers who prefer
 * the phone, asks the survey's three questions and records the answers as given, or "no answer"
 * or "declined". One call a page, so each form stands alone and works without JavaScript.
 */

const outcomeWords = { answered: 'answers recorded', no_answer: 'no answer: it stays on the list for another try', declined: 'declined: off the list' } as const;

export function registerSurveyCallPages(app: FastifyInstance, services: CaseServices): void {
  app.get<{ Querystring: { done?: string; outcome?: string } }>('/staff/surveys/calls', { onRequest: requireStaffPage(services) }, async (request, reply) => {
    const staff = signedIn(request);
    const directory = await services.directory.get();
    const zone = directory.calendar.timeZone;
    const now = services.clock.now();
    const calls = await listFollowUpCalls(services.db.kysely, staff, now);
    const done = /^(SR|GI)-\d{4}-\d{6,}$/.test(request.query.done ?? '') ? request.query.done : undefined;
    const outcome = request.query.outcome && Object.hasOwn(outcomeWords, request.query.outcome) ? outcomeWords[request.query.outcome as keyof typeof outcomeWords] : undefined;
    return sendPage(
      reply,
      <ConsolePage staff={staff} municipality={directory.municipality.name} path="/staff/surveys/calls" title="Follow-up calls" crumbs={[{ label: 'Follow-up calls' }]}>
        <h1>Follow-up calls</h1>
        <p class="lede">Customers who prefer the phone, to ask the satisfaction survey's three questions about their resolved request. Oldest first.</p>
        {done && outcome ? (
          <Alert kind="ok">
            <p>
              {done}: {outcome}.
            </p>
          </Alert>
        ) : null}
        {calls.length === 0 ? (
          <p>No calls to make.</p>
        ) : (
          <div class="table-wrap" tabIndex={0} role="region" aria-label="Calls to make">
            <table>
              <caption>{calls.length === 1 ? '1 call to make' : `${calls.length} calls to make`}</caption>
              <thead>
                <tr>
                  <th scope="col">Case</th>
                  <th scope="col">Customer</th>
                  <th scope="col">Request</th>
                  <th scope="col">Resolved</th>
                  <th scope="col">Tried</th>
                  <th scope="col">Call until</th>
                </tr>
              </thead>
              <tbody>
                {calls.map((c) => (
                  <tr>
                    <td>
                      <a href={`/staff/surveys/calls/${c.invitationId}`}>Call about {c.reference}</a>
                    </td>
                    <td>
                      {c.customerName ?? 'No name given'}, {c.phone}
                    </td>
                    <td>
                      {c.typeName ?? 'General inquiry'} ({c.divisionName})
                    </td>
                    <td>{c.resolvedAt ? formatDate(c.resolvedAt, zone) : ''}</td>
                    <td>{c.attempts === 0 ? 'Not yet' : `${c.attempts} time${c.attempts === 1 ? '' : 's'}, last ${formatShortDateTime(c.lastCalledAt!, zone)}: no answer`}</td>
                    <td>{formatDate(c.expiresAt, zone)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </ConsolePage>,
    );
  });

  const callPage = async (request: Parameters<typeof signedIn>[0], id: number, form: { rating: string; resolved: string; comment: string }, errors: FieldErrors) => {
    const staff = signedIn(request);
    const directory = await services.directory.get();
    const zone = directory.calendar.timeZone;
    const calls = await listFollowUpCalls(services.db.kysely, staff, services.clock.now(), 1000);
    const call: CallListEntry | undefined = calls.find((c) => c.invitationId === id);
    return (
      <ConsolePage staff={staff} municipality={directory.municipality.name} path="/staff/surveys/calls" title={`${Object.keys(errors).length > 0 ? 'Error: ' : ''}Follow-up call${call ? `: ${call.reference}` : ''}`} crumbs={[{ href: '/staff/surveys/calls', label: 'Follow-up calls' }, { label: call?.reference ?? 'Call' }]}>
        <ErrorSummary errors={errors} />
        {!call ? (
          <>
            <h1>This call is not on the list</h1>
            <p>It was answered, declined or closed since the list was opened. <a href="/staff/surveys/calls">Back to the follow-up calls</a>.</p>
          </>
        ) : (
          <>
            <h1>Follow-up call: {call.reference}</h1>
            <dl class="facts">
              <dt>Customer</dt>
              <dd>
                {call.customerName ?? 'No name given'}, <a href={`tel:${call.phone.replace(/[^\d+]/g, '')}`}>{call.phone}</a>
              </dd>
              <dt>Request</dt>
              <dd>
                <a href={`/staff/cases/${encodeURIComponent(call.reference)}`}>{call.reference}</a>, {call.typeName ?? 'General inquiry'}, {call.divisionName}
              </dd>
              <dt>Resolved</dt>
              <dd>{call.resolvedAt ? formatDate(call.resolvedAt, zone) : ''}</dd>
              <dt>Tried before</dt>
              <dd>{call.attempts === 0 ? 'Not yet' : <Badge kind="warn">{`${call.attempts} time${call.attempts === 1 ? '' : 's'}: no answer`}</Badge>}</dd>
            </dl>
            <p class="muted">Say who you are and that the City asks every customer three short questions after a request is resolved. If they would rather not, record "Declined".</p>
            <form method="post" action={`/staff/surveys/calls/${call.invitationId}`} novalidate class="panel">
              <Choices name="rating" label="Overall, how satisfied are you with how we handled your request?" required options={ratingOptions} value={form.rating || undefined} error={errors['rating']} />
              <Choices name="resolved" label="Was your request resolved?" required options={resolvedOptions} value={form.resolved || undefined} error={errors['resolved']} inline />
              <TextArea name="comment" label="What they said, in their words" value={form.comment} rows={4} maxLength={maxCommentLength} error={errors['comment']} />
              <div class="actions">
                <button type="submit" name="outcome" value="answered">
                  Record the answers
                </button>
                <button type="submit" name="outcome" value="no_answer" class="button--secondary">
                  No answer
                </button>
                <button type="submit" name="outcome" value="declined" class="button--secondary">
                  Declined
                </button>
              </div>
            </form>
          </>
        )}
      </ConsolePage>
    );
  };

  app.get<{ Params: { id: string } }>('/staff/surveys/calls/:id', { onRequest: requireStaffPage(services) }, async (request, reply) =>
    sendPage(reply, await callPage(request, idOf(request.params.id), { rating: '', resolved: '', comment: '' }, {})),
  );

  app.post<{ Params: { id: string } }>('/staff/surveys/calls/:id', { onRequest: requireStaffPage(services) }, async (request, reply) => {
    const staff = signedIn(request);
    const id = idOf(request.params.id);
    const body = request.body;
    const outcomeText = textOf(body, 'outcome');
    const outcome = outcomeText === 'no_answer' || outcomeText === 'declined' ? outcomeText : 'answered';
    const form = { rating: textOf(body, 'rating').slice(0, 10), resolved: textOf(body, 'resolved').slice(0, 10), comment: textOf(body, 'comment') };
    try {
      const done = await recordFollowUpCall({
        services,
        staff,
        invitationId: id,
        result: outcome === 'answered' ? { outcome, rating: form.rating, resolved: form.resolved, comment: form.comment } : { outcome },
      });
      return reply.redirect(`/staff/surveys/calls?done=${done.reference}&outcome=${done.outcome}`, 303);
    } catch (error) {
      if (!isAppError(error) || (error.code !== 'VALIDATION_FAILED' && error.code !== 'CONFLICT' && error.code !== 'NOT_FOUND')) throw error;
      const errors: FieldErrors = {};
      if (error.code === 'VALIDATION_FAILED') {
        for (const d of error.details) {
          if (d.field) errors[d.field] = d.message.replace(/^Choose how satisfied you are/, 'Choose how satisfied they are').replace(/^Say whether your request/, 'Say whether their request');
        }
      }
      if (Object.keys(errors).length === 0) errors['_form'] = error.message;
      return sendPage(reply, await callPage(request, id, { ...form, comment: form.comment.slice(0, maxCommentLength) }, errors), error.httpStatus);
    }
  });
}
