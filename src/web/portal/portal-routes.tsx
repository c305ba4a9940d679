import type { FastifyInstance } from 'fastify';
import type { CaseServices } from '../../cases/case-services.js';
import { Layout } from '../layout.js';
import { sendPage } from '../render.js';

/** The public portal: report a problem, ask a question, track a request, contact the City. */
export async function registerPortalRoutes(app: FastifyInstance, services: CaseServices): Promise<void> {
  app.get('/', async (_request, reply) => {
    const directory = await services.directory.get();
    return sendPage(
      reply,
      <Layout title="Home" municipality={directory.municipality.name} path="/" nav={[{ href: '/', label: 'Home' }]}>
        <h1>{directory.municipality.name}</h1>
        <p class="lede">Report a problem, ask a question or track a request.</p>
      </Layout>,
    );
  });
}
