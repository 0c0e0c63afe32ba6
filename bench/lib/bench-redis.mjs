// The Redis of the benchmarks' Redis scenarios: REDIS_URL (default redis://127.0.0.1:6379), keys
// under a prefix of this run's own, deleted afterwards.
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
export const REDIS_PREFIX = `pdp-bench-${process.pid}:`;

/** A client when a Redis answers at REDIS_URL, else null (the caller skips its Redis scenarios and says so). */
export async function redisOrNull() {
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  r.on('error', () => undefined);
  try {
    await r.connect();
    await r.ping();
    return r;
  } catch {
    r.disconnect();
    return null;
  }
}

/** Deletes every key under REDIS_PREFIX. */
export async function deleteBenchKeys(redis) {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${REDIS_PREFIX}*`, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}
