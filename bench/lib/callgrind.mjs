// Reading callgrind's dump files (valgrind --tool=callgrind --separate-threads=yes): the
// instructions counted on the main thread (thread 1) and on all threads.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Each dump file in `dir` (`<name>.<pid>[.<dump>]-<thread>`): its path, dump number (null:
 * written at exit), thread and instruction count. */
function dumpFiles(dir) {
  const files = [];
  for (const f of readdirSync(dir)) {
    const m = /\.\d+(?:\.(\d+))?-(\d+)$/.exec(f);
    if (!m) continue;
    let n = 0;
    for (const t of readFileSync(join(dir, f), 'utf8').matchAll(/^(?:summary|totals): (\d+)/gm)) n = Math.max(n, Number(t[1]));
    files.push({ file: join(dir, f), dump: m[1] === undefined ? null : Number(m[1]), thread: Number(m[2]), n });
  }
  return files;
}

/** Instructions the dump files in `dir` hold: the main thread's and all threads'. */
export function callgrindCounts(dir) {
  let main = 0;
  let all = 0;
  for (const f of dumpFiles(dir)) {
    all += f.n;
    if (f.thread === 1) main = f.n;
  }
  return { main, all };
}

/** The instructions of each dump (callgrind_control -d) in `dir`, in dump order: the main
 * thread's and all threads'. */
export function callgrindDumps(dir) {
  const dumps = new Map();
  for (const f of dumpFiles(dir)) {
    if (f.dump === null) continue;
    const d = dumps.get(f.dump) ?? { main: 0, all: 0 };
    d.all += f.n;
    if (f.thread === 1) d.main = f.n;
    dumps.set(f.dump, d);
  }
  return [...dumps].sort((a, b) => a[0] - b[0]).map(([, d]) => d);
}

/** The main thread's dump file (callgrind_control -d) in `dir` with the fewest instructions, and
 * that count: the steady-state window (see bench/http/instructions.mjs). */
export function lowestMainDump(dir) {
  const main = dumpFiles(dir).filter((f) => f.dump !== null && f.thread === 1);
  return main.length === 0 ? null : main.reduce((a, b) => (b.n < a.n ? b : a));
}

/** A service under callgrind (instrumentation off) warmed up with `warmup` requests, then
 * `windows` windows of `requests` requests counted, each dumped (callgrind_control -d): the
 * steady state is the lowest (see bench/http/instructions.mjs). `send(n)` sends n requests. */
export async function countWindows(pid, send, { warmup, windows, requests }) {
  // In two halves, each on connections of its own: the first connections to close change the
  // shapes of node's socket and stream objects, and the code optimized on them is thrown away
  // once (session 27: ~60 functions) — during the warm-up, not the count.
  await send(Math.ceil(warmup / 2));
  await send(Math.floor(warmup / 2));
  // Optimized code compiled in the background during the warm-up is installed before counting.
  await new Promise((r) => setTimeout(r, 500));
  const ctl = (...a) => execFileSync('callgrind_control', [...a, String(pid)], { stdio: 'ignore' });
  for (let w = 0; w < Math.max(1, windows); w++) {
    ctl('-i', 'on');
    await send(requests);
    ctl('-i', 'off');
    ctl('-d');
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Whether valgrind can be run (Debian package valgrind). */
export function haveValgrind() {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
