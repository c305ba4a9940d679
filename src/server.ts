import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from './platform/logger.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import type { Db } from './db/connect.js';
import type { Clock } from './platform/clock.js';
import { AppError, isAppError } from './platform/errors.js';
import { loadMunicipality } from './directory/municipality.js';

export interface AppOptions {
  db: Db;
  clock: Clock;
  /** The process logger (pino); without it the app logs nothing (tests). */
  logger?: Logger | undefined;
}

/** Builds the Fastify app from the areas. Routes are thin: validate, authorize, call a use case. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger as FastifyBaseLogger } : { logger: false }),
    // Finish requests in flight on close; refuse new ones with 503 meanwhile.
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    bodyLimit: 1_048_576,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setErrorHandler((error, request, reply) => {
    const appError = toAppError(error);
    if (appError.httpStatus >= 500) request.log.error({ err: error }, appError.message);
    void reply.status(appError.httpStatus).send({ error: appError.toJSON() });
  });
  app.setNotFoundHandler((request, reply) => {
    const appError = new AppError('NOT_FOUND', `There is nothing at ${request.method} ${request.url.split('?')[0]}.`);
    void reply.status(404).send({ error: appError.toJSON() });
  });

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

/** The one map from any error to citydesk's error codes. */
export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  const e = error as { statusCode?: number; code?: string; message?: string; validation?: { instancePath?: string; message?: string; params?: Record<string, unknown> }[] };
  if (e.validation) {
    const details = e.validation.map((v) => ({
      field: (v.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.') || String(v.params?.['missingProperty'] ?? v.params?.['additionalProperty'] ?? 'body'),
      message: v.message ?? 'is not valid',
    }));
    return new AppError('VALIDATION_FAILED', `The request is not valid: ${details.map((d) => `${d.field} ${d.message}`).join('; ')}.`, details);
  }
  if (e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || (e.statusCode === 400 && e.message)) {
    return new AppError('VALIDATION_FAILED', `The request body is not valid: ${e.message ?? 'malformed'}. Send well-formed JSON.`);
  }
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new AppError('VALIDATION_FAILED', 'The request body is too large (at most 1 MB).');
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new AppError('VALIDATION_FAILED', `This content type is not accepted: ${e.message ?? ''}`);
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
