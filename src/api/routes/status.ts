// GET /health (process alive), GET /ready (a bundle is active), GET /v1/status (bundles and the
// sections other plugins registered, such as cache or decision log).
import type { FastifyInstance } from 'fastify';
import type { StatusSections } from '../../plugins/status.js';
import { describeThrown } from '../../shared/errors.js';
import { ApiError } from '../errors.js';

const ERROR = { $ref: 'error.json#' };
const HEALTH = { $ref: 'health-response.json#' };

export function statusRoutes(app: FastifyInstance, sections: StatusSections): void {
  app.get('/health', {
    schema: { summary: 'Liveness: the process is up', response: { 200: HEALTH } },
    handler: async () => ({ status: 'ok' }),
  });

  app.get('/ready', {
    schema: { summary: 'Readiness: a policy bundle is active', response: { 200: HEALTH, 503: ERROR } },
    handler: async () => {
      if (!app.policies.ready()) throw new ApiError(503, 'NOT_READY', 'no policy bundle is active yet');
      return { status: 'ready' };
    },
  });

  app.get('/v1/status', {
    schema: { summary: 'Bundles (revision, engine, activation, last error) and other service sections', response: { 200: { $ref: 'status-response.json#' } } },
    handler: async () => {
      const out: Record<string, unknown> = { ready: app.policies.ready(), bundles: app.policies.status() };
      for (const [name, section] of sections.entries()) {
        try {
          out[name] = section();
        } catch (err) {
          // One broken section must not hide the others (or the bundles).
          out[name] = { error: describeThrown(err) };
        }
      }
      return out;
    },
  });
}
