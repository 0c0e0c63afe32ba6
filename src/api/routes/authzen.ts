// The AuthZEN Authorization API 1.0 routes at the specification's default paths: evaluation,
// evaluations, the three searches, and the PDP metadata. Bodies are checked against the AuthZEN
// schemas (src/authzen/schemas.ts) by the plugin's validator compiler; each route hands over to
// the AuthzenService, which asks the decision pipeline.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AUTHZEN_PATHS, WELL_KNOWN_PATH, pdpMetadata } from '../../authzen/metadata.js';
import type { SearchTarget } from '../../authzen/page-token.js';
import { AUTHZEN_SCHEMAS as S } from '../../authzen/schemas.js';
import type { AuthzenService, RequestMeta } from '../../authzen/service.js';
import type { EvaluationRequest } from '../../authzen/types.js';
import { peerOf } from '../peer.js';

const ERROR = { $ref: 'error.json#' };

function meta(request: FastifyRequest): RequestMeta {
  return { headers: request.headers, ...peerOf(request), caller: request.caller };
}

export function authzenRoutes(app: FastifyInstance, service: AuthzenService, opts: { pdpUrl: string }): void {
  app.post(AUTHZEN_PATHS.access_evaluation_endpoint, {
    config: { repeatedBodies: true },
    schema: {
      summary: 'AuthZEN Access Evaluation: one decision (deny is 200 {"decision": false})',
      body: S.evaluationRequest,
      response: { 200: S.evaluationResponse, '4xx': ERROR, '5xx': ERROR },
    },
    handler: async (request) => service.evaluate(request.body as EvaluationRequest, meta(request)),
  });

  app.post(AUTHZEN_PATHS.access_evaluations_endpoint, {
    schema: {
      summary: 'AuthZEN Access Evaluations: a batch with top-level defaults and options.evaluations_semantic',
      body: S.evaluationsRequest,
      response: { 200: S.evaluationsResponse, '4xx': ERROR, '5xx': ERROR },
    },
    handler: async (request) => service.evaluations(request.body as Record<string, unknown>, meta(request)),
  });

  const searches: [SearchTarget, string, object][] = [
    ['subject', AUTHZEN_PATHS.search_subject_endpoint, S.subjectSearch],
    ['resource', AUTHZEN_PATHS.search_resource_endpoint, S.resourceSearch],
    ['action', AUTHZEN_PATHS.search_action_endpoint, S.actionSearch],
  ];
  for (const [target, path, body] of searches) {
    app.post(path, {
      schema: {
        summary: `AuthZEN ${target} search: the ${target}s the policy allows (paged with page.token / page.limit)`,
        body,
        response: { 200: S.searchResponse, '4xx': ERROR, '5xx': ERROR },
      },
      handler: async (request) => service.search(target, request.body as Record<string, unknown>, meta(request)),
    });
  }

  app.get(WELL_KNOWN_PATH, {
    schema: { summary: 'AuthZEN PDP metadata: the endpoints this service serves', response: { 200: S.metadataResponse } },
    handler: async (request) => pdpMetadata(opts.pdpUrl !== '' ? opts.pdpUrl : `${request.protocol}://${request.host}`),
  });
}
