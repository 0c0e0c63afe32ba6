// The Data API's answer parts in OPA's shapes, shared by the Data API (routes/data.ts) and the
// batch API (routes/opa-batch.ts): an evaluation's failure as OPA's error, OPA's provenance, and
// a document written as OPA writes it.
import type { FastifyReply } from 'fastify';
import stableStringify from 'safe-stable-stringify';
import type { DataAnswer } from '../../decisions/types.js';
import { buildInfo } from '../../shared/build-info.js';
import { describeThrown } from '../../shared/errors.js';
import { packageVersion } from '../../shared/package-root.js';
import { ApiError, type OpaErrorDetail } from '../errors.js';

// Documents are arbitrary: bigints (integers past 2^53) are written exactly, keys sorted like OPA.
const stringify = stableStringify.configure({ bigint: true, deterministic: true, circularValue: TypeError });

/** An evaluation that gave no answer, as the Data API's error (503 without a policy, else 500). */
export function failure(answer: Extract<DataAnswer, { ok: false }>): ApiError {
  // NO_ACTIVE_POLICY: cannot answer at all (503). EVALUATION_ERROR: OPA answers 500 with
  // internal_error and the engine's error (code, message) in "errors".
  const status = answer.code === 'NO_ACTIVE_POLICY' ? 503 : 500;
  // OPA's message for an evaluation error is fixed; what went wrong is in errors[].
  const message = answer.code === 'EVALUATION_ERROR' ? 'error(s) occurred while evaluating query' : answer.message;
  const err = new ApiError(status, answer.code, message, [], answer.decision_id);
  err.opa = {
    code: 'internal_error',
    errors: [answer.code === 'EVALUATION_ERROR' ? engineError(answer.message) : { code: 'internal_error', message: answer.message }],
  };
  return err;
}

/** "<code>: [<file>:<row>:<col>: ][<code>: ]<message>" (the pipeline's message for an engine
 * error) → OPA's {code, message, location}: the code once, the message as the engine gave it. */
function engineError(message: string): OpaErrorDetail {
  const m = /^([a-z_]+): (?:(.+?):(\d+):(\d+): )?(?:\1: )?(.*)$/s.exec(message);
  if (!m) return { code: 'internal_error', message };
  const [, code = 'internal_error', file, row, col, text = message] = m;
  return { code, message: text, ...(file !== undefined ? { location: { file, row: Number(row), col: Number(col) } } : {}) };
}

/** OPA's ProvenanceV1: the four build fields always (OPA has no omitempty on them; "" when this
 * build has no stamp, as an unstamped OPA build), bundles only when some answered. */
export function provenance(revisions: Readonly<Record<string, string>> | undefined): Record<string, unknown> {
  const bundles = Object.entries(revisions ?? {});
  return {
    version: packageVersion,
    build_commit: buildInfo.build_commit,
    build_timestamp: buildInfo.build_timestamp,
    build_hostname: buildInfo.build_hostname,
    ...(bundles.length > 0 ? { bundles: Object.fromEntries(bundles.map(([name, revision]) => [name, { revision }])) } : {}),
  };
}

/** The body as OPA writes JSON (keys sorted, integers exact; indented for ?pretty); `decisionId`
 * names the decision, if any, in the error when it cannot be written. */
export function writeDocument(reply: FastifyReply, body: unknown, pretty: boolean, decisionId?: string, status = 200): FastifyReply {
  let text: string | undefined;
  try {
    text = stringify(body, null, pretty ? 2 : undefined);
  } catch (err) {
    const e = new ApiError(500, 'RESULT_NOT_SERIALIZABLE', `the result cannot be written as JSON: ${describeThrown(err)}`, [], decisionId);
    e.opa = { code: 'internal_error' };
    throw e;
  }
  // Serialized here rather than by the response schema: documents are arbitrary JSON. Gzipped here
  // too when the client takes it (routes with config.gzipInHandler have no gzip hook).
  return reply.server.responseGzip.send(reply.code(status).type('application/json; charset=utf-8'), text ?? 'null');
}
