// Attack bench (issue "Trust II"): a victim — one client asking POST /v1/decisions/tool-call in a
// loop — measured alone and then next to each attack, against one service process (dist/, as
// `npm start` runs it), in one run:
//   none          the victim alone (the baseline)
//   invalid-1mb   2 clients sending 1 MB schema-invalid bodies (`"roles":[1,1,1,…]`) back to back
//   slow-body     1,100 connections that send headers and then trickle a body byte every second
//   wasm-loop     1 client asking a compiled (opa-wasm) entrypoint that never terminates
// Printed per phase: the victim's requests, failures, p50 and p99 latency (ms), and what the
// attack got back. Loopback only; everything is stopped at the end.
//
//   npm run build && node bench/attack/run.mjs        BENCH_SECONDS=10 per phase by default
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWasmFixture, FIXTURE_ENTRYPOINTS } from '../../scripts/build-wasm-fixture.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const SLOW_CONNECTIONS = Number(process.env.BENCH_SLOW_CONNECTIONS ?? 1100);

const victimBody = readFileSync(join(ROOT, 'examples/tool-call/analytics-select.allow.json'), 'utf8');
const invalidBody = JSON.stringify({ ...JSON.parse(victimBody), user: { id: 'u', roles: new Array(499_000).fill(1) } });

async function startService() {
  const dir = mkdtempSync(join(tmpdir(), 'pdp-attack-'));
  const wasmDir = join(dir, 'compiled');
  mkdirSync(wasmDir);
  writeFileSync(
    join(wasmDir, '.manifest'),
    JSON.stringify({ revision: 'w1', roots: ['fixture'], wasm: FIXTURE_ENTRYPOINTS.map((entrypoint) => ({ entrypoint, module: '/policy.wasm' })) }),
  );
  writeFileSync(join(wasmDir, 'policy.wasm'), await buildWasmFixture());
  const config = join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      bundles: [
        { name: 'ai-governance', path: join(ROOT, 'policies'), watch: false },
        { name: 'compiled', path: wasmDir, watch: false },
      ],
    }),
  );
  const child = spawn(process.execPath, [join(ROOT, 'bin/pdp.js'), 'serve'], {
    env: {
      ...process.env,
      PDP_CONFIG: config,
      PDP_PORT: '0',
      PDP_HOST: '127.0.0.1',
      PDP_LOG_LEVEL: 'info',
      PDP_DECISION_LOG_STDOUT: 'false',
      PDP_CACHE_ENABLED: 'false',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (c) => {
      buf += c;
      const m = /"url":"(http:\/\/[^"]+)"/.exec(buf);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`service exited (${code})`)));
  });
  child.stdout.resume();
  return { url, stop: () => child.kill('SIGTERM') };
}

function post(agent, url, path, body, timeoutMs = 10_000) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const req = request(`${url}${path}`, { method: 'POST', agent, headers: { 'content-type': 'application/json' }, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - t0 }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, ms: performance.now() - t0 }));
    req.end(body);
  });
}

async function victim(url, until) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const lat = [];
  let failed = 0;
  while (Date.now() < until) {
    const r = await post(agent, url, '/v1/decisions/tool-call', victimBody);
    if (r.status === 200) lat.push(r.ms);
    else failed++;
  }
  agent.destroy();
  lat.sort((a, b) => a - b);
  const q = (p) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] : NaN);
  return { requests: lat.length + failed, failed, p50: q(0.5), p99: q(0.99) };
}

/** Each attack: start(url) → { stop(): Promise<string> } describing what it got. */
const ATTACKS = {
  none: () => ({ stop: async () => '' }),
  'invalid-1mb': (url) => {
    let on = true;
    const statuses = {};
    const loop = async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      while (on) {
        const r = await post(agent, url, '/v1/decisions/tool-call', invalidBody);
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      }
      agent.destroy();
    };
    const runs = [loop(), loop()];
    return {
      stop: async () => {
        on = false;
        await Promise.all(runs);
        return `answers ${JSON.stringify(statuses)}`;
      },
    };
  },
  'slow-body': (url) => {
    const { hostname, port } = new URL(url);
    const sockets = new Set();
    let opened = 0;
    let closedByServer = 0;
    let stopping = false;
    const open = () => {
      if (stopping) return;
      const s = connect(Number(port), hostname, () => {
        opened++;
        s.write(`POST /v1/decisions/tool-call HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`);
      });
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        if (!stopping) {
          closedByServer++;
          // An attacker reconnects at once.
          setTimeout(open, 10);
        }
      });
      sockets.add(s);
    };
    for (let i = 0; i < SLOW_CONNECTIONS; i++) open();
    const drip = setInterval(() => {
      for (const s of sockets) if (s.writable) s.write(' ');
    }, 1000);
    return {
      stop: async () => {
        stopping = true;
        clearInterval(drip);
        const held = sockets.size;
        for (const s of sockets) s.destroy();
        return `${opened} opened, ${closedByServer} closed by the server, ${held} held at the end`;
      },
    };
  },
  'wasm-loop': (url) => {
    let on = true;
    const statuses = {};
    const run = (async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      while (on) {
        const r = await post(agent, url, '/v1/data/fixture/loop', '{"input":{}}');
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      }
      agent.destroy();
    })();
    return {
      stop: async () => {
        on = false;
        await run;
        return `answers ${JSON.stringify(statuses)}`;
      },
    };
  },
};

const service = await startService();
console.log(`service ${service.url}; ${SECONDS} s per phase; victim: 1 client, POST /v1/decisions/tool-call, cache off\n`);
const rows = [];
for (const [name, start] of Object.entries(ATTACKS)) {
  const attack = start(service.url);
  await new Promise((r) => setTimeout(r, 500)); // let the attack ramp up
  const v = await victim(service.url, Date.now() + SECONDS * 1000);
  const got = await attack.stop();
  rows.push({ attack: name, ...v, got });
  console.log(
    `${name.padEnd(12)} victim ${String(v.requests).padStart(6)} req, ${String(v.failed).padStart(4)} failed, p50 ${v.p50.toFixed(2).padStart(8)} ms, p99 ${v.p99.toFixed(2).padStart(8)} ms   ${got}`,
  );
  await new Promise((r) => setTimeout(r, 1000));
}
service.stop();
console.log('\n' + JSON.stringify(rows));
