import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import { AccessLog, type Logger } from './platform/logger.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import type { Db } from './db/connect.js';
import type { Clock } from './platform/clock.js';
import { AppError } from './platform/errors.js';
import { logServerError, retryAfter, toAppError, unstorableText } from './platform/http-errors.js';
import { registerJsonBodyParser } from './platform/json-body.js';
import { registerSecurityHeaders, swaggerUiCsp } from './platform/security-headers.js';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { caseServices } from './cases/case-services.js';
import { registerCaseRoutes } from './cases/case-routes.js';
import { registerDirectoryRoutes } from './directory/directory-routes.js';
import { registerEscalationRoutes } from './escalation/escalation-routes.js';
import { registerKpiRoutes } from './performance/kpi-routes.js';
import { registerOpen311Routes } from './open311/open311-routes.js';
import { clientErrorAnswer, maxHeaderBytes, rememberRequestLine } from './open311/open311-client-errors.js';
import { registerWebRoutes } from './web/web-routes.js';
import { ErrorPage } from './web/error-page.js';
import type { SurveyLinks } from './feedback/survey-token.js';
import { sendPage } from './web/render.js';
import type { MailboxMonitor } from './mail/mailbox-reader.js';

export interface AppOptions {
  db: Db;
  clock: Clock;
  /** The process logger (pino); without it the app logs nothing (tests). */
  logger?: Logger | undefined;
  /** Which reverse proxies to believe about the client's address (TRUST_PROXY). */
  trustProxy?: boolean | number | string[];
  /** The reader of the City's mailbox (IMAP_URL); absent: e-mail is entered by hand. */
  mailbox?: MailboxMonitor | undefined;
  /** Survey links: the portal's public address and the signing key (PUBLIC_URL, SURVEY_LINK_SECRET). */
  surveyLinks?: SurveyLinks | undefined;
  /** The Chromium that prints reports to PDF (CHROMIUM_PATH; default /usr/bin/chromium). */
  chromiumPath?: string | undefined;
}

/** Builds the Fastify app from the areas. Routes are thin: validate, authorize, call a use case. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger as FastifyBaseLogger, logController: new AccessLog() } : { logger: false }),
    // Finish requests in flight on close; refuse new ones with 503 meanwhile.
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    bodyLimit: 1_048_576,
    // No type coercion: a number sent as a string is a mistake the client should hear about.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true } },
    // Long references are refused by their schema (in our error shape), not by the router.
    routerOptions: { maxParamLength: 1000 },
    // Room for an Open311 GET of 1,000 service_request_id; beyond it, an answer in the client's shape.
    http: { maxHeaderSize: maxHeaderBytes },
    clientErrorHandler: (error, socket) => {
      if ((error as { code?: string }).code === 'ECONNRESET' || socket.destroyed) return;
      if (socket.writable) socket.write(clientErrorAnswer((error as { code?: string }).code, socket, (error as unknown as { rawPacket?: Buffer }).rawPacket));
      socket.destroy(error);
    },
    // A hop count is documented by Fastify ("trust the nth hop") though this overload's type omits it.
    trustProxy: (options.trustProxy ?? false) as boolean | string[],
    // Errors Fastify meets before routing (a malformed URL) get the same shape as every other.
    frameworkErrors: (error, _request, reply) => {
      const appError = new AppError('VALIDATION_FAILED', error.code === 'FST_ERR_BAD_URL' ? 'The address is not valid.' : 'The request is not valid.');
      void (reply as unknown as { status(code: number): { send(body: unknown): void } }).status(appError.httpStatus).send({ error: appError.toJSON() });
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.server.on('connection', rememberRequestLine);
  // The API speaks JSON only: a text body is a client's mistake (415), not a string to validate.
  app.removeContentTypeParser('text/plain');
  // A body nested deeper than any request takes is refused before anything walks it (400).
  registerJsonBodyParser(app);
  // PostgreSQL cannot store U+0000 or half a surrogate pair; say so instead of failing to store it.
  app.addHook('preValidation', async (request) => {
    const problem = unstorableText(request.body, 'body');
    if (problem) throw new AppError('VALIDATION_FAILED', `${problem} contains a character that cannot be stored (a NUL or half of a surrogate pair). Remove it and send again.`, [{ field: problem, message: 'unstorable character' }]);
  });

  app.setErrorHandler((error, request, reply) => {
    const appError = toAppError(error);
    logServerError(request, error, appError);
    const wait = retryAfter(appError);
    if (wait !== undefined) void reply.header('retry-after', String(wait));
    void reply.status(appError.httpStatus).send({ error: appError.toJSON() });
  });
  const services = { ...caseServices(options.db, options.clock), mailbox: options.mailbox, surveyLinks: options.surveyLinks, chromiumPath: options.chromiumPath };
  app.setNotFoundHandler(async (request, reply) => {
    const appError = new AppError('NOT_FOUND', `There is nothing at ${request.method} ${request.url.split('?')[0]}.`);
    // A person in a browser gets a page; a program gets the API's error shape.
    if (wantsPage(request)) {
      const directory = await services.directory.get().catch(() => undefined);
      return sendPage(reply, ErrorPage({ error: new AppError('NOT_FOUND', 'There is no page at this address. Check the address, or start again from the home page.'), municipality: directory?.municipality.name ?? 'citydesk', path: request.url }), 404);
    }
    return reply.status(404).send({ error: appError.toJSON() });
  });

  // CSP, framing, nosniff and no-store on every response (pages add theirs in their scope).
  registerSecurityHeaders(app);
  await app.register(cookie);
  // Limits apply where a route asks for one (the public routes), per client address.
  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    openapi: {
      info: { title: 'citydesk staff API', version: '1', description: 'Cases, queues and sign-in for City staff. Errors are {"error": {"code", "message", "details"}}.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  // Swagger UI's page loads only its own scripts and styles and cannot be framed.
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true, transformStaticCSP: swaggerUiCsp });

  registerDirectoryRoutes(app, services);
  registerCaseRoutes(app, services);
  registerEscalationRoutes(app, services);
  registerKpiRoutes(app, services);
  // Open311 has its own body format (form-encoded) and error shape, so it lives in its own scope.
  await app.register(async (scope) => registerOpen311Routes(scope, services));
  // The portal and console take HTML forms and answer errors with pages.
  await app.register(async (scope) => registerWebRoutes(scope, services));

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (request, reply) => {
    try {
      await sql`select 1`.execute(options.db.kysely);
      // The mailbox is reported, not required: a server that cannot read mail still serves everyone else.
      return { status: 'ready', database: options.db.engine, mailbox: mailboxReadiness(options.mailbox) };
    } catch (error) {
      request.log.warn({ err: error }, 'database not reachable');
      const appError = new AppError('DATABASE_UNAVAILABLE', 'The database cannot be reached.');
      return reply.status(appError.httpStatus).header('retry-after', String(retryAfter(appError))).send({ status: 'unavailable', database: options.db.engine, error: appError.toJSON() });
    }
  });

  return app;
}

function mailboxReadiness(mailbox: MailboxMonitor | undefined) {
  if (!mailbox) return { status: 'not configured' };
  const s = mailbox.status();
  return {
    status: s.state === 'ok' ? 'ok' : s.state === 'retrying' ? 'unreachable' : s.state,
    ...(s.lastSuccessAt ? { lastSuccessAt: s.lastSuccessAt.toISOString() } : {}),
    ...(s.state === 'retrying' ? { failures: s.failures, error: s.lastError, ...(s.nextAttemptAt ? { nextAttemptAt: s.nextAttemptAt.toISOString() } : {}) } : {}),
  };
}

/** A browser navigating to a page (not the API or Open311, whose clients expect their own format). */
function wantsPage(request: FastifyRequest): boolean {
  const path = request.url;
  if (path.startsWith('/api/') || path.startsWith('/open311/')) return false;
  return (request.headers.accept ?? '').includes('text/html');
}
