// OPA-compatible Data API: POST /v1/data/{path} {"input": …} and GET /v1/data/{path}
// → {"decision_id", "result"}; an undefined document has no "result" (like OPA).
// Query parameters: ?pretty, ?strict-builtin-errors; others OPA knows (metrics, explain,
// provenance, instrument) are accepted and ignored.
import { performance } from 'node:perf_hooks';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import stableStringify from 'safe-stable-stringify';
import type { DecisionPipeline } from '../../decisions/pipeline.js';
import type { DataAnswer } from '../../decisions/types.js';
import { describeThrown } from '../../shared/errors.js';
import { ApiError } from '../errors.js';

// Documents are arbitrary: bigints (integers past 2^53) are written exactly, keys sorted like OPA.
const stringify = stableStringify.configure({ bigint: true, deterministic: true, circularValue: TypeError });

const QUERY = {
  type: 'object',
  properties: {
    pretty: { description: 'Indent the JSON answer.' },
    'strict-builtin-errors': { description: 'Builtin errors fail the evaluation instead of making it undefined.' },
  },
};
const ERROR = { $ref: 'error.json#' };
const RESPONSE = { 200: { $ref: 'data-response.json#' }, '4xx': ERROR, '5xx': ERROR };

export function dataRoutes(app: FastifyInstance, pipeline: DecisionPipeline): void {
  const handle = async (request: FastifyRequest, reply: FastifyReply, input: unknown): Promise<FastifyReply> => {
    const params = request.params as Record<string, string | undefined>;
    const query = request.query as Record<string, unknown>;
    const path = (params['*'] ?? '')
      .split('/')
      .filter((s) => s !== '')
      .join('/');
    const answer = await pipeline.query({
      kind: 'data',
      path,
      input,
      strict: flag(query['strict-builtin-errors']),
      headers: request.headers,
      remoteAddress: request.ip,
      remotePort: request.socket.remotePort,
      caller: request.caller,
      receivedAt: performance.now() - reply.elapsedTime,
    });
    return send(reply, answer, flag(query.pretty));
  };

  const post = {
    // OPA accepts a POST with no body at all: treat it as {} (no input) before validation.
    preValidation: async (request: FastifyRequest) => {
      if (request.body === undefined) request.body = {};
    },
    schema: {
      summary: 'Evaluate the document at {path} with an input (OPA Data API)',
      querystring: QUERY,
      body: { $ref: 'data-request.json#' },
      response: RESPONSE,
    },
    handler: (request: FastifyRequest, reply: FastifyReply) => handle(request, reply, (request.body as { input?: unknown } | undefined)?.input),
  };
  const get = {
    schema: { summary: 'Read the document at {path} without input (OPA Data API)', querystring: QUERY, response: RESPONSE },
    handler: (request: FastifyRequest, reply: FastifyReply) => handle(request, reply, undefined),
  };
  app.post('/v1/data', post);
  app.post('/v1/data/*', post);
  app.get('/v1/data', get);
  app.get('/v1/data/*', get);
}

/** OPA treats "?pretty" and "?pretty=true" as on. */
function flag(v: unknown): boolean {
  const s = Array.isArray(v) ? v[v.length - 1] : v;
  return s !== undefined && s !== 'false' && s !== '0';
}

function send(reply: FastifyReply, answer: DataAnswer, pretty: boolean): FastifyReply {
  if (answer.traceparent) reply.header('traceparent', answer.traceparent);
  if (!answer.ok) {
    // NO_ACTIVE_POLICY: cannot answer at all (503). EVALUATION_ERROR: OPA answers 500 here; a
    // client of the Data API treats it as a failure and fails closed.
    const status = answer.code === 'NO_ACTIVE_POLICY' ? 503 : 500;
    throw new ApiError(status, answer.code, answer.message, [], answer.decision_id);
  }
  const body = answer.defined ? { decision_id: answer.decision_id, result: answer.result } : { decision_id: answer.decision_id };
  let text: string | undefined;
  try {
    text = stringify(body, null, pretty ? 2 : undefined);
  } catch (err) {
    throw new ApiError(500, 'RESULT_NOT_SERIALIZABLE', `the result cannot be written as JSON: ${describeThrown(err)}`, [], answer.decision_id);
  }
  // Serialized here rather than by the response schema: documents are arbitrary JSON.
  return reply.code(200).type('application/json; charset=utf-8').send(text);
}
