// The decision routes: this project's two decision endpoints, OPA's Data API and Enterprise OPA's batch API, answered by the
// pipeline plugin's DecisionPipeline. (Capability routes — /metrics, /v1/decisions/{id}, status —
// are registered by their own plugins.)
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { DEFAULT_OPA } from '../../config/defaults.js';
import { dataRoutes } from './data.js';
import { batchRoutes } from './opa-batch.js';
import { policyRoutes } from './opa-policies.js';
import { queryRoutes } from './opa-query.js';
import { decisionRoutes } from './decisions.js';

async function decisionApi(app: FastifyInstance, opts: { defaultDecision?: string; batchMaxInputs?: number }): Promise<void> {
  decisionRoutes(app, app.pipeline);
  dataRoutes(app, app.pipeline, opts.defaultDecision ?? DEFAULT_OPA.default_decision);
  batchRoutes(app, app.pipeline, opts.batchMaxInputs ?? DEFAULT_OPA.batch_max_inputs);
  queryRoutes(app, app.pipeline);
  policyRoutes(app);
}

export default fp(decisionApi, { name: 'pdp-decision-api', fastify: '5.x', dependencies: ['pdp-pipeline'] });
