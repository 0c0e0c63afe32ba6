// How many CPUs this process may use: the smallest of its CPU affinity
// (os.availableParallelism()) and any cgroup CPU quota (v2 cpu.max, v1 cpu.cfs_quota_us /
// cpu.cfs_period_us), a fractional quota rounded up, at least 1. A container limited to 1.5 CPUs
// on a 64-core node gets 2 workers, not 64 event loops fighting over 1.5 CPUs of throttled time.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

export interface CpuProbe {
  /** Where cgroupfs is mounted (tests point it at a fake tree). */
  root?: string;
  /** The text of /proc/self/cgroup (which cgroup this process is in). */
  selfCgroup?: string;
  /** CPUs in the process's affinity mask. */
  affinity?: number;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** CPUs a quota of `quota` µs per `period` µs allows; undefined when unlimited or unreadable. */
export function quotaCpus(quota: number, period: number): number | undefined {
  if (!Number.isFinite(quota) || !Number.isFinite(period) || quota <= 0 || period <= 0) return undefined;
  return Math.max(1, Math.ceil(quota / period));
}

/** "max 100000" (unlimited) or "150000 100000" (1.5 CPUs). */
export function parseCpuMax(text: string): number | undefined {
  const [quota, period] = text.split(/\s+/);
  if (quota === undefined || quota === 'max') return undefined;
  return quotaCpus(Number(quota), Number(period ?? '100000'));
}

/** The cgroup paths of this process: v2's ("0::/path") and v1's cpu controller's. */
function selfPaths(text: string): { v2: string[]; v1: string[] } {
  const v2: string[] = [];
  const v1: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    const [, controllers = '', path = '/'] = m;
    if (controllers === '') v2.push(path);
    else if (controllers.split(',').includes('cpu')) v1.push(path);
  }
  return { v2, v1 };
}

/** Every cgroup CPU limit found, in CPUs. Inside a container the process's own cgroup is usually
 * the mount's root; on a host it is a path below it — both are read. */
export function cgroupCpuLimits(probe: CpuProbe = {}): number[] {
  const root = probe.root ?? '/sys/fs/cgroup';
  const paths = selfPaths(probe.selfCgroup ?? read('/proc/self/cgroup') ?? '');
  const limits: number[] = [];
  const add = (n: number | undefined): void => {
    if (n !== undefined) limits.push(n);
  };
  // v2: the unified hierarchy at the root (or at unified/ on hybrid hosts).
  for (const base of [root, join(root, 'unified')]) {
    for (const p of new Set(['/', ...paths.v2])) {
      const text = read(join(base, p, 'cpu.max'));
      if (text !== undefined) add(parseCpuMax(text));
    }
  }
  // v1: the cpu controller, mounted as cpu/ or cpu,cpuacct/.
  for (const base of [join(root, 'cpu'), join(root, 'cpu,cpuacct')]) {
    for (const p of new Set(['/', ...paths.v1])) {
      const quota = read(join(base, p, 'cpu.cfs_quota_us'));
      const period = read(join(base, p, 'cpu.cfs_period_us'));
      if (quota !== undefined && period !== undefined) add(quotaCpus(Number(quota), Number(period)));
    }
  }
  return limits;
}

/** The CPUs this process may use: affinity and every cgroup quota, the smallest, at least 1. */
export function availableCpus(probe: CpuProbe = {}): number {
  const affinity = probe.affinity ?? availableParallelism();
  return Math.max(1, Math.min(affinity, ...cgroupCpuLimits(probe)));
}

/** The setting `server.workers` as a count. */
export function resolveWorkers(setting: number | 'auto' | undefined, probe: CpuProbe = {}): number {
  return setting === undefined || setting === 'auto' ? availableCpus(probe) : Math.max(1, Math.floor(setting));
}
