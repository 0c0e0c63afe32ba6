// CPU pinning for the HTTP benchmarks (Linux taskset): on a small machine the load generator
// otherwise preempts the server it measures (see bench/breakdown/run.mjs).
import { execFileSync } from 'node:child_process';

/** argv run on `cpu` (null: unpinned), as [file, ...args] for spawn. */
export function onCpu(argv, cpu) {
  return cpu === null ? argv : ['taskset', '-c', String(cpu), ...argv];
}

/** Pins this process (and the children it spawns later) to `cpu`. */
export function pinSelf(cpu) {
  execFileSync('taskset', ['-p', '-c', String(cpu), String(process.pid)], { stdio: 'ignore' });
}
