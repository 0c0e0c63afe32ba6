// The validated service configuration. Shapes mirror schemas/config.json (snake_case, like the
// config file), so there is one vocabulary from file to code.

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface ServerConfig {
  host: string;
  port: number;
  body_limit_bytes: number;
  max_json_depth: number;
  shutdown_timeout_ms: number;
  /** Processes serving requests (node:cluster): a positive integer, or "auto" = the CPUs this
   * process may use (cgroup quota, affinity). 1 = one process, no cluster. Optional in the type
   * only so hand-built configs (tests) need not name it; the defaults fill it. */
  workers?: number | 'auto';
  log_level: LogLevel;
  /** Per-request access log lines; off by default because the decision log is the audit trail. */
  request_logging: boolean;
  /** Listen with TLS (and, with client_ca_file, authenticate callers by client certificate). */
  tls?: TlsConfig;
  request_timeout_ms: number;
  headers_timeout_ms: number;
  keep_alive_timeout_ms: number;
  /** 0 = derived from the process's open-file limit. */
  max_connections: number;
  max_json_nodes: number;
  max_validation_errors: number;
  load_shedding: LoadSheddingConfig;
  rate_limit: RateLimitConfig;
  /** gzip responses (OPA's server.encoding.gzip); the defaults fill it. */
  gzip?: GzipConfig;
}

export interface GzipConfig {
  /** Smallest response body (bytes) that is compressed. */
  min_length: number;
  /** 1..9 */
  compression_level: number;
}

/** OPA compatibility settings. */
export interface OpaConfig {
  /** The document POST / answers, e.g. "/system/main" (OPA's default_decision). */
  default_decision: string;
  /** Most inputs one POST /v1/batch/data request may carry (more: 400). */
  batch_max_inputs: number;
  /** OPA's routes read a body of any Content-Type (or none) as JSON, as OPA does. */
  any_content_type: boolean;
}

/** TLS towards a server this service calls (bundle server, decision-log endpoint). Paths are
 * absolute after loading. */
export interface ClientTlsConfig {
  ca_file?: string;
  /** Both or neither (checked at load). */
  cert_file?: string;
  key_file?: string;
}

/** 0 = that check is off. */
export interface LoadSheddingConfig {
  max_event_loop_delay_ms: number;
  max_heap_used_bytes: number;
}

export interface RateLimitConfig {
  /** Requests per caller per window; 0 = no limit. */
  max: number;
  window_ms: number;
}

export interface TlsConfig {
  /** Both or neither (checked at load). */
  cert_file?: string;
  key_file?: string;
  client_ca_file?: string;
  /** Default "require" when client_ca_file is set. */
  client_auth?: 'require' | 'optional';
  /** Default DEFAULT_TLS_RELOAD_INTERVAL_MS; 0 = never. */
  reload_interval_ms?: number;
}

export interface EvaluationConfig {
  timeout_ms: number;
  max_steps: number;
  max_output_size: number;
  /** Compile the decision endpoints' documents to JavaScript at activation (src/rego/js); default true. */
  compile_js?: boolean;
}

export interface BundleConfig {
  name: string;
  /** Exactly one of path / url / oci (checked at load). Paths are absolute after loading. */
  path?: string;
  url?: string;
  /** OCI registry reference: http(s)://registry/repository:tag */
  oci?: string;
  watch?: boolean;
  poll_interval_ms?: number;
  /** HTTP long polling: the server may hold each request this long (Prefer: wait=N). */
  long_polling_timeout_seconds?: number;
  headers?: Record<string, string>;
  /** Directory sources: quiet period between the two reads that must agree (default 1000). */
  settle_ms?: number;
  data_only?: boolean;
  /** The one signing key that verifies this bundle. */
  signing_key_id?: string;
  tls?: ClientTlsConfig;
  /** Read for every request (rotated tokens); sent as `Authorization: <token_scheme> <token>`. */
  token_file?: string;
  /** Default "Bearer". */
  token_scheme?: string;
}

export interface SigningKeyConfig {
  key_id: string;
  algorithm: string;
  /** Always set after loading (key_file is read at start). */
  key: string;
  key_file?: string;
}

export interface SigningConfig {
  required: boolean;
  scope?: string;
  reject_rollback?: boolean;
  keys: SigningKeyConfig[];
}

export interface LimitsConfig {
  max_compressed_bytes: number;
  max_uncompressed_bytes: number;
  max_files: number;
}

export interface CacheConfig {
  enabled: boolean;
  ttl_seconds: number;
  max_entries: number;
  /** In-process tier bound on the cached results' estimated JSON size. */
  max_bytes: number;
  /** Decision request bodies kept parsed while they repeat (src/api/repeated-bodies.ts); 0: off. */
  repeated_bodies_bytes?: number;
  /** Keys and authenticates what the Redis tier stores; unset: a random secret per process. */
  secret?: string;
}

/** At most one of url / cluster_nodes / sentinels (checked at load); none = no Redis. */
export interface RedisConfig {
  url?: string;
  cluster_nodes?: string[];
  sentinels?: string[];
  sentinel_name?: string;
  username?: string;
  password?: string;
  sentinel_password?: string;
  tls: boolean;
  key_prefix: string;
  /** Per-command deadline (ioredis `commandTimeout`, and our own guard around each call). */
  command_timeout_ms: number;
  connect_timeout_ms: number;
  /** Small on purpose: a request must not wait through reconnect attempts. */
  max_retries_per_request: number;
  breaker_failures: number;
  breaker_cooldown_ms: number;
}

export interface DecisionLogConfig {
  stdout: boolean;
  redis_stream: 'auto' | boolean;
  /** Default: `<redis.key_prefix>{decisions}:stream`. */
  redis_stream_key?: string;
  redis_maxlen: number;
  url?: string;
  auth_token?: string;
  /** Read for every upload (rotated tokens); not with auth_token. */
  token_file?: string;
  /** Scheme of the Authorization header for auth_token / token_file; default "Bearer". */
  token_scheme?: string;
  /** Extra headers sent with every upload (OPA's service headers). */
  headers?: Record<string, string>;
  tls?: ClientTlsConfig;
  /** Largest gzipped upload; a larger batch is split. 0 = no limit. */
  upload_max_bytes: number;
  upload_timeout_ms: number;
  upload_interval_ms: number;
  batch_size: number;
  buffer_size: number;
  /** Per-sink bound on the buffered records' JSON size (characters ≈ bytes). */
  buffer_max_bytes: number;
  mask_paths: string[];
  policy_mask: boolean;
  mask_decision: string;
  /** Run the default bundle's mask program (policies/system/log/mask.rego) natively where the
   * active bundle holds it unchanged but for its field lists; false always evaluates the Rego. */
  native_mask: boolean;
  /** Evaluated per record with the record as input (OPA's system.log.drop): true → not logged. */
  drop_decision: string;
  /** Raw logging: the bundle's mask is not applied (mask_paths still are); records say so. */
  raw: boolean;
  /** Records carry the results of non-deterministic builtins (OPA's nd_builtin_cache). */
  nd_builtin_cache: boolean;
  retention_seconds: number;
  store_max_entries: number;
  store_max_bytes: number;
  /** Header naming the user a gateway acts for (recorded as asserted, for callers allowed to
   * assert it); "" = ignore it. */
  caller_header: string;
  flush_timeout_ms: number;
  /** Records still undelivered at shutdown are appended here (JSON lines). */
  spill_file?: string;
}

export interface TracingConfig {
  disabled: boolean;
  /** Comma-separated: otlp, console, none. Unset: otlp when an endpoint is set, else none. */
  exporter?: string;
  endpoint?: string;
  traces_endpoint?: string;
  service_name?: string;
}

export interface ApiKeyConfig {
  /** The caller id recorded for this key. */
  name: string;
  /** Lower-case hex sha256 of the key; the key itself is never stored. */
  sha256: string;
  scopes: string[];
}

export type JwtAlgorithm = 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512' | 'EdDSA';

export interface JwtConfig {
  /** Exactly one of jwks_url / key_file (checked at load). */
  jwks_url?: string;
  key_file?: string;
  issuer: string;
  audience: string;
  algorithms: JwtAlgorithm[];
  clock_tolerance_seconds: number;
  caller_claim: string;
  scopes_claim: string;
  jwks_timeout_ms: number;
  jwks_cooldown_ms: number;
  jwks_cache_max_age_ms: number;
  jwks_max_bytes: number;
}

export interface MtlsIdentityConfig {
  /** Matched against the client certificate's subject CN and SAN values. */
  name: string;
  scopes: string[];
}

export interface AuthConfig {
  /** auto: whatever is configured authenticates (nothing configured: loopback only); none: no authentication. */
  mode: 'auto' | 'none';
  api_keys: ApiKeyConfig[];
  jwt?: JwtConfig;
  mtls_identities: MtlsIdentityConfig[];
  authorization: 'scopes' | 'policy';
  /** Decision path of the authorization policy (authorization "policy"). */
  authorization_decision: string;
  max_credential_bytes: number;
}

/** enforce: a deny refuses the object; warn: allowed with the reasons as warnings; audit: allowed, recorded only. */
export type AdmissionMode = 'enforce' | 'warn' | 'audit';

/** The deployment target a namespace is. */
export interface AdmissionNamespace {
  environment: string;
  exposure?: string;
  region?: string;
  cluster?: string;
  mode?: AdmissionMode;
}

/** The Kubernetes validating admission webhook (src/admission, src/plugins/admission.ts). */
export interface AdmissionConfig {
  default_mode: AdmissionMode;
  /** The answer when the webhook cannot decide in time or at all. */
  failure_mode: 'deny' | 'allow';
  timeout_ms: number;
  /** e.g. "pdp.ai-governance.io/": annotations <prefix>name, <prefix>version, … */
  annotation_prefix: string;
  namespaces: Record<string, AdmissionNamespace>;
}

/** One AuthZEN mapping rule: requests with this resource.type / action.name are answered by `decision`. */
export interface AuthzenRuleConfig {
  resource_type?: string;
  action_name?: string;
  decision: string;
  /** How the policy input is made: the AuthZEN entities as sent, or the COAZ-MCP tool-call mapping. */
  input?: 'authzen' | 'mcp-tool-call';
  candidates?: string;
}

/** The AuthZEN Authorization API (src/plugins/authzen.ts, docs/authzen.md). */
export interface AuthzenConfig {
  decision: string;
  rules: AuthzenRuleConfig[];
  candidates: string;
  /** "" = derived from the metadata request. */
  pdp_url: string;
  max_evaluations: number;
  max_candidates: number;
  /** Signs search page tokens; unset: a random key per process (tokens valid on this replica only). */
  page_token_secret?: string;
}

export interface PdpConfig {
  server: ServerConfig;
  evaluation: EvaluationConfig;
  bundles: BundleConfig[];
  signing?: SigningConfig;
  persist_dir?: string;
  limits: LimitsConfig;
  cache: CacheConfig;
  redis: RedisConfig;
  decision_log: DecisionLogConfig;
  tracing: TracingConfig;
  auth: AuthConfig;
  admission: AdmissionConfig;
  authzen: AuthzenConfig;
  /** Identify this instance (OPA's labels), in decision records and the OPA-shaped status. */
  labels?: Record<string, string>;
  /** OPA-compatibility settings. */
  opa?: OpaConfig;
}

/** One bad value, named the way the operator wrote it (env var name or file + key). */
export interface ConfigIssue {
  /** e.g. "PDP_PORT" or "/etc/pdp.yaml: server.port" */
  source: string;
  message: string;
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly issues: readonly ConfigIssue[];

  constructor(issues: ConfigIssue[]) {
    super(
      `invalid configuration (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` + issues.map((i) => `  - ${i.source}: ${i.message}`).join('\n'),
    );
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

export interface LoadedConfig {
  config: PdpConfig;
  /** Non-fatal findings, e.g. an unknown PDP_* variable (likely a typo). */
  warnings: string[];
  /** The config file read, if any. */
  file?: string;
}
