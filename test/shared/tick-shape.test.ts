// One tick object kept alive keeps process.nextTick's object literal monomorphic
// (src/shared/tick-shape.ts). Checked in child processes with V8's own view of that literal's
// feedback (%DebugPrint of process.nextTick, natives syntax allowed in the child only): the four
// DefineKeyedOwnPropertyInLiteral slots of the tick object's fields.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { packageRoot } from '../../src/shared/package-root.js';
import { listeningUrl } from '../helpers/json-lines.js';
import { until } from '../helpers/until.js';

/** The states of the literal's slots in a %DebugPrint of process.nextTick. */
function literalSlots(debugPrint: string): string[] {
  return [...debugPrint.matchAll(/DefineKeyedOwnPropertyInLiteral (\w+)/g)].slice(0, 4).map((m) => m[1] as string);
}

/** A child node without the test runner's coverage: tap's process-info loader (which it adds to
 * every child's NODE_OPTIONS, whatever env is passed) turns V8 coverage on, which allocates every
 * function's feedback from its first call — the served process has neither. Run through
 * `env -u`, which drops them just before node starts. */
function bareNode(args: string[]): [string, string[]] {
  return ['env', ['-u', 'NODE_OPTIONS', '-u', 'NODE_V8_COVERAGE', process.execPath, ...args]];
}

/** A file for a child's stdout. V8 prints through C's stdout; on a pipe (which Node makes
 * non-blocking) what did not fit at once was lost. */
function stdoutFile(): { path: string; fd: number } {
  const path = join(mkdtempSync(join(tmpdir(), 'pdp-tick-')), 'stdout');
  return { path, fd: openSync(path, 'w') };
}

// Warm nextTick (its feedback is allocated), let every tick run, collect all garbage while no
// tick object is alive, make a few more: what the service's start-up collection does.
function collectedWhileIdle(keep: boolean): { slots: string[]; stderr: string; status: number | null } {
  const script = `
    const print = new Function('f', '%DebugPrint(f)');
    const { keepTickObjectShape } = await import('./src/shared/tick-shape.ts');
    for (let i = 0; i < 200; i++) process.nextTick(() => {});
    ${keep ? 'keepTickObjectShape();' : ''}
    await new Promise((r) => setTimeout(r, 10));
    globalThis.gc();
    for (let i = 0; i < 50; i++) process.nextTick(() => {});
    await new Promise((r) => setTimeout(r, 10));
    console.log('PRINT');
    print(process.nextTick);
  `;
  const out = stdoutFile();
  const r = spawnSync(...bareNode(['--allow-natives-syntax', '--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script]), {
    cwd: packageRoot,
    encoding: 'utf8',
    timeout: 60_000,
    stdio: ['ignore', out.fd, 'pipe'],
  });
  closeSync(out.fd);
  const stdout = readFileSync(out.path, 'utf8');
  return { slots: literalSlots(stdout.slice(Math.max(0, stdout.indexOf('PRINT\n')))), stderr: r.stderr, status: r.status };
}

t.test('without a kept tick object, a collection while none is alive turns the literal megamorphic (so the next check can fail)', async (t) => {
  const r = collectedWhileIdle(false);
  t.equal(r.status, 0, r.stderr);
  t.equal(r.slots.length, 4, `the literal's four slots are printed (${process.version}): ${r.slots.join(', ')}`);
  // Asserted, not only reported: if a later Node keeps those maps, this fails, and the kept tick
  // object (src/shared/tick-shape.ts) is then no longer needed.
  t.ok(r.slots.includes('MEGAMORPHIC'), `megamorphic without a kept tick object (${process.version}): ${r.slots.join(', ')}`);
});

t.test('with one tick object kept, the same collection leaves every slot monomorphic', async (t) => {
  const r = collectedWhileIdle(true);
  t.equal(r.status, 0, r.stderr);
  t.same(r.slots, ['MONOMORPHIC', 'MONOMORPHIC', 'MONOMORPHIC', 'MONOMORPHIC']);
});

t.test('keepTickObjectShape keeps a tick object, once', async (t) => {
  const { keepTickObjectShape, keptTickObject } = await import('../../src/shared/tick-shape.js');
  keepTickObjectShape();
  const kept = keptTickObject();
  t.type(kept, 'object');
  t.ok(Object.getOwnPropertySymbols(kept).length >= 2, 'a tick object (its async id symbols)');
  keepTickObjectShape();
  t.equal(keptTickObject(), kept, 'idempotent');
});

// An async hook left enabled would be handed every promise and tick of the process from then on.
t.test('no async hook is left enabled', async (t) => {
  const script = `
    import { createRequire } from 'node:module';
    const hooks = createRequire(import.meta.url)('internal/async_hooks');
    (await import('./src/shared/tick-shape.ts')).keepTickObjectShape();
    const [active, fields] = hooks.getHookArrays();
    console.log(JSON.stringify({ active: active.length, init: fields[0] }));
  `;
  const r = spawnSync(process.execPath, ['--expose-internals', '--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: packageRoot,
    encoding: 'utf8',
    timeout: 60_000,
  });
  t.equal(r.status, 0, r.stderr);
  t.same(JSON.parse(r.stdout.trim().split('\n').pop() ?? 'null'), { active: 0, init: 0 });
});

// The launcher keeps the tick object before the service's modules load; the service then
// collects its start-up garbage before it listens. After it has answered requests, nextTick's
// literal is still monomorphic.
t.test('`pdp serve` through bin/pdp.js: nextTick stays monomorphic after the start-up collection and requests', async (t) => {
  if (!existsSync(join(packageRoot, 'dist/shared/tick-shape.js'))) {
    t.fail('dist/ is not built (npm ci builds it; or npm run build): bin/pdp.js runs the compiled service');
    return;
  }
  const preload = join(mkdtempSync(join(tmpdir(), 'pdp-tick-')), 'print-on-signal.cjs');
  writeFileSync(preload, "process.on('SIGUSR2', () => { process.stdout.write('\\nPRINT\\n'); %DebugPrint(process.nextTick); });\n");
  const out = stdoutFile();
  const child = spawn(...bareNode(['--allow-natives-syntax', '-r', preload, join(packageRoot, 'bin/pdp.js'), 'serve']), {
    cwd: packageRoot,
    env: { ...process.env, PDP_PORT: '0', PDP_HOST: '127.0.0.1', PDP_LOG_LEVEL: 'info', PDP_CACHE_ENABLED: 'true', REDIS_URL: '', PDP_WORKERS: '1' },
    stdio: ['ignore', out.fd, 'pipe'],
  });
  closeSync(out.fd);
  const stdout = (): string => readFileSync(out.path, 'utf8');
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise((r) => child.once('exit', r));
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  t.ok(await until(() => listeningUrl(stdout()) !== undefined, 60_000, 50), `the service listens\n${stderr}`);
  const base = listeningUrl(stdout()) ?? '';
  const examples = join(packageRoot, 'examples/tool-call');
  const bodies = readdirSync(examples)
    .filter((f) => f.endsWith('.json'))
    .map((f) => readFileSync(join(examples, f), 'utf8'));
  let ok = 0;
  for (let i = 0; i < 300; i++) {
    const res = await fetch(`${base}/v1/decisions/tool-call`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: bodies[i % bodies.length],
    });
    await res.arrayBuffer();
    if (res.status === 200) ok++;
  }
  t.equal(ok, 300, 'every decision answered');
  child.kill('SIGUSR2');
  t.ok(await until(() => stdout().includes('\nPRINT\n'), 10_000, 25), 'asked to print');
  // C's stdout is buffered: all of it is in the file once the process has exited.
  child.kill('SIGTERM');
  await exited;
  const printed = stdout();
  t.same(literalSlots(printed.slice(printed.indexOf('\nPRINT\n'))), ['MONOMORPHIC', 'MONOMORPHIC', 'MONOMORPHIC', 'MONOMORPHIC']);
});
