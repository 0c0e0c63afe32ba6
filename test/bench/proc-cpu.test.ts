// bench/lib/proc-cpu.mjs: the CPU of a process tree (a cluster primary and its workers) — live
// descendants counted, and a reaped one's time kept (in its parent's cutime), so that a difference
// of two readings never goes backwards. Real processes that burn real CPU; Linux only (/proc).
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

interface Times {
  user: number;
  sys: number;
}
interface ProcCpu {
  cpuTimes(pid: number): Times | null;
  treeCpuTimes(pid: number): (Times & { processes: number; main: Times }) | null;
  processTree(pid: number): number[];
  childPids(pid: number): number[];
  signalTree(pid: number, sig: NodeJS.Signals): void;
  stealMs(): number | null;
}
// The bench library is plain JavaScript (bench/ runs without a build): typed here by its use.
const lib = (await import(new URL('../../bench/lib/proc-cpu.mjs', import.meta.url).href)) as ProcCpu;

const total = (c: Times | null): number => (c === null ? NaN : c.user + c.sys);

// A parent that forks a child burning at least 400 ms of CPU (CPU time, not wall time: a loaded
// machine gives the child less than the wall clock), says "burnt" once it is done (the child
// stays alive, idle), and on "reap" kills the child, waits for it, and says "reaped".
const PARENT = `
const { spawn } = require('node:child_process');
const child = spawn(process.execPath, ['-e', 'const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; }; while (cpu() < 400000); process.stdout.write("x"); setInterval(() => {}, 1000);'], { stdio: ['ignore', 'pipe', 'inherit'] });
child.stdout.once('data', () => process.stdout.write('burnt ' + child.pid + '\\n'));
process.stdin.on('data', () => { child.once('exit', () => process.stdout.write('reaped\\n')); child.kill('SIGKILL'); });
`;

t.test(
  'a process tree: live descendants, then a reaped one, are counted',
  { skip: existsSync('/proc/self/stat') ? false : 'needs /proc (Linux)' },
  async (t) => {
    const parent = spawn(process.execPath, ['-e', PARENT], { stdio: ['pipe', 'pipe', 'inherit'] });
    t.teardown(() => {
      if (parent.exitCode === null) lib.signalTree(parent.pid!, 'SIGKILL');
    });
    const lines: string[] = [];
    const next = () =>
      new Promise<string>((resolve) => {
        const take = () =>
          lines.length ? resolve(lines.shift()!) : parent.stdout.once('data', (c: Buffer) => (lines.push(...c.toString().trim().split('\n')), take()));
        take();
      });
    const burnt = await next();
    const childPid = Number(/^burnt (\d+)$/.exec(burnt)?.[1]);
    t.ok(childPid > 0, `the child runs (${burnt})`);
    t.same(lib.childPids(parent.pid!), [childPid], 'the parent has exactly that child');
    t.same(lib.processTree(parent.pid!), [parent.pid, childPid], 'the tree: parent first, then the child');

    const own = total(lib.cpuTimes(parent.pid!));
    const tree = lib.treeCpuTimes(parent.pid!);
    t.equal(tree?.processes, 2, 'two processes alive');
    t.ok(total(tree) - own >= 300_000, `the tree includes the child's ~400 ms (tree ${total(tree)} µs, parent alone ${own} µs)`);
    t.ok(tree!.main.user + tree!.main.sys <= total(tree), 'main threads are a part of the whole');

    parent.stdin.write('reap\n');
    t.equal(await next(), 'reaped', 'the child was killed and reaped');
    const after = lib.treeCpuTimes(parent.pid!);
    t.equal(after?.processes, 1, 'one process alive');
    t.ok(total(after) >= total(tree), `the reaped child's time stays counted (${total(after)} ≥ ${total(tree)} µs)`);

    parent.kill('SIGKILL');
    await new Promise((r) => parent.once('exit', r));
    t.equal(lib.treeCpuTimes(parent.pid!), null, 'a process that is gone reads as null, not 0');
    t.equal(lib.cpuTimes(-1), null, 'a hostile PID reads as null');
  },
);

t.test('steal time: a reading of /proc/stat that never goes backwards', { skip: existsSync('/proc/stat') ? false : 'needs /proc (Linux)' }, async (t) => {
  const a = lib.stealMs();
  t.type(a, 'number', 'a number where /proc/stat exists');
  t.ok(Number.isFinite(a) && a! >= 0, 'finite and not negative');
  const end = Date.now() + 50;
  while (Date.now() < end); // some CPU time in between
  const b = lib.stealMs();
  t.ok(b! >= a!, 'a later reading is not smaller');
});
