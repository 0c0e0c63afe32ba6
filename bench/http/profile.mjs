// Where a decision's instructions go, function by function: one checkout's service under
// callgrind (as bench/http/instructions.mjs runs it: warm-up on two sets of connections, several
// counted windows, the lowest kept), with V8's `--perf-basic-prof` so that JIT-compiled functions
// have names. Prints the top functions of that window per request: self instructions (default)
// or inclusive (`--count=inclusive`: a function with all it calls — read the request path top-down).
// Names are callgrind_annotate's; JavaScript functions come out as `JS:*name file:line` (`*`:
// optimized, `^`: baseline, `~`: interpreted — a hot function still `^` or `~` has not tiered up).
//
//   node bench/http/profile.mjs [<checkout>] [--requests=1000] [--warmup=12000] [--windows=3]
//        [--kind=tool-call|model-deployment] [--connections=10] [--env='{"PDP_CACHE_ENABLED":"true"}']
//        [--top=40] [--count=self|inclusive] [--script=bench/http/pdp-server.mjs] [--keep=yes]
//        [--bodies=as-written|compact]
//
// `--script=bench/http/bare-server.mjs` profiles the bare route alike; `--keep=yes` leaves the dump
// files and the perf map in the printed directory (callgrind_annotate --tree=caller on them shows
// who calls what); `--bodies=compact` sends the example bodies on one line each, as
// ../shared/bench-peer does (as written they are indented). Needs valgrind: without it, says so and exits 0. About a minute.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countWindows, haveValgrind, lowestMainDump } from '../lib/callgrind.mjs';
import { checkoutArgs } from '../lib/checkout-args.mjs';
import { exampleTexts } from '../lib/examples.mjs';
import { sendSequential } from '../lib/sequential-load.mjs';
import { startService } from '../lib/service.mjs';

const opts = checkoutArgs(process.argv.slice(2), {
  requests: 1000,
  warmup: 12000,
  windows: 3,
  kind: 'tool-call',
  connections: 10,
  env: {},
  top: 40,
  count: 'self',
  script: 'bench/http/pdp-server.mjs',
  keep: 'no',
  bodies: 'as-written',
});
if (opts.dirs.length > 1 || !['self', 'inclusive'].includes(opts.count) || !['yes', 'no'].includes(opts.keep)) {
  console.error(
    'usage: node bench/http/profile.mjs [<checkout>] [--requests=N] [--warmup=N] [--windows=N] [--kind=K] [--connections=N] [--env=JSON] [--top=N] [--count=self|inclusive] [--script=S] [--keep=yes] [--bodies=as-written|compact]',
  );
  process.exit(2);
}
if (!haveValgrind()) {
  console.log('skipped: valgrind is not installed (Debian package valgrind)');
  process.exit(0);
}
const dir = opts.dirs[0] ?? process.cwd();
const bodies = exampleTexts(opts.kind, opts.bodies).map((t) => Buffer.from(t));
const path = opts.script.includes('bare') ? '/bare' : `/v1/decisions/${opts.kind}`;
const send = (url, n) => sendSequential(url, path, bodies, n, opts.connections);

/** JIT code ranges from node's perf map (`<start> <size> <name>` per line, hex), sorted. */
function readPerfMap(file) {
  const entries = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [start, size, ...name] = line.split(' ');
      return { start: parseInt(start, 16), end: parseInt(start, 16) + parseInt(size, 16), name: name.join(' ') };
    })
    .sort((a, b) => a.start - b.start);
  return (address) => {
    let lo = 0;
    let hi = entries.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (entries[mid].start <= address) lo = mid + 1;
      else hi = mid - 1;
    }
    const e = entries[hi];
    return e !== undefined && address < e.end ? e.name : null;
  };
}

const out = mkdtempSync(join(tmpdir(), 'pdp-profile-'));
// --perf-basic-prof writes /tmp/perf-<pid>.map (and, in some builds, logs into the cwd: `out`).
const svc = await startService({
  cwd: out,
  script: join(dir, opts.script),
  env: { PDP_WORKERS: '1', PDP_CACHE_ENABLED: 'false', PDP_LOG_LEVEL: 'warn', REDIS_COMMAND_TIMEOUT_MS: '20000', ...opts.env },
  prefix: ['valgrind', '--tool=callgrind', '--instr-atstart=no', '--separate-threads=yes', `--callgrind-out-file=${join(out, 'cg.%p')}`],
  nodeArgs: ['--max-semi-space-size=16', '--perf-basic-prof'],
  stopSignal: 'SIGKILL',
});
const perfMap = `/tmp/perf-${svc.pid}.map`;
let lowest;
try {
  await countWindows(svc.pid, (n) => send(svc.url, n), opts);
  lowest = lowestMainDump(out);
  if (lowest === null) throw new Error(`no dump files in ${out}`);
  copyFileSync(perfMap, join(out, 'perf.map'));
} finally {
  await svc.stop();
  rmSync(perfMap, { force: true });
}

const resolve = readPerfMap(join(out, 'perf.map'));
const text = execFileSync('callgrind_annotate', ['--threshold=100', `--inclusive=${opts.count === 'inclusive' ? 'yes' : 'no'}`, lowest.file], {
  encoding: 'utf8',
  maxBuffer: 256 * 1024 * 1024,
});
const totals = new Map();
for (const line of text.split('\n')) {
  const m = /^\s*([\d,]+) \(\s*[\d.]+%\)\s+(\S.*?)(?: \[[^\]]*\])?$/.exec(line);
  if (!m || m[2] === 'PROGRAM TOTALS') continue;
  const address = /0x([0-9a-f]+)/.exec(m[2]);
  const name = (address && resolve(parseInt(address[1], 16))) ?? m[2].replace(/^\?\?\?:/, '');
  totals.set(name, (totals.get(name) ?? 0) + Number(m[1].replaceAll(',', '')));
}
console.log(
  `${opts.count} instructions per request, main thread, ${opts.script} ${JSON.stringify(opts.env)}: the lowest of ${opts.windows} windows of ${opts.requests} requests — ${Math.round(lowest.n / opts.requests)} per request`,
);
for (const [name, n] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, opts.top)) {
  console.log(`${String(Math.round(n / opts.requests)).padStart(9)}  ${name}`);
}
if (opts.keep === 'yes') console.log(`dump files and perf map kept in ${out}`);
else rmSync(out, { recursive: true, force: true });
