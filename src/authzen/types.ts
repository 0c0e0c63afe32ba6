// The AuthZEN 1.0 information model (subject, resource, action, context, decision) and the
// service's mapping configuration, as TypeScript types. Shapes follow the specification's JSON.

export interface Subject {
  type: string;
  id: string;
  properties?: Record<string, unknown>;
}
export interface Resource {
  type: string;
  id: string;
  properties?: Record<string, unknown>;
}
export interface Action {
  name: string;
  properties?: Record<string, unknown>;
}
export type Context = Record<string, unknown>;

/** One access evaluation request (schema-checked before it gets here). */
export interface EvaluationRequest {
  subject: Subject;
  resource: Resource;
  action: Action;
  context?: Context;
}

/** A Decision of the information model. */
export interface AuthzenDecision {
  decision: boolean;
  context?: Record<string, unknown>;
}

/** How the AuthZEN request becomes the policy input. */
export type InputMapping = 'authzen' | 'mcp-tool-call';

/** One mapping rule (config authzen.rules): the first rule whose set fields match decides. */
export interface MappingRule {
  resource_type?: string;
  action_name?: string;
  /** Decision document path under data, slash-separated (e.g. "ai/tools/decision"). */
  decision: string;
  input?: InputMapping;
  /** Document path naming the search candidates for requests this rule matches. */
  candidates?: string;
}

/** What a request resolved to: which document decides, and how its input is made. */
export interface ResolvedRule {
  decision: string;
  input: InputMapping;
  candidates: string;
}
