// server.workers = auto: the CPUs the process may use, read from fake cgroup trees (v2 cpu.max,
// v1 cfs quota/period, the process's own cgroup path below the mount) and the affinity count;
// the setting's validation (positive integer or "auto"), hostile values refused at load.
import t from 'tap';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { availableCpus, cgroupCpuLimits, parseCpuMax, quotaCpus, resolveWorkers } from '../../src/cluster/cpus.js';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/config/types.js';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'pdp-cgroup-'));
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), content);
  }
  return root;
}

t.test('cpu.max and cfs quotas: a fraction rounds up, unlimited is no limit, garbage is ignored', async (t) => {
  t.equal(parseCpuMax('max 100000'), undefined);
  t.equal(parseCpuMax('150000 100000'), 2, '1.5 CPUs → 2');
  t.equal(parseCpuMax('50000 100000'), 1, 'half a CPU → 1, never 0');
  t.equal(parseCpuMax('400000 100000\n'), 4);
  t.equal(parseCpuMax('200000'), 2, 'period defaults to 100000');
  t.equal(parseCpuMax(''), undefined);
  t.equal(parseCpuMax('lots 100000'), undefined);
  t.equal(parseCpuMax('100000 0'), undefined, 'a zero period is no limit, not Infinity');
  t.equal(quotaCpus(-1, 100000), undefined, 'v1: -1 is unlimited');
  t.equal(quotaCpus(250000, 100000), 3);
});

t.test('cgroup v2: the root cpu.max and the one of the process own cgroup; the smallest wins', async (t) => {
  const root = tree({ 'cpu.max': '800000 100000', 'kubepods/pod1/cpu.max': '150000 100000' });
  t.same(cgroupCpuLimits({ root, selfCgroup: '0::/kubepods/pod1\n' }).sort(), [2, 8]);
  t.equal(availableCpus({ root, selfCgroup: '0::/kubepods/pod1\n', affinity: 16 }), 2);
  t.equal(availableCpus({ root, selfCgroup: '0::/\n', affinity: 16 }), 8);
  t.equal(availableCpus({ root, selfCgroup: '0::/\n', affinity: 3 }), 3, 'affinity below the quota wins');
});

t.test('cgroup v1: cpu,cpuacct quota/period, the cpu controller path from /proc/self/cgroup', async (t) => {
  const root = tree({
    'cpu,cpuacct/cpu.cfs_quota_us': '-1',
    'cpu,cpuacct/cpu.cfs_period_us': '100000',
    'cpu,cpuacct/docker/abc/cpu.cfs_quota_us': '300000',
    'cpu,cpuacct/docker/abc/cpu.cfs_period_us': '100000',
  });
  const self = '4:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n';
  t.same(cgroupCpuLimits({ root, selfCgroup: self }), [3]);
  t.equal(availableCpus({ root, selfCgroup: self, affinity: 64 }), 3);
  // A quota file without its period is not a limit (half a pair says nothing).
  const half = tree({ 'cpu/cpu.cfs_quota_us': '100000' });
  t.same(cgroupCpuLimits({ root: half, selfCgroup: '' }), []);
});

t.test('no cgroup files at all (not Linux, or not mounted): the affinity count', async (t) => {
  const root = tree({});
  t.equal(availableCpus({ root, selfCgroup: '', affinity: 6 }), 6);
  t.equal(availableCpus({ root, selfCgroup: 'garbage\n::\n', affinity: 0 }), 1, 'at least 1');
  t.ok(availableCpus() >= 1, 'this machine: at least 1');
});

t.test('resolveWorkers: a number is taken as is, auto and unset ask the machine', async (t) => {
  const root = tree({ 'cpu.max': '200000 100000' });
  t.equal(resolveWorkers(3, { root, selfCgroup: '', affinity: 1 }), 3, 'an explicit count is the operator call');
  t.equal(resolveWorkers('auto', { root, selfCgroup: '', affinity: 8 }), 2);
  t.equal(resolveWorkers(undefined, { root, selfCgroup: '', affinity: 8 }), 2);
});

t.test('PDP_WORKERS: auto or a positive integer; anything else refused at load, by name', async (t) => {
  t.equal(loadConfig({ env: {} }).config.server.workers, 'auto', 'default auto');
  t.equal(loadConfig({ env: { PDP_WORKERS: 'AUTO' } }).config.server.workers, 'auto');
  t.equal(loadConfig({ env: { PDP_WORKERS: '4' } }).config.server.workers, 4);
  t.equal(loadConfig({ env: { PDP_WORKERS: '1' } }).config.server.workers, 1);
  t.equal(loadConfig({ env: { PDP_WORKERS: '' } }).config.server.workers, 'auto', 'empty is unset, as for every variable');
  for (const bad of ['0', '-2', '1.5', 'two', '99999999999999999999', 'auto,2', ' 2x', 'autox']) {
    let thrown: unknown;
    try {
      loadConfig({ env: { PDP_WORKERS: bad } });
    } catch (e) {
      thrown = e;
    }
    t.ok(thrown instanceof ConfigError && /PDP_WORKERS/.test(thrown.message), `PDP_WORKERS=${JSON.stringify(bad)} refused: ${String(thrown)}`);
  }
});
