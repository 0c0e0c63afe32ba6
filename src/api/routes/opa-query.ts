// OPA's Query API: GET /v1/query?q=<rego>[&input=…] and POST /v1/query {"query", "input"} →
// {"result": [{<variable>: <value>, …}, …]} (one row per solution; OPA omits "result" when there
// is none). An arbitrary query reads all of data, so it needs its own scope (query:adhoc), and it
// runs within the same evaluation budget as a decision. Errors in OPA's shape.
import { performance } from 'node:perf_hooks';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import stableStringify from 'safe-stable-stringify';
import type { DecisionPipeline } from '../../decisions/pipeline.js';
import { ApiError } from '../errors.js';
import { invalidParameter, parseOpaParams } from '../opa/params.js';

const stringify = stableStringify.configure({ bigint: true, deterministic: true, circularValue: TypeError });
const ERROR = { $ref: 'opa-error.json#' };
/** A query longer than this is refused before it is parsed (a query is a line, not a module). */
const MAX_QUERY_LENGTH = 64 * 1024;

export function queryRoutes(app: FastifyInstance, pipeline: DecisionPipeline): void {
  const run = async (request: FastifyRequest, reply: FastifyReply, query: unknown, input: unknown, q: Record<string, unknown>): Promise<FastifyReply> => {
    const p = parseOpaParams(q, (text) => app.readBoundedJson(text));
    if (typeof query !== 'string' || query.trim() === '') throw invalidParameter('q', 'a query is required (?q= for GET, "query" for POST)');
    if (query.length > MAX_QUERY_LENGTH) throw invalidParameter('q', `the query is longer than ${MAX_QUERY_LENGTH} characters`);
    const answer = await pipeline.adhoc({ query, input: input ?? p.input?.value, strict: p.strict, receivedAt: performance.now() - reply.elapsedTime });
    if (!answer.ok) {
      const status = answer.kind === 'invalid' ? 400 : answer.kind === 'no_policy' ? 503 : 500;
      const err = new ApiError(status, status === 400 ? 'BAD_REQUEST' : status === 503 ? 'NO_ACTIVE_POLICY' : 'EVALUATION_ERROR', answer.message);
      err.opa = { code: status === 400 ? 'invalid_parameter' : 'internal_error', errors: [{ code: answer.code, message: answer.message }] };
      throw err;
    }
    const body: Record<string, unknown> = answer.rows.length > 0 ? { result: answer.rows } : {};
    if (p.metrics || p.instrument) body.metrics = { timer_server_handler_ns: Math.round(reply.elapsedTime * 1e6) };
    return reply
      .code(200)
      .type('application/json; charset=utf-8')
      .send(stringify(body, null, p.pretty ? 2 : undefined));
  };

  app.get('/v1/query', {
    config: { opaErrors: true },
    schema: {
      summary: 'Run an ad-hoc Rego query (OPA Query API); needs scope query:adhoc',
      querystring: { type: 'object', properties: { q: { type: 'string', description: 'The Rego query.' }, input: { description: 'URL-encoded JSON input.' } } },
      response: { '4xx': ERROR, '5xx': ERROR },
    },
    handler: (request, reply) => {
      const q = request.query as Record<string, unknown>;
      return run(request, reply, Array.isArray(q.q) ? q.q[q.q.length - 1] : q.q, undefined, q);
    },
  });
  app.post('/v1/query', {
    config: { opaErrors: true },
    schema: {
      summary: 'Run an ad-hoc Rego query with an input (OPA Query API); needs scope query:adhoc',
      body: { type: 'object', required: ['query'], properties: { query: { type: 'string' }, input: {} } },
      response: { '4xx': ERROR, '5xx': ERROR },
    },
    handler: (request, reply) => {
      const body = request.body as { query: string; input?: unknown };
      return run(request, reply, body.query, body.input, request.query as Record<string, unknown>);
    },
  });
}
