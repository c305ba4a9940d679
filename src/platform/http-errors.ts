import { AppError, isAppError } from './errors.js';

const unstorable = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/; // eslint-disable-line no-control-regex -- U+0000 is exactly what is looked for

/**
 * The path of the first string in a JSON value that PostgreSQL cannot store as text. Walks the
 * value with a stack of its own, not recursion, so no nesting depth can exhaust the call stack.
 */
export function unstorableText(value: unknown, path: string): string | undefined {
  const pending: { value: unknown; path: string }[] = [{ value, path }];
  while (pending.length > 0) {
    const next = pending.pop()!;
    const v = next.value;
    if (typeof v === 'string') {
      if (unstorable.test(v)) return next.path;
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i -= 1) pending.push({ value: v[i], path: `${next.path}[${i}]` });
    } else if (v && typeof v === 'object') {
      const entries = Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i -= 1) {
        const [key, inner] = entries[i]!;
        pending.push({ value: inner, path: next.path === 'body' ? key : `${next.path}.${key}` });
        pending.push({ value: key, path: next.path });
      }
    }
  }
  return undefined;
}

/** How long a client is asked to wait (Retry-After, seconds) when the database cannot be reached. */
export const databaseRetryAfterSeconds = 5;

/**
 * SQLSTATEs that say the connection or the server went away, not that the request was wrong:
 * admin_shutdown, crash_shutdown and cannot_connect_now (57P01–57P03), too_many_connections
 * (53300), and the whole connection_exception class (08…).
 */
const unavailableStates = new Set(['57P01', '57P02', '57P03', '53300']);
const unavailableSocketCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** What `pg` and its pool say when a connection ended, broke, or could not be had in time. */
const unavailableMessages = /^Connection terminated|^timeout exceeded when trying to connect|is not queryable|^Connection ended unexpectedly/;

/** The database could not be reached or dropped the connection (the request can simply be tried again). */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth += 1) {
    if (isAppError(e)) return e.code === 'DATABASE_UNAVAILABLE';
    const code = typeof e.code === 'string' ? e.code : '';
    if (unavailableStates.has(code) || code.startsWith('08') || unavailableSocketCodes.has(code)) return true;
    if (typeof e.message === 'string' && unavailableMessages.test(e.message)) return true;
  }
  return false;
}

/** The answer to a request the database could not be reached for. */
export const databaseUnavailable = (cause: unknown): AppError =>
  new AppError('DATABASE_UNAVAILABLE', `The database cannot be reached just now, so this was not done. Try again in ${databaseRetryAfterSeconds} seconds.`, [], { cause });

/** The Retry-After an error's answer carries, if any. */
export function retryAfter(error: AppError): number | undefined {
  return error.code === 'DATABASE_UNAVAILABLE' ? databaseRetryAfterSeconds : undefined;
}

/** The one map from any error to citydesk's error codes. */
export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  if (isDatabaseUnavailable(error)) return databaseUnavailable(error);
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
    const named = details.slice(0, 5).map((d) => `${d.field} ${d.message}`).join('; ');
    const more = details.length > 5 ? ` (and ${(details.length - 5).toLocaleString('en-CA')} more)` : '';
    return new AppError('VALIDATION_FAILED', `The request is not valid: ${named}${more}.`, details);
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

/**
 * Logs what an error answer hides: a fault of ours at error level; the database being out of
 * reach at warn level, once a request, without the stack (it says nothing about the request).
 */
export function logServerError(request: { log: { error(obj: object, msg: string): void; warn(obj: object, msg: string): void } }, error: unknown, appError: AppError): void {
  if (appError.code === 'DATABASE_UNAVAILABLE') {
    const cause = (appError.cause ?? error) as { code?: unknown; message?: unknown };
    request.log.warn({ code: cause.code, reason: cause.message }, appError.message);
  } else if (appError.httpStatus >= 500) {
    request.log.error({ err: error }, appError.message);
  }
}
