// What each decision leaves for the old generation: the service under a paced load (open loop,
// bench/http/paced.mjs) at a fixed rate, with V8's GC trace (--trace-gc-nvp) on the server. Per
// scenario: bytes promoted to the old generation per scavenge (median), scavenge pause (median),
// mark-compacts in the window, and the paced latency (p99, and the client's own lag). Objects that
// outlive a scavenge are what fills the old generation toward a mark-compact — and on a small
// machine the mark-compact's concurrent marking shares the server's CPU: the latency tail.
// A bare fastify route promotes ~1 KB per scavenge; the PDP's per-decision garbage should die young too.
//
//   node bench/gc/run.mjs [--rate=3000] [--duration=10] [--warmup=4] [--only=hit,off,bare] [--kind=tool-call|model-deployment]
//
// Scenarios: hit (default policies, in-process cache: every body repeats), off (cache off, at
// half the rate: an evaluation costs more), bare (bench/http/bare-server.mjs). The server runs on
// the last CPU and this process on CPU 0 (taskset), PDP_WORKERS=1. Needs `npm run build`.
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { exampleTexts } from '../lib/examples.mjs';
import { pinSelf } from '../lib/pin.mjs';
import { startService } from '../lib/service.mjs';
import { paced } from '../http/paced.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const o = { rate: 3000, duration: 10, warmup: 4, only: null, kind: 'tool-call' };
for (const a of process.argv.slice(2)) {
  const m = /^--([a-z]+)=(.*)$/.exec(a);
  if (!m) throw new Error(`unknown argument ${a}`);
  o[m[1]] = m[1] === 'only' ? m[2].split(',') : m[1] === 'kind' ? m[2] : Number(m[2]);
}
const SERVER_CPU = cpus().length - 1;
pinSelf(0);

const SCENARIOS = [
  { key: 'hit', label: 'default policies, in-process cache hit', script: 'bench/http/pdp-server.mjs', env: {}, path: `/v1/decisions/${o.kind}`, rate: o.rate },
  {
    key: 'off',
    label: 'default policies, cache off (half the rate)',
    script: 'bench/http/pdp-server.mjs',
    env: { PDP_CACHE_ENABLED: 'false' },
    path: `/v1/decisions/${o.kind}`,
    rate: o.rate / 2,
  },
  { key: 'bare', label: 'bare fastify route', script: 'bench/http/bare-server.mjs', env: {}, path: '/bare', rate: o.rate },
];

const median = (xs) => (xs.length === 0 ? 0 : [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]);
const field = (line, name) => Number((new RegExp(`\\b${name}=([0-9.]+)`).exec(line) ?? [])[1] ?? 0);

async function measure(s) {
  let gcLines = [];
  const service = await startService({
    cwd: ROOT,
    script: `${ROOT}${s.script}`,
    env: { PDP_HOST: '127.0.0.1', PDP_PORT: '0', PDP_WORKERS: '1', PDP_LOG_LEVEL: 'warn', ...s.env },
    cpu: SERVER_CPU,
    nodeArgs: ['--trace-gc-nvp'],
    // The GC trace and the decision log's console sink share stdout: keep only the trace's lines.
    onStdoutLine: (l) => {
      if (l.includes(' pause=')) gcLines.push(l);
    },
  });
  const url = service.url;
  const bodies = exampleTexts(o.kind).map((body) => ({ body }));
  // The warm-up runs on the same schedule and connections; GC lines from its end on count.
  const r = await paced(url, { path: s.path, bodies, rate: s.rate, durationS: o.duration, warmupS: o.warmup, onMeasure: () => (gcLines = []) });
  const lines = gcLines;
  await service.stop();
  const scavenges = lines.filter((l) => /\bgc=s\b/.test(l));
  const markCompacts = lines.filter((l) => /\bgc=mc\b/.test(l));
  return {
    scenario: s.key,
    rate: s.rate,
    rps: Math.round(r.rps),
    scavenges: scavenges.length,
    promoted_kb_per_scavenge: Math.round(median(scavenges.map((l) => field(l, 'promoted'))) / 102.4) / 10,
    scavenge_pause_ms: median(scavenges.map((l) => field(l, 'pause'))),
    mark_compacts: markCompacts.length,
    mark_compact_pauses_ms: markCompacts.map((l) => field(l, 'pause')),
    p99_ms: Math.round(r.p99 * 100) / 100,
    client_lag_p99_ms: Math.round(r.lag_p99 * 100) / 100,
    non2xx: r.non2xx,
    errors: r.errors,
  };
}

const rows = [];
for (const s of SCENARIOS) {
  if (o.only && !o.only.includes(s.key)) continue;
  process.stderr.write(`${s.key}: ${s.label}, ${s.rate}/s, ${o.warmup} s warm-up, ${o.duration} s measured\n`);
  rows.push(await measure(s));
}
console.log(`node ${process.version}, server on CPU ${SERVER_CPU}, client on CPU 0`);
console.table(rows);
console.log(JSON.stringify(rows));
