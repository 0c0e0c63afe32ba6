// The service through a real Redis Sentinel (REDIS_SENTINELS + REDIS_SENTINEL_NAME): it finds the
// master the Sentinel names, caches there and writes the decision log's stream there, so a second
// replica answers from the first one's entries and reads its records by id.
import t from 'tap';
import { Redis } from 'ioredis';
import { checkReplicasShare, startReplicas } from '../helpers/redis-replicas.js';
import { startRedisSentinel } from '../helpers/redis-sentinel.js';

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
  const replicas = await startReplicas(t, ENV, 10_000);
  await checkReplicasShare(t, replicas, master, 's1:');
});
