// Benchmark: the repo's default policies (policies/) with the built-in Rego engine, evaluated on
// every example request body (examples/<kind>/*.json) the way the service does: all modules and
// data.json files compiled together, each body as `input`, the kind's decision document queried.
// Prints the median CPU µs per evaluation of each kind over several runs.
// Run: npm run build && node bench/rego/policies.bench.mjs  (measures the compiled engine in dist/)
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from '../../dist/rego/index.js';
import { loadBundle } from '../lib/policy-dir.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const policiesDir = join(repo, 'policies');

const KINDS = [
  { kind: 'tool-call', path: ['ai', 'tools', 'decision'] },
  { kind: 'model-deployment', path: ['ai', 'deployment', 'decision'] },
];
const RUNS = 9;
const ITER = 300;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const { modules, data } = loadBundle(policiesDir);
const policy = compile(modules, data, { regoVersion: 1 });

for (const { kind, path } of KINDS) {
  const dir = join(repo, 'examples', kind);
  const bodies = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
  let defined = 0;
  const once = () => {
    for (const input of bodies) if (policy.evaluate(path, { input }).defined) defined++;
  };
  for (let i = 0; i < ITER; i++) once(); // warm-up
  const runs = [];
  for (let r = 0; r < RUNS; r++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < ITER; i++) once();
    const c = process.cpuUsage(c0);
    runs.push((c.user + c.system) / ITER / bodies.length);
  }
  if (defined !== bodies.length * ITER * (RUNS + 1)) throw new Error(`${kind}: some decision was undefined`);
  console.log(`${kind}: median ${median(runs).toFixed(1)} µs/eval over ${bodies.length} bodies (runs: ${runs.map((x) => x.toFixed(1)).join(', ')})`);
}
