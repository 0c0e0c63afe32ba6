// The cache, Redis and decision-log settings, loaded the production way (loadConfig: defaults <
// config file < env), and the Redis topology the connection is built for.
import t, { type Test } from 'tap';
import { join } from 'node:path';
import { DEFAULT_CACHE, DEFAULT_DECISION_LOG, DEFAULT_REDIS } from '../../src/config/defaults.js';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError, type ConfigIssue, type PdpConfig } from '../../src/config/types.js';
import { redisTopology } from '../../src/redis/topology.js';

function load(env: Record<string, string>): PdpConfig {
  return loadConfig({ env }).config;
}

/** The issues loadConfig reports for `env` (fails the test if it loads). */
function issuesOf(t: Test, env: Record<string, string>): ConfigIssue[] {
  try {
    loadConfig({ env });
  } catch (e) {
    t.type(e, ConfigError);
    return [...(e as ConfigError).issues];
  }
  t.fail(`expected a ConfigError for ${JSON.stringify(env)}`);
  return [];
}

t.test('defaults: in-process only, 60 s TTL, no Redis', async (t) => {
  const cfg = load({});
  t.same(cfg.cache, DEFAULT_CACHE);
  t.equal(cfg.cache.enabled, true);
  t.equal(cfg.cache.ttl_seconds, 60);
  t.same(cfg.redis, DEFAULT_REDIS);
  t.equal(redisTopology(cfg.redis), null, 'no Redis configured');
  t.same(cfg.decision_log, DEFAULT_DECISION_LOG);
  t.equal(cfg.decision_log.redis_stream, 'auto');
});

t.test('standalone, cluster and sentinel topologies', async (t) => {
  const standalone = load({ REDIS_URL: 'redis://h:6380/2' });
  t.equal(standalone.redis.url, 'redis://h:6380/2');
  t.same(redisTopology(standalone.redis), { kind: 'standalone', url: 'redis://h:6380/2' });

  const cluster = load({ REDIS_CLUSTER_NODES: 'a:7000, b:7001' });
  t.same(cluster.redis.cluster_nodes, ['a:7000', 'b:7001']);
  t.same(redisTopology(cluster.redis), {
    kind: 'cluster',
    nodes: [
      { host: 'a', port: 7000 },
      { host: 'b', port: 7001 },
    ],
  });

  const sentinel = load({ REDIS_SENTINELS: 's1:26379', REDIS_SENTINEL_NAME: 'mymaster' });
  t.same(redisTopology(sentinel.redis), {
    kind: 'sentinel',
    sentinels: [{ host: 's1', port: 26379 }],
    name: 'mymaster',
  });
});

t.test('redisTopology parses host:port, IPv6 in brackets included', async (t) => {
  t.same(redisTopology({ ...DEFAULT_REDIS, cluster_nodes: ['[::1]:7000', '10.0.0.2:7001'] }), {
    kind: 'cluster',
    nodes: [
      { host: '::1', port: 7000 },
      { host: '10.0.0.2', port: 7001 },
    ],
  });
  t.equal(redisTopology({ ...DEFAULT_REDIS }), null);
});

t.test('every bad value is reported by its variable name', async (t) => {
  const issues = issuesOf(t, {
    PDP_CACHE_TTL_SECONDS: 'ten',
    REDIS_SENTINELS: 's1',
    REDIS_SENTINEL_NAME: 'mymaster',
    REDIS_COMMAND_TIMEOUT_MS: '0',
    PDP_CACHE_ENABLED: 'maybe',
  });
  t.same(issues.map((i) => i.source).sort(), ['PDP_CACHE_ENABLED', 'PDP_CACHE_TTL_SECONDS', 'REDIS_COMMAND_TIMEOUT_MS', 'REDIS_SENTINELS']);
  const bySource = Object.fromEntries(issues.map((i) => [i.source, i.message]));
  t.equal(bySource.PDP_CACHE_TTL_SECONDS, 'must be integer (got "ten")');
  t.equal(bySource.PDP_CACHE_ENABLED, 'must be boolean (got "maybe")');
  t.equal(bySource.REDIS_COMMAND_TIMEOUT_MS, 'must be >= 1 (got "0")');
  t.match(bySource.REDIS_SENTINELS, /host:port/);
});

t.test('sentinels without a master group name: reported as REDIS_SENTINEL_NAME', async (t) => {
  const issues = issuesOf(t, { REDIS_SENTINELS: 's1:26379' });
  t.equal(issues.length, 1);
  t.match(issues[0], { source: /REDIS_SENTINEL_NAME/, message: /required/ });
});

t.test('two topologies at once: one issue naming both variables', async (t) => {
  const conflict = issuesOf(t, { REDIS_URL: 'redis://a', REDIS_CLUSTER_NODES: 'b:1' });
  t.equal(conflict.length, 1);
  t.match(conflict[0], { source: 'REDIS_URL, REDIS_CLUSTER_NODES', message: /only one/ });
});

t.test('REDIS_URL must be a redis:// URL; being a secret, its value is not echoed', async (t) => {
  const bad = issuesOf(t, { REDIS_URL: 'http://x' });
  t.equal(bad.length, 1);
  t.match(bad[0], { source: 'REDIS_URL' });
  t.notMatch(bad[0]?.message, /http:\/\/x/);
});

t.test('decision-log settings: a Redis stream without Redis, a bad mask path', async (t) => {
  const stream = issuesOf(t, { PDP_DECISION_LOG_REDIS_STREAM: 'true' });
  t.equal(stream.length, 1);
  t.match(stream[0], { source: 'PDP_DECISION_LOG_REDIS_STREAM', message: /Redis/ });
  t.equal(load({ PDP_DECISION_LOG_REDIS_STREAM: 'true', REDIS_URL: 'redis://r:6379' }).decision_log.redis_stream, true, 'fine with Redis');

  const mask = issuesOf(t, { PDP_DECISION_LOG_MASK_PATHS: '/input/ok,/decision_id' });
  t.equal(mask.length, 1);
  t.match(mask[0], { source: 'PDP_DECISION_LOG_MASK_PATHS', message: /decision_id/ });
  t.same(load({ PDP_DECISION_LOG_MASK_PATHS: '/input/a, /input/b/*' }).decision_log.mask_paths, ['/input/a', '/input/b/*']);
});

t.test('the same settings from a YAML config file; env overrides the file', async (t) => {
  const dir = t.testdir({
    'pdp.yaml': ['redis:', '  url: redis://from-file:6379', '  key_prefix: "f:"', 'cache:', '  ttl_seconds: 5', ''].join('\n'),
    'bad.yaml': ['cache:', '  ttl_seconds: soon', ''].join('\n'),
  });
  const file = join(dir, 'pdp.yaml');
  const fromFile = loadConfig({ env: { PDP_CONFIG: file } });
  t.equal(fromFile.file, file);
  t.equal(fromFile.config.cache.ttl_seconds, 5);
  t.equal(fromFile.config.cache.max_entries, DEFAULT_CACHE.max_entries, 'unset keys keep their defaults');
  t.same(redisTopology(fromFile.config.redis), { kind: 'standalone', url: 'redis://from-file:6379' });
  t.equal(fromFile.config.redis.key_prefix, 'f:');

  const overridden = load({ PDP_CONFIG: file, PDP_CACHE_TTL_SECONDS: '7', REDIS_URL: 'redis://from-env:6379' });
  t.equal(overridden.cache.ttl_seconds, 7);
  t.equal(overridden.redis.url, 'redis://from-env:6379');
  t.equal(overridden.redis.key_prefix, 'f:', 'what env does not set still comes from the file');

  const bad = issuesOf(t, { PDP_CONFIG: join(dir, 'bad.yaml') });
  t.equal(bad.length, 1);
  t.match(bad[0], { source: `${join(dir, 'bad.yaml')}: cache.ttl_seconds`, message: /integer/ });
});

t.test('REDIS_PASSWORD_FILE reads the secret from a file; both at once is an issue', async (t) => {
  const dir = t.testdir({ 'redis-password': 's3cret\n' });
  const file = join(dir, 'redis-password');
  t.equal(load({ REDIS_URL: 'redis://r:6379', REDIS_PASSWORD_FILE: file }).redis.password, 's3cret');
  const both = issuesOf(t, { REDIS_URL: 'redis://r:6379', REDIS_PASSWORD: 'other', REDIS_PASSWORD_FILE: file });
  t.equal(both.length, 1);
  t.match(both[0], { source: /REDIS_PASSWORD\b.*REDIS_PASSWORD_FILE/ });
  t.notMatch(both[0]?.message, /s3cret|other/, 'neither secret is echoed');
  const missing = issuesOf(t, { REDIS_PASSWORD_FILE: join(dir, 'nope') });
  t.match(missing, [{ source: 'REDIS_PASSWORD_FILE' }]);
});
