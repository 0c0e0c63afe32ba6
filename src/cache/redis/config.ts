// Redis connection settings from environment variables. One topology at a time:
//   REDIS_URL                                   standalone (redis:// or rediss://)
//   REDIS_CLUSTER_NODES=h1:7000,h2:7001         Redis Cluster seed nodes
//   REDIS_SENTINELS=h1:26379,h2:26379 + REDIS_SENTINEL_NAME=mymaster   Sentinel
// None of them set → Redis is disabled and the in-process tier serves alone.
import type { ConfigIssue } from '../../config/types.js';
import { boolFromEnv, intFromEnv, type Env } from '../env.js';

export interface HostPort {
  host: string;
  port: number;
}

export type RedisTopology =
  | { kind: 'standalone'; url: string }
  | { kind: 'cluster'; nodes: HostPort[] }
  | { kind: 'sentinel'; sentinels: HostPort[]; name: string };

export interface RedisConnectionConfig {
  topology: RedisTopology;
  username?: string;
  password?: string;
  sentinel_password?: string;
  tls: boolean;
  /** Per-command deadline (ioredis `commandTimeout`, and our own guard around each call). */
  command_timeout_ms: number;
  connect_timeout_ms: number;
  /** Small on purpose: a request must not wait through reconnect attempts. */
  max_retries_per_request: number;
}

export function parseHostPorts(raw: string, variable: string, issues: ConfigIssue[]): HostPort[] {
  const out: HostPort[] = [];
  for (const part of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(part);
    const port = m ? Number(m[2]) : NaN;
    if (!m || port < 1 || port > 65535) {
      issues.push({ source: variable, message: `"${part}" is not host:port` });
      continue;
    }
    out.push({ host: m[1] as string, port });
  }
  if (out.length === 0 && issues.every((i) => i.source !== variable)) {
    issues.push({ source: variable, message: 'needs at least one host:port' });
  }
  return out;
}

/** null when no Redis is configured. Problems are appended to `issues`. */
export function redisConfigFromEnv(env: Env, issues: ConfigIssue[]): RedisConnectionConfig | null {
  const url = env.REDIS_URL?.trim() || undefined;
  const clusterNodes = env.REDIS_CLUSTER_NODES?.trim() || undefined;
  const sentinels = env.REDIS_SENTINELS?.trim() || undefined;
  const chosen = [url && 'REDIS_URL', clusterNodes && 'REDIS_CLUSTER_NODES', sentinels && 'REDIS_SENTINELS'].filter(
    (v): v is string => typeof v === 'string',
  );
  if (chosen.length === 0) return null;
  if (chosen.length > 1) {
    issues.push({
      source: chosen.join(', '),
      message: `set only one of ${chosen.join(', ')} (standalone, cluster or sentinel)`,
    });
    return null;
  }

  let topology: RedisTopology;
  if (url) {
    if (!/^rediss?:\/\//.test(url)) {
      issues.push({ source: 'REDIS_URL', message: 'must start with redis:// or rediss://' });
      return null;
    }
    try {
      new URL(url);
    } catch {
      issues.push({ source: 'REDIS_URL', message: 'is not a valid URL' });
      return null;
    }
    topology = { kind: 'standalone', url };
  } else if (clusterNodes) {
    topology = { kind: 'cluster', nodes: parseHostPorts(clusterNodes, 'REDIS_CLUSTER_NODES', issues) };
  } else {
    const name = env.REDIS_SENTINEL_NAME?.trim();
    if (!name) {
      issues.push({
        source: 'REDIS_SENTINEL_NAME',
        message: 'is required with REDIS_SENTINELS (the monitored master group name)',
      });
    }
    topology = {
      kind: 'sentinel',
      sentinels: parseHostPorts(sentinels as string, 'REDIS_SENTINELS', issues),
      name: name ?? '',
    };
  }

  const command_timeout_ms = intFromEnv(env, 'REDIS_COMMAND_TIMEOUT_MS', 100, { min: 1, max: 60_000 }, issues);
  const connect_timeout_ms = intFromEnv(env, 'REDIS_CONNECT_TIMEOUT_MS', 1000, { min: 1, max: 120_000 }, issues);
  const max_retries_per_request = intFromEnv(env, 'REDIS_MAX_RETRIES_PER_REQUEST', 1, { min: 0, max: 10 }, issues);
  const tls = boolFromEnv(env, 'REDIS_TLS', false, issues);
  return {
    topology,
    username: env.REDIS_USERNAME || undefined,
    password: env.REDIS_PASSWORD || undefined,
    sentinel_password: env.REDIS_SENTINEL_PASSWORD || undefined,
    tls,
    command_timeout_ms,
    connect_timeout_ms,
    max_retries_per_request,
  };
}
