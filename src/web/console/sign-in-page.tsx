import type { FastifyInstance } from 'fastify';
import type { CaseServices } from '../../cases/case-services.js';
import { sessionHours, signIn, signOut } from '../../directory/sessions.js';
import { isAppError } from '../../platform/errors.js';
import { sessionCookie } from '../../platform/staff-auth.js';
import { ErrorSummary, TextField, type FieldErrors } from '../components.js';
import { Layout } from '../layout.js';
import { sendPage } from '../render.js';
import { safeNext } from './console-auth.js';
import { perAccountSignInLimit, signInPerAddress } from '../../platform/sign-in-limits.js';

function SignInPage(props: { municipality: string; next: string; email?: string; errors?: FieldErrors; signedOut?: boolean }) {
  return (
    <Layout title="Sign in" municipality={props.municipality} path="/staff/sign-in" nav={[{ href: '/', label: 'Public site' }]}>
      <div class="panel">
        <h1>Sign in to the staff console</h1>
        {props.signedOut ? <p role="status" class="alert alert--ok">You are signed out.</p> : null}
        <ErrorSummary errors={props.errors ?? {}} />
        <form method="post" action="/staff/sign-in" novalidate>
          <input type="hidden" name="next" value={props.next} />
          <TextField name="email" label="Work e-mail" type="email" autocomplete="username" value={props.email} required error={props.errors?.['email']} />
          <TextField name="password" label="Password" type="password" autocomplete="current-password" required error={props.errors?.['password']} />
          <div class="actions">
            <button type="submit">Sign in</button>
          </div>
        </form>
        <p class="muted">Forgotten your password? Ask the console's administrator to set a new one.</p>
      </div>
    </Layout>
  );
}

/** Sign-in and sign-out pages; the session is the same as the API's (cookie `citydesk_session`). */
export function registerSignInRoutes(app: FastifyInstance, services: CaseServices): void {
  app.get<{ Querystring: { next?: string; signed_out?: string } }>('/staff/sign-in', async (request, reply) => {
    const directory = await services.directory.get();
    return sendPage(reply, SignInPage({ municipality: directory.municipality.name, next: safeNext(request.query.next), signedOut: request.query.signed_out === '1' }));
  });

  const perAccount = perAccountSignInLimit(app, (request) => {
    const email = (request.body as Record<string, unknown> | undefined)?.['email'];
    return typeof email === 'string' ? email : '';
  });
  app.post<{ Body: Record<string, unknown> }>('/staff/sign-in', { config: { rateLimit: signInPerAddress }, preHandler: perAccount }, async (request, reply) => {
    const directory = await services.directory.get();
    const body = request.body ?? {};
    const email = typeof body['email'] === 'string' ? body['email'].trim() : '';
    const password = typeof body['password'] === 'string' ? body['password'] : '';
    const next = safeNext(body['next']);
    const errors: FieldErrors = {};
    if (email === '') errors['email'] = 'Enter your work e-mail address';
    if (password === '') errors['password'] = 'Enter your password';
    if (Object.keys(errors).length === 0) {
      try {
        const { token } = await signIn({ db: services.db, email, password, now: services.clock.now() });
        void reply.setCookie(sessionCookie, token, { path: '/', httpOnly: true, sameSite: 'lax', secure: request.protocol === 'https', maxAge: sessionHours * 3600 });
        return reply.redirect(next, 303);
      } catch (error) {
        if (!isAppError(error)) throw error;
        errors['email'] = error.message;
      }
    }
    return sendPage(reply, SignInPage({ municipality: directory.municipality.name, next, email, errors }), 400);
  });

  app.post('/staff/sign-out', async (request, reply) => {
    const token = request.cookies?.[sessionCookie];
    if (token) await signOut(services.db, token);
    void reply.clearCookie(sessionCookie, { path: '/' });
    return reply.redirect('/staff/sign-in?signed_out=1', 303);
  });
}
