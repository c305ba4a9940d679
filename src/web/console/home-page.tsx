import type { FastifyInstance } from 'fastify';
import type { CaseServices } from '../../cases/case-services.js';

export async function registerHomePage(app: FastifyInstance, services: CaseServices): Promise<void> {
  void app;
  void services;
}
