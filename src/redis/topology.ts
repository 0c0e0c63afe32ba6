// Which Redis the settings describe — without loading the Redis client (the redis plugin loads
// ioredis only when there is a Redis to connect to).
import type { RedisConfig } from '../config/types.js';

export interface HostPort {
  host: string;
  port: number;
}

export type RedisTopology =
  { kind: 'standalone'; url: string } | { kind: 'cluster'; nodes: HostPort[] } | { kind: 'sentinel'; sentinels: HostPort[]; name: string };

/** null when no Redis is configured. The config was validated at load (one topology, host:port
 * items, a sentinel name with sentinels). */
export function redisTopology(cfg: RedisConfig): RedisTopology | null {
  if (cfg.url !== undefined) return { kind: 'standalone', url: cfg.url };
  if (cfg.cluster_nodes !== undefined) return { kind: 'cluster', nodes: cfg.cluster_nodes.map(hostPort) };
  if (cfg.sentinels !== undefined) return { kind: 'sentinel', sentinels: cfg.sentinels.map(hostPort), name: cfg.sentinel_name ?? '' };
  return null;
}

function hostPort(s: string): HostPort {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(s);
  return { host: m?.[1] ?? s, port: Number(m?.[2] ?? 0) };
}

/** The part of a key Redis Cluster hashes to pick its slot: the text between the first `{` and
 * the next `}` when that is not empty, else the whole key. Keys with the same tag share a slot. */
export function clusterHashTag(key: string): string {
  const open = key.indexOf('{');
  if (open < 0) return key;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}
