import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/** Structured JSON logs on standard output (pino). LOG_LEVEL=debug|info|warn|error|silent. */
export function loggerOptions(level = process.env['LOG_LEVEL'] ?? 'info'): LoggerOptions {
  return {
    level,
    base: { service: 'citydesk' },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'password', '*.password'], remove: true },
  };
}

export function createLogger(level?: string): Logger {
  return pino(loggerOptions(level));
}

/**
 * The access log: one line per request, written once the response is sent, with the request
 * (method, URL, client), the status and the time taken. Fastify's default writes two lines
 * (incoming and completed), which costs a busy server as much as a database query. Errors are
 * logged as Fastify logs them.
 */
export class AccessLog extends LogController {
  override incomingRequest(): void {
    // Logged with its outcome, in requestCompleted.
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    if (error) reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}
