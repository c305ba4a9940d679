import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { pino, stdSerializers, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { redactContactDetails } from '../standard/redaction.js';

export type { Logger };

/**
 * Logs carry no personal data (INTERPRETATION §9). A database error's detail is the row it
 * refused ("Failing row contains (…, name, e-mail, phone …)") or the key it found ("Key
 * (email)=(…)"); its message can quote the value it could not read. Request bodies are never
 * logged, and query strings only by their parameters' names (a search for a name is personal).
 */
const droppedErrorFields = ['detail', 'where', 'query', 'parameters', 'internalQuery', 'internalPosition', 'hint', 'body', 'payload', 'input'];

/** A database's or a library's words with the data in them taken out. */
export function scrubLogText(text: string): string {
  return redactContactDetails(
    text
      .replace(/Failing row contains \([\s\S]*?\)(?=\.?\s*$|\.?\n|\.\s)/g, 'Failing row contains [removed]')
      .replace(/Failing row contains \([\s\S]*$/g, 'Failing row contains [removed]')
      .replace(/(Key \([^)]*\))=\([\s\S]*?\)/g, '$1=[removed]')
      .replace(/(invalid input (?:syntax|value) for (?:type )?[\w ]+: )"[\s\S]*?"/gi, '$1[removed]')
      .replace(/(value too long for type [\w ]+\(\d+\))[\s\S]*$/gi, '$1'),
  );
}

function scrubError(value: unknown, depth = 0): unknown {
  if (depth > 5 || value === null || typeof value !== 'object') return typeof value === 'string' ? scrubLogText(value) : value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    if (droppedErrorFields.includes(key)) continue;
    out[key] = typeof inner === 'string' ? scrubLogText(inner) : Array.isArray(inner) ? inner.map((i) => scrubError(i, depth + 1)) : scrubError(inner, depth + 1);
  }
  return out;
}

/** An error as a log line shows it: the standard fields (type, message, stack, cause, code) without the data. */
export function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return scrubError(error);
  return scrubError(stdSerializers.err(error));
}

/** A URL with its query values taken out: /staff/search?q=[removed]. */
export function scrubUrl(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const names = url
    .slice(at + 1)
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => `${pair.split('=')[0]!.slice(0, 40)}=[removed]`);
  return `${url.slice(0, at)}?${names.join('&')}`;
}

interface RequestLike {
  method?: string;
  url?: string;
  ip?: string;
  socket?: { remotePort?: number };
  headers?: Record<string, unknown>;
}

function serializeRequest(request: RequestLike): unknown {
  const userAgent = request.headers?.['user-agent'];
  return {
    method: request.method,
    url: typeof request.url === 'string' ? scrubUrl(request.url) : undefined,
    remoteAddress: request.ip,
    ...(typeof userAgent === 'string' ? { userAgent: userAgent.slice(0, 200) } : {}),
  };
}

/** Structured JSON logs on standard output (pino). LOG_LEVEL=debug|info|warn|error|silent. */
export function loggerOptions(level = process.env['LOG_LEVEL'] ?? 'info'): LoggerOptions {
  return {
    level,
    base: { service: 'citydesk' },
    serializers: { err: serializeError, error: serializeError, req: serializeRequest },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'password', '*.password', 'body', '*.body', 'payload', '*.payload', 'req.body', 'request.body'],
      remove: true,
    },
  };
}

/** The process logger; `destination` is for tests that read what would be logged. */
export function createLogger(level?: string, destination?: DestinationStream): Logger {
  return destination ? pino(loggerOptions(level), destination) : pino(loggerOptions(level));
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
