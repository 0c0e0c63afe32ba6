// The AuthZEN operations over the decision pipeline: evaluation, evaluations (defaults, the three
// evaluations_semantic values, per-item errors) and the three searches. Every evaluation, also
// each item of a batch and each search candidate, is one pipeline decision: decision id, span,
// audit record, cache. Requests arrive schema-checked by the route.
import { ApiError, validationDetails } from '../api/errors.js';
import type { DecisionPipeline } from '../decisions/pipeline.js';
import type { DecisionQuery } from '../decisions/types.js';
import { toAuthzenDecision } from './answer.js';
import { PolicyMapping, policyInput } from './mapping.js';
import { PageTokens, type SearchTarget } from './page-token.js';
import { validateEvaluation, type EvaluationsSemantic } from './schemas.js';
import { candidateList, searchEntity, searchRequestFor, type Candidate, type Candidates } from './search.js';
import type { AuthzenDecision, EvaluationRequest } from './types.js';

/** Who asks, passed on to the pipeline unchanged (record, trace context). */
export type RequestMeta = Pick<DecisionQuery, 'headers' | 'remoteAddress' | 'remotePort' | 'caller'>;

export interface AuthzenLimits {
  maxEvaluations: number;
  maxCandidates: number;
}

type Json = Record<string, unknown>;

export interface SearchAnswer {
  page?: { next_token: string; count: number };
  context?: Json;
  results: Json[];
}

export class AuthzenService {
  constructor(
    private readonly pipeline: DecisionPipeline,
    private readonly mapping: PolicyMapping,
    private readonly tokens: PageTokens,
    private readonly limits: AuthzenLimits,
  ) {}

  /** One access evaluation; 503 (not a decision) only while no policy is active. */
  async evaluate(req: EvaluationRequest, meta: RequestMeta, sequential = false): Promise<AuthzenDecision> {
    const rule = this.mapping.resolve(req.resource.type, req.action.name);
    const answer = await this.pipeline.decide({
      kind: 'authzen',
      path: rule.decision,
      input: policyInput(req, rule.input),
      strict: false,
      ...meta,
      sequential,
    });
    if (answer.status === 503) throw noPolicy(answer.body.decision_id);
    return toAuthzenDecision(answer.body);
  }

  async evaluations(body: Json, meta: RequestMeta): Promise<AuthzenDecision | { evaluations: AuthzenDecision[] }> {
    const items = body.evaluations as Json[] | undefined;
    if (items === undefined || items.length === 0) {
      // Backwards compatible: the request is one evaluation.
      if (!validateEvaluation(body)) throw invalid(validationDetails(validateEvaluation.errors ?? []));
      return this.evaluate(body as unknown as EvaluationRequest, meta);
    }
    if (items.length > this.limits.maxEvaluations) {
      throw invalid([{ path: '/evaluations', message: `has ${items.length} items; at most ${this.limits.maxEvaluations} are evaluated in one request` }]);
    }
    const semantic = ((body.options as Json | undefined)?.evaluations_semantic ?? 'execute_all') as EvaluationsSemantic;
    if (semantic === 'execute_all') return { evaluations: await Promise.all(items.map((item, i) => this.item(merge(body, item), i, meta, false))) };
    // Short-circuit: in order, stopping after the first deny (or error) / the first permit.
    const out: AuthzenDecision[] = [];
    for (let i = 0; i < items.length; i++) {
      const d = await this.item(merge(body, items[i] as Json), i, meta, true);
      if (semantic === 'deny_on_first_deny' && !d.decision) {
        out.push({ decision: false, context: { ...d.context, code: '200', reason: 'deny_on_first_deny' } });
        break;
      }
      out.push(d);
      if (semantic === 'permit_on_first_permit' && d.decision) break;
    }
    return { evaluations: out };
  }

  /** One item of a batch: an item that is not a valid evaluation is a deny with its error. */
  private async item(merged: Json, index: number, meta: RequestMeta, sequential: boolean): Promise<AuthzenDecision> {
    if (!validateEvaluation(merged)) {
      const details = validationDetails(validateEvaluation.errors ?? []);
      const message = details.map((d) => `${d.path || '(evaluation)'} ${d.message}`).join('; ');
      return { decision: false, context: { error: { status: 400, message: `evaluations[${index}]: ${message}` } } };
    }
    return this.evaluate(merged as unknown as EvaluationRequest, meta, sequential);
  }

  /** A search: candidates named by the policy, each re-evaluated; only allowed ones returned. */
  async search(target: SearchTarget, body: Json, meta: RequestMeta): Promise<SearchAnswer> {
    const resource = body.resource as { type: string; id?: string };
    const action = body.action as { name: string } | undefined;
    const page = body.page as { token?: string; limit?: number } | undefined;
    const digest = PageTokens.requestDigest(target, body);
    let offset = 0;
    if (page?.token !== undefined && page.token !== '') {
      const checked = this.tokens.check(page.token, target, digest);
      if (!checked.ok) throw new ApiError(400, 'INVALID_PAGE_TOKEN', checked.reason, [{ path: '/page/token', message: checked.reason }]);
      offset = checked.offset;
    }

    const rule = this.mapping.resolve(resource.type, target === 'action' ? undefined : action?.name);
    const query = searchRequestFor(body);
    const doc = await this.pipeline.query({ kind: 'authzen', path: rule.candidates, input: query, strict: false, ...meta });
    if (!doc.ok && doc.code === 'NO_ACTIVE_POLICY') throw noPolicy(doc.decision_id);
    // No bundle owns the candidates path (e.g. the embedded policies have no data.authzen): there
    // are no candidates, so nothing is allowed. Any other failure is the service's (500).
    if (!doc.ok && !doc.message.includes('no_bundle_for_path')) {
      throw new ApiError(500, 'EVALUATION_ERROR', `search candidates at data.${dot(rule.candidates)} could not be evaluated`, [], doc.decision_id);
    }
    const all = candidateList(target, body, doc.ok && doc.defined ? (doc.result as Candidates) : undefined);
    const truncated = all.length > this.limits.maxCandidates;
    const candidates = truncated ? all.slice(0, this.limits.maxCandidates) : all;

    // limit 0 is read as "no limit": a page of zero results could never make progress.
    const limit = page?.limit === 0 ? undefined : page?.limit;
    const results: Json[] = [];
    let next = '';
    for (let i = offset; i < candidates.length; i++) {
      const entity = searchEntity(target, body, candidates[i] as Candidate);
      const d = await this.evaluate(entity.request, meta, true);
      if (!d.decision) continue;
      if (limit !== undefined && results.length >= limit) {
        // One more allowed result exists: the next page starts here.
        next = this.tokens.issue(target, digest, i);
        break;
      }
      results.push(entity.result);
    }
    // `page` first, as the specification recommends (a PEP can show progress from count).
    const answer: SearchAnswer = page !== undefined || next !== '' ? { page: { next_token: next, count: results.length }, results } : { results };
    if (truncated) answer.context = { candidates_truncated: true, max_candidates: this.limits.maxCandidates };
    return answer;
  }
}

/** Whole-entity defaults: an item's subject/action/resource/context replaces the top-level one. */
function merge(top: Json, item: Json): Json {
  const out: Json = {};
  for (const key of ['subject', 'action', 'resource', 'context'] as const) {
    const v = item[key] !== undefined ? item[key] : top[key];
    if (v !== undefined) out[key] = v;
  }
  return out;
}

function invalid(details: { path: string; message: string }[]): ApiError {
  return new ApiError(400, 'INVALID_REQUEST', 'request does not match the AuthZEN schema', details);
}

function noPolicy(decisionId: string): ApiError {
  return new ApiError(503, 'NO_ACTIVE_POLICY', 'no policy bundle is active yet; the service cannot decide', [], decisionId);
}

function dot(path: string): string {
  return path.split('/').filter(Boolean).join('.');
}
