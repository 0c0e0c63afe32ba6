// Hostile policies and inputs stay bounded: each ends in a typed error within its budget,
// and the engine keeps answering normal queries afterwards.
import t, { type Test } from 'tap';
import { compile, RegoCompileErrors, RegoError } from '../../src/rego/index.js';

const healthy = compile([{ file: 'ok.rego', source: 'package ok\nimport rego.v1\nallow if input.x == 1\n' }]);
const stillHealthy = (t: Test): void => {
  t.same(healthy.evaluate('ok.allow', { input: { x: 1 } }).value, true, 'engine still answers normal queries');
};

t.test('a recursive function is refused at load time with rego_recursion_error', async (t) => {
  const src = 'package h\nimport rego.v1\nf(x) := y if { y := f(x + 1) }\np := f(0)\n';
  const err = t.throws(() => compile([{ file: 'rec.rego', source: src }])) as unknown as RegoCompileErrors;
  t.ok(err instanceof RegoCompileErrors);
  t.equal(err.errors[0].code, 'rego_recursion_error');
  t.match(err.errors[0].message, /rec\.rego:3:/);
  t.match(err.errors[0].message, /data\.h\.f/);
  stillHealthy(t);
});

t.test('mutual recursion through rules is refused too', async (t) => {
  const src = 'package h\nimport rego.v1\na if b\nb if a\n';
  const err = t.throws(() => compile([{ file: 'mut.rego', source: src }])) as unknown as RegoCompileErrors;
  t.equal(err.errors[0].code, 'rego_recursion_error');
});

t.test('deeply nested input is refused with a typed error, not a stack overflow', async (t) => {
  let deep: unknown = 1;
  for (let i = 0; i < 100_000; i++) deep = [deep];
  const err = t.throws(() => healthy.evaluate('ok.allow', { input: { x: deep } })) as unknown as RegoError;
  t.ok(err instanceof RegoError);
  t.equal(err.code, 'eval_type_error');
  stillHealthy(t);
});

t.test('a comprehension producing millions of elements ends with a budget error', async (t) => {
  const src = 'package h\nimport rego.v1\np := [x | some x in numbers.range(1, 5000000)]\nq := count({x | some x in numbers.range(1, 5000000)})\n';
  const policy = compile([{ file: 'big.rego', source: src }]);
  for (const path of ['h.p', 'h.q']) {
    const started = Date.now();
    const err = t.throws(() => policy.evaluate(path, { maxSteps: 200_000, maxOutputSize: 100_000 })) as unknown as RegoError;
    t.ok(err instanceof RegoError, `${path} raises a RegoError`);
    t.ok(['eval_budget_exceeded', 'eval_output_too_large'].includes(err.code), `${path}: typed budget error (${err.code})`);
    t.ok(Date.now() - started < 30_000, `${path} stopped by the budget`);
  }
  stillHealthy(t);
});

t.test('the output-size budget stops a result that is too large', async (t) => {
  const policy = compile([{ file: 'out.rego', source: 'package h\nimport rego.v1\np := [x | some x in numbers.range(1, 5000)]\n' }]);
  const err = t.throws(() => policy.evaluate('h.p', { maxOutputSize: 1000 })) as unknown as RegoError;
  t.equal(err.code, 'eval_output_too_large');
  t.equal(policy.evaluate('h.p', { maxOutputSize: 10_000 }).defined, true, 'within the budget it evaluates');
});

t.test('a time budget stops a long evaluation', async (t) => {
  const src = 'package h\nimport rego.v1\np := count([1 | some x in numbers.range(1, 3000); some y in numbers.range(1, 3000); x == y])\n';
  const policy = compile([{ file: 'slow.rego', source: src }]);
  const err = t.throws(() => policy.evaluate('h.p', { timeoutMs: 50, maxSteps: 1e12 })) as unknown as RegoError;
  t.equal(err.code, 'eval_budget_exceeded');
  t.match(err.message, /time budget/);
});

t.test('a catastrophic regular expression runs in linear time (RE2 semantics)', async (t) => {
  const src = 'package h\nimport rego.v1\np := regex.match(`^(a+)+$`, input.s)\nq := regex.match(`(x+x+)+y`, input.s)\n';
  const policy = compile([{ file: 're.rego', source: src }]);
  const s = 'a'.repeat(100_000) + '!';
  // With a backtracking engine this input would not finish in any reasonable time.
  t.equal(policy.evaluate('h.p', { input: { s } }).value, false);
  t.equal(policy.evaluate('h.q', { input: { s: 'x'.repeat(50_000) } }).value, false);
  stillHealthy(t);
});

t.test('the default step budget bounds evaluation when no options are given', async (t) => {
  const src = 'package h\nimport rego.v1\np := count([1 | some x in numbers.range(1, 2000); some y in numbers.range(1, 2000)])\n';
  const policy = compile([{ file: 'steps.rego', source: src }]);
  const err = t.throws(() => policy.evaluate('h.p')) as unknown as RegoError;
  t.equal(err.code, 'eval_budget_exceeded');
});

t.test('the time budget reads the clock it is given, every clockCheckInterval steps', async (t) => {
  const src = 'package h\nimport rego.v1\np := count({v | some v in numbers.range(1, input.n)})\n';
  // p reads input so that no evaluation reuses another's result.
  const policy = compile([{ file: 'clock.rego', source: src }]);
  let reads = 0;
  // A test clock that advances 5 ms at each reading: the 1 ms budget is over at the first check.
  const clockMs = (): number => ++reads * 5;
  const err = t.throws(() => policy.evaluate('h.p', { input: { n: 50 }, timeoutMs: 1, clockMs, clockCheckInterval: 1 })) as unknown as RegoError;
  t.equal(err.code, 'eval_budget_exceeded');
  t.match(err.message, /time budget of 1 ms/);
  t.equal(reads, 2, 'read once at the start and once at the first check');
  // A clock that stands still never ends the evaluation, however often it is read.
  reads = 0;
  t.equal(policy.evaluate('h.p', { input: { n: 50 }, timeoutMs: 1, clockMs: () => 7, clockCheckInterval: 1 }).value, 50);
  let stillReads = 0;
  policy.evaluate('h.p', { input: { n: 50 }, timeoutMs: 1, clockCheckInterval: 1, clockMs: () => (stillReads++, 0) });
  t.ok(stillReads > 10, 'checked at every step');
  let sparse = 0;
  policy.evaluate('h.p', { input: { n: 50 }, timeoutMs: 1, clockCheckInterval: 1_000_000, clockMs: () => (sparse++, 0) });
  t.equal(sparse, 1, 'a long interval reads the clock only at the start');
  // Hostile intervals (0, negative, NaN) fall back to checking at every step rather than never.
  for (const bad of [0, -5, Number.NaN]) {
    let n = 0;
    const e = t.throws(() =>
      policy.evaluate('h.p', { input: { n: 50 }, timeoutMs: 1, clockCheckInterval: bad, clockMs: () => ++n * 5 }),
    ) as unknown as RegoError;
    t.equal(e.code, 'eval_budget_exceeded', `interval ${bad}`);
  }
  stillHealthy(t);
});
