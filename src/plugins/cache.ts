// Capability: the decision cache (in-process LRU, plus a Redis tier over the shared connection
// when Redis is configured). Hands the cache to the pipeline, adds the "cache" status section
// and reports hits/misses and state to the metrics. Turns on the body parser's memory of repeated
// decision bodies (src/api/repeated-bodies.ts), so that a hit on a repeated body parses nothing.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createDecisionCache } from '../cache/create.js';
import type { CacheConfig, RedisConfig } from '../config/types.js';

async function cachePlugin(app: FastifyInstance, opts: { config: CacheConfig; redis: RedisConfig }): Promise<void> {
  const redis = app.hasDecorator('redis') ? app.redis : null;
  if (!opts.config.enabled) {
    app.status.add('cache', () => ({ enabled: false, redis: redis ? 'ok' : 'disabled' }));
    return;
  }
  const metrics = app.hasDecorator('metrics') ? app.metrics : undefined;
  const cache = createDecisionCache(opts.config, opts.redis, { redis, ...(metrics ? { observer: metrics.cacheObserver } : {}) });
  app.pipeline.useCache(cache);
  app.repeatedBodies.enable(opts.config.repeated_bodies_bytes ?? 0, opts.config.ttl_seconds * 1000);
  app.addHook('onClose', async () => app.repeatedBodies.disable());
  app.status.add('cache', () => {
    const repeated = app.repeatedBodies.status();
    return { enabled: true, ...cache.status(), ...(repeated ? { repeated_bodies: repeated } : {}) };
  });
  metrics?.bind({ cache: () => cache.status() });
}

export default fp(cachePlugin, { name: 'pdp-cache', fastify: '5.x', dependencies: ['pdp-status', 'pdp-pipeline'] });
