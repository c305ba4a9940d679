import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { requireStaff, signedInStaff } from '../platform/staff-auth.js';
import type { CaseServices } from '../cases/case-services.js';
import { findKpis } from './find-kpis.js';
import { kpiCsv } from './kpi-csv.js';

const Short = (max: number, description: string) => Type.Optional(Type.String({ maxLength: max, description }));

export const KpiQuerystring = Type.Object(
  {
    from: Short(10, 'First day of the period, YYYY-MM-DD (default: the first of the month eleven months ago)'),
    to: Short(10, 'Last day of the period, YYYY-MM-DD (default: today)'),
    division: Short(64, 'A division code; within your scope'),
    type: Short(64, 'A request type code, or inquiry for general inquiries'),
    channel: Short(40, 'A channel code'),
    by: Type.Optional(Type.Union(['division', 'type', 'channel', 'month'].map((b) => Type.Literal(b)), { description: 'Group the figures' })),
    period: Type.Optional(Type.Union([Type.Literal('received'), Type.Literal('closed')], { description: 'Count cases received in the period (default) or closed in it' })),
    minimumGroupSize: Type.Optional(Type.String({ pattern: '^\\d{1,4}$', description: 'Fewer cases than this: counts, no percentage (default: minimumGroupSize of config/performance.yaml, else 10)' })),
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
  },
  { additionalProperties: false },
);

/** GET /api/v1/kpis: the CSS §6.2 indicators for the signed-in person's scope. */
export function registerKpiRoutes(app: FastifyInstance, services: CaseServices): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const auth = requireStaff(services.db, services.clock);
  api.get(
    '/api/v1/kpis',
    { onRequest: auth, schema: { tags: ['performance'], summary: 'Performance indicators (CSS §6.2): compliance, completion time, escalations', querystring: KpiQuerystring } },
    async (request, reply) => {
      const q = request.query;
      const directory = await services.directory.get(services.db.kysely);
      const result = await findKpis({
        tx: services.db.kysely,
        directory,
        staff: signedInStaff(request),
        query: { from: q.from, to: q.to, division: q.division, type: q.type, channel: q.channel, by: q.by, periodRule: q.period, minimumGroupSize: q.minimumGroupSize === undefined ? undefined : Number(q.minimumGroupSize) },
        now: services.clock.now(),
      });
      if (q.format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="kpis-${result.from}-to-${result.to}.csv"`)
          .send(kpiCsv(result));
      }
      return result;
    },
  );
}
