// Assembles the decision log from its settings.
import type { Writable } from 'node:stream';
import type { DecisionLogConfig, RedisConfig } from '../config/types.js';
import type { RedisClient } from '../redis/connection.js';
import { DecisionLog, type RecordLookup } from './decision-log.js';
import { Masker, type PolicyMaskFn } from './mask/masker.js';
import type { PolicyDropFn } from './policy-drop.js';
import { RecordStore } from './record-store.js';
import { HttpSink } from './sinks/http.js';
import { httpClientOptions } from '../bundles/http-client-options.js';
import { RedisRecordLookup, RedisStreamSink } from './sinks/redis-stream.js';
import { StdoutSink } from './sinks/stdout.js';
import type { LogObserver, LogSink } from './types.js';

export interface DecisionLogDeps {
  /** The shared connection, when Redis is configured. */
  redis?: RedisClient | null;
  policyMask?: PolicyMaskFn;
  policyDrop?: PolicyDropFn;
  labels: Record<string, string>;
  observer?: LogObserver;
  stdout?: Writable;
  /** The other workers of this process (server.workers > 1). */
  siblings?: RecordLookup;
}

export function createDecisionLog(cfg: DecisionLogConfig, redisCfg: RedisConfig, deps: DecisionLogDeps): DecisionLog {
  const sinks: LogSink[] = [];
  if (cfg.stdout) sinks.push(new StdoutSink({ stream: deps.stdout }));
  // "auto" (the default) streams whenever Redis is configured; true without Redis is refused at load.
  const redis = cfg.redis_stream !== false ? (deps.redis ?? null) : null;
  const retentionMs = cfg.retention_seconds * 1000;
  const idKeyPrefix = `${redisCfg.key_prefix}{decisions}:id:`;
  if (redis) {
    sinks.push(
      new RedisStreamSink({
        client: redis,
        stream: cfg.redis_stream_key ?? `${redisCfg.key_prefix}{decisions}:stream`,
        idKeyPrefix,
        maxLen: cfg.redis_maxlen,
        retentionMs,
        // A batch is many commands in one round trip; give it more than one command's time.
        timeoutMs: Math.max(1000, redisCfg.command_timeout_ms * 10),
      }),
    );
  }
  if (cfg.url !== undefined) {
    // The token file is read for every upload (a rotated token is used without a restart), as OPA.
    const client = httpClientOptions({
      ...(cfg.tls ? { tls: cfg.tls } : {}),
      ...(cfg.token_file !== undefined ? { token_file: cfg.token_file, token_scheme: cfg.token_scheme } : {}),
    });
    sinks.push(
      new HttpSink({
        url: cfg.url,
        headers: {
          ...cfg.headers,
          ...(cfg.auth_token !== undefined ? { authorization: `${cfg.token_scheme ?? 'Bearer'} ${cfg.auth_token}` } : {}),
        },
        timeoutMs: cfg.upload_timeout_ms,
        maxUploadBytes: cfg.upload_max_bytes,
        ...(client ? { client } : {}),
      }),
    );
  }
  return new DecisionLog({
    sinks,
    masker: new Masker({ paths: cfg.mask_paths, policyMask: cfg.policy_mask ? deps.policyMask : undefined, raw: cfg.raw }),
    store: new RecordStore({ maxEntries: cfg.store_max_entries, maxBytes: cfg.store_max_bytes, retentionMs }),
    remoteLookup: redis && retentionMs > 0 ? new RedisRecordLookup({ client: redis, idKeyPrefix, timeoutMs: redisCfg.command_timeout_ms }) : undefined,
    ...(deps.siblings ? { siblingLookup: deps.siblings } : {}),
    labels: deps.labels,
    ...(deps.policyDrop ? { policyDrop: deps.policyDrop } : {}),
    buffer: { capacity: cfg.buffer_size, maxBytes: cfg.buffer_max_bytes, batchSize: cfg.batch_size, maxDelayMs: 0, backoff: { initialMs: 200, maxMs: 30_000 } },
    perSink: cfg.url !== undefined ? { http: { maxDelayMs: cfg.upload_interval_ms } } : undefined,
    observer: deps.observer,
  });
}
