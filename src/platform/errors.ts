/**
 * The one error type citydesk raises on purpose. Every code is stable (clients and tests rely on
 * it) and maps to exactly one HTTP status here, nowhere else. `message` is for the person who
 * meets the error: it says what happened and what to do next.
 */
export const errorCodes = {
  VALIDATION_FAILED: 400,
  CONFIG_INVALID: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  ACCOUNT_LOCKED: 423,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** The request is well formed but the Standard does not allow it (e.g. a social-media service request). */
  RULE_VIOLATION: 422,
  RATE_LIMITED: 429,
  EMBEDDED_DATABASE_BUSY: 503,
  DATABASE_UNAVAILABLE: 503,
  INTERNAL: 500,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof errorCodes;

export interface ErrorDetail {
  /** Where the problem is: a field path, a file and field, or a setting name. */
  field?: string;
  message: string;
}

/** The most details an error lists: a request with 10,000 bad fields gets the first ones and a count, not a megabyte. */
export const maxErrorDetails = 20;

/** Details past the first `max` said as one more detail with their count. */
export function capDetails(details: readonly ErrorDetail[], max = maxErrorDetails): ErrorDetail[] {
  if (details.length <= max) return [...details];
  const more = details.length - max;
  return [...details.slice(0, max), { message: `and ${more.toLocaleString('en-CA')} more problem${more === 1 ? '' : 's'} not listed: fix these first and send again` }];
}

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly details: ErrorDetail[];
  constructor(
    readonly code: ErrorCode,
    message: string,
    details: ErrorDetail[] = [],
    options?: { cause?: unknown },
  ) {
    super(message.length > 2000 ? `${message.slice(0, 2000)}…` : message, options);
    this.details = capDetails(details);
  }

  get httpStatus(): number {
    return errorCodes[this.code];
  }

  toJSON(): { code: ErrorCode; message: string; details?: ErrorDetail[] } {
    return this.details.length > 0
      ? { code: this.code, message: this.message, details: this.details }
      : { code: this.code, message: this.message };
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

export const validationError = (message: string, details: ErrorDetail[] = []): AppError =>
  new AppError('VALIDATION_FAILED', message, details);
