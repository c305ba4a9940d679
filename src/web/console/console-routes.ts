import type { FastifyInstance } from 'fastify';
import type { CaseServices } from '../../cases/case-services.js';
import { registerSignInRoutes } from './sign-in-page.js';
import { registerCaseWorkPages } from './case-work-pages.js';
import { registerReferencePages } from './reference-pages.js';
import { registerSurveyCallPages } from './survey-call-pages.js';
import { registerFeedbackPages } from './feedback-pages.js';
import { registerGovernancePages } from './governance-pages.js';
import { registerPerformancePages } from './performance-pages.js';
import { registerReportPages } from './report-pages.js';
import { registerKnowledgePages } from './knowledge-pages.js';

/** The staff console under /staff. */
export async function registerConsoleRoutes(app: FastifyInstance, services: CaseServices): Promise<void> {
  registerSignInRoutes(app, services);
  // Home, intake, queues, search and the case page.
  await registerCaseWorkPages(app, services);
  // Service targets, closures, the outbox and administration.
  await registerReferencePages(app, services);
  // Customer satisfaction: the follow-up call list (issue 14).
  registerSurveyCallPages(app, services);
  registerFeedbackPages(app, services);
  // The Standard, training, reviews, the Working Group and what-if replay (CSS §7, §8).
  registerGovernancePages(app, services);
  // The performance dashboard (CSS §6.2).
  registerPerformancePages(app, services);
  registerReportPages(app, services);
  // The knowledge base and response templates (issue 18).
  registerKnowledgePages(app, services);
}
