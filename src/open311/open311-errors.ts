import { isAppError } from '../platform/errors.js';
import { isDatabaseUnavailable, toAppError } from '../platform/http-errors.js';

/**
 * GeoReport v2 errors: the HTTP status and a list of `{code, description}` in the requested
 * format. The spec names 403 (api_key missing or wrong), 404 (what was asked for does not exist)
 * and 400 (anything else the client got wrong); citydesk adds 429 (too many requests) and keeps
 * 5xx for its own failures.
 */
export class Open311Error extends Error {
  override readonly name = 'Open311Error';
  constructor(
    readonly status: 400 | 403 | 404 | 413 | 414 | 429 | 500 | 503,
    readonly description: string,
    options?: { cause?: unknown },
  ) {
    super(description, options);
  }
}

export const badRequest = (description: string): Open311Error => new Open311Error(400, description);
export const notFound = (description: string): Open311Error => new Open311Error(404, description);

/** The one map from anything thrown inside the Open311 scope to an Open311 error. */
export function toOpen311Error(error: unknown): Open311Error {
  if (error instanceof Open311Error) return error;
  if (isAppError(error)) {
    const status = error.httpStatus;
    const description = error.message;
    if (status === 403 || status === 401) return new Open311Error(403, description);
    if (status === 404) return new Open311Error(404, description);
    if (status === 429) return new Open311Error(429, description);
    if (status === 413) return new Open311Error(413, description);
    if (status === 503) return new Open311Error(503, description, { cause: error });
    if (status >= 500) return new Open311Error(500, 'Something went wrong on our side. The problem is logged; please try again.', { cause: error });
    // Conflicts and the Standard's rules are, for an Open311 client, arguments it must change.
    return new Open311Error(400, description);
  }
  // The database out of reach is the one mapping's call (src/platform/http-errors.ts).
  if (isDatabaseUnavailable(error)) return toOpen311Error(toAppError(error));
  const e = error as { statusCode?: number; code?: string; message?: string };
  if (e.statusCode === 429) return new Open311Error(429, 'Too many requests from this address or api_key. Wait a minute and try again.');
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || e.statusCode === 413) return new Open311Error(413, 'The request body is too large (at most 64 KB).');
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || e.statusCode === 415) {
    return new Open311Error(400, 'This content type is not accepted: send the arguments form-encoded (Content-Type: application/x-www-form-urlencoded) or as a JSON object.');
  }
  if (e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || e.code === 'FST_ERR_CTP_INVALID_JSON_BODY') return new Open311Error(400, 'The request body is not a valid JSON object. Send the arguments form-encoded instead.');
  if (e.statusCode === 404) return new Open311Error(404, 'Not found.');
  if (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500) return new Open311Error(400, e.message ? `The request is not valid: ${e.message}` : 'The request is not valid.');
  return new Open311Error(500, 'Something went wrong on our side. The problem is logged; please try again.', { cause: error });
}
