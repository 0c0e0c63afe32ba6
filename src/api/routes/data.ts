// OPA's Data API, as OPA documents it (docs/opa-compatibility.md):
//   POST /v1/data/{path} {"input": …} and GET /v1/data/{path}[?input=<url-encoded JSON>]
//     → {"decision_id", "result"} (no "result" when undefined), plus "metrics", "provenance",
//       "explanation" when asked for; array elements by index in the path (/roles/admin/0)
//   POST /v0/data/{path} (webhooks): the body is the input, the answer the bare document;
//     undefined → 404 undefined_document
//   POST / : the same at opa.default_decision (OPA's default decision, data.system.main)
//   PUT/PATCH/DELETE /v1/data: refused — data comes from bundles.
// Errors leave in OPA's shape (config opaErrors).
import { performance } from 'node:perf_hooks';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DecisionPipeline } from '../../decisions/pipeline.js';
import type { DataAnswer } from '../../decisions/types.js';
import { describeThrown } from '../../shared/errors.js';
import { ApiError } from '../errors.js';
import { failure, provenance, writeDocument } from '../opa/data-answer.js';
import { dataPath, dataQuery } from '../opa/data-query.js';
import { parseOpaParams, type OpaParams } from '../opa/params.js';
import { refuseWrites } from '../opa/refuse-writes.js';

const QUERY = {
  type: 'object',
  properties: {
    input: { description: 'GET only: the input document, URL-encoded JSON.' },
    pretty: { description: 'Indent the JSON answer.' },
    'strict-builtin-errors': { description: 'Builtin errors fail the evaluation instead of making it undefined.' },
    provenance: { description: 'Add OPA\'s "provenance": version and bundle revisions.' },
    metrics: { description: 'Add OPA\'s "metrics": timers in nanoseconds.' },
    instrument: {
      description:
        "Metrics plus OPA's evaluation instrumentation: timer_eval_op_builtin_call_ns, histogram_eval_op_builtin_call, counter_eval_op_virtual_cache_hit / _miss.",
    },
    explain: { description: 'notes, fails, full or debug: add OPA\'s "explanation" trace events.' },
  },
};
const ERROR = { $ref: 'opa-error.json#' };
const RESPONSE = { 200: { $ref: 'data-response.json#' }, '4xx': ERROR, '5xx': ERROR };
// gzipInHandler: writeDocument gzips the answer (src/api/response-gzip.ts): no hook on these routes.
const OPA = { opaErrors: true, gzipInHandler: true } as const;
/** Routes whose body carries an input: its integers are kept exact (see body-parser.ts). */
const OPA_INPUT = { ...OPA, exactNumbers: true } as const;

/** Where the answer goes: the Data API's envelope, or the bare document (v0, POST /). */
type Form = 'v1' | 'bare';

export function dataRoutes(app: FastifyInstance, pipeline: DecisionPipeline, defaultDecision: string): void {
  const evaluate = async (request: FastifyRequest, reply: FastifyReply, rawPath: string, input: unknown, p: OpaParams, form: Form): Promise<FastifyReply> => {
    const handlerStart = performance.now();
    const path = dataPath(rawPath);
    const answer = await pipeline.query(dataQuery(request, reply, path, input, p));
    const evalNs = Math.round((performance.now() - handlerStart) * 1e6);
    if (form === 'bare') return sendBare(reply, answer, path, p.pretty);
    return send(reply, answer, p, () => ({
      ...(p.inputParseNs !== undefined ? { timer_rego_input_parse_ns: p.inputParseNs } : {}),
      timer_rego_query_eval_ns: evalNs,
      timer_server_handler_ns: Math.round((performance.now() - handlerStart) * 1e6) + (p.inputParseNs ?? 0),
    }));
  };

  const params = (request: FastifyRequest): OpaParams => parseOpaParams(request.query as Record<string, unknown>, (text) => readInput(app, text));
  const pathOf = (request: FastifyRequest): string => (request.params as Record<string, string | undefined>)['*'] ?? '';

  const post = {
    config: OPA_INPUT,
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
    handler: (request: FastifyRequest, reply: FastifyReply) =>
      evaluate(request, reply, pathOf(request), (request.body as { input?: unknown } | undefined)?.input, params(request), 'v1'),
  };
  const get = {
    config: OPA,
    schema: { summary: 'Read the document at {path}; ?input= gives an input (OPA Data API)', querystring: QUERY, response: RESPONSE },
    handler: (request: FastifyRequest, reply: FastifyReply) => {
      const p = params(request);
      return evaluate(request, reply, pathOf(request), p.input?.value, p, 'v1');
    },
  };
  app.post('/v1/data', post);
  app.post('/v1/data/*', post);
  app.get('/v1/data', get);
  app.get('/v1/data/*', get);

  // The webhook form: the whole body is the input, the answer is the bare document.
  const bareSchema = { querystring: QUERY, response: { '4xx': ERROR, '5xx': ERROR } };
  app.post('/v0/data/*', {
    config: OPA_INPUT,
    schema: { summary: 'Evaluate the document at {path}; the body is the input, the answer the bare document (OPA v0 Data API)', ...bareSchema },
    handler: (request: FastifyRequest, reply: FastifyReply) => evaluate(request, reply, pathOf(request), request.body, params(request), 'bare'),
  });
  app.post('/', {
    config: { ...OPA_INPUT, dataPath: defaultDecision },
    schema: { summary: `Evaluate the default decision (opa.default_decision, ${defaultDecision}); the body is the input (OPA Query API)`, ...bareSchema },
    handler: (request: FastifyRequest, reply: FastifyReply) => evaluate(request, reply, defaultDecision, request.body, params(request), 'bare'),
  });

  // Data comes from bundles: OPA's write API is refused, in OPA's error shape.
  refuseWrites(app, {
    urls: ['/v1/data', '/v1/data/*'],
    methods: ['PUT', 'PATCH', 'DELETE'],
    reason: 'data is loaded from bundles only (configure bundles)',
    allow: 'GET, POST',
  });
}

/** `?input=`: the same bounds and checks as a JSON body; a bad value names the parameter. */
function readInput(app: FastifyInstance, text: string): unknown {
  try {
    return app.readBoundedJson(text);
  } catch (err) {
    const message = `input parameter is not valid JSON: ${err instanceof ApiError ? err.message : describeThrown(err)}`;
    const e = new ApiError(400, 'INVALID_JSON', message, [{ path: 'input', message }]);
    e.opa = { code: 'invalid_parameter', errors: [{ code: 'invalid_parameter', message }] };
    throw e;
  }
}

function send(reply: FastifyReply, answer: DataAnswer, p: OpaParams, serverTimers: () => Record<string, number>): FastifyReply {
  if (answer.traceparent) reply.header('traceparent', answer.traceparent);
  if (!answer.ok) throw failure(answer);
  const body: Record<string, unknown> = { decision_id: answer.decision_id };
  if (answer.defined) body.result = answer.result;
  if (p.metrics || p.instrument) body.metrics = { ...serverTimers(), ...answer.metrics };
  if (p.provenance) body.provenance = provenance(answer.revisions);
  if (p.explain && answer.explanation) body.explanation = answer.explanation;
  return writeDocument(reply, body, p.pretty, answer.decision_id);
}

function sendBare(reply: FastifyReply, answer: DataAnswer, path: string, pretty: boolean): FastifyReply {
  if (answer.traceparent) reply.header('traceparent', answer.traceparent);
  if (!answer.ok) throw failure(answer);
  if (!answer.defined) {
    const doc = `data${path ? '.' + path.replace(/\//g, '.') : ''}`;
    const err = new ApiError(404, 'NOT_FOUND', `document undefined: ${doc}`, [], answer.decision_id);
    err.opa = { code: 'undefined_document' };
    throw err;
  }
  return writeDocument(reply, answer.result, pretty, answer.decision_id);
}
