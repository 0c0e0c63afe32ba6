// Every environment variable the service reads, in one table: the loader uses it to build the
// env layer and to name the variable in error messages; docs/operations.md's table is checked
// against it. A variable marked secret may also be given as NAME_FILE (a file holding the value).

/** list: comma-separated; auto-boolean: "auto" or a boolean; json: a JSON value (YAML is accepted
 * too, so a mounted file may be either). */
export type EnvType = 'string' | 'integer' | 'boolean' | 'list' | 'auto-boolean' | 'json';

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
    name: 'PDP_SHUTDOWN_TIMEOUT_MS',
    pointer: '/server/shutdown_timeout_ms',
    type: 'integer',
    default: '10000',
    description: 'On SIGTERM/SIGINT, how long to drain in-flight requests before exiting anyway.',
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
    name: 'PDP_BUNDLE_NAME',
    pointer: '/bundles/0/name',
    type: 'string',
    default: 'ai-governance (embedded) / main',
    description: 'Name of that bundle (shown in /v1/status and in every decision).',
  },
  { name: 'PDP_BUNDLE_WATCH', pointer: '/bundles/0/watch', type: 'boolean', default: 'true', description: 'Watch a local bundle path and reload on change.' },
  {
    name: 'PDP_BUNDLE_POLL_INTERVAL_MS',
    pointer: '/bundles/0/poll_interval_ms',
    type: 'integer',
    default: '30000',
    description:
      'How often to poll the bundle server (for a local path: an optional re-read interval besides watching, for volumes where file events are missed).',
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
      'Stream key. Entries carry `decision_id`, `timestamp`, `path`, `kind`, `allow`, `outcome`, `cached`, `trace_id`, `span_id`, `bundles` and the full masked `record`; read them with consumer groups (`XGROUP CREATE … $`, `XREADGROUP`). The `{decisions}` hash tag keeps the stream and the per-id keys in one Redis Cluster slot.',
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
    name: 'PDP_DECISION_LOG_RAW',
    pointer: '/decision_log/raw',
    type: 'boolean',
    default: 'false',
    description:
      '`true` logs requests unmasked: the mask policy is not applied (`PDP_DECISION_LOG_MASK_PATHS` still is) and every record says `"raw": true`. Off, records say `"raw": false`. Warned at start.',
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
      "Bound on those records' JSON size (characters; bytes for ASCII); the oldest go first. A record larger than the bound is not kept in memory (Redis id keys still find it when the stream sink is on).",
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
