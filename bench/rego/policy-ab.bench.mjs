// Same-process A/B of two policy directories on this checkout's engine (dist/): e.g. the default
// bundle and a rewrite of one of its rules. Both must give the same answer on every input; then
// they alternate in short CPU-timed slices (order rotated every round) and the median CPU µs per
// evaluation of each is printed. As bench/rego/ab.bench.mjs does, it runs twice, in two
// processes, compiling A first and then B first (within one process the copy compiled second can
// run faster whatever it is), and prints the geometric mean of the two ratios. Workloads: `tool-call` (data.ai.tools.decision on every
// examples/tool-call body) and `mask` (data.system.log.mask on the records the decision log
// builds for those bodies, every request value made unique per record as ids and free text are).
// Run: npm run build && node bench/rego/policy-ab.bench.mjs <policies-A> <policies-B> [mask|tool-call]
//   (an earlier version of the default bundle: `git archive <rev> policies | tar -x -C /tmp/old`)
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { compile, toJSON } from '../../dist/rego/index.js';
import { loadBundle } from '../lib/policy-dir.mjs';
import { exampleBodies } from '../lib/examples.mjs';
import { uniqueValues } from '../lib/unique-values.mjs';

const [dirA, dirB, workload = 'mask'] = process.argv.slice(2);
if (!dirA || !dirB || !['mask', 'tool-call'].includes(workload)) {
  console.error('usage: node bench/rego/policy-ab.bench.mjs <policies-A> <policies-B> [mask|tool-call]');
  process.exit(2);
}
const first = process.env.POLICY_AB_FIRST;
if (first === undefined) {
  const self = fileURLToPath(import.meta.url);
  const runOne = (order) =>
    JSON.parse(execFileSync(process.execPath, [self, dirA, dirB, workload], { env: { ...process.env, POLICY_AB_FIRST: order }, encoding: 'utf8' }));
  const ab = runOne('A');
  const ba = runOne('B');
  console.log(
    `${workload}: A ${((ab.a + ba.a) / 2).toFixed(1)} µs, B ${((ab.b + ba.b) / 2).toFixed(1)} µs CPU per evaluation; B/A ${Math.sqrt(ab.ratio * ba.ratio).toFixed(3)} ` +
      `(A compiled first: ${ab.ratio.toFixed(3)}, B first: ${ba.ratio.toFixed(3)}; identical answers on ${ab.inputs} inputs; A ${dirA}, B ${dirB})`,
  );
  process.exit(0);
}

const ROUNDS = 30;
const WARMUP_ROUNDS = 5;
const SETS = 100;

const compileDir = (d) => {
  const { modules, data } = loadBundle(d);
  return compile(modules, data, { regoVersion: 1 });
};
const policies = first === 'A' ? [compileDir(dirA), compileDir(dirB)] : [compileDir(dirB), compileDir(dirA)].reverse();
const bodies = exampleBodies('tool-call');
const decisionPath = ['ai', 'tools', 'decision'];
const results = bodies.map((input) => toJSON(policies[0].evaluate(decisionPath, { input }).value));

const path = workload === 'mask' ? ['system', 'log', 'mask'] : decisionPath;
const sets = Array.from({ length: SETS }, () =>
  workload === 'mask' ? bodies.map((b, i) => ({ path: 'ai/tools/decision', input: uniqueValues(b), result: results[i] })) : bodies,
);

for (const input of sets[0]) {
  const [a, b] = policies.map((p) => JSON.stringify(toJSON(p.evaluate(path, { input }).value ?? null)));
  if (a !== b) throw new Error(`the two policies differ on an input:\nA ${a}\nB ${b}`);
}

const times = [[], []];
let next = 0;
for (let round = 0; round < ROUNDS; round++) {
  for (const side of round % 2 === 0 ? [0, 1] : [1, 0]) {
    const p = policies[side];
    const c0 = process.cpuUsage();
    let n = 0;
    for (let i = 0; i < 20; i++) {
      for (const input of sets[next++ % SETS]) {
        p.evaluate(path, { input });
        n++;
      }
    }
    const c = process.cpuUsage(c0);
    if (round >= WARMUP_ROUNDS) times[side].push((c.user + c.system) / n);
  }
}
const median = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
const [a, b] = times.map(median);
console.log(JSON.stringify({ a, b, ratio: b / a, inputs: sets[0].length }));
