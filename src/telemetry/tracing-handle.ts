// The process's running tracing SDK, if one was started (./tracing.ts starts it). Kept apart from
// the SDK setup so that reading it does not load the OpenTelemetry SDK.

/** How spans leave the process: 'disabled', 'custom' (processors given by a test), 'none', or
 * the exporters, e.g. 'otlp-http' or 'otlp-http,console'. */
export type TraceExportMode = string;

export interface TracingHandle {
  readonly mode: TraceExportMode;
  /** Flushes pending spans (bounded by the exporter's own timeouts) and stops the SDK. */
  shutdown(): Promise<void>;
}

let active: TracingHandle | null = null;

/** The running handle, if startTracing was called in this process. */
export function tracingHandle(): TracingHandle | null {
  return active;
}

export function setTracingHandle(handle: TracingHandle): TracingHandle {
  active = handle;
  return handle;
}
