// Capability: the one Redis connection, shared by the decision cache and the decision log.
// Decorates `redis` (null when no Redis is configured); closes it on close.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { RedisConfig } from '../config/types.js';
import type { RedisClient } from '../redis/connection.js';
import { redisTopology } from '../redis/topology.js';

declare module 'fastify' {
  interface FastifyInstance {
    redis: RedisClient | null;
  }
}

/** How long a graceful QUIT may take on shutdown before the socket is dropped. */
const QUIT_TIMEOUT_MS = 1000;

async function redisPlugin(app: FastifyInstance, opts: { config: RedisConfig }): Promise<void> {
  // ioredis is loaded only when a Redis is configured.
  const redis = redisTopology(opts.config) ? (await import('../redis/connection.js')).createRedisClient(opts.config) : null;
  app.decorate<RedisClient | null>('redis', redis);
  if (!redis) return;
  app.addHook('onClose', async () => {
    await Promise.race([redis.quit().catch(() => undefined), new Promise((r) => setTimeout(r, QUIT_TIMEOUT_MS).unref())]);
    redis.disconnect();
  });
}

export default fp(redisPlugin, { name: 'pdp-redis', fastify: '5.x' });
