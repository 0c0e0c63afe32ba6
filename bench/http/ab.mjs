// Same-run A/B of two built checkouts as services (e.g. main and a branch): each round starts one
// checkout's service (its `bench/http/pdp-server.mjs`, compiled dist/, one process) on the last
// CPU, warms it up, drives it with autocannon from CPU 0 (10 connections, the example bodies
// rotating) and reads its CPU time from /proc; the order flips every round. Prints each round and
// the medians: req/s and server CPU µs per request. On this noisy machine alternating rounds of
// the two are what can be compared, not runs minutes apart.
//
//   node bench/http/ab.mjs <checkout-A> <checkout-B> [--rounds=4] [--kind=tool-call|model-deployment]
//                          [--duration=6] [--warmup=3] [--env='{"PDP_CACHE_ENABLED":"true"}'] [--env-b=JSON] [--no-pin]
//
// Default environment: PDP_WORKERS=1, PDP_CACHE_ENABLED=false (every request evaluates); --env
// adds to it (e.g. the cache on for hits, PDP_BUNDLE_PATH for another policy), --env-b adds to it
// for B only: one checkout given twice, under two settings, compares the settings. Both checkouts
// need `npm run build`.
import { cpus } from 'node:os';
import autocannon from 'autocannon';
import { checkoutArgs } from '../lib/checkout-args.mjs';
import { pinSelf } from '../lib/pin.mjs';
import { cpuUs } from '../lib/proc-cpu.mjs';
import { exampleTexts } from '../lib/examples.mjs';
import { startService } from '../lib/service.mjs';

const opts = checkoutArgs(process.argv.slice(2), { rounds: 4, kind: 'tool-call', duration: 6, warmup: 3, env: {}, envB: {}, pin: true });
if (opts.dirs.length !== 2) {
  console.error(
    'usage: node bench/http/ab.mjs <checkout-A> <checkout-B> [--rounds=N] [--kind=K] [--duration=S] [--warmup=S] [--env=JSON] [--env-b=JSON] [--no-pin]',
  );
  process.exit(2);
}
const serverCpu = opts.pin && cpus().length > 1 ? cpus().length - 1 : null;
if (serverCpu !== null) pinSelf(0);

const bodies = exampleTexts(opts.kind).map((body) => ({ body }));

async function round({ dir, extra }) {
  const env = { PDP_HOST: '127.0.0.1', PDP_PORT: '0', PDP_LOG_LEVEL: 'warn', PDP_WORKERS: '1', PDP_CACHE_ENABLED: 'false', ...opts.env, ...extra };
  const server = await startService({ cwd: dir, script: 'bench/http/pdp-server.mjs', env, cpu: serverCpu });
  const load = (duration) =>
    autocannon({
      url: `${server.url}/v1/decisions/${opts.kind}`,
      method: 'POST',
      connections: 10,
      duration,
      headers: { 'content-type': 'application/json' },
      requests: bodies,
    });
  await load(opts.warmup);
  const c0 = cpuUs(server.pid);
  const r = await load(opts.duration);
  const c1 = cpuUs(server.pid);
  await server.stop();
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${dir}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
  return { rps: r.requests.average, cpu: (c1 - c0) / r.requests.total };
}

const median = (xs) => [...xs].sort((p, q) => p - q)[xs.length >> 1];
const [a, b] = opts.dirs;
const sides = [
  { name: a, dir: a, extra: {}, results: [] },
  { name: Object.keys(opts.envB).length > 0 ? `${b} ${JSON.stringify(opts.envB)}` : b, dir: b, extra: opts.envB, results: [] },
];
for (let i = 0; i < opts.rounds; i++) {
  for (const side of i % 2 === 0 ? sides : [...sides].reverse()) {
    const x = await round(side);
    side.results.push(x);
    console.log(`round ${i + 1}  ${side.name}  ${x.rps.toFixed(0)} req/s  ${x.cpu.toFixed(1)} µs/req`);
  }
}
for (const { name, results: xs } of sides) {
  console.log(`median  ${name}  ${median(xs.map((x) => x.rps)).toFixed(0)} req/s  ${median(xs.map((x) => x.cpu)).toFixed(1)} µs/req`);
}
