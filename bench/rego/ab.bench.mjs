// Same-process A/B of two built checkouts' Rego engines (e.g. main and a branch) on one workload:
// both compile the same policies, must give identical results on every input, then alternate in
// short CPU-timed slices (order flipped every round). Prints each side's median CPU µs per
// evaluation and the median per-round ratio B/A, measured in both import orders (see below) — on a
// shared, noisy machine the ratio of
// neighbouring slices is steadier than either absolute number.
// Run: node bench/rego/ab.bench.mjs <checkout-A> <checkout-B> [tool-call|model-deployment|mask|rbac] [--js=A|B|AB] [--pretenuring]
//   --js: that side's documents compiled to JavaScript (CompiledPolicy.compileJs, what the service
//   does with evaluation.compile_js on) — e.g. an engine from before compileJs existed (A) against
//   this checkout's compiled documents (B).
//   (both checkouts built: `npm run build`; rbac needs ../shared/bench-peer's vendored policy,
//   or BENCH_PEER=<dir>). mask: data.system.log.mask on the records the decision log builds for
//   the tool-call examples — {path, input: the request, result: its decision document}.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadBundle } from '../lib/policy-dir.mjs';
import { exampleBodies } from '../lib/examples.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const jsFlag = args.find((x) => x.startsWith('--js='));
const [a, b, which = 'tool-call'] = args.filter((x) => !x.startsWith('--'));
const unknown = args.find((x) => x.startsWith('--') && !x.startsWith('--js=') && x !== '--pretenuring');
if (unknown !== undefined) {
  console.error(`unknown option: ${unknown}`);
  process.exit(2);
}
const jsSides = (jsFlag?.slice(5) ?? '').toUpperCase();
if (!a || !b || !/^[AB]*$/.test(jsSides)) {
  console.error('usage: node bench/rego/ab.bench.mjs <checkout-A> <checkout-B> [tool-call|model-deployment|mask|rbac] [--js=A|B|AB] [--pretenuring]');
  process.exit(2);
}
// The children run as the service does (src/shared/heap-tuning.ts: allocation-site pretenuring
// off), unless --pretenuring is given. With it on, a side whose data conversion got its
// allocation sites pretenured allocated every input in the old generation (fixed in fromJSON
// since, not in older builds): that was the "import order" effect this script used to see — one
// side 15–25 % faster within a process, A/A' ratios 0.73–0.96 — and with pretenuring off the two
// orders agree (e.g. 0.387 / 0.388). Each A/B still runs in two child processes, one importing
// and compiling A first and one B first, the two median ratios combined (geometric mean).
// Node flags given to this script (node --flag bench/rego/ab.bench.mjs …) reach the children.
const child = process.env.AB_FIRST;
if (child === undefined) {
  const self = fileURLToPath(import.meta.url);
  const runOne = (first) =>
    JSON.parse(execFileSync(process.execPath, [...process.execArgv, self, ...args], { env: { ...process.env, AB_FIRST: first }, encoding: 'utf8' }));
  const ab = runOne('A');
  const ba = runOne('B');
  const ratio = Math.sqrt(ab.ratio * ba.ratio);
  console.log(
    `${which}${jsSides ? ` (compiled to JavaScript: ${jsSides.split('').join(', ')})` : ''}: A ${((ab.a + ba.a) / 2).toFixed(2)} µs, B ${((ab.b + ba.b) / 2).toFixed(2)} µs CPU per evaluation; ratio B/A ${ratio.toFixed(3)} ` +
      `(A imported first: ${ab.ratio.toFixed(3)}, B first: ${ba.ratio.toFixed(3)}; identical results on ${ab.inputs} inputs)`,
  );
  process.exit(0);
}
if (!args.includes('--pretenuring')) (await import('node:v8')).setFlagsFromString('--no-allocation-site-pretenuring');
const order = child === 'B' ? [1, 0] : [0, 1];
const engines = [];
for (const i of order) engines[i] = await import(pathToFileURL(join(resolve([a, b][i]), 'dist/rego/index.js')).href);

let make;
let bodies;
let path;
let iters;
if (which === 'rbac') {
  const dir = join(process.env.BENCH_PEER ?? join(repo, '..', 'shared', 'bench-peer'), 'vendor', 'opa-rbac');
  const data = JSON.parse(readFileSync(join(dir, 'basic_rbac_data.json'), 'utf8'));
  const source = readFileSync(join(dir, 'rbac.rego'), 'utf8');
  make = (e) => e.compile([{ file: 'rbac.rego', source }], data);
  bodies = [];
  for (const user of [...Object.keys(data.user_roles), 'mallory'])
    for (const action of ['read', 'adopt', 'update', 'delete'])
      for (const type of ['dog', 'cat', 'finance', 'bird']) bodies.push({ user, action, type, object: 'id123' });
  path = 'app.rbac.allow';
  iters = 1500;
} else {
  const { modules, data } = loadBundle(join(repo, 'policies'));
  make = (e) => e.compile(modules, data, { regoVersion: 1 });
  bodies = exampleBodies(which === 'mask' ? 'tool-call' : which);
  path = which === 'model-deployment' ? ['ai', 'deployment', 'decision'] : ['ai', 'tools', 'decision'];
  iters = 40;
  if (which === 'mask') {
    // The record as the decision log hands it to the mask: the decision from engine A (the two
    // engines' decisions are compared below like any other result).
    const e = engines[0];
    const p = make(e);
    bodies = bodies.map((body) => ({ path: 'ai/tools/decision', input: body, result: e.toJSON(p.evaluate(path, { input: body }).value) }));
    path = ['system', 'log', 'mask'];
    iters = 20;
  }
}

const median = (xs) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];
function measure(compileOrder) {
  const pols = [];
  for (const i of compileOrder) {
    pols[i] = make(engines[i]);
    if (jsSides.includes('AB'[i])) {
      const segs = typeof path === 'string' ? path.split('.') : path;
      if (typeof pols[i].compileJs !== 'function' || pols[i].compileJs([segs.join('/')]).length !== 1)
        throw new Error(`side ${'AB'[i]}: ${segs.join('/')} not compiled to JavaScript`);
    }
  }
  for (const body of bodies) {
    const [x, y] = [0, 1].map((i) => JSON.stringify(engines[i].toJSON(pols[i].evaluate(path, { input: body }).value)));
    if (x !== y) throw new Error(`the engines disagree: ${x} vs ${y}`);
  }
  const slice = (p) => {
    const c0 = process.cpuUsage();
    for (let i = 0; i < iters; i++) for (const body of bodies) p.evaluate(path, { input: body });
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / iters / bodies.length;
  };
  for (let i = 0; i < 10; i++) pols.forEach(slice); // warm-up
  const runs = [[], []];
  const ratios = [];
  for (let r = 0; r < 11; r++) {
    const order = r % 2 ? [1, 0] : [0, 1];
    const t = [];
    for (const i of order) t[i] = slice(pols[i]);
    runs[0].push(t[0]);
    runs[1].push(t[1]);
    ratios.push(t[1] / t[0]);
  }
  return { a: median(runs[0]), b: median(runs[1]), ratio: median(ratios) };
}
const m = measure(order);
console.log(JSON.stringify({ ...m, inputs: bodies.length }));
