import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { signInKey } from '../directory/sessions.js';
import { AppError } from './errors.js';

/**
 * How often anyone may try to sign in, through the API (POST /api/v1/session) and the console
 * alike: per client address, and per e-mail address tried (known or not, counted the same), on
 * top of the lock-out after five wrong passwords in a row.
 */
export const signInPerAddress = { max: 30, timeWindow: '1 minute' } as const;
export const signInPerAccount = { max: 10, timeWindow: 60_000 } as const;

/** A preHandler (the body is read by then) that counts attempts per e-mail address. */
export function perAccountSignInLimit(app: FastifyInstance, emailOf: (request: FastifyRequest) => string) {
  const check = app.createRateLimit({ ...signInPerAccount, keyGenerator: (request: FastifyRequest) => `sign-in:${signInKey(emailOf(request))}` });
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const result = await check(request);
    if (!result.isAllowed && result.isExceeded) {
      void reply.header('retry-after', String(result.ttlInSeconds));
      throw new AppError('RATE_LIMITED', `Too many sign-in attempts for this e-mail address. Wait ${result.ttlInSeconds} seconds and try again.`);
    }
  };
}
