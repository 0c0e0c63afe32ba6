// OpenTelemetry SDK setup. Started once, before the app (see ./register.ts), configured by the
// standard OTEL_* variables:
//
//   OTEL_SDK_DISABLED=true              no SDK at all (answers then carry no trace_id)
//   OTEL_TRACES_EXPORTER=otlp|console|none   honoured as the SDK defines it, when set
//   OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
//                                       spans go to that collector over OTLP/HTTP (JSON),
//                                       batched (OTEL_BSP_* tune the batch processor)
//   none of the above                   spans are created (real trace ids for responses and
//                                       the decision log) but exported nowhere
//   OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER(_ARG), OTEL_PROPAGATORS
//                                       as the SDK defines them
//
// No auto-instrumentation is registered: decision spans are created explicitly
// (./decision-tracer.ts), so nothing depends on patching fastify or http.
import { diag } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK, type NodeSDKConfiguration } from '@opentelemetry/sdk-node';
import { NoopSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Env } from '../cache/env.js';

export type TraceExportMode = 'disabled' | 'custom' | 'env' | 'otlp-http' | 'none';

export interface TracingOptions {
  env?: Env;
  /** Tests pass e.g. a SimpleSpanProcessor over an InMemorySpanExporter. */
  spanProcessors?: SpanProcessor[];
  /** Used when OTEL_SERVICE_NAME is not set. */
  serviceName?: string;
}

export interface TracingHandle {
  readonly mode: TraceExportMode;
  /** Flushes pending spans (bounded by the exporter's own timeouts) and stops the SDK. */
  shutdown(): Promise<void>;
}

export const DEFAULT_SERVICE_NAME = 'ai-governance-pdp';

function isTrue(v: string | undefined): boolean {
  return v !== undefined && ['true', '1', 'yes', 'on'].includes(v.trim().toLowerCase());
}

/** Which exporter the environment asks for (pure; exported for tests and /v1/status). */
export function traceExportMode(env: Env, hasCustomProcessors: boolean): TraceExportMode {
  if (isTrue(env.OTEL_SDK_DISABLED)) return 'disabled';
  if (hasCustomProcessors) return 'custom';
  const exporters = env.OTEL_TRACES_EXPORTER?.trim();
  if (exporters) return exporters === 'none' ? 'none' : 'env';
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim()) return 'otlp-http';
  return 'none';
}

let active: TracingHandle | null = null;

/** Starts the SDK once per process; later calls return the running handle. */
export function startTracing(opts: TracingOptions = {}): TracingHandle {
  if (active) return active;
  const env = opts.env ?? process.env;
  const mode = traceExportMode(env, (opts.spanProcessors?.length ?? 0) > 0);
  if (mode === 'disabled') {
    active = { mode, shutdown: async () => undefined };
    return active;
  }
  const config: Partial<NodeSDKConfiguration> = {
    instrumentations: [],
    ...(env.OTEL_SERVICE_NAME ? {} : { serviceName: opts.serviceName ?? DEFAULT_SERVICE_NAME }),
  };
  switch (mode) {
    case 'custom':
      config.spanProcessors = opts.spanProcessors;
      break;
    case 'otlp-http':
      // Reads endpoint, headers, timeout and compression from OTEL_EXPORTER_OTLP_* itself.
      config.traceExporter = new OTLPTraceExporter();
      break;
    case 'none':
      // The SDK registers no tracer provider without a processor; we still want real ids.
      config.spanProcessors = [new NoopSpanProcessor()];
      break;
    case 'env':
      // Leave processors unset: the SDK builds them from OTEL_TRACES_EXPORTER.
      break;
  }
  const sdk = new NodeSDK(config);
  sdk.start();
  let stopped = false;
  active = {
    mode,
    shutdown: async () => {
      if (stopped) return;
      stopped = true;
      try {
        await sdk.shutdown();
      } catch (e) {
        diag.warn('tracing shutdown failed', e);
      }
    },
  };
  return active;
}

/** The running handle, if startTracing was called in this process. */
export function tracingHandle(): TracingHandle | null {
  return active;
}
