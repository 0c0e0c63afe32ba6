// A request's input converted to Rego values (fromJSON, as CompiledPolicy.evaluate does) after
// the repo's policies were compiled and evaluated in the same process — in several fresh
// processes, because what this watches is decided per process by when collections happen:
// V8 allocates from a site in the old generation once enough of that site's objects survived
// ("pretenuring"); a bundle's data converted at the same sites as inputs once made a quarter of
// processes convert every input ~20 × slower (src/rego/value.ts, fromJSON's `longLived`).
// Prints µs per conversion of each process and how many were over 3 × the fastest.
// Run: npm run build && node bench/rego/input-conversion.bench.mjs [--processes=10]
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const processes = Number(process.argv.find((a) => a.startsWith('--processes='))?.slice(12) ?? 10);

if (process.env.INPUT_CONVERSION_CHILD === undefined) {
  const self = fileURLToPath(import.meta.url);
  const runs = [];
  for (let i = 0; i < processes; i++) {
    runs.push(Number(execFileSync(process.execPath, [self], { env: { ...process.env, INPUT_CONVERSION_CHILD: '1' }, encoding: 'utf8' })));
  }
  const fastest = Math.min(...runs);
  const slow = runs.filter((r) => r > 3 * fastest).length;
  console.log(`input conversion, µs per tool-call input, one process each: ${runs.map((r) => r.toFixed(2)).join(', ')}`);
  console.log(`${slow} of ${processes} processes over 3 × the fastest (${fastest.toFixed(2)} µs)`);
} else {
  const { compile, fromJSON } = await import('../../dist/rego/index.js');
  const { loadBundle } = await import('../lib/policy-dir.mjs');
  const { exampleBodies } = await import('../lib/examples.mjs');
  const { join, dirname } = await import('node:path');
  const { modules, data } = loadBundle(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'policies'));
  const bodies = exampleBodies('tool-call');
  // what an activation and the first requests do: compile, compile to JavaScript, evaluate
  const policy = compile(modules, data, { regoVersion: 1 });
  policy.compileJs(['ai/tools/decision']);
  for (let i = 0; i < 300; i++) for (const input of bodies) policy.evaluate('ai/tools/decision', { input });
  const n = 5000;
  for (let i = 0; i < 1000; i++) for (const b of bodies) fromJSON(b, { maxDepth: 512 });
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) for (const b of bodies) fromJSON(b, { maxDepth: 512 });
  const c = process.cpuUsage(c0);
  process.stdout.write(String((c.user + c.system) / n / bodies.length));
}
