// The scope vocabulary and the route table: which scope each route needs. This is the simple,
// static authorization (auth.authorization = "scopes"); auth/policy.ts is the OPA-style one.
//
//   decide:tool-call          POST /v1/decisions/tool-call
//   decide:model-deployment   POST /v1/decisions/model-deployment
//   data:read:<path>          GET/POST /v1/data/<path…> (and POST /v1/batch/data/<path…>) for paths at or under <path> ("ai/tools"
//                             grants ai/tools and ai/tools/…, not ai/toolsX); data:read:* = all,
//                             including the whole document at /v1/data
//   decisions:read            GET /v1/decisions/{id} (the audit role)
//   status:read               GET /v1/status (OPA's status report), /v1/pdp/status (this service's view)
//   query:adhoc               GET/POST /v1/query (OPA's Query API: an arbitrary Rego query over all
//                             of data, so never implied by a data:read scope)
//   policies:read             GET /v1/policies, /v1/policies/{id} (policy source and AST)
//   POST / (the default decision) needs data:read for opa.default_decision's path.
//   metrics:read              GET /metrics
//   config:read               GET /v1/config (OPA's shape), /v1/pdp/config (this service's own)
//   decide:authzen            POST /access/v1/evaluation, /access/v1/evaluations (AuthZEN PEPs)
//   search:authzen            POST /access/v1/search/{subject,resource,action} (lists what is
//                             allowed: more than a yes/no, so its own scope)
//   assert:on-behalf-of       may name the user it acts for in the on-behalf-of header (a gateway);
//                             grants no route by itself
//
// Authenticated, no scope: the writes OPA has and this service refuses (PUT/PATCH/DELETE
// /v1/data, PUT/DELETE /v1/policies): every caller gets the same clear refusal.
// Open to everyone: /health, /health/live, /health/ready, /health/{path} (OPA's probes), /ready, /openapi.json (the API's own description, the
// same as the repository's schemas/) and /.well-known/authzen-configuration (the AuthZEN
// endpoints' addresses, which PEPs read before they authenticate). A registered route that is in no table and declares no
// `config.scope` is refused to every caller: a new route is closed until someone decides.

export const SCOPE = Object.freeze({
  decideToolCall: 'decide:tool-call',
  decideModelDeployment: 'decide:model-deployment',
  decisionsRead: 'decisions:read',
  statusRead: 'status:read',
  metricsRead: 'metrics:read',
  configRead: 'config:read',
  assertOnBehalfOf: 'assert:on-behalf-of',
  decideAuthzen: 'decide:authzen',
  searchAuthzen: 'search:authzen',
  queryAdhoc: 'query:adhoc',
  policiesRead: 'policies:read',
});

export const DATA_READ = 'data:read:';
const FIXED = new Set<string>(Object.values(SCOPE));
const DATA_PATH = /^[^\s/]+(\/[^\s/]+)*$/;

/** Why a configured scope is not one (a typo would otherwise silently grant nothing). */
export function invalidScope(scope: string): string | undefined {
  if (FIXED.has(scope)) return undefined;
  if (scope.startsWith(DATA_READ)) {
    const p = scope.slice(DATA_READ.length);
    if (p === '*' || DATA_PATH.test(p)) return undefined;
    return `${JSON.stringify(scope)}: data:read: takes * or a slash-separated document path without leading or trailing slash, e.g. data:read:ai/tools`;
  }
  return `unknown scope ${JSON.stringify(scope)} (known: ${[...FIXED].join(', ')}, data:read:<path>)`;
}

/** What a caller may do, made once per credential (an API key, a token, a certificate). */
export interface Grants {
  /** Authentication is off: everything is allowed. */
  readonly all: boolean;
  readonly scopes: readonly string[];
  has(scope: string): boolean;
  /** May read the data document at these path segments (already split, no empty segments). */
  mayReadData(segments: readonly string[]): boolean;
}

class ScopeGrants implements Grants {
  readonly all = false;
  readonly scopes: readonly string[];
  private readonly set: ReadonlySet<string>;
  private readonly allData: boolean;
  private readonly prefixes: readonly (readonly string[])[];

  constructor(scopes: readonly string[]) {
    this.scopes = Object.freeze([...new Set(scopes)]);
    this.set = new Set(this.scopes);
    const prefixes: string[][] = [];
    let allData = false;
    for (const s of this.scopes) {
      if (!s.startsWith(DATA_READ)) continue;
      const p = s.slice(DATA_READ.length);
      if (p === '*') allData = true;
      // Token scopes are not validated at load: a malformed data scope simply grants nothing.
      else if (DATA_PATH.test(p)) prefixes.push(p.split('/'));
    }
    this.allData = allData;
    this.prefixes = prefixes;
  }

  has(scope: string): boolean {
    return this.set.has(scope);
  }

  mayReadData(segments: readonly string[]): boolean {
    if (this.allData) return true;
    for (const prefix of this.prefixes) {
      if (prefix.length > segments.length) continue;
      let ok = true;
      for (let i = 0; i < prefix.length; i++) {
        if (prefix[i] !== segments[i]) {
          ok = false;
          break;
        }
      }
      if (ok) return true;
    }
    return false;
  }
}

export function grantsOf(scopes: readonly string[]): Grants {
  return new ScopeGrants(scopes);
}

/** Authentication off: every scope (the embedded loopback default, or auth.mode none). */
export const ALL_GRANTS: Grants = Object.freeze({
  all: true,
  scopes: Object.freeze(['*']),
  has: () => true,
  mayReadData: () => true,
});

/** What a route asks of its caller. */
export type RouteRule =
  | { readonly kind: 'open' }
  | { readonly kind: 'scope'; readonly scope: string }
  | { readonly kind: 'data' }
  /** No route matched: authenticate, then let the 404/405 answer. */
  | { readonly kind: 'unmatched' }
  /** A route nobody gave a scope: closed to everyone. */
  | { readonly kind: 'unlisted' };

const OPEN: RouteRule = Object.freeze({ kind: 'open' });
const DATA: RouteRule = Object.freeze({ kind: 'data' });
const UNMATCHED: RouteRule = Object.freeze({ kind: 'unmatched' });
const UNLISTED: RouteRule = Object.freeze({ kind: 'unlisted' });
const scope = (s: string): RouteRule => Object.freeze({ kind: 'scope', scope: s });

/** By fastify route url (the pattern, not the request path). */
const ROUTES: ReadonlyMap<string, RouteRule> = new Map([
  ['/health', OPEN],
  ['/health/*', OPEN],
  ['/', DATA],
  ['/v0/data/*', DATA],
  ['/v1/batch/data', DATA],
  ['/v1/batch/data/*', DATA],
  ['/v1/query', scope(SCOPE.queryAdhoc)],
  ['/v1/policies', scope(SCOPE.policiesRead)],
  ['/v1/policies/*', scope(SCOPE.policiesRead)],
  ['/v1/pdp/status', scope(SCOPE.statusRead)],
  ['/v1/pdp/config', scope(SCOPE.configRead)],
  ['/ready', OPEN],
  ['/openapi.json', OPEN],
  ['/v1/decisions/tool-call', scope(SCOPE.decideToolCall)],
  ['/v1/decisions/model-deployment', scope(SCOPE.decideModelDeployment)],
  ['/v1/decisions/:id', scope(SCOPE.decisionsRead)],
  ['/v1/data', DATA],
  ['/v1/data/*', DATA],
  ['/v1/status', scope(SCOPE.statusRead)],
  ['/metrics', scope(SCOPE.metricsRead)],
  ['/v1/config', scope(SCOPE.configRead)],
  ['/.well-known/authzen-configuration', OPEN],
  ['/access/v1/evaluation', scope(SCOPE.decideAuthzen)],
  ['/access/v1/evaluations', scope(SCOPE.decideAuthzen)],
  ['/access/v1/search/subject', scope(SCOPE.searchAuthzen)],
  ['/access/v1/search/resource', scope(SCOPE.searchAuthzen)],
  ['/access/v1/search/action', scope(SCOPE.searchAuthzen)],
]);

const declared = new Map<string, RouteRule>();

/** The rule of a route: the table above, else the scope the route declares in its `config.scope`
 * (how a plugin's own routes take part), else closed. */
export function ruleFor(url: string | undefined, config: { scope?: unknown } | undefined): RouteRule {
  if (url === undefined) return UNMATCHED;
  const rule = ROUTES.get(url);
  if (rule) return rule;
  const s = config?.scope;
  if (typeof s === 'string' && s !== '') {
    let r = declared.get(s);
    if (!r) declared.set(s, (r = scope(s)));
    return r;
  }
  return UNLISTED;
}

/** The Data API path the request names, split like the data route splits it. */
export function dataSegments(params: unknown): string[] {
  const p = (params as Record<string, string | undefined> | undefined)?.['*'] ?? '';
  return p.split('/').filter((s) => s !== '');
}

/** The scope missing for this rule, or undefined when granted. */
export function missingScope(rule: RouteRule, grants: Grants, params: unknown): string | undefined {
  if (grants.all) return undefined;
  switch (rule.kind) {
    case 'open':
    case 'unmatched':
      return undefined;
    case 'scope':
      return grants.has(rule.scope) ? undefined : rule.scope;
    case 'data': {
      const segments = dataSegments(params);
      return grants.mayReadData(segments) ? undefined : `${DATA_READ}${segments.length === 0 ? '*' : segments.join('/')}`;
    }
    case 'unlisted':
      return '(no scope grants this route)';
  }
}
