// Defaults: the service runs with no configuration at all (embedded policies, no Redis, no OTel).
import { defaultPoliciesDir } from './package-root.js';
import type { BundleConfig, EvaluationConfig, LimitsConfig, ServerConfig } from './types.js';

export const DEFAULT_SERVER: Readonly<ServerConfig> = Object.freeze({
  host: '0.0.0.0',
  // OPA's port: existing OPA clients point here unchanged.
  port: 8181,
  body_limit_bytes: 1024 * 1024,
  max_json_depth: 64,
  shutdown_timeout_ms: 10_000,
  log_level: 'info',
  request_logging: false,
});

export const DEFAULT_EVALUATION: Readonly<EvaluationConfig> = Object.freeze({
  timeout_ms: 250,
  max_steps: 1_000_000,
  max_output_size: 1_000_000,
});

export const DEFAULT_LIMITS: Readonly<LimitsConfig> = Object.freeze({
  max_compressed_bytes: 32 * 1024 * 1024,
  max_uncompressed_bytes: 128 * 1024 * 1024,
  max_files: 10_000,
});

export const DEFAULT_BUNDLE_NAME = 'ai-governance';
/** Name given to the bundle described by PDP_BUNDLE_PATH / PDP_BUNDLE_URL unless PDP_BUNDLE_NAME says otherwise. */
export const ENV_BUNDLE_NAME = 'main';
export const DEFAULT_POLL_INTERVAL_MS = 30_000;

export function embeddedBundle(): BundleConfig {
  return { name: DEFAULT_BUNDLE_NAME, path: defaultPoliciesDir, watch: true };
}
