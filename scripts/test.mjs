#!/usr/bin/env node
// `npm test`: runs tap over test/ and ends with one summary line "N passed, N failed"
// (assertions, as counted by tap), exiting with tap's status.
import { spawn } from 'node:child_process';

const child = spawn(process.execPath, [new URL('../node_modules/tap/dist/esm/run.mjs', import.meta.url).pathname, ...process.argv.slice(2)], {
  stdio: ['inherit', 'pipe', 'inherit'],
  env: process.env,
});
let tail = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString()).slice(-4096);
});
child.on('close', (code, signal) => {
  const m = /#\s*\{\s*total:\s*(\d+)([^}]*)\}/.exec(tail);
  const field = (name) => {
    const f = m && new RegExp(`${name}:\\s*(\\d+)`).exec(m[2]);
    return f ? Number(f[1]) : 0;
  };
  const passed = field('pass');
  const failed = field('fail') + (m ? 0 : 1);
  const skipped = field('skip') + field('todo');
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(code ?? (signal ? 1 : 0));
});
