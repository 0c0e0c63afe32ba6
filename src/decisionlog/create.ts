// Assembles the decision log from its configuration.
import type { Writable } from 'node:stream';
import type { RedisClient } from '../cache/redis/connection.js';
import type { DecisionLogConfig } from './config.js';
import { DecisionLog } from './decision-log.js';
import { Masker, type PolicyMaskFn } from './mask/masker.js';
import { RecordStore } from './record-store.js';
import { HttpSink } from './sinks/http.js';
import { RedisRecordLookup, RedisStreamSink } from './sinks/redis-stream.js';
import { StdoutSink } from './sinks/stdout.js';
import type { LogObserver, LogSink } from './types.js';

export interface DecisionLogDeps {
  redis?: RedisClient | null;
  /** Per-command deadline for Redis (shared with the cache's setting). */
  redisTimeoutMs?: number;
  policyMask?: PolicyMaskFn;
  labels: Record<string, string>;
  observer?: LogObserver;
  stdout?: Writable;
}

export function createDecisionLog(cfg: DecisionLogConfig, deps: DecisionLogDeps): DecisionLog {
  const sinks: LogSink[] = [];
  if (cfg.stdout) sinks.push(new StdoutSink({ stream: deps.stdout }));
  const redis = cfg.redis_stream.enabled ? deps.redis ?? null : null;
  const redisTimeout = deps.redisTimeoutMs ?? 1000;
  if (redis) {
    sinks.push(
      new RedisStreamSink({
        client: redis,
        stream: cfg.redis_stream.stream,
        idKeyPrefix: cfg.redis_stream.id_key_prefix,
        maxLen: cfg.redis_stream.max_len,
        retentionMs: cfg.retention_ms,
        // A batch is many commands in one round trip; give it more than one command's time.
        timeoutMs: Math.max(1000, redisTimeout * 10),
      }),
    );
  }
  if (cfg.http) sinks.push(new HttpSink({ url: cfg.http.url, headers: cfg.http.headers, timeoutMs: cfg.http.timeout_ms }));
  return new DecisionLog({
    sinks,
    masker: new Masker({ paths: cfg.mask_paths, policyMask: cfg.policy_mask.enabled ? deps.policyMask : undefined }),
    store: new RecordStore({ maxEntries: cfg.store_max_entries, maxBytes: cfg.store_max_bytes, retentionMs: cfg.retention_ms }),
    remoteLookup:
      redis && cfg.retention_ms > 0
        ? new RedisRecordLookup({ client: redis, idKeyPrefix: cfg.redis_stream.id_key_prefix, timeoutMs: redisTimeout })
        : undefined,
    labels: deps.labels,
    buffer: { capacity: cfg.buffer_size, maxBytes: cfg.buffer_max_bytes, batchSize: cfg.batch_size, maxDelayMs: 0, backoff: { initialMs: 200, maxMs: 30_000 } },
    perSink: cfg.http ? { http: { maxDelayMs: cfg.http.interval_ms } } : undefined,
    observer: deps.observer,
  });
}
