#!/usr/bin/env node
// `npm test`: runs tap over test/ and ends with one summary line "N passed, N failed"
// (assertions, as counted by tap), exiting with tap's status — non-zero also when src/'s
// coverage is under the floor in package.json ("tap": statements/branches/functions/lines),
// which the summary then counts as one failure.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tapRun = fileURLToPath(new URL('../node_modules/tap/dist/esm/run.mjs', import.meta.url));
const args = process.argv.slice(2);
const env = { ...process.env };

// tap rebuilds its Test class when the plugin list in package.json ("!@tapjs/typescript") differs
// from the one it was built with, but only in the middle of a run, after it has picked the test
// processes' loaders from the old build: the first `npm test` after `npm ci` would load TypeScript
// through ts-node as well as tsx (twice the CPU, and coverage that counts functions twice, under
// the floor). Build first when the plugin lists differ.
// (@tapjs/config first: imported on its own, @tapjs/test trips over its circular import of @tapjs/core)
const { TapConfig } = await import('@tapjs/config');
const { signature } = await import('@tapjs/test');
if ((await TapConfig.load()).pluginSignature !== signature) {
  const build = spawnSync(process.execPath, [tapRun, 'build'], { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
  if (build.status !== 0) {
    console.log('tap build failed');
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}
// tap runs test/<folder>.test.ts, which imports the folder's *.test.ts (test/helpers/suite.ts): a
// test file no such runner imports — in a folder without one, or one level deeper — would never
// run. Refuse the run instead of passing without it.
const orphans = [];
for (const e of readdirSync(`${root}test`, { withFileTypes: true })) {
  if (!e.isDirectory()) continue;
  const files = readdirSync(`${root}test/${e.name}`, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.test.ts'));
  for (const f of files) {
    if (f.endsWith('.own-process.test.ts') && !f.includes('/')) continue; // run by tap itself
    if (f.includes('/') || !existsSync(`${root}test/${e.name}.test.ts`)) orphans.push(`test/${e.name}/${f}`);
  }
}
if (orphans.length) {
  console.log(`test files no test/<folder>.test.ts runs (see CONTRIBUTING.md): ${orphans.join(', ')}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
// Running only some test files (`npm test -- test/rego`) covers only part of src/: report the
// coverage but do not fail on the floor, which is for the whole suite.
if (args.some((a) => !a.startsWith('-'))) args.unshift('--allow-incomplete-coverage');

// tsx puts the TypeScript source into its source maps (sourcesContent) only when it sees
// NODE_V8_COVERAGE; without it the maps carry `sourcesContent: [null]` and tap's coverage
// report (c8 / v8-to-istanbul) counts each src/ file as one line. Node also writes its own raw
// V8 coverage there, which nothing reads: keep it in a folder of its own and remove it after.
const v8dir = `${root}.tap/v8-coverage`;
if (!env.NODE_V8_COVERAGE) env.NODE_V8_COVERAGE = v8dir;

const child = spawn(process.execPath, [tapRun, ...args], {
  stdio: ['inherit', 'pipe', 'inherit'],
  env,
});
let tail = '';
// The failed assertions and tests, repeated just above the summary: a CI log that keeps only its
// last screen still names what failed.
const notOk = [];
let partial = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  const text = chunk.toString();
  tail = (tail + text).slice(-4096);
  const lines = (partial + text).split('\n');
  partial = lines.pop() ?? '';
  for (const line of lines) if (/^\s*not ok \d+/.test(line) && notOk.length < 60) notOk.push(line.trimEnd());
});
child.on('close', (code, signal) => {
  if (env.NODE_V8_COVERAGE === v8dir) rmSync(v8dir, { recursive: true, force: true });
  const m = /#\s*\{\s*total:\s*(\d+)([^}]*)\}/.exec(tail);
  const field = (name) => {
    const f = m && new RegExp(`${name}:\\s*(\\d+)`).exec(m[2]);
    return f ? Number(f[1]) : 0;
  };
  const passed = field('pass');
  let failed = field('fail') + (m ? 0 : 1);
  const skipped = field('skip') + field('todo');
  const status = code ?? (signal ? 1 : 0);
  if (status !== 0 && failed === 0) {
    // every assertion passed but tap failed the run: coverage under the floor ("# ERROR: incomplete
    // ... coverage" above), or no coverage at all. Count it, so the summary does not say 0 failed.
    console.log('tap failed the run with no failed assertion (see "# ERROR" above: coverage under the floor?)');
    failed = 1;
  }
  if (notOk.length) console.log(`failed (tap's "not ok" lines, outermost last):\n${notOk.join('\n')}`);
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(status);
});
