import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { AccessLog, type Logger } from './platform/logger.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import type { Db } from './db/connect.js';
import type { Clock } from './platform/clock.js';
import { AppError, isAppError } from './platform/errors.js';
import { loadMunicipality } from './directory/municipality.js';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { caseServices } from './cases/case-services.js';
import { registerCaseRoutes } from './cases/case-routes.js';
import { registerDirectoryRoutes } from './directory/directory-routes.js';
import { registerEscalationRoutes } from './escalation/escalation-routes.js';

export interface AppOptions {
  db: Db;
  clock: Clock;
  /** The process logger (pino); without it the app logs nothing (tests). */
  logger?: Logger | undefined;
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
    maxParamLength: 1000,
    // Errors Fastify meets before routing (a malformed URL) get the same shape as every other.
    frameworkErrors: (error, _request, reply) => {
      const appError = new AppError('VALIDATION_FAILED', error.code === 'FST_ERR_BAD_URL' ? 'The address is not valid.' : 'The request is not valid.');
      void (reply as unknown as { status(code: number): { send(body: unknown): void } }).status(appError.httpStatus).send({ error: appError.toJSON() });
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // The API speaks JSON only: a text body is a client's mistake (415), not a string to validate.
  app.removeContentTypeParser('text/plain');
  // PostgreSQL cannot store U+0000 or half a surrogate pair; say so instead of failing to store it.
  app.addHook('preValidation', async (request) => {
    const problem = unstorableText(request.body, 'body');
    if (problem) throw new AppError('VALIDATION_FAILED', `${problem} contains a character that cannot be stored (a NUL or half of a surrogate pair). Remove it and send again.`, [{ field: problem, message: 'unstorable character' }]);
  });

  app.setErrorHandler((error, request, reply) => {
    const appError = toAppError(error);
    if (appError.httpStatus >= 500) request.log.error({ err: error }, appError.message);
    void reply.status(appError.httpStatus).send({ error: appError.toJSON() });
  });
  app.setNotFoundHandler((request, reply) => {
    const appError = new AppError('NOT_FOUND', `There is nothing at ${request.method} ${request.url.split('?')[0]}.`);
    void reply.status(404).send({ error: appError.toJSON() });
  });

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
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  const services = caseServices(options.db, options.clock);
  registerDirectoryRoutes(app, services);
  registerCaseRoutes(app, services);
  registerEscalationRoutes(app, services);

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (request, reply) => {
    try {
      await sql`select 1`.execute(options.db.kysely);
      return { status: 'ready', database: options.db.engine };
    } catch (error) {
      request.log.warn({ err: error }, 'database not reachable');
      const appError = new AppError('DATABASE_UNAVAILABLE', 'The database cannot be reached.');
      return reply.status(appError.httpStatus).send({ status: 'unavailable', database: options.db.engine, error: appError.toJSON() });
    }
  });

  app.get('/', async (_request, reply) => {
    const municipality = await loadMunicipality(options.db.kysely);
    void reply.type('text/html; charset=utf-8');
    return homePage(municipality.name);
  });

  return app;
}

/** The path of the first string in a JSON value that PostgreSQL cannot store as text. */
export function unstorableText(value: unknown, path: string): string | undefined {
  // eslint-disable-next-line no-control-regex -- U+0000 is exactly what is looked for
  if (typeof value === 'string') return /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value) ? path : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const found = unstorableText(value[i], `${path}[${i}]`);
      if (found) return found;
    }
  } else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      const found = unstorableText(key, path) ?? unstorableText(inner, path === 'body' ? key : `${path}.${key}`);
      if (found) return found;
    }
  }
  return undefined;
}

/** The one map from any error to citydesk's error codes. */
export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  const e = error as { statusCode?: number; code?: string; message?: string; validation?: { instancePath?: string; message?: string; params?: Record<string, unknown> }[] };
  if (e.validation) {
    const byField = new Map<string, { messages: Set<string>; allowed: unknown[] }>();
    for (const v of e.validation) {
      const path = (v.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
      const named = v.params?.['missingProperty'] ?? v.params?.['additionalProperty'];
      const field = [path, named].filter((p) => p !== undefined && p !== '').join('.') || 'body';
      const entry = byField.get(field) ?? { messages: new Set<string>(), allowed: [] };
      // A choice of values shows as one "must be equal to constant" per value: list them once.
      if (v.params && 'allowedValue' in v.params) entry.allowed.push(v.params['allowedValue']);
      else if (v.message !== 'must match a schema in anyOf') entry.messages.add(named !== undefined && v.params?.['additionalProperty'] !== undefined ? 'is not a field this request takes' : (v.message ?? 'is not valid'));
      byField.set(field, entry);
    }
    const details = [...byField].map(([field, entry]) => ({
      field,
      message: [...entry.messages, ...(entry.allowed.length > 0 ? [`must be one of ${entry.allowed.join(', ')}`] : [])].join('; ') || 'is not valid',
    }));
    return new AppError('VALIDATION_FAILED', `The request is not valid: ${details.map((d) => `${d.field} ${d.message}`).join('; ')}.`, details);
  }
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new AppError('PAYLOAD_TOO_LARGE', 'The request body is too large (at most 1 MB).');
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new AppError('UNSUPPORTED_MEDIA_TYPE', 'This content type is not accepted: send JSON with "Content-Type: application/json".');
  }
  if (e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return new AppError('VALIDATION_FAILED', 'The request body is empty: send a JSON object.');
  if (e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (e.statusCode === 400 && e.message)) {
    return new AppError('VALIDATION_FAILED', `The request body is not valid JSON (${e.message ?? 'malformed'}). Send a well-formed JSON object.`);
  }
  if (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500 && e.statusCode !== 404 && e.statusCode !== 429) {
    return new AppError('VALIDATION_FAILED', e.message ?? 'The request is not valid.');
  }
  if (e.statusCode === 404) return new AppError('NOT_FOUND', 'Not found.');
  if (e.statusCode === 429) return new AppError('RATE_LIMITED', 'Too many requests. Wait a minute and try again.');
  return new AppError('INTERNAL', 'Something went wrong on our side. The problem is logged; please try again.', [], { cause: error });
}

function homePage(name: string): string {
  const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(name)}: citydesk</title>
<style>body{font:1.125rem/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1b1b1b}h1{color:#003a70}</style></head>
<body><main><h1>${escape(name)}</h1><p>citydesk is running. The public portal and staff console are on their way.</p>
<p><a href="/healthz">Service health</a> · <a href="/readyz">Database readiness</a></p></main></body>
</html>`;
}
