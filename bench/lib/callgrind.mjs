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

/** Whether valgrind can be run (Debian package valgrind). */
export function haveValgrind() {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
