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

/** Deletes every key under REDIS_PREFIX (`under`: only those under REDIS_PREFIX + under). */
export async function deleteBenchKeys(redis, under = '') {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${REDIS_PREFIX}${under}*`, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** Deletes what the services' decision logs wrote under REDIS_PREFIX (the stream and the
 * per-decision id keys, `{decisions}:…`), keeping the Redis tier's cache entries. At ~2.4 KB a
 * record, a run's id keys reach a gigabyte; a Redis that full, on the machine the server and the
 * client share, made the next scenario's server 15–30 % slower per request and its p99 at half
 * rate 5–8 × longer (docs/benchmarks.md, session 29): measured windows start without them. */
export async function deleteDecisionLogKeys(redis) {
  await deleteBenchKeys(redis, '{decisions}:');
}

/** Redis's own CPU time so far (INFO cpu: all its threads, user + system) in µs; null where
 * INFO cannot be read or lacks the fields. */
export async function redisCpuUs(redis) {
  const info = await redis.info('cpu').catch(() => '');
  const user = /^used_cpu_user:([0-9.]+)/m.exec(info);
  const sys = /^used_cpu_sys:([0-9.]+)/m.exec(info);
  return user && sys ? (Number(user[1]) + Number(sys[1])) * 1e6 : null;
}
