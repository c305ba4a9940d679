/**
 * The staff console without a browser: a signed-in session cookie and form posts through
 * inject(), for tests that walk many forms (permissions, validation) where a browser would be slow.
 */
import type { FastifyInstance } from 'fastify';
import { demoPassword } from './api.js';

export interface ConsoleResponse {
  status: number;
  body: string;
  headers: Record<string, unknown>;
}

export interface ConsoleClient {
  get(url: string): Promise<ConsoleResponse>;
  /** Posts a form; nested fields as the browser names them (customer[name]). */
  post(url: string, form: Record<string, string>): Promise<ConsoleResponse>;
}

export const formBody = (form: Record<string, string>): string => new URLSearchParams(form).toString();

export async function consoleAs(app: FastifyInstance, email: string): Promise<ConsoleClient> {
  const signIn = await app.inject({
    method: 'POST',
    url: '/staff/sign-in',
    payload: formBody({ email, password: demoPassword }),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  if (signIn.statusCode !== 303) throw new Error(`could not sign in to the console as ${email}: ${signIn.statusCode}`);
  const cookie = String(signIn.headers['set-cookie']).split(';')[0]!;
  const wrap = (r: { statusCode: number; body: string; headers: Record<string, unknown> }): ConsoleResponse => ({ status: r.statusCode, body: r.body, headers: r.headers });
  return {
    get: async (url) => wrap(await app.inject({ method: 'GET', url, headers: { cookie } })),
    post: async (url, form) =>
      wrap(await app.inject({ method: 'POST', url, payload: formBody(form), headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' } })),
  };
}
