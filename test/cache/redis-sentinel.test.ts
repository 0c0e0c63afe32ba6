// The service through a real Redis Sentinel (REDIS_SENTINELS + REDIS_SENTINEL_NAME): it finds the
// master the Sentinel names, caches there and writes the decision log's stream there, so a second
// replica answers from the first one's entries and reads its records by id.
import t from 'tap';
import { Redis } from 'ioredis';
import { getJson, postJson, startPdp, testBundle, toolCall, writeBundle } from '../helpers/pdp-harness.js';
import { startRedisSentinel } from '../helpers/redis-sentinel.js';
import { until } from '../helpers/until.js';

const deployment = await startRedisSentinel();
t.teardown(() => deployment.stop());
const master = new Redis(deployment.master.url);
t.teardown(() => master.disconnect());

const ENV = {
  REDIS_SENTINELS: deployment.sentinel,
  REDIS_SENTINEL_NAME: deployment.name,
  REDIS_KEY_PREFIX: 's1:',
  REDIS_COMMAND_TIMEOUT_MS: '2000',
  PDP_CACHE_SECRET: 'sentinel-test-secret-0123456789ab',
  PDP_DECISION_LOG_STDOUT: 'false',
};

t.test('two replicas through a Sentinel share the master it names', async (t) => {
  const dir = t.testdir();
  await writeBundle(dir, testBundle({ revision: 'r1' }));
  const a = await startPdp({ bundleDir: dir, env: ENV });
  t.teardown(() => a.close());
  const b = await startPdp({ bundleDir: dir, env: ENV });
  t.teardown(() => b.close());
  const status = async (url: string) =>
    (await getJson(`${url}/v1/pdp/status`)).json as {
      cache: { redis: string; last_error: unknown };
      decision_log: { sinks: { name: string; mode?: string; errors: number }[] };
    };
  t.ok(await until(async () => (await status(a.url)).cache.redis === 'ok', 10_000), 'A connected through the Sentinel');
  t.ok(await until(async () => (await status(b.url)).cache.redis === 'ok', 10_000), 'B connected through the Sentinel');

  const first = (await postJson(`${a.url}/v1/decisions/tool-call`, toolCall('read_file'))).json;
  t.match(first, { allow: true, cached: false });
  t.ok(await until(async () => (await master.keys('s1:dc:*')).length === 1, 5000), 'the entry is on the master');
  const fromB = (await postJson(`${b.url}/v1/decisions/tool-call`, toolCall('read_file'))).json;
  t.match(fromB, { allow: true, cached: true }, "B answers from A's entry");
  t.match((await getJson(`${b.url}/v1/decisions/${String(fromB.decision_id)}`)).json, { cache_tier: 'redis' });
  t.ok(await until(async () => (await master.xlen('s1:{decisions}:stream')) === 2, 5000), 'both records in the stream on the master');
  t.equal((await getJson(`${b.url}/v1/decisions/${String(first.decision_id)}`)).status, 200, "A's record read on B");
  for (const url of [a.url, b.url]) {
    const s = await status(url);
    t.equal(s.cache.last_error, null);
    t.match(
      s.decision_log.sinks.find((x) => x.name === 'redis'),
      { mode: 'script', errors: 0 },
    );
  }
});
