import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import qs from 'qs';
import type { CaseServices } from '../cases/case-services.js';
import { checkJurisdiction, listArgument, optionalCount, optionalDateTime, optionalText, type Arguments } from './open311-arguments.js';
import { open311Discovery } from './open311-discovery.js';
import { maxUrlLength, tooManyIds } from './open311-client-errors.js';
import { badRequest, notFound, Open311Error, toOpen311Error } from './open311-errors.js';
import { contentTypes, sendDocument, sendError, serialize, splitExtension, type Document, type Format } from './open311-format.js';
import { defaultPageSize, findOpen311Request, findOpen311Requests, maxPageSize } from './find-open311-requests.js';
import { listOpen311Services, open311ServiceDefinition } from './list-open311-services.js';
import { ResponseCache, type CachedAnswer } from './response-cache.js';
import { findOpen311Updates } from './find-open311-updates.js';
import { postOpen311Update } from './post-open311-update.js';
import { authenticateKey, submitOpen311Request } from './submit-open311-request.js';
import { databaseRetryAfterSeconds, logServerError, toAppError } from '../platform/http-errors.js';

/**
 * Open311 GeoReport v2 under /open311/v2/ and discovery at /open311/discovery.{json,xml}. This
 * scope has its own body format (form-encoded, as the spec's clients send; JSON is accepted too)
 * and its own error shape, so the rest of the app is unaffected by either.
 */

/** Per client address, per minute: reads that reach the database, and submissions. */
export const readsPerAddress = 600;
export const submissionsPerAddress = 120;
/** Per api_key, per minute, whatever the address. */
export const submissionsPerKey = 300;
const bodyLimit = 65_536;

/** The format a request asked for, from its path's extension; JSON when it names none (errors). */
function formatOf(request: FastifyRequest): Format {
  const path = request.url.split('?')[0] ?? '';
  return splitExtension(path.slice(path.lastIndexOf('/') + 1)).format ?? 'json';
}

/** "services.json" → its name and format, or the 400 that says how to ask. */
function resource(file: string): { name: string; format: Format } {
  const { name, format, extension } = splitExtension(file);
  if (extension === undefined) throw badRequest(`Add the format to the path: ${file}.json or ${file}.xml.`);
  if (format === undefined) throw badRequest(`"${extension.slice(0, 20)}" is not a format this server speaks: use .json or .xml.`);
  return { name, format };
}

export async function registerOpen311Routes(app: FastifyInstance, services: CaseServices): Promise<void> {
  const cache = new ResponseCache(services);
  const markers = new WeakMap<FastifyRequest, string>();
  /** The requests building an answer others wait for, and how to hand it over. */
  const builders = new WeakMap<FastifyRequest, (answer: CachedAnswer | undefined) => void>();

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    try {
      // attribute[code]=value and attribute[code][]=value; nothing deeper, no prototype keys.
      const parsed = qs.parse(body as string, { depth: 2, strictDepth: true, arrayLimit: 50, parameterLimit: 200, allowPrototypes: false, allowDots: false, plainObjects: true });
      done(null, parsed);
    } catch {
      done(badRequest('The form is not valid: give arguments as name=value pairs, attributes as attribute[code]=value or attribute[code][]=value.'), undefined);
    }
  });

  // An address longer than Open311 takes (about 1,000 ids at once): the most it takes, in the client's format.
  app.addHook('onRequest', async (request) => {
    if (request.url.length > maxUrlLength) {
      throw new Open311Error(414, tooManyIds(`The address is too long (${request.url.length.toLocaleString('en-CA')} characters; at most ${maxUrlLength.toLocaleString('en-CA')}).`));
    }
  });

  app.setErrorHandler((error, request, reply) => {
    const open311Error = toOpen311Error(error);
    if (open311Error.status === 503) {
      logServerError(request, error, toAppError(error));
      void reply.header('retry-after', String(databaseRetryAfterSeconds));
    } else if (open311Error.status >= 500) request.log.error({ err: error }, open311Error.description);
    return sendError(reply, open311Error, formatOf(request));
  });

  /** Answers a GET from the cache when nothing changed since it was built (see ResponseCache). */
  const fromCache = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const marker = await cache.marker();
    markers.set(request, marker);
    const key = `${request.host} ${request.url}`;
    let hit = cache.get(key, marker);
    if (!hit) {
      // Requests that miss together share one build: only the first reaches the database (and the rate limit).
      const joined = cache.join(key, marker);
      if ('done' in joined) {
        builders.set(request, joined.done);
        return undefined;
      }
      hit = await joined.waitFor;
      if (!hit) return undefined;
    }
    return reply.status(hit.status).type(hit.contentType).header('x-cache', 'hit').send(hit.body);
  };
  // Open311 is public data meant for other sites' apps too: any origin may read it. No cookie is
  // ever used here (the key travels in the request), so this opens nothing personal.
  app.addHook('onSend', async (_request, reply) => {
    void reply.header('access-control-allow-origin', '*');
  });
  // A build that ends without an answer (an error, the rate limit) lets its waiters build their own.
  app.addHook('onResponse', async (request) => {
    builders.get(request)?.(undefined);
  });

  /** Sends a GET's answer and keeps it for the next identical GET. */
  const answer = (request: FastifyRequest, reply: FastifyReply, document: Document, format: Format): FastifyReply => {
    const body = serialize(document, format);
    const marker = markers.get(request);
    const built = { status: 200, contentType: contentTypes[format], body };
    if (marker !== undefined) cache.set(`${request.host} ${request.url}`, marker, built);
    builders.get(request)?.(built);
    builders.delete(request);
    return reply.status(200).type(contentTypes[format]).send(body);
  };

  const readLimit = { rateLimit: { max: readsPerAddress, timeWindow: '1 minute' } };
  const keyHolders = new WeakMap<FastifyRequest, number>();
  const keyLimit = app.createRateLimit({ max: submissionsPerKey, timeWindow: '1 minute', keyGenerator: (request) => `open311-key:${keyHolders.get(request)}` });

  app.get<{ Params: { file: string } }>('/open311/:file', { onRequest: fromCache, config: readLimit }, async (request, reply) => {
    const { name, format } = resource(request.params.file);
    if (name !== 'discovery') throw notFound(`There is nothing at /open311/${request.params.file}; discovery is at /open311/discovery.${format}, the API under /open311/v2/.`);
    const directory = await services.directory.get();
    return answer(request, reply, { kind: 'discovery', body: await open311Discovery(services.db.kysely, directory, `${request.protocol}://${request.host}`, services.clock.now()) }, format);
  });

  app.get<{ Params: { file: string }; Querystring: Arguments }>('/open311/v2/:file', { onRequest: fromCache, config: readLimit }, async (request, reply) => {
    const { name, format } = resource(request.params.file);
    const args = request.query;
    const directory = await services.directory.get();
    checkJurisdiction(args, directory);
    if (name === 'services') return answer(request, reply, { kind: 'services', body: await listOpen311Services(services.db.kysely, directory) }, format);
    if (name === 'servicerequestupdates') {
      // The extension takes an api_key here and does not need one: given, it must be a valid one.
      const key = args['api_key'];
      if (key !== undefined && key !== '') await authenticateKey(services, args);
      const zone = directory.calendar.timeZone;
      const body = await findOpen311Updates(services.db.kysely, directory, { start: optionalDateTime(args, 'start_date', zone), end: optionalDateTime(args, 'end_date', zone) }, services.clock.now().getTime());
      return answer(request, reply, { kind: 'updates', body }, format);
    }
    if (name !== 'requests') throw notFound(`There is nothing at /open311/v2/${request.params.file.slice(0, 100)}: see services.${format}, requests.${format} and servicerequestupdates.${format}.`);
    const statuses = listArgument(args, 'status', 2, 10);
    for (const status of statuses ?? []) if (status !== 'open' && status !== 'closed') throw badRequest(`status must be open or closed (or both, comma-separated), not "${status}".`);
    const zone = directory.calendar.timeZone;
    const body = await findOpen311Requests(
      services.db.kysely,
      directory,
      {
        ids: listArgument(args, 'service_request_id', maxPageSize),
        serviceCodes: listArgument(args, 'service_code', 100),
        statuses: statuses as ('open' | 'closed')[] | undefined,
        start: optionalDateTime(args, 'start_date', zone),
        end: optionalDateTime(args, 'end_date', zone),
        page: optionalCount(args, 'page', 1, 1_000_000) ?? 1,
        pageSize: optionalCount(args, 'page_size', 1, maxPageSize) ?? defaultPageSize,
        extensions: extensionsArgument(args),
        siteUrl: `${request.protocol}://${request.host}`,
      },
      services.clock.now().getTime(),
    );
    return answer(request, reply, { kind: 'requests', body }, format);
  });

  app.get<{ Params: { collection: string; file: string }; Querystring: Arguments }>(
    '/open311/v2/:collection/:file',
    { onRequest: fromCache, config: readLimit },
    async (request, reply) => {
      const { collection } = request.params;
      const { name, format } = resource(request.params.file);
      const args = request.query;
      const directory = await services.directory.get();
      checkJurisdiction(args, directory);
      switch (collection) {
        case 'services':
          return answer(request, reply, { kind: 'service_definition', body: open311ServiceDefinition(directory, name) }, format);
        case 'requests':
        case 'request': {
          const found = await findOpen311Request(services.db.kysely, directory, name, extensionsArgument(args), services.clock.now().getTime(), `${request.protocol}://${request.host}`);
          return answer(request, reply, { kind: 'requests', body: [found] }, format);
        }
        case 'tokens':
          // Every service is realtime: a submission answers with its service_request_id at once.
          throw notFound(`There is no token "${name.slice(0, 100)}": every service here is realtime, so submissions return their service_request_id and no tokens are issued.`);
        default:
          throw notFound(`There is nothing at /open311/v2/${collection.slice(0, 100)}/: see services.${format} and requests.${format}.`);
      }
    },
  );

  app.post<{ Params: { file: string }; Querystring: Arguments }>(
    '/open311/v2/:file',
    { bodyLimit, config: { rateLimit: { max: submissionsPerAddress, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const { name, format } = resource(request.params.file);
      if (name !== 'requests' && name !== 'servicerequestupdates') throw notFound(`Only requests.${format} and servicerequestupdates.${format} take a POST.`);
      const body = request.body ?? {};
      if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('Send the arguments form-encoded (name=value&…) or as a JSON object.');
      // The spec's arguments are form fields; api_key and jurisdiction_id are also read from the query.
      const args: Arguments = { ...pick(request.query, ['api_key', 'jurisdiction_id']), ...(body as Arguments) };
      const directory = await services.directory.get();
      checkJurisdiction(args, directory);
      const holder = await authenticateKey(services, args);
      keyHolders.set(request, holder.id);
      const limited = await keyLimit(request);
      if (!limited.isAllowed && limited.isExceeded) throw new Open311Error(429, `Too many submissions with this api_key (at most ${submissionsPerKey} a minute). Wait a minute and try again.`);
      if (name === 'servicerequestupdates') {
        const posted = await postOpen311Update({ services, args, key: holder });
        return sendDocument(reply, 200, { kind: 'update_posted', body: [posted] }, format);
      }
      const submitted = await submitOpen311Request({ services, args, keyName: holder.name });
      return sendDocument(reply, 200, { kind: 'submitted', body: [submitted] }, format);
    },
  );

  // Anything else under /open311/ does not exist, in Open311's error shape.
  app.all('/open311/*', async (request) => {
    const path = request.url.split('?')[0] ?? '';
    throw notFound(`There is nothing at ${request.method} ${path.slice(0, 200)}. Discovery is at GET /open311/discovery.json; the API under /open311/v2/.`);
  });
}

function extensionsArgument(args: Arguments): boolean {
  const value = optionalText(args, 'extensions', 10);
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw badRequest(`extensions must be true or false, not "${value}".`);
}

function pick(args: Arguments | undefined, names: string[]): Arguments {
  const out: Arguments = {};
  for (const name of names) if (args?.[name] !== undefined) out[name] = args[name];
  return out;
}
