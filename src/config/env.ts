// Every environment variable the service reads, in one table: the loader uses it to build the
// env layer and to name the variable in error messages; docs/operations.md's table is checked
// against it. A variable marked secret may also be given as NAME_FILE (a file holding the value).

/** list: comma-separated; auto-boolean: "auto" or a boolean; auto-integer: "auto" or an
 * integer; json: a JSON value (YAML is accepted
 * too, so a mounted file may be either). */
export type EnvType = 'string' | 'integer' | 'boolean' | 'list' | 'auto-boolean' | 'auto-integer' | 'json';

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
  {
    name: 'PDP_HOST',
    pointer: '/server/host',
    type: 'string',
    default: '127.0.0.1',
    description:
      'Interface to listen on. Any address but loopback (`127.0.0.1`, `::1`, `localhost`) needs caller authentication configured, or `PDP_AUTH_MODE=none`; otherwise the service refuses to start.',
  },
  {
    name: 'PDP_PORT',
    pointer: '/server/port',
    type: 'integer',
    default: '8181',
    description: "TCP port (OPA's port, so OPA clients work unchanged). 0 = any free port.",
  },
  {
    name: 'PDP_BODY_LIMIT_BYTES',
    pointer: '/server/body_limit_bytes',
    type: 'integer',
    default: '1048576',
    description: 'Largest accepted request body; larger → 413.',
  },
  {
    name: 'PDP_MAX_JSON_DEPTH',
    pointer: '/server/max_json_depth',
    type: 'integer',
    default: '64',
    description: 'Deepest accepted JSON nesting; deeper → 400.',
  },
  {
    name: 'PDP_GZIP_MIN_LENGTH',
    pointer: '/server/gzip/min_length',
    type: 'integer',
    default: '1024',
    description:
      "Responses of at least this many bytes are gzip-compressed when the client sends `Accept-Encoding: gzip` (OPA's `server.encoding.gzip.min_length`).",
  },
  {
    name: 'PDP_GZIP_COMPRESSION_LEVEL',
    pointer: '/server/gzip/compression_level',
    type: 'integer',
    default: '9',
    description: "gzip level for responses, 1 (fastest) to 9 (smallest) (OPA's `server.encoding.gzip.compression_level`).",
  },
  {
    name: 'PDP_OPA_DEFAULT_DECISION',
    pointer: '/opa/default_decision',
    type: 'string',
    default: '/system/main',
    description: "The document `POST /` answers (OPA's `default_decision`); undefined there → 404 `undefined_document`.",
  },
  {
    name: 'PDP_OPA_BATCH_MAX_INPUTS',
    pointer: '/opa/batch_max_inputs',
    type: 'integer',
    default: '100',
    description:
      "Most inputs one `POST /v1/batch/data` request (Enterprise OPA's batch API, the SDKs' `evaluateBatch`) may carry; more → 400 naming `/inputs`. Each input is one decision and one record: the bound keeps one request from costing more than that many.",
  },
  {
    name: 'PDP_OPA_ANY_CONTENT_TYPE',
    pointer: '/opa/any_content_type',
    type: 'boolean',
    default: 'false',
    description:
      "OPA's routes (Data API, `POST /`, `/v0/data`, `/v1/query`, `/v1/batch/data`) read a body of any `Content-Type`, or none, as JSON, as OPA does (`curl -d` sends `application/x-www-form-urlencoded`). Off: they take JSON and YAML types only (415 otherwise), because a browser can send the other types cross-site without a preflight; turn it on only where callers authenticate with tokens (API keys or JWTs: a cross-site form cannot send the `Authorization` header) or no browser can reach the service. The service's own routes never do.",
  },
  {
    name: 'PDP_SHUTDOWN_TIMEOUT_MS',
    pointer: '/server/shutdown_timeout_ms',
    type: 'integer',
    default: '10000',
    description: 'On SIGTERM/SIGINT, how long to drain in-flight requests before exiting anyway.',
  },
  {
    name: 'PDP_WORKERS',
    pointer: '/server/workers',
    type: 'auto-integer',
    default: 'auto',
    description:
      'Processes serving requests on the one port (node:cluster), each with its own event loop, bundles and in-process cache. `auto` = the CPUs the process may use (cgroup CPU quota rounded up, CPU affinity); `1` = one process, no cluster.',
  },
  { name: 'PDP_LOG_LEVEL', pointer: '/server/log_level', type: 'string', default: 'info', description: 'fatal, error, warn, info, debug, trace or silent.' },
  {
    name: 'PDP_REQUEST_LOGGING',
    pointer: '/server/request_logging',
    type: 'boolean',
    default: 'false',
    description: 'One access-log line per request (the decision log is the audit trail).',
  },
  {
    name: 'PDP_REQUEST_TIMEOUT_MS',
    pointer: '/server/request_timeout_ms',
    type: 'integer',
    default: '10000',
    description: 'How long a client may take to send a whole request (headers and body); slower connections are closed.',
  },
  {
    name: 'PDP_HEADERS_TIMEOUT_MS',
    pointer: '/server/headers_timeout_ms',
    type: 'integer',
    default: '5000',
    description: 'How long a client may take to send the request headers; at most `PDP_REQUEST_TIMEOUT_MS`.',
  },
  {
    name: 'PDP_KEEP_ALIVE_TIMEOUT_MS',
    pointer: '/server/keep_alive_timeout_ms',
    type: 'integer',
    default: '5000',
    description: 'How long an idle keep-alive connection stays open between requests.',
  },
  {
    name: 'PDP_MAX_CONNECTIONS',
    pointer: '/server/max_connections',
    type: 'integer',
    default: '0',
    description: "Most open connections; more are closed at once. `0` = the process's soft open-file limit less 128 (kept for bundles, Redis and log sinks).",
  },
  {
    name: 'PDP_MAX_JSON_NODES',
    pointer: '/server/max_json_nodes',
    type: 'integer',
    default: '100000',
    description: 'Most JSON values (objects, arrays, scalars) in a request body, counted before parsing; more → 413.',
  },
  {
    name: 'PDP_MAX_VALIDATION_ERRORS',
    pointer: '/server/max_validation_errors',
    type: 'integer',
    default: '10',
    description: 'Most schema errors one 400 answer lists; validation of a large invalid body stops at the first.',
  },
  {
    name: 'PDP_SHED_EVENT_LOOP_DELAY_MS',
    pointer: '/server/load_shedding/max_event_loop_delay_ms',
    type: 'integer',
    default: '0',
    description:
      'While the event-loop delay exceeds this, requests get 503 (decision routes: a deny, `OVERLOADED`) instead of queueing; `0` = off. The reading lags a second: after a long bundle compile it sheds for about that long, so set it well above your largest activation time (1000 is a reasonable start).',
  },
  {
    name: 'PDP_SHED_HEAP_USED_BYTES',
    pointer: '/server/load_shedding/max_heap_used_bytes',
    type: 'integer',
    default: '0',
    description: 'While the V8 heap in use exceeds this, requests get 503 as above; `0` = off.',
  },
  {
    name: 'PDP_RATE_LIMIT_MAX',
    pointer: '/server/rate_limit/max',
    type: 'integer',
    default: '0',
    description: 'Requests per caller (the authenticated caller, else the peer address) per window; over it → 429 with `retry-after`. `0` = no limit.',
  },
  {
    name: 'PDP_RATE_LIMIT_WINDOW_MS',
    pointer: '/server/rate_limit/window_ms',
    type: 'integer',
    default: '1000',
    description: 'The rate-limit window.',
  },
  {
    name: 'PDP_TLS_CERT_FILE',
    pointer: '/server/tls/cert_file',
    type: 'string',
    default: '',
    description: 'Serve HTTPS with this PEM certificate (chain); needs `PDP_TLS_KEY_FILE`.',
  },
  { name: 'PDP_TLS_KEY_FILE', pointer: '/server/tls/key_file', type: 'string', default: '', description: 'PEM private key of that certificate.' },
  {
    name: 'PDP_TLS_CLIENT_CA_FILE',
    pointer: '/server/tls/client_ca_file',
    type: 'string',
    default: '',
    description:
      "PEM CA bundle for client certificates (mTLS): a client whose certificate chains to it is authenticated as the certificate's subject CN (else its first SAN).",
  },
  {
    name: 'PDP_TLS_CLIENT_AUTH',
    pointer: '/server/tls/client_auth',
    type: 'string',
    default: 'require',
    description:
      '`require`: the TLS handshake refuses clients without a valid certificate. `optional`: they may still authenticate with a bearer credential, and reach `/health` and `/ready` (kubelet probes present no certificate).',
  },
  {
    name: 'PDP_TLS_RELOAD_INTERVAL_MS',
    pointer: '/server/tls/reload_interval_ms',
    type: 'integer',
    default: '60000',
    description: 'How often the certificate, key and CA files are checked for changes and reloaded without a restart (cert-manager renewals); 0 = never.',
  },
  {
    name: 'PDP_EVAL_TIMEOUT_MS',
    pointer: '/evaluation/timeout_ms',
    type: 'integer',
    default: '250',
    description: 'Wall-clock budget per evaluation; exceeded → deny EVALUATION_ERROR.',
  },
  {
    name: 'PDP_EVAL_MAX_STEPS',
    pointer: '/evaluation/max_steps',
    type: 'integer',
    default: '1000000',
    description: 'Step budget per evaluation (Rego engine).',
  },
  {
    name: 'PDP_EVAL_MAX_OUTPUT_SIZE',
    pointer: '/evaluation/max_output_size',
    type: 'integer',
    default: '1000000',
    description: 'Largest value (in nodes) an evaluation may build.',
  },
  {
    name: 'PDP_EVAL_COMPILE_JS',
    pointer: '/evaluation/compile_js',
    type: 'boolean',
    default: 'true',
    description:
      "Compile the decision endpoints' documents to JavaScript at each bundle activation (tens of milliseconds more per activation) and evaluate them with the generated code; traced, strict and printing evaluations, and documents the compiler cannot plan, stay with the evaluator. `false` evaluates every document with the evaluator.",
  },
  {
    name: 'PDP_BUNDLE_PATH',
    pointer: '/bundles/0/path',
    type: 'string',
    default: '',
    description: 'Serve the bundle at this directory or .tar.gz (replaces the embedded policies/ and any bundles in the config file).',
  },
  {
    name: 'PDP_BUNDLE_URL',
    pointer: '/bundles/0/url',
    type: 'string',
    default: '',
    description: 'Serve the bundle from this HTTP(S) bundle server, polled with ETag (replaces the embedded policies/ and config-file bundles).',
  },
  {
    name: 'PDP_BUNDLE_OCI',
    pointer: '/bundles/0/oci',
    type: 'string',
    default: '',
    description:
      'Pull the bundle from an OCI registry, as OPA does: `http(s)://registry/repository:tag` (or `@sha256:…`); the image layer of media type `application/vnd.oci.image.layer.v1.tar+gzip` is the bundle. Polled every `PDP_BUNDLE_POLL_INTERVAL_MS`. Credentials (`PDP_BUNDLE_AUTH_TOKEN`, `PDP_BUNDLE_BEARER_FILE`, or `user:password@` in the reference) go with the first request; a registry answering 401 with a Bearer challenge gets its token exchange (the realm is asked with those credentials, or anonymously; the token is cached for its `expires_in`), a Basic challenge gets the credentials. Replaces the embedded policies/ and config-file bundles.',
  },
  {
    name: 'PDP_BUNDLE_NAME',
    pointer: '/bundles/0/name',
    type: 'string',
    default: 'ai-governance (embedded) / main',
    description: 'Name of that bundle (shown in /v1/pdp/status and in every decision).',
  },
  { name: 'PDP_BUNDLE_WATCH', pointer: '/bundles/0/watch', type: 'boolean', default: 'true', description: 'Watch a local bundle path and reload on change.' },
  {
    name: 'PDP_BUNDLE_SETTLE_MS',
    pointer: '/bundles/0/settle_ms',
    type: 'integer',
    default: '1000',
    description: 'A bundle directory is served once two reads this far apart give the same files, so a copy in progress never goes live; `0` = read once.',
  },
  {
    name: 'PDP_BUNDLE_DATA_ONLY',
    pointer: '/bundles/0/data_only',
    type: 'boolean',
    default: 'false',
    description: 'The bundle may hold data alone; otherwise a bundle without policies is refused as a likely bad upload.',
  },
  {
    name: 'PDP_BUNDLE_POLL_INTERVAL_MS',
    pointer: '/bundles/0/poll_interval_ms',
    type: 'integer',
    default: '30000',
    description:
      'How often to poll the bundle server (for a local path: an optional re-read interval besides watching, for volumes where file events are missed).',
  },
  {
    name: 'PDP_BUNDLE_LONG_POLLING_TIMEOUT_SECONDS',
    pointer: '/bundles/0/long_polling_timeout_seconds',
    type: 'integer',
    default: '',
    description:
      'HTTP long polling: ask the bundle server to hold each request up to this many seconds until a new bundle exists (`Prefer: wait=N`, as OPA sends); a server that answers `Content-Type: application/vnd.openpolicyagent.bundles` is asked again at once, any other is polled every `PDP_BUNDLE_POLL_INTERVAL_MS`. Only with `PDP_BUNDLE_URL`.',
  },
  {
    name: 'PDP_BUNDLE_AUTH_TOKEN',
    pointer: '/bundles/0/headers/Authorization',
    type: 'string',
    default: '',
    description: 'Bearer token sent to the bundle server.',
    secret: true,
  },
  {
    name: 'PDP_BUNDLE_BEARER_FILE',
    pointer: '/bundles/0/token_file',
    type: 'string',
    default: '',
    description:
      'File holding the bundle server token, read again for every request (a rotated token is picked up without a restart); sent as `Authorization: <PDP_BUNDLE_BEARER_SCHEME> <token>`.',
  },
  {
    name: 'PDP_BUNDLE_BEARER_SCHEME',
    pointer: '/bundles/0/token_scheme',
    type: 'string',
    default: 'Bearer',
    description: 'Authorization scheme sent with the token from `PDP_BUNDLE_BEARER_FILE`.',
  },
  {
    name: 'PDP_BUNDLE_TLS_CA_FILE',
    pointer: '/bundles/0/tls/ca_file',
    type: 'string',
    default: '',
    description: "PEM CA certificate(s) the bundle server's certificate must chain to (instead of the system's CAs).",
  },
  {
    name: 'PDP_BUNDLE_TLS_CERT_FILE',
    pointer: '/bundles/0/tls/cert_file',
    type: 'string',
    default: '',
    description: 'PEM client certificate presented to the bundle server (mTLS); needs `PDP_BUNDLE_TLS_KEY_FILE`.',
  },
  {
    name: 'PDP_BUNDLE_TLS_KEY_FILE',
    pointer: '/bundles/0/tls/key_file',
    type: 'string',
    default: '',
    description: 'PEM private key of that client certificate.',
  },
  {
    name: 'PDP_BUNDLE_PERSIST_DIR',
    pointer: '/persist_dir',
    type: 'string',
    default: '',
    description: 'Keep the last good downloaded bundle here, so a restart while the bundle server is down still serves.',
  },
  {
    name: 'PDP_BUNDLE_REQUIRE_SIGNATURE',
    pointer: '/signing/required',
    type: 'boolean',
    default: 'false',
    description: 'Refuse bundles without a valid .signatures.json.',
  },
  {
    name: 'PDP_BUNDLE_SIGNING_KEY',
    pointer: '/signing/keys/0/key',
    type: 'string',
    default: '',
    description: 'Verification key: PEM public key (RSA/ECDSA) or HMAC secret.',
    secret: true,
  },
  {
    name: 'PDP_BUNDLE_SIGNING_KEY_FILE',
    pointer: '/signing/keys/0/key_file',
    type: 'string',
    default: '',
    description: 'File holding the verification key (instead of PDP_BUNDLE_SIGNING_KEY).',
  },
  {
    name: 'PDP_BUNDLE_SIGNING_KEY_ID',
    pointer: '/signing/keys/0/key_id',
    type: 'string',
    default: 'default',
    description: "Key id (the JWT `kid` the bundle's signature names).",
  },
  {
    name: 'PDP_BUNDLE_SIGNING_ALG',
    pointer: '/signing/keys/0/algorithm',
    type: 'string',
    default: 'RS256',
    description: 'RS256/384/512, PS256/384/512, ES256/384/512, HS256/384/512.',
  },
  { name: 'PDP_BUNDLE_SIGNING_SCOPE', pointer: '/signing/scope', type: 'string', default: '', description: 'Required `scope` claim in the signature, if any.' },
  {
    name: 'PDP_BUNDLE_SIGNING_REJECT_ROLLBACK',
    pointer: '/signing/reject_rollback',
    type: 'boolean',
    default: 'false',
    description: "Refuse a signed bundle whose signature was issued (`iat`) before the active one's: an old signed revision cannot be replayed.",
  },
  {
    name: 'PDP_BUNDLE_MAX_COMPRESSED_BYTES',
    pointer: '/limits/max_compressed_bytes',
    type: 'integer',
    default: '33554432',
    description: 'Largest bundle tarball accepted.',
  },
  {
    name: 'PDP_BUNDLE_MAX_UNCOMPRESSED_BYTES',
    pointer: '/limits/max_uncompressed_bytes',
    type: 'integer',
    default: '134217728',
    description: 'Largest total unpacked bundle size (decompression-bomb guard).',
  },
  { name: 'PDP_BUNDLE_MAX_FILES', pointer: '/limits/max_files', type: 'integer', default: '10000', description: 'Most files in one bundle.' },
  { name: 'PDP_CACHE_ENABLED', pointer: '/cache/enabled', type: 'boolean', default: 'true', description: 'Turn the whole decision cache off with `false`.' },
  {
    name: 'PDP_CACHE_TTL_SECONDS',
    pointer: '/cache/ttl_seconds',
    type: 'integer',
    default: '60',
    description: 'Upper bound for every cached decision. Time-dependent decisions are cached only until the earliest expiry they depend on, or not at all.',
  },
  { name: 'PDP_CACHE_MAX_ENTRIES', pointer: '/cache/max_entries', type: 'integer', default: '10000', description: 'Bound of the in-process LRU tier.' },
  {
    name: 'PDP_CACHE_MAX_BYTES',
    pointer: '/cache/max_bytes',
    type: 'integer',
    default: '67108864',
    description:
      "Bound of the in-process tier on the cached results' estimated JSON size (a Data API result can be a whole document); a single larger result is not cached.",
  },
  {
    name: 'PDP_CACHE_REPEATED_BODIES_BYTES',
    pointer: '/cache/repeated_bodies_bytes',
    type: 'integer',
    default: '4194304',
    description:
      'Decision request bodies kept parsed while they repeat, estimated bytes: a body whose exact text came in a moment ago reuses that parse and its cache key (frozen, shared), so a cache hit skips both. Each kept for `PDP_CACHE_TTL_SECONDS`; bodies over 16,383 characters are parsed every time. `0`: off. Only with the cache enabled.',
  },
  {
    name: 'PDP_CACHE_SECRET',
    pointer: '/cache/secret',
    type: 'string',
    default: '',
    description:
      'Secret that keys and authenticates the Redis tier: a value written by anyone without it is rejected (and counted in `pdp_cache_lookups_total{result="rejected"}`). Give every replica the same one to share entries; unset: a random secret per process (safe, but replicas share nothing). Secret.',
    secret: true,
  },
  {
    name: 'REDIS_URL',
    pointer: '/redis/url',
    type: 'string',
    default: '',
    description: 'Standalone Redis, `redis://` or `rediss://` (TLS). May carry credentials; then give it through `secrets.redis.urlKey`.',
    secret: true,
  },
  { name: 'REDIS_CLUSTER_NODES', pointer: '/redis/cluster_nodes', type: 'list', default: '', description: 'Redis Cluster seed nodes, `host:port,host:port`.' },
  {
    name: 'REDIS_SENTINELS',
    pointer: '/redis/sentinels',
    type: 'list',
    default: '',
    description: 'Sentinels, `host:port,host:port`; needs `REDIS_SENTINEL_NAME`.',
  },
  { name: 'REDIS_SENTINEL_NAME', pointer: '/redis/sentinel_name', type: 'string', default: '', description: 'Name of the master group the Sentinels monitor.' },
  { name: 'REDIS_USERNAME', pointer: '/redis/username', type: 'string', default: '', description: 'Redis ACL user.' },
  { name: 'REDIS_PASSWORD', pointer: '/redis/password', type: 'string', default: '', description: 'Redis password.', secret: true },
  {
    name: 'REDIS_SENTINEL_PASSWORD',
    pointer: '/redis/sentinel_password',
    type: 'string',
    default: '',
    description: 'Password of the Sentinels themselves. Secret.',
    secret: true,
  },
  {
    name: 'REDIS_TLS',
    pointer: '/redis/tls',
    type: 'boolean',
    default: 'false',
    description: 'TLS to Cluster / Sentinel nodes (a standalone URL says `rediss://` instead).',
  },
  {
    name: 'REDIS_KEY_PREFIX',
    pointer: '/redis/key_prefix',
    type: 'string',
    default: 'pdp:',
    description: 'Prefix of every key the service writes. Give each environment sharing one Redis its own prefix.',
  },
  {
    name: 'REDIS_COMMAND_TIMEOUT_MS',
    pointer: '/redis/command_timeout_ms',
    type: 'integer',
    default: '100',
    description: 'Deadline for each Redis command; a slower answer counts as a miss.',
  },
  { name: 'REDIS_CONNECT_TIMEOUT_MS', pointer: '/redis/connect_timeout_ms', type: 'integer', default: '1000', description: 'Connect deadline.' },
  {
    name: 'REDIS_MAX_RETRIES_PER_REQUEST',
    pointer: '/redis/max_retries_per_request',
    type: 'integer',
    default: '1',
    description: 'Retries per command; kept small so a request never waits through reconnects.',
  },
  {
    name: 'REDIS_BREAKER_FAILURES',
    pointer: '/redis/breaker_failures',
    type: 'integer',
    default: '5',
    description: 'Consecutive Redis failures that open the circuit breaker.',
  },
  {
    name: 'REDIS_BREAKER_COOLDOWN_MS',
    pointer: '/redis/breaker_cooldown_ms',
    type: 'integer',
    default: '2000',
    description: 'How long the breaker stays open before one probe (sooner if the client reports it reconnected).',
  },
  {
    name: 'PDP_DECISION_LOG_STDOUT',
    pointer: '/decision_log/stdout',
    type: 'boolean',
    default: 'true',
    description: "JSON lines on stdout (collected by the cluster's log pipeline).",
  },
  {
    name: 'PDP_DECISION_LOG_REDIS_STREAM',
    pointer: '/decision_log/redis_stream',
    type: 'auto-boolean',
    default: 'auto',
    description: 'Redis Stream sink: `true`, `false`, or `auto` = on when Redis is configured. `true` without Redis is a start-up error.',
  },
  {
    name: 'PDP_DECISION_LOG_REDIS_STREAM_KEY',
    pointer: '/decision_log/redis_stream_key',
    type: 'string',
    default: '<REDIS_KEY_PREFIX>{decisions}:stream',
    description:
      "Stream key. Entries carry `decision_id`, `timestamp`, `path`, `kind`, `allow`, `outcome`, `cached`, `trace_id`, `span_id`, `bundles` and the full masked `record`; read them with consumer groups (`XGROUP CREATE … $`, `XREADGROUP`). The `{decisions}` hash tag keeps the stream and the per-id keys in one Redis Cluster slot: on a cluster, a key of your own must carry the id keys' tag (`{decisions}`, or the prefix's own tag) while `PDP_DECISION_LOG_RETENTION_SECONDS` > 0 — refused at start otherwise.",
  },
  {
    name: 'PDP_DECISION_LOG_REDIS_MAXLEN',
    pointer: '/decision_log/redis_maxlen',
    type: 'integer',
    default: '100000',
    description: 'Approximate stream length cap (`XADD … MAXLEN ~`).',
  },
  {
    name: 'PDP_DECISION_LOG_URL',
    pointer: '/decision_log/url',
    type: 'string',
    default: '',
    description: 'OPA-compatible HTTP decision-log endpoint (full URL): batched, gzipped POSTs, retried with backoff.',
  },
  {
    name: 'PDP_DECISION_LOG_AUTH_TOKEN',
    pointer: '/decision_log/auth_token',
    type: 'string',
    default: '',
    description: 'Bearer token for that endpoint.',
    secret: true,
  },
  {
    name: 'PDP_DECISION_LOG_BEARER_FILE',
    pointer: '/decision_log/token_file',
    type: 'string',
    default: '',
    description:
      "File holding the decision-log endpoint's token, read again for every upload (a rotated token is picked up without a restart; OPA's `token_path`); sent as `Authorization: <PDP_DECISION_LOG_BEARER_SCHEME> <token>`. Not with `PDP_DECISION_LOG_AUTH_TOKEN`.",
  },
  {
    name: 'PDP_DECISION_LOG_BEARER_SCHEME',
    pointer: '/decision_log/token_scheme',
    type: 'string',
    default: 'Bearer',
    description: 'Authorization scheme sent with `PDP_DECISION_LOG_AUTH_TOKEN` or the token from `PDP_DECISION_LOG_BEARER_FILE`.',
  },
  {
    name: 'PDP_DECISION_LOG_UPLOAD_MAX_BYTES',
    pointer: '/decision_log/upload_max_bytes',
    type: 'integer',
    default: '0',
    description:
      "Largest gzipped upload to `PDP_DECISION_LOG_URL` (OPA's `upload_size_limit_bytes`): a larger batch is split; a single record larger than this is still sent, alone. `0` = no limit.",
  },
  {
    name: 'PDP_DECISION_LOG_TLS_CA_FILE',
    pointer: '/decision_log/tls/ca_file',
    type: 'string',
    default: '',
    description: "PEM CA certificate(s) the decision-log endpoint's certificate must chain to (instead of the system's CAs).",
  },
  {
    name: 'PDP_DECISION_LOG_TLS_CERT_FILE',
    pointer: '/decision_log/tls/cert_file',
    type: 'string',
    default: '',
    description: 'PEM client certificate presented to the decision-log endpoint (mTLS); needs `PDP_DECISION_LOG_TLS_KEY_FILE`.',
  },
  {
    name: 'PDP_DECISION_LOG_TLS_KEY_FILE',
    pointer: '/decision_log/tls/key_file',
    type: 'string',
    default: '',
    description: 'PEM private key of that client certificate.',
  },
  {
    name: 'PDP_DECISION_LOG_UPLOAD_TIMEOUT_MS',
    pointer: '/decision_log/upload_timeout_ms',
    type: 'integer',
    default: '5000',
    description: 'Timeout of one upload.',
  },
  {
    name: 'PDP_DECISION_LOG_UPLOAD_INTERVAL_MS',
    pointer: '/decision_log/upload_interval_ms',
    type: 'integer',
    default: '1000',
    description: 'Longest a record waits to be batched for upload.',
  },
  {
    name: 'PDP_DECISION_LOG_BATCH_SIZE',
    pointer: '/decision_log/batch_size',
    type: 'integer',
    default: '500',
    description: 'Records per upload / per Redis pipeline.',
  },
  {
    name: 'PDP_DECISION_LOG_BUFFER_SIZE',
    pointer: '/decision_log/buffer_size',
    type: 'integer',
    default: '10000',
    description: 'Per-sink buffer; past it the oldest records are dropped and counted.',
  },
  {
    name: 'PDP_DECISION_LOG_BUFFER_MAX_BYTES',
    pointer: '/decision_log/buffer_max_bytes',
    type: 'integer',
    default: '33554432',
    description:
      "Per-sink buffer bound on the records' JSON size (characters; bytes for ASCII). A record carries its request's input, so without it 10000 records at the 1 MiB body limit could hold ~10 GB. Past it the oldest records are dropped and counted.",
  },
  {
    name: 'PDP_DECISION_LOG_MASK_PATHS',
    pointer: '/decision_log/mask_paths',
    type: 'list',
    default: '',
    description: 'Comma-separated JSON pointers erased from the logged input (`*` = any key), e.g. `/input/arguments/body`.',
  },
  {
    name: 'PDP_DECISION_LOG_POLICY_MASK',
    pointer: '/decision_log/policy_mask',
    type: 'boolean',
    default: 'true',
    description:
      "Apply the bundle's mask policy (OPA's `system.log.mask` convention). Without one (a bundle that has none, or `false` here), records leave the input out unless raw logging is on.",
  },
  {
    name: 'PDP_DECISION_LOG_MASK_DECISION',
    pointer: '/decision_log/mask_decision',
    type: 'string',
    default: 'system/log/mask',
    description: 'Decision path of that mask policy.',
  },
  {
    name: 'PDP_DECISION_LOG_NATIVE_MASK',
    pointer: '/decision_log/native_mask',
    type: 'boolean',
    default: 'true',
    description:
      "Where the active bundle's mask policy is the default bundle's program (`policies/system/log/mask.rego`, edited at most in its field lists), compute its rules in JavaScript instead of evaluating the Rego: the same rules, checked against the Rego on probe records at each activation, at a fraction of the CPU. `false` always evaluates the Rego.",
  },
  {
    name: 'PDP_DECISION_LOG_DROP_DECISION',
    pointer: '/decision_log/drop_decision',
    type: 'string',
    default: '/system/log/drop',
    description:
      "Decision path evaluated for every record, with the record as input (OPA's `system.log.drop`): exactly `true` and the record is not logged anywhere (counted in `pdp_decision_log_policy_dropped_total`). A bundle without that rule drops nothing.",
  },
  {
    name: 'PDP_DECISION_LOG_RAW',
    pointer: '/decision_log/raw',
    type: 'boolean',
    default: 'false',
    description:
      '`true` logs requests unmasked: the mask policy is not applied (`PDP_DECISION_LOG_MASK_PATHS` still is) and every record says `"raw": true`. Off, records say `"raw": false`. Warned at start.',
  },
  {
    name: 'PDP_DECISION_LOG_ND_BUILTIN_CACHE',
    pointer: '/decision_log/nd_builtin_cache',
    type: 'boolean',
    default: 'false',
    description:
      '`true`: records carry `nd_builtin_cache` (OPA\'s field): the results of the non-deterministic builtins the evaluation called (`time.now_ns`, `rand.intn`, `uuid.rfc4122`, `http.send` mocks…), as `{builtin: {"<JSON of the arguments>": result}}`, so a decision can be replayed exactly.',
  },
  {
    name: 'PDP_DECISION_LOG_RETENTION_SECONDS',
    pointer: '/decision_log/retention_seconds',
    type: 'integer',
    default: '3600',
    description: 'How long `GET /v1/decisions/{id}` finds a record (in memory, and in Redis id keys when the stream sink is on, so any replica can answer).',
  },
  {
    name: 'PDP_DECISION_LOG_STORE_MAX_ENTRIES',
    pointer: '/decision_log/store_max_entries',
    type: 'integer',
    default: '10000',
    description: 'Records each replica keeps in memory for that lookup.',
  },
  {
    name: 'PDP_DECISION_LOG_STORE_MAX_BYTES',
    pointer: '/decision_log/store_max_bytes',
    type: 'integer',
    default: '67108864',
    description:
      "Bound on those records' JSON size in bytes (UTF-8; kept outside the JavaScript heap); the oldest go first. A record larger than the bound is not kept in memory (Redis id keys still find it when the stream sink is on).",
  },
  {
    name: 'PDP_DECISION_LOG_CALLER_HEADER',
    pointer: '/decision_log/caller_header',
    type: 'string',
    default: 'x-pdp-caller',
    description:
      'Request header in which a gateway names the user it acts for: recorded as `on_behalf_of` (marked asserted) only when the authenticated caller has scope `assert:on-behalf-of`, else as `ignored_on_behalf_of`; empty = ignore it (the chart cannot render an empty value; use `extraEnv`).',
    allowEmpty: true,
  },
  {
    name: 'PDP_DECISION_LOG_FLUSH_TIMEOUT_MS',
    pointer: '/decision_log/flush_timeout_ms',
    type: 'integer',
    default: '5000',
    description: 'On shutdown, how long to try delivering what is buffered.',
  },
  {
    name: 'PDP_DECISION_LOG_SPILL_FILE',
    pointer: '/decision_log/spill_file',
    type: 'string',
    default: '',
    description:
      'At shutdown, records that no sink took within `PDP_DECISION_LOG_FLUSH_TIMEOUT_MS` are appended to this file as JSON lines (masked, as the sinks get them; created mode 0600). Unset: they are counted and the count is logged.',
  },
  {
    name: 'PDP_LABELS',
    pointer: '/labels',
    type: 'json',
    default: '',
    description:
      'JSON object of strings identifying this instance (OPA\'s `labels`), e.g. `{"region":"eu-west","environment":"prod"}`: in every decision-log record, next to the `id` and `version` the service adds.',
  },
  {
    name: 'OTEL_SDK_DISABLED',
    pointer: '/tracing/disabled',
    type: 'boolean',
    default: 'false',
    description: '`true` turns the SDK off entirely; answers then carry no `trace_id`.',
  },
  {
    name: 'OTEL_TRACES_EXPORTER',
    pointer: '/tracing/exporter',
    type: 'string',
    default: '',
    description: '`otlp`, `console` or `none`, as the SDK defines it; unset = OTLP/HTTP when an endpoint is set.',
  },
  {
    name: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    pointer: '/tracing/endpoint',
    type: 'string',
    default: '',
    description: 'Collector base URL for OTLP/HTTP, e.g. `http://otel-collector.observability.svc:4318`; spans go to `<url>/v1/traces`.',
  },
  {
    name: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    pointer: '/tracing/traces_endpoint',
    type: 'string',
    default: '',
    description: 'Full OTLP/HTTP traces URL; wins over the base URL.',
  },
  { name: 'OTEL_SERVICE_NAME', pointer: '/tracing/service_name', type: 'string', default: 'ai-governance-pdp', description: '`service.name` of every span.' },
  {
    name: 'PDP_AUTH_MODE',
    pointer: '/auth/mode',
    type: 'string',
    default: 'auto',
    description:
      '`auto`: callers authenticate with whatever is configured (API keys, JWT, client certificates); with nothing configured only a loopback `PDP_HOST` is served. `none`: no caller authentication on any address (logged as a warning at every start).',
  },
  {
    name: 'PDP_AUTH_API_KEYS',
    pointer: '/auth/api_keys',
    type: 'json',
    default: '',
    description:
      'API keys as a JSON list of `{"name", "sha256", "scopes"}` (`pdp auth new-key` prints one); callers send `Authorization: Bearer <key>`. Only the sha256 of each key is stored. Give it as a file with `PDP_AUTH_API_KEYS_FILE`.',
    secret: true,
  },
  {
    name: 'PDP_AUTH_JWT_JWKS_URL',
    pointer: '/auth/jwt/jwks_url',
    type: 'string',
    default: '',
    description: 'Accept JWT bearer tokens signed by a key from this JWKS endpoint (cached; refetched for an unknown `kid` at most once per cooldown).',
  },
  {
    name: 'PDP_AUTH_JWT_KEY_FILE',
    pointer: '/auth/jwt/key_file',
    type: 'string',
    default: '',
    description: 'Accept JWT bearer tokens signed by this static key: a PEM public key, a JWK or a JWKS (JSON); instead of a JWKS URL.',
  },
  { name: 'PDP_AUTH_JWT_ISSUER', pointer: '/auth/jwt/issuer', type: 'string', default: '', description: 'Required `iss` of every token (required with JWT).' },
  {
    name: 'PDP_AUTH_JWT_AUDIENCE',
    pointer: '/auth/jwt/audience',
    type: 'string',
    default: '',
    description: 'Required `aud` of every token (required with JWT).',
  },
  {
    name: 'PDP_AUTH_JWT_ALGORITHMS',
    pointer: '/auth/jwt/algorithms',
    type: 'list',
    default: 'RS256,ES256',
    description: 'Accepted signature algorithms: RS256/384/512, PS256/384/512, ES256/384/512, EdDSA. `none` and HMAC algorithms are never accepted.',
  },
  {
    name: 'PDP_AUTH_JWT_CLOCK_TOLERANCE_SECONDS',
    pointer: '/auth/jwt/clock_tolerance_seconds',
    type: 'integer',
    default: '30',
    description: 'Clock skew allowed when checking `exp` and `nbf`.',
  },
  {
    name: 'PDP_AUTH_JWT_CALLER_CLAIM',
    pointer: '/auth/jwt/caller_claim',
    type: 'string',
    default: 'sub',
    description: 'Claim naming the caller (recorded in every decision).',
  },
  {
    name: 'PDP_AUTH_JWT_SCOPES_CLAIM',
    pointer: '/auth/jwt/scopes_claim',
    type: 'string',
    default: 'scope',
    description: 'Claim holding the scopes: a space-separated string or a list (with the default, `scp` is read when `scope` is absent).',
  },
  {
    name: 'PDP_AUTH_JWT_JWKS_TIMEOUT_MS',
    pointer: '/auth/jwt/jwks_timeout_ms',
    type: 'integer',
    default: '2000',
    description: 'Deadline of one JWKS fetch (headers and body).',
  },
  {
    name: 'PDP_AUTH_JWT_JWKS_COOLDOWN_MS',
    pointer: '/auth/jwt/jwks_cooldown_ms',
    type: 'integer',
    default: '30000',
    description: 'After a fetch, how long an unknown `kid` is refused without fetching again.',
  },
  {
    name: 'PDP_AUTH_JWT_JWKS_CACHE_MAX_AGE_MS',
    pointer: '/auth/jwt/jwks_cache_max_age_ms',
    type: 'integer',
    default: '600000',
    description: 'How long fetched keys are used before the JWKS is fetched again (a removed key is refused at the latest after this).',
  },
  {
    name: 'PDP_AUTH_JWT_JWKS_MAX_BYTES',
    pointer: '/auth/jwt/jwks_max_bytes',
    type: 'integer',
    default: '262144',
    description: 'Largest accepted JWKS response; a larger one fails the fetch.',
  },
  {
    name: 'PDP_AUTH_MTLS_IDENTITIES',
    pointer: '/auth/mtls_identities',
    type: 'json',
    default: '',
    description:
      'Scopes of client-certificate callers as a JSON list of `{"name", "scopes"}`, `name` matched against the certificate subject CN or a SAN value. A valid certificate not listed authenticates with no scopes.',
  },
  {
    name: 'PDP_AUTH_AUTHORIZATION',
    pointer: '/auth/authorization',
    type: 'string',
    default: 'scopes',
    description:
      '`scopes`: the static scope table (docs/operations.md). `policy`: the bundle decides each request at `PDP_AUTH_AUTHORIZATION_DECISION` (OPA `system.authz` style); only `true` allows.',
  },
  {
    name: 'PDP_AUTH_AUTHORIZATION_DECISION',
    pointer: '/auth/authorization_decision',
    type: 'string',
    default: 'system/authz/allow',
    description: 'Decision path of that authorization policy.',
  },
  {
    name: 'PDP_AUTH_MAX_CREDENTIAL_BYTES',
    pointer: '/auth/max_credential_bytes',
    type: 'integer',
    default: '8192',
    description: 'Longest accepted bearer credential; longer is refused before any parsing.',
  },
  {
    name: 'PDP_ADMISSION_MODE',
    pointer: '/admission/default_mode',
    type: 'string',
    default: 'enforce',
    description:
      'Admission webhook mode for namespaces without their own: `enforce` (a deny refuses the object), `warn` (allowed, with the reasons as warnings), `audit` (allowed, recorded only).',
  },
  {
    name: 'PDP_ADMISSION_FAILURE_MODE',
    pointer: '/admission/failure_mode',
    type: 'string',
    default: 'deny',
    description:
      'The admission answer when the webhook cannot decide in time or at all (no active policy, its own error): `deny` (fail closed) or `allow` (fail open); the answer says which.',
  },
  {
    name: 'PDP_ADMISSION_TIMEOUT_MS',
    pointer: '/admission/timeout_ms',
    type: 'integer',
    default: '3000',
    description: 'Budget for one admission answer; keep it below the webhook `timeoutSeconds` so the API server always gets an answer.',
  },
  {
    name: 'PDP_ADMISSION_ANNOTATION_PREFIX',
    pointer: '/admission/annotation_prefix',
    type: 'string',
    default: 'pdp.ai-governance.io/',
    description: 'Prefix of the governance annotations on workloads (`<prefix>name`, `<prefix>version`, …; docs/admission.md).',
  },
  {
    name: 'PDP_ADMISSION_NAMESPACES',
    pointer: '/admission/namespaces',
    type: 'json',
    default: '',
    description:
      'Namespace name → `{"environment", "exposure", "region", "cluster", "mode"}`: the deployment target its workloads are decided for, field by field where the namespace\'s labels say nothing; `mode` pins the namespace\'s mode. A model workload in a namespace described by neither is denied (`NAMESPACE_NOT_MAPPED`).',
  },
  {
    name: 'PDP_AUTHZEN_DECISION',
    pointer: '/authzen/decision',
    type: 'string',
    default: 'authzen/decision',
    description: 'Decision document (path under data) that answers AuthZEN requests no rule in `PDP_AUTHZEN_RULES` matches.',
  },
  {
    name: 'PDP_AUTHZEN_RULES',
    pointer: '/authzen/rules',
    type: 'json',
    default:
      '[{"resource_type":"tool","action_name":"tools/call","decision":"ai/tools/decision","input":"mcp-tool-call","candidates":"ai/tools/authzen_candidates"}]',
    description:
      'AuthZEN mapping rules as a JSON list of `{"resource_type", "action_name", "decision", "input", "candidates"}`, first match wins: `input` `authzen` passes the request entities as sent, `mcp-tool-call` maps a COAZ-MCP tool call onto the tool-call input.',
  },
  {
    name: 'PDP_AUTHZEN_CANDIDATES',
    pointer: '/authzen/candidates',
    type: 'string',
    default: 'authzen/candidates',
    description: 'Document (path under data) naming the AuthZEN search candidates, for requests no rule with its own `candidates` matches.',
  },
  {
    name: 'PDP_AUTHZEN_PDP_URL',
    pointer: '/authzen/pdp_url',
    type: 'string',
    default: '',
    description:
      'The PDP identifier (https URL) published as `policy_decision_point` in `/.well-known/authzen-configuration`; unset: the scheme and host the metadata request was sent to.',
  },
  {
    name: 'PDP_AUTHZEN_MAX_EVALUATIONS',
    pointer: '/authzen/max_evaluations',
    type: 'integer',
    default: '100',
    description: 'Most items in one `/access/v1/evaluations` request; more → 400.',
  },
  {
    name: 'PDP_AUTHZEN_MAX_CANDIDATES',
    pointer: '/authzen/max_candidates',
    type: 'integer',
    default: '1000',
    description: 'Most search candidates evaluated for one search request; beyond that the answer says `candidates_truncated`.',
  },
  {
    name: 'PDP_AUTHZEN_PAGE_TOKEN_SECRET',
    pointer: '/authzen/page_token_secret',
    type: 'string',
    default: '',
    description:
      'Key (at least 32 characters) that signs AuthZEN search page tokens; give every replica the same one so a token from one is accepted by the others. Unset: a random key per process. Give it as a file with `PDP_AUTHZEN_PAGE_TOKEN_SECRET_FILE`.',
    secret: true,
  },
];
