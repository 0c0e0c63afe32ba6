// Capability: caller authentication and authorization. Every request but the open ones (/health,
// /ready, /openapi.json) is authenticated in an onRequest hook — before its body is read — by an
// API key, a JWT or a client certificate (src/auth/authenticator.ts), and then authorized: by the
// static scope table (src/auth/scopes.ts) in the same hook, or, with authorization "policy", by the
// bundle's authorization rule once the body is parsed (src/auth/policy.ts). A refusal is the one
// error shape (401 with WWW-Authenticate, 403, or 503 when the caller cannot be verified now),
// logged without the credential, counted in pdp_auth_failures_total{reason}, and never a decision.
// Decorates `auth` (the Authenticator) and `request.caller` (the verified identity, null when
// authentication is off), which the decision routes hand to the pipeline for the audit record.
// With nothing configured on a loopback host — or auth.mode none — authentication is off and the
// plugin adds no per-request work (it says so at start).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Authenticator, type AuthResult } from '../auth/authenticator.js';
import { AuthFailure } from '../auth/failures.js';
import type { AuthIdentity } from '../auth/identity.js';
import { isLoopbackHost } from '../auth/loopback.js';
import { authzInput, decideByPolicy } from '../auth/policy.js';
import { missingScope, ruleFor, type RouteRule } from '../auth/scopes.js';
import type { AuthConfig, EvaluationConfig, ServerConfig } from '../config/types.js';
import { isPromise } from '../shared/is-promise.js';
import { peerOf } from '../api/peer.js';

declare module 'fastify' {
  interface FastifyInstance {
    auth: Authenticator;
  }
  interface FastifyRequest {
    /** The verified caller; null when authentication is off (and on the open routes). */
    caller: AuthIdentity | null;
  }
  interface FastifyContextConfig {
    /** The scope a plugin's own route needs (src/auth/scopes.ts); without it, and outside that
     * table, a route is closed to every caller. */
    scope?: string;
    /** A route that answers one fixed data document (POST /, the default decision): the
     * data:read scope is checked against this path instead of the URL. */
    dataPath?: string;
  }
}

export interface AuthPluginOptions {
  config: AuthConfig;
  server: ServerConfig;
  evaluation: EvaluationConfig;
}

type Done = (err?: Error) => void;

const UNVERIFIABLE = new AuthFailure('jwks_unavailable', 'the caller cannot be verified right now');

async function authPlugin(app: FastifyInstance, opts: AuthPluginOptions): Promise<void> {
  const cfg = opts.config;
  const authn = new Authenticator(cfg, opts.server.tls);
  app.decorate('auth', authn);
  app.decorateRequest('caller', null);
  const metrics = app.hasDecorator('metrics') ? app.metrics : undefined;
  const byPolicy = cfg.authorization === 'policy';

  const refuse = (request: FastifyRequest, failure: AuthFailure, done: Done): void => {
    metrics?.authFailed(failure.reason);
    // The route pattern, not the raw path; never a header, never the credential.
    const fields = {
      reason: failure.reason,
      method: request.method,
      route: request.routeOptions.url ?? '(no route)',
      peer: peerOf(request).remoteAddress,
      ...(request.caller ? { caller: request.caller.id, auth: request.caller.method } : {}),
    };
    if (failure.status === 401) request.log.info(fields, 'request refused: caller not authenticated');
    else if (failure.status === 403) request.log.warn(fields, 'request refused: caller not authorized');
    else request.log.warn(fields, 'request refused: caller cannot be verified right now');
    done(failure.toApiError());
  };

  const admit = (request: FastifyRequest, rule: RouteRule, result: AuthResult, done: Done): void => {
    if (result instanceof AuthFailure) return refuse(request, result, done);
    request.caller = result;
    if (!byPolicy) {
      const fixed = request.routeOptions.config?.dataPath;
      const missing = missingScope(rule, result.grants, fixed !== undefined ? { '*': fixed } : request.params);
      if (missing !== undefined) return refuse(request, new AuthFailure('insufficient_scope', `caller ${result.id} lacks scope ${missing}`, missing), done);
    }
    done();
  };

  if (authn.enabled) {
    // A callback hook: it runs on every request (see src/api/http.ts).
    app.addHook('onRequest', (request: FastifyRequest, _reply: FastifyReply, done: Done) => {
      const rule = ruleFor(request.routeOptions.url, request.routeOptions.config);
      if (rule.kind === 'open') return done();
      let result: AuthResult | Promise<AuthResult>;
      try {
        result = authn.authenticate(request.raw);
      } catch {
        // A bug in a verifier is still a refusal, never a pass.
        return refuse(request, UNVERIFIABLE, done);
      }
      if (isPromise(result)) {
        result.then(
          (r) => admit(request, rule, r, done),
          () => refuse(request, UNVERIFIABLE, done),
        );
      } else admit(request, rule, result, done);
    });
  }

  if (byPolicy) {
    const evaluation = { timeoutMs: opts.evaluation.timeout_ms, maxSteps: opts.evaluation.max_steps, maxOutputSize: opts.evaluation.max_output_size };
    // After the body is parsed (the policy may read it), before the route's schema and handler.
    app.addHook('preValidation', (request: FastifyRequest, _reply: FastifyReply, done: Done) => {
      if (ruleFor(request.routeOptions.url, request.routeOptions.config).kind === 'open') return done();
      const verdict = decideByPolicy(app.policies, cfg.authorization_decision, authzInput(request, request.caller), evaluation);
      if (verdict === true) return done();
      refuse(request, verdict, done);
    });
  }

  app.status.add('auth', () => authn.status());

  app.addHook('onReady', async () => {
    const where = opts.server.host;
    if (authn.enabled) {
      app.log.info({ methods: authn.methods, authorization: cfg.authorization }, 'caller authentication on');
      // Fetched ahead of the first token; a failure is retried by the next token, and shown in
      // /v1/pdp/status until then.
      authn.jwt?.prefetch().catch((err: unknown) => app.log.warn({ error: err instanceof Error ? err.message : String(err) }, 'JWKS could not be fetched'));
    } else if (cfg.mode === 'none') {
      app.log.warn(
        { host: where, authorization: cfg.authorization },
        'caller authentication is OFF (auth.mode none): every route answers anyone who can reach this address',
      );
    } else {
      app.log.info(
        { host: where, loopback: isLoopbackHost(where) },
        'no caller authentication configured: serving this machine only (loopback); configure API keys, JWT or client certificates to listen on other addresses',
      );
    }
  });
}

export default fp(authPlugin, { name: 'pdp-auth', fastify: '5.x', dependencies: ['pdp-status', 'pdp-policies'] });
