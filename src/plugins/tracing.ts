// Capability: OpenTelemetry tracing. Decorates `decisionTracer` (one pdp.decision span per
// decision). With `ownsSdk` (the `pdp serve` process) it starts the SDK from the tracing settings
// and flushes and stops it on close.
import type { Tracer } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { TracingConfig } from '../config/types.js';
import { DecisionTracing } from '../telemetry/decision-tracer.js';
import { tracingHandle } from '../telemetry/tracing-handle.js';

declare module 'fastify' {
  interface FastifyInstance {
    decisionTracer: DecisionTracing;
  }
}

export interface TracingPluginOptions {
  config: TracingConfig;
  /** Start (and on close stop) the process-wide SDK. Off for embedding and tests that run their own. */
  ownsSdk?: boolean;
  /** Default: the global tracer (the SDK's, once started). */
  tracer?: Tracer;
}

async function tracingPlugin(app: FastifyInstance, opts: TracingPluginOptions): Promise<void> {
  // The SDK (a large module graph) is loaded only by the process that starts it.
  const handle = opts.ownsSdk ? (await import('../telemetry/tracing.js')).startTracing(opts.config) : null;
  // Exported nowhere (mode none): the SDK would only make ids; the tracer makes them itself.
  app.decorate('decisionTracer', new DecisionTracing(opts.tracer ? { tracer: opts.tracer } : { idsOnly: handle?.mode === 'none' }));
  app.status.add('tracing', () => ({ export: tracingHandle()?.mode ?? 'not_started' }));
  if (handle) app.addHook('onClose', async () => handle.shutdown());
}

export default fp(tracingPlugin, { name: 'pdp-tracing', fastify: '5.x', dependencies: ['pdp-status'] });
