// Every environment variable the service reads, in one table: the loader uses it to build the
// env layer and to name the variable in error messages; the README's table is written from it.

export type EnvType = 'string' | 'integer' | 'boolean';

export interface EnvVar {
  name: string;
  /** JSON pointer into the merged config this variable sets. */
  pointer: string;
  type: EnvType;
  /** Default as shown to operators ("" = unset). */
  default: string;
  description: string;
  /** Never echoed in error messages. */
  secret?: boolean;
}

export const CONFIG_FILE_VAR = 'PDP_CONFIG';

/** PDP_* families read (and validated) by other modules: src/cache and src/decisionlog. Not
 * warned about as unknown here. */
export const OTHER_MODULE_PREFIXES: readonly string[] = ['PDP_CACHE_', 'PDP_DECISION_LOG_'];

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
];
