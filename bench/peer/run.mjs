// The PDP side by side with real peers: runs the read-only harness ../shared/bench-peer (see its
// README) against this checkout and prints issue 18's targets with the measured values, each met
// or not met.
//
//   npm run bench:peer [-- --smoke | --duration=S --rounds=N … (passed to the harness)]
//                      [-- --harness=<installed copy>] [-- --workers=pass|N] [-- --json] [-- --keep]
//
// What this wrapper does around the harness, and why:
// - The harness directory may be read-only: it is copied to a temporary directory and `npm ci`
//   is run there, as its README says (`--harness=<dir>` uses a copy already installed instead).
// - A shadow checkout: the harness aborts when the PDP and the Cerbos translation of its policies
//   disagree on any example body, and the translation cannot express some of our examples
//   (UNTRANSLATABLE below). The harness therefore runs against a temporary directory of symlinks
//   to this checkout whose examples/tool-call holds every example except those. The service,
//   its policies and dist/ are this checkout's own (symlinks); only the set of bodies differs.
// - PDP_WORKERS=1 by default: the harness reads CPU time from /proc/<pid>/stat of the PID it
//   started, which does not include live cluster workers, so with several workers it would
//   undercount the PDP's CPU (and the one-server-at-a-time comparison with single-process peers
//   would change meaning). `--workers=pass` passes this environment's PDP_WORKERS through (unset:
//   the service's default), `--workers=N` sets it.
// When ../shared/bench-peer (or BENCH_PEER_DIR) is absent, says so and exits 0.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UNTRANSLATABLE, shadowCheckout } from './shadow.mjs';
import { targets } from './targets.mjs';
import { DEFAULT_PEER_DIR } from '../lib/peer-policy.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const log = (m) => process.stderr.write(`${m}\n`);

function parseArgs(argv) {
  const o = { harness: null, workers: '1', json: false, keep: false, pass: [], peer: DEFAULT_PEER_DIR };
  for (const a of argv) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (m && m[1] === 'harness') o.harness = m[2];
    else if (m && m[1] === 'peer') o.peer = m[2];
    else if (m && m[1] === 'workers') {
      if (m[2] !== 'pass' && !/^[1-9]\d*$/.test(m[2] ?? '')) throw new Error('--workers needs pass or a positive integer');
      o.workers = m[2];
    } else if (m && m[1] === 'json') o.json = true;
    else if (m && m[1] === 'keep') o.keep = true;
    else o.pass.push(a); // the harness's own options (--smoke, --duration=S, …); it rejects unknown ones
  }
  return o;
}

/** The harness copied somewhere writable and installed (npm ci), as its README says. */
function installHarness(peer) {
  const dir = mkdtempSync(join(tmpdir(), 'pdp-bench-peer-'));
  cpSync(peer, dir, { recursive: true, filter: (src) => !/\/(node_modules|out)(\/|$)/.test(src.slice(peer.length)) });
  // shared/ is read-only and cpSync keeps modes: make the copy writable (npm ci writes node_modules, the harness out/).
  const writable = (p) => {
    chmodSync(p, statSync(p).mode | 0o200);
    if (statSync(p).isDirectory()) for (const e of readdirSync(p)) writable(join(p, e));
  };
  writable(dir);
  log(`bench-peer: copied ${peer} to ${dir}; npm ci there (quiet)`);
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  return dir;
}

function git(...args) {
  try {
    return execFileSync('git', ['-C', ROOT, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

function runHarness(harness, checkout, pass, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['run.js', checkout, ...pass], { cwd: harness, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.once('exit', (code, signal) => {
      if (code !== 0) return reject(new Error(`the harness exited with ${code ?? signal}`));
      const last = out.trim().split('\n').at(-1);
      try {
        resolve(JSON.parse(last));
      } catch {
        reject(new Error(`the harness's last stdout line is not JSON: ${last?.slice(0, 200)}`));
      }
    });
  });
}

function print(r, t, meta) {
  const sc = r.http?.scenarios ?? {};
  console.log(
    `\nbench-peer (${r.mode}, ${r.started_at}; checkout ${ROOT} at ${meta.commit}${meta.dirty ? ' + uncommitted changes' : ''}; PDP_WORKERS=${meta.workers ?? 'unset'})`,
  );
  console.log(
    `measured on a shadow checkout: examples/tool-call minus ${UNTRANSLATABLE.map((u) => `${u.file} (${u.reason})`).join('; ')} — ${meta.bodies} bodies`,
  );
  if (meta.workersNote) console.log(meta.workersNote);
  if (Object.keys(sc).length) {
    console.log('scenario            req/s   p99 ms   server CPU µs/req   label');
    for (const [k, v] of Object.entries(sc)) {
      console.log(
        `${k.padEnd(18)} ${String(v.median.rps).padStart(6)}  ${String(v.median.p99_ms).padStart(7)}  ${String(v.median.server_cpu_us_per_req).padStart(18)}   ${v.label}`,
      );
    }
  }
  if (r.engine)
    console.log(
      `engine µs/eval (median): ${Object.entries(r.engine.median_us)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
  console.log('\nissue 18 targets (same run, medians)');
  console.log('target                                                   measured   met');
  for (const x of t) {
    const v = x.value === null ? 'n/a' : `${x.value.toFixed(2)} ×`;
    console.log(`${x.target.padEnd(54)}  ${v.padStart(9)}   ${x.met === null ? 'n/a' : x.met ? 'met' : 'NOT met'}${x.note ? `  (${x.note})` : ''}`);
  }
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (!o.harness && !existsSync(join(o.peer, 'run.js'))) {
    console.log(`bench:peer skipped: no harness at ${o.peer} (../shared/bench-peer next to this checkout, or BENCH_PEER_DIR / --peer=<dir>)`);
    return;
  }
  if (!existsSync(join(ROOT, 'dist', 'server.js'))) throw new Error('dist/server.js is missing: run `npm run build` (npm ci does it) first');
  const env = { ...process.env };
  let workersNote;
  if (o.workers === 'pass') {
    workersNote = `PDP_WORKERS passed through (${process.env.PDP_WORKERS ?? 'unset: the service default'}): the harness reads CPU from the PID it started only, so with several workers the PDP's CPU per request is undercounted`;
  } else {
    env.PDP_WORKERS = o.workers;
    workersNote = `PDP_WORKERS=${o.workers}${o.workers === '1' ? ' (default here: the harness reads CPU from the PID it started, which does not include cluster workers; --workers=pass|N to change)' : ": the harness reads CPU from the PID it started only, so the PDP's CPU per request is undercounted"}`;
  }
  const harness = o.harness ?? installHarness(o.peer);
  const shadow = shadowCheckout(ROOT);
  log(
    `bench-peer: harness ${harness}; shadow checkout ${shadow.dir} (${shadow.copied} of the tool-call examples; left out: ${UNTRANSLATABLE.map((u) => u.file).join(', ')})`,
  );
  log(workersNote);
  try {
    const r = await runHarness(harness, shadow.dir, o.pass, env);
    const t = targets(r);
    const meta = {
      commit: git('rev-parse', '--short', 'HEAD'),
      dirty: (git('status', '--porcelain') ?? '') !== '',
      workers: env.PDP_WORKERS,
      workersNote,
      bodies: shadow.copied,
    };
    if (o.json) console.log(JSON.stringify({ checkout: ROOT, ...meta, untranslatable: UNTRANSLATABLE, targets: t, harness_result: r }));
    else print(r, t, meta);
  } finally {
    rmSync(shadow.dir, { recursive: true, force: true });
    if (!o.harness) {
      if (o.keep) log(`bench-peer: installed harness kept in ${harness} (reuse with --harness=${harness})`);
      else rmSync(harness, { recursive: true, force: true });
    }
  }
}

main().catch((e) => {
  log(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
});
