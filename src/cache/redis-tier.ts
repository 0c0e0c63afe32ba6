// The shared tier: decision outcomes in Redis, `SET key value PX ttl` — the key a keyed digest of
// the cache key and the value sealed under it (redis-seal.ts): Redis holds no request values, and
// a value written by anyone without the secret is rejected (and counted).
//
// Redis is never on the failure path: every call is bounded by a deadline, guarded by a
// circuit breaker, and any failure reads as a miss (get) or is dropped (set). The breaker
// opens after consecutive failures, so a dead or slow Redis costs nothing per request
// while open; after the cool-down (or as soon as the client reports it reconnected) a
// single probe decides whether to close it again.
import { describeThrown } from '../shared/errors.js';
import type { CacheEntry } from '../decisions/types.js';
import type { RedisClient } from '../redis/connection.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import type { RedisSeal } from './redis-seal.js';
import type { BreakerState, RedisHealth } from './types.js';

export interface RedisTierOptions {
  client: RedisClient;
  breaker: CircuitBreaker;
  /** Prefix for every key, e.g. "pdp:dc:". */
  keyPrefix: string;
  /** Our own deadline around each call (ioredis' commandTimeout is the first line). */
  timeoutMs: number;
  /** Keys and seals values with the configured secret. */
  seal: RedisSeal;
  /** No entry read back lives longer than this from now, whatever its expiresAt says. */
  ttlMs: number;
  /** Told about each value that was there but failed authentication or decoding. */
  onRejected?: () => void;
  now?: () => number;
}

export class RedisTimeoutError extends Error {
  readonly code = 'REDIS_TIMEOUT';
  constructor(ms: number) {
    super(`redis call exceeded ${ms} ms`);
    this.name = 'RedisTimeoutError';
  }
}

export class RedisTier {
  readonly name = 'redis' as const;
  private readonly client: RedisClient;
  private readonly breaker: CircuitBreaker;
  private readonly keyPrefix: string;
  private readonly timeoutMs: number;
  private readonly sealer: RedisSeal;
  private readonly ttlMs: number;
  private readonly onRejected: () => void;
  private readonly now: () => number;
  private lastError: { message: string; at: string } | null = null;

  constructor(opts: RedisTierOptions) {
    this.client = opts.client;
    this.breaker = opts.breaker;
    this.keyPrefix = opts.keyPrefix;
    this.timeoutMs = opts.timeoutMs;
    this.sealer = opts.seal;
    this.ttlMs = opts.ttlMs;
    this.onRejected = opts.onRejected ?? (() => undefined);
    this.now = opts.now ?? Date.now;
    // A reconnect is the best moment to probe: do not wait out the rest of the cool-down.
    this.client.on('ready', () => this.breaker.expediteProbe());
  }

  /** undefined on a miss, on any failure, and while the breaker is open. */
  async get(key: string): Promise<CacheEntry | undefined> {
    if (!this.breaker.tryAcquire()) return undefined;
    const keys = this.sealer.keysOf(key);
    let sealed: string | null;
    try {
      sealed = await this.bounded(this.client.get(this.keyPrefix + keys.redisKey));
      this.breaker.success();
    } catch (e) {
      this.fail(e);
      return undefined;
    }
    if (sealed === null) return undefined;
    const raw = this.sealer.unseal(keys, sealed);
    const entry = raw === undefined ? undefined : decodeEntry(raw);
    if (entry === undefined) {
      this.onRejected();
      return undefined;
    }
    const now = this.now();
    if (entry.expiresAt <= now) return undefined;
    // A writer's clock or a bug must not make an entry outlive the configured TTL here.
    return entry.expiresAt > now + this.ttlMs ? { ...entry, expiresAt: now + this.ttlMs } : entry;
  }

  /** Fire and forget: the decision never waits for the write. */
  set(key: string, entry: CacheEntry): void {
    const ttl = Math.ceil(entry.expiresAt - this.now());
    if (ttl <= 0) return;
    if (!this.breaker.tryAcquire()) return;
    const keys = this.sealer.keysOf(key);
    this.bounded(this.client.set(this.keyPrefix + keys.redisKey, this.sealer.seal(keys, JSON.stringify(entry)), 'PX', ttl)).then(
      () => this.breaker.success(),
      (e: unknown) => this.fail(e),
    );
  }

  get breakerState(): BreakerState {
    return this.breaker.state;
  }

  get health(): RedisHealth {
    return this.breaker.state === 'closed' && this.client.status === 'ready' ? 'ok' : 'degraded';
  }

  get lastErrorInfo(): { message: string; at: string } | null {
    return this.lastError;
  }

  private fail(e: unknown): void {
    this.breaker.failure();
    this.lastError = { message: describeThrown(e), at: new Date(this.now()).toISOString() };
  }

  private bounded<T>(p: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new RedisTimeoutError(this.timeoutMs)), this.timeoutMs);
      p.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e: unknown) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });
  }
}

/** Parses a stored entry; anything malformed (another writer, an old format) is a miss. */
export function decodeEntry(raw: string): CacheEntry | undefined {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.defined !== 'boolean' || typeof o.expiresAt !== 'number') return undefined;
  if (o.engine !== 'rego' && o.engine !== 'wasm') return undefined;
  return o.defined
    ? { defined: true, result: o.result, engine: o.engine, expiresAt: o.expiresAt }
    : { defined: false, engine: o.engine, expiresAt: o.expiresAt };
}
