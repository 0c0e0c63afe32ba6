// Capability: Prometheus metrics. Decorates `metrics` (the registry and the observers other
// plugins report to), counts every decision as a recorder of the pipeline, serves GET /metrics.
// Registered first, so the plugins after it can report to it.
import type { FastifyInstance, FastifySchema } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../api/errors.js';
import type { ClusterHooks } from '../cluster/worker-link.js';
import { PdpMetrics } from '../telemetry/metrics.js';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: PdpMetrics;
  }
}

// Documented in /openapi.json like the other routes; no response schema (plain text).
const METRICS_SCHEMA: FastifySchema & { summary: string } = { summary: 'Prometheus metrics (text exposition format)' };

export interface MetricsPluginOptions {
  /** With server.workers > 1: every worker's metrics, aggregated (whichever worker is asked). */
  cluster?: Pick<ClusterHooks, 'metrics' | 'shareMetrics'>;
}

async function metricsPlugin(app: FastifyInstance, opts: MetricsPluginOptions = {}): Promise<void> {
  const metrics = new PdpMetrics();
  app.decorate('metrics', metrics);
  const { cluster } = opts;
  cluster?.shareMetrics(metrics.registry);
  // The pipeline is decorated by a later plugin: looked up when the registry is read.
  metrics.onRead(() => {
    if (app.hasDecorator('pipeline')) app.pipeline.flushRecords();
  });
  app.get('/metrics', {
    schema: METRICS_SCHEMA,
    handler: async (_request, reply) => {
      let rendered: { contentType: string; body: string };
      try {
        rendered = cluster ? await cluster.metrics() : await metrics.render();
      } catch (err) {
        // Not this worker's numbers alone, presented as the process's: say it failed.
        throw new ApiError(503, 'METRICS_UNAVAILABLE', `metrics of the other workers unavailable: ${err instanceof Error ? err.message : String(err)}`);
      }
      const { contentType, body } = rendered;
      return reply.type(contentType).send(body);
    },
  });
}

export default fp(metricsPlugin, { name: 'pdp-metrics', fastify: '5.x' });
