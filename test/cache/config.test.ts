import t from 'tap';
import { cacheConfigFromEnv } from '../../src/cache/config.js';
import type { ConfigIssue } from '../../src/config/types.js';

t.test('defaults: in-process only, 60 s TTL', async (t) => {
  const issues: ConfigIssue[] = [];
  const cfg = cacheConfigFromEnv({}, issues);
  t.same(issues, []);
  t.equal(cfg.enabled, true);
  t.equal(cfg.ttl_ms, 60_000);
  t.equal(cfg.redis, null);
});

t.test('standalone, cluster and sentinel topologies', async (t) => {
  const issues: ConfigIssue[] = [];
  t.same(cacheConfigFromEnv({ REDIS_URL: 'redis://h:6380/2' }, issues).redis?.topology, { kind: 'standalone', url: 'redis://h:6380/2' });
  t.same(cacheConfigFromEnv({ REDIS_CLUSTER_NODES: 'a:7000, b:7001' }, issues).redis?.topology, {
    kind: 'cluster',
    nodes: [
      { host: 'a', port: 7000 },
      { host: 'b', port: 7001 },
    ],
  });
  t.same(cacheConfigFromEnv({ REDIS_SENTINELS: 's1:26379', REDIS_SENTINEL_NAME: 'mymaster' }, issues).redis?.topology, {
    kind: 'sentinel',
    sentinels: [{ host: 's1', port: 26379 }],
    name: 'mymaster',
  });
  t.same(issues, []);
});

t.test('every bad value is reported by its variable name', async (t) => {
  const issues: ConfigIssue[] = [];
  cacheConfigFromEnv(
    { PDP_CACHE_TTL_SECONDS: 'ten', REDIS_SENTINELS: 's1', REDIS_COMMAND_TIMEOUT_MS: '0', PDP_CACHE_ENABLED: 'maybe' },
    issues,
  );
  t.same(issues.map((i) => i.source).sort(), [
    'PDP_CACHE_ENABLED',
    'PDP_CACHE_TTL_SECONDS',
    'REDIS_COMMAND_TIMEOUT_MS',
    'REDIS_SENTINELS',
    'REDIS_SENTINEL_NAME',
  ]);
  const conflict: ConfigIssue[] = [];
  cacheConfigFromEnv({ REDIS_URL: 'redis://a', REDIS_CLUSTER_NODES: 'b:1' }, conflict);
  t.match(conflict, [{ source: 'REDIS_URL, REDIS_CLUSTER_NODES', message: /only one/ }]);
  const bad: ConfigIssue[] = [];
  cacheConfigFromEnv({ REDIS_URL: 'http://x' }, bad);
  t.match(bad, [{ source: 'REDIS_URL' }]);
});
