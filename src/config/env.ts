// Every environment variable the service reads, in one table: the loader uses it to build the
// env layer and to name the variable in error messages; docs/operations.md's table is checked
// against it. A variable marked secret may also be given as NAME_FILE (a file holding the value).

/** list: comma-separated; auto-boolean: "auto" or a boolean. */
export type EnvType = 'string' | 'integer' | 'boolean' | 'list' | 'auto-boolean';

export interface EnvVar {
  name: string;
  /** JSON pointer into the merged config this variable sets. */
  pointer: string;
  type: EnvType;
  /** Default as shown to operators ("" = unset). */
  default: string;
  description: string;
  /** Never echoed in error messages or printed; may also be given as NAME_FILE. */
  secret?: boolean;
  /** An empty value means "" (not unset). */
  allowEmpty?: boolean;
}

export const CONFIG_FILE_VAR = 'PDP_CONFIG';

/** Prefixes of this service's own variables: an unknown name with one of them is a likely typo. */
export const OWN_PREFIXES: readonly string[] = ['PDP_', 'REDIS_'];

export const ENV_VARS: readonly EnvVar[] = [
  { name: 'PDP_HOST', pointer: '/server/host', type: 'string', default: '0.0.0.0', description: 'Interface to listen on.' },
  { name: 'PDP_PORT', pointer: '/server/port', type: 'integer', default: '8181', description: 'TCP port (OPA\'s port, so OPA clients work unchanged). 0 = any free port.' },
  { name: 'PDP_BODY_LIMIT_BYTES', pointer: '/server/body_limit_bytes', type: 'integer', default: '1048576', description: 'Largest accepted request body; larger → 413.' },
  { name: 'PDP_MAX_JSON_DEPTH', pointer: '/server/max_json_depth', type: 'integer', default: '64', description: 'Deepest accepted JSON nesting; deeper → 400.' },
  { name: 'PDP_SHUTDOWN_TIMEOUT_MS', pointer: '/server/shutdown_timeout_ms', type: 'integer', default: '10000', description: 'On SIGTERM/SIGINT, how long to drain in-flight requests before exiting anyway.' },
  { name: 'PDP_LOG_LEVEL', pointer: '/server/log_level', type: 'string', default: 'info', description: 'fatal, error, warn, info, debug, trace or silent.' },
  { name: 'PDP_REQUEST_LOGGING', pointer: '/server/request_logging', type: 'boolean', default: 'false', description: 'One access-log line per request (the decision log is the audit trail).' },
  { name: 'PDP_EVAL_TIMEOUT_MS', pointer: '/evaluation/timeout_ms', type: 'integer', default: '250', description: 'Wall-clock budget per evaluation; exceeded → deny EVALUATION_ERROR.' },
  { name: 'PDP_EVAL_MAX_STEPS', pointer: '/evaluation/max_steps', type: 'integer', default: '1000000', description: 'Step budget per evaluation (Rego engine).' },
  { name: 'PDP_EVAL_MAX_OUTPUT_SIZE', pointer: '/evaluation/max_output_size', type: 'integer', default: '1000000', description: 'Largest value (in nodes) an evaluation may build.' },
  { name: 'PDP_BUNDLE_PATH', pointer: '/bundles/0/path', type: 'string', default: '', description: 'Serve the bundle at this directory or .tar.gz (replaces the embedded policies/ and any bundles in the config file).' },
  { name: 'PDP_BUNDLE_URL', pointer: '/bundles/0/url', type: 'string', default: '', description: 'Serve the bundle from this HTTP(S) bundle server, polled with ETag (replaces the embedded policies/ and config-file bundles).' },
  { name: 'PDP_BUNDLE_NAME', pointer: '/bundles/0/name', type: 'string', default: 'ai-governance (embedded) / main', description: 'Name of that bundle (shown in /v1/status and in every decision).' },
  { name: 'PDP_BUNDLE_WATCH', pointer: '/bundles/0/watch', type: 'boolean', default: 'true', description: 'Watch a local bundle path and reload on change.' },
  { name: 'PDP_BUNDLE_POLL_INTERVAL_MS', pointer: '/bundles/0/poll_interval_ms', type: 'integer', default: '30000', description: 'How often to poll the bundle server (for a local path: an optional re-read interval besides watching, for volumes where file events are missed).' },
  { name: 'PDP_BUNDLE_AUTH_TOKEN', pointer: '/bundles/0/headers/Authorization', type: 'string', default: '', description: 'Bearer token sent to the bundle server.', secret: true },
  { name: 'PDP_BUNDLE_PERSIST_DIR', pointer: '/persist_dir', type: 'string', default: '', description: 'Keep the last good downloaded bundle here, so a restart while the bundle server is down still serves.' },
  { name: 'PDP_BUNDLE_REQUIRE_SIGNATURE', pointer: '/signing/required', type: 'boolean', default: 'false', description: 'Refuse bundles without a valid .signatures.json.' },
  { name: 'PDP_BUNDLE_SIGNING_KEY', pointer: '/signing/keys/0/key', type: 'string', default: '', description: 'Verification key: PEM public key (RSA/ECDSA) or HMAC secret.', secret: true },
  { name: 'PDP_BUNDLE_SIGNING_KEY_FILE', pointer: '/signing/keys/0/key_file', type: 'string', default: '', description: 'File holding the verification key (instead of PDP_BUNDLE_SIGNING_KEY).' },
  { name: 'PDP_BUNDLE_SIGNING_KEY_ID', pointer: '/signing/keys/0/key_id', type: 'string', default: 'default', description: 'Key id (the JWT `kid` the bundle\'s signature names).' },
  { name: 'PDP_BUNDLE_SIGNING_ALG', pointer: '/signing/keys/0/algorithm', type: 'string', default: 'RS256', description: 'RS256/384/512, PS256/384/512, ES256/384/512, HS256/384/512.' },
  { name: 'PDP_BUNDLE_SIGNING_SCOPE', pointer: '/signing/scope', type: 'string', default: '', description: 'Required `scope` claim in the signature, if any.' },
  { name: 'PDP_BUNDLE_MAX_COMPRESSED_BYTES', pointer: '/limits/max_compressed_bytes', type: 'integer', default: '33554432', description: 'Largest bundle tarball accepted.' },
  { name: 'PDP_BUNDLE_MAX_UNCOMPRESSED_BYTES', pointer: '/limits/max_uncompressed_bytes', type: 'integer', default: '134217728', description: 'Largest total unpacked bundle size (decompression-bomb guard).' },
  { name: 'PDP_BUNDLE_MAX_FILES', pointer: '/limits/max_files', type: 'integer', default: '10000', description: 'Most files in one bundle.' },
  { name: 'PDP_CACHE_ENABLED', pointer: '/cache/enabled', type: 'boolean', default: 'true', description: 'Cache decisions (false turns the whole cache off).' },
  { name: 'PDP_CACHE_TTL_SECONDS', pointer: '/cache/ttl_seconds', type: 'integer', default: '60', description: 'Upper bound for every cache entry\'s lifetime.' },
  { name: 'PDP_CACHE_MAX_ENTRIES', pointer: '/cache/max_entries', type: 'integer', default: '10000', description: 'In-process cache bound (entries).' },
  { name: 'PDP_CACHE_MAX_BYTES', pointer: '/cache/max_bytes', type: 'integer', default: '67108864', description: 'In-process cache bound on the cached results\' estimated JSON size (64 MiB); a larger single result is not cached.' },
  { name: 'REDIS_URL', pointer: '/redis/url', type: 'string', default: '', description: 'Standalone Redis (redis:// or rediss://), shared by the cache and the decision log. Unset (with the two below) = no Redis.', secret: true },
  { name: 'REDIS_CLUSTER_NODES', pointer: '/redis/cluster_nodes', type: 'list', default: '', description: 'Redis Cluster seed nodes, host:port,host:port (instead of REDIS_URL).' },
  { name: 'REDIS_SENTINELS', pointer: '/redis/sentinels', type: 'list', default: '', description: 'Redis Sentinel nodes, host:port,… (instead of REDIS_URL); needs REDIS_SENTINEL_NAME.' },
  { name: 'REDIS_SENTINEL_NAME', pointer: '/redis/sentinel_name', type: 'string', default: '', description: 'The monitored master group name (with REDIS_SENTINELS).' },
  { name: 'REDIS_USERNAME', pointer: '/redis/username', type: 'string', default: '', description: 'Redis ACL user.' },
  { name: 'REDIS_PASSWORD', pointer: '/redis/password', type: 'string', default: '', description: 'Redis password.', secret: true },
  { name: 'REDIS_SENTINEL_PASSWORD', pointer: '/redis/sentinel_password', type: 'string', default: '', description: 'Password of the Sentinel nodes.', secret: true },
  { name: 'REDIS_TLS', pointer: '/redis/tls', type: 'boolean', default: 'false', description: 'TLS to Redis (rediss:// URLs imply it).' },
  { name: 'REDIS_KEY_PREFIX', pointer: '/redis/key_prefix', type: 'string', default: 'pdp:', description: 'Prefix of every key this service writes.' },
  { name: 'REDIS_COMMAND_TIMEOUT_MS', pointer: '/redis/command_timeout_ms', type: 'integer', default: '100', description: 'Deadline per Redis command; a slow Redis is a cache miss, never a failed decision.' },
  { name: 'REDIS_CONNECT_TIMEOUT_MS', pointer: '/redis/connect_timeout_ms', type: 'integer', default: '1000', description: 'Deadline per connection attempt.' },
  { name: 'REDIS_MAX_RETRIES_PER_REQUEST', pointer: '/redis/max_retries_per_request', type: 'integer', default: '1', description: 'Retries of one command while reconnecting.' },
  { name: 'REDIS_BREAKER_FAILURES', pointer: '/redis/breaker_failures', type: 'integer', default: '5', description: 'Consecutive failures that open the cache\'s circuit breaker.' },
  { name: 'REDIS_BREAKER_COOLDOWN_MS', pointer: '/redis/breaker_cooldown_ms', type: 'integer', default: '2000', description: 'How long the breaker stays open before one probe.' },
  { name: 'PDP_DECISION_LOG_STDOUT', pointer: '/decision_log/stdout', type: 'boolean', default: 'true', description: 'Decision log records as JSON lines on stdout.' },
  { name: 'PDP_DECISION_LOG_REDIS_STREAM', pointer: '/decision_log/redis_stream', type: 'auto-boolean', default: 'auto', description: 'Redis Stream sink; auto = on when Redis is configured.' },
  { name: 'PDP_DECISION_LOG_REDIS_STREAM_KEY', pointer: '/decision_log/redis_stream_key', type: 'string', default: '<REDIS_KEY_PREFIX>{decisions}:stream', description: 'The stream\'s key.' },
  { name: 'PDP_DECISION_LOG_REDIS_MAXLEN', pointer: '/decision_log/redis_maxlen', type: 'integer', default: '100000', description: 'Approximate stream length cap (XADD MAXLEN ~).' },
  { name: 'PDP_DECISION_LOG_URL', pointer: '/decision_log/url', type: 'string', default: '', description: 'OPA-compatible HTTP upload endpoint (full URL, e.g. https://logs.example/logs).' },
  { name: 'PDP_DECISION_LOG_AUTH_TOKEN', pointer: '/decision_log/auth_token', type: 'string', default: '', description: 'Bearer token for that endpoint.', secret: true },
  { name: 'PDP_DECISION_LOG_UPLOAD_TIMEOUT_MS', pointer: '/decision_log/upload_timeout_ms', type: 'integer', default: '5000', description: 'Deadline per upload.' },
  { name: 'PDP_DECISION_LOG_UPLOAD_INTERVAL_MS', pointer: '/decision_log/upload_interval_ms', type: 'integer', default: '1000', description: 'Longest a record waits to be batched for upload.' },
  { name: 'PDP_DECISION_LOG_BATCH_SIZE', pointer: '/decision_log/batch_size', type: 'integer', default: '500', description: 'Records per upload / per Redis pipeline.' },
  { name: 'PDP_DECISION_LOG_BUFFER_SIZE', pointer: '/decision_log/buffer_size', type: 'integer', default: '10000', description: 'Per-sink buffer; past it the oldest records are dropped (counted).' },
  { name: 'PDP_DECISION_LOG_BUFFER_MAX_BYTES', pointer: '/decision_log/buffer_max_bytes', type: 'integer', default: '33554432', description: 'Per-sink buffer bound on the records\' JSON size (32 MiB).' },
  { name: 'PDP_DECISION_LOG_MASK_PATHS', pointer: '/decision_log/mask_paths', type: 'list', default: '', description: 'Comma-separated JSON pointers to erase from every record, `*` = any key.' },
  { name: 'PDP_DECISION_LOG_POLICY_MASK', pointer: '/decision_log/policy_mask', type: 'boolean', default: 'true', description: 'Apply the bundle\'s mask policy (data.system.log.mask).' },
  { name: 'PDP_DECISION_LOG_MASK_DECISION', pointer: '/decision_log/mask_decision', type: 'string', default: 'system/log/mask', description: 'Path of that mask policy.' },
  { name: 'PDP_DECISION_LOG_RETENTION_SECONDS', pointer: '/decision_log/retention_seconds', type: 'integer', default: '3600', description: 'How long GET /v1/decisions/{id} can find a record.' },
  { name: 'PDP_DECISION_LOG_STORE_MAX_ENTRIES', pointer: '/decision_log/store_max_entries', type: 'integer', default: '10000', description: 'Records kept in memory for that lookup.' },
  { name: 'PDP_DECISION_LOG_STORE_MAX_BYTES', pointer: '/decision_log/store_max_bytes', type: 'integer', default: '67108864', description: 'Bound on their JSON size (64 MiB).' },
  { name: 'PDP_DECISION_LOG_CALLER_HEADER', pointer: '/decision_log/caller_header', type: 'string', default: 'x-pdp-caller', description: 'Header naming the caller in each record (empty = the peer address only).', allowEmpty: true },
  { name: 'PDP_DECISION_LOG_FLUSH_TIMEOUT_MS', pointer: '/decision_log/flush_timeout_ms', type: 'integer', default: '5000', description: 'On shutdown, how long to try delivering what is buffered.' },
  { name: 'OTEL_SDK_DISABLED', pointer: '/tracing/disabled', type: 'boolean', default: 'false', description: 'No tracing SDK at all (answers carry no trace_id).' },
  { name: 'OTEL_TRACES_EXPORTER', pointer: '/tracing/exporter', type: 'string', default: '', description: 'otlp, console or none (comma-separated). Unset: otlp when an endpoint is set, else spans are made (real trace ids) but not exported.' },
  { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', pointer: '/tracing/endpoint', type: 'string', default: '', description: 'OTLP/HTTP collector base URL (/v1/traces is appended).' },
  { name: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', pointer: '/tracing/traces_endpoint', type: 'string', default: '', description: 'OTLP/HTTP traces URL, used as is.' },
  { name: 'OTEL_SERVICE_NAME', pointer: '/tracing/service_name', type: 'string', default: 'ai-governance-pdp', description: 'service.name of the spans.' },
];
