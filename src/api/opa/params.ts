// OPA's query parameters on the Data API (and /v0, POST /, /v1/query): parsed once per request
// into what the pipeline and the answer need. Unknown values are refused as OPA refuses them
// (400 invalid_parameter), never silently ignored.
import { performance } from 'node:perf_hooks';
import { ApiError } from '../errors.js';

export type ExplainMode = 'notes' | 'fails' | 'full' | 'debug';
const EXPLAIN: ReadonlySet<string> = new Set(['notes', 'fails', 'full', 'debug', 'off']);

export interface OpaParams {
  pretty: boolean;
  strict: boolean;
  provenance: boolean;
  /** ?metrics, or implied by ?instrument. */
  metrics: boolean;
  /** ?instrument: also OPA's evaluation instrumentation (timer_/histogram_/counter_eval_op_*). */
  instrument: boolean;
  explain?: ExplainMode;
  /** `?input=` (GET): the parsed JSON, or undefined when absent. */
  input?: { value: unknown };
  /** How long reading `?input=` took (OPA's timer_rego_input_parse_ns). */
  inputParseNs?: number;
}

/** The last value of a repeated parameter (OPA reads the first; a repeat is unusual either way). */
function last(v: unknown): string | undefined {
  const s = Array.isArray(v) ? v[v.length - 1] : v;
  return typeof s === 'string' ? s : undefined;
}

/** OPA treats "?pretty", "?pretty=true" (and any value but false/0) as on. */
export function flag(v: unknown): boolean {
  if (v === undefined) return false;
  const s = last(v);
  return s === undefined || (s !== 'false' && s !== '0');
}

/** ?pretty on a route that takes no other OPA parameter (config, status, policies). */
export function prettyOf(request: { query: unknown }): boolean {
  return flag((request.query as Record<string, unknown> | undefined)?.pretty);
}

export function parseOpaParams(query: Record<string, unknown>, parseInput: (text: string) => unknown): OpaParams {
  const instrument = flag(query.instrument);
  const out: OpaParams = {
    pretty: flag(query.pretty),
    strict: flag(query['strict-builtin-errors']),
    provenance: flag(query.provenance),
    // OPA: instrumentation is reported in the metrics object, so ?instrument implies ?metrics
    metrics: flag(query.metrics) || instrument,
    instrument,
  };
  const explain = last(query.explain);
  if (query.explain !== undefined) {
    if (explain === undefined || !EXPLAIN.has(explain)) {
      throw invalidParameter('explain', `explain must be one of notes, fails, full, debug (got ${JSON.stringify(explain ?? '')})`);
    }
    if (explain !== 'off') out.explain = explain as ExplainMode;
  }
  if (query.input !== undefined) {
    const text = last(query.input);
    if (text === undefined) throw invalidParameter('input', 'input must be one URL-encoded JSON value');
    const t0 = performance.now();
    out.input = { value: parseInput(text) };
    out.inputParseNs = Math.round((performance.now() - t0) * 1e6);
  }
  return out;
}

export function invalidParameter(name: string, message: string): ApiError {
  const err = new ApiError(400, 'BAD_REQUEST', message, [{ path: name, message }]);
  err.opa = { code: 'invalid_parameter', errors: [{ code: 'invalid_parameter', message }] };
  return err;
}
