import type { SurveyCase } from '../../feedback/answer-survey.js';
import { maxCommentLength } from '../../standard/customer-satisfaction.js';
import { Choices, ErrorSummary, TextArea, type FieldErrors } from '../components.js';
import { formatDate } from '../format.js';
import { PortalLayout, OfficePhones, type PortalContext } from './portal-layout.js';

/**
 * The satisfaction survey (issue 14, CSS §6.2) on the portal: three questions, plain words, no
 * sign-in. It shows which request it is about (reference, type, date) and nothing personal.
 */

export interface SurveyForm {
  rating: string;
  resolved: string;
  comment: string;
}

export const ratingOptions = [
  { value: '5', label: '5 – Very satisfied' },
  { value: '4', label: '4 – Satisfied' },
  { value: '3', label: '3 – Neither satisfied nor dissatisfied' },
  { value: '2', label: '2 – Dissatisfied' },
  { value: '1', label: '1 – Very dissatisfied' },
];

export const resolvedOptions = [
  { value: 'yes', label: 'Yes' },
  { value: 'partly', label: 'Partly' },
  { value: 'no', label: 'No, it is not resolved' },
];

function About(props: { ctx: PortalContext; survey: SurveyCase }) {
  const { survey } = props;
  return (
    <dl class="facts">
      <dt>Reference</dt>
      <dd>{survey.reference}</dd>
      <dt>Request</dt>
      <dd>{survey.typeName ?? 'Question (general inquiry)'}</dd>
      {survey.resolvedAt ? (
        <>
          <dt>Resolved</dt>
          <dd>{formatDate(survey.resolvedAt, props.ctx.zone)}</dd>
        </>
      ) : null}
    </dl>
  );
}

export function SurveyPage(props: { ctx: PortalContext; token: string; survey: SurveyCase; form: SurveyForm; errors: FieldErrors }) {
  const { ctx, survey, form, errors } = props;
  return (
    <PortalLayout ctx={ctx} title={`${Object.keys(errors).length > 0 ? 'Error: ' : ''}How did we do? ${survey.reference}`} path="/survey">
      <ErrorSummary errors={errors} />
      <h1>How did we do?</h1>
      <p class="lede">Three short questions about your request. Your answers help the {ctx.municipality} improve; they are never published.</p>
      <About ctx={ctx} survey={survey} />
      <form method="post" action={`/survey/${props.token}`} novalidate class="panel portal-form">
        <Choices name="rating" label="Overall, how satisfied are you with how we handled your request?" required options={ratingOptions} value={form.rating || undefined} error={errors['rating']} />
        <Choices name="resolved" label="Was your request resolved?" required options={resolvedOptions} value={form.resolved || undefined} error={errors['resolved']} inline />
        <TextArea
          name="comment"
          label="Anything you want to tell us"
          hint={`What went well, what we could do better. If it is not resolved, tell us what is left and the division responsible will look at it again. Up to ${maxCommentLength.toLocaleString('en-CA')} characters.`}
          value={form.comment}
          rows={5}
          maxLength={maxCommentLength}
          error={errors['comment']}
        />
        <div class="actions">
          <button type="submit">Send my answers</button>
        </div>
      </form>
      <p class="muted">This link works once, until {formatDate(survey.expiresAt, ctx.zone)}. Prefer to talk? Phone <OfficePhones ctx={ctx} /> and quote {survey.reference}.</p>
    </PortalLayout>
  );
}

export function SurveyThanks(props: { ctx: PortalContext; survey: SurveyCase; lookAgain: boolean }) {
  const { ctx, survey } = props;
  return (
    <PortalLayout ctx={ctx} title={`Thank you: ${survey.reference}`} path="/survey">
      <h1>Thank you for your answers</h1>
      <div class="alert alert--ok" role="status">
        <p>We have your answers about {survey.reference}.</p>
      </div>
      {props.lookAgain ? (
        <p>You told us your request is not resolved. The division responsible will look at it again and contact you if it needs more from you or reopens it.</p>
      ) : (
        <p>Every answer is read by the City's staff and counted in the City's customer-service reports.</p>
      )}
      <p>
        Anything else? Phone <OfficePhones ctx={ctx} /> and quote {survey.reference}, or <a href="/">go to the {ctx.municipality}'s service portal</a>.
      </p>
    </PortalLayout>
  );
}

/** A link that cannot be answered: damaged, expired or already used. Says which, kindly, and what to do. */
export function SurveyRefused(props: { ctx: PortalContext; state: 'invalid' | 'expired' | 'answered'; survey?: SurveyCase | undefined }) {
  const { ctx, state, survey } = props;
  const heading = state === 'invalid' ? 'This survey link does not work' : state === 'expired' ? 'This survey has closed' : 'This survey has already been answered';
  return (
    <PortalLayout ctx={ctx} title={heading} path="/survey">
      <h1>{heading}</h1>
      {state === 'invalid' ? (
        <p class="lede">The link may have been cut short or changed when it was copied. Open it again from the e-mail we sent you, or copy the whole address into your browser.</p>
      ) : state === 'expired' ? (
        <p class="lede">Survey links work for a limited time and this one has ended. Thank you for wanting to answer.</p>
      ) : (
        <p class="lede">Thank you: we already have answers from this link, and only the first answers are kept.</p>
      )}
      {survey ? (
        <dl class="facts">
          <dt>Reference</dt>
          <dd>{survey.reference}</dd>
          <dt>Request</dt>
          <dd>{survey.typeName ?? 'Question (general inquiry)'}</dd>
        </dl>
      ) : null}
      <p>
        You can still tell us what you think: phone <OfficePhones ctx={ctx} />
        {survey ? ` and quote ${survey.reference}` : ''}, or <a href="/feedback">send us a compliment or complaint</a>.
      </p>
    </PortalLayout>
  );
}

export function OptOutPage(props: { ctx: PortalContext; token: string; done?: { reference: string } | undefined; invalid?: boolean }) {
  const { ctx } = props;
  if (props.invalid) {
    return (
      <PortalLayout ctx={ctx} title="This link does not work" path="/survey">
        <h1>This link does not work</h1>
        <p class="lede">The link may have been cut short when it was copied. Open it again from the e-mail we sent you, or phone <OfficePhones ctx={ctx} /> and ask us to stop sending surveys.</p>
      </PortalLayout>
    );
  }
  if (props.done) {
    return (
      <PortalLayout ctx={ctx} title="No more surveys" path="/survey">
        <h1>We will not send you surveys again</h1>
        <div class="alert alert--ok" role="status">
          <p>Done. We keep this choice: no more satisfaction surveys by e-mail or phone to the contact details you gave us.</p>
        </div>
        <p>We still contact you about your requests themselves, as you asked us to.</p>
      </PortalLayout>
    );
  }
  return (
    <PortalLayout ctx={ctx} title="Stop survey invitations" path="/survey">
      <h1>Stop survey invitations</h1>
      <p class="lede">One click and we will not send you satisfaction surveys again. Messages about your requests themselves still come.</p>
      <form method="post" action={`/survey/stop/${props.token}`} class="actions">
        <button type="submit">Stop sending me surveys</button>
      </form>
    </PortalLayout>
  );
}
