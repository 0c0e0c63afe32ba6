// Same-process A/B of two built checkouts' Rego engines (e.g. main and a branch) on one workload:
// both compile the same policies, must give identical results on every input, then alternate in
// short CPU-timed slices (order flipped every round). Prints each side's median CPU µs per
// evaluation and the median per-round ratio B/A — on a shared, noisy machine the ratio of
// neighbouring slices is steadier than either absolute number.
// Run: node bench/rego/ab.bench.mjs <checkout-A> <checkout-B> [tool-call|model-deployment|mask|rbac]
//   (both checkouts built: `npm run build`; rbac needs ../shared/bench-peer's vendored policy,
//   or BENCH_PEER=<dir>). mask: data.system.log.mask on the records the decision log builds for
//   the tool-call examples — {path, input: the request, result: its decision document}.
// Run it both ways (A B, then B A): two identical builds in two directories have measured B/A
// 0.70 on tool-call on a loaded machine (each checkout's engine is its own set of functions, with
// its own JIT history). With r1 = B/A of `A B` and r2 = B/A of `B A`, sqrt(r1 / r2) cancels a
// bias that favours one side. One process's ratio can also land in one of two modes (identical
// builds, each given its own copy of the bodies: 1.01 in one process, 0.70 in the next; a longer
// warm-up did not change it): repeat each pair of runs.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const [a, b, which = 'tool-call'] = process.argv.slice(2);
if (!a || !b) {
  console.error('usage: node bench/rego/ab.bench.mjs <checkout-A> <checkout-B> [tool-call|model-deployment|mask|rbac]');
  process.exit(2);
}
const engines = [
  await import(pathToFileURL(join(resolve(a), 'dist/rego/index.js')).href),
  await import(pathToFileURL(join(resolve(b), 'dist/rego/index.js')).href),
];

/** Modules and base data as the bundle loader builds them: data.json mounted at its directory. */
function loadBundle(dir) {
  const modules = [];
  const data = {};
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.rego')) modules.push({ file: `policies/${relative(dir, p)}`, source: readFileSync(p, 'utf8'), regoVersion: 1 });
      else if (name === 'data.json') {
        const segs = relative(dir, d).split('/');
        let node = data;
        for (const s of segs.slice(0, -1)) node = node[s] ??= {};
        node[segs[segs.length - 1]] = JSON.parse(readFileSync(p, 'utf8'));
      }
    }
  };
  walk(dir);
  return { modules, data };
}

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
  const dir = join(repo, 'examples', which === 'mask' ? 'tool-call' : which);
  bodies = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
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

const pols = engines.map(make);
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
const median = (xs) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];
const runs = [[], []];
const ratios = [];
for (let r = 0; r < 21; r++) {
  const order = r % 2 ? [1, 0] : [0, 1];
  const t = [];
  for (const i of order) t[i] = slice(pols[i]);
  runs[0].push(t[0]);
  runs[1].push(t[1]);
  ratios.push(t[1] / t[0]);
}
console.log(
  `${which}: A ${median(runs[0]).toFixed(2)} µs, B ${median(runs[1]).toFixed(2)} µs CPU per evaluation; median per-round ratio B/A ${median(ratios).toFixed(3)} (identical results on ${bodies.length} inputs)`,
);
