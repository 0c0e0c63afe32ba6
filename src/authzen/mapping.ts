// Which policy answers an AuthZEN request (config authzen.rules, by resource.type / action.name,
// else the default decision document) and the policy input made from the request.
import { deepFreeze, isDeeplyFrozen } from '../shared/deep-freeze.js';
import { toolCallInput } from './mcp.js';
import type { EvaluationRequest, MappingRule, ResolvedRule } from './types.js';

export interface MappingConfig {
  decision: string;
  candidates: string;
  rules: readonly MappingRule[];
}

export class PolicyMapping {
  private readonly fallback: ResolvedRule;
  private readonly rules: readonly { rule: MappingRule; resolved: ResolvedRule }[];

  constructor(cfg: MappingConfig) {
    this.fallback = Object.freeze({ decision: trim(cfg.decision), input: 'authzen', candidates: trim(cfg.candidates) });
    this.rules = cfg.rules.map((rule) => ({
      rule,
      resolved: Object.freeze({ decision: trim(rule.decision), input: rule.input ?? 'authzen', candidates: trim(rule.candidates ?? cfg.candidates) }),
    }));
  }

  /** The rule for a request; `actionName` undefined (an action search) matches on resource type only. */
  resolve(resourceType: string, actionName: string | undefined): ResolvedRule {
    for (const { rule, resolved } of this.rules) {
      if (rule.resource_type !== undefined && rule.resource_type !== resourceType) continue;
      if (actionName !== undefined && rule.action_name !== undefined && rule.action_name !== actionName) continue;
      return resolved;
    }
    return this.fallback;
  }
}

/** Inputs made from deeply frozen requests (a repeated body's shared parse: src/api/repeated-bodies.ts),
 * frozen too: made once per mapping, so that the decision cache keeps their key with them. */
const inputsOfFrozen = new WeakMap<object, { mapping: ResolvedRule['input']; input: unknown }>();

/** The policy input: the request's four entities as sent (unknown top-level fields are not
 * passed on, so they neither reach the policy nor split the cache), or the tool-call input. */
export function policyInput(req: EvaluationRequest, mapping: ResolvedRule['input']): unknown {
  if (!isDeeplyFrozen(req)) return inputOf(req, mapping);
  const known = inputsOfFrozen.get(req);
  if (known?.mapping === mapping) return known.input;
  const input = deepFreeze(inputOf(req, mapping));
  inputsOfFrozen.set(req, { mapping, input });
  return input;
}

function inputOf(req: EvaluationRequest, mapping: ResolvedRule['input']): unknown {
  if (mapping === 'mcp-tool-call') return toolCallInput(req);
  const input: Record<string, unknown> = { subject: req.subject, resource: req.resource, action: req.action };
  if (req.context !== undefined) input.context = req.context;
  return input;
}

function trim(path: string): string {
  return path.replace(/^\/+|\/+$/g, '');
}
