// OPA's Policy API, read side: GET /v1/policies → {"result": [{"id", "raw", "ast"}]} and
// GET /v1/policies/{id} → {"result": {"id", "raw", "ast"}}, from the active bundles (ids are
// "<bundle>/<path in the bundle>"; compiled wasm bundles have no source to list). Policies come
// from bundles only: PUT and DELETE are refused in OPA's error shape.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';
import { writeDocument } from '../opa/data-answer.js';
import { prettyOf } from '../opa/params.js';
import { refuseWrites } from '../opa/refuse-writes.js';

const ERROR = { $ref: 'opa-error.json#' };
const OPA = { opaErrors: true } as const;

export function policyRoutes(app: FastifyInstance): void {
  const modules = () => app.policies.current()?.policies?.() ?? [];
  app.get('/v1/policies', {
    config: OPA,
    schema: { summary: 'The policy modules of the active bundles (OPA Policy API); needs scope policies:read', response: { '4xx': ERROR, '5xx': ERROR } },
    handler: async (request: FastifyRequest, reply: FastifyReply) => writeDocument(reply, { result: modules() }, prettyOf(request)),
  });
  app.get('/v1/policies/*', {
    config: OPA,
    schema: { summary: 'One policy module by id (OPA Policy API); needs scope policies:read', response: { '4xx': ERROR, '5xx': ERROR } },
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      const id = (request.params as Record<string, string | undefined>)['*'] ?? '';
      const found = modules().find((m) => m.id === id || m.id === id.replace(/^\/+/, ''));
      if (!found) {
        const err = new ApiError(404, 'NOT_FOUND', `storage_not_found_error: policy id ${JSON.stringify(id)}`);
        err.opa = { code: 'resource_not_found' };
        throw err;
      }
      return writeDocument(reply, { result: found }, prettyOf(request));
    },
  });
  refuseWrites(app, {
    urls: ['/v1/policies/*'],
    methods: ['PUT', 'DELETE'],
    reason: 'policies are loaded from bundles only (publish a new bundle revision)',
    allow: 'GET',
  });
}
