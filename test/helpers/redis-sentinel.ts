// Test support: a real Redis Sentinel deployment on loopback — a master (redis-server) and one
// Sentinel (`redis-server <conf> --sentinel`) monitoring it under a name, its config file in a
// temporary directory (Sentinel rewrites it).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, startRedisServer, type RedisServer } from './redis-server.js';
import { until } from './until.js';

export interface RedisSentinel {
  readonly master: RedisServer;
  /** `host:port` of the Sentinel, for REDIS_SENTINELS. */
  readonly sentinel: string;
  readonly name: string;
  stop(): Promise<void>;
}

export async function startRedisSentinel(name = 'pdp-master'): Promise<RedisSentinel> {
  const master = await startRedisServer();
  const dir = mkdtempSync(join(tmpdir(), 'pdp-redis-sentinel-'));
  const port = await freePort();
  const conf = join(dir, 'sentinel.conf');
  writeFileSync(
    conf,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      'protected-mode no',
      `dir ${dir}`,
      `sentinel monitor ${name} 127.0.0.1 ${master.port} 1`,
      `sentinel down-after-milliseconds ${name} 5000`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
  process.once('exit', () => child.kill('SIGKILL'));
  const stop = async () => {
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
    await master.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  // Ready once the Sentinel names the master's address.
  const probe = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => 100 });
  probe.on('error', () => undefined);
  const ready = await until(async () => {
    try {
      if (probe.status === 'wait' || probe.status === 'end') await probe.connect();
      const addr = (await probe.call('SENTINEL', 'get-master-addr-by-name', name)) as string[] | null;
      return addr?.[1] === String(master.port);
    } catch {
      return false;
    }
  }, 10_000);
  probe.disconnect();
  if (!ready) {
    await stop();
    throw new Error(`the Sentinel on ${port} did not report master ${name}`);
  }
  return { master, sentinel: `127.0.0.1:${port}`, name, stop };
}
