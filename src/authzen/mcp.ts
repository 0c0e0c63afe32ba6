// The COAZ-MCP mapping (AuthZEN profile for MCP tool authorization, draft 1) onto this service's
// tool-call question (schemas/tool-call-request.json, data.ai.tools.decision):
//
//   subject {type, id, properties}        → user {id, ...properties}   (the user the agent acts for)
//   action.name "tools/call"              → (selects the rule)
//   resource {type "tool", id, properties}→ tool {name: id, ...properties} (e.g. server)
//   context.agent                         → agent          (the agent's identity, required)
//   context.arguments                     → arguments      (the call's arguments, as the gateway
//                                                           mapped them: x-authzen-mapping or all)
//   context.session, context.signals      → session, signals
//
// A request without context.agent is still mapped: the tool-call policy denies it
// (INVALID_REQUEST), so a gateway that forgets the agent fails closed.
import type { EvaluationRequest } from './types.js';

function objectOr(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export function toolCallInput(req: EvaluationRequest): Record<string, unknown> {
  const ctx = req.context ?? {};
  // The entity's own id/name wins over a same-named property.
  const input: Record<string, unknown> = {
    user: { ...(req.subject.properties ?? {}), id: req.subject.id },
    tool: { ...(req.resource.properties ?? {}), name: req.resource.id },
  };
  if (ctx.agent !== undefined) input.agent = ctx.agent;
  for (const key of ['arguments', 'session', 'signals'] as const) {
    if (ctx[key] !== undefined) input[key] = ctx[key];
  }
  return input;
}

/** The other direction, for examples and tests: a tool-call request as the AuthZEN request a
 * COAZ-MCP gateway sends for it. */
export function toolCallToAuthzen(body: Record<string, unknown>): EvaluationRequest {
  const user = objectOr(body.user) ?? {};
  const tool = objectOr(body.tool) ?? {};
  const { id: userId, ...userProps } = user;
  const { name: toolName, ...toolProps } = tool;
  const context: Record<string, unknown> = {};
  for (const key of ['agent', 'arguments', 'session', 'signals'] as const) if (body[key] !== undefined) context[key] = body[key];
  return {
    subject: { type: 'user', id: typeof userId === 'string' ? userId : '', ...(Object.keys(userProps).length > 0 ? { properties: userProps } : {}) },
    action: { name: 'tools/call' },
    resource: { type: 'tool', id: typeof toolName === 'string' ? toolName : '', ...(Object.keys(toolProps).length > 0 ? { properties: toolProps } : {}) },
    context,
  };
}
