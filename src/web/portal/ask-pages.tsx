import type { IntakeInput } from '../../cases/create-case.js';
import type { PublicCase } from '../../cases/find-public-case.js';
import { Breadcrumbs, ErrorSummary, Select, TextArea, type FieldErrors, type Option } from '../components.js';
import { formatDateTime } from '../format.js';
import { formatTarget } from '../../standard/targets.js';
import { PortalLayout, OfficePhones, type PortalContext } from './portal-layout.js';
import { ContactFacts, ContactFields, ConfirmationStep, ContactHidden, Honeypot, SentBanner, type ReachedBy, checkContact, customerInput, readContact, text, type ContactAnswers, type Form } from './portal-forms.js';

/** Ask a question (a general inquiry, §3.3): the same care as a report. */

export interface AskAnswers {
  key: string;
  question: string;
  topic: string;
  contact: ContactAnswers;
}

export const maxQuestion = 4000;

/** The topics a question can be about: the divisions, by name (Customer Service when unsure). */
export function topics(ctx: PortalContext): Option[] {
  return ctx.directory.divisions
    .filter((d) => !d.isCustomerService)
    .map((d) => ({ value: d.code, label: d.name }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

export function readAsk(form: Form, key: string): AskAnswers {
  return { key, question: text(form, 'question'), topic: text(form, 'topic').slice(0, 100), contact: readContact(form) };
}

export function checkAsk(answers: AskAnswers, ctx: PortalContext): FieldErrors {
  const errors: FieldErrors = {};
  if (answers.question === '') errors['question'] = 'Enter your question';
  else if (answers.question.length > maxQuestion) errors['question'] = `Shorten your question to ${maxQuestion.toLocaleString('en-CA')} characters or fewer (it has ${answers.question.length.toLocaleString('en-CA')})`;
  if (answers.topic !== '' && !topics(ctx).some((t) => t.value === answers.topic)) errors['topic'] = 'Choose a topic from the list, or "Not sure"';
  checkContact(answers.contact, errors);
  return errors;
}

const topicName = (answers: AskAnswers, ctx: PortalContext): string | undefined => topics(ctx).find((t) => t.value === answers.topic)?.label;

/** §3.1: the summary read back to the customer. */
export function askSummary(answers: AskAnswers, ctx: PortalContext): string {
  const clipped = answers.question.replace(/\s+/g, ' ');
  const quote = clipped.length <= 300 ? clipped : `${clipped.slice(0, 299).trimEnd()}…`;
  return `Question${topicName(answers, ctx) ? ` for ${topicName(answers, ctx)}` : ''}: "${quote}"`;
}

export function askInput(answers: AskAnswers, ctx: PortalContext): IntakeInput {
  return {
    kind: 'inquiry',
    channel: 'web_portal',
    division: answers.topic || undefined,
    customer: customerInput(answers.contact),
    description: answers.question,
    summary: askSummary(answers, ctx),
    summaryConfirmed: true,
  };
}

export const askFieldFor = (field: string): string | undefined =>
  field === 'description' || field === 'summary'
    ? 'question'
    : field === 'division'
      ? 'topic'
      : field === 'customer.email'
        ? 'email'
        : field === 'customer.phone'
          ? 'phone'
          : field === 'customer.preferredContact'
            ? 'contact'
            : undefined;

export function AskForm(props: { ctx: PortalContext; answers: AskAnswers; errors: FieldErrors }) {
  const { ctx, answers, errors } = props;
  return (
    <PortalLayout ctx={ctx} title={`${Object.keys(errors).length > 0 ? 'Error: ' : ''}Ask a question`} path="/ask">
      <Breadcrumbs items={[{ href: '/', label: 'Home' }, { label: 'Ask a question' }]} />
      <ErrorSummary errors={errors} />
      <h1>Ask a question</h1>
      <p class="lede">Ask about City services, property tax, permits, by-laws, programs or anything else. A member of staff answers.</p>
      <p>
        To report something that needs fixing, like a pothole or a missed collection, <a href="/report">report a problem</a> instead: it goes straight to the crew that fixes it.
      </p>
      <form method="post" action="/ask/check" novalidate class="panel portal-form">
        <input type="hidden" name="key" value={answers.key} />
        <TextArea
          name="question"
          label="Your question"
          hint="Include anything that helps us answer, such as a roll number or the name of a program. Do not include personal information about other people."
          value={answers.question}
          required
          rows={7}
          maxLength={maxQuestion}
          error={errors['question']}
        />
        <Select name="topic" label="What is it about?" options={topics(ctx)} value={answers.topic} placeholder="Not sure (Customer Service will pass it on)" error={errors['topic']} />
        <ContactFields
          values={answers.contact}
          errors={errors}
          why="To get an answer, give an e-mail address or a phone number. You can ask without them, but then we cannot reply to you; you can still track the question with its reference number."
        />
        <Honeypot />
        <div class="actions">
          <button type="submit">Continue</button>
        </div>
      </form>
    </PortalLayout>
  );
}

export function AskCheck(props: { ctx: PortalContext; answers: AskAnswers; errors?: FieldErrors }) {
  const { ctx, answers } = props;
  const c = answers.contact;
  return (
    <PortalLayout ctx={ctx} title="Check your answers" path="/ask">
      <Breadcrumbs items={[{ href: '/', label: 'Home' }, { href: '/ask', label: 'Ask a question' }, { label: 'Check your answers' }]} />
      <ErrorSummary errors={props.errors ?? {}} />
      <h1>Check your question before sending</h1>
      <div class="panel">
        <h2 class="first">What we will record</h2>
        <p class="readback">{askSummary(answers, ctx)}</p>
        <dl class="facts">
          <dt>Your question</dt>
          <dd class="pre-wrap">{answers.question}</dd>
          <dt>Topic</dt>
          <dd>{topicName(answers, ctx) ?? 'Not sure'}</dd>
        </dl>
        <ContactFacts contact={c} />
        {(c.email === '' && c.phone === '') || c.contact === 'none' ? (
          <p class="alert alert--warn">We will not be able to send you an answer, because you have not given us a way to reach you. Change your answers to add an e-mail address or phone number.</p>
        ) : null}
        <form method="post" action="/ask/send" novalidate>
          <input type="hidden" name="key" value={answers.key} />
          <input type="hidden" name="question" value={answers.question} />
          <input type="hidden" name="topic" value={answers.topic} />
          <ContactHidden values={c} />
          <input type="hidden" name="website" value="" />
          <p>By sending, you confirm this summary is right.</p>
          <div class="actions">
            <button type="submit">Send question</button>
            <button type="submit" class="button--secondary" formaction="/ask/change">
              Change your answers
            </button>
          </div>
        </form>
      </div>
    </PortalLayout>
  );
}

/** The general-inquiry target in words: "3 business days" (INTERPRETATION §2). */
const targetWords = (ctx: PortalContext): string => formatTarget(ctx.directory.municipality.settings.generalInquiry.acknowledge);

export function AskSent(props: { ctx: PortalContext; found: PublicCase; reached?: ReachedBy | undefined }) {
  const { ctx, found } = props;
  return (
    <PortalLayout ctx={ctx} title={`Question sent: ${found.reference}`} path="/ask">
      <SentBanner title="Your question has been sent" reference={found.reference} what="question" />
      <h2>What happens next</h2>
      <ol class="steps">
        {found.acknowledgedAt || found.status === 'resolved' ? (
          <li>
            <strong>{found.division}</strong> has replied: see the Track a request page.
          </li>
        ) : found.acknowledgeBy.getTime() <= ctx.now.getTime() ? (
          // Issue 18: a target that has passed is said to be overdue, never promised.
          <li>
            It is overdue: <strong>{found.division}</strong> aimed to reply by <strong>{formatDateTime(found.acknowledgeBy, ctx.zone)}</strong> (within {targetWords(ctx)}). They will reply as soon as
            possible with the answer, or with when you will have it.
          </li>
        ) : (
          <li>
            <strong>{found.division}</strong> will reply by <strong>{formatDateTime(found.acknowledgeBy, ctx.zone)}</strong> (within {targetWords(ctx)}) with the answer, or with when you will have it.
          </li>
        )}
        <ConfirmationStep reached={props.reached} what="question" />
        {props.reached === 'none' ? (
          <li>
            As we cannot reply to you, track the question on the Track a request page, or phone <OfficePhones ctx={ctx} />.
          </li>
        ) : null}
      </ol>
      <div class="actions">
        <a class="button" href={`/track/${found.reference}`}>
          Track this question
        </a>
        <a class="button button--secondary" href="/">
          Go to the home page
        </a>
      </div>
    </PortalLayout>
  );
}
