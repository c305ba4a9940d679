import type { PublicCase } from '../../cases/find-public-case.js';
import { Alert, Breadcrumbs, Choices, ErrorSummary, TextArea, TextField, type FieldErrors } from '../components.js';
import { formatDateTime, withoutClauses } from '../format.js';
import { PortalLayout, OfficePhones, Phones, type PortalContext } from './portal-layout.js';
import { Honeypot } from './portal-forms.js';

/**
 * Ask for an escalation (CSS §5.1, §5.3): a one-time code goes to the e-mail address on record
 * (so only the customer can ask), then the grounds; the answer is given at once.
 */

function crumbs(reference: string, last: string) {
  return <Breadcrumbs items={[{ href: '/', label: 'Home' }, { href: '/track', label: 'Track a request' }, { href: `/track/${reference}`, label: reference }, { label: last }]} />;
}


export function EscalateStart(props: { ctx: PortalContext; found: PublicCase; eligibility?: { escalate: boolean; reason: string } | undefined }) {
  const { ctx, found } = props;
  const eligible = props.eligibility?.escalate !== false;
  return (
    <PortalLayout ctx={ctx} title={`Ask for an escalation: ${found.reference}`} path="/track">
      {crumbs(found.reference, 'Ask for an escalation')}
      <h1>Ask for an escalation</h1>
      {found.kind !== 'service_request' ? (
        <>
          <p class="lede">Escalation is for service requests. {found.reference} is a question.</p>
          <p>
            If you are waiting too long for an answer, phone <OfficePhones ctx={ctx} /> and quote {found.reference}.
          </p>
        </>
      ) : (
        <>
          <p class="lede">
            If we miss a target for your request and have not given you a new date, a senior manager reviews it: first the head of {found.division}, then the department's director, then the
            Chief Administrative Officer.
          </p>
          <p>
            You can ask when we have not acknowledged your request by its target, or not resolved it by its target without giving you a revised date that is still ahead. If you disagree with how
            a request was resolved, tell us: we record it as feedback, but it is not grounds for an escalation.
          </p>
          {eligible ? (
            <div class="alert alert--ok" role="status">
              <p>
                <strong>{found.reference} can be escalated now:</strong> a target has been missed.
              </p>
            </div>
          ) : (
            <div class="alert alert--warn" role="status">
              <h2>{found.reference} cannot be escalated now</h2>
              <p>{withoutClauses(props.eligibility!.reason)}</p>
              <p>
                <a href={`/track/${found.reference}`}>Back to {found.reference}</a>
              </p>
            </div>
          )}
        </>
      )}
      {found.kind === 'service_request' && eligible ? (
        <>
          <h2>1. Get a one-time code</h2>
          <p>
            So that only you can ask, we send a 6-digit code to the e-mail address you gave with the request. It works for 30 minutes.{' '}
            <strong>
              If you did not give an e-mail address, or you prefer to talk to someone, phone <Phones numbers={ctx.phones} /> instead
            </strong>{' '}
            during office hours, quoting {found.reference}.
          </p>
          <form method="post" action={`/track/${found.reference}/escalate/code`} novalidate>
            <Honeypot />
            <div class="actions">
              <button type="submit">Send me a code</button>
              <a href={`/track/${found.reference}/escalate/request`}>I already have a code</a>
            </div>
          </form>
        </>
      ) : null}
    </PortalLayout>
  );
}

export interface EscalationAnswers {
  code: string;
  grounds: '' | 'missed_target' | 'disagree_with_outcome';
  comment: string;
}

export function EscalateRequest(props: { ctx: PortalContext; found: PublicCase; sent?: string | undefined; answers: EscalationAnswers; errors: FieldErrors }) {
  const { ctx, found, answers, errors } = props;
  return (
    <PortalLayout ctx={ctx} title={`${Object.keys(errors).length > 0 ? 'Error: ' : ''}Ask for an escalation: ${found.reference}`} path="/track">
      {crumbs(found.reference, 'Ask for an escalation')}
      <ErrorSummary errors={errors} />
      <h1>Ask for an escalation</h1>
      {props.sent ? (
        <Alert kind="ok">
          <p>{props.sent}</p>
        </Alert>
      ) : null}
      <h2>2. Enter your code and tell us why</h2>
      <form method="post" action={`/track/${found.reference}/escalate/request`} novalidate class="panel portal-form">
        <TextField name="code" label="One-time code" hint="The 6 digits in the e-mail we sent you." value={answers.code} inputmode="numeric" autocomplete="one-time-code" maxLength={12} class="narrow" required error={errors['code']} />
        <Choices
          name="grounds"
          label="Why are you asking?"
          required
          options={[
            { value: 'missed_target', label: 'A target was missed and I have not been given a new date' },
            { value: 'disagree_with_outcome', label: 'I disagree with how the request was resolved' },
          ]}
          value={answers.grounds || undefined}
          error={errors['grounds']}
        />
        <TextArea name="comment" label="Anything you want to add" value={answers.comment} rows={4} maxLength={4000} error={errors['comment']} />
        <Honeypot />
        <div class="actions">
          <button type="submit">Ask for an escalation</button>
          <a href={`/track/${found.reference}/escalate`}>Send me a new code</a>
        </div>
      </form>
    </PortalLayout>
  );
}

export function EscalateAnswer(props: { ctx: PortalContext; found: PublicCase; answer: { at: Date; outcome: 'accepted' | 'declined'; answer: string } }) {
  const { ctx, found, answer } = props;
  const accepted = answer.outcome === 'accepted';
  return (
    <PortalLayout ctx={ctx} title={`Escalation ${accepted ? 'accepted' : 'declined'}: ${found.reference}`} path="/track">
      {crumbs(found.reference, 'Escalation answer')}
      <h1>{accepted ? 'Your request has been escalated' : 'Your request has not been escalated'}</h1>
      <div class={`alert ${accepted ? 'alert--ok' : 'alert--warn'}`} role="status">
        <p>{answer.answer}</p>
      </div>
      <dl class="facts">
        <dt>Reference</dt>
        <dd>{found.reference}</dd>
        <dt>Asked</dt>
        <dd>{formatDateTime(answer.at, ctx.zone)}</dd>
        {found.escalation && accepted ? (
          <>
            <dt>Now with</dt>
            <dd>the {found.escalation.role}</dd>
          </>
        ) : null}
      </dl>
      <p>
        Questions about this answer? Phone <OfficePhones ctx={ctx} /> and quote {found.reference}.
      </p>
      <p>
        <a href={`/track/${found.reference}`}>Back to {found.reference}</a>
      </p>
    </PortalLayout>
  );
}
