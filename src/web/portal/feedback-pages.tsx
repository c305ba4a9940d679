import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CaseServices } from '../../cases/case-services.js';
import { submitPortalFeedback, type PortalFeedbackInput } from '../../feedback/customer-feedback.js';
import { isAppError } from '../../platform/errors.js';
import { maxCommentLength } from '../../standard/customer-satisfaction.js';
import { Breadcrumbs, Choices, ErrorSummary, TextArea, TextField, type FieldErrors } from '../components.js';
import { sendPage } from '../render.js';
import { Honeypot, isHoneypotHit, portalRateLimit } from './portal-forms.js';
import { PortalLayout, OfficePhones, portalContext, type PortalContext } from './portal-layout.js';

/** "A compliment or a complaint" (issue 14, CSS §6.3): read by City staff, never published. */

function FeedbackForm(props: { ctx: PortalContext; form: PortalFeedbackInput; errors: FieldErrors }) {
  const { ctx, form, errors } = props;
  return (
    <PortalLayout ctx={ctx} title={`${Object.keys(errors).length > 0 ? 'Error: ' : ''}Send a compliment or complaint`} path="/feedback">
      <Breadcrumbs items={[{ href: '/', label: 'Home' }, { label: 'Compliment or complaint' }]} />
      <ErrorSummary errors={errors} />
      <h1>Send a compliment or complaint</h1>
      <p class="lede">Tell us what went well or what went wrong. City staff read every message; it is never published.</p>
      <p>To report a problem that needs fixing, <a href="/report">report it here</a> instead, so it gets a reference number and a target.</p>
      <form method="post" action="/feedback" novalidate class="panel portal-form">
        <Choices name="kind" label="Is this a compliment or a complaint?" required options={[{ value: 'compliment', label: 'A compliment' }, { value: 'complaint', label: 'A complaint' }]} value={form.kind || undefined} error={errors['kind']} inline />
        <TextArea name="text" label="Your message" required hint={`Up to ${maxCommentLength.toLocaleString('en-CA')} characters.`} value={form.text} rows={6} maxLength={maxCommentLength} error={errors['text']} />
        <TextField name="reference" label="Reference number, if it is about a request" hint="Like SR-2026-000123." value={form.reference} maxLength={60} class="narrow" error={errors['reference']} />
        <TextField name="name" label="Your name" value={form.name} autocomplete="name" maxLength={200} error={errors['name']} />
        <TextField name="email" label="E-mail address, if you want a reply" type="email" value={form.email} autocomplete="email" maxLength={254} error={errors['email']} />
        <TextField name="phone" label="Phone number, if you want a call back" type="tel" value={form.phone} autocomplete="tel" maxLength={40} error={errors['phone']} />
        <Honeypot />
        <div class="actions">
          <button type="submit">Send</button>
        </div>
      </form>
    </PortalLayout>
  );
}

const text = (body: unknown, name: string): string => {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : '';
};

export function registerPortalFeedbackPages(app: FastifyInstance, services: CaseServices): void {
  const blank: PortalFeedbackInput = { kind: '', text: '', reference: '', name: '', email: '', phone: '' };
  app.get('/feedback', async (_request, reply) => sendPage(reply, <FeedbackForm ctx={await portalContext(services)} form={blank} errors={{}} />));
  app.post('/feedback', { config: portalRateLimit(20) }, async (request: FastifyRequest, reply) => {
    const ctx = await portalContext(services);
    const body = request.body;
    const form: PortalFeedbackInput = { kind: text(body, 'kind').slice(0, 20), text: text(body, 'text'), reference: text(body, 'reference').slice(0, 60), name: text(body, 'name').slice(0, 300), email: text(body, 'email').slice(0, 300), phone: text(body, 'phone').slice(0, 60) };
    const thanks = (
      <PortalLayout ctx={ctx} title="Thank you for your message" path="/feedback">
        <h1>Thank you for your message</h1>
        <div class="alert alert--ok" role="status">
          <p>We have your {form.kind === 'compliment' ? 'compliment' : 'message'}. City staff read every one.</p>
        </div>
        <p>
          Need an answer sooner? Phone <OfficePhones ctx={ctx} />.
        </p>
      </PortalLayout>
    );
    if (body && typeof body === 'object' && isHoneypotHit(body as Record<string, string>)) {
      request.log.warn({ path: request.url }, 'portal honeypot filled: nothing recorded');
      return sendPage(reply, thanks);
    }
    try {
      await submitPortalFeedback({ db: services.db, input: form, now: ctx.now });
      return sendPage(reply, thanks);
    } catch (error) {
      if (!isAppError(error) || error.code !== 'VALIDATION_FAILED') throw error;
      const errors: FieldErrors = {};
      for (const d of error.details) if (d.field) errors[d.field] = d.message;
      return sendPage(reply, <FeedbackForm ctx={ctx} form={{ ...form, text: form.text.slice(0, maxCommentLength) }} errors={errors} />, 400);
    }
  });
}
