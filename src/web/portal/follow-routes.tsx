import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CaseServices } from '../../cases/case-services.js';
import { findPublicCase, normalizeReference } from '../../cases/find-public-case.js';
import { confirmFollow, openFollowLink, requestFollow, unfollowRequest, type FollowLinkResult } from '../../notify/follow-request.js';
import { AppError } from '../../platform/errors.js';
import { sendPage } from '../render.js';
import { FollowLinkPage, FollowStart } from './follow-pages.js';
import { formErrors, isHoneypotHit, portalRateLimit, text, type Form } from './portal-forms.js';
import { portalContext } from './portal-layout.js';

/**
 * Following a request (issue 19): /track/:reference/follow asks for the address, /follow/confirm/
 * and /follow/stop/ are the e-mails' links (a page with one button each). The answer to the form
 * is the same whether or not the address already follows the request.
 */

const followLimit = portalRateLimit(10);
const linkLimit = portalRateLimit(30);
const linkStatus = { invalid: 404, expired: 410, done: 200 } as const;

const formOf = (request: FastifyRequest): Form => (request.body && typeof request.body === 'object' && !Array.isArray(request.body) ? (request.body as Form) : {});
const tokenOf = (given: string): string => given.slice(0, 200);

export function registerFollowPages(app: FastifyInstance, services: CaseServices): void {
  const personal = (reply: FastifyReply) => reply.header('cache-control', 'no-store').header('x-robots-tag', 'noindex');

  const followable = async (reference: string) => {
    const ctx = await portalContext(services);
    const normal = normalizeReference(reference.slice(0, 60));
    const found = normal ? await findPublicCase(services.db.kysely, ctx.directory, normal) : undefined;
    if (!found || found.kind !== 'service_request') throw new AppError('NOT_FOUND', 'There is no service request with that reference number to follow. Check the number on the Track a request page.');
    return { ctx, found };
  };

  app.get<{ Params: { reference: string }; Querystring: { sent?: string } }>('/track/:reference/follow', async (request, reply) => {
    const { ctx, found } = await followable(request.params.reference);
    return sendPage(reply, <FollowStart ctx={ctx} found={found} email="" errors={{}} sent={request.query.sent === '1'} />);
  });

  app.post<{ Params: { reference: string } }>('/track/:reference/follow', { config: followLimit }, async (request, reply) => {
    const { ctx, found } = await followable(request.params.reference);
    const form = formOf(request);
    const email = text(form, 'email').slice(0, 400);
    if (!isHoneypotHit(form)) {
      try {
        await requestFollow({ db: services.db, links: services.surveyLinks, reference: found.reference, email, now: ctx.now });
      } catch (error) {
        const errors = formErrors(error, (field) => (field === 'email' ? 'email' : undefined));
        return sendPage(reply, <FollowStart ctx={ctx} found={found} email={email} errors={errors} />, 400);
      }
    } else {
      request.log.warn({ path: request.url }, 'portal honeypot filled: no follow recorded');
    }
    return reply.redirect(`/track/${found.reference}/follow?sent=1`, 303);
  });

  const linkPage = (kind: 'confirm' | 'stop', act: typeof confirmFollow) => {
    app.get<{ Params: { token: string } }>(`/follow/${kind}/:token`, async (request, reply) => {
      const ctx = await portalContext(services);
      const token = tokenOf(request.params.token);
      const opened = await openFollowLink({ db: services.db, links: services.surveyLinks, token, now: ctx.now, kind });
      personal(reply);
      return sendPage(reply, <FollowLinkPage ctx={ctx} kind={kind} token={token} state={opened.state === 'done' ? 'ask' : opened.state} reference={reference(opened)} />, linkStatus[opened.state]);
    });
    app.post<{ Params: { token: string } }>(`/follow/${kind}/:token`, { config: linkLimit }, async (request, reply) => {
      const ctx = await portalContext(services);
      const token = tokenOf(request.params.token);
      const done = await act({ db: services.db, links: services.surveyLinks, token, now: ctx.now });
      personal(reply);
      return sendPage(reply, <FollowLinkPage ctx={ctx} kind={kind} token={token} state={done.state} reference={reference(done)} />, linkStatus[done.state]);
    });
  };
  linkPage('confirm', confirmFollow);
  linkPage('stop', unfollowRequest);
}

const reference = (r: FollowLinkResult): string | undefined => (r.state === 'invalid' ? undefined : r.reference);
