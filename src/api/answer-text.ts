// A decision answer's JSON written around text kept for the parts that repeat between answers:
// the policy (one object per policy path and bundle revisions), the decision's parts of a result
// the in-process cache hands out again (allow, reasons, obligations, exceptions_applied: the same
// objects on every hit), and the decision's parts when its three arrays are empty. Each kept text
// is cut from what the route's own serializer (fast-json-stringify, from the response schema)
// wrote for a probe answer, so the whole is the very text that serializer writes. Writing the
// policy's bundles and digests (each string checked for escapes) was a third of serializing an
// evaluated answer, escaping a hit's reasons most of serializing a hit (docs/benchmarks.md,
// sessions 22 and 31).
import type { DecisionAnswerBody } from '../decisions/types.js';
import { quoted } from '../shared/json-quote.js';

type Serialize = (body: DecisionAnswerBody) => string;
type Policy = DecisionAnswerBody['policy'];
type DecisionParts = Pick<DecisionAnswerBody, 'allow' | 'reasons' | 'obligations' | 'exceptions_applied'>;

interface KeptDecision {
  allow: boolean;
  obligations: object;
  exceptions: object;
  /** From "allow" to the end of "exceptions_applied"; null: not splittable. */
  text: string | null;
}

const HEAD = '{"decision_id":"",';
const TAIL = ',"cached":false}';
/** The policy of the probes that cut out the decision's parts, and what the serializer writes for it. */
const PROBE_POLICY: Policy = Object.freeze({ path: '', bundles: Object.freeze({}) });
const PROBE_POLICY_TAIL = ',"policy":{"path":"","bundles":{}}' + TAIL;

/** One route's answers of one status. */
export class AnswerWriter {
  private readonly policies = new WeakMap<Policy, string | null>();
  // Keyed by the reasons array: shared like the rest, and one entry per cached result.
  private readonly decisions = new WeakMap<object, KeptDecision>();
  /** The decision's parts with no reasons, obligations or exceptions, for allow false and true. */
  private readonly empty: [string | null | undefined, string | null | undefined] = [undefined, undefined];

  constructor(private readonly serialize: Serialize) {}

  /** The answer's JSON, equal to `serialize(body)`; undefined when the serializer's output cannot
   * be split into those parts (then serialize it whole). `shared`: the decision's parts are
   * objects handed out again (a cache hit). `plainIds`: the decision and trace ids need no
   * escaping (DecisionAnswer.plainIds). */
  text(body: DecisionAnswerBody, shared: boolean, plainIds = false): string | undefined {
    const decision = shared ? this.keptDecision(body) : this.decisionText(body);
    if (decision === null) return undefined;
    let policy = this.policies.get(body.policy);
    if (policy === undefined) this.policies.set(body.policy, (policy = this.policyText(body.policy)));
    if (policy === null) return undefined;
    const trace = body.trace_id === undefined ? '' : `,"trace_id":${quoted(body.trace_id, plainIds)}`;
    return `{"decision_id":${quoted(body.decision_id, plainIds)},${decision},${policy},"cached":${body.cached ? 'true' : 'false'}${trace}}`;
  }

  private keptDecision(body: DecisionAnswerBody): string | null {
    let k = this.decisions.get(body.reasons);
    if (k === undefined || k.allow !== body.allow || k.obligations !== body.obligations || k.exceptions !== body.exceptions_applied) {
      k = { allow: body.allow, obligations: body.obligations, exceptions: body.exceptions_applied, text: this.cutDecision(body) };
      this.decisions.set(body.reasons, k);
    }
    return k.text;
  }

  private decisionText(body: DecisionAnswerBody): string | null {
    if (body.reasons.length > 0 || body.obligations.length > 0 || body.exceptions_applied.length > 0) return this.cutDecision(body);
    return this.emptyDecision(body.allow);
  }

  private emptyDecision(allow: boolean): string | null {
    const i = allow ? 1 : 0;
    let text = this.empty[i];
    if (text === undefined) this.empty[i] = text = this.cutDecision({ allow, reasons: [], obligations: [], exceptions_applied: [] });
    return text;
  }

  /** "allow" to the end of "exceptions_applied", as the serializer writes them. */
  private cutDecision(parts: DecisionParts): string | null {
    const probe: DecisionAnswerBody = {
      decision_id: '',
      allow: parts.allow,
      reasons: parts.reasons,
      obligations: parts.obligations,
      exceptions_applied: parts.exceptions_applied,
      policy: PROBE_POLICY,
      cached: false,
    };
    const text = this.serialize(probe);
    if (!text.startsWith(HEAD) || !text.endsWith(PROBE_POLICY_TAIL) || text.length <= HEAD.length + PROBE_POLICY_TAIL.length) return null;
    return text.slice(HEAD.length, text.length - PROBE_POLICY_TAIL.length);
  }

  /** `"policy":{…}` as the serializer writes it. */
  private policyText(policy: Policy): string | null {
    const decision = this.emptyDecision(false);
    if (decision === null) return null;
    const head = `${HEAD}${decision},`;
    const text = this.serialize({ decision_id: '', allow: false, reasons: [], obligations: [], exceptions_applied: [], policy, cached: false });
    if (!text.startsWith(head) || !text.endsWith(TAIL) || !text.startsWith('"policy":', head.length)) return null;
    return text.slice(head.length, text.length - TAIL.length);
  }
}
