// A decision answer of the pipeline as an AuthZEN Decision: `decision` is the answer's allow, and
// the response `context` carries what a PEP needs to act on it:
//   decision_id        the audit record's id (GET /v1/decisions/{id})
//   reason_admin       {code: message} for every reason (the specification's suggested key)
//   reason_user        {code: user message} for reasons that give a `user_message`
//   obligations        as the policy returned them ({type, …}); a PEP that cannot fulfil one
//                      must not proceed (AuthZEN obligations profile draft)
//   exceptions_applied governance exceptions that turned a deny into an allow
// Empty parts are left out; the context itself is always present (it carries the decision id).
import type { DecisionAnswerBody, Reason } from '../decisions/types.js';
import type { AuthzenDecision } from './types.js';

export function toAuthzenDecision(body: DecisionAnswerBody): AuthzenDecision {
  const context: Record<string, unknown> = { decision_id: body.decision_id };
  if (body.reasons.length > 0) {
    context.reason_admin = reasonMap(body.reasons, (r) => (typeof r.message === 'string' ? r.message : r.code));
    const user = reasonMap(body.reasons, (r) => (typeof r.user_message === 'string' ? r.user_message : undefined));
    if (Object.keys(user).length > 0) context.reason_user = user;
  }
  if (body.obligations.length > 0) context.obligations = body.obligations;
  if (body.exceptions_applied.length > 0) context.exceptions_applied = body.exceptions_applied;
  return { decision: body.allow, context };
}

function reasonMap(reasons: readonly Reason[], text: (r: Reason) => string | undefined): Record<string, string> {
  // A null-prototype object: codes come from the policy, and "__proto__" must stay a plain key.
  const out = Object.create(null) as Record<string, string>;
  for (const r of reasons) {
    const t = text(r);
    if (t === undefined) continue;
    // Two reasons with one code: both messages, in order.
    out[r.code] = r.code in out ? `${out[r.code]}; ${t}` : t;
  }
  return out;
}
