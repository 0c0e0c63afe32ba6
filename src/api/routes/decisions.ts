// POST /v1/decisions/model-deployment and /v1/decisions/tool-call: schema-checked body in,
// decision answer out. The route only hands over to the pipeline.
import type { FastifyInstance } from 'fastify';
import { performance } from 'node:perf_hooks';
import { DECISION_ENDPOINTS } from '../../decisions/kinds.js';
import type { DecisionPipeline } from '../../decisions/pipeline.js';
import type { DecisionAnswerBody } from '../../decisions/types.js';
import { AnswerWriter } from '../answer-text.js';
import { peerOf } from '../peer.js';

const ERROR = { $ref: 'error.json#' };
const DECISION = { $ref: 'decision-response.json#' };

export function decisionRoutes(app: FastifyInstance, pipeline: DecisionPipeline): void {
  for (const ep of DECISION_ENDPOINTS) {
    // Answers written around kept text, from the route's own serializers (fast-json-stringify,
    // from the response schema), by status.
    const writers = new Map<number, AnswerWriter | null>();
    app.post(`/v1/decisions/${ep.kind}`, {
      // gzipInHandler: no gzip hook on the route (src/api/response-gzip.ts); the answer's text goes through app.responseGzip.
      config: { denyOn5xx: true, repeatedBodies: true, gzipInHandler: true },
      schema: {
        summary: `Decide a ${ep.kind} request (policy data.${ep.policyPath.replace(/\//g, '.')})`,
        body: { $ref: `${ep.requestSchema}#` },
        response: { 200: DECISION, 503: DECISION, '4xx': ERROR },
      },
      handler: async (request, reply) => {
        const peer = peerOf(request);
        const answer = await pipeline.decide({
          kind: ep.kind,
          path: ep.policyPath,
          input: request.body,
          strict: false,
          headers: request.headers,
          remoteAddress: peer.remoteAddress,
          remotePort: peer.remotePort,
          caller: request.caller,
          receivedAt: performance.now() - reply.elapsedTime,
        });
        if (answer.traceparent) reply.header('traceparent', answer.traceparent);
        reply.code(answer.status);
        let writer = writers.get(answer.status);
        if (writer === undefined) {
          const fn = reply.getSerializationFunction(String(answer.status));
          writers.set(answer.status, (writer = fn === undefined ? null : new AnswerWriter((body: DecisionAnswerBody) => fn({ ...body }))));
        }
        const text = writer?.text(answer.body, answer.shared === true, answer.plainIds === true);
        if (text === undefined) return reply.send(answer.body);
        return app.responseGzip.send(reply.type('application/json; charset=utf-8'), text);
      },
    });
  }
}
