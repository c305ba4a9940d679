import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { requireStaff, signedInStaff } from '../platform/staff-auth.js';
import { acknowledgeCase } from './acknowledge-case.js';
import { addNote } from './add-note.js';
import { assignCase } from './assign-case.js';
import { caseTimeline, caseView, getCase, listQueue, presentCase, queueNames, type QueueName } from './case-queries.js';
import { referencePattern, type CaseRow } from './case-record.js';
import type { CaseServices } from './case-services.js';
import { createCase, type IntakeInput } from './create-case.js';
import { reclassifyCase } from './reclassify-case.js';
import { reopenCase, resolveCase } from './resolve-case.js';
import { sendUpdate } from './send-update.js';
import { markDuplicate, undoDuplicate } from './mark-duplicate.js';
import { confirmTransfer, declineTransfer, transferCase, withdrawTransfer } from './transfer-case.js';

/** The staff JSON API for cases: validate, authenticate, call one use case, present. */

const Short = (max: number, description?: string) => Type.String({ maxLength: max, ...(description ? { description } : {}) });
const Method = Type.Union([Type.Literal('email'), Type.Literal('phone'), Type.Literal('letter'), Type.Literal('in_person'), Type.Literal('record')], {
  description: 'How the message reaches the customer; default: their preferred way',
});
const Attributes = Type.Record(Type.String({ maxLength: 64 }), Type.Union([Short(4000), Type.Array(Short(1000), { maxItems: 50 })]), {
  description: "The request type's questions and their answers",
});

const IntakeBody = Type.Object(
  {
    kind: Type.Union([Type.Literal('inquiry'), Type.Literal('service_request')]),
    channel: Short(40, 'phone, email, in_person, web_portal, social_media, after_hours_emergency'),
    serviceCentre: Type.Optional(Short(64, 'For in-person contacts: the Service Centre code')),
    requestType: Type.Optional(Short(64, 'For service requests: the request type code, e.g. pothole')),
    division: Type.Optional(Short(64, "For inquiries: the division responsible for the topic (default: Customer Service)")),
    customer: Type.Optional(
      Type.Object(
        {
          name: Type.Optional(Short(200)),
          email: Type.Optional(Short(254)),
          phone: Type.Optional(Short(40)),
          preferredContact: Type.Optional(Type.Union(['email', 'phone', 'letter', 'in_person', 'none'].map((m) => Type.Literal(m)))),
        },
        { additionalProperties: false },
      ),
    ),
    description: Type.String({ minLength: 1, maxLength: 4000 }),
    summary: Type.String({ minLength: 1, maxLength: 1000, description: 'The summary read back to the customer' }),
    summaryConfirmed: Type.Boolean({ description: 'The customer confirmed the summary (CSS §3.1)' }),
    location: Type.Optional(
      Type.Object(
        {
          address: Type.Optional(Short(500)),
          latitude: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
          longitude: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
        },
        { additionalProperties: false },
      ),
    ),
    attributes: Type.Optional(Attributes),
    receivedAt: Type.Optional(Short(40, 'ISO-8601; default now; staff may back-date, never into the future')),
    resolveAtFirstContact: Type.Optional(
      Type.Object(
        {
          answer: Type.String({ minLength: 1, maxLength: 4000 }),
          article: Type.Optional(
            Type.Object({ slug: Short(80), version: Type.Integer({ minimum: 1, maximum: 1_000_000 }) }, { additionalProperties: false, description: 'The knowledge-base article version the answer was given from' }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    mediaUrl: Type.Optional(Short(2000, 'A photo or other media of the problem: its http(s) address')),
  },
  { additionalProperties: false },
);

const ReferenceParams = Type.Object({ reference: Type.String({ pattern: referencePattern, maxLength: 30, description: 'e.g. SR-2026-000123' }) });

export function registerCaseRoutes(app: FastifyInstance, services: CaseServices): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const auth = requireStaff(services.db, services.clock);
  const present = async (row: CaseRow) => ({ case: await presentCase(services.db.kysely, row, await services.calendars.get()) });

  api.post(
    '/api/v1/cases',
    {
      onRequest: auth,
      schema: {
        tags: ['cases'],
        summary: 'Record a general inquiry or a service request (intake)',
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ maxLength: 200 })) }),
        body: IntakeBody,
      },
    },
    async (request, reply) => {
      const staff = signedInStaff(request);
      // Read before writing: once the case is committed nothing may fail, or a stored case would be answered 503.
      const calendars = await services.calendars.get();
      const { caseRow, replayed, names } = await createCase({ services, origin: { staff }, input: request.body as IntakeInput, idempotencyKey: request.headers['idempotency-key'] });
      if (replayed) void reply.header('Idempotent-Replayed', 'true');
      // A new case is shown from what intake already knows; a replayed one as it is now.
      const view = names ? { case: caseView(caseRow, names, calendars) } : await present(caseRow);
      return reply.status(replayed ? 200 : 201).send(view);
    },
  );

  api.get(
    '/api/v1/cases/:reference',
    { onRequest: auth, schema: { tags: ['cases'], summary: 'A case with its timeline of events and messages', params: ReferenceParams} },
    async (request) => {
      const calendar = await services.calendars.get();
      const { caseRow, view } = await getCase(services.db.kysely, signedInStaff(request), request.params.reference, calendar);
      return { case: view, timeline: await caseTimeline(services.db.kysely, caseRow.id, calendar) };
    },
  );

  const action = <S extends Parameters<typeof Type.Object>[0]>(
    path: string,
    summary: string,
    body: S,
    run: (args: { reference: string; body: Static<ReturnType<typeof Type.Object<S>>>; staff: ReturnType<typeof signedInStaff> }) => Promise<CaseRow | void>,
  ): void => {
    const schema = Type.Object(body, { additionalProperties: false });
    api.post(
      `/api/v1/cases/:reference/${path}`,
      { onRequest: auth, schema: { tags: ['cases'], summary, params: ReferenceParams, body: schema} },
      async (request, reply) => {
        const staff = signedInStaff(request);
        const result = await run({ reference: request.params.reference, body: request.body as never, staff });
        if (!result) return reply.status(204).send();
        return present(result);
      },
    );
  };

  action(
    'acknowledge',
    'Acknowledge: next steps, contact information and, for an inquiry, a timeline (CSS §3.3, §4.1)',
    {
      nextSteps: Type.Optional(Short(2000)),
      contact: Type.Optional(Short(500)),
      timeline: Type.Optional(Short(40, 'YYYY-MM-DD or ISO-8601 date and time')),
      method: Type.Optional(Method),
      note: Type.Optional(Short(2000)),
      automated: Type.Optional(Type.Boolean()),
    },
    ({ reference, body, staff }) => acknowledgeCase({ services, staff, reference, input: { nextSteps: body.nextSteps ?? '', contact: body.contact ?? '', ...body } }),
  );
  action(
    'updates',
    'Send the customer an update: status and revised timeline, with the reason; without a timeline, a progress note (the date given still stands) (CSS §3.3)',
    { status: Short(2000), timeline: Type.Optional(Short(40)), reason: Type.Optional(Short(2000)), method: Type.Optional(Method) },
    ({ reference, body, staff }) => sendUpdate({ services, staff, reference, input: body }),
  );
  action('assign', 'Assign the owner: a member of the responsible division', { ownerId: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) }, ({ reference, body, staff }) =>
    assignCase({ services, staff, reference, input: body }),
  );
  action('transfer', 'Transfer to another division with a note (CSS §3.1)', { toDivision: Short(64), note: Short(2000) }, ({ reference, body, staff }) =>
    transferCase({ services, staff, reference, input: body }),
  );
  action('transfer/confirm', 'Confirm receipt of a transfer to your division', {}, ({ reference, staff }) => confirmTransfer({ services, staff, reference }));
  action('transfer/decline', 'Decline a transfer to your division, with the reason: it goes back to the sender (CSS §3.1)', { reason: Short(2000) }, ({ reference, body, staff }) =>
    declineTransfer({ services, staff, reference, reason: body.reason }),
  );
  action('transfer/withdraw', 'Withdraw a transfer that is not yet confirmed', { reason: Short(2000) }, ({ reference, body, staff }) =>
    withdrawTransfer({ services, staff, reference, reason: body.reason }),
  );
  action(
    'reclassify',
    'Change the request type; targets are recomputed from the original receipt',
    { requestType: Short(64), reason: Short(2000), attributes: Type.Optional(Attributes) },
    ({ reference, body, staff }) => reclassifyCase({ services, staff, reference, input: body }),
  );
  action('resolve', 'Resolve with a resolution message to the customer', { resolution: Short(4000), method: Type.Optional(Method) }, ({ reference, body, staff }) =>
    resolveCase({ services, staff, reference, input: body }),
  );
  action('reopen', 'Reopen a resolved case', { reason: Short(2000) }, ({ reference, body, staff }) => reopenCase({ services, staff, reference, input: body }));
  action(
    'duplicate',
    'Mark as a duplicate of another request: it closes pointing at it, its customer is told, and the two count once (issue 18)',
    { parent: Type.String({ maxLength: 30, description: 'The reference of the request it duplicates' }), reason: Type.Optional(Short(2000)) },
    ({ reference, body, staff }) => markDuplicate({ services, staff, reference, input: body }),
  );
  action('duplicate/undo', 'Undo a duplicate: it opens again on its own, its customer is told', { reason: Short(2000) }, ({ reference, body, staff }) =>
    undoDuplicate({ services, staff, reference, input: body }),
  );
  action('notes', 'Add an internal note the customer never sees', { text: Short(4000) }, ({ reference, body, staff }) =>
    addNote({ services, staff, reference, input: body }),
  );

  api.get(
    '/api/v1/queues/:queue',
    {
      onRequest: auth,
      schema: {
        tags: ['queues'],
        summary: 'A work queue, sorted by the deadline that makes each case urgent',
        params: Type.Object({ queue: Type.Union(queueNames.map((q) => Type.Literal(q))) }),
        querystring: Type.Object(
          {
            division: Type.Optional(Short(64)),
            limit: Type.Optional(Type.String({ pattern: '^\\d{1,3}$' })),
            offset: Type.Optional(Type.String({ pattern: '^\\d{1,7}$' })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const calendar = await services.calendars.get();
      return listQueue(services.db.kysely, {
        staff: signedInStaff(request),
        queue: request.params.queue as QueueName,
        now: services.clock.now(),
        calendar,
        division: request.query.division,
        limit: request.query.limit ? Number(request.query.limit) : undefined,
        offset: request.query.offset ? Number(request.query.offset) : undefined,
      });
    },
  );

}
