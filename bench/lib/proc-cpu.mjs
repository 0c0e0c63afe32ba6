// A process's CPU time from /proc/<pid>/stat (Linux), for the benches' CPU-per-request figures —
// steadier than req/s on a noisy machine.
//
// With PDP_WORKERS the service is a primary plus forked workers (node:cluster), and a process's
// own stat does not include its live children: treeCpuTimes() sums the process and every live
// descendant, plus what each has already collected from children it reaped (cutime/cstime). That
// sum only grows — a worker that exits and is reaped moves its time into its parent's cutime — so
// a difference of two readings is the CPU the whole tree spent meanwhile.
import { readFileSync, readdirSync } from 'node:fs';

// /proc reports in USER_HZ clock ticks, which Linux fixes at 100 per second for userspace.
const TICK_US = 10_000;

/** The fields after the command name (which may contain spaces, hence the last ')'), or null.
 * With tid: that thread's own stat. */
function statFields(pid, tid) {
  try {
    const stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** CPU time of one process (all its threads) so far in µs ({user, sys}), or null where /proc is not available. */
export function cpuTimes(pid) {
  const f = statFields(pid);
  // state is f[0], ppid f[1]; utime f[11], stime f[12], cutime f[13], cstime f[14] (ticks).
  return f === null ? null : { user: Number(f[11]) * TICK_US, sys: Number(f[12]) * TICK_US };
}

/** User + system CPU time of one process so far in µs, or null. */
export function cpuUs(pid) {
  const c = cpuTimes(pid);
  return c === null ? null : c.user + c.sys;
}

/** Direct children of pid: from /proc/<pid>/task/<tid>/children where the kernel has it, else by
 * scanning every /proc/<n>/stat for ppid. */
export function childPids(pid) {
  try {
    const out = [];
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (text) for (const c of text.split(' ')) out.push(Number(c));
    }
    return out;
  } catch {
    const out = [];
    let entries;
    try {
      entries = readdirSync('/proc');
    } catch {
      return out;
    }
    for (const e of entries) {
      if (!/^\d+$/.test(e)) continue;
      const f = statFields(e);
      if (f !== null && Number(f[1]) === pid) out.push(Number(e));
    }
    return out;
  }
}

/** pid and every live descendant, parents first. */
export function processTree(pid) {
  const seen = [pid];
  for (let i = 0; i < seen.length; i++) for (const c of childPids(seen[i])) if (!seen.includes(c)) seen.push(c);
  return seen;
}

/**
 * CPU time so far of pid and all its descendants in µs: {user, sys, processes, main} — processes
 * = how many were alive; main = {user, sys} of their main threads only (the JavaScript event
 * loops, which a CPU profile samples; the rest is GC helper threads, the libuv pool, workers'
 * threads) — or null when pid itself cannot be read. Includes time of children already reaped
 * (cutime/cstime), so that differences of two readings stay honest when a worker exits.
 */
export function treeCpuTimes(pid) {
  let user = 0;
  let sys = 0;
  let processes = 0;
  const main = { user: 0, sys: 0 };
  for (const p of processTree(pid)) {
    const f = statFields(p);
    if (f === null) {
      if (p === pid) return null;
      continue; // exited between the listing and the read: its time is in its parent's cutime now
    }
    user += (Number(f[11]) + Number(f[13])) * TICK_US;
    sys += (Number(f[12]) + Number(f[14])) * TICK_US;
    processes++;
    const t = statFields(p, p);
    if (t !== null) {
      main.user += Number(t[11]) * TICK_US;
      main.sys += Number(t[12]) * TICK_US;
    }
  }
  return { user, sys, processes, main };
}

/** User + system CPU time of pid and its descendants so far in µs, or null. */
export function treeCpuUs(pid) {
  const c = treeCpuTimes(pid);
  return c === null ? null : c.user + c.sys;
}

/** Send sig to pid and every live descendant (e.g. SIGSTOP/SIGCONT to freeze a cluster primary
 * with its workers while another server is measured). Processes already gone are skipped. */
export function signalTree(pid, sig) {
  for (const p of processTree(pid)) {
    try {
      process.kill(p, sig);
    } catch {
      // exited meanwhile
    }
  }
}

/** Time the hypervisor ran something else while this machine's CPUs wanted to run ("steal", the
 * 8th value of /proc/stat's cpu line), in ms summed over all CPUs, or null without /proc. A
 * virtual machine whose vCPUs are descheduled stalls every process on them: a latency run with
 * steal in its window measured the host, not the service. */
export function stealMs() {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
    const f = line.trim().split(/\s+/);
    return f[0] === 'cpu' && f.length > 8 ? (Number(f[8]) * TICK_US) / 1000 : null;
  } catch {
    return null;
  }
}
