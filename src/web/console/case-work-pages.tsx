import type { FastifyInstance } from 'fastify';
import type { CaseServices } from '../../cases/case-services.js';
import { registerCasePage } from './case-page.js';
import { registerHomePage } from './home-page.js';
import { registerIntakePages } from './intake-pages.js';
import { registerQueuePages } from './queue-pages.js';
import { registerMailPages } from './mail-pages.js';

/** The pages of the day's work: home, intake, queues and search, and the case page. */
export async function registerCaseWorkPages(app: FastifyInstance, services: CaseServices): Promise<void> {
  await registerHomePage(app, services);
  await registerIntakePages(app, services);
  await registerQueuePages(app, services);
  await registerCasePage(app, services);
  registerMailPages(app, services);
}
