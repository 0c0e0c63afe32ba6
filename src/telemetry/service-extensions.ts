// Builds the decision pipeline's extension points for the running service — the decision
// cache (src/cache), the decision log (src/decisionlog), the decision tracer and the metrics
// (src/telemetry) — from their environment configuration, sharing one Redis connection.
// src/server.ts calls this from start(); tests call it with their own config.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { Tracer } from '@opentelemetry/api';
import type { FastifyInstance, FastifySchema } from 'fastify';
import type { AppDeps, PolicyProvider } from '../api/types.js';
import { CACHE_ENV_VARS, cacheConfigFromEnv, type CacheConfig } from '../cache/config.js';
import { createDecisionCache } from '../cache/create.js';
import type { Env } from '../cache/env.js';
import { PipelineDecisionCache } from '../cache/pipeline-adapter.js';
import { createRedisClient, type RedisClient } from '../cache/redis/connection.js';
import { packageRoot } from '../config/package-root.js';
import type { ConfigIssue } from '../config/types.js';
import { DECISION_LOG_ENV_VARS, decisionLogConfigFromEnv, type DecisionLogConfig } from '../decisionlog/config.js';
import { createDecisionLog } from '../decisionlog/create.js';
import type { DecisionLog } from '../decisionlog/decision-log.js';
import { policyMaskFrom } from '../decisionlog/mask/policy-mask.js';
import { PipelineDecisionLog } from '../decisionlog/pipeline-adapter.js';
import { callerOf } from '../decisionlog/record.js';
import { DecisionTracing } from './decision-tracer.js';
import { PdpMetrics } from './metrics.js';
import { fanOutLoggers, MetricsDecisionLogger, PipelineTracer } from './pipeline-adapter.js';
import { tracingHandle } from './tracing.js';

export interface ExtensionsConfig {
  cache: CacheConfig;
  decision_log: DecisionLogConfig;
}

/** Reads every cache / Redis / decision-log variable; problems are appended to `issues`,
 * unknown names in the PDP_CACHE_* / PDP_DECISION_LOG_* families (likely typos) to `warnings`. */
export function extensionsConfigFromEnv(env: Env, issues: ConfigIssue[], warnings: string[] = []): ExtensionsConfig {
  const known = new Set([...CACHE_ENV_VARS, ...DECISION_LOG_ENV_VARS]);
  for (const name of Object.keys(env)) {
    if ((name.startsWith('PDP_CACHE_') || name.startsWith('PDP_DECISION_LOG_')) && !known.has(name)) {
      warnings.push(`unknown environment variable ${name} (ignored; a typo?)`);
    }
  }
  const cache = cacheConfigFromEnv(env, issues);
  const decision_log = decisionLogConfigFromEnv(env, issues, { redisConfigured: cache.redis !== null, keyPrefix: cache.key_prefix });
  return { cache, decision_log };
}

export type ExtensionDeps = Pick<
  AppDeps,
  'cache' | 'decisionLogger' | 'decisionLogReader' | 'tracer' | 'callerOf' | 'statusSections' | 'extraRoutes'
>;

export interface ServiceExtensions {
  readonly metrics: PdpMetrics;
  readonly redis: RedisClient | null;
  /** The AppDeps parts, bound to the policy provider (policy mask, bundle metrics). Call once. */
  deps(policies: PolicyProvider): ExtensionDeps;
  /** Shutdown, after the HTTP server drained: flush the decision log (bounded), close Redis,
   * and — when `ownsTracing` — flush and stop the process-wide tracing SDK. */
  close(): Promise<void>;
}

export interface ExtensionOptions {
  /** Default: a fresh id per process, this package's name and version. */
  labels?: Record<string, string>;
  /** Where the stdout sink writes (default process.stdout). */
  stdout?: Writable;
  /** Default: the global tracer (registered by ./tracing.ts). */
  tracer?: Tracer;
  /** close() also shuts the tracing SDK down (the process is ending: `pdp serve`). */
  ownsTracing?: boolean;
}

const packageVersion = (): string => {
  try {
    return (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version?: string }).version ?? '';
  } catch {
    return '';
  }
};

export function createServiceExtensions(cfg: ExtensionsConfig, opts: ExtensionOptions = {}): ServiceExtensions {
  const metrics = new PdpMetrics();
  const redis = cfg.cache.redis ? createRedisClient(cfg.cache.redis) : null;
  const cache = cfg.cache.enabled ? createDecisionCache(cfg.cache, { redis, observer: metrics.cacheObserver }) : null;
  const tracing = new DecisionTracing(opts.tracer ? { tracer: opts.tracer } : {});
  const labels = opts.labels ?? { id: randomUUID(), app: 'ai-governance-pdp', version: packageVersion() };
  let log: DecisionLog | null = null;

  return {
    metrics,
    redis,
    deps(policies) {
      const decisionLog = createDecisionLog(cfg.decision_log, {
        redis,
        redisTimeoutMs: cfg.cache.redis?.command_timeout_ms,
        policyMask: policyMaskFrom(() => policies.current(), { path: cfg.decision_log.policy_mask.path }),
        labels,
        observer: metrics.logObserver,
        ...(opts.stdout ? { stdout: opts.stdout } : {}),
      });
      log = decisionLog;
      const pipelineLog = new PipelineDecisionLog(decisionLog);
      metrics.bind({
        bundles: () => policies.status(),
        decisionLog: () => decisionLog.status(),
        ...(cache ? { cache: () => cache.status() } : {}),
      });
      // The BundleManager reports each failed activation as an 'error' event.
      const emitter = policies as Partial<Pick<NodeJS.EventEmitter, 'on'>>;
      if (typeof emitter.on === 'function') {
        emitter.on.call(policies, 'error', (e: { name?: unknown }) => {
          metrics.bundleActivationFailed(typeof e?.name === 'string' ? e.name : 'unknown');
        });
      }
      const header = cfg.decision_log.caller_header;
      return {
        ...(cache ? { cache: new PipelineDecisionCache(cache) } : {}),
        decisionLogger: fanOutLoggers([new MetricsDecisionLogger(metrics), pipelineLog]),
        decisionLogReader: pipelineLog,
        tracer: new PipelineTracer(tracing),
        callerOf: (q) => callerOf(q.headers, q.remoteAddress, header) ?? undefined,
        statusSections: {
          cache: () => (cache ? { enabled: true, ...cache.status() } : { enabled: false, redis: redis ? 'ok' : 'disabled' }),
          decision_log: () => decisionLog.status(),
          tracing: () => ({ export: tracingHandle()?.mode ?? 'not_started' }),
        },
        extraRoutes: [(app: FastifyInstance) => metricsRoute(app, metrics)],
      };
    },
    async close() {
      if (log) await log.close(cfg.decision_log.flush_timeout_ms);
      if (redis) {
        await Promise.race([redis.quit().catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
        redis.disconnect();
      }
      if (opts.ownsTracing) await tracingHandle()?.shutdown();
    },
  };
}

// Documented in /openapi.json like the other routes; no response schema (plain text).
const METRICS_SCHEMA: FastifySchema & { summary: string } = { summary: 'Prometheus metrics (text exposition format)' };

function metricsRoute(app: FastifyInstance, metrics: PdpMetrics): void {
  app.get('/metrics', {
    schema: METRICS_SCHEMA,
    handler: async (_request, reply) => {
      const { contentType, body } = await metrics.render();
      return reply.type(contentType).send(body);
    },
  });
}
