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

async function decisionApi(app: FastifyInstance, opts: { defaultDecision?: string; batchMaxInputs?: number; anyContentType?: boolean }): Promise<void> {
  decisionRoutes(app, app.pipeline);
  // OPA's routes in a context of their own: there opa.any_content_type may read any body as JSON.
  await app.register(async (opa) => {
    if (opts.anyContentType === true) opa.readAnyBodyAsJson();
    dataRoutes(opa, opa.pipeline, opts.defaultDecision ?? DEFAULT_OPA.default_decision);
    batchRoutes(opa, opa.pipeline, opts.batchMaxInputs ?? DEFAULT_OPA.batch_max_inputs);
    queryRoutes(opa, opa.pipeline);
    policyRoutes(opa);
  });
}

export default fp(decisionApi, { name: 'pdp-decision-api', fastify: '5.x', dependencies: ['pdp-pipeline'] });
