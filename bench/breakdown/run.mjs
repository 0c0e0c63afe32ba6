// Per-stage CPU breakdown of one decision, measured on the real server.
//
// For each scenario the service is started as `npm start` runs it (compiled dist/, through
// bench/http/pdp-server.mjs) under `node --cpu-prof`, warmed up, then driven by autocannon
// (examples/tool-call bodies, rotating; --kind below) for a measured window. Meanwhile the
// server's CPU time is read from /proc (bench/lib/proc-cpu.mjs: the process and all its
// descendants, so cluster workers are counted; main threads separately). The server is then stopped with SIGINT so that
// V8 writes its profile(s); every sample inside the measured window is attributed to a stage by
// the rules in ./classify.mjs, and
//
//   stage µs/req = (the stage's share of the main threads' non-idle samples)
//                  × (main-thread CPU µs per request, measured)
//
// plus one row for the CPU of the other threads (V8's concurrent GC and JIT compiler threads, the libuv pool, the
// profiler's own sampling thread), so that the rows add up to the measured total. Profiling
// costs a few per cent of CPU: compare stages with each other and with the bare route measured
// the same way, not with bench:http's totals. The server runs on the last CPU and the load
// generator on CPU 0 (taskset; --no-pin: not), else the client's wake-ups preempt the server
// inside its socket writes and those take a share of the samples out of proportion to their CPU
// (see main()).
//
// Scenarios: off    default tool-call policies, cache off
//            hit    default policies, default in-process cache (every body repeats: hits)
//            redis  default policies, hits of the Redis cache tier (the in-process tier bounded to one
//                   entry, so the rotating bodies miss it; the decision log's Redis stream on, as it
//                   is by default with Redis); skipped, and said so, when no Redis answers at
//                   REDIS_URL (default redis://127.0.0.1:6379); the run's keys are deleted after
//            small  ../shared/bench-peer's small exactly-equivalent policy, cache off (skipped,
//                   and said so, when that directory is absent)
//            bare   bench/http/bare-server.mjs: a bare fastify route (parse, constant answer) —
//                   the ceiling, broken down by the same rules
//
// --kind=model-deployment drives /v1/decisions/model-deployment with examples/model-deployment
// bodies instead (off, hit, redis; the small policy decides tool calls only and is skipped).
//
//   npm run bench:breakdown [-- --duration=S --warmup=S --connections=N --only=off,hit --kind=tool-call|model-deployment --json --top=N --keep --no-pin]
//   (BENCH_DURATION, BENCH_WARMUP, BENCH_CONNECTIONS set the defaults: 10, 3, 10)
//
// PDP_WORKERS in the environment is passed to the service (unset: the service's default); the
// number of server processes seen is printed.
import autocannon from 'autocannon';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { treeCpuTimes } from '../lib/proc-cpu.mjs';
import { deleteBenchKeys, redisOrNull, REDIS_PREFIX, REDIS_URL } from '../lib/bench-redis.mjs';
import { pinSelf } from '../lib/pin.mjs';
import { exampleTexts } from '../lib/examples.mjs';
import { startService } from '../lib/service.mjs';
import { DEFAULT_PEER_DIR, smallPolicy } from '../lib/peer-policy.mjs';
import { PARTS, STAGES, attribute, merge, top } from './classify.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const log = (m) => process.stderr.write(`${m}\n`);

function parseArgs(argv) {
  const o = {
    duration: Number(process.env.BENCH_DURATION ?? 10),
    warmup: Number(process.env.BENCH_WARMUP ?? 3),
    connections: Number(process.env.BENCH_CONNECTIONS ?? 10),
    json: false,
    keep: false,
    // --top: how many functions each stage and the unclassified list show (default 5 and 12).
    top: null,
    only: null,
    kind: 'tool-call',
    peer: DEFAULT_PEER_DIR,
    // Default on: see main().
    pin: true,
  };
  for (const a of argv) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unexpected argument ${a}`);
    const [, k, v] = m;
    const num = () => {
      const n = Number(v);
      if (v === undefined || !Number.isFinite(n) || n <= 0) throw new Error(`--${k} needs a positive number`);
      return n;
    };
    if (k === 'duration') o.duration = num();
    else if (k === 'warmup') o.warmup = v === '0' ? 0 : num();
    else if (k === 'connections') o.connections = num();
    else if (k === 'top') o.top = num();
    else if (k === 'json') o.json = true;
    else if (k === 'keep') o.keep = true;
    else if (k === 'no-pin') o.pin = false;
    else if (k === 'only') o.only = (v ?? '').split(',').filter(Boolean);
    else if (k === 'peer') o.peer = v;
    else if (k === 'kind') {
      if (v !== 'tool-call' && v !== 'model-deployment') throw new Error('--kind is tool-call or model-deployment');
      o.kind = v;
    } else throw new Error(`unknown option --${k}`);
  }
  return o;
}

const PDP_ENV = { PDP_HOST: '127.0.0.1', PDP_PORT: '0', PDP_LOG_LEVEL: 'warn' };

function scenarios(o) {
  const small = smallPolicy(o.peer);
  const path = `/v1/decisions/${o.kind}`;
  const list = [
    {
      key: 'off',
      label: `default ${o.kind} policies, cache off`,
      script: 'bench/http/pdp-server.mjs',
      env: { ...PDP_ENV, PDP_CACHE_ENABLED: 'false' },
      path,
      signal: 'SIGINT',
    },
    {
      key: 'hit',
      label: 'default policies, in-process cache hit',
      script: 'bench/http/pdp-server.mjs',
      env: PDP_ENV,
      path,
      signal: 'SIGINT',
      cache: true,
    },
    {
      key: 'redis',
      label: 'default policies, Redis cache tier hit (stream sink on)',
      script: 'bench/http/pdp-server.mjs',
      env: { ...PDP_ENV, REDIS_URL, REDIS_KEY_PREFIX: REDIS_PREFIX, PDP_CACHE_MAX_ENTRIES: '1' },
      path,
      signal: 'SIGINT',
      cache: true,
      skip: o.redis ? null : `no Redis answers at ${REDIS_URL}`,
    },
    {
      key: 'small',
      label: 'small exactly-equivalent policy (bench-peer), cache off',
      script: 'bench/http/pdp-server.mjs',
      env: { ...PDP_ENV, ...small.env },
      path,
      signal: 'SIGINT',
      skip: o.kind !== 'tool-call' ? 'the small policy decides tool calls only' : small.absent && `${small.absent}; or --peer=<dir>`,
    },
    // bare-server.mjs ends on SIGTERM (closes, then exits: V8 writes the profile on exit).
    { key: 'bare', label: 'bare fastify route, constant JSON (ceiling)', script: 'bench/http/bare-server.mjs', env: {}, path: '/bare', signal: 'SIGTERM' },
  ];
  return o.only ? list.filter((s) => o.only.includes(s.key)) : list;
}

function startProfiled(s, profDir, pinCpu) {
  return startService({
    cwd: ROOT,
    script: join(ROOT, s.script),
    env: s.env,
    cpu: pinCpu,
    nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profDir],
    stopSignal: s.signal,
    killAfterMs: 20_000,
  });
}

function cannon(url, s, bodies, connections, duration) {
  const requests = bodies.map((body) => ({ method: 'POST', path: s.path, headers: { 'content-type': 'application/json' }, body }));
  return new Promise((resolve, reject) => {
    autocannon({ url, connections, duration, requests }, (err, r) => (err ? reject(err) : resolve(r)));
  });
}

/** Every body once: HTTP 200 and, for the PDP, no failed evaluation (else we would profile an error path). */
async function check(s, url, bodies) {
  for (const body of bodies) {
    const res = await fetch(`${url}${s.path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const json = await res.json();
    if (res.status !== 200) throw new Error(`${s.key}: HTTP ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
    if (s.key !== 'bare' && json.reasons.some((r) => ['EVALUATION_ERROR', 'POLICY_UNDEFINED', 'MALFORMED_DECISION'].includes(r.code))) {
      throw new Error(`${s.key}: failed decision ${JSON.stringify(json.reasons)}`);
    }
  }
}

async function cacheLookups(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out = {};
  for (const m of text.matchAll(/^pdp_cache_lookups_total\{([^}]*)\} (\d+)/gm)) out[m[1]] = Number(m[2]);
  return out;
}

const hrtimeUs = () => Number(process.hrtime.bigint() / 1000n);

async function measure(s, o, bodies) {
  const profDir = mkdtempSync(join(tmpdir(), `pdp-breakdown-${s.key}-`));
  const srv = await startProfiled(s, profDir, o.pinCpu);
  let r;
  let c0;
  let c1;
  let t0;
  let t1;
  let cache = null;
  try {
    await check(s, srv.url, bodies);
    if (o.warmup > 0) await cannon(srv.url, s, bodies, o.connections, o.warmup);
    c0 = treeCpuTimes(srv.pid);
    t0 = hrtimeUs();
    r = await cannon(srv.url, s, bodies, o.connections, o.duration);
    t1 = hrtimeUs();
    c1 = treeCpuTimes(srv.pid);
    if (s.cache) cache = await cacheLookups(srv.url);
  } finally {
    const e = await srv.stop();
    if (e.signal === 'SIGKILL') log(`${s.key}: the server did not exit within 20 s of ${s.signal}; killed (its profile may be missing)`);
  }
  const files = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'));
  if (!files.length) throw new Error(`${s.key}: no CPU profile was written in ${profDir} (server stderr:\n${srv.tail()})`);
  const parts = files.map((f) => attribute(JSON.parse(readFileSync(join(profDir, f), 'utf8')), ROOT, t0, t1));
  if (o.keep) log(`  profiles kept in ${profDir}`);
  else rmSync(profDir, { recursive: true, force: true });
  const a = merge(parts);
  const n = r.requests.total;
  if (!c0 || !c1) throw new Error('no /proc: the breakdown needs Linux');
  const total = (c1.user - c0.user + c1.sys - c0.sys) / n;
  const main = (c1.main.user - c0.main.user + c1.main.sys - c0.main.sys) / n;
  const stages = Object.fromEntries(STAGES.map((st) => [st, a.samples ? ((a.byStage.get(st) ?? 0) / a.samples) * main : 0]));
  return {
    key: s.key,
    label: s.label,
    requests: n,
    rps: n / ((t1 - t0) / 1e6),
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    // processes alive at the end of the window: 1, or a cluster primary + its workers
    processes: c1.processes,
    profiles: files.length,
    samples: a.samples,
    cpu_us_per_req: { total, main_threads: main, other_threads: total - main, user: (c1.user - c0.user) / n, sys: (c1.sys - c0.sys) / n },
    stages_us_per_req: stages,
    parts_us_per_req: Object.fromEntries(
      PARTS.map(([st, part]) => [`${st} › ${part}`, a.samples ? ((a.byPart.get(`${st} › ${part}`) ?? 0) / a.samples) * main : 0]),
    ),
    cache_lookups: cache,
    top_by_stage: Object.fromEntries(
      STAGES.map((st) => [st, top(a.byStageFn.get(st) ?? new Map(), o.top ?? 5).map(([fn, c]) => ({ fn, share: c / a.samples }))]),
    ),
    unclassified: top(a.unmatched, o.top ?? 12).map(([fn, c]) => ({ fn, share: c / a.samples })),
  };
}

const fmt = (x, d = 0) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : '–');

function printTable(results, skipped, o) {
  const cols = results.map((r) => r.key);
  const w = 9;
  const row = (name, vals) => `${name.padEnd(40)}${vals.map((v) => String(v).padStart(w)).join('')}`;
  console.log(
    `\nCPU µs per request by stage — ${o.duration} s per scenario after ${o.warmup} s warm-up, ${o.connections} connections, examples/${o.kind} bodies (node ${process.version}, ${new Date().toISOString()}, PDP_WORKERS=${process.env.PDP_WORKERS ?? 'unset'}, ${o.pinCpu === null ? 'not pinned' : `server on CPU ${o.pinCpu}, load generator on CPU 0`})`,
  );
  for (const r of results) console.log(`  ${r.key.padEnd(6)} ${r.label}`);
  console.log(row('stage', cols));
  for (const st of STAGES) {
    console.log(
      row(
        `  ${st}`,
        results.map((r) => fmt(r.stages_us_per_req[st], 1)),
      ),
    );
    for (const [pst, part] of PARTS) {
      if (pst === st)
        console.log(
          row(
            `    of which ${part}`,
            results.map((r) => fmt(r.parts_us_per_req[`${st} › ${part}`], 1)),
          ),
        );
    }
  }
  console.log(
    row(
      '  other threads (V8 GC+JIT, libuv)',
      results.map((r) => fmt(r.cpu_us_per_req.other_threads, 1)),
    ),
  );
  console.log(
    row(
      'total server CPU µs/req (measured)',
      results.map((r) => fmt(r.cpu_us_per_req.total, 1)),
    ),
  );
  console.log(
    row(
      '  of which system (kernel)',
      results.map((r) => fmt(r.cpu_us_per_req.sys, 1)),
    ),
  );
  console.log(
    row(
      'req/s (profiled)',
      results.map((r) => fmt(r.rps)),
    ),
  );
  console.log(
    row(
      'server processes',
      results.map((r) => r.processes),
    ),
  );
  console.log(
    row(
      'profile samples in window',
      results.map((r) => r.samples),
    ),
  );
  for (const r of results) if (r.non2xx || r.errors) console.log(`  ${r.key}: non2xx ${r.non2xx}, errors ${r.errors}`);
  for (const r of results) if (r.cache_lookups) console.log(`  ${r.key}: cache lookups from /metrics ${JSON.stringify(r.cache_lookups)}`);
  for (const s of skipped) console.log(`  skipped ${s.key} (${s.label}): ${s.reason}`);
  console.log("\ntop functions (self time, share of the scenario's samples) per stage:");
  for (const r of results) {
    console.log(`  ${r.key}:`);
    for (const st of STAGES) {
      const t = r.top_by_stage[st];
      if (t.length) console.log(`    ${st.padEnd(16)} ${t.map((x) => `${(100 * x.share).toFixed(1)}% ${x.fn}`).join(' | ')}`);
    }
  }
  console.log('\nunclassified (no rule matched any frame; counted as framework/other) — improve RULES in bench/breakdown/classify.mjs:');
  for (const r of results) {
    console.log(`  ${r.key}: ${r.unclassified.length ? r.unclassified.map((x) => `${(100 * x.share).toFixed(1)}% ${x.fn}`).join(' | ') : 'none'}`);
  }
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (!existsSync(join(ROOT, 'dist', 'server.js'))) throw new Error('dist/server.js is missing: run `npm run build` (npm ci does it) first');
  const bodies = exampleTexts(o.kind);
  o.pinCpu = null;
  if (o.pin && cpus().length >= 2) {
    // The profiler samples wall time on the server's main thread. When the load generator shares
    // its core, the answer's socket write wakes the client, which then preempts the server inside
    // writev (and the kernel's loopback delivery runs there, accounted as softirq time, not the
    // server's): writev then takes half the samples of a bare route instead of a fifth. So the
    // server goes on the last CPU, the load generator on CPU 0 (--no-pin: not).
    o.pinCpu = cpus().length - 1;
    pinSelf(0);
    log(`pinned: load generator (this process) on CPU 0, servers on CPU ${o.pinCpu}`);
  }
  const results = [];
  const skipped = [];
  o.redis = !o.only || o.only.includes('redis') ? await redisOrNull() : null;
  try {
    for (const s of scenarios(o)) {
      if (s.skip) {
        log(`skipping ${s.key}: ${s.skip}`);
        skipped.push({ key: s.key, label: s.label, reason: s.skip });
        continue;
      }
      log(`${s.key}: ${s.label} — ${o.warmup} s warm-up, ${o.duration} s measured`);
      const r = await measure(s, o, bodies);
      log(
        `  ${fmt(r.rps)} req/s, ${fmt(r.cpu_us_per_req.total, 1)} µs CPU/req (${fmt(r.cpu_us_per_req.main_threads, 1)} on main threads), ${r.samples} samples, ${r.processes} process(es)`,
      );
      results.push(r);
    }
  } finally {
    if (o.redis) {
      await deleteBenchKeys(o.redis).catch((e) => log(`could not delete the run's Redis keys (${REDIS_PREFIX}*): ${e.message}`));
      o.redis.disconnect();
    }
  }
  if (o.json) {
    console.log(
      JSON.stringify({
        node: process.version,
        at: new Date().toISOString(),
        settings: {
          duration_s: o.duration,
          warmup_s: o.warmup,
          connections: o.connections,
          pdp_workers: process.env.PDP_WORKERS ?? null,
          server_cpu: o.pinCpu,
        },
        stages: STAGES,
        results,
        skipped,
      }),
    );
  } else printTable(results, skipped, o);
}

main().catch((e) => {
  log(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
});
