// Whose is a paced run's tail: the server's or the load generator's? The service is paced as
// bench:http paces it (open loop, ./paced.mjs, server pinned to the last CPU, client on CPU 0) while
// tcpdump records the loopback traffic; each answer the client timed is matched with its packets
// (per connection, in order: one request at a time on each) and its latency split in two:
//   on the wire — from the request's first packet to the answer's last, as the kernel saw them: the
//                 time the request waited in the server's socket and the server took (its event
//                 loop, garbage collections, V8's background threads and anything else on its CPU);
//   the client  — the rest: the client's write before the request's packet, and its read after the
//                 answer's, plus the wait for a free connection when all are busy.
// Then the stretches where requests were slow on the wire, each with the server's garbage
// collections near it (a perf_hooks log, ../lib/gc-log.mjs). tcpdump runs on the client's CPU,
// so the client's share here is larger than in a bench:http run: read it as an upper bound.
//
//   node bench/http/tail-attribution.mjs [--kind=tool-call|model-deployment] [--policy=small|default]
//        [--cache=off|on] [--rate=7000] [--duration=10] [--warmup=5] [--runs=1] [--slow=5]
//
// Needs tcpdump (Debian: apt-get install tcpdump; capturing on lo needs root or CAP_NET_RAW) and
// `npm run build`; --policy=small needs ../shared/bench-peer (BENCH_PEER_DIR). PDP_WORKERS=1.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exampleTexts } from '../lib/examples.mjs';
import { describeGcs, gcLogging, gcSummary, monotonicMs, readGcLog } from '../lib/gc-log.mjs';
import { smallPolicy } from '../lib/peer-policy.mjs';
import { pinSelf } from '../lib/pin.mjs';
import { startService } from '../lib/service.mjs';
import { paced } from './paced.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const o = { kind: 'tool-call', policy: 'small', cache: 'off', rate: 7000, duration: 10, warmup: 5, runs: 1, slow: 5 };
for (const a of process.argv.slice(2)) {
  const m = /^--([a-z]+)=(.+)$/.exec(a);
  if (!m || !(m[1] in o)) throw new Error(`unknown argument ${a}`);
  o[m[1]] = typeof o[m[1]] === 'number' ? Number(m[2]) : m[2];
}
if (spawnSync('tcpdump', ['--version']).error) {
  process.stderr.write('tcpdump is not installed (Debian: apt-get install tcpdump): nothing measured\n');
  process.exit(2);
}
const small = smallPolicy();
if (o.policy === 'small' && small.absent) {
  process.stderr.write(`${small.absent}: use --policy=default\n`);
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'pdp-tail-'));
pinSelf(0);
const gcLog = gcLogging(join(dir, 'gc.json'));
const svc = await startService({
  cwd: ROOT,
  script: 'bench/http/pdp-server.mjs',
  cpu: cpus().length - 1,
  nodeArgs: gcLog.nodeArgs,
  env: {
    PDP_HOST: '127.0.0.1',
    PDP_PORT: '0',
    PDP_LOG_LEVEL: 'warn',
    PDP_WORKERS: '1',
    ...gcLog.env,
    ...(o.policy === 'small' ? small.env : {}),
    PDP_CACHE_ENABLED: o.cache === 'on' ? 'true' : 'false',
  },
});
const port = Number(new URL(svc.url).port);
const path = `/v1/decisions/${o.kind}`;
const bodies = exampleTexts(o.kind).map((body) => ({ body }));
process.stderr.write(`${o.kind}, ${o.policy} policy, cache ${o.cache}: warm-up ${o.warmup} s at ${o.rate}/s\n`);
await paced(svc.url, { path, bodies, rate: o.rate, durationS: o.warmup, warmupS: 1 });

const runs = [];
try {
  for (let run = 1; run <= o.runs; run++) runs.push(await capturedRun(join(dir, `run${run}.pcap`)));
} finally {
  await svc.stop();
}
const gc = readGcLog(gcLog.env.PDP_BENCH_GC_LOG);
const results = runs.map((r, i) => report(i + 1, r, gc));
console.log(JSON.stringify({ ...o, results }));
rmSync(dir, { recursive: true, force: true });

/** One paced run with tcpdump on lo; the client's answers and the anchor that maps its clock. */
async function capturedRun(file) {
  const dump = spawn('taskset', ['-c', '0', 'tcpdump', '-i', 'lo', '-nn', '-B', '65536', '-s', '160', '-w', file, `tcp port ${port}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise((resolve) => dump.once('exit', resolve));
  let err = '';
  await new Promise((resolve, reject) => {
    dump.stderr.on('data', (c) => {
      err += c;
      if (err.includes('listening on')) resolve();
    });
    void exited.then(() => reject(new Error(`tcpdump exited: ${err.trim()}`)));
  });
  const answers = [];
  const anchor = { monoMs: monotonicMs(), epochMs: performance.timeOrigin + performance.now() };
  const result = await paced(svc.url, {
    path,
    bodies,
    rate: o.rate,
    durationS: o.duration,
    warmupS: 1,
    onAnswer: (localPort, sentAt, latency, measured) => answers.push({ localPort, sentAt, latency, measured }),
  });
  // libpcap hands packets over a block at a time (TPACKET_V3): the last block only after its
  // timeout, and what is still in the kernel's ring when tcpdump stops is lost.
  await new Promise((r) => setTimeout(r, 1500));
  dump.kill('SIGINT');
  await exited;
  return { file, answers, anchor, result };
}

/** The capture's messages per client port: [{ toServer, first, last }] in order, a message being
 * consecutive data packets in one direction (times in epoch ms, tcpdump's clock). */
function messages(file) {
  const out = spawnSync('tcpdump', ['-r', file, '-nn', '-tt', '-q'], { encoding: 'utf8', maxBuffer: 1 << 30 }).stdout;
  const conns = new Map();
  for (const line of out.split('\n')) {
    // 1733212345.123456 IP 127.0.0.1.40000 > 127.0.0.1.8181: tcp 417
    const m = /^(\d+\.\d+) IP [\d.]+\.(\d+) > [\d.]+\.(\d+): tcp (\d+)$/.exec(line);
    if (!m || m[4] === '0') continue;
    const toServer = Number(m[3]) === port;
    const client = toServer ? Number(m[2]) : Number(m[3]);
    if (!conns.has(client)) conns.set(client, []);
    conns.get(client).push({ t: Number(m[1]) * 1000, toServer });
  }
  // The capture's order is not quite the kernel's timestamps' (packets from two CPUs): sorted.
  const messages = new Map();
  for (const [client, packets] of conns) {
    const list = [];
    for (const { t, toServer } of packets.sort((a, b) => a.t - b.t)) {
      const prev = list.at(-1);
      if (prev && prev.toServer === toServer) prev.last = t;
      else list.push({ toServer, first: t, last: t });
    }
    messages.set(client, list);
  }
  return messages;
}

function report(run, { file, answers, anchor, result }, gc) {
  const conns = messages(file);
  // Packet times onto CLOCK_MONOTONIC, the server GC log's clock.
  const epochOfMono = anchor.epochMs - anchor.monoMs;
  const byPort = new Map();
  for (const a of answers) {
    if (!byPort.has(a.localPort)) byPort.set(a.localPort, []);
    byPort.get(a.localPort).push(a);
  }
  const rows = [];
  let unmatched = 0;
  for (const [p, list] of byPort) {
    const msgs = conns.get(p) ?? [];
    const requests = msgs.filter((m) => m.toServer);
    const replies = msgs.filter((m) => !m.toServer);
    if (requests.length < list.length || replies.length < list.length) {
      unmatched += list.length;
      continue;
    }
    list.forEach((a, i) => {
      if (!a.measured) return;
      const wire = replies[i].last - requests[i].first;
      rows.push({ at: requests[i].first - epochOfMono, latency: a.latency, wire, client: a.latency - wire });
    });
  }
  rows.sort((a, b) => a.at - b.at);
  const stretches = [];
  let cur = null;
  for (const r of rows) {
    if (r.wire <= o.slow) continue;
    if (cur && r.at - cur.end < 5) {
      cur.end = r.at;
      cur.n++;
      cur.max = Math.max(cur.max, r.wire);
    } else stretches.push((cur = { start: r.at, end: r.at, n: 1, max: r.wire }));
  }
  const t0 = rows[0]?.at ?? 0;
  const stat = (k) => {
    const xs = rows.map((r) => r[k]).sort((a, b) => a - b);
    const at = (p) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))];
    return { p50: at(0.5), p99: at(0.99), max: xs.at(-1) };
  };
  const out = {
    run,
    answers: rows.length,
    unmatched,
    latency: stat('latency'),
    wire: stat('wire'),
    client: stat('client'),
    lag_p99: result.lag_p99,
    gcs: gcSummary(gc, t0, rows.at(-1)?.at ?? 0),
    stretches: stretches.map((s) => ({
      at_s: (s.start - t0) / 1000,
      requests: s.n,
      max_ms: s.max,
      gcs: gc.filter((g) => g.at > s.start - 15 && g.at < s.end).map((g) => ({ offset_ms: g.at - s.start, ms: g.ms, major: g.major })),
    })),
  };
  const f = (x) => `${x.p50.toFixed(2)} / ${x.p99.toFixed(2)} / ${x.max.toFixed(1)}`;
  process.stderr.write(
    `run ${run}: ${rows.length} answers at ${o.rate}/s${unmatched ? ` (${unmatched} not matched with the capture)` : ''}; p50 / p99 / max ms —\n` +
      `  as the client timed them ${f(out.latency)}\n  on the wire (server)      ${f(out.wire)}\n  the client's share        ${f(out.client)}  (client lag p99 ${result.lag_p99.toFixed(2)})\n` +
      `  in the window: ${describeGcs(out.gcs)}\n` +
      `  stretches over ${o.slow} ms on the wire: ${stretches.length}\n`,
  );
  for (const s of out.stretches)
    process.stderr.write(
      `    at ${s.at_s.toFixed(3)} s: ${s.requests} requests, up to ${s.max_ms.toFixed(1)} ms; GC near: ${s.gcs.map((g) => `${g.offset_ms >= 0 ? '+' : ''}${g.offset_ms.toFixed(1)} ms (${g.ms.toFixed(1)} ms${g.major ? ', mark-compact' : ''})`).join(', ') || 'none'}\n`,
    );
  return out;
}
