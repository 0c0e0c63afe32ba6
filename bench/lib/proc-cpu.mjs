// A process's CPU time from /proc/<pid>/stat (Linux), for the benches' CPU-per-request figures —
// steadier than req/s on a noisy machine.
import { readFileSync } from 'node:fs';

/** CPU time so far in µs ({user, sys}), or null where /proc is not available. */
export function cpuTimes(pid) {
  try {
    // Fields after the command name (which may contain spaces, hence the last ')'): utime is
    // the 12th, stime the 13th, in clock ticks (100 per second on Linux).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(f[11]) * 10_000, sys: Number(f[12]) * 10_000 };
  } catch {
    return null;
  }
}

/** User + system CPU time so far in µs, or null. */
export function cpuUs(pid) {
  const c = cpuTimes(pid);
  return c === null ? null : c.user + c.sys;
}
