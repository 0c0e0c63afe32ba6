// A decision answer's JSON when it comes from a cached result the in-process cache hands out
// again: every part but decision_id, cached and trace_id is the same objects on every such hit,
// so their text is written once — by the route's own serializer, so it is the very text that
// serializer writes — and the rest is put around it. Escaping the reasons' messages on every hit
// was most of what serializing a hit cost (docs/benchmarks.md, session 22).
import type { DecisionAnswerBody } from '../decisions/types.js';
import { quoted } from '../shared/json-quote.js';

type Serialize = (body: DecisionAnswerBody) => string;

interface Kept {
  allow: boolean;
  obligations: object;
  exceptions: object;
  policy: object;
  /** From "allow" to the end of "policy" (no leading or trailing comma); null: not splittable. */
  middle: string | null;
}

// Keyed by the reasons array: shared like the rest, and one entry per cached result.
const kept = new WeakMap<object, Kept>();

const HEAD = '{"decision_id":"",';
const TAIL = ',"cached":false}';

/** The answer's JSON, equal to `serialize(body)`, written around text kept for its shared parts;
 * undefined when the serializer's output cannot be split that way (then serialize it whole). */
export function sharedAnswerText(body: DecisionAnswerBody, serialize: Serialize): string | undefined {
  let k = kept.get(body.reasons);
  if (k === undefined || k.allow !== body.allow || k.obligations !== body.obligations || k.exceptions !== body.exceptions_applied || k.policy !== body.policy) {
    k = { allow: body.allow, obligations: body.obligations, exceptions: body.exceptions_applied, policy: body.policy, middle: middleOf(body, serialize) };
    kept.set(body.reasons, k);
  }
  if (k.middle === null) return undefined;
  const trace = body.trace_id === undefined ? '' : `,"trace_id":${quoted(body.trace_id)}`;
  return `{"decision_id":${quoted(body.decision_id)},${k.middle},"cached":${body.cached ? 'true' : 'false'}${trace}}`;
}

function middleOf(body: DecisionAnswerBody, serialize: Serialize): string | null {
  const probe: DecisionAnswerBody = {
    decision_id: '',
    allow: body.allow,
    reasons: body.reasons,
    obligations: body.obligations,
    exceptions_applied: body.exceptions_applied,
    policy: body.policy,
    cached: false,
  };
  const text = serialize(probe);
  if (!text.startsWith(HEAD) || !text.endsWith(TAIL) || text.length <= HEAD.length + TAIL.length) return null;
  return text.slice(HEAD.length, text.length - TAIL.length);
}
