// Benchmark: evaluation of a small RBAC policy with the built-in Rego engine.
// Prints median µs per evaluation and evaluations/s over several runs, the one-off
// compile cost, and the ratio against a hand-written JS baseline run in the same process.
// Run: npm run build && node bench/rego/eval.bench.mjs  (measures the compiled engine in dist/)
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, toJSON } from '../../dist/rego/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const source = readFileSync(join(here, 'rbac.rego'), 'utf8');
const data = JSON.parse(readFileSync(join(here, 'data.json'), 'utf8'));

const inputs = [
  { user: 'bob', action: 'deploy', resource: { type: 'model' } },
  { user: 'bob', action: 'delete', resource: { type: 'model' } },
  { user: 'alice', action: 'delete', resource: { type: 'dataset' } },
  { user: 'carol', action: 'read', resource: { type: 'model' } },
];

/** The same decision written directly in JS: the floor any engine is measured against. */
function nativeDecision(d, input) {
  const user = d.users[input.user];
  const admin = !!user && user.roles.includes('admin');
  const suspended = !!user && user.suspended === true;
  let granted = false;
  if (user && !suspended) {
    for (const r of user.roles) for (const g of d.role_grants[r] ?? []) if (g.action === input.action && g.resource === input.resource.type) granted = true;
  }
  const allow = admin || granted;
  return { allow, reasons: allow ? [] : [`${input.user} may not ${input.action} ${input.resource.type}`] };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const RUNS = 7;
const ITER = 20_000;

const compileTimes = [];
let policy = compile([{ file: 'rbac.rego', source }], { bench: data });
for (let r = 0; r < RUNS; r++) {
  const t0 = process.hrtime.bigint();
  policy = compile([{ file: 'rbac.rego', source }], { bench: data });
  compileTimes.push(Number(process.hrtime.bigint() - t0) / 1000);
}

// sanity: both implementations agree before timing anything
for (const input of inputs) {
  const r = toJSON(policy.evaluate('bench.rbac.decision', { input }).value);
  const n = nativeDecision(data, input);
  if (r.allow !== n.allow || JSON.stringify(r.reasons) !== JSON.stringify(n.reasons)) {
    throw new Error(`engine and baseline disagree on ${JSON.stringify(input)}: ${JSON.stringify(r)} vs ${JSON.stringify(n)}`);
  }
}

function time(f) {
  for (let i = 0; i < ITER; i++) f(i); // warm-up
  const perRun = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < ITER; i++) f(i);
    perRun.push(Number(process.hrtime.bigint() - t0) / 1000 / ITER);
  }
  return perRun;
}

let sink = 0;
const engineUs = time((i) => {
  const r = policy.evaluate('bench.rbac.decision', { input: inputs[i & 3] });
  if (r.defined) sink++;
});
const nativeUs = time((i) => {
  const r = nativeDecision(data, JSON.parse(JSON.stringify(inputs[i & 3])));
  if (r.allow) sink++;
});

const e = median(engineUs);
const n = median(nativeUs);
console.log(`rego engine: median ${e.toFixed(2)} µs/eval, ${Math.round(1e6 / e)} evals/s (runs: ${engineUs.map((x) => x.toFixed(2)).join(', ')})`);
console.log(`native JS baseline (incl. input copy): median ${n.toFixed(2)} µs/eval`);
console.log(`ratio engine/baseline: ${(e / n).toFixed(1)}x`);
console.log(`compile once: median ${(median(compileTimes) / 1000).toFixed(2)} ms`);
console.log(`target: median <= 20 µs/eval -> ${e <= 20 ? 'met' : 'NOT met'} (${sink > 0 ? 'ok' : ''})`);
