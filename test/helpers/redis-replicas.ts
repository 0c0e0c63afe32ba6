// Test support: replicas of the service sharing one Redis (standalone, cluster or Sentinel, as
// the env says), and the check every topology must pass — a decision on one replica is a Redis
// hit on the other, and either reads the other's record by id.
import type { Test } from 'tap';
import { getJson, postJson, startPdp, testBundle, toolCall, writeBundle, type PdpUnderTest } from './pdp-harness.js';
import { until } from './until.js';

/** The parts of /v1/pdp/status these tests read. */
export interface RedisStatus {
  cache: { redis: string; last_error: { message: string } | null };
  decision_log: { sinks: { name: string; mode?: string; errors: number; delivered: number; last_error: { message: string } | null }[] };
}

export async function pdpStatus(url: string): Promise<RedisStatus> {
  return (await getJson(`${url}/v1/pdp/status`)).json as unknown as RedisStatus;
}

/** Two replicas on the test bundle, both connected to Redis (cache `ok`); closed on teardown. */
export async function startReplicas(t: Test, env: Record<string, string>, timeoutMs = 15_000): Promise<[PdpUnderTest, PdpUnderTest]> {
  const dir = t.testdir();
  await writeBundle(dir, testBundle({ revision: 'r1' }));
  const replicas: PdpUnderTest[] = [];
  for (const name of ['A', 'B']) {
    const pdp = await startPdp({ bundleDir: dir, env });
    t.teardown(() => pdp.close());
    t.ok(await until(async () => (await pdpStatus(pdp.url)).cache.redis === 'ok', timeoutMs), `replica ${name}: connected to Redis`);
    replicas.push(pdp);
  }
  return replicas as [PdpUnderTest, PdpUnderTest];
}

/** What the replicas' Redis holds, read directly (a client of the test's own). */
export interface RedisView {
  keys(pattern: string): Promise<string[]>;
  xlen(key: string): Promise<number>;
}

/** One decision on A, the same on B: B answers from A's entry through the Redis tier, both
 * records reach the stream, B reads A's record by id, and neither replica saw a Redis error. */
export async function checkReplicasShare(t: Test, [a, b]: [PdpUnderTest, PdpUnderTest], redis: RedisView, prefix: string): Promise<void> {
  const first = (await postJson(`${a.url}/v1/decisions/tool-call`, toolCall('read_file'))).json;
  t.match(first, { allow: true, cached: false }, 'evaluated on A');
  t.ok(await until(async () => (await redis.keys(`${prefix}dc:*`)).length === 1, 5000), 'the entry is in Redis');
  const fromB = (await postJson(`${b.url}/v1/decisions/tool-call`, toolCall('read_file'))).json;
  t.match(fromB, { allow: true, cached: true }, "B answers from A's entry");
  t.match((await getJson(`${b.url}/v1/decisions/${String(fromB.decision_id)}`)).json, { cache_tier: 'redis' });
  t.ok(await until(async () => (await redis.xlen(`${prefix}{decisions}:stream`)) === 2, 5000), 'both records in the stream');
  t.equal((await getJson(`${b.url}/v1/decisions/${String(first.decision_id)}`)).status, 200, "A's record read on B through Redis");
  for (const url of [a.url, b.url]) {
    const s = await pdpStatus(url);
    t.equal(s.cache.last_error, null, 'no cache error');
    t.match(
      s.decision_log.sinks.find((x) => x.name === 'redis'),
      { mode: 'script', errors: 0, delivered: 1 },
    );
  }
}
