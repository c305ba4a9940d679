import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CaseServices } from '../../cases/case-services.js';
import { answerSurvey, openSurvey, optOutOfSurveys, SurveyLinkRefused } from '../../feedback/answer-survey.js';
import { isAppError } from '../../platform/errors.js';
import type { FieldErrors } from '../components.js';
import { sendPage } from '../render.js';
import { portalRateLimit } from './portal-forms.js';
import { portalContext } from './portal-layout.js';
import { OptOutPage, SurveyPage, SurveyRefused, SurveyThanks, type SurveyForm } from './survey-pages.js';

/**
 * The survey's pages (issue 14): /survey/<token> opens and answers it, /survey/stop/<token> stops
 * invitations. A damaged link is a 404 page, an expired one 410, an answered one 409, each saying
 * what happened; nothing about the case is shown before the token is checked.
 */

const answerLimit = portalRateLimit(30);
const refusedStatus = { invalid: 404, expired: 410, answered: 409 } as const;

const formOf = (request: FastifyRequest): Record<string, unknown> =>
  request.body && typeof request.body === 'object' && !Array.isArray(request.body) ? (request.body as Record<string, unknown>) : {};
const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const tokenOf = (given: string): string => given.slice(0, 200);

export function registerSurveyPages(app: FastifyInstance, services: CaseServices): void {
  // Survey pages are personal: never cached, never indexed, never named to another site.
  const personal = (reply: FastifyReply) => reply.header('cache-control', 'no-store').header('x-robots-tag', 'noindex');

  app.get<{ Params: { token: string } }>('/survey/:token', async (request, reply) => {
    const ctx = await portalContext(services);
    const token = tokenOf(request.params.token);
    const opened = await openSurvey(services.db.kysely, { links: services.surveyLinks, token, now: ctx.now });
    personal(reply);
    if (opened.state !== 'open') {
      return sendPage(reply, <SurveyRefused ctx={ctx} state={opened.state} survey={opened.state === 'invalid' ? undefined : opened.survey} />, refusedStatus[opened.state]);
    }
    return sendPage(reply, <SurveyPage ctx={ctx} token={token} survey={opened.survey} form={{ rating: '', resolved: '', comment: '' }} errors={{}} />);
  });

  app.post<{ Params: { token: string } }>('/survey/:token', { config: answerLimit }, async (request, reply) => {
    const ctx = await portalContext(services);
    const token = tokenOf(request.params.token);
    const body = formOf(request);
    const form: SurveyForm = { rating: text(body['rating']).slice(0, 10), resolved: text(body['resolved']).slice(0, 10), comment: text(body['comment']) };
    personal(reply);
    try {
      const { survey, answer } = await answerSurvey({ services, token, input: { rating: form.rating, resolved: form.resolved, comment: body['comment'] } });
      return sendPage(reply, <SurveyThanks ctx={ctx} survey={survey} lookAgain={answer.resolved === 'no' && answer.comment !== null} />);
    } catch (error) {
      if (error instanceof SurveyLinkRefused) {
        const opened = error.opened;
        return sendPage(reply, <SurveyRefused ctx={ctx} state={opened.state} survey={opened.state === 'invalid' ? undefined : opened.survey} />, refusedStatus[opened.state]);
      }
      if (isAppError(error) && error.code === 'VALIDATION_FAILED') {
        const opened = await openSurvey(services.db.kysely, { links: services.surveyLinks, token, now: ctx.now });
        if (opened.state !== 'open') return sendPage(reply, <SurveyRefused ctx={ctx} state={opened.state} />, refusedStatus[opened.state]);
        const errors: FieldErrors = {};
        for (const d of error.details) if (d.field) errors[d.field] = d.message;
        // A comment too long to keep is shown cut to what fits, so the page stays small; the message says so.
        const shown = { ...form, comment: form.comment.slice(0, 4000) };
        return sendPage(reply, <SurveyPage ctx={ctx} token={token} survey={opened.survey} form={shown} errors={errors} />, 400);
      }
      if (isAppError(error) && error.code === 'CONFLICT') {
        const opened = await openSurvey(services.db.kysely, { links: services.surveyLinks, token, now: ctx.now });
        return sendPage(reply, <SurveyRefused ctx={ctx} state="answered" survey={opened.state === 'invalid' ? undefined : opened.survey} />, 409);
      }
      throw error;
    }
  });

  app.get<{ Params: { token: string } }>('/survey/stop/:token', async (request, reply) => {
    const ctx = await portalContext(services);
    personal(reply);
    return sendPage(reply, <OptOutPage ctx={ctx} token={tokenOf(request.params.token)} />);
  });

  app.post<{ Params: { token: string } }>('/survey/stop/:token', { config: answerLimit }, async (request, reply) => {
    const ctx = await portalContext(services);
    personal(reply);
    const done = await optOutOfSurveys({ db: services.db, links: services.surveyLinks, token: tokenOf(request.params.token), now: ctx.now });
    if (!done) return sendPage(reply, <OptOutPage ctx={ctx} token="" invalid />, 404);
    return sendPage(reply, <OptOutPage ctx={ctx} token="" done={done} />);
  });
}
