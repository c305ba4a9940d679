import type { FastifyInstance } from 'fastify';

/**
 * Security headers on every response, not only the pages (which @fastify/helmet covers in their
 * scope): the staff API, Open311, the API documentation, health checks and the 404 page. A
 * response with a header of its own keeps it; what is missing is filled in here.
 *
 * - Content-Security-Policy: data (JSON, XML, CSV) loads nothing and is framed by no one; an HTML
 *   answer outside the pages' scope (the 404 page) gets the pages' policy. Swagger UI sets its own
 *   (its scripts and styles from this site) in its scope, made stricter there.
 * - X-Frame-Options DENY and frame-ancestors 'none': no other site frames citydesk (clickjacking).
 * - X-Content-Type-Options nosniff, Referrer-Policy same-origin.
 * - Cache-Control no-store on everything under /api/v1 and /staff: those answers carry personal
 *   information or session tokens, which no browser or proxy may keep.
 */
export const dataCsp = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
export const pageCsp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'";

/** Swagger UI's own policy (@fastify/swagger-ui's staticCSP), made stricter: no framing, nothing from other sites. */
export function swaggerUiCsp(header: string): string {
  return header
    .replace(/frame-ancestors [^;]*;/, "frame-ancestors 'none';")
    .replace(/ https:/g, '')
    .replace(/ validator\.swagger\.io/g, '')
    .replace(/\s*upgrade-insecure-requests;/, '')
    .trim();
}

const privatePrefixes = ['/api/v1/', '/api/v1?', '/staff'];

export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    const type = String(reply.getHeader('content-type') ?? '');
    if (!reply.hasHeader('content-security-policy')) void reply.header('content-security-policy', type.startsWith('text/html') ? pageCsp : dataCsp);
    if (!reply.hasHeader('x-frame-options')) void reply.header('x-frame-options', 'DENY');
    if (!reply.hasHeader('x-content-type-options')) void reply.header('x-content-type-options', 'nosniff');
    if (!reply.hasHeader('referrer-policy')) void reply.header('referrer-policy', 'same-origin');
    const path = request.url;
    if (privatePrefixes.some((p) => path === p.replace(/[/?]$/, '') || path.startsWith(p))) void reply.header('cache-control', 'no-store');
    return payload;
  });
}
