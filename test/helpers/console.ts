/**
 * The staff console without a browser: a signed-in session cookie and form posts through
 * inject(), for tests that walk many forms (permissions, validation) where a browser would be slow.
 */
import type { FastifyInstance, InjectOptions } from 'fastify';
import type { Db } from '../../src/db/connect.js';
import type { Clock } from '../../src/platform/clock.js';
import { sessionCookie } from '../../src/platform/staff-auth.js';
import { demoPassword } from './api.js';
import { sessionToken } from './sessions.js';

export interface ConsoleResponse {
  status: number;
  body: string;
  headers: Record<string, unknown>;
}

export interface ConsoleClient {
  get(url: string): Promise<ConsoleResponse>;
  /** Posts a form; nested fields as the browser names them (customer[name]). */
  post(url: string, form?: Record<string, string>): Promise<ConsoleResponse>;
}

export const formBody = (form: Record<string, string>): string => new URLSearchParams(form).toString();

/**
 * A page's words as a reader sees them: scripts and styles and the tags dropped, the entities the
 * pages use decoded (&amp; last, so "&amp;lt;" stays "&lt;"), spaces squeezed.
 */
export const pageText = (html: string): string =>
  html
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

/**
 * The console as `email` sees it, with the session cookie of that account's session for the
 * clock's day (shared with `as()` and the browser helper: see sessions.ts). Each request reads
 * the session anew, so a test that moves its clock past a session's life gets the next one.
 */
export async function consoleAs(site: { app: FastifyInstance; db: Db; clock: Clock }, email: string, password = demoPassword): Promise<ConsoleClient> {
  await sessionToken(site, email, password);
  const send = async (options: InjectOptions): Promise<ConsoleResponse> => {
    const cookie = `${sessionCookie}=${await sessionToken(site, email, password)}`;
    const r = await site.app.inject({ ...options, headers: { ...(options.headers ?? {}), cookie } });
    return { status: r.statusCode, body: r.body, headers: r.headers };
  };
  return {
    get: (url) => send({ method: 'GET', url }),
    post: (url, form = {}) => send({ method: 'POST', url, payload: formBody(form), headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
  };
}
