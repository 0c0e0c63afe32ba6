// The validated service configuration. Shapes mirror schemas/config.json (snake_case, like the
// config file), so there is one vocabulary from file to code.

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface ServerConfig {
  host: string;
  port: number;
  body_limit_bytes: number;
  max_json_depth: number;
  shutdown_timeout_ms: number;
  log_level: LogLevel;
  /** Per-request access log lines; off by default because the decision log is the audit trail. */
  request_logging: boolean;
}

export interface EvaluationConfig {
  timeout_ms: number;
  max_steps: number;
  max_output_size: number;
}

export interface BundleConfig {
  name: string;
  /** Exactly one of path / url (checked at load). Paths are absolute after loading. */
  path?: string;
  url?: string;
  watch?: boolean;
  poll_interval_ms?: number;
  headers?: Record<string, string>;
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
  keys: SigningKeyConfig[];
}

export interface LimitsConfig {
  max_compressed_bytes: number;
  max_uncompressed_bytes: number;
  max_files: number;
}

export interface PdpConfig {
  server: ServerConfig;
  evaluation: EvaluationConfig;
  bundles: BundleConfig[];
  signing?: SigningConfig;
  persist_dir?: string;
  limits: LimitsConfig;
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
    super(`invalid configuration (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` +
      issues.map((i) => `  - ${i.source}: ${i.message}`).join('\n'));
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
