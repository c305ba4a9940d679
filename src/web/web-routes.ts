import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import helmet from '@fastify/helmet';
import type { CaseServices } from '../cases/case-services.js';
import { AppError } from '../platform/errors.js';
import { logServerError, retryAfter, toAppError } from '../platform/http-errors.js';
import { parseFormBody } from './form-body.js';
import { sendPage } from './render.js';
import { ErrorPage } from './error-page.js';
import { registerPortalRoutes } from './portal/portal-routes.js';
import { registerConsoleRoutes } from './console/console-routes.js';


const htmx = readFileSync(createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js'));

/**
 * The public portal and the staff console: server-rendered pages, forms posted the ordinary way
 * (every page works without JavaScript), htmx where the console is quicker with it.
 */
export async function registerWebRoutes(app: FastifyInstance, services: CaseServices): Promise<void> {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 262_144 }, (_request, body, done) => {
    try {
      done(null, parseFormBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  // Security headers for every page: scripts only from this site (no inline script anywhere), no
  // framing by other sites, no MIME sniffing. Inline styles stay allowed for htmx's indicator
  // style. Forms post only to this site.
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        objectSrc: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
    // Staff open a customer's photo link in a new tab; nothing else leaves the site.
    crossOriginEmbedderPolicy: false,
    // As frame-ancestors 'none', for browsers that only read X-Frame-Options.
    xFrameOptions: { action: 'deny' },
    // Browsers then name this site as the Origin of its own forms (with "no-referrer" they send
    // "Origin: null", which the cross-site check below must refuse) and tell no other site
    // which page a link was followed from.
    referrerPolicy: { policy: 'same-origin' },
  });

  await app.register(fastifyStatic, {
    root: fileURLToPath(new URL('./assets/', import.meta.url)),
    prefix: '/assets/',
    maxAge: '1h',
    index: false,
  });
  // Leaflet (the report form's map, issue 19) from its npm package: no CDN, nothing from elsewhere.
  await app.register(fastifyStatic, {
    root: dirname(createRequire(import.meta.url).resolve('leaflet/dist/leaflet.js')),
    prefix: '/assets/leaflet/',
    maxAge: '1d',
    index: false,
    decorateReply: false,
    allowedPath: (path) => /^\/(leaflet\.(js|css)|images\/[a-z0-9-]+\.png)$/.test(path),
  });
  app.get('/assets/htmx.min.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=86400').send(htmx));

  // A form posted from another site is refused (cross-site request forgery): browsers say where a
  // request comes from in Sec-Fetch-Site and Origin.
  app.addHook('onRequest', async (request) => {
    if (request.method === 'GET' || request.method === 'HEAD') return;
    if (!isSameOrigin(request)) throw new AppError('FORBIDDEN', 'This form was sent from another site. Open the page on this site and send it again.');
  });

  app.setErrorHandler((error, request, reply) => {
    const appError = forPages(toAppError(error));
    logServerError(request, error, appError);
    const wait = retryAfter(appError);
    if (wait !== undefined) void reply.header('retry-after', String(wait));
    if (appError.code === 'UNAUTHENTICATED' && request.url.startsWith('/staff')) {
      return reply.redirect(`/staff/sign-in?next=${encodeURIComponent(request.url)}`, 303);
    }
    return services.directory.get().then(
      (directory) => sendPage(reply, ErrorPage({ error: appError, municipality: directory.municipality.name, path: request.url }), appError.httpStatus),
      () => sendPage(reply, ErrorPage({ error: appError, municipality: 'citydesk', path: request.url }), appError.httpStatus),
    );
  });

  await registerPortalRoutes(app, services);
  await registerConsoleRoutes(app, services);
}

/** The API's words for a body it cannot read name JSON; a page's form is never JSON, so its sender is told what to do instead. */
function forPages(error: AppError): AppError {
  if (error.code !== 'UNSUPPORTED_MEDIA_TYPE') return error;
  return new AppError('UNSUPPORTED_MEDIA_TYPE', 'This form was sent in a way we cannot read. Open the form on this site, fill it in and send it again from there.');
}

function isSameOrigin(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const origin = request.headers.origin;
  if (origin === undefined || origin === 'null') return origin === undefined;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}
