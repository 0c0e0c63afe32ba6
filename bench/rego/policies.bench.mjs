// Benchmark: the repo's default policies (policies/) with the built-in Rego engine, evaluated on
// every example request body (examples/<kind>/*.json) the way the service does: all modules and
// data.json files compiled together, each body as `input`, the kind's decision document queried.
// Prints the median CPU µs per evaluation of each kind over several runs, then the decision log's
// mask (data.system.log.mask) on the tool-call records: replayed as they are, and with every
// request value made unique per evaluation, as ids, amounts and free text are in production
// (replayed bodies let every memoised function call hit).
// Run: npm run build && node bench/rego/policies.bench.mjs  (measures the compiled engine in dist/)
import { dirname, join } from 'node:path';
import v8 from 'node:v8';
import { fileURLToPath } from 'node:url';
import { compile, toJSON } from '../../dist/rego/index.js';
import { loadBundle } from '../lib/policy-dir.mjs';
import { exampleBodies } from '../lib/examples.mjs';
import { uniqueValues } from '../lib/unique-values.mjs';
import { cpuRuns, median } from '../lib/cpu-runs.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// As the service runs (src/shared/heap-tuning.ts): allocation-site pretenuring off.
v8.setFlagsFromString('--no-allocation-site-pretenuring');
const policiesDir = join(repo, 'policies');

const KINDS = [
  { kind: 'tool-call', path: ['ai', 'tools', 'decision'] },
  { kind: 'model-deployment', path: ['ai', 'deployment', 'decision'] },
];
const RUNS = 9;
const ITER = 300;

const { modules, data } = loadBundle(policiesDir);
const policy = compile(modules, data, { regoVersion: 1 });

// The same documents compiled to JavaScript (evaluation.compile_js), measured in the same run.
const compiledJs = compile(modules, data, { regoVersion: 1 });
compiledJs.compileJs(KINDS.map((k) => k.path.join('/')));

for (const { kind, path } of KINDS) {
  const bodies = exampleBodies(kind);
  const show = (runs) => `median ${median(runs).toFixed(1)} µs/eval (runs: ${runs.map((x) => x.toFixed(1)).join(', ')})`;
  const measure = (p) => {
    let defined = 0;
    const once = () => {
      for (const input of bodies) if (p.evaluate(path, { input }).defined) defined++;
    };
    const runs = cpuRuns(once, ITER, RUNS).map((x) => x / bodies.length);
    if (defined !== bodies.length * ITER * (RUNS + 1)) throw new Error(`${kind}: some decision was undefined`);
    return runs;
  };
  const evaluator = measure(policy);
  const js = measure(compiledJs);
  console.log(
    `${kind} over ${bodies.length} bodies — evaluator: ${show(evaluator)}; compiled to JavaScript: ${show(js)}; ratio ${(median(js) / median(evaluator)).toFixed(2)}`,
  );
}

// The decision-log mask, on the record the log builds for each tool-call body ({path, input, result}).
{
  const bodies = exampleBodies('tool-call');
  const path = ['ai', 'tools', 'decision'];
  const results = bodies.map((input) => toJSON(policy.evaluate(path, { input }).value));
  const maskPath = ['system', 'log', 'mask'];
  const records = (fresh) => bodies.map((b, i) => ({ path: 'ai/tools/decision', input: fresh ? uniqueValues(b) : b, result: results[i] }));
  for (const [label, fresh] of [
    ['replayed records', false],
    ['unique request values', true],
  ]) {
    const sets = Array.from({ length: ITER }, () => records(fresh));
    const once = (rs) => {
      for (const r of rs) policy.evaluate(maskPath, { input: r });
    };
    for (const rs of sets) once(rs); // warm-up
    const runs = [];
    for (let r = 0; r < RUNS; r++) {
      const batches = Array.from({ length: ITER }, () => records(fresh));
      const c0 = process.cpuUsage();
      for (const rs of batches) once(rs);
      const c = process.cpuUsage(c0);
      runs.push((c.user + c.system) / ITER / bodies.length);
    }
    console.log(
      `decision-log mask, ${label}: median ${median(runs).toFixed(1)} µs/eval over ${bodies.length} records (runs: ${runs.map((x) => x.toFixed(1)).join(', ')})`,
    );
  }
}
