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
