// The service under a least-privilege Redis ACL user — the one docs/operations.md gives: its own
// key prefix, and only GET, SET, XADD, EVALSHA, EVAL, INFO. Against a real redis-server: two
// replicas share cache entries and records, the stream sink writes with scripts, nothing fails.
// And a user whose keys are elsewhere: Redis refuses every command, yet every decision is
// answered from the engine (Redis is never on the failure path) and the refusal is visible.
import t from 'tap';
import { Redis } from 'ioredis';
import { getJson, postJson, startPdp, testBundle, toolCall, writeBundle } from '../helpers/pdp-harness.js';
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

interface Status {
  cache: { redis: string; last_error: { message: string } | null };
  decision_log: { sinks: { name: string; mode?: string; errors: number; delivered: number; last_error: { message: string } | null }[] };
}
const status = async (url: string) => (await getJson(`${url}/v1/pdp/status`)).json as unknown as Status;

t.test('the documented least-privilege user: cache, stream and lookups work, by script, without errors', async (t) => {
  const dir = t.testdir();
  await writeBundle(dir, testBundle({ revision: 'r1' }));
  const a = await startPdp({ bundleDir: dir, env: env('pdp', 'pdp-password') });
  t.teardown(() => a.close());
  const b = await startPdp({ bundleDir: dir, env: env('pdp', 'pdp-password') });
  t.teardown(() => b.close());
  t.ok(await until(async () => (await status(a.url)).cache.redis === 'ok', 10_000), 'A connected');
  t.ok(await until(async () => (await status(b.url)).cache.redis === 'ok', 10_000), 'B connected');

  const first = (await postJson(`${a.url}/v1/decisions/tool-call`, toolCall('read_file'))).json;
  t.match(first, { allow: true, cached: false });
  t.ok(await until(async () => (await admin.keys('acl:dc:*')).length === 1, 5000), 'the entry is in Redis');
  const fromB = (await postJson(`${b.url}/v1/decisions/tool-call`, toolCall('read_file'))).json;
  t.match(fromB, { allow: true, cached: true }, "B answers from A's entry");
  t.match((await getJson(`${b.url}/v1/decisions/${String(fromB.decision_id)}`)).json, { cache_tier: 'redis' });

  t.ok(await until(async () => (await admin.xlen('acl:{decisions}:stream')) === 2, 5000), 'both records in the stream');
  t.equal((await getJson(`${b.url}/v1/decisions/${String(first.decision_id)}`)).status, 200, "A's record read on B through Redis");
  for (const url of [a.url, b.url]) {
    const s = await status(url);
    t.equal(s.cache.last_error, null, 'no cache error');
    t.match(
      s.decision_log.sinks.find((x) => x.name === 'redis'),
      { mode: 'script', errors: 0, delivered: 1 },
    );
  }
});

t.test('a user whose keys are elsewhere: every decision still answered; the refusals are visible', async (t) => {
  const dir = t.testdir();
  await writeBundle(dir, testBundle({ revision: 'r1' }));
  const pdp = await startPdp({ bundleDir: dir, env: env('elsewhere', 'elsewhere-password', 'acl2:') });
  t.teardown(() => pdp.close());
  t.ok(await until(async () => (await status(pdp.url)).cache.redis !== 'disabled', 10_000));
  for (const tool of ['read_file', 'delete_db', 'read_file', 'delete_db']) {
    const res = await postJson(`${pdp.url}/v1/decisions/tool-call`, toolCall(tool));
    t.equal(res.status, 200, `${tool}: answered`);
    t.equal(res.json.allow, tool === 'read_file', `${tool}: the policy's answer`);
  }
  t.ok(await until(async () => /NOPERM/.test((await status(pdp.url)).cache.last_error?.message ?? ''), 5000), 'the cache names the refusal');
  t.ok(
    await until(async () => /NOPERM/.test((await status(pdp.url)).decision_log.sinks.find((x) => x.name === 'redis')?.last_error?.message ?? ''), 5000),
    'the stream sink names it too',
  );
  t.same(await admin.keys('acl2:*'), [], 'nothing written under its prefix');
});
