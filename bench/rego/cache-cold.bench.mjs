// What the CPU's caches do to one evaluation: the default tool-call decision (policies/, the
// built-in engine in dist/) timed alone in a tight loop, then with other memory touched between
// evaluations (as the rest of a request's path does in the service), then with the evaluations
// run in groups between the same touches (as the service's evaluation batches do). Prints the
// median CPU µs per evaluation of each.
//
//   npm run build && node bench/rego/cache-cold.bench.mjs [--touch-mb=2] [--group=5]
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from '../../dist/rego/index.js';
import { loadBundle } from '../lib/policy-dir.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const arg = (name, dflt) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt);
const touchMb = arg('touch-mb', 2);
const group = arg('group', 5);

const { modules, data } = loadBundle(join(repo, 'policies'));
const policy = compile(modules, data, { regoVersion: 1 });
const text = readFileSync(join(repo, 'examples', 'tool-call', 'analytics-select.allow.json'), 'utf8');
const path = ['ai', 'tools', 'decision'];
const other = new Float64Array((touchMb * 1024 * 1024) / 8);
let sink = 0;

/** Median over 5 runs of 1.5 s: CPU µs per evaluation, `n` evaluations at a time, `mb` touched between groups. */
function measure(n, mb) {
  const runs = [];
  for (let r = 0; r < 6; r++) {
    let cpu = 0;
    let count = 0;
    const end = Date.now() + 1500;
    while (Date.now() < end) {
      const inputs = Array.from({ length: n }, () => JSON.parse(text));
      const c0 = process.cpuUsage();
      for (const input of inputs) if (!policy.evaluate(path, { input, timeoutMs: 50 }).defined) throw new Error('undefined decision');
      const c = process.cpuUsage(c0);
      cpu += c.user + c.system;
      count += n;
      // One double per 64-byte cache line of the other memory.
      if (mb > 0) for (let i = 0; i < other.length; i += 8) sink += other[i]++;
    }
    if (r > 0) runs.push(cpu / count); // the first run warms up
  }
  return runs.sort((a, b) => a - b)[runs.length >> 1];
}

const rows = [
  ['tight loop', measure(1, 0)],
  [`${touchMb} MB touched between evaluations`, measure(1, touchMb)],
  [`${touchMb} MB touched between groups of ${group}`, measure(group, touchMb)],
];
for (const [label, us] of rows) console.log(`${label.padEnd(40)} ${us.toFixed(1)} µs/eval`);
if (sink === -1) console.log(sink); // keeps the touches from being optimised away
