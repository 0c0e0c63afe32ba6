// The decision routes: this project's two decision endpoints and OPA's Data API, answered by the
// pipeline plugin's DecisionPipeline. (Capability routes — /metrics, /v1/decisions/{id}, status —
// are registered by their own plugins.)
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { dataRoutes } from './data.js';
import { decisionRoutes } from './decisions.js';

async function decisionApi(app: FastifyInstance): Promise<void> {
  decisionRoutes(app, app.pipeline);
  dataRoutes(app, app.pipeline);
}

export default fp(decisionApi, { name: 'pdp-decision-api', fastify: '5.x', dependencies: ['pdp-pipeline'] });
