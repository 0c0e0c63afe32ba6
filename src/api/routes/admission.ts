// POST /v1/admission/model-deployment: the Kubernetes validating admission webhook. An
// admission.k8s.io/v1 AdmissionReview in (schemas/admission-review.json → 400 naming the field
// when it is not one), an AdmissionReview out, always 200 — the API server reads the verdict from
// the body. The route hands over to the admission controller, which asks the decision pipeline.
import type { FastifyInstance } from 'fastify';
import type { AdmissionController } from '../../admission/controller.js';
import type { AdmissionMode, AdmissionReviewIn } from '../../admission/types.js';
import { SCOPE } from '../../auth/scopes.js';
import { peerOf } from '../peer.js';

/** An AdmissionReview carries the object and, on UPDATE, the old one: each up to the API
 * server's 1.5 MiB request limit (etcd's), so the service-wide body limit may be too small. */
export const ADMISSION_BODY_LIMIT = 4 * 1024 * 1024;

export function admissionRoutes(app: FastifyInstance, controller: AdmissionController, bodyLimit: number): void {
  app.post('/v1/admission/model-deployment', {
    // The same question as POST /v1/decisions/model-deployment, asked in Kubernetes' protocol.
    config: { scope: SCOPE.decideModelDeployment },
    bodyLimit,
    schema: {
      summary: 'Kubernetes validating admission webhook for model-serving workloads (AdmissionReview v1)',
      body: { $ref: 'admission-review.json#' },
      // The API server adds ?timeout=<n>s to every webhook call; other parameters pass.
      querystring: {
        type: 'object',
        properties: {
          mode: { type: 'string', enum: ['enforce', 'warn', 'audit'], description: "The namespace label's mode (one webhook per mode in the chart)." },
        },
      },
      response: { 200: { $ref: 'admission-review-response.json#' }, '4xx': { $ref: 'error.json#' } },
    },
    handler: async (request) =>
      controller.review(
        request.body as AdmissionReviewIn,
        { headers: request.headers, ...peerOf(request), caller: request.caller },
        (request.query as { mode?: AdmissionMode }).mode,
      ),
  });
}
