// GET /health (process alive), GET /ready (a bundle is active), GET /v1/status (bundles and any
// registered sections such as cache or decision log).
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.js';
import type { PolicyProvider, StatusSection } from '../types.js';

const ERROR = { $ref: 'error.json#' };
const HEALTH = { $ref: 'health-response.json#' };
const RESERVED = new Set(['ready', 'bundles']);

export function statusRoutes(app: FastifyInstance, policies: PolicyProvider, sections: Record<string, StatusSection>): void {
  for (const name of Object.keys(sections)) {
    if (RESERVED.has(name)) throw new Error(`status section name ${JSON.stringify(name)} is reserved`);
  }
  const entries = Object.entries(sections);

  app.get('/health', {
    schema: { summary: 'Liveness: the process is up', response: { 200: HEALTH } },
    handler: async () => ({ status: 'ok' }),
  });

  app.get('/ready', {
    schema: { summary: 'Readiness: a policy bundle is active', response: { 200: HEALTH, 503: ERROR } },
    handler: async () => {
      if (!policies.ready()) throw new ApiError(503, 'NOT_READY', 'no policy bundle is active yet');
      return { status: 'ready' };
    },
  });

  app.get('/v1/status', {
    schema: { summary: 'Bundles (revision, engine, activation, last error) and other service sections', response: { 200: { $ref: 'status-response.json#' } } },
    handler: async () => {
      const out: Record<string, unknown> = { ready: policies.ready(), bundles: policies.status() };
      for (const [name, section] of entries) {
        try {
          out[name] = section();
        } catch (err) {
          // One broken section must not hide the others (or the bundles).
          out[name] = { error: err instanceof Error ? err.message : String(err) };
        }
      }
      return out;
    },
  });
}
