// The service under a least-privilege Redis ACL user — the one docs/operations.md gives: its own
// key prefix, and only GET, SET, XADD, EVALSHA, EVAL, INFO. Against a real redis-server: two
// replicas share cache entries and records, the stream sink writes with scripts, nothing fails.
// And a user whose keys are elsewhere: Redis refuses every command, yet every decision is
// answered from the engine (Redis is never on the failure path) and the refusal is visible.
import t from 'tap';
import { Redis } from 'ioredis';
import { postJson, startPdp, testBundle, toolCall, writeBundle } from '../helpers/pdp-harness.js';
import { checkReplicasShare, pdpStatus, startReplicas } from '../helpers/redis-replicas.js';
import { startRedisServer } from '../helpers/redis-server.js';
import { until } from '../helpers/until.js';

const srv = await startRedisServer();
t.teardown(() => srv.stop());
const admin = new Redis(srv.url);
t.teardown(() => admin.disconnect());

// What docs/operations.md says to grant (keep the two in step).
const GRANTS = ['+get', '+set', '+xadd', '+evalsha', '+eval', '+info'];
await admin.acl('SETUSER', 'pdp', 'reset', 'on', '>pdp-password', '~acl:*', '-@all', ...GRANTS);
await admin.acl('SETUSER', 'elsewhere', 'reset', 'on', '>elsewhere-password', '~other:*', '-@all', ...GRANTS);

const env = (user: string, password: string, prefix = 'acl:') => ({
  REDIS_URL: srv.url,
  REDIS_USERNAME: user,
  REDIS_PASSWORD: password,
  REDIS_KEY_PREFIX: prefix,
  REDIS_COMMAND_TIMEOUT_MS: '2000',
  PDP_CACHE_SECRET: 'acl-test-secret-0123456789abcdef',
  PDP_DECISION_LOG_STDOUT: 'false',
});

t.test('the documented least-privilege user: cache, stream and lookups work, by script, without errors', async (t) => {
  const replicas = await startReplicas(t, env('pdp', 'pdp-password'), 10_000);
  await checkReplicasShare(t, replicas, admin, 'acl:');
});

t.test('a user whose keys are elsewhere: every decision still answered; the refusals are visible', async (t) => {
  const dir = t.testdir();
  await writeBundle(dir, testBundle({ revision: 'r1' }));
  const pdp = await startPdp({ bundleDir: dir, env: env('elsewhere', 'elsewhere-password', 'acl2:') });
  t.teardown(() => pdp.close());
  t.ok(await until(async () => (await pdpStatus(pdp.url)).cache.redis !== 'disabled', 10_000));
  for (const tool of ['read_file', 'delete_db', 'read_file', 'delete_db']) {
    const res = await postJson(`${pdp.url}/v1/decisions/tool-call`, toolCall(tool));
    t.equal(res.status, 200, `${tool}: answered`);
    t.equal(res.json.allow, tool === 'read_file', `${tool}: the policy's answer`);
  }
  t.ok(await until(async () => /NOPERM/.test((await pdpStatus(pdp.url)).cache.last_error?.message ?? ''), 5000), 'the cache names the refusal');
  t.ok(
    await until(async () => /NOPERM/.test((await pdpStatus(pdp.url)).decision_log.sinks.find((x) => x.name === 'redis')?.last_error?.message ?? ''), 5000),
    'the stream sink names it too',
  );
  t.same(await admin.keys('acl2:*'), [], 'nothing written under its prefix');
});
