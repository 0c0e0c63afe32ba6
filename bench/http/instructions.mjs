// Instructions per decision, counted by valgrind (callgrind): a measure that does not move with
// the machine's load, frequency or steal — on this noisy VM the one way to see a 1 % change.
// Each checkout's service (its bench/http/pdp-server.mjs, compiled dist/, PDP_WORKERS=1) runs
// under callgrind with instrumentation off; after a warm-up of requests (sequential on each of
// `--connections` keep-alive connections, the example bodies rotating) instrumentation is switched on
// (callgrind_control) for `--requests` more, then off, and the counts are dumped per thread.
// Prints, per checkout, the main thread's instructions per request (the request path, its
// garbage collection's stop-the-world part) and all threads' (V8's background compiler and GC
// helpers too — these move with JIT timing), the median of `--rounds` rounds alternating between
// the checkouts, and each checkout's ratio to the first.
//
//   node bench/http/instructions.mjs <checkout> [<checkout> …] [--requests=1000] [--warmup=12000]
//        [--windows=3] [--rounds=2] [--kind=tool-call|model-deployment] [--connections=1] [--env='{"PDP_CACHE_ENABLED":"true"}']
//        [--bodies=as-written|compact]   (compact: one line each, as ../shared/bench-peer sends them)
//
// Each round counts `--windows` consecutive windows of `--requests` requests and keeps the
// lowest: the steady state. Switching instrumentation on makes the first requests of a window
// take seconds (valgrind instruments all code again), and a request slower than a second throws
// away the optimized code of the pipeline, the log record, the masker and the answer's serializer
// ("wrong map" under --trace-deopt; the same with the server stopped 1.5 s mid-request without
// valgrind — probably a nanosecond timer past V8's small integers, 2^30 ns, changing a record's
// map). The window that pays for that runs them in baseline code while they are optimized again
// — once per process, so later windows converge
// (session 27: a cache hit's windows 182.7k, 182.0k, 181.8k, 179.9k; the small peer policy's
// 317k, 307k, 283k, 277k, where the first window alone had read anywhere from 277k to 345k).
//
// The warm-up must outlast the tiering up of the request path: after 1,500 requests (the default
// until session 26) a quarter of a cache hit's counted instructions were functions still running
// their baseline (Sparkplug) code — their inline-cache calls (Builtins_LoadICBaseline) alone ~13 %
// — and the decision log's record store was still doubling its rows (10,000 by default, reached
// after 10,000 requests). 12,000: counts within ~2 % of those after 20,000.
//
// --connections=10 sends as the load generators do: the requests of one event-loop turn are
// answered (and their decision records written) together; one connection makes every turn hold
// one request, which overstates per-turn work (a decision-log batch per record).
//
// Default environment: PDP_WORKERS=1, PDP_CACHE_ENABLED=false (Redis-tier hits need
// PDP_CACHE_ENABLED=true in --env), PDP_LOG_LEVEL=warn, REDIS_COMMAND_TIMEOUT_MS=20000. Needs valgrind (Debian package
// valgrind): without it, says so and exits 0. Each round takes about a minute (node runs ~50×
// slower under callgrind). Counts are instructions, not time: a change that trades instructions
// for cache misses or kernel time is not seen here (bench:http and bench/http/ab.mjs see it).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callgrindDumps, countWindows, haveValgrind } from '../lib/callgrind.mjs';
import { checkoutArgs } from '../lib/checkout-args.mjs';
import { exampleTexts } from '../lib/examples.mjs';
import { sendSequential } from '../lib/sequential-load.mjs';
import { startService } from '../lib/service.mjs';

const opts = checkoutArgs(process.argv.slice(2), {
  requests: 1000,
  warmup: 12000,
  windows: 3,
  rounds: 2,
  kind: 'tool-call',
  connections: 1,
  env: {},
  bodies: 'as-written',
});
if (opts.dirs.length === 0) {
  console.error(
    'usage: node bench/http/instructions.mjs <checkout> [<checkout> …] [--requests=N] [--warmup=N] [--windows=N] [--rounds=N] [--kind=K] [--connections=N] [--env=JSON] [--bodies=as-written|compact]',
  );
  process.exit(2);
}
if (!haveValgrind()) {
  console.log('skipped: valgrind is not installed (Debian package valgrind)');
  process.exit(0);
}

const bodies = exampleTexts(opts.kind, opts.bodies).map((t) => Buffer.from(t));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** `n` requests over `opts.connections` keep-alive connections, one after another on each. */
const send = (url, n) => sendSequential(url, `/v1/decisions/${opts.kind}`, bodies, n, opts.connections);

async function measure(dir) {
  const out = mkdtempSync(join(tmpdir(), 'pdp-callgrind-'));
  const svc = await startService({
    cwd: dir,
    script: join(dir, 'bench/http/pdp-server.mjs'),
    // Redis's command deadline (100 ms) is far too short for a service running ~50× slower
    // under valgrind: its cache reads timed out, the breaker opened, and every "Redis hit" was
    // an evaluation.
    env: { PDP_WORKERS: '1', PDP_CACHE_ENABLED: 'false', PDP_LOG_LEVEL: 'warn', REDIS_COMMAND_TIMEOUT_MS: '20000', ...opts.env },
    prefix: ['valgrind', '--tool=callgrind', '--instr-atstart=no', '--separate-threads=yes', `--callgrind-out-file=${join(out, 'cg.%p')}`],
    // The young generation's bound fixed (V8 sizes it from the heap limit otherwise).
    nodeArgs: ['--max-semi-space-size=16'],
    stopSignal: 'SIGKILL',
  });
  try {
    await countWindows(svc.pid, (n) => send(svc.url, n), opts);
    const windows = callgrindDumps(out).map((d) => ({ main: d.main / opts.requests, all: d.all / opts.requests }));
    if (windows.length === 0 || windows.some((w) => w.main === 0))
      throw new Error(`no instructions counted (dump files in ${out}: ${readdirSync(out).join(', ')})`);
    const steady = windows.reduce((a, b) => (b.main < a.main ? b : a));
    return { ...steady, windows: windows.map((w) => Math.round(w.main)) };
  } finally {
    await svc.stop();
    rmSync(out, { recursive: true, force: true });
  }
}

console.log(
  `instructions per request under callgrind: ${opts.kind}, the lowest of ${opts.windows} windows of ${opts.requests} requests after ${opts.warmup} on ${opts.connections} connection(s), ${opts.rounds} round(s), env ${JSON.stringify(opts.env)}`,
);
const results = new Map(opts.dirs.map((d) => [d, []]));
for (let r = 0; r < opts.rounds; r++) {
  const order = r % 2 === 0 ? opts.dirs : [...opts.dirs].reverse();
  for (const d of order) {
    const m = await measure(d);
    results.get(d).push(m);
    console.log(`round ${r + 1}  ${d}  main thread ${Math.round(m.main)}  all threads ${Math.round(m.all)}  (windows ${m.windows.join(', ')})`);
  }
}
const first = median(results.get(opts.dirs[0]).map((m) => m.main));
for (const d of opts.dirs) {
  const main = median(results.get(d).map((m) => m.main));
  const all = median(results.get(d).map((m) => m.all));
  console.log(`median  ${d}  main thread ${Math.round(main)} (${(main / first).toFixed(4)} ×)  all threads ${Math.round(all)}`);
}
