import type { FastifyInstance } from 'fastify';
import type { CaseServices } from '../../cases/case-services.js';
import { registerAdminPages } from './admin-pages.js';
import { registerClosurePages } from './reference-closures.js';
import { registerOutboxPage } from './reference-outbox.js';
import { registerTargetPages } from './reference-targets.js';

/** Reference pages every staff member can read (targets, closures, outbox) and the administrators' pages. */
export async function registerReferencePages(app: FastifyInstance, services: CaseServices): Promise<void> {
  registerTargetPages(app, services);
  registerClosurePages(app, services);
  registerOutboxPage(app, services);
  registerAdminPages(app, services);
}
