import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { registerAnswersPages } from './answers-pages.js';
import type { CaseServices } from '../../cases/case-services.js';
import { createCase } from '../../cases/create-case.js';
import { findLatestEscalationAnswer, findPortalCaseByKey, findPublicCase, normalizeReference, type PublicCase } from '../../cases/find-public-case.js';
import { escalationEligibility, requestEscalation, sendEscalationCode } from '../../escalation/request-escalation.js';
import { longDate } from '../../notify/templates.js';
import { backgroundWork } from '../../platform/background-work.js';
import { activeRequestTypes, listOpen311Services, otherServicesGroup } from '../../open311/list-open311-services.js';
import { AppError, isAppError } from '../../platform/errors.js';
import type { FieldErrors } from '../components.js';
import { sendPage } from '../render.js';
import { AskCheck, AskForm, AskSent, askFieldFor, askInput, checkAsk, readAsk } from './ask-pages.js';
import { ContactPage, serviceCentreAddresses } from './contact-page.js';
import { EscalateAnswer, EscalateRequest, EscalateStart, type EscalationAnswers } from './escalation-pages.js';
import { HomePage } from './home-page.js';
import { formErrors, formKey, isHoneypotHit, newFormKey, portalOrigin, portalRateLimit, reachedBy, readContact, readReachedBy, type Form } from './portal-forms.js';
import { portalContext, type PortalContext } from './portal-layout.js';
import { PlacePage, ReportCheck, ReportForm, ReportSent, ReportTypeList, ThanksWithoutReference, checkPlace, checkReport, readReport, reportFieldFor, reportInput, reportPoint, type PortalRequestType, type ReportAnswers } from './report-pages.js';
import { findNearbyOpenRequests } from '../../cases/find-cases.js';
import { insideBoundary, outsideBoundaryMessage } from '../../directory/map-settings.js';
import { nearestAddress } from '../../directory/reverse-geocode.js';
import { allowMapTiles } from '../point-map.js';
import type { PhotoRow } from '../../cases/case-photos.js';
import { TrackResult, TrackStart } from './track-pages.js';
import { registerPublicPerformancePage } from './performance-page.js';
import { registerSurveyPages } from './survey-routes.js';
import { registerPortalFeedbackPages } from './feedback-pages.js';
import multipart from '@fastify/multipart';
import { addFormPhotos, attachFormPhotos, listFormPhotos, maxPhotosPerReport, photoNotFound, readPhoto, removeFormPhotos } from '../../cases/case-photos.js';
import { photoPolicy } from '../../files/file-store.js';
import { photosToRemove, readPostedForm } from './report-photos.js';
import { registerFollowPages } from './follow-routes.js';

/**
 * The public portal (issue #5): report a problem, ask a question, track a request, ask for an
 * escalation, contact the City. Plain forms posted to the server, then a 303 to a page, or the
 * form again with a 400 and its errors: every page works without JavaScript. The rules are the
 * use cases' (createCase, requestEscalation); the pages show their errors in plain words.
 */

/** Checking and changing answers costs nothing: generous. Sending records a case: tighter. */
const checkLimit = portalRateLimit(60);
const sendLimit = portalRateLimit(20);
const codeLimit = portalRateLimit(10);

const formOf = (request: FastifyRequest): Form => (request.body && typeof request.body === 'object' && !Array.isArray(request.body) ? (request.body as Form) : {});

/** The active request types the public can choose, with their descriptions and groups. */
async function portalTypes(services: CaseServices, ctx: PortalContext): Promise<PortalRequestType[]> {
  const listed = await listOpen311Services(services.db.kysely, ctx.directory);
  const byCode = new Map(activeRequestTypes(ctx.directory).map((t) => [t.code, t]));
  const types = listed.flatMap((s) => {
    const type = byCode.get(s.service_code);
    const known = ctx.directory.requestTypeByCode(s.service_code);
    return type ? [{ code: s.service_code, name: s.service_name, description: s.description, group: s.group ?? otherServicesGroup, order: known?.portalOrder ?? 0, attributes: type.attributes }] : [];
  });
  // Issue 19: in config/request-types.yaml's order, the most reported first.
  return types.sort((a, b) => a.order - b.order);
}

export async function registerPortalRoutes(app: FastifyInstance, services: CaseServices): Promise<void> {
  const page = (reply: FastifyReply, vnode: Parameters<typeof sendPage>[1], status = 200) => sendPage(reply, vnode, status);
  const inBackground = backgroundWork(app);

  app.get('/', async (_request, reply) => page(reply, <HomePage ctx={await portalContext(services)} />));

  registerPublicPerformancePage(app, services);
  registerAnswersPages(app, services);

  app.get('/contact', async (_request, reply) => {
    const ctx = await portalContext(services);
    return page(reply, <ContactPage ctx={ctx} centres={await serviceCentreAddresses(services.db)} />);
  });

  // ---- Report a problem ----

  app.get<{ Querystring: { type?: string } }>('/report', async (request, reply) => {
    const ctx = await portalContext(services);
    const types = await portalTypes(services, ctx);
    const code = typeof request.query.type === 'string' ? request.query.type.trim() : '';
    if (code === '') return page(reply, <ReportTypeList ctx={ctx} types={types} />);
    const type = types.find((t) => t.code === code);
    if (!type) return page(reply, <ReportTypeList ctx={ctx} types={types} error="We do not know that kind of problem. Choose one from the list below." />, 404);
    const answers = { type: type.code, key: newFormKey(), address: '', latitude: '', longitude: '', description: '', attributes: {}, contact: readContact({}) };
    return reportForm(reply, ctx, type, answers, [], {});
  });

  /** The report form, with its map's tile server allowed to draw. */
  const reportForm = (reply: FastifyReply, ctx: PortalContext, type: PortalRequestType, answers: ReportAnswers, photos: PhotoRow[], errors: FieldErrors) =>
    page(allowMapTiles(reply, ctx.directory.map), <ReportForm ctx={ctx} type={type} answers={answers} photos={photos} errors={errors} />, Object.keys(errors).length > 0 ? 400 : 200);

  /**
   * Where the marker is (issue 19): inside the City or not, and the address nearest it when a
   * geocoder is configured. The map's script asks for JSON; the form's own checks decide on sending.
   * Opened as a page (a browser's Accept names text/html), it answers a page: the place in words, or
   * the error summary beside the fields, never JSON.
   */
  app.get<{ Querystring: { latitude?: unknown; longitude?: unknown } }>('/report/place', { config: checkLimit }, async (request, reply) => {
    const ctx = await portalContext(services);
    const given = (v: unknown) => (typeof v === 'string' ? v.trim().slice(0, 40) : '');
    const place = { latitude: given(request.query.latitude), longitude: given(request.query.longitude) };
    const boundary = ctx.directory.map.boundary;
    const errors = checkPlace(place, boundary);
    // Here both are needed (the report form's "leave both empty" does not apply).
    if (place.latitude === '') errors['latitude'] = 'Enter the latitude, like 44.3501';
    if (place.longitude === '') errors['longitude'] = 'Enter the longitude, like -78.7391';
    void reply.header('cache-control', 'no-store').header('vary', 'accept');
    const point = reportPoint(place);
    if (!(request.headers.accept ?? '').includes('text/html')) {
      const { latitude, longitude } = point;
      if (latitude === undefined || longitude === undefined || Math.abs(latitude) > 90 || Math.abs(longitude) > 180) {
        return reply.code(400).send({ inside: null, message: Object.values(errors).join(' '), address: null });
      }
      if (!insideBoundary(boundary, { latitude, longitude })) return { inside: false, message: outsideBoundaryMessage(boundary!), address: null };
      return { inside: true, address: await nearestAddress(ctx.directory.map, { latitude, longitude }) };
    }
    const failed = Object.keys(errors).length > 0;
    const address = failed ? null : await nearestAddress(ctx.directory.map, { latitude: point.latitude!, longitude: point.longitude! });
    if (failed && request.query.latitude === undefined && request.query.longitude === undefined) {
      // Opened with nothing to check: the form, without errors yet.
      return page(reply, <PlacePage ctx={ctx} latitude="" longitude="" errors={{}} address={null} />);
    }
    return page(reply, <PlacePage ctx={ctx} {...place} errors={errors} address={address} />, failed ? 400 : 200);
  });

  /** Open requests of the same type near the report's point: "already reported?" (issue 19). */
  const nearbyReports = (ctx: PortalContext, type: PortalRequestType, answers: ReportAnswers) => {
    const point = reportPoint(answers);
    return findNearbyOpenRequests(services.db.kysely, { staff: null, calendar: ctx.directory.calendar }, { requestType: type.code, address: answers.address, ...point, radiusMetres: ctx.directory.nearbyMetres(type.code) }, 5);
  };

  /** The posted type, or the list again with a plain message. */
  const postedType = async (reply: FastifyReply, form: Form) => {
    const ctx = await portalContext(services);
    const types = await portalTypes(services, ctx);
    const code = typeof form['type'] === 'string' ? form['type'] : '';
    const type = types.find((t) => t.code === code);
    if (!type) {
      await page(reply, <ReportTypeList ctx={ctx} types={types} error="Choose the kind of problem you want to report." />, 400);
      return undefined;
    }
    const answers = readReport(form, type, formKey(form));
    return { ctx, form, type, answers, photos: await listFormPhotos(services.db.kysely, answers.key) };
  };

  // The report form is multipart (its photos): only this route reads multipart bodies, so every
  // other route still refuses them as before.
  await app.register(async (scope) => {
    await scope.register(multipart, {
      // A larger file is cut off and refused in words (cleanPhoto), not by an error page.
      throwFileSizeLimit: false,
      limits: { fileSize: photoPolicy.maxBytes, files: maxPhotosPerReport * 2, fields: 500, fieldSize: 65_536, parts: 600 },
    });
    scope.post('/report/check', { config: checkLimit }, async (request, reply) => {
      const { form, uploads } = await readPostedForm(request, () => formOf(request));
      const posted = await postedType(reply, form);
      if (!posted) return reply;
      const { ctx, type, answers } = posted;
      if (isHoneypotHit(form)) return honeypot(request, reply, ctx, 'report', '/report');
      await removeFormPhotos(services.db, answers.key, photosToRemove(form));
      const refused = uploads.length > 0 ? await addFormPhotos(services.db, { formKey: answers.key, uploads, now: services.clock.now() }) : [];
      const photos = await listFormPhotos(services.db.kysely, answers.key);
      const errors = checkReport(answers, type, ctx.directory.map.boundary);
      if (refused.length > 0) errors['photos'] = refused.join(' ');
      if (Object.keys(errors).length > 0) return reportForm(reply, ctx, type, answers, photos, errors);
      return page(reply, <ReportCheck ctx={ctx} type={type} answers={answers} photos={photos} nearby={await nearbyReports(ctx, type, answers)} />);
    });
  });

  app.post('/report/change', { config: checkLimit }, async (request, reply) => {
    const posted = await postedType(reply, formOf(request));
    if (!posted) return reply;
    return reportForm(reply, posted.ctx, posted.type, posted.answers, posted.photos, {});
  });

  app.post('/report/send', { config: sendLimit }, async (request, reply) => {
    const posted = await postedType(reply, formOf(request));
    if (!posted) return reply;
    const { ctx, type, answers, form, photos } = posted;
    if (isHoneypotHit(form)) return honeypot(request, reply, ctx, 'report', '/report');
    const errors = checkReport(answers, type, ctx.directory.map.boundary);
    if (Object.keys(errors).length > 0) return reportForm(reply, ctx, type, answers, photos, errors);
    try {
      const { caseRow } = await createCase({ services, origin: portalOrigin, input: reportInput(answers, type), idempotencyKey: answers.key });
      // Sent again (a double click, a retry), the photos are already the case's: nothing to do.
      await attachFormPhotos(services.db.kysely, answers.key, caseRow.id);
      return reply.redirect(`/report/sent/${caseRow.reference}?contact=${reachedBy(answers.contact)}`, 303);
    } catch (error) {
      const already = await alreadySent(error, answers.key);
      if (already) return page(reply, <ReportCheck ctx={ctx} type={type} answers={answers} photos={photos} nearby={[]} errors={already} />, 409);
      return reportForm(reply, ctx, type, answers, photos, formErrors(error, reportFieldFor(type)));
    }
  });

  // A form's own photos, before it is sent: the form key (random, in the form) is the proof.
  app.get<{ Params: { key: string; file: string } }>('/report/photos/:key/:file', async (request, reply) => {
    const id = /^(\d{1,15})\.jpg$/.exec(request.params.file)?.[1];
    const key = request.params.key;
    const bytes = id && /^[0-9a-f-]{36}$/.test(key) ? await readPhoto(services.db.kysely, Number(id), { formKey: key }) : undefined;
    if (!bytes) throw photoNotFound();
    return reply.type('image/jpeg').header('cache-control', 'no-store').header('x-robots-tag', 'noindex').send(bytes);
  });

  // A photo staff showed to the public. Not cached for long: staff may hide it again.
  app.get<{ Params: { file: string } }>('/photos/:file', async (request, reply) => {
    const id = /^(\d{1,15})\.jpg$/.exec(request.params.file)?.[1];
    const bytes = id ? await readPhoto(services.db.kysely, Number(id), { public: true }) : undefined;
    if (!bytes) throw photoNotFound();
    return reply.type('image/jpeg').header('cache-control', 'public, max-age=60, must-revalidate').send(bytes);
  });

  app.get<{ Params: { reference: string } }>('/report/sent/:reference', async (request, reply) => {
    const ctx = await portalContext(services);
    const found = await publicCase(ctx, request.params.reference);
    if (!found || found.kind !== 'service_request') throw new AppError('NOT_FOUND', 'There is no report with that reference number. Check the number, or track it from the Track a request page.');
    return page(reply, <ReportSent ctx={ctx} found={found} reached={readReachedBy(request.query)} />);
  });

  // ---- Ask a question ----

  app.get('/ask', async (_request, reply) => {
    const ctx = await portalContext(services);
    return page(reply, <AskForm ctx={ctx} answers={readAsk({}, newFormKey())} errors={{}} />);
  });

  app.post('/ask/check', { config: checkLimit }, async (request, reply) => {
    const ctx = await portalContext(services);
    const form = formOf(request);
    if (isHoneypotHit(form)) return honeypot(request, reply, ctx, 'question', '/ask');
    const answers = readAsk(form, formKey(form));
    const errors = checkAsk(answers, ctx);
    if (Object.keys(errors).length > 0) return page(reply, <AskForm ctx={ctx} answers={answers} errors={errors} />, 400);
    return page(reply, <AskCheck ctx={ctx} answers={answers} />);
  });

  app.post('/ask/change', { config: checkLimit }, async (request, reply) => {
    const ctx = await portalContext(services);
    const form = formOf(request);
    return page(reply, <AskForm ctx={ctx} answers={readAsk(form, formKey(form))} errors={{}} />);
  });

  app.post('/ask/send', { config: sendLimit }, async (request, reply) => {
    const ctx = await portalContext(services);
    const form = formOf(request);
    if (isHoneypotHit(form)) return honeypot(request, reply, ctx, 'question', '/ask');
    const answers = readAsk(form, formKey(form));
    const errors = checkAsk(answers, ctx);
    if (Object.keys(errors).length > 0) return page(reply, <AskForm ctx={ctx} answers={answers} errors={errors} />, 400);
    try {
      const { caseRow } = await createCase({ services, origin: portalOrigin, input: askInput(answers, ctx), idempotencyKey: answers.key });
      return reply.redirect(`/ask/sent/${caseRow.reference}?contact=${reachedBy(answers.contact)}`, 303);
    } catch (error) {
      const already = await alreadySent(error, answers.key);
      if (already) return page(reply, <AskCheck ctx={ctx} answers={answers} errors={already} />, 409);
      return page(reply, <AskForm ctx={ctx} answers={answers} errors={formErrors(error, askFieldFor)} />, 400);
    }
  });

  app.get<{ Params: { reference: string } }>('/ask/sent/:reference', async (request, reply) => {
    const ctx = await portalContext(services);
    const found = await publicCase(ctx, request.params.reference);
    if (!found || found.kind !== 'inquiry') throw new AppError('NOT_FOUND', 'There is no question with that reference number. Check the number, or track it from the Track a request page.');
    return page(reply, <AskSent ctx={ctx} found={found} reached={readReachedBy(request.query)} />);
  });

  // ---- Track a request ----

  app.get<{ Querystring: { reference?: string } }>('/track', async (request, reply) => {
    const ctx = await portalContext(services);
    const given = typeof request.query.reference === 'string' ? request.query.reference.trim().slice(0, 60) : undefined;
    if (given === undefined) return page(reply, <TrackStart ctx={ctx} />);
    if (given === '') return page(reply, <TrackStart ctx={ctx} value={given} errors={{ reference: 'Enter your reference number' }} />, 400);
    const reference = normalizeReference(given);
    if (!reference) {
      return page(reply, <TrackStart ctx={ctx} value={given} errors={{ reference: 'Enter the reference number as it is written, like SR-2026-000123 or GI-2026-000045' }} />, 400);
    }
    return reply.redirect(`/track/${reference}`, 303);
  });

  app.get<{ Params: { reference: string } }>('/track/:reference', async (request, reply) => {
    const ctx = await portalContext(services);
    const reference = normalizeReference(request.params.reference.slice(0, 60));
    if (reference && reference !== request.params.reference) return reply.redirect(`/track/${reference}`, 303);
    const found = reference ? await findPublicCase(services.db.kysely, ctx.directory, reference) : undefined;
    if (!found) return page(reply, <TrackStart ctx={ctx} value={request.params.reference.slice(0, 60)} notFound={reference ?? request.params.reference.slice(0, 60)} />, 404);
    const escalationAnswer = found.kind === 'service_request' ? await findLatestEscalationAnswer(services.db.kysely, found.reference) : undefined;
    return page(reply, <TrackResult ctx={ctx} found={found} escalationAnswer={escalationAnswer} />);
  });

  // ---- Ask for an escalation (CSS §5.3) ----

  /** The case of an escalation page, or a 404 page. */
  const escalationCase = async (reference: string) => {
    const ctx = await portalContext(services);
    const found = await publicCase(ctx, reference);
    if (!found) throw new AppError('NOT_FOUND', 'There is no request with that reference number. Check the number on the Track a request page.');
    return { ctx, found };
  };

  app.get<{ Params: { reference: string } }>('/track/:reference/escalate', async (request, reply) => {
    const { ctx, found } = await escalationCase(request.params.reference);
    return page(reply, <EscalateStart ctx={ctx} found={found} eligibility={await eligibilityOf(ctx, found)} />);
  });

  /** Issue 19: eligible or not, said before any code is asked for. */
  const eligibilityOf = (ctx: PortalContext, found: PublicCase) =>
    found.kind === 'service_request' ? escalationEligibility({ db: services.db, reference: found.reference, now: ctx.now, format: (t) => longDate(t, ctx.zone) }) : Promise.resolve(undefined);

  app.post<{ Params: { reference: string } }>('/track/:reference/escalate/code', { config: codeLimit }, async (request, reply) => {
    const { ctx, found } = await escalationCase(request.params.reference);
    // No code for a request whose targets have not been missed: the start page says why.
    if ((await eligibilityOf(ctx, found))?.escalate === false) return reply.redirect(`/track/${found.reference}/escalate`, 303);
    if (isHoneypotHit(formOf(request))) {
      request.log.warn({ path: request.url }, 'portal honeypot filled: no code sent');
    } else if (found.kind === 'service_request') {
      // Answered at once, the mail written after: the timing says nothing about the address on file.
      const now = services.clock.now();
      inBackground('escalation code', () => sendEscalationCode({ db: services.db, reference: found.reference, now }));
    }
    return reply.redirect(`/track/${found.reference}/escalate/request?sent=1`, 303);
  });

  const blankEscalation: EscalationAnswers = { code: '', grounds: '', comment: '' };

  app.get<{ Params: { reference: string }; Querystring: { sent?: string } }>('/track/:reference/escalate/request', async (request, reply) => {
    const { ctx, found } = await escalationCase(request.params.reference);
    if (found.kind !== 'service_request') return reply.redirect(`/track/${found.reference}/escalate`, 303);
    // Never says whether the request has an e-mail address on record.
    const sent = request.query.sent === '1' ? codeSentMessage : undefined;
    return page(reply, <EscalateRequest ctx={ctx} found={found} sent={sent} answers={blankEscalation} errors={{}} />);
  });

  app.post<{ Params: { reference: string } }>('/track/:reference/escalate/request', { config: sendLimit }, async (request, reply) => {
    const { ctx, found } = await escalationCase(request.params.reference);
    if (found.kind !== 'service_request') return reply.redirect(`/track/${found.reference}/escalate`, 303);
    const form = formOf(request);
    if (isHoneypotHit(form)) return honeypot(request, reply, ctx, 'request', '/track');
    const grounds = form['grounds'] === 'missed_target' || form['grounds'] === 'disagree_with_outcome' ? form['grounds'] : '';
    const answers: EscalationAnswers = { code: text(form['code']).slice(0, 12), grounds, comment: text(form['comment']) };
    const errors: FieldErrors = {};
    if (answers.code === '') errors['code'] = 'Enter the 6-digit code from the e-mail we sent you';
    if (grounds === '') errors['grounds'] = 'Choose why you are asking for an escalation';
    if (answers.comment.length > 4000) errors['comment'] = 'Shorten your comment to 4,000 characters or fewer';
    if (Object.keys(errors).length === 0) {
      try {
        await requestEscalation({ services, reference: found.reference, code: answers.code, grounds: grounds as Exclude<typeof grounds, ''>, comment: answers.comment || undefined, staff: null });
        return reply.redirect(`/track/${found.reference}/escalate/answer`, 303);
      } catch (error) {
        if (isAppError(error) && error.code === 'UNAUTHENTICATED') errors['code'] = `${error.message} Codes work for 30 minutes and only once.`;
        else Object.assign(errors, formErrors(error, (field) => (field === 'grounds' || field === 'comment' || field === 'code' ? field : undefined)));
      }
    }
    return page(reply, <EscalateRequest ctx={ctx} found={found} answers={answers} errors={errors} />, 400);
  });

  app.get<{ Params: { reference: string } }>('/track/:reference/escalate/answer', async (request, reply) => {
    const { ctx, found } = await escalationCase(request.params.reference);
    const answer = await findLatestEscalationAnswer(services.db.kysely, found.reference);
    if (!answer) return reply.redirect(`/track/${found.reference}`, 303);
    return page(reply, <EscalateAnswer ctx={ctx} found={found} answer={answer} />);
  });

  // ---- Satisfaction surveys (issue 14) ----
  registerSurveyPages(app, services);
  registerPortalFeedbackPages(app, services);
  registerFollowPages(app, services);

  // ---- helpers that need the services ----

  async function publicCase(ctx: PortalContext, given: string): Promise<PublicCase | undefined> {
    const reference = normalizeReference(given.slice(0, 60));
    return reference ? findPublicCase(services.db.kysely, ctx.directory, reference) : undefined;
  }

  /** A form sent again after its answers changed: say which case it already made. */
  async function alreadySent(error: unknown, key: string): Promise<FieldErrors | undefined> {
    if (!isAppError(error) || error.code !== 'CONFLICT') return undefined;
    const reference = await findPortalCaseByKey(services.db.kysely, portalOrigin.via, key);
    return {
      _form: reference
        ? `This form was already sent, as ${reference}, before these answers were changed. Track ${reference} to see it, or start a new form to send something else.`
        : 'This form was already sent. Start a new form to send something else.',
    };
  }

  /**
   * A filled honeypot: only a program fills it. Nothing is recorded; it is logged, and the program
   * gets a plain "thank you" page (no reference, since nothing was made).
   */
  function honeypot(request: FastifyRequest, reply: FastifyReply, ctx: PortalContext, what: string, path: string) {
    request.log.warn({ path: request.url }, 'portal honeypot filled: nothing recorded');
    return page(reply, <ThanksWithoutReference ctx={ctx} what={what} path={path} />);
  }
}

const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

/** As sendEscalationCode answers, whatever the reference: the same words for everyone. */
const codeSentMessage = 'If we have an e-mail address for this request, a 6-digit code is on its way there. It works for 30 minutes. No e-mail address? Phone us during office hours.';
