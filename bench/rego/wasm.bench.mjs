// Benchmark: the repo's default policies built with `pdp bundle build -t wasm` (the planner's plan in
// the wasm runtime) and run by @open-policy-agent/opa-wasm in this process, against the built-in
// Rego engine on the same example bodies. Per evaluation, the SDK's own work is included (input
// JSON.stringify and copy into the module, result JSON.parse), as a caller of the SDK pays it.
// Prints the median CPU µs per evaluation of each kind for both over several runs.
// Run: npm run build && node bench/rego/wasm.bench.mjs  (measures the compiled code in dist/)
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import opa from '@open-policy-agent/opa-wasm';
import { compile } from '../../dist/rego/index.js';
import { buildWasm } from '../../dist/rego/wasm/build.js';
import { hostBuiltins } from '../../dist/rego/wasm/host-builtins.js';
import { loadBundle } from '../lib/policy-dir.mjs';
import { exampleBodies } from '../lib/examples.mjs';
import { cpuRuns, median } from '../lib/cpu-runs.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const KINDS = [
  { kind: 'tool-call', path: 'ai/tools/decision' },
  { kind: 'model-deployment', path: 'ai/deployment/decision' },
];
const RUNS = 9;
const ITER = 300;

const { modules, data } = loadBundle(join(repo, 'policies'));
const policy = compile(modules, data, { regoVersion: 1 });
const built = buildWasm(
  policy,
  KINDS.map((k) => k.path),
);
const wasm = await opa.loadPolicy(built.wasm, { initial: Math.max(5, built.minPages) }, hostBuiltins());
wasm.setData(data);
console.log(`policy.wasm: ${built.wasm.byteLength} bytes; host builtins: ${built.hostBuiltins.join(', ')}`);

const measure = (once) => cpuRuns(once, ITER, RUNS);

for (const { kind, path } of KINDS) {
  const bodies = exampleBodies(kind);
  const segs = path.split('/');
  const rego = measure(() => {
    for (const input of bodies) if (!policy.evaluate(segs, { input }).defined) throw new Error(`${kind}: undefined`);
  }).map((x) => x / bodies.length);
  const compiled = measure(() => {
    for (const input of bodies) if (wasm.evaluate(input, path).length !== 1) throw new Error(`${kind}: undefined (wasm)`);
  }).map((x) => x / bodies.length);
  const show = (runs) => `median ${median(runs).toFixed(1)} µs/eval (runs: ${runs.map((x) => x.toFixed(1)).join(', ')})`;
  console.log(`${kind} over ${bodies.length} bodies — Rego engine: ${show(rego)}; wasm module: ${show(compiled)}`);
}
