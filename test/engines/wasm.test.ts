// The opa-wasm engine adapter, driven through the real @open-policy-agent/opa-wasm package.
//
// What this proves: our adapter compiles and instantiates a module once through the package,
// hands it the bundle data once (setData), routes query paths to manifest entrypoints (and walks
// below them), turns result sets into defined/undefined outcomes, and turns aborts and traps into
// `wasm_error` outcomes without breaking later evaluations — over both calling conventions the
// package uses (ABI 1.2's opa_eval fast path and the older opa_eval_ctx_* sequence).
//
// What it cannot prove: that real OPA-compiled policies evaluate correctly. No `opa` binary can
// be installed here, so the module is a hand-written WAT fixture (scripts/build-wasm-fixture.mjs)
// that implements only the ABI surface the package calls, with trivial "policies" (see its header).
import t from 'tap';
import { BundleError } from '../../src/bundles/errors.js';
import { WasmEngine } from '../../src/engines/wasm.js';
import { buildWasmFixture, FIXTURE_ENTRYPOINTS } from '../../scripts/build-wasm-fixture.mjs';
import { PolicySet } from '../../src/bundles/policy-set.js';
import { policyMaskFrom } from '../../src/decisionlog/mask/policy-mask.js';
import type { LogRecord } from '../../src/decisionlog/types.js';

const DATA = { fixture: { limits: { payment_max: 500 }, tools: ['send_email', 'query_db'] } };

for (const minorVersion of [2, 1]) {
  t.test(`ABI 1.${minorVersion}: load once, evaluate many`, async (t) => {
    const bytes = await buildWasmFixture({ minorVersion });
    const engine = await WasmEngine.load([{ path: 'policy.wasm', bytes, entrypoints: FIXTURE_ENTRYPOINTS }], DATA);
    t.same(engine.entrypoints().sort(), [...FIXTURE_ENTRYPOINTS].sort());

    const allow = engine.evaluate('fixture/allow', { allow: true, user: 'u-17' });
    t.same(allow, { ok: true, defined: true, result: true, dependsOn: { time: false, random: false, external: false }, engine: 'wasm' });
    t.match(engine.evaluate('fixture.allow', { allow: false }), { ok: true, defined: true, result: false }, 'dot paths work too');
    t.match(engine.evaluate('fixture/allow', undefined), { ok: true, defined: true, result: false }, 'no input');

    t.match(engine.evaluate('fixture/data', {}), { ok: true, defined: true, result: DATA }, 'data set at load reaches the module');
    t.match(engine.evaluate('fixture/data/fixture/limits/payment_max', {}), { ok: true, defined: true, result: 500 }, 'walks below an entrypoint');
    t.match(engine.evaluate('fixture/data/fixture/tools/1', {}), { ok: true, defined: true, result: 'query_db' }, 'array index');
    t.match(engine.evaluate('fixture/data/fixture/nope', {}), { ok: true, defined: false });

    t.match(engine.evaluate('fixture/input', false), { ok: true, defined: true, result: false }, 'a false input is an input');
    t.match(engine.evaluate('fixture/input', 0), { ok: true, defined: true, result: 0 });
    const nested = { a: [1, 'two', { three: null }], ü: '✓' };
    t.match(engine.evaluate('fixture/input', nested), { ok: true, defined: true, result: nested }, 'JSON round trip, UTF-8');
    t.match(engine.evaluate('fixture/input', undefined), { ok: true, defined: false }, 'no input → undefined');
    // An exact big integer (Data API input) reaches the module as its JSON text; the module's
    // answer comes back through JSON.parse, a double.
    t.match(
      engine.evaluate('fixture/input', { z: 123456789012345678901234567890n }),
      { ok: true, defined: true, result: { z: 1.2345678901234568e29 } },
      'bigint input',
    );
    t.match(engine.evaluate('fixture/undefined', {}), { ok: true, defined: false });

    t.match(engine.evaluate('fixture/abort', {}), { ok: false, code: 'wasm_error', message: /fixture abort/ });
    t.match(engine.evaluate('fixture/trap', {}), { ok: false, code: 'wasm_error', message: /unreachable/ });
    t.match(engine.evaluate('fixture/allow', { allow: true }), { ok: true, result: true }, 'still healthy after a trap');
    t.match(engine.evaluate('other/thing', {}), { ok: true, defined: false }, 'outside every entrypoint: undefined, as in OPA, not an error');

    // The heap is reset per evaluation, so many large inputs fit in a small memory cap.
    const capped = await WasmEngine.load([{ path: 'policy.wasm', bytes, entrypoints: ['fixture/input'] }], {}, { maxMemoryPages: 16 });
    const big = { blob: 'x'.repeat(200_000) };
    let failures = 0;
    for (let i = 0; i < 50; i++) if (!capped.evaluate('fixture/input', big).ok) failures++;
    t.equal(failures, 0, '50 × 200 kB inputs within a 1 MiB memory cap');
  });
}

t.test('only declared entrypoints run the module; other paths answer from the data documents (no source)', async (t) => {
  const bytes = await buildWasmFixture();
  const data = { fixture: { limits: { max: 5 } }, other: { list: ['a', 'b'] } };
  const engine = await WasmEngine.load([{ path: 'policy.wasm', bytes, entrypoints: ['fixture/allow'] }], data);
  t.match(engine.evaluate('fixture/data', {}), { ok: true, defined: false }, 'an undeclared entrypoint is not run');
  t.match(engine.evaluate('fixture/limits/max', {}), { ok: true, defined: true, result: 5, engine: 'wasm' }, 'a data document');
  t.match(engine.evaluate('other/list/1', {}), { ok: true, defined: true, result: 'b' }, 'an array element');
  t.match(engine.evaluate('other/list/x', {}), { ok: true, defined: false });
  t.match(engine.evaluate('other/list/01', {}), { ok: true, defined: false });
  t.match(engine.evaluate('other/list/1/deeper', {}), { ok: true, defined: false });
  t.match(engine.evaluate('fixture', {}), { ok: true, defined: false }, 'above an entrypoint: the module computes part of it → undefined');
  t.match(engine.evaluate('', {}), { ok: true, defined: false }, 'all of data: likewise');
  t.equal(engine.mayDefine('other/list'), true);
  t.equal(engine.mayDefine('other/nope'), false);
  t.match(await engine.evaluateAsync('other/list/0', {}), { ok: true, defined: true, result: 'a' });
  engine.close();
});

t.test('builtins the module imports decide what the result depends on', async (t) => {
  const bytes = await buildWasmFixture({ builtins: { 'time.now_ns': 0, 'http.send': 1 } });
  const engine = await WasmEngine.load([{ path: 'policy.wasm', bytes, entrypoints: ['fixture/allow'] }], {});
  t.match(engine.evaluate('fixture/allow', {}), { ok: true, dependsOn: { time: true, random: false, external: true } });
});

t.test('load failures are BUNDLE_WASM_ERROR', async (t) => {
  const bytes = await buildWasmFixture();
  const codeOf = async (p: Promise<unknown>) =>
    p.then(
      () => 'loaded',
      (e: unknown) => (e instanceof BundleError ? e.code : String(e)),
    );
  t.equal(await codeOf(WasmEngine.load([{ path: 'policy.wasm', bytes, entrypoints: ['fixture/missing'] }], {})), 'BUNDLE_WASM_ERROR');
  t.equal(await codeOf(WasmEngine.load([{ path: 'policy.wasm', bytes: new TextEncoder().encode('not wasm'), entrypoints: ['a'] }], {})), 'BUNDLE_WASM_ERROR');
  // Data larger than the memory cap: the module's allocator aborts while loading it.
  const huge = { fixture: { blob: 'y'.repeat(3 * 64 * 1024) } };
  t.equal(await codeOf(WasmEngine.load([{ path: 'policy.wasm', bytes, entrypoints: ['fixture/allow'] }], huge, { maxMemoryPages: 6 })), 'BUNDLE_WASM_ERROR');
});

t.test('memory is capped: an oversized input fails that evaluation only', async (t) => {
  const bytes = await buildWasmFixture();
  const engine = await WasmEngine.load([{ path: 'policy.wasm', bytes, entrypoints: ['fixture/input', 'fixture/allow'] }], {}, { maxMemoryPages: 8 });
  t.match(engine.evaluate('fixture/input', { blob: 'z'.repeat(1024 * 1024) }), { ok: false, code: 'wasm_error' });
  t.match(engine.evaluate('fixture/allow', { allow: true }), { ok: true, result: true });
});

t.test('mayDefine: entrypoints and paths inside them only — so a bundle without a log mask entrypoint is not asked for one', async (t) => {
  const bytes = await buildWasmFixture();
  const engine = await WasmEngine.load([{ path: 'policy.wasm', bytes, entrypoints: ['fixture/allow'] }], {});
  t.equal(engine.mayDefine('fixture/allow'), true);
  t.equal(engine.mayDefine('fixture/allow/x'), true, 'inside an entrypoint');
  t.equal(engine.mayDefine('fixture'), true, 'above one: evaluate() reports what happens');
  t.equal(engine.mayDefine('fixture/data'), false);
  t.equal(engine.mayDefine('system/log/mask'), false);
  // The decision log's policy mask over such a bundle (roots [""], as `opa build` writes them):
  // no mask policy (the masker then leaves the input out) — not a failing mask that would
  // erase every record's input and result and count an error.
  const set = new PolicySet([{ name: 'w', roots: [''], revision: 'r', digest: 'd', engine }]);
  const mask = policyMaskFrom(() => set);
  t.same(mask({} as LogRecord), { kind: 'absent' });
});

t.test('a non-terminating entrypoint fails at its deadline; the engine keeps serving; close() ends it', async (t) => {
  const bytes = await buildWasmFixture();
  const engine = await WasmEngine.load([{ path: 'policy.wasm', bytes, entrypoints: ['fixture/loop', 'fixture/allow'] }], {});
  t.match(engine.evaluate('fixture/loop', {}, { timeoutMs: 150 }), { ok: false, code: 'eval_budget_exceeded' });
  // A generous deadline: the replacement worker's load counts within it (slow on a loaded CI machine).
  t.match(engine.evaluate('fixture/allow', { allow: true }, { timeoutMs: 10_000 }), { ok: true, result: true }, 'a fresh worker answers');
  engine.close();
  t.match(engine.evaluate('fixture/allow', { allow: true }), { ok: false, code: 'wasm_error', message: /replaced/ }, 'closed: a deny, never a hang');
});

t.test('evaluateAsync: the main thread is free while the worker runs; what waits behind a runaway evaluation fails with it', async (t) => {
  const bytes = await buildWasmFixture();
  const engine = await WasmEngine.load([{ path: 'policy.wasm', bytes, entrypoints: ['fixture/loop', 'fixture/allow'] }], {});
  t.teardown(() => engine.close());
  t.match(await engine.evaluateAsync('fixture/allow', { allow: true }), { ok: true, result: true });
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 5);
  const [loop, behind] = await Promise.all([
    engine.evaluateAsync('fixture/loop', {}, { timeoutMs: 200 }),
    engine.evaluateAsync('fixture/allow', { allow: true }, { timeoutMs: 5000 }),
  ]);
  clearInterval(ticker);
  t.match(loop, { ok: false, code: 'eval_budget_exceeded' });
  t.match(behind, { ok: false, code: 'wasm_error', message: /worker was stopped/ }, 'queued behind it on the same worker');
  t.ok(ticks > 3, `timers ran on the main thread meanwhile (${ticks})`);
  t.match(await engine.evaluateAsync('fixture/allow', { allow: true }, { timeoutMs: 10_000 }), { ok: true, result: true }, 'a fresh worker answers');
  t.match(await engine.evaluateAsync('nothing/here', {}), { ok: true, defined: false });
});

t.test('after a deadline the next worker starts loading at once: the next evaluation does not pay for its start', async (t) => {
  const bytes = await buildWasmFixture();
  const engine = await WasmEngine.load([{ path: 'policy.wasm', bytes, entrypoints: ['fixture/loop', 'fixture/allow'] }], {});
  t.teardown(() => engine.close());
  // How long a worker takes to start and load here (a fresh engine's activation, measured).
  const t0 = performance.now();
  (await WasmEngine.load([{ path: 'policy.wasm', bytes, entrypoints: ['fixture/allow'] }], {})).close();
  const startMs = performance.now() - t0;
  for (const [name, run] of [
    ['evaluate', (timeoutMs: number) => engine.evaluate('fixture/allow', { allow: true }, { timeoutMs })],
    ['evaluateAsync', (timeoutMs: number) => engine.evaluateAsync('fixture/allow', { allow: true }, { timeoutMs })],
  ] as const) {
    t.match(await engine.evaluateAsync('fixture/loop', {}, { timeoutMs: 100 }), { ok: false, code: 'eval_budget_exceeded' }, `${name}: runaway stopped`);
    // Ample time for the replacement to load in the background (the main thread idles).
    await new Promise((r) => setTimeout(r, Math.max(1000, 5 * startMs)));
    const deadline = Math.max(10, Math.floor(startMs / 2));
    t.match(await run(deadline), { ok: true, result: true }, `${name}: answered within ${deadline} ms (a worker's start took ${startMs.toFixed(0)} ms)`);
  }
});

t.test('an evaluation that finds the next worker still loading awaits it without blocking the event loop', async (t) => {
  // A start function that takes a while: every worker's load, activation's and the replacement's.
  const bytes = await buildWasmFixture({ loadSpin: 300_000_000 });
  const engine = await WasmEngine.load([{ path: 'policy.wasm', bytes, entrypoints: ['fixture/loop', 'fixture/allow'] }], {});
  t.teardown(() => engine.close());
  t.match(await engine.evaluateAsync('fixture/loop', {}, { timeoutMs: 100 }), { ok: false, code: 'eval_budget_exceeded' }, 'runaway stopped');
  // The replacement is loading now. Two evaluations wait for it; a synchronous one joins them.
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 5);
  const t0 = performance.now();
  const waiting = [
    engine.evaluateAsync('fixture/allow', { allow: true }, { timeoutMs: 20_000 }),
    engine.evaluateAsync('fixture/allow', { allow: false }, { timeoutMs: 20_000 }),
  ];
  const [a, b] = await Promise.all(waiting);
  const took = performance.now() - t0;
  clearInterval(ticker);
  t.match(a, { ok: true, result: true }, 'the first waiter is answered by the loaded worker');
  t.match(b, { ok: true, result: false }, 'and so is the second (one load report, shared)');
  t.ok(took >= 50, `the replacement was still loading when they asked (${took.toFixed(0)} ms)`);
  t.ok(ticks >= took / 5 / 4, `timers ran while they waited (${ticks} ticks of 5 ms in ${took.toFixed(0)} ms)`);
  t.match(engine.evaluate('fixture/allow', { allow: true }, { timeoutMs: 5000 }), { ok: true, result: true }, 'a synchronous evaluation afterwards');

  // A synchronous evaluation that reads the load report while an asynchronous one waits for it.
  t.match(await engine.evaluateAsync('fixture/loop', {}, { timeoutMs: 100 }), { ok: false, code: 'eval_budget_exceeded' });
  const pending = engine.evaluateAsync('fixture/allow', { allow: true }, { timeoutMs: 20_000 });
  await new Promise((r) => setTimeout(r, 5));
  t.match(engine.evaluate('fixture/allow', { allow: false }, { timeoutMs: 20_000 }), { ok: true, result: false }, 'the synchronous one');
  t.match(await pending, { ok: true, result: true }, 'the asynchronous one still gets the worker it waited for');

  // Closing while an evaluation waits for a load ends that wait at once.
  t.match(await engine.evaluateAsync('fixture/loop', {}, { timeoutMs: 100 }), { ok: false, code: 'eval_budget_exceeded' });
  const orphan = engine.evaluateAsync('fixture/allow', { allow: true }, { timeoutMs: 20_000 });
  await new Promise((r) => setTimeout(r, 5));
  const closedAt = performance.now();
  engine.close();
  t.match(await orphan, { ok: false, code: 'wasm_error', message: /replaced/ }, 'a closed engine answers the waiter');
  const after = performance.now() - closedAt;
  t.ok(after < Math.min(100, took / 2), `at once (${after.toFixed(1)} ms), not at the end of the load (~${took.toFixed(0)} ms)`);
});

t.test('a module whose load never ends fails activation at the load deadline without stalling the event loop', async (t) => {
  const bytes = await buildWasmFixture({ hangOnLoad: true });
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 10);
  const t0 = performance.now();
  await t.rejects(WasmEngine.load([{ path: 'policy.wasm', bytes, entrypoints: ['fixture/allow'] }], {}, { loadTimeoutMs: 1000 }), {
    code: 'BUNDLE_WASM_ERROR',
    message: /did not load in time/,
  });
  const took = performance.now() - t0;
  clearInterval(ticker);
  t.ok(took >= 900 && took < 5000, `refused at the load deadline (${took.toFixed(0)} ms)`);
  t.ok(ticks >= 20, `timers ran meanwhile (${ticks} ticks of 10 ms in ${took.toFixed(0)} ms)`);
});
