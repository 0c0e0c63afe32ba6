// GET /v1/decisions/{id}: the audit record of one decision, from the decision log.
import type { FastifyInstance } from 'fastify';
import type { DecisionLog } from '../../decisionlog/decision-log.js';
import { DECISION_ENDPOINTS } from '../../decisions/kinds.js';
import { ApiError } from '../errors.js';

const ERROR = { $ref: 'error.json#' };
const RECORD = { $ref: 'decision-record.json#' };
// GET /v1/decisions/tool-call is a wrong method on a decision endpoint, not a log lookup.
const DECISION_KINDS = new Set<string>(DECISION_ENDPOINTS.map((e) => e.kind));

export function decisionLogRoutes(app: FastifyInstance, log: Pick<DecisionLog, 'get'>): void {
  app.get('/v1/decisions/:id', {
    schema: {
      summary: 'The logged record of one decision',
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 128 } } },
      response: { 200: RECORD, '4xx': ERROR },
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      if (DECISION_KINDS.has(id)) {
        reply.header('allow', 'POST');
        throw new ApiError(405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed on /v1/decisions/${id}; use POST`);
      }
      const record = await log.get(id);
      if (!record) throw new ApiError(404, 'DECISION_NOT_FOUND', `no decision ${id} in the log`);
      return record;
    },
  });
}
