// Reading callgrind's dump files (valgrind --tool=callgrind --separate-threads=yes): the
// instructions counted on the main thread (thread 1) and on all threads.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Instructions the dump files in `dir` hold: the main thread's and all threads'. */
export function callgrindCounts(dir) {
  let main = 0;
  let all = 0;
  for (const f of readdirSync(dir)) {
    const m = /-(\d+)$/.exec(f);
    if (!m) continue;
    let n = 0;
    for (const t of readFileSync(join(dir, f), 'utf8').matchAll(/^(?:summary|totals): (\d+)/gm)) n = Math.max(n, Number(t[1]));
    all += n;
    if (Number(m[1]) === 1) main = n;
  }
  return { main, all };
}

/** The instructions of each dump (callgrind_control -d) in `dir`, in dump order: the main
 * thread's and all threads'. Files are `<name>.<pid>.<dump>-<thread>`. */
export function callgrindDumps(dir) {
  const dumps = new Map();
  for (const f of readdirSync(dir)) {
    const m = /\.(\d+)-(\d+)$/.exec(f);
    if (!m) continue;
    let n = 0;
    for (const t of readFileSync(join(dir, f), 'utf8').matchAll(/^(?:summary|totals): (\d+)/gm)) n = Math.max(n, Number(t[1]));
    const d = dumps.get(Number(m[1])) ?? { main: 0, all: 0 };
    d.all += n;
    if (Number(m[2]) === 1) d.main = n;
    dumps.set(Number(m[1]), d);
  }
  return [...dumps].sort((a, b) => a[0] - b[0]).map(([, d]) => d);
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
