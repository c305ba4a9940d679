import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { CaseServices } from '../cases/case-services.js';
import { requireStaff, sessionCookie, sessionToken, signedInStaff } from '../platform/staff-auth.js';
import { sessionHours, signIn, signOut } from './sessions.js';
import { perAccountSignInLimit, signInPerAddress } from '../platform/sign-in-limits.js';

/** Staff sign-in and the reference data API clients need to fill a form. */
export function registerDirectoryRoutes(app: FastifyInstance, services: CaseServices): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const auth = requireStaff(services.db, services.clock);

  api.post(
    '/api/v1/session',
    {
      config: { rateLimit: signInPerAddress },
      preHandler: perAccountSignInLimit(app, (request) => String((request.body as { email?: unknown } | undefined)?.email ?? '')),
      schema: {
        tags: ['session'],
        summary: 'Sign in: returns a token (also set as a cookie)',
        body: Type.Object({ email: Type.String({ minLength: 1, maxLength: 254 }), password: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const { token, staff, expiresAt } = await signIn({ db: services.db, email: request.body.email, password: request.body.password, now: services.clock.now() });
      void reply.setCookie(sessionCookie, token, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: request.protocol === 'https',
        maxAge: sessionHours * 3600,
      });
      return { token, expiresAt: expiresAt.toISOString(), staff };
    },
  );

  api.get('/api/v1/session', { onRequest: auth, schema: { tags: ['session'], summary: 'Who is signed in' } }, async (request) => ({ staff: signedInStaff(request) }));

  api.delete('/api/v1/session', { onRequest: auth, schema: { tags: ['session'], summary: 'Sign out' } }, async (request, reply) => {
    await signOut(services.db, sessionToken(request)!);
    void reply.clearCookie(sessionCookie, { path: '/' });
    return reply.status(204).send();
  });

  api.get('/api/v1/divisions', { onRequest: auth, schema: { tags: ['directory'], summary: 'Departments and divisions' } }, async () => {
    const rows = await services.db.kysely
      .selectFrom('division')
      .innerJoin('department', 'department.id', 'division.department_id')
      .select(['division.code', 'division.name', 'division.head_title', 'department.code as department_code', 'department.name as department_name'])
      .orderBy('department.name')
      .orderBy('division.name')
      .execute();
    return {
      divisions: rows.map((r) => ({ code: r.code, name: r.name, head: r.head_title, department: { code: r.department_code, name: r.department_name } })),
    };
  });

  api.get('/api/v1/request-types', { onRequest: auth, schema: { tags: ['directory'], summary: 'Request types with their questions' } }, async () => {
    const rows = await services.db.kysely
      .selectFrom('request_type')
      .innerJoin('division', 'division.id', 'request_type.division_id')
      .select(['request_type.code', 'request_type.name', 'request_type.description', 'request_type.attributes', 'division.code as division_code', 'division.name as division_name'])
      .where('request_type.active', '=', true)
      .orderBy('request_type.name')
      .execute();
    return {
      requestTypes: rows.map((r) => ({ code: r.code, name: r.name, description: r.description, attributes: r.attributes, division: { code: r.division_code, name: r.division_name } })),
    };
  });
}
