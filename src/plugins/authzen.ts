// The AuthZEN Authorization API 1.0 as a capability: decorates `authzen` (the AuthzenService over
// the pipeline) and serves /access/v1/* and /.well-known/authzen-configuration in its own
// encapsulated context, where the specification's transport rules apply:
//   - bodies are validated by the AuthZEN schemas' own ajv (JSON Schema 2020-12);
//   - a body of another media type is 400, not 415 (the certification scenario asks for 400);
//   - X-Request-ID is echoed on every answer, errors included;
//   - pdp_authzen_requests_total{endpoint,status} counts requests by endpoint.
// Authentication and scopes are the auth plugin's, like for every route (src/auth/scopes.ts).
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter } from 'prom-client';
import { toApiError } from '../api/error-handler.js';
import { ApiError } from '../api/errors.js';
import { authzenRoutes } from '../api/routes/authzen.js';
import { PolicyMapping } from '../authzen/mapping.js';
import { PageTokens } from '../authzen/page-token.js';
import { authzenValidator } from '../authzen/schemas.js';
import { AuthzenService } from '../authzen/service.js';
import type { AuthzenConfig } from '../config/types.js';

declare module 'fastify' {
  interface FastifyInstance {
    authzen: AuthzenService;
  }
}

const REQUEST_ID = 'x-request-id';

async function authzenPlugin(app: FastifyInstance, opts: { config: AuthzenConfig; bodyLimit: number }): Promise<void> {
  const { config } = opts;
  const mapping = new PolicyMapping({ decision: config.decision, candidates: config.candidates, rules: config.rules });
  const service = new AuthzenService(app.pipeline, mapping, new PageTokens(config.page_token_secret ?? ''), {
    maxEvaluations: config.max_evaluations,
    maxCandidates: config.max_candidates,
  });
  app.decorate('authzen', service);

  const requests = app.hasDecorator('metrics')
    ? new Counter({
        name: 'pdp_authzen_requests_total',
        help: 'AuthZEN API requests by endpoint and HTTP status (each evaluation is also a decision in pdp_decisions_total).',
        labelNames: ['endpoint', 'status'] as const,
        registers: [app.metrics.registry],
      })
    : undefined;

  await app.register(async (scope) => {
    scope.setValidatorCompiler(({ schema }) => authzenValidator(schema));

    scope.setErrorHandler((err, request, reply) => {
      const api = toApiError(err, opts.bodyLimit);
      if (api.statusCode !== 415) throw err;
      // The body was refused before it was read: do not reuse the connection (like the 415 it replaces).
      reply.header('connection', 'close');
      throw new ApiError(400, 'UNSUPPORTED_MEDIA_TYPE', `${api.message} (AuthZEN requests are application/json)`);
    });

    scope.addHook('onSend', (request, reply, payload, done) => {
      const id = request.headers[REQUEST_ID];
      if (typeof id === 'string' && id !== '') {
        try {
          reply.header(REQUEST_ID, id);
        } catch {
          // A value Node will not send back as a header (it accepted it inbound) is left out.
        }
      }
      done(null, payload);
    });

    if (requests) {
      scope.addHook('onResponse', (request, reply, done) => {
        requests.inc({ endpoint: request.routeOptions.url ?? 'unknown', status: String(reply.statusCode) });
        done();
      });
    }

    authzenRoutes(scope, service, { pdpUrl: config.pdp_url });
  });
}

export default fp(authzenPlugin, { name: 'pdp-authzen', fastify: '5.x', dependencies: ['pdp-pipeline'] });
