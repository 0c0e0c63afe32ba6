// The one Redis connection (the decision cache's tier and the decision log's stream sink share
// it), built for the configured topology with bounded behaviour:
// commands time out, fail fast while disconnected (no offline queue), retry at most
// `max_retries_per_request` times, and the client itself keeps reconnecting in the
// background with capped, jittered backoff — so Redis recovers without a restart.
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { RedisConfig } from '../config/types.js';
import { redisTopology } from './topology.js';

export type RedisClient = Redis | Cluster;

const MAX_RECONNECT_DELAY_MS = 2000;

export function reconnectDelay(attempt: number): number {
  const base = Math.min(MAX_RECONNECT_DELAY_MS, 50 * 2 ** Math.min(attempt, 10));
  return base + Math.floor(Math.random() * 100);
}

function commonOptions(cfg: RedisConfig): RedisOptions {
  return {
    commandTimeout: cfg.command_timeout_ms,
    connectTimeout: cfg.connect_timeout_ms,
    maxRetriesPerRequest: cfg.max_retries_per_request,
    enableOfflineQueue: false,
    // A cache and a log sink never need the connection to be named or to SETINFO;
    // fewer round trips on (re)connect.
    disableClientInfo: true,
    username: cfg.username,
    password: cfg.password,
    ...(cfg.tls ? { tls: {} } : {}),
  };
}

/** null when no Redis is configured. */
export function createRedisClient(cfg: RedisConfig): RedisClient | null {
  const topo = redisTopology(cfg);
  if (topo === null) return null;
  let client: RedisClient;
  switch (topo.kind) {
    case 'standalone': {
      // URL credentials/TLS win over the separate settings when both are given.
      const opts = commonOptions(cfg);
      client = new Redis(topo.url, { ...opts, retryStrategy: reconnectDelay });
      break;
    }
    case 'sentinel':
      client = new Redis({
        ...commonOptions(cfg),
        sentinels: topo.sentinels,
        name: topo.name,
        sentinelPassword: cfg.sentinel_password,
        sentinelCommandTimeout: cfg.command_timeout_ms,
        enableTLSForSentinelMode: cfg.tls,
        retryStrategy: reconnectDelay,
        sentinelRetryStrategy: reconnectDelay,
      });
      break;
    case 'cluster': {
      const { enableOfflineQueue: _offline, ...nodeOptions } = commonOptions(cfg);
      const clusterOpts: ClusterOptions = {
        enableOfflineQueue: false,
        clusterRetryStrategy: reconnectDelay,
        slotsRefreshTimeout: cfg.connect_timeout_ms,
        redisOptions: nodeOptions,
      };
      client = new Cluster(topo.nodes, clusterOpts);
      break;
    }
  }
  // Without a listener an 'error' event would crash the process; the users of the client
  // observe failures through their own calls (breaker, sink retries) instead.
  client.on('error', () => undefined);
  return client;
}
