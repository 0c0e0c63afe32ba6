// Defaults: the service runs with no configuration at all (embedded policies, no Redis, no OTel).
import { defaultPoliciesDir } from '../shared/package-root.js';
import type {
  AdmissionConfig,
  AuthConfig,
  AuthzenConfig,
  BundleConfig,
  CacheConfig,
  DecisionLogConfig,
  EvaluationConfig,
  JwtAlgorithm,
  JwtConfig,
  LimitsConfig,
  GzipConfig,
  OpaConfig,
  RedisConfig,
  ServerConfig,
  TracingConfig,
} from './types.js';

/** OPA's defaults for server.encoding.gzip. */
export const DEFAULT_GZIP: Readonly<GzipConfig> = Object.freeze({ min_length: 1024, compression_level: 9 });

export const DEFAULT_SERVER: Readonly<ServerConfig> = Object.freeze({
  // Loopback, like OPA 1.0: the embedded default is reachable from this machine only, so it may
  // run without authentication. Any other address needs authentication configured (load.ts).
  host: '127.0.0.1',
  // OPA's port: existing OPA clients point here unchanged.
  port: 8181,
  body_limit_bytes: 1024 * 1024,
  max_json_depth: 64,
  shutdown_timeout_ms: 10_000,
  // Every core the process is given, as OPA and Cerbos use them (src/cluster/cpus.ts).
  workers: 'auto',
  log_level: 'info',
  request_logging: false,
  // Seconds, not minutes: a slow-body or slowloris connection is closed long before a few
  // hundred of them exhaust the file limit.
  request_timeout_ms: 10_000,
  headers_timeout_ms: 5_000,
  keep_alive_timeout_ms: 5_000,
  max_connections: 0,
  // 1 MB of `[1,1,…]` is 500k values; no decision request needs more than a fraction of that.
  max_json_nodes: 100_000,
  max_validation_errors: 10,
  // Off by default: after a long synchronous step (compiling a large bundle at activation) the
  // delay reading stays high for a sample period, and shedding then would deny a burst of callers.
  load_shedding: Object.freeze({ max_event_loop_delay_ms: 0, max_heap_used_bytes: 0 }),
  rate_limit: Object.freeze({ max: 0, window_ms: 1_000 }),
  gzip: DEFAULT_GZIP,
});

/** OPA's default_decision. */
export const DEFAULT_OPA: Readonly<OpaConfig> = Object.freeze({ default_decision: '/system/main', batch_max_inputs: 100, any_content_type: false });

export const DEFAULT_EVALUATION: Readonly<EvaluationConfig> = Object.freeze({
  timeout_ms: 250,
  max_steps: 1_000_000,
  max_output_size: 1_000_000,
  compile_js: true,
});

export const DEFAULT_LIMITS: Readonly<LimitsConfig> = Object.freeze({
  max_compressed_bytes: 32 * 1024 * 1024,
  max_uncompressed_bytes: 128 * 1024 * 1024,
  max_files: 10_000,
});

export const DEFAULT_CACHE: Readonly<CacheConfig> = Object.freeze({
  enabled: true,
  ttl_seconds: 60,
  max_entries: 10_000,
  max_bytes: 64 * 1024 * 1024,
  repeated_bodies_bytes: 4 * 1024 * 1024,
});

export const DEFAULT_REDIS: Readonly<RedisConfig> = Object.freeze({
  tls: false,
  key_prefix: 'pdp:',
  command_timeout_ms: 100,
  connect_timeout_ms: 1000,
  max_retries_per_request: 1,
  breaker_failures: 5,
  breaker_cooldown_ms: 2000,
});

export const DEFAULT_DECISION_LOG: Readonly<DecisionLogConfig> = Object.freeze({
  stdout: true,
  redis_stream: 'auto',
  redis_maxlen: 100_000,
  upload_timeout_ms: 5000,
  upload_interval_ms: 1000,
  batch_size: 500,
  buffer_size: 10_000,
  buffer_max_bytes: 32 * 1024 * 1024,
  mask_paths: [],
  policy_mask: true,
  mask_decision: 'system/log/mask',
  native_mask: true,
  // OPA's default: a bundle that defines data.system.log.drop decides which records are not kept.
  drop_decision: '/system/log/drop',
  upload_max_bytes: 0,
  raw: false,
  nd_builtin_cache: false,
  retention_seconds: 3600,
  store_max_entries: 10_000,
  store_max_bytes: 64 * 1024 * 1024,
  caller_header: 'x-pdp-caller',
  flush_timeout_ms: 5000,
});

export const DEFAULT_AUTH: Readonly<AuthConfig> = Object.freeze({
  mode: 'auto',
  api_keys: [],
  mtls_identities: [],
  authorization: 'scopes',
  authorization_decision: 'system/authz/allow',
  // A JWT with a few dozen claims fits in 2-4 KiB; 8 KiB leaves room without letting a caller
  // make every request verify a huge token.
  max_credential_bytes: 8192,
});

/** Applied under auth.jwt once any JWT setting is given. */
export const DEFAULT_JWT: Readonly<Omit<JwtConfig, 'issuer' | 'audience'>> = Object.freeze({
  algorithms: ['RS256', 'ES256'] as JwtAlgorithm[],
  // Small: enough for clock skew between hosts, not enough to stretch a token's life.
  clock_tolerance_seconds: 30,
  caller_claim: 'sub',
  scopes_claim: 'scope',
  jwks_timeout_ms: 2000,
  jwks_cooldown_ms: 30_000,
  jwks_cache_max_age_ms: 600_000,
  jwks_max_bytes: 256 * 1024,
});

export const DEFAULT_ADMISSION: Readonly<AdmissionConfig> = Object.freeze({
  default_mode: 'enforce',
  // Fail closed: a webhook that cannot decide refuses (the Helm chart's failurePolicy is Fail too).
  failure_mode: 'deny',
  // Below the webhook's timeoutSeconds (Helm default 5 s): the API server always gets our answer,
  // never its own timeout.
  timeout_ms: 3000,
  annotation_prefix: 'pdp.ai-governance.io/',
  namespaces: {},
});

/** Client-certificate mode when a client CA is configured and nothing else is said. */
/** AuthZEN: a decision document at data.authzen.decision (reasons and obligations reach the
 * PEP), and MCP tool calls (COAZ-MCP: resource type "tool", action "tools/call") answered by the
 * tool-call decision, its candidates the tool catalog. */
export const DEFAULT_AUTHZEN: Readonly<AuthzenConfig> = Object.freeze<AuthzenConfig>({
  decision: 'authzen/decision',
  rules: [
    { resource_type: 'tool', action_name: 'tools/call', decision: 'ai/tools/decision', input: 'mcp-tool-call', candidates: 'ai/tools/authzen_candidates' },
  ],
  candidates: 'authzen/candidates',
  pdp_url: '',
  // A batch is answered in one request: bounded so one caller cannot hold the event loop.
  max_evaluations: 100,
  max_candidates: 1000,
});

export const DEFAULT_TLS_CLIENT_AUTH = 'require';
export const DEFAULT_TLS_RELOAD_INTERVAL_MS = 60_000;

export const DEFAULT_TRACING: Readonly<TracingConfig> = Object.freeze({ disabled: false });

export const DEFAULT_BUNDLE_NAME = 'ai-governance';
/** Name given to the bundle described by PDP_BUNDLE_PATH / PDP_BUNDLE_URL unless PDP_BUNDLE_NAME says otherwise. */
export const ENV_BUNDLE_NAME = 'main';
export const DEFAULT_POLL_INTERVAL_MS = 30_000;

export function embeddedBundle(): BundleConfig {
  return { name: DEFAULT_BUNDLE_NAME, path: defaultPoliciesDir, watch: true };
}
