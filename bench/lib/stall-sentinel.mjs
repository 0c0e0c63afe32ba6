// Stalls of a CPU itself, seen from a sentinel process pinned to it: it sleeps 2 ms at a time and
// records how late each wake-up was. A process sharing the CPU cannot hold it off for long (the
// kernel's scheduler lets a task that mostly sleeps preempt a busy one within a few ms), so a
// wake-up tens of ms late means that nothing ran on that CPU meanwhile: the VM's vCPU was not
// running (this machine is a Firecracker microVM: a busy loop pinned to one CPU saw it not run for
// 74 and 31 ms within 40 s, with 20 ms of steal accounted — docs/benchmarks.md, session 42). A
// latency run during such a stall measures the host, not the service: bench/http/run.mjs runs a
// sentinel on the server's and on the load generator's CPU during each paced run, and repeats a run
// that one of them saw stall. It does not see a wait of one process while the CPU runs others.
import { spawn } from 'node:child_process';
import { onCpu } from './pin.mjs';

/** Wake-ups later than this (ms) are kept; scheduling on a busy CPU stays well below it. */
const KEEP_LATE_MS = 5;

const SENTINEL = `
const late = [];
let last = performance.now();
const timer = setInterval(() => {
  const now = performance.now();
  const l = now - last - 2;
  if (l > ${KEEP_LATE_MS}) late.push(Math.round(l * 10) / 10);
  last = now;
}, 2);
process.stdin.on('data', () => undefined);
process.stdin.on('end', () => {
  clearInterval(timer);
  process.stdout.write(JSON.stringify(late));
});
process.stdout.write('ready\\n');
`;

/**
 * Starts a sentinel on `cpu` (null: unpinned); resolves once it runs. stop() resolves with the
 * wake-ups it saw late by more than KEEP_LATE_MS, largest first, and the largest (0 if none).
 * @returns {Promise<{ stop: () => Promise<{ late: number[], largest: number }> }>}
 */
export function startSentinel(cpu) {
  const [file, ...args] = onCpu([process.execPath, '-e', SENTINEL], cpu);
  const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'ignore'] });
  let out = '';
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    const onData = (c) => {
      out += c;
      if (!out.startsWith('ready\n')) return;
      child.stdout.off('data', onData);
      let result = '';
      child.stdout.on('data', (d) => (result += d));
      resolve({
        stop: async () => {
          child.stdin.end();
          await exited;
          const late = result === '' ? [] : JSON.parse(result).sort((a, b) => b - a);
          return { late, largest: late[0] ?? 0 };
        },
      });
    };
    child.stdout.on('data', onData);
    child.once('error', reject);
    void exited.then(() => reject(new Error('the stall sentinel exited before it was ready')));
  });
}

/** Sentinels on each of `cpus` for the length of `fn`: its result and the largest stall any saw (ms). */
export async function watchStalls(cpus, fn) {
  const sentinels = await Promise.all(cpus.map((c) => startSentinel(c)));
  const stopAll = () => Promise.all(sentinels.map((s) => s.stop()));
  let result;
  try {
    result = await fn();
  } catch (e) {
    await stopAll();
    throw e;
  }
  const seen = await stopAll();
  return { result, stallMs: Math.max(0, ...seen.map((s) => s.largest)) };
}
