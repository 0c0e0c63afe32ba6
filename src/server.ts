// The composition root: the HTTP core, then each capability as a fastify plugin, in order
// (each decorates what it offers and cleans up on close), then the decision routes; and the
// process around it: listen, signals, graceful shutdown. `startServer(config, options)` and
// `buildApp` are the programmatic entries (tests, embedding); `pdp serve` / `npm start` go through
// src/start.ts, which loads this module only in a process that serves.
import type { Tracer } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { Writable } from 'node:stream';
import { createHttpApp } from './api/http.js';
import configApi from './api/routes/config.js';
import { collectStartupGarbage } from './shared/heap-tuning.js';
import type { ClusterHooks } from './cluster/worker-link.js';
import decisionApi from './api/routes/index.js';
import { DEFAULT_OPA } from './config/defaults.js';
import type { PdpConfig } from './config/types.js';
import admissionPlugin from './plugins/admission.js';
import authPlugin from './plugins/auth.js';
import authzenPlugin from './plugins/authzen.js';
import cachePlugin from './plugins/cache.js';
import decisionLogPlugin from './plugins/decision-log.js';
import loadSheddingPlugin from './plugins/load-shedding.js';
import metricsPlugin from './plugins/metrics.js';
import pipelinePlugin from './plugins/pipeline.js';
import policiesPlugin, { type PolicyProvider } from './plugins/policies.js';
import rateLimitPlugin from './plugins/rate-limit.js';
import redisPlugin from './plugins/redis.js';
import statusPlugin from './plugins/status.js';
import tracingPlugin from './plugins/tracing.js';
import { instanceLabels } from './shared/instance.js';

export interface AppOptions {
  /** Instead of a BundleManager built from config.bundles. */
  policies?: PolicyProvider;
  /** Start and, on close, stop the process-wide tracing SDK (`pdp serve`). */
  ownsTracing?: boolean;
  /** Tracer for decision spans (default: the global one). */
  tracer?: Tracer;
  /** Where the decision log's stdout sink writes (default process.stdout). */
  decisionLogStdout?: Writable;
  /** The instance's labels (default: src/shared/instance.ts — the configured labels, the process's id, this package's name and version). */
  labels?: Record<string, string>;
  /** Where the service log (pino JSON lines) goes (default process.stdout). */
  logStream?: Writable;
  /** This process is one worker of several (server.workers > 1, src/cluster/). */
  cluster?: ClusterHooks;
}

/** Builds (does not start) the service. `listen` on it, or use startServer. Closing it drains
 * in-flight requests, then each plugin cleans up (bundle sources, decision log flush, Redis,
 * tracing). */
export function buildApp(config: PdpConfig, opts: AppOptions = {}): FastifyInstance {
  const app = createHttpApp(config.server, opts.logStream ? { logStream: opts.logStream } : {});
  // Order matters: a plugin can use what the plugins before it decorated.
  // First: an overloaded process answers before it spends anything else on a request.
  app.register(loadSheddingPlugin, { config: config.server.load_shedding });
  // OPA's labels: one set for /v1/status, /v1/config and every decision record.
  const labels = opts.labels ?? instanceLabels(config.labels);
  app.register(statusPlugin, {
    labels,
    ...(opts.cluster ? { worker: opts.cluster.identity } : {}),
  });
  app.register(metricsPlugin, opts.cluster ? { cluster: opts.cluster } : {});
  app.register(tracingPlugin, { config: config.tracing, ...(opts.ownsTracing ? { ownsSdk: true } : {}), ...(opts.tracer ? { tracer: opts.tracer } : {}) });
  app.register(redisPlugin, { config: config.redis });
  app.register(policiesPlugin, { config, ...(opts.policies ? { provider: opts.policies } : {}) });
  app.register(pipelinePlugin, { evaluation: config.evaluation, ndBuiltinCache: config.decision_log.nd_builtin_cache });
  app.register(cachePlugin, { config: config.cache, redis: config.redis });
  app.register(decisionLogPlugin, {
    config: config.decision_log,
    redis: config.redis,
    labels,
    ...(opts.decisionLogStdout ? { stdout: opts.decisionLogStdout } : {}),
    ...(opts.cluster ? { siblings: opts.cluster } : {}),
  });
  // Its hooks cover every route, those registered before it too.
  app.register(authPlugin, { config: config.auth, server: config.server, evaluation: config.evaluation });
  // Keyed by the caller auth verified; limits the routes registered after it.
  app.register(rateLimitPlugin, { config: config.server.rate_limit });
  app.register(decisionApi, {
    defaultDecision: config.opa?.default_decision ?? DEFAULT_OPA.default_decision,
    batchMaxInputs: config.opa?.batch_max_inputs ?? DEFAULT_OPA.batch_max_inputs,
    anyContentType: config.opa?.any_content_type ?? DEFAULT_OPA.any_content_type,
  });
  app.register(admissionPlugin, { config: config.admission, bodyLimit: config.server.body_limit_bytes });
  app.register(authzenPlugin, { config: config.authzen, bodyLimit: config.server.body_limit_bytes });
  app.register(configApi, { config, labels });
  return app;
}

export interface ServerOptions extends AppOptions {
  /** Install SIGTERM/SIGINT handlers that drain and exit (default true for start(), false for startServer()). */
  handleSignals?: boolean;
  /** How the process ends after a signal-triggered shutdown (tests replace it). */
  exit?: (code: number) => void;
  /** One full garbage collection after the bundles activated, before listening (`pdp serve`). */
  settleHeap?: boolean;
}

export interface RunningServer {
  app: FastifyInstance;
  policies: PolicyProvider;
  /** e.g. http://127.0.0.1:8181 (https:// with TLS) */
  url: string;
  port: number;
  /** Stop accepting, drain in-flight requests (bounded by shutdown_timeout_ms), then let every plugin clean up. */
  close(): Promise<void>;
}

export async function startServer(config: PdpConfig, opts: ServerOptions = {}): Promise<RunningServer> {
  return serve(buildApp(config, opts), config, opts);
}

/** Listens with an app from buildApp (on which the caller may have registered more plugins). */
export async function serve(
  app: FastifyInstance,
  config: PdpConfig,
  opts: Pick<ServerOptions, 'handleSignals' | 'exit' | 'settleHeap'> = {},
): Promise<RunningServer> {
  const { handleSignals = false, exit = (code: number) => process.exit(code) } = opts;
  try {
    // ready() loads every bundle source first, off the request path.
    await app.ready();
    if (opts.settleHeap === true) collectStartupGarbage();
    await app.listen({ host: config.server.host, port: config.server.port });
  } catch (err) {
    await app.close().catch(() => undefined);
    throw err;
  }
  const port = (app.server.address() as AddressInfo).port;
  const host =
    config.server.host === '0.0.0.0' || config.server.host === '::'
      ? '127.0.0.1'
      : config.server.host.includes(':')
        ? `[${config.server.host}]`
        : config.server.host;
  const scheme = config.server.tls?.cert_file !== undefined ? 'https' : 'http';

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= app.close());

  if (handleSignals) installSignalHandlers(app, close, config.server.shutdown_timeout_ms, exit);
  const url = `${scheme}://${host}:${port}`;
  app.log.info({ url, bundles: config.bundles.map((b) => b.name) }, 'pdp listening');
  return { app, policies: app.policies, url, port, close };
}

function installSignalHandlers(app: FastifyInstance, close: () => Promise<void>, timeoutMs: number, exit: (code: number) => void): void {
  const onSignal = (signal: NodeJS.Signals): void => {
    app.log.info({ signal }, 'shutting down: draining in-flight requests');
    // A stuck request must not keep the process alive forever.
    const timer = setTimeout(() => {
      app.log.error({ timeoutMs }, 'shutdown timed out; exiting with in-flight requests');
      exit(1);
    }, timeoutMs);
    timer.unref();
    close().then(
      () => {
        clearTimeout(timer);
        app.log.info('shutdown complete');
        exit(0);
      },
      (err: unknown) => {
        clearTimeout(timer);
        app.log.error({ err }, 'shutdown failed');
        exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
