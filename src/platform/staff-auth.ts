import '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/connect.js';
import { authenticate } from '../directory/sessions.js';
import type { StaffMember } from '../directory/staff.js';
import type { Clock } from './clock.js';
import { AppError } from './errors.js';

export const sessionCookie = 'citydesk_session';

declare module 'fastify' {
  interface FastifyRequest {
    staff: StaffMember | null;
  }
}

/** The session token a request carries: the console's cookie or an API client's bearer token. */
export function sessionToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  return request.cookies?.[sessionCookie];
}

/** An onRequest hook for every staff route: no valid session, no entry (checked before the body is read). */
export function requireStaff(db: Db, clock: Clock) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const token = sessionToken(request);
    const staff = token ? await authenticate(db, token, clock.now()) : undefined;
    if (!staff) throw new AppError('UNAUTHENTICATED', 'Sign in first: send POST /api/v1/session with your e-mail and password, then the token it returns as "Authorization: Bearer <token>".');
    request.staff = staff;
  };
}

export function signedInStaff(request: FastifyRequest): StaffMember {
  if (!request.staff) throw new AppError('UNAUTHENTICATED', 'Sign in first.');
  return request.staff;
}
