import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { requireStaff, signedInStaff } from '../platform/staff-auth.js';
import { AppError } from '../platform/errors.js';
import { presentCase } from '../cases/case-queries.js';
import { referencePattern } from '../cases/case-record.js';
import type { CaseServices } from '../cases/case-services.js';
import { decideReviewListEntry, reviewEscalation } from './review-escalation.js';
import { escalationCodeAnswer, requestEscalation, sendEscalationCode } from './request-escalation.js';
import { backgroundWork } from '../platform/background-work.js';
import { listOpenEscalations, listReviewList, seesEscalations } from './list-escalations.js';

const ReferenceParams = Type.Object({ reference: Type.String({ pattern: referencePattern, maxLength: 30 }) });
const Grounds = Type.Union([Type.Literal('missed_target'), Type.Literal('disagree_with_outcome')], {
  description: 'missed_target: a target was missed and no revised plan is current; disagree_with_outcome: not grounds (recorded as feedback)',
});

/** The escalation pathway's API: the heads' work, the review list, and requests to escalate. */
export function registerEscalationRoutes(app: FastifyInstance, services: CaseServices): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const auth = requireStaff(services.db, services.clock);
  const inBackground = backgroundWork(app);
  const calendarNow = async () => ({ calendar: await services.calendars.get(), now: services.clock.now() });

  api.get('/api/v1/escalations', { onRequest: auth, schema: { tags: ['escalation'], summary: 'Open escalations assigned to me (Division Head, Department Head, CAO)' } }, async (request) => {
    const staff = signedInStaff(request);
    if (!seesEscalations(staff)) throw new AppError('FORBIDDEN', 'Escalations go to Division Heads, Department Heads and the CAO (CSS §5.2).');
    const { calendar } = await calendarNow();
    return { escalations: (await listOpenEscalations(services.db.kysely, staff, calendar)).items };
  });

  api.get('/api/v1/escalations/review-list', { onRequest: auth, schema: { tags: ['escalation'], summary: "The Manager of Customer Service's review list" } }, async (request) => {
    const staff = signedInStaff(request);
    if (!['manager_customer_service', 'cao', 'administrator'].includes(staff.role)) throw new AppError('FORBIDDEN', 'The review list is for the Manager of Customer Service.');
    const { calendar } = await calendarNow();
    return { reviewList: (await listReviewList(services.db.kysely, calendar, 10_000)).items };
  });

  api.post(
    '/api/v1/cases/:reference/escalation/review',
    {
      onRequest: auth,
      schema: {
        tags: ['escalation'],
        summary: "The head's review: findings, a revised resolution timeline and the customer's update (CSS §5.2)",
        params: ReferenceParams,
        body: Type.Object(
          {
            findings: Type.String({ maxLength: 4000 }),
            update: Type.String({ maxLength: 4000 }),
            timeline: Type.String({ maxLength: 40 }),
            method: Type.Optional(Type.Union([Type.Literal('email'), Type.Literal('phone'), Type.Literal('letter'), Type.Literal('in_person'), Type.Literal('record')])),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const { calendar } = await calendarNow();
      const updated = await reviewEscalation({ services, staff: signedInStaff(request), reference: request.params.reference, input: request.body });
      return { case: await presentCase(services.db.kysely, updated, calendar) };
    },
  );

  api.post(
    '/api/v1/cases/:reference/escalation/decision',
    {
      onRequest: auth,
      schema: {
        tags: ['escalation'],
        summary: 'The Manager of Customer Service escalates a review-list request or records why not',
        params: ReferenceParams,
        body: Type.Object({ decision: Type.Union([Type.Literal('escalate'), Type.Literal('keep')]), reason: Type.String({ maxLength: 2000 }) }, { additionalProperties: false }),
      },
    },
    async (request) => {
      const { calendar } = await calendarNow();
      const updated = await decideReviewListEntry({ services, staff: signedInStaff(request), reference: request.params.reference, input: request.body });
      return { case: await presentCase(services.db.kysely, updated, calendar) };
    },
  );

  api.post(
    '/api/v1/cases/:reference/escalation-requests',
    {
      onRequest: auth,
      schema: {
        tags: ['escalation'],
        summary: 'Staff ask to escalate (for themselves, or for a customer on the phone or at the counter); answered at once (CSS §5.3)',
        params: ReferenceParams,
        body: Type.Object({ grounds: Grounds, comment: Type.Optional(Type.String({ maxLength: 4000 })) }, { additionalProperties: false }),
      },
    },
    async (request) =>
      requestEscalation({ services, reference: request.params.reference, grounds: request.body.grounds, comment: request.body.comment, staff: signedInStaff(request) }),
  );

  api.post(
    '/api/v1/public/escalation-codes',
    {
      schema: {
        tags: ['public'],
        summary: 'Send a one-time code to the e-mail address on file, to ask for an escalation',
        body: Type.Object({ reference: Type.String({ maxLength: 30 }) }, { additionalProperties: false }),
      },
      config: { rateLimit: { max: 20, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const reference = request.body.reference.trim();
      const now = services.clock.now();
      inBackground('escalation code', () => sendEscalationCode({ db: services.db, reference, now }));
      return reply.status(202).send({ message: escalationCodeAnswer });
    },
  );

  api.post(
    '/api/v1/public/escalation-requests',
    {
      schema: {
        tags: ['public'],
        summary: 'Ask for an escalation with the reference number and the one-time code; answered at once (CSS §5.3)',
        // With the code's five attempts, this keeps guessing hopeless.
        body: Type.Object(
          { reference: Type.String({ maxLength: 30 }), code: Type.String({ maxLength: 12 }), grounds: Grounds, comment: Type.Optional(Type.String({ maxLength: 4000 })) },
          { additionalProperties: false },
        ),
      },
      config: { rateLimit: { max: 20, timeWindow: '1 minute' } },
    },
    async (request) =>
      requestEscalation({ services, reference: request.body.reference.trim(), code: request.body.code, grounds: request.body.grounds, comment: request.body.comment, staff: null }),
  );
}
