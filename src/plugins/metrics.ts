// Capability: Prometheus metrics. Decorates `metrics` (the registry and the observers other
// plugins report to), counts every decision as a recorder of the pipeline, serves GET /metrics.
// Registered first, so the plugins after it can report to it.
import type { FastifyInstance, FastifySchema } from 'fastify';
import fp from 'fastify-plugin';
import { PdpMetrics } from '../telemetry/metrics.js';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: PdpMetrics;
  }
}

// Documented in /openapi.json like the other routes; no response schema (plain text).
const METRICS_SCHEMA: FastifySchema & { summary: string } = { summary: 'Prometheus metrics (text exposition format)' };

async function metricsPlugin(app: FastifyInstance): Promise<void> {
  const metrics = new PdpMetrics();
  app.decorate('metrics', metrics);
  app.get('/metrics', {
    schema: METRICS_SCHEMA,
    handler: async (_request, reply) => {
      const { contentType, body } = await metrics.render();
      return reply.type(contentType).send(body);
    },
  });
}

export default fp(metricsPlugin, { name: 'pdp-metrics', fastify: '5.x' });
