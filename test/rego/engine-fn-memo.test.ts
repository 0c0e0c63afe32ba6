// Functions whose result depends only on their arguments and the bundle (no input, clock,
// randomness, print or `with`, directly or through other rules) keep their results per compiled
// policy, keyed by the arguments; everything else is computed per call.
import t from 'tap';
import { compile, RegoError, toJSON } from '../../src/rego/index.js';

const source = `package m
import rego.v1

# expensive, pure: reads only its argument and data
heavy(n) := count([x | some x in numbers.range(1, n)]) + data.cfg.offset

via_data := heavy(data.cfg.size)
via_input := heavy(input.n)

# reads input: never reused
plus_input(x) := x + input.n
p := plus_input(1)

# reads the clock: never reused
stamp(x) := [x, time.now_ns()]
s := stamp(1)

# a builtin error is undefined, or an error in strict mode
to_num(x) := to_number(x)
bad := to_num(input.s)

# the same function with and without a data override
over := x if { x := heavy(3) with data.cfg.offset as 1000 }
plain := heavy(3)

# a large result is not kept
big(n) := [x | some x in numbers.range(1, n)]
b := count(big(input.n))

# composite arguments from the bundle
first_name(o) := o.name
names := [first_name(o) | some o in data.cfg.items]
`;

const data = { cfg: { offset: 1, size: 20000, items: [{ name: 'a' }, { name: 'b' }] } };

t.test('a pure call is computed once and reused across evaluations', async (t) => {
  const p = compile([{ file: 'm.rego', source }], data);
  const err = t.throws(() => p.evaluate('m.via_data', { maxSteps: 500 })) as unknown as RegoError;
  t.equal(err.code, 'eval_budget_exceeded', 'first call: computed, over a small budget');
  t.equal(p.evaluate('m.via_data').value, 20001);
  t.equal(p.evaluate('m.via_data', { maxSteps: 500 }).value, 20001, 'later calls reuse the result');
  // the same function and argument reached through input hits the same entry
  t.equal(p.evaluate('m.via_input', { input: { n: 20000 }, maxSteps: 500 }).value, 20001);
  t.equal(p.evaluate('m.via_input', { input: { n: 5 } }).value, 6, 'other arguments computed');
  t.same(toJSON(p.evaluate('m.names').value!), ['a', 'b']);
  t.same(toJSON(p.evaluate('m.names').value!), ['a', 'b'], 'bundle objects as arguments');
});

t.test('input-, clock- and override-dependent calls are never reused', async (t) => {
  const p = compile([{ file: 'm.rego', source }], data);
  t.equal(p.evaluate('m.p', { input: { n: 1 } }).value, 2);
  t.equal(p.evaluate('m.p', { input: { n: 2 } }).value, 3);
  const a = p.evaluate('m.s', { nowNs: 1n });
  const b = p.evaluate('m.s', { nowNs: 2n });
  t.same(
    [toJSON(a.value!), toJSON(b.value!)],
    [
      [1, 1],
      [1, 2],
    ],
  );
  t.equal(b.dependsOn.time, true, 'time dependency seen on every evaluation');
  t.equal(p.evaluate('m.plain').value, 4);
  t.equal(p.evaluate('m.over').value, 1003, 'a data override is not answered from the memo');
  t.equal(p.evaluate('m.plain').value, 4, 'nor does it fill the memo');
});

t.test('large results are not kept', async (t) => {
  const p = compile([{ file: 'm.rego', source }], data);
  t.equal(p.evaluate('m.b', { input: { n: 5000 } }).value, 5000);
  const err = t.throws(() => p.evaluate('m.b', { input: { n: 5000 }, maxSteps: 500 })) as unknown as RegoError;
  t.equal(err.code, 'eval_budget_exceeded', 'computed again');
  t.equal(p.evaluate('m.b', { input: { n: 5 } }).value, 5);
  t.equal(p.evaluate('m.b', { input: { n: 5 }, maxSteps: 500 }).value, 5, 'a small one is kept');
});

t.test('strict and non-strict results are kept apart', async (t) => {
  for (const order of [
    [false, true],
    [true, false],
  ]) {
    const p = compile([{ file: 'm.rego', source }], data);
    for (const strict of order) {
      if (strict) t.throws(() => p.evaluate('m.bad', { input: { s: 'x' }, strict: true }), `strict (${order})`);
      else t.equal(p.evaluate('m.bad', { input: { s: 'x' } }).defined, false, `non-strict (${order})`);
    }
  }
});

t.test('a mocked function is not answered from the memo', async (t) => {
  const p = compile(
    [
      { file: 'm.rego', source },
      { file: 'w.rego', source: 'package w\nimport rego.v1\nmocked := x if { x := data.m.heavy(3) with data.m.heavy as 7 }\nreal := data.m.heavy(3)\n' },
    ],
    data,
  );
  t.equal(p.evaluate('w.real').value, 4);
  t.equal(p.evaluate('w.mocked').value, 7);
  t.equal(p.evaluate('w.real').value, 4);
});

// A function whose arguments rarely repeat (request values) goes without the memo for a while:
// lookups and inserts that never hit only cost. Results are the same either way; the step
// budget shows whether a call was computed.
t.test('a memo that rarely hits is skipped for a while, then used again', async (t) => {
  const p = compile([{ file: 'm.rego', source }], data);
  t.equal(p.evaluate('m.via_input', { input: { n: 20000 } }).value, 20001, 'kept: heavy(20000)');
  t.equal(p.evaluate('m.via_input', { input: { n: 20000 }, maxSteps: 500 }).value, 20001, 'a hit fits a small budget');
  // 255 calls with arguments never seen before: one window of 256 lookups with a single hit
  for (let n = 1; n <= 255; n++) t.equal(p.evaluate('m.via_input', { input: { n } }).value, n + 1, `heavy(${n})`);
  const err = t.throws(() => p.evaluate('m.via_input', { input: { n: 20000 }, maxSteps: 500 })) as unknown as RegoError;
  t.equal(err.code, 'eval_budget_exceeded', 'skipped: the kept result is not looked up, the call is computed');
  let ok = 0;
  for (let i = 0; i < 4095; i++) if (p.evaluate('m.via_input', { input: { n: 1 } }).value === 2) ok++;
  t.equal(ok, 4095, 'results while skipping are the computed ones');
  t.equal(p.evaluate('m.via_input', { input: { n: 20000 }, maxSteps: 500 }).value, 20001, 'then the memo is used again, its entries kept');
});
