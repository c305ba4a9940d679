import type { FastifyInstance } from 'fastify';
import type { CaseServices } from '../../cases/case-services.js';
import { registerProposalPages } from './proposal-pages.js';
import { registerReviewPages } from './review-pages.js';
import { registerTrainingPages } from './training-pages.js';

/** The governance area's console pages (CSS §7, §8). */
export function registerGovernancePages(app: FastifyInstance, services: CaseServices): void {
  registerTrainingPages(app, services);
  registerReviewPages(app, services);
  registerProposalPages(app, services);
}
