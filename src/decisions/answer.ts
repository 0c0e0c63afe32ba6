// Turns an evaluation into the allow/deny part of a decision answer. Fail closed: only a
// well-formed decision document (schemas/decision-document.json) can allow; everything else is
// a deny with a reason code saying why.
import type { ErrorObject } from 'ajv';
import { validatorFor } from '../shared/schemas.js';
import { jsonSafetyProblem } from './json-safe.js';
import { ReasonCode } from './reasons.js';
import type { DecisionOutcomeKind, ExceptionApplied, Obligation, Reason } from './types.js';

/** What evaluation produced, from the engine or the cache. */
export type Evaluation =
  { kind: 'defined'; result: unknown } | { kind: 'undefined' } | { kind: 'error'; code: string; message: string } | { kind: 'no_policy' };

export interface ShapedDecision {
  status: 200 | 503;
  outcome: DecisionOutcomeKind;
  allow: boolean;
  reasons: Reason[];
  obligations: Obligation[];
  exceptions_applied: ExceptionApplied[];
  error?: { code: string; message: string };
  /** This object is handed out again for later hits on the same cached result (memoized):
   * text derived from its parts may be kept for them. */
  shared?: true;
}

const validateDocument = validatorFor('decision-document.json');
// Decision documents are small; deeper nesting means something is wrong with the policy.
const MAX_DOCUMENT_DEPTH = 32;

interface DecisionDocument {
  allow: boolean;
  reasons?: Reason[];
  obligations?: Obligation[];
  exceptions_applied?: ExceptionApplied[];
}

/**
 * @param shared the result object is one the in-process cache hands out again on later hits:
 *   its shaped answer is memoized. Fresh results (evaluated, or parsed from Redis) are not — a
 *   per-request weak-map entry costs the garbage collector more than shaping costs.
 */
export function shapeDecision(ev: Evaluation, path: string, shared = false): ShapedDecision {
  switch (ev.kind) {
    case 'no_policy':
      return deny(503, 'no_policy', ReasonCode.NO_ACTIVE_POLICY, 'no policy bundle is active yet; the service cannot decide');
    case 'undefined':
      return deny(200, 'undefined', ReasonCode.POLICY_UNDEFINED, `policy produced no decision at data.${dotPath(path)}`);
    case 'error': {
      const shaped = deny(200, 'error', ReasonCode.EVALUATION_ERROR, `${ev.code}: ${ev.message}`);
      return { ...shaped, error: { code: ev.code, message: ev.message } };
    }
    case 'defined': {
      // A cached result is the same object on every hit: shape it once. (Shaped answers are
      // shared between responses and must never be modified — nothing downstream does.)
      const result = ev.result;
      if (!shared || typeof result !== 'object' || result === null) return shapeDocument(result, path);
      const memo = shapedResults.get(result);
      if (memo && memo.path === path) return memo.shaped;
      const shaped: ShapedDecision = { ...shapeDocument(result, path), shared: true };
      shapedResults.set(result, { path, shaped });
      return shaped;
    }
  }
}

const shapedResults = new WeakMap<object, { path: string; shaped: ShapedDecision }>();

function shapeDocument(result: unknown, path: string): ShapedDecision {
  const problem = jsonSafetyProblem(result, MAX_DOCUMENT_DEPTH);
  if (problem !== undefined) return malformed(path, problem);
  if (!validateDocument(result)) return malformed(path, describe(validateDocument.errors ?? []));
  const doc = result as DecisionDocument;
  return {
    status: 200,
    outcome: 'decided',
    allow: doc.allow,
    reasons: doc.reasons ?? [],
    obligations: doc.obligations ?? [],
    exceptions_applied: doc.exceptions_applied ?? [],
  };
}

function deny(status: 200 | 503, outcome: DecisionOutcomeKind, code: string, message: string): ShapedDecision {
  return { status, outcome, allow: false, reasons: [{ code, message }], obligations: [], exceptions_applied: [] };
}

function malformed(path: string, why: string): ShapedDecision {
  const shaped = deny(200, 'malformed', ReasonCode.MALFORMED_DECISION, `result at data.${dotPath(path)} is not a decision document: ${why}`);
  return { ...shaped, error: { code: ReasonCode.MALFORMED_DECISION, message: why } };
}

function describe(errors: ErrorObject[]): string {
  return errors
    .slice(0, 5)
    .map((e) => `${e.instancePath || '(document)'} ${e.message ?? 'is invalid'}`)
    .join('; ');
}

function dotPath(path: string): string {
  return path.split('/').filter(Boolean).join('.');
}
