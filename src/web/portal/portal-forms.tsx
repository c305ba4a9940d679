import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { PreferredContact } from '../../db/schema.js';
import { AppError, isAppError } from '../../platform/errors.js';
import { Choices, TextField, type FieldErrors } from '../components.js';
import { isEmailAddress } from '../../standard/email-address.js';
import { withoutClauses } from '../format.js';

/** What the portal's forms share: reading the posted fields, the contact details, spam resistance. */

export type Form = Record<string, unknown>;

/** A posted field as trimmed text ('' when absent or not text). */
export function text(form: Form, name: string): string {
  const value = form[name];
  return typeof value === 'string' ? value.trim() : '';
}

/** The portal records its contacts as made through the web portal by `portal` (IntakeOrigin). */
export const portalOrigin = { via: 'portal' } as const;

/** A new form's idempotency key: a double-submitted form gives the same case (createCase). */
export const newFormKey = (): string => randomUUID();
export const formKey = (form: Form): string => {
  const key = text(form, 'key');
  return /^[0-9a-f-]{36}$/.test(key) ? key : newFormKey();
};

/**
 * Spam resistance that does not get in anyone's way (issue #5): no CAPTCHA puzzle, but a field
 * people never see or reach (hidden from view and from screen readers, out of the tab order,
 * never autofilled) and per-address rate limits on every POST. Only a program fills the field.
 */
export const honeypotField = 'website';
export const isHoneypotHit = (form: Form): boolean => text(form, honeypotField) !== '';

export function Honeypot() {
  return (
    <div class="honeypot" aria-hidden="true">
      <label for="f-website">Leave this empty</label>
      <input id="f-website" name={honeypotField} type="text" tabIndex={-1} autocomplete="off" value="" />
    </div>
  );
}

/**
 * Per client address: up to `max` forms sent in ten minutes, then a page in plain words (429).
 * The limiter keeps its count in memory per server copy.
 */
export function portalRateLimit(max: number) {
  return {
    rateLimit: {
      max,
      timeWindow: '10 minutes',
      errorResponseBuilder: (_request: FastifyRequest, context: { after: string }) =>
        new AppError(
          'RATE_LIMITED',
          `You have sent a lot of forms from this connection in a short time, so we have paused new ones. Please wait ${context.after} and try again, or phone us during office hours.`,
        ),
    },
  };
}

/** The customer's optional contact details, as they typed them. */
export interface ContactAnswers {
  name: string;
  email: string;
  phone: string;
  contact: '' | PreferredContact;
}

export function readContact(form: Form): ContactAnswers {
  const contact = text(form, 'contact');
  return {
    name: text(form, 'name').slice(0, 200),
    email: text(form, 'email').slice(0, 320),
    phone: text(form, 'phone').slice(0, 40),
    contact: contact === 'email' || contact === 'phone' || contact === 'none' ? contact : '',
  };
}

/**
 * The checks a person should hear about before the "Check your answers" page. createCase checks
 * the same things again when the form is sent (it is the rule); these only say it in plain words.
 */
export function checkContact(c: ContactAnswers, errors: FieldErrors): void {
  if (c.email !== '' && !isEmailAddress(c.email)) errors['email'] = 'Enter an e-mail address in the right format, like name@example.com';
  if (c.phone !== '' && !/^[+()\d\s.-]{7,25}(\s*(x|ext\.?)\s*\d{1,6})?$/i.test(c.phone)) errors['phone'] = 'Enter a phone number, like 705-555-0123 or 705-555-0123 ext 42';
  if (c.contact === 'email' && c.email === '') errors['email'] ??= 'Enter your e-mail address, or choose another way for us to contact you';
  if (c.contact === 'phone' && c.phone === '') errors['phone'] ??= 'Enter your phone number, or choose another way for us to contact you';
}

/**
 * How the sent page may reach the person who sent the form, carried on the redirect as a word, never
 * the address itself (an address in a URL ends up in logs): 'email' (a receipt was sent), 'phone',
 * 'none', or undefined when the page is opened later from a bare link.
 */
export type ReachedBy = 'email' | 'phone' | 'none';

export const reachedBy = (c: ContactAnswers): ReachedBy => (c.email !== '' ? 'email' : c.phone !== '' ? 'phone' : 'none');

export const readReachedBy = (query: unknown): ReachedBy | undefined => {
  const value = (query as { contact?: unknown } | undefined)?.contact;
  return value === 'email' || value === 'phone' || value === 'none' ? value : undefined;
};

/** What the sent page says about the confirmation: only what applies (issue 19). */
export function ConfirmationStep(props: { reached: ReachedBy | undefined; what: string }) {
  const { reached, what } = props;
  if (reached === 'email') return <li>We have sent a confirmation with this reference number to the e-mail address you gave. We will tell you there when anything changes.</li>;
  if (reached === 'phone') return <li>We sent no e-mail, as you gave only a phone number. Staff will phone you about your {what} if they need to; you can follow it any time with the reference number on the Track a request page.</li>;
  if (reached === 'none') return <li>You gave us no way to reach you, so no confirmation was sent. Keep the reference number: with it you can see what happens on the Track a request page.</li>;
  return <li>Keep the reference number: with it you can see what happens on the Track a request page.</li>;
}

export function customerInput(c: ContactAnswers) {
  return {
    name: c.name || undefined,
    email: c.email || undefined,
    phone: c.phone || undefined,
    preferredContact: c.contact === '' ? undefined : c.contact,
  };
}

/** The contact part of a form. */
export function ContactFields(props: { values: ContactAnswers; errors: FieldErrors; autofocus?: string | undefined; why: string }) {
  const { values, errors } = props;
  return (
    <fieldset class="form-section">
      <legend class="form-section__title">Your contact details</legend>
      <p class="hint">{props.why}</p>
      <TextField name="name" label="Your name" autocomplete="name" value={values.name} error={errors['name']} maxLength={200} />
      <TextField name="email" label="E-mail address" type="email" autocomplete="email" value={values.email} error={errors['email']} maxLength={320} />
      <TextField name="phone" label="Phone number" type="tel" autocomplete="tel" value={values.phone} error={errors['phone']} maxLength={40} class="narrow" />
      <Choices
        name="contact"
        label="How should we contact you?"
        options={[
          { value: 'email', label: 'By e-mail' },
          { value: 'phone', label: 'By phone' },
          { value: 'none', label: 'Do not contact me' },
        ]}
        value={values.contact || undefined}
        error={errors['contact']}
      />
    </fieldset>
  );
}

/** Hidden fields that carry the contact answers through the "Check your answers" page. */
export function ContactHidden(props: { values: ContactAnswers }) {
  return (
    <>
      <input type="hidden" name="name" value={props.values.name} />
      <input type="hidden" name="email" value={props.values.email} />
      <input type="hidden" name="phone" value={props.values.phone} />
      <input type="hidden" name="contact" value={props.values.contact} />
    </>
  );
}

export function contactSummary(c: ContactAnswers): string {
  const how = c.contact === 'none' ? 'Do not contact me' : c.contact === 'email' ? 'By e-mail' : c.contact === 'phone' ? 'By phone' : c.email ? 'By e-mail' : c.phone ? 'By phone' : 'No contact details given';
  return how;
}

/** A use case's error as form errors: its details on their fields, anything else at the top. */
export function formErrors(error: unknown, fieldFor: (field: string) => string | undefined): FieldErrors {
  if (!isAppError(error) || error.httpStatus >= 500 || error.code === 'RATE_LIMITED') throw error;
  const errors: FieldErrors = {};
  for (const detail of error.details) {
    const field = detail.field === undefined ? undefined : fieldFor(detail.field);
    if (field !== undefined && errors[field] === undefined) errors[field] = plain(withoutClauses(detail.message));
  }
  if (Object.keys(errors).length === 0) errors['_form'] = withoutClauses(error.message);
  return errors;
}

const plain = (message: string): string => message.charAt(0).toUpperCase() + message.slice(1);

export const contactFieldFor = (field: string): string | undefined =>
  field === 'customer.email' ? 'email' : field === 'customer.phone' ? 'phone' : field === 'customer.preferredContact' ? 'contact' : field === 'description' ? 'description' : undefined;

/** The contact details as the customer gave them, on a "check your answers" page. */
export function ContactFacts(props: { contact: ContactAnswers }) {
  const c = props.contact;
  return (
    <dl class="facts">
      <dt>Name</dt>
      <dd>{c.name || 'Not given'}</dd>
      <dt>E-mail</dt>
      <dd>{c.email || 'Not given'}</dd>
      <dt>Phone</dt>
      <dd>{c.phone || 'Not given'}</dd>
      <dt>How to contact you</dt>
      <dd>{contactSummary(c)}</dd>
    </dl>
  );
}

/** The top of a "sent" page: the reference number, large, to keep. */
export function SentBanner(props: { title: string; reference: string; what: string }) {
  return (
    <div class="confirmation" role="status">
      <h1>{props.title}</h1>
      <p>Your reference number is</p>
      <p class="reference reference--large">{props.reference}</p>
      <p>Keep it to track your {props.what} or when you contact us about it.</p>
    </div>
  );
}
