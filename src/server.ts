// The composition root: config → BundleManager → app → listen, and graceful shutdown.
// `start(argv)` is what `pdp serve` / `npm start` call; `startServer(config, overrides)` is the
// programmatic entry (tests, embedding), where later features plug in their parts.
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { buildApp } from './api/app.js';
import type { AppDeps, PolicyProvider } from './api/types.js';
import { BundleManager, type BundleLogger } from './bundles/manager.js';
import { loadConfig } from './config/load.js';
import { toBundleManagerOptions } from './config/manager-options.js';
import { ConfigError, type ConfigIssue, type LoadedConfig, type PdpConfig } from './config/types.js';

/** A policy provider the server starts and stops (the BundleManager is one). */
export interface ManagedPolicies extends PolicyProvider {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface ServerOverrides extends Omit<AppDeps, 'policies' | 'http' | 'evaluation'> {
  /** Instead of a BundleManager built from config.bundles. */
  policies?: ManagedPolicies;
  /** Extension points that need the policy provider (decision log policy mask, bundle metrics);
   * called once, before the app is built. */
  extend?: (policies: ManagedPolicies) => Omit<AppDeps, 'policies' | 'http' | 'evaluation'>;
  /** Run after the HTTP server has drained and the bundle manager stopped (flush logs, close Redis, stop tracing). */
  onClose?: (() => Promise<void>)[];
  /** Install SIGTERM/SIGINT handlers that drain and exit (default true for start(), false for startServer()). */
  handleSignals?: boolean;
  /** How the process ends after a signal-triggered shutdown (tests replace it). */
  exit?: (code: number) => void;
}

export interface RunningServer {
  app: FastifyInstance;
  policies: ManagedPolicies;
  /** e.g. http://127.0.0.1:8181 */
  url: string;
  port: number;
  /** Stop accepting, drain in-flight requests (bounded by shutdown_timeout_ms), stop the bundle manager. */
  close(): Promise<void>;
}

export async function startServer(config: PdpConfig, overrides: ServerOverrides = {}): Promise<RunningServer> {
  const { policies: givenPolicies, extend, onClose = [], handleSignals = false, exit = (code: number) => process.exit(code), ...rest } = overrides;

  let app: FastifyInstance | undefined;
  // The manager logs through the app's logger, which exists only once the app is built.
  const bundleLog: BundleLogger = {
    info: (o, msg) => app?.log.info(o, msg),
    warn: (o, msg) => app?.log.warn(o, msg),
    error: (o, msg) => app?.log.error(o, msg),
  };
  const policies: ManagedPolicies = givenPolicies ?? new BundleManager(toBundleManagerOptions(config, bundleLog));

  const built = buildApp({
    ...rest,
    ...extend?.(policies),
    policies,
    http: {
      bodyLimitBytes: config.server.body_limit_bytes,
      maxJsonDepth: config.server.max_json_depth,
      logLevel: config.server.log_level,
      requestLogging: config.server.request_logging,
    },
    evaluation: config.evaluation,
  });
  app = built;

  // First load of every source, off the request path; a failure is not fatal (the status shows
  // it and /ready stays 503 until a bundle activates).
  await policies.start();
  try {
    await built.listen({ host: config.server.host, port: config.server.port });
  } catch (err) {
    await policies.stop().catch(() => undefined);
    throw err;
  }
  const port = (built.server.address() as AddressInfo).port;
  const host = config.server.host === '0.0.0.0' || config.server.host === '::' ? '127.0.0.1' : config.server.host;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      // Stop accepting and drain in-flight requests (each finishes on the snapshot it started with).
      await built.close();
      await policies.stop();
      for (const fn of onClose) await fn().catch((err: unknown) => built.log.error({ err }, 'shutdown step failed'));
    })();
    return closing;
  };

  if (handleSignals) installSignalHandlers(built, close, config.server.shutdown_timeout_ms, exit);
  built.log.info({ url: `http://${host}:${port}`, bundles: config.bundles.map((b) => b.name) }, 'pdp listening');
  return { app: built, policies, url: `http://${host}:${port}`, port, close };
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

/** `pdp serve` / `npm start`: configuration from the environment (and PDP_CONFIG), signals handled. */
export async function start(_argv: string[] = []): Promise<RunningServer> {
  // The tracing entry module first: the OpenTelemetry SDK is running before the app exists.
  await import('./telemetry/register.js');
  const { createServiceExtensions, extensionsConfigFromEnv } = await import('./telemetry/service-extensions.js');
  // Every bad value, from every part's settings, is collected into one ConfigError: its message
  // lists them all by name; bin/pdp.js prints it and exits 2.
  const issues: ConfigIssue[] = [];
  let loaded: LoadedConfig | undefined;
  try {
    loaded = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    issues.push(...err.issues);
  }
  for (const w of loaded?.warnings ?? []) process.stderr.write(`pdp: warning: ${w}\n`);
  // Cache, Redis, decision log: read from the environment next to the rest (see README).
  const extWarnings: string[] = [];
  const extCfg = extensionsConfigFromEnv(process.env, issues, extWarnings);
  for (const w of extWarnings) process.stderr.write(`pdp: warning: ${w}\n`);
  if (issues.length > 0 || loaded === undefined) throw new ConfigError(issues);
  const ext = createServiceExtensions(extCfg, { ownsTracing: true });
  try {
    return await startServer(loaded.config, { handleSignals: true, extend: (p) => ext.deps(p), onClose: [() => ext.close()] });
  } catch (err) {
    await ext.close().catch(() => undefined);
    throw err;
  }
}
