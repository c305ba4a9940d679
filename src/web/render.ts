import type { FastifyReply } from 'fastify';
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';

/** The one way to render a page: JSX to an HTML string (text is escaped by Preact). */
export function renderPage(page: VNode): string {
  return `<!doctype html>${renderToString(page)}`;
}

export function sendPage(reply: FastifyReply, page: VNode, status = 200): FastifyReply {
  return reply
    .status(status)
    .type('text/html; charset=utf-8')
    // Pages can show personal information to staff: never keep them in a shared cache.
    .header('cache-control', 'no-store')
    .send(renderPage(page));
}

/** A fragment for htmx to swap in (no document shell). */
export function sendFragment(reply: FastifyReply, fragment: VNode, status = 200): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(renderToString(fragment));
}
