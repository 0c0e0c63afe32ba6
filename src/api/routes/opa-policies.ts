// OPA's Policy API, read side: GET /v1/policies → {"result": [{"id", "raw", "ast"}]} and
// GET /v1/policies/{id} → {"result": {"id", "raw", "ast"}}, from the active bundles (ids are
// "<bundle>/<path in the bundle>"; compiled wasm bundles have no source to list). Policies come
// from bundles only: PUT and DELETE are refused in OPA's error shape.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';

const ERROR = { $ref: 'opa-error.json#' };
const OPA = { opaErrors: true } as const;

export function policyRoutes(app: FastifyInstance): void {
  const modules = () => app.policies.current()?.policies?.() ?? [];
  app.get('/v1/policies', {
    config: OPA,
    schema: { summary: 'The policy modules of the active bundles (OPA Policy API); needs scope policies:read', response: { '4xx': ERROR, '5xx': ERROR } },
    handler: async () => ({ result: modules() }),
  });
  app.get('/v1/policies/*', {
    config: OPA,
    schema: { summary: 'One policy module by id (OPA Policy API); needs scope policies:read', response: { '4xx': ERROR, '5xx': ERROR } },
    handler: async (request: FastifyRequest) => {
      const id = (request.params as Record<string, string | undefined>)['*'] ?? '';
      const found = modules().find((m) => m.id === id || m.id === id.replace(/^\/+/, ''));
      if (!found) {
        const err = new ApiError(404, 'NOT_FOUND', `storage_not_found_error: policy id ${JSON.stringify(id)}`);
        err.opa = { code: 'resource_not_found' };
        throw err;
      }
      return { result: found };
    },
  });
  const refuse = async (request: FastifyRequest): Promise<never> => {
    const err = new ApiError(
      405,
      'METHOD_NOT_ALLOWED',
      `${request.method} /v1/policies is not supported: policies are loaded from bundles only (publish a new bundle revision; see docs/opa-compatibility.md)`,
      [],
      undefined,
      { allow: 'GET' },
    );
    err.opa = { code: 'invalid_operation' };
    throw err;
  };
  app.route({
    method: ['PUT', 'DELETE'],
    url: '/v1/policies/*',
    config: OPA,
    schema: { summary: 'Refused: policies come from bundles', response: { '4xx': ERROR } },
    handler: refuse,
  });
}
