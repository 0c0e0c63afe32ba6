// Instructions per evaluation of the repo's default policies, counted by valgrind (callgrind) —
// the engine alone, in a loop over the example bodies, as bench/rego/policies.bench.mjs times it.
// On this noisy VM CPU time moves 2× between minutes; instruction counts hold to a few % between
// runs.
//
// Each checkout (built: `npm run build`) runs in its own node under callgrind with
// instrumentation off, compiles the policies, warms up (`--warmup` passes over the bodies), then
// counts `--passes` passes (callgrind_control switches counting on and off). V8 runs with
// --no-concurrent-recompilation and --single-threaded-gc (optimized code installed when it is
// ready, not whenever a background thread under valgrind gets to it; collection on the main
// thread, counted), and the checkouts run one after another (run side by side, V8's timers —
// the memory reducer's collections — fired differently and counts moved 20–30 %).
//
//   node bench/rego/instructions.bench.mjs <checkout>[:js] … [--kind=tool-call|model-deployment]
//        [--warmup=400] [--passes=400] [--rounds=2]
//
// `<checkout>:js` compiles the decision document to JavaScript (CompiledPolicy.compileJs, what
// the service does with evaluation.compile_js on); without it the evaluator answers. E.g. issue
// 18's target, the engine when the issue was filed (ba8873f, built in a worktree) against this
// checkout's compiled documents: `node bench/rego/instructions.bench.mjs /tmp/base .:js`.
// Prints each run's main-thread instructions per evaluation, the medians and the ratios to the
// first. Needs valgrind: without it, says so and exits 0. A round takes ~40 s per checkout.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { callgrindCounts, haveValgrind } from '../lib/callgrind.mjs';
import { checkoutArgs } from '../lib/checkout-args.mjs';

const opts = checkoutArgs(
  process.argv.slice(2).map((a) => a.replace(/:js$/, '')),
  { kind: 'tool-call', warmup: 400, passes: 400, rounds: 2 },
);
const sides = process.argv
  .slice(2)
  .filter((a) => !a.startsWith('--'))
  .map((a, i) => ({ dir: opts.dirs[i], js: a.endsWith(':js'), label: a }));
if (sides.length === 0) {
  console.error('usage: node bench/rego/instructions.bench.mjs <checkout>[:js] … [--kind=K] [--warmup=N] [--passes=N] [--rounds=N]');
  process.exit(2);
}
if (!haveValgrind()) {
  console.log('skipped: valgrind is not installed (Debian package valgrind)');
  process.exit(0);
}
const repo = resolve(import.meta.dirname, '..', '..');
const docPath = opts.kind === 'model-deployment' ? 'ai/deployment/decision' : 'ai/tools/decision';

// The child: this repo's policies and bodies, the checkout's engine.
const childSource = (dir, js) => `
import { compile } from ${JSON.stringify(pathToFileURL(join(dir, 'dist/rego/index.js')).href)};
import { loadBundle } from ${JSON.stringify(pathToFileURL(join(repo, 'bench/lib/policy-dir.mjs')).href)};
import { exampleBodies } from ${JSON.stringify(pathToFileURL(join(repo, 'bench/lib/examples.mjs')).href)};
const { modules, data } = loadBundle(${JSON.stringify(join(repo, 'policies'))});
const p = compile(modules, data, { regoVersion: 1 });
const path = ${JSON.stringify(docPath.split('/'))};
if (${js} && p.compileJs([path.join('/')]).length !== 1) throw new Error('not compiled to JavaScript');
const bodies = exampleBodies(${JSON.stringify(opts.kind)});
const pass = () => { for (const input of bodies) if (!p.evaluate(path, { input }).defined) throw new Error('undefined decision'); };
for (let i = 0; i < ${opts.warmup}; i++) pass();
process.stdout.write('ready ' + bodies.length + '\\n');
process.stdin.once('data', () => {
  for (let i = 0; i < ${opts.passes}; i++) pass();
  process.stdout.write('done\\n');
  process.stdin.once('data', () => process.exit(0));
});
`;

function measure({ dir, js }) {
  const out = mkdtempSync(join(tmpdir(), 'pdp-callgrind-'));
  const child = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '--instr-atstart=no',
      '--separate-threads=yes',
      `--callgrind-out-file=${join(out, 'cg.%p')}`,
      process.execPath,
      '--no-concurrent-recompilation',
      '--single-threaded-gc',
      // as the service runs (src/shared/heap-tuning.ts)
      '--no-allocation-site-pretenuring',
      '--input-type=module',
      '-e',
      childSource(dir, js),
    ],
    { stdio: ['pipe', 'pipe', 'ignore'] },
  );
  const ctl = (...a) => execFileSync('callgrind_control', [...a, String(child.pid)], { stdio: 'ignore' });
  return new Promise((res, rej) => {
    let text = '';
    let bodies = 0;
    child.stdout.on('data', (d) => {
      text += d;
      const ready = /ready (\d+)\n/.exec(text);
      if (ready && bodies === 0) {
        bodies = Number(ready[1]);
        ctl('-i', 'on');
        child.stdin.write('go\n');
      }
      if (bodies > 0 && text.includes('done\n')) {
        text = '';
        ctl('-i', 'off');
        ctl('-d');
        child.stdin.write('exit\n');
      }
    });
    child.on('exit', (code) => {
      const c = callgrindCounts(out);
      rmSync(out, { recursive: true, force: true });
      if (code !== 0 || c.main === 0) rej(new Error(`${dir}: exit ${code}, ${c.main} instructions counted`));
      else res(c.main / (bodies * opts.passes));
    });
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`instructions per evaluation under callgrind (main thread): ${opts.kind}, ${opts.passes} passes after ${opts.warmup}, ${opts.rounds} round(s)`);
const results = sides.map(() => []);
for (let r = 0; r < opts.rounds; r++) {
  for (const [i, side] of sides.entries()) {
    const n = await measure(side);
    results[i].push(n);
    console.log(`round ${r + 1}  ${side.label}  ${Math.round(n)}`);
  }
}
const first = median(results[0]);
sides.forEach((s, i) => {
  const m = median(results[i]);
  console.log(`median  ${s.label}  ${Math.round(m)} (${(m / first).toFixed(3)} ×)`);
});
