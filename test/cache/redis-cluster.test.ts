// Two replicas of the service on a real three-master Redis Cluster (REDIS_CLUSTER_NODES): the
// decision cache's entries spread over the nodes by key, and a replica answers from another's
// entry (the Redis tier); the decision log's stream — written with one script call per chunk —
// and its id keys share one slot, so any replica reads any record back by id; status says the
// cache is healthy and the sink writes with scripts.
import t from 'tap';
import { Cluster } from 'ioredis';
import { DEFAULT_DECISION_LOG, DEFAULT_REDIS } from '../../src/config/defaults.js';
import { createDecisionLog } from '../../src/decisionlog/create.js';
import { createRedisClient } from '../../src/redis/connection.js';
import { decidedRecord } from '../helpers/decision-record.js';
import { getJson, postJson, startPdp, testBundle, toolCall, writeBundle } from '../helpers/pdp-harness.js';
import { startRedisCluster } from '../helpers/redis-cluster.js';
import { pdpStatus, startReplicas } from '../helpers/redis-replicas.js';
import { until } from '../helpers/until.js';

const cluster = await startRedisCluster();
t.teardown(() => cluster.stop());
const admin = new Cluster(cluster.nodes.map((n) => ({ host: '127.0.0.1', port: Number(n.split(':')[1]) })));
t.teardown(() => admin.disconnect());

const ENV = {
  REDIS_CLUSTER_NODES: cluster.nodes.join(','),
  REDIS_KEY_PREFIX: 'c1:',
  REDIS_COMMAND_TIMEOUT_MS: '2000',
  PDP_CACHE_SECRET: 'a-secret-both-replicas-share-0123456789',
  PDP_DECISION_LOG_STDOUT: 'false',
};

t.test('two replicas on a Redis Cluster share cache entries and decision records', async (t) => {
  const [a, b] = await startReplicas(t, ENV);

  // Twenty distinct decisions on A: evaluated there, their entries written to Redis.
  const tools = Array.from({ length: 20 }, (_, i) => `tool_${i}`);
  const fromA: Record<string, unknown>[] = [];
  for (const tool of tools) fromA.push((await postJson(`${a.url}/v1/decisions/tool-call`, toolCall(tool))).json);
  t.ok(
    fromA.every((j) => j.cached === false),
    'evaluated on A',
  );
  const cacheKeys = async () => {
    const keys: string[] = [];
    for (const node of admin.nodes('master')) keys.push(...(await node.keys('c1:dc:*')).map((k) => `${node.options.port}:${k}`));
    return keys;
  };
  t.ok(await until(async () => (await cacheKeys()).length >= 20, 10_000), 'the entries are in Redis');
  const nodesUsed = new Set((await cacheKeys()).map((k) => k.split(':')[0]));
  t.ok(nodesUsed.size >= 2, `entries spread over ${nodesUsed.size} of 3 masters`);

  // B has never seen these: its answers come from A's entries, through the Redis tier.
  const fromB: Record<string, unknown>[] = [];
  for (const [i, tool] of tools.entries()) {
    const j = (await postJson(`${b.url}/v1/decisions/tool-call`, toolCall(tool))).json;
    fromB.push(j);
    t.match(j, { cached: true, allow: fromA[i]?.allow }, `${tool}: B answers from A's entry`);
  }
  for (const j of [fromB[0], fromB[19]]) {
    const rec = await getJson(`${b.url}/v1/decisions/${String(j?.decision_id)}`);
    t.match(rec.json, { cached: true, cache_tier: 'redis' }, "B's record: answered by the Redis tier");
  }

  // A's records: in the stream (one slot, written by script) and readable by id on B.
  const stream = 'c1:{decisions}:stream';
  t.ok(await until(async () => (await admin.xlen(stream)) === 40, 10_000), 'every decision of both replicas in the stream');
  for (const j of [fromA[0], fromA[19]]) {
    const id = String(j?.decision_id);
    const got = await getJson(`${b.url}/v1/decisions/${id}`);
    t.equal(got.status, 200, `A's record ${id.slice(0, 8)} read on B`);
    t.match(got.json, { decision_id: id, cached: false });
  }
  for (const [name, url] of [
    ['A', a.url],
    ['B', b.url],
  ] as const) {
    const redisSink = (await pdpStatus(url)).decision_log.sinks.find((s) => s.name === 'redis');
    t.match(redisSink, { mode: 'script', errors: 0 }, `${name}: the stream sink writes with scripts, without errors`);
  }
});

t.test('retention 0: the stream alone, under any key, is written by script on the cluster', async (t) => {
  const r = { ...DEFAULT_REDIS, cluster_nodes: cluster.nodes, key_prefix: 'c2:', command_timeout_ms: 2000 };
  const client = createRedisClient(r);
  if (!client) throw new Error('a cluster client');
  t.teardown(() => client.disconnect());
  t.ok(await until(() => client.status === 'ready', 10_000), 'connected');
  const log = createDecisionLog(
    { ...DEFAULT_DECISION_LOG, stdout: false, redis_stream: true, redis_stream_key: 'c2-audit-untagged', retention_seconds: 0 },
    r,
    {
      redis: client,
      labels: {},
    },
  );
  for (let i = 0; i < 150; i++)
    log.log(
      decidedRecord(
        {
          decision_id: `c2-${i}`,
          timestamp: '2026-12-05T12:00:00.000Z',
          path: 'ai/tools/decision',
          kind: 'tool-call',
          input: { i },
          result: { allow: true },
          outcome: 'decided',
          bundles: { b: 'r1' },
          engine: 'rego',
          cached: false,
          duration_ms: 0.1,
        },
        true,
      ),
    );
  await log.close(5000);
  const entries = (await admin.xrange('c2-audit-untagged', '-', '+')) as [string, string[]][];
  t.same(
    entries.map(([, f]) => f[1]),
    Array.from({ length: 150 }, (_, i) => `c2-${i}`),
    'every record once, in order',
  );
  t.match(
    log.status().sinks.find((s) => s.name === 'redis'),
    { mode: 'script', errors: 0 },
  );
});

t.test('the least-privilege ACL user of docs/operations.md, with the cluster client’s three commands, on every node', async (t) => {
  for (const node of admin.nodes('master')) {
    await node.acl(
      'SETUSER',
      'pdp',
      'reset',
      'on',
      '>pdp-password',
      '~c3:*',
      '-@all',
      '+get',
      '+set',
      '+xadd',
      '+evalsha',
      '+eval',
      '+info',
      '+cluster|slots',
      '+cluster|info',
      '+client|setname',
    );
  }
  const dir = t.testdir();
  await writeBundle(dir, testBundle({ revision: 'r1' }));
  const pdp = await startPdp({ bundleDir: dir, env: { ...ENV, REDIS_KEY_PREFIX: 'c3:', REDIS_USERNAME: 'pdp', REDIS_PASSWORD: 'pdp-password' } });
  t.teardown(() => pdp.close());
  const status = () => pdpStatus(pdp.url);
  t.ok(await until(async () => (await status()).cache.redis === 'ok', 15_000), 'connected as pdp');
  for (let i = 0; i < 10; i++) await postJson(`${pdp.url}/v1/decisions/tool-call`, toolCall(`acl_${i}`));
  const keys = async () => (await Promise.all(admin.nodes('master').map((n) => n.keys('c3:dc:*')))).flat();
  t.ok(await until(async () => (await keys()).length === 10, 10_000), 'entries written on the masters');
  t.ok(await until(async () => (await admin.xlen('c3:{decisions}:stream')) === 10, 10_000), 'records written');
  const s = await status();
  t.equal(s.cache.last_error, null);
  t.match(
    s.decision_log.sinks.find((x) => x.name === 'redis'),
    { mode: 'script', errors: 0 },
  );
});
