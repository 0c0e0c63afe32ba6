// AuthZEN vs the service's own endpoint, same decisions, same run: every examples/tool-call body
// is sent as POST /v1/decisions/tool-call and, translated by the COAZ-MCP mapping
// (dist/authzen/mcp.js), as POST /access/v1/evaluation — both answered by data.ai.tools.decision.
// One server (bench/http/pdp-server.mjs, the service as `npm start` runs it) serves both; the two
// scenarios are measured back to back, BENCH_RUNS pairs, with autocannon in this process. Reported:
// the server's CPU time per request (user + system, from /proc/<pid>/stat) and req/s, medians, and
// the ratio AuthZEN / tool-call as the median of the per-pair ratios (each pair ran seconds apart,
// so a shift in the machine's load between pairs cancels out). Target: CPU per request ≤ 1.10.
//
//   npm run build && node bench/authzen/run.mjs     BENCH_DURATION=3 BENCH_RUNS=12 BENCH_CONNECTIONS=10
//   BENCH_CACHE=true: with the default in-process decision cache (every body repeats: cache hits)
//
// Linux only for the CPU numbers (/proc); absolute numbers depend on the machine — compare ratios.
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { treeCpuUs } from '../lib/proc-cpu.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DURATION = Number(process.env.BENCH_DURATION ?? 3);
const RUNS = Number(process.env.BENCH_RUNS ?? 12);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const CACHE = process.env.BENCH_CACHE === 'true';

const { toolCallToAuthzen } = await import(new URL('../../dist/authzen/mcp.js', import.meta.url).href);

const dir = `${ROOT}examples/tool-call`;
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();
const bodies = files.map((f) => JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')));
const SCENARIOS = [
  { key: 'tool-call', path: '/v1/decisions/tool-call', bodies: bodies.map((b) => JSON.stringify(b)), allowOf: (j) => j.allow },
  { key: 'authzen', path: '/access/v1/evaluation', bodies: bodies.map((b) => JSON.stringify(toolCallToAuthzen(b))), allowOf: (j) => j.decision },
];

function startServer() {
  const env = { ...process.env, PDP_HOST: '127.0.0.1', PDP_PORT: '0', PDP_LOG_LEVEL: 'warn', PDP_CACHE_ENABLED: CACHE ? 'true' : 'false' };
  const child = spawn(process.execPath, [`${ROOT}bench/http/pdp-server.mjs`], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let tail = '';
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (c) => {
      tail = (tail + c.toString()).slice(-4000);
      const line = tail.split('\n').find((l) => l.startsWith('{"url"'));
      if (line && !child.url) {
        child.url = JSON.parse(line).url;
        resolve(child);
      }
    });
    child.once('exit', (code) => child.url || reject(new Error(`server exited with ${code}:\n${tail}`)));
  });
}

/** Every body once: 200 and the same allow on both endpoints (else the bench compares nothing). */
async function check(url) {
  for (let i = 0; i < files.length; i++) {
    const allows = [];
    for (const s of SCENARIOS) {
      const res = await fetch(url + s.path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: s.bodies[i] });
      const json = await res.json();
      if (res.status !== 200) throw new Error(`${s.key} ${files[i]}: HTTP ${res.status} ${JSON.stringify(json)}`);
      allows.push(s.allowOf(json));
    }
    if (allows[0] !== allows[1]) throw new Error(`${files[i]}: tool-call allow ${allows[0]}, AuthZEN ${allows[1]}`);
  }
}

function cannon(url, s, duration) {
  const requests = s.bodies.map((body) => ({ method: 'POST', path: s.path, headers: { 'content-type': 'application/json' }, body }));
  return new Promise((resolve, reject) => autocannon({ url, connections: CONNECTIONS, duration, requests }, (err, r) => (err ? reject(err) : resolve(r))));
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const server = await startServer();
try {
  await check(server.url);
  for (const s of SCENARIOS) await cannon(server.url, s, 2); // warm-up (JIT, compiled policies)
  const results = Object.fromEntries(SCENARIOS.map((s) => [s.key, { cpu: [], rps: [] }]));
  for (let run = 0; run < RUNS; run++) {
    // Alternate which goes first, so drift in the machine's load hits both alike.
    const order = run % 2 ? [...SCENARIOS].reverse() : SCENARIOS;
    for (const s of order) {
      const c0 = treeCpuUs(server.pid);
      const r = await cannon(server.url, s, DURATION);
      const c1 = treeCpuUs(server.pid);
      if (r.non2xx || r.errors) throw new Error(`${s.key}: ${r.non2xx} non-2xx, ${r.errors} errors`);
      results[s.key].rps.push(r.requests.average);
      if (c0 !== null && c1 !== null) results[s.key].cpu.push((c1 - c0) / r.requests.total);
    }
  }
  const row = (k) => ({ cpu_us: median(results[k].cpu), rps: median(results[k].rps) });
  const pairRatio = (field) => median(results.authzen[field].map((v, i) => v / results['tool-call'][field][i]));
  const base = row('tool-call');
  const az = row('authzen');
  console.log(`AuthZEN vs tool-call, ${files.length} bodies, cache ${CACHE ? 'on' : 'off'}, ${RUNS} runs × ${DURATION}s, ${CONNECTIONS} connections (medians)`);
  console.log(`  POST /v1/decisions/tool-call   ${base.cpu_us?.toFixed(1)} µs CPU/request   ${base.rps.toFixed(0)} req/s`);
  console.log(`  POST /access/v1/evaluation     ${az.cpu_us?.toFixed(1)} µs CPU/request   ${az.rps.toFixed(0)} req/s`);
  console.log(
    `  ratio AuthZEN / tool-call (median of ${RUNS} pairs): CPU per request ${pairRatio('cpu').toFixed(3)} (target ≤ 1.10), req/s ${pairRatio('rps').toFixed(3)}`,
  );
  console.log(JSON.stringify({ cache: CACHE, runs: RUNS, duration_s: DURATION, tool_call: results['tool-call'], authzen: results.authzen }));
} finally {
  server.kill('SIGTERM');
}
