import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { requireStaff, signedInStaff } from '../platform/staff-auth.js';
import { AppError } from '../platform/errors.js';
import { escalationRoles, type EscalationLevel } from '../standard/escalation.js';
import { presentCase } from '../cases/case-queries.js';
import { referencePattern } from '../cases/case-record.js';
import type { CaseServices } from '../cases/case-services.js';
import { decideReviewListEntry, reviewEscalation } from './review-escalation.js';
import { requestEscalation, sendEscalationCode } from './request-escalation.js';

const ReferenceParams = Type.Object({ reference: Type.String({ pattern: referencePattern, maxLength: 30 }) });
const Grounds = Type.Union([Type.Literal('missed_target'), Type.Literal('disagree_with_outcome')], {
  description: 'missed_target: a target was missed and no revised plan is current; disagree_with_outcome: not grounds (recorded as feedback)',
});

/** The escalation pathway's API: the heads' work, the review list, and requests to escalate. */
export function registerEscalationRoutes(app: FastifyInstance, services: CaseServices): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const auth = requireStaff(services.db, services.clock);
  const calendarNow = async () => ({ calendar: await services.calendars.get(), now: services.clock.now() });

  api.get('/api/v1/escalations', { onRequest: auth, schema: { tags: ['escalation'], summary: 'Open escalations assigned to me (Division Head, Department Head, CAO)' } }, async (request) => {
    const staff = signedInStaff(request);
    const { calendar } = await calendarNow();
    let query = services.db.kysely
      .selectFrom('service_case as c')
      .innerJoin('escalation as e', (join) => join.onRef('e.case_id', '=', 'c.id').onRef('e.level', '=', 'c.escalation_level'))
      .innerJoin('division as d', 'd.id', 'c.division_id')
      .leftJoin('request_type as t', 't.id', 'c.request_type_id')
      .select(['c.reference', 'c.summary', 'c.address', 'c.revised_resolve_by', 'c.resolve_by', 'e.level', 'e.escalated_at', 'e.reason', 'd.name as division', 't.name as request_type'])
      .select((eb) => eb.exists(eb.selectFrom('escalation_review as r').select('r.id').whereRef('r.escalation_id', '=', 'e.id')).as('reviewed'))
      .where('c.status', '=', 'open');
    if (staff.role === 'division_head') query = query.where('e.level', '=', 1).where('e.division_id', '=', staff.divisionId!);
    else if (staff.role === 'department_head') query = query.where('e.level', '=', 2).where('e.department_id', '=', staff.departmentId!);
    else if (staff.role === 'cao') query = query.where('e.level', '=', 3);
    else if (staff.role !== 'manager_customer_service') throw new AppError('FORBIDDEN', 'Escalations go to Division Heads, Department Heads and the CAO (CSS §5.2).');
    const rows = await query.orderBy('e.escalated_at').limit(500).execute();
    return {
      escalations: rows.map((r) => ({
        reference: r.reference,
        summary: r.summary,
        address: r.address,
        division: r.division,
        requestType: r.request_type,
        level: r.level,
        role: escalationRoles[r.level as EscalationLevel],
        reason: r.reason,
        escalatedAt: calendar.format(new Date(r.escalated_at).getTime()),
        nextStepAt: calendar.format(new Date(r.escalated_at).getTime() + 14 * 86_400_000),
        reviewed: Boolean(r.reviewed),
        resolveBy: r.resolve_by ? calendar.format(new Date(r.resolve_by).getTime()) : null,
        revisedResolveBy: r.revised_resolve_by ? calendar.format(new Date(r.revised_resolve_by).getTime()) : null,
      })),
    };
  });

  api.get('/api/v1/escalations/review-list', { onRequest: auth, schema: { tags: ['escalation'], summary: "The Manager of Customer Service's review list" } }, async (request) => {
    const staff = signedInStaff(request);
    if (!['manager_customer_service', 'cao', 'administrator'].includes(staff.role)) throw new AppError('FORBIDDEN', 'The review list is for the Manager of Customer Service.');
    const { calendar } = await calendarNow();
    const rows = await services.db.kysely
      .selectFrom('review_list_entry as r')
      .innerJoin('service_case as c', 'c.id', 'r.case_id')
      .innerJoin('escalation as e', 'e.id', 'r.escalation_id')
      .innerJoin('division as d', 'd.id', 'c.division_id')
      .select(['c.reference', 'c.summary', 'c.revised_resolve_by', 'e.level', 'e.escalated_at', 'r.listed_at', 'd.name as division'])
      .where('r.decided_at', 'is', null)
      .orderBy('r.listed_at')
      .execute();
    return {
      reviewList: rows.map((r) => ({
        reference: r.reference,
        summary: r.summary,
        division: r.division,
        level: r.level,
        escalatedAt: calendar.format(new Date(r.escalated_at).getTime()),
        listedAt: calendar.format(new Date(r.listed_at).getTime()),
        revisedResolveBy: r.revised_resolve_by ? calendar.format(new Date(r.revised_resolve_by).getTime()) : null,
      })),
    };
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
    async (request, reply) => reply.status(202).send(await sendEscalationCode({ db: services.db, reference: request.body.reference.trim(), now: services.clock.now() })),
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
