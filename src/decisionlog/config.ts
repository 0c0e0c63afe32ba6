// Decision log settings (environment variables).
//   PDP_DECISION_LOG_STDOUT               true    JSON lines on stdout
//   PDP_DECISION_LOG_REDIS_STREAM         auto    Redis Stream sink; auto = on when Redis is configured
//   PDP_DECISION_LOG_REDIS_STREAM_KEY     <REDIS_KEY_PREFIX>{decisions}:stream
//   PDP_DECISION_LOG_REDIS_MAXLEN         100000  approximate stream length cap (XADD MAXLEN ~)
//   PDP_DECISION_LOG_URL                          OPA-compatible HTTP upload endpoint (full URL, e.g. https://logs.example/logs)
//   PDP_DECISION_LOG_AUTH_TOKEN                   Bearer token for that endpoint
//   PDP_DECISION_LOG_UPLOAD_TIMEOUT_MS    5000
//   PDP_DECISION_LOG_UPLOAD_INTERVAL_MS   1000    longest a record waits to be batched for upload
//   PDP_DECISION_LOG_BATCH_SIZE           500     records per upload / per Redis pipeline
//   PDP_DECISION_LOG_BUFFER_SIZE          10000   per-sink buffer; past it the oldest records are dropped (counted)
//   PDP_DECISION_LOG_BUFFER_MAX_BYTES     33554432  per-sink buffer bound on the records' JSON size (32 MiB)
//   PDP_DECISION_LOG_MASK_PATHS                   comma-separated JSON pointers to erase, `*` = any key
//   PDP_DECISION_LOG_POLICY_MASK          true    apply data.system.log.mask from the bundle
//   PDP_DECISION_LOG_MASK_DECISION        system/log/mask
//   PDP_DECISION_LOG_RETENTION_SECONDS    3600    how long GET /v1/decisions/{id} can find a record
//   PDP_DECISION_LOG_STORE_MAX_ENTRIES    10000   records kept in memory for that lookup
//   PDP_DECISION_LOG_STORE_MAX_BYTES      67108864  bound on their JSON size (64 MiB)
//   PDP_DECISION_LOG_CALLER_HEADER        x-pdp-caller   header naming the caller ("" = remote address only)
//   PDP_DECISION_LOG_FLUSH_TIMEOUT_MS     5000    shutdown: how long to try delivering what is buffered
import type { ConfigIssue } from '../config/types.js';
import { boolFromEnv, intFromEnv, listFromEnv, type Env } from '../cache/env.js';
import { MaskRuleError, parseMaskRule } from './mask/rules.js';

/** Every PDP_DECISION_LOG_* variable read here (others in that family are reported as likely typos). */
export const DECISION_LOG_ENV_VARS: readonly string[] = [
  'PDP_DECISION_LOG_STDOUT',
  'PDP_DECISION_LOG_REDIS_STREAM',
  'PDP_DECISION_LOG_REDIS_STREAM_KEY',
  'PDP_DECISION_LOG_REDIS_MAXLEN',
  'PDP_DECISION_LOG_URL',
  'PDP_DECISION_LOG_AUTH_TOKEN',
  'PDP_DECISION_LOG_UPLOAD_TIMEOUT_MS',
  'PDP_DECISION_LOG_UPLOAD_INTERVAL_MS',
  'PDP_DECISION_LOG_BATCH_SIZE',
  'PDP_DECISION_LOG_BUFFER_SIZE',
  'PDP_DECISION_LOG_BUFFER_MAX_BYTES',
  'PDP_DECISION_LOG_MASK_PATHS',
  'PDP_DECISION_LOG_POLICY_MASK',
  'PDP_DECISION_LOG_MASK_DECISION',
  'PDP_DECISION_LOG_RETENTION_SECONDS',
  'PDP_DECISION_LOG_STORE_MAX_ENTRIES',
  'PDP_DECISION_LOG_STORE_MAX_BYTES',
  'PDP_DECISION_LOG_CALLER_HEADER',
  'PDP_DECISION_LOG_FLUSH_TIMEOUT_MS',
];

export interface DecisionLogConfig {
  stdout: boolean;
  redis_stream: { enabled: boolean; stream: string; id_key_prefix: string; max_len: number };
  http: { url: string; headers: Record<string, string>; timeout_ms: number; interval_ms: number } | null;
  batch_size: number;
  buffer_size: number;
  /** Per-sink bound on the buffered records' JSON size (characters ≈ bytes). */
  buffer_max_bytes: number;
  mask_paths: string[];
  policy_mask: { enabled: boolean; path: string };
  retention_ms: number;
  store_max_entries: number;
  store_max_bytes: number;
  caller_header: string | null;
  flush_timeout_ms: number;
}

export function decisionLogConfigFromEnv(
  env: Env,
  issues: ConfigIssue[],
  ctx: { redisConfigured: boolean; keyPrefix: string },
): DecisionLogConfig {
  const streamRaw = env.PDP_DECISION_LOG_REDIS_STREAM?.trim().toLowerCase();
  const streamEnabled =
    streamRaw === undefined || streamRaw === '' || streamRaw === 'auto'
      ? ctx.redisConfigured
      : boolFromEnv(env, 'PDP_DECISION_LOG_REDIS_STREAM', false, issues);
  if (streamEnabled && !ctx.redisConfigured) {
    issues.push({ source: 'PDP_DECISION_LOG_REDIS_STREAM', message: 'needs REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS' });
  }

  let http: DecisionLogConfig['http'] = null;
  const url = env.PDP_DECISION_LOG_URL?.trim();
  if (url) {
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(url).protocol);
    } catch {
      ok = false;
    }
    if (!ok) issues.push({ source: 'PDP_DECISION_LOG_URL', message: 'must be an http(s) URL' });
    const token = env.PDP_DECISION_LOG_AUTH_TOKEN?.trim();
    http = {
      url,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      timeout_ms: intFromEnv(env, 'PDP_DECISION_LOG_UPLOAD_TIMEOUT_MS', 5000, { min: 100, max: 300_000 }, issues),
      interval_ms: intFromEnv(env, 'PDP_DECISION_LOG_UPLOAD_INTERVAL_MS', 1000, { min: 0, max: 600_000 }, issues),
    };
  }

  const maskPaths = listFromEnv(env, 'PDP_DECISION_LOG_MASK_PATHS');
  for (const p of maskPaths) {
    try {
      parseMaskRule(p);
    } catch (e) {
      issues.push({ source: 'PDP_DECISION_LOG_MASK_PATHS', message: e instanceof MaskRuleError ? e.message : String(e) });
    }
  }
  const callerHeader = env.PDP_DECISION_LOG_CALLER_HEADER;
  return {
    stdout: boolFromEnv(env, 'PDP_DECISION_LOG_STDOUT', true, issues),
    redis_stream: {
      enabled: streamEnabled && ctx.redisConfigured,
      stream: env.PDP_DECISION_LOG_REDIS_STREAM_KEY?.trim() || `${ctx.keyPrefix}{decisions}:stream`,
      id_key_prefix: `${ctx.keyPrefix}{decisions}:id:`,
      max_len: intFromEnv(env, 'PDP_DECISION_LOG_REDIS_MAXLEN', 100_000, { min: 1, max: 1_000_000_000 }, issues),
    },
    http,
    batch_size: intFromEnv(env, 'PDP_DECISION_LOG_BATCH_SIZE', 500, { min: 1, max: 100_000 }, issues),
    buffer_size: intFromEnv(env, 'PDP_DECISION_LOG_BUFFER_SIZE', 10_000, { min: 1, max: 10_000_000 }, issues),
    buffer_max_bytes: intFromEnv(env, 'PDP_DECISION_LOG_BUFFER_MAX_BYTES', 32 * 1024 * 1024, { min: 1024, max: 2 ** 40 }, issues),
    mask_paths: maskPaths,
    policy_mask: {
      enabled: boolFromEnv(env, 'PDP_DECISION_LOG_POLICY_MASK', true, issues),
      path: env.PDP_DECISION_LOG_MASK_DECISION?.trim() || 'system/log/mask',
    },
    retention_ms: intFromEnv(env, 'PDP_DECISION_LOG_RETENTION_SECONDS', 3600, { min: 0, max: 30 * 86_400 }, issues) * 1000,
    store_max_entries: intFromEnv(env, 'PDP_DECISION_LOG_STORE_MAX_ENTRIES', 10_000, { min: 0, max: 10_000_000 }, issues),
    store_max_bytes: intFromEnv(env, 'PDP_DECISION_LOG_STORE_MAX_BYTES', 64 * 1024 * 1024, { min: 1024, max: 2 ** 40 }, issues),
    caller_header: callerHeader === undefined ? 'x-pdp-caller' : callerHeader.trim().toLowerCase() || null,
    flush_timeout_ms: intFromEnv(env, 'PDP_DECISION_LOG_FLUSH_TIMEOUT_MS', 5000, { min: 0, max: 600_000 }, issues),
  };
}
