// OpenTelemetry SDK setup, from the `tracing` settings (file or the standard OTEL_* variables,
// see src/config/env.ts). Started once per process by the tracing plugin:
//
//   disabled                            no SDK at all (answers then carry no trace_id)
//   exporter otlp (or an endpoint set)  spans go to that collector over OTLP/HTTP (JSON), batched
//   exporter console                    spans are printed (debugging)
//   none of the above                   real trace ids for responses and the decision log, but
//                                       nothing recorded (the AlwaysOff sampler; decision spans
//                                       are then made with ids only, by ./decision-tracer.ts)
//                                       and nothing exported
//
// The SDK itself still reads the OTEL_* variables this service has no setting for:
// OTEL_EXPORTER_OTLP_HEADERS/TIMEOUT/COMPRESSION, OTEL_BSP_*, OTEL_TRACES_SAMPLER(_ARG),
// OTEL_RESOURCE_ATTRIBUTES, OTEL_PROPAGATORS.
//
// No auto-instrumentation is registered: decision spans are created explicitly
// (./decision-tracer.ts), so nothing depends on patching fastify or http.
import { diag } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  AlwaysOffSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  NoopSpanProcessor,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { TracingConfig } from '../config/types.js';
import { setTracingHandle, tracingHandle, type TraceExportMode, type TracingHandle } from './tracing-handle.js';

export { tracingHandle, type TraceExportMode, type TracingHandle };

export interface TracingOptions {
  /** Tests pass e.g. a SimpleSpanProcessor over an InMemorySpanExporter. */
  spanProcessors?: SpanProcessor[];
}

export const DEFAULT_SERVICE_NAME = 'ai-governance-pdp';

/** The exporters the settings ask for (pure; exported for tests and /v1/pdp/status). */
export function traceExportMode(cfg: TracingConfig, hasCustomProcessors: boolean): TraceExportMode {
  if (cfg.disabled) return 'disabled';
  if (hasCustomProcessors) return 'custom';
  const exporters = cfg.exporter !== undefined ? cfg.exporter.split(',') : cfg.endpoint !== undefined || cfg.traces_endpoint !== undefined ? ['otlp'] : [];
  const chosen = [...new Set(exporters.filter((e) => e !== 'none'))];
  return chosen.length === 0 ? 'none' : chosen.map((e) => (e === 'otlp' ? 'otlp-http' : e)).join(',');
}

function otlpUrl(cfg: TracingConfig): string | undefined {
  if (cfg.traces_endpoint !== undefined) return cfg.traces_endpoint;
  if (cfg.endpoint !== undefined) return `${cfg.endpoint.replace(/\/+$/, '')}/v1/traces`;
  // Unset: the exporter's own default (localhost:4318).
  return undefined;
}

/** Starts the SDK once per process; later calls return the running handle. */
export function startTracing(cfg: TracingConfig, opts: TracingOptions = {}): TracingHandle {
  const running = tracingHandle();
  if (running) return running;
  const mode = traceExportMode(cfg, (opts.spanProcessors?.length ?? 0) > 0);
  if (mode === 'disabled') {
    return setTracingHandle({ mode, shutdown: async () => undefined });
  }
  let spanProcessors: SpanProcessor[];
  if (mode === 'custom') spanProcessors = opts.spanProcessors ?? [];
  // The SDK registers no tracer provider without a processor; we still want real ids.
  else if (mode === 'none') spanProcessors = [new NoopSpanProcessor()];
  else {
    const url = otlpUrl(cfg);
    spanProcessors = mode
      .split(',')
      .map((e) =>
        e === 'console' ? new SimpleSpanProcessor(new ConsoleSpanExporter()) : new BatchSpanProcessor(new OTLPTraceExporter(url !== undefined ? { url } : {})),
      );
  }
  const sdk = new NodeSDK({
    instrumentations: [],
    serviceName: cfg.service_name ?? DEFAULT_SERVICE_NAME,
    spanProcessors,
    // Exported nowhere: a recorded span (attributes, events, children) would be work for nothing.
    ...(mode === 'none' ? { sampler: new AlwaysOffSampler() } : {}),
  });
  sdk.start();
  let stopped = false;
  return setTracingHandle({
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
  });
}
