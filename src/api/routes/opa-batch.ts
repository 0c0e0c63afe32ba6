// Enterprise OPA's batch query API, the endpoint both OPA SDKs' evaluateBatch call first (they
// fall back to one Data API request per input only on a 404, and only when asked to):
//   POST /v1/batch/data/{path} {"inputs": {"<id>": <input>, …}, "common_input"?: {…}}
//     → 200 {"batch_decision_id", "responses": {"<id>": {"decision_id", "result"?, …}}} when every
//       input was evaluated; 207 when some failed, each response then carrying "http_status_code"
//       ("200", or "500" with OPA's error: "code", "message", "errors"); 500 when all failed.
// Each input is one Data API decision (its own decision_id, cache lookup, span and audit record),
// deep-merged over common_input (the input's value wins where both have a key). The same query
// parameters as the Data API apply to every input.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DecisionPipeline } from '../../decisions/pipeline.js';
import type { DataAnswer } from '../../decisions/types.js';
import { failure, provenance, writeDocument } from '../opa/data-answer.js';
import { dataPath, dataQuery } from '../opa/data-query.js';
import { invalidParameter, parseOpaParams, type OpaParams } from '../opa/params.js';

interface BatchBody {
  inputs: Record<string, unknown>;
  common_input?: Record<string, unknown>;
}

const ERROR = { $ref: 'opa-error.json#' };

export function batchRoutes(app: FastifyInstance, pipeline: DecisionPipeline, maxInputs: number): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const handlerStart = performance.now();
    const query = request.query as Record<string, unknown>;
    if (query.input !== undefined) throw invalidParameter('input', 'the batch API takes its inputs from the body ("inputs"), not from ?input=');
    const p = parseOpaParams(query, () => undefined);
    const body = request.body as BatchBody;
    const ids = Object.keys(body.inputs);
    if (ids.length > maxInputs) {
      throw invalidParameter('/inputs', `inputs has ${ids.length} entries; at most ${maxInputs} are evaluated in one batch (opa.batch_max_inputs)`);
    }
    const path = dataPath((request.params as Record<string, string | undefined>)['*'] ?? '');
    // Evaluated together: the decisions join one evaluation batch per event-loop turn.
    const answers = await Promise.all(ids.map((id) => pipeline.query(dataQuery(request, reply, path, withCommon(body.common_input, body.inputs[id]), p))));
    // No policy to ask: the whole batch is unanswerable, as one Data API request would be (503).
    const first = answers[0];
    if (first !== undefined && !first.ok && answers.every((a) => !a.ok && a.code === 'NO_ACTIVE_POLICY')) throw failure(first);
    const failed = answers.reduce((n, a) => n + (a.ok ? 0 : 1), 0);
    const mixed = failed > 0 && failed < answers.length;
    const responses: Record<string, unknown> = {};
    for (const [i, id] of ids.entries()) Object.defineProperty(responses, id, { value: response(answers[i]!, p, mixed), enumerable: true });
    const out: Record<string, unknown> = { batch_decision_id: randomUUID(), responses };
    if (p.metrics) out.metrics = { timer_server_handler_ns: Math.round((performance.now() - handlerStart) * 1e6) };
    for (const a of answers) if (a.traceparent) reply.header('traceparent', a.traceparent);
    return writeDocument(reply, out, p.pretty, String(out.batch_decision_id), failed === 0 ? 200 : mixed ? 207 : 500);
  };

  const route = {
    // the inputs' integers are kept exact, as on the Data API (see body-parser.ts)
    // gzipInHandler: writeDocument gzips the answer (src/api/response-gzip.ts).
    config: { opaErrors: true, exactNumbers: true, gzipInHandler: true },
    schema: {
      summary: "Evaluate the document at {path} for each input of a batch (Enterprise OPA's batch query API)",
      body: { $ref: 'batch-data-request.json#' },
      response: { '4xx': ERROR, '5xx': ERROR },
    },
    handler,
  };
  app.post('/v1/batch/data', route);
  app.post('/v1/batch/data/*', route);
}

/** One input's entry: the Data API's answer; in a mixed batch with its status; an error in OPA's shape. */
function response(a: DataAnswer, p: OpaParams, mixed: boolean): Record<string, unknown> {
  if (!a.ok) {
    const err = failure(a);
    return {
      http_status_code: '500',
      code: err.opa?.code ?? 'internal_error',
      message: err.message,
      errors: err.opa?.errors ?? [],
      decision_id: a.decision_id,
    };
  }
  const r: Record<string, unknown> = mixed ? { http_status_code: '200' } : {};
  r.decision_id = a.decision_id;
  if (a.defined) r.result = a.result;
  // what the engine measured (nothing for a cached answer); the batch's own timers are at the top
  if (p.metrics) r.metrics = { ...a.metrics };
  if (p.provenance) r.provenance = provenance(a.revisions);
  if (p.explain && a.explanation) r.explanation = a.explanation;
  return r;
}

/** The input deep-merged over common_input: objects merge key by key, the input's value wins
 * anywhere else. Keys are defined, not assigned (a "__proto__" key stays a key). */
function withCommon(common: unknown, input: unknown): unknown {
  if (common === undefined || !isObject(common) || !isObject(input)) return input;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(common)) define(out, k, v);
  for (const [k, v] of Object.entries(input)) define(out, k, Object.prototype.hasOwnProperty.call(common, k) ? withCommon(common[k], v) : v);
  return out;
}

function define(o: Record<string, unknown>, k: string, value: unknown): void {
  Object.defineProperty(o, k, { value, enumerable: true, writable: true, configurable: true });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
