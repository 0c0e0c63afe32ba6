// What the HTTP layer needs from the rest of the service. buildApp takes these as plain
// objects, so the CLI, tests and later features (cache, decision log, tracing, metrics) plug in
// without the routes knowing where they come from.
import type { FastifyInstance } from 'fastify';
import type { BundleStatus } from '../bundles/types.js';
import type { EvaluationConfig, LogLevel } from '../config/types.js';
import type { DecisionCache, DecisionLogger, DecisionLogReader, DecisionQuery, DecisionTracer, PolicySnapshotSource } from '../decisions/types.js';

/** The BundleManager, as seen by the HTTP layer. */
export interface PolicyProvider extends PolicySnapshotSource {
  status(): BundleStatus[];
  ready(): boolean;
}

/** A named section of GET /v1/status (e.g. "cache", "decision_log"); called per status request. */
export type StatusSection = () => unknown;

export interface HttpOptions {
  bodyLimitBytes: number;
  maxJsonDepth: number;
  logLevel: LogLevel;
  requestLogging: boolean;
}

export interface AppDeps {
  policies: PolicyProvider;
  http?: Partial<HttpOptions>;
  evaluation?: Partial<EvaluationConfig>;
  cache?: DecisionCache;
  decisionLogger?: DecisionLogger;
  /** Enables GET /v1/decisions/{id}; without it that route answers 404 DECISION_LOG_UNAVAILABLE. */
  decisionLogReader?: DecisionLogReader;
  tracer?: DecisionTracer;
  /** Who is asking, for the decision record (default: the peer address). */
  callerOf?: (query: DecisionQuery) => string | undefined;
  statusSections?: Record<string, StatusSection>;
  /** Extra routes (e.g. GET /metrics), registered after the core routes with the same error handling. */
  extraRoutes?: ((app: FastifyInstance) => void)[];
}
