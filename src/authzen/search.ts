// Search candidates and the evaluation request each one stands for. The policy names the
// candidates (a document at the rule's `candidates` path, evaluated with the search request as
// input), shaped
//   { "subject":  { "<subject type>":  ["id", …] },
//     "resource": { "<resource type>": ["id", …] },
//     "action":   { "<resource type>": ["name", …] } }
// and the service keeps only those whose evaluation allows: a result is never guessed.
// An action search on resource type "tool" without a resource id lists the callable tools: every
// candidate tool × every candidate action, each result {name, properties: {tool}}.
import type { SearchTarget } from './page-token.js';
import type { EvaluationRequest } from './types.js';

type Json = Record<string, unknown>;

export type Candidates = Partial<Record<SearchTarget, Record<string, unknown>>> | null | undefined;

export interface Candidate {
  /** The searched entity's id (subject/resource) or the action name. */
  id: string;
  /** Properties the policy gave the candidate (e.g. a tool's server), merged into the entity. */
  properties?: Record<string, unknown>;
  /** For the tool listing: the tool the action is on. */
  tool?: Candidate;
}

const MAX_ID_LENGTH = 1024;

/** The search request as the candidates policy sees it (entities only, no paging). */
export function searchRequestFor(body: Json): Json {
  const out: Json = {};
  for (const key of ['subject', 'action', 'resource', 'context'] as const) if (body[key] !== undefined) out[key] = body[key];
  return out;
}

/** A candidate is an id, or {id, properties} when the evaluation needs more than the id. */
function entriesOf(doc: Candidates, target: SearchTarget, type: string): Candidate[] {
  if (typeof doc !== 'object' || doc === null) return [];
  const byType = doc[target];
  if (typeof byType !== 'object' || byType === null || Array.isArray(byType) || !Object.hasOwn(byType, type)) return [];
  const list = byType[type];
  if (!Array.isArray(list)) return [];
  const seen = new Map<string, Candidate>();
  for (const v of list) {
    const c = candidateOf(v);
    if (c && !seen.has(c.id)) seen.set(c.id, c);
  }
  return [...seen.values()];
}

function candidateOf(v: unknown): Candidate | undefined {
  const ok = (id: unknown): id is string => typeof id === 'string' && id !== '' && id.length <= MAX_ID_LENGTH;
  if (ok(v)) return { id: v };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const { id, properties } = v as { id?: unknown; properties?: unknown };
  if (!ok(id)) return undefined;
  if (typeof properties === 'object' && properties !== null && !Array.isArray(properties)) return { id, properties: properties as Record<string, unknown> };
  return { id };
}

export function isToolListing(target: SearchTarget, body: Json): boolean {
  const resource = body.resource as { type: string; id?: unknown };
  return target === 'action' && resource.type === 'tool' && (resource.id === undefined || resource.id === '');
}

export function candidateList(target: SearchTarget, body: Json, doc: Candidates): Candidate[] {
  const resourceType = (body.resource as { type: string }).type;
  if (isToolListing(target, body)) {
    const actions = entriesOf(doc, 'action', resourceType);
    return entriesOf(doc, 'resource', resourceType).flatMap((tool) => actions.map((a) => ({ id: a.id, tool })));
  }
  const type = target === 'subject' ? (body.subject as { type: string }).type : resourceType;
  return entriesOf(doc, target, type);
}

function withCandidate<E extends { properties?: Record<string, unknown> }>(entity: E, c: Candidate): E & { id: string } {
  const properties = c.properties ? { ...(entity.properties ?? {}), ...c.properties } : entity.properties;
  return { ...entity, id: c.id, ...(properties !== undefined ? { properties } : {}) };
}

/** A result entity carries the properties the candidate was evaluated with, so that sending it
 * back in an evaluation gives the same allow. */
function resultOf(type: string, c: Candidate): Json {
  return c.properties ? { type, id: c.id, properties: c.properties } : { type, id: c.id };
}

/** The evaluation a candidate stands for, and the result entity it becomes when allowed. */
export function searchEntity(target: SearchTarget, body: Json, c: Candidate): { request: EvaluationRequest; result: Json } {
  const base = body as unknown as EvaluationRequest;
  const ctx = body.context !== undefined ? { context: body.context as Json } : {};
  switch (target) {
    case 'subject':
      return {
        request: { ...ctx, subject: withCandidate(base.subject, c), action: base.action, resource: base.resource },
        result: resultOf(base.subject.type, c),
      };
    case 'resource':
      return {
        request: { ...ctx, subject: base.subject, action: base.action, resource: withCandidate(base.resource, c) },
        result: resultOf(base.resource.type, c),
      };
    case 'action':
      if (c.tool !== undefined) {
        return {
          request: { ...ctx, subject: base.subject, action: { name: c.id }, resource: withCandidate(base.resource, c.tool) },
          result: { name: c.id, properties: { tool: c.tool.id } },
        };
      }
      return { request: { ...ctx, subject: base.subject, action: { name: c.id }, resource: base.resource }, result: { name: c.id } };
  }
}
