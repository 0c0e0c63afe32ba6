// Rules whose value depends only on the bundle (no input, clock, randomness, print or `with`,
// directly or through other rules) are computed once per compiled policy and reused by later
// evaluations; everything else is computed per evaluation.
import t from 'tap';
import { compile, RegoError, toJSON } from '../../src/rego/index.js';

const source = `package c
import rego.v1

table := count([x | some x in numbers.range(1, 20000)])

allow if input.n < table

echo := input.n

now := time.now_ns()

uses_now if now > 0

via_function := f(2)
f(x) := x * table
`;

t.test('a bundle-only rule is computed once and reused across evaluations', async (t) => {
  const p = compile([{ file: 'c.rego', source }]);
  // the first evaluation pays for `table` (thousands of steps) ...
  const err = t.throws(() => p.evaluate('c.allow', { input: { n: 1 }, maxSteps: 500 })) as unknown as RegoError;
  t.equal(err.code, 'eval_budget_exceeded', 'not yet computed: over a small budget');
  t.equal(p.evaluate('c.allow', { input: { n: 1 } }).value, true);
  // ... later ones reuse it and fit in a budget far below its cost
  t.equal(p.evaluate('c.allow', { input: { n: 1 }, maxSteps: 500 }).value, true);
  t.equal(p.evaluate('c.allow', { input: { n: 30000 }, maxSteps: 500 }).defined, false, 'input-dependent rule still per evaluation');
  t.equal(p.evaluate('c.via_function', { maxSteps: 500 }).value, 40000);
});

t.test('input-, clock- and override-dependent rules are never reused', async (t) => {
  const p = compile([{ file: 'c.rego', source }]);
  t.equal(p.evaluate('c.echo', { input: { n: 1 } }).value, 1);
  t.equal(p.evaluate('c.echo', { input: { n: 2 } }).value, 2);
  const a = p.evaluate('c.now', { nowNs: 1n });
  const b = p.evaluate('c.now', { nowNs: 2n });
  t.same([a.value, b.value], [1, 2]);
  t.equal(b.dependsOn.time, true);
  t.equal(p.evaluate('c.uses_now', { nowNs: 5n }).dependsOn.time, true, 'time dependency seen through another rule');
  // a `with` override of data recomputes instead of reading the shared value
  const q = compile([
    { file: 'c.rego', source },
    { file: 'd.rego', source: 'package d\nimport rego.v1\nsmall if data.c.table == 3 with data.c.table as 3\n' },
  ]);
  t.equal(q.evaluate('c.table').value, 20000);
  t.equal(q.evaluate('d.small').value, true);
  t.same(toJSON(q.evaluate('c.table').value!), 20000, 'shared value untouched by the override');
});

t.test('a rule checking a bundle token with io.jwt.decode_verify (no time constraint) is re-checked at each evaluation', async (t) => {
  // The token lives in the bundle, so nothing in the rule reads input: without the readsClock
  // flag it was computed once per policy and a token that expired later stayed valid forever.
  const src = `package j
import rego.v1

key := {"kty": "oct", "k": base64url.encode_no_pad("secret")}
token := io.jwt.encode_sign({"alg": "HS256"}, {"exp": 2000}, key)

valid if {
  [ok, _, _] := io.jwt.decode_verify(token, {"secret": "secret"})
  ok
}
`;
  const p = compile([{ file: 'j.rego', source: src }]);
  const before = p.evaluate('j.valid', { nowNs: 1000n * 1_000_000_000n });
  t.equal(before.value, true, 'valid before exp');
  t.equal(before.dependsOn.time, true, 'the evaluation reports that it read the clock');
  t.equal(p.evaluate('j.valid', { nowNs: 3000n * 1_000_000_000n }).defined, false, 'expired once the clock passes exp');
});

// Each evaluation's rule-value cache is pooled per compiled policy once the evaluation is over:
// a reused cache must start empty, whether the evaluation before it answered, failed or was
// still running (an evaluation started from inside another one).
t.test('rule values of one evaluation never reach the next (pooled caches)', async (t) => {
  // enough rules for the policy's caches to be pooled (small policies allocate one per evaluation)
  const filler = Array.from({ length: 200 }, (_, i) => `r${i} := input.n + ${i}\n`).join('');
  const p = compile([
    {
      file: 'p.rego',
      source: `package p
import rego.v1
v := input.n
double := v * 2
conflict := 1 if input.clash
conflict := 2 if input.clash
loud if {
	print("outer", v)
	v > 0
}
${filler}`,
    },
  ]);
  t.equal(p.evaluate('p.double', { input: { n: 1 } }).value, 2);
  t.equal(p.evaluate('p.double', { input: { n: 5 } }).value, 10, 'the second evaluation computes v afresh');
  t.throws(() => p.evaluate('p.conflict', { input: { n: 7, clash: true } }), 'a failed evaluation');
  t.equal(p.evaluate('p.double', { input: { n: 3 } }).value, 6, 'after a failure: no value left behind');
  t.equal(p.query('x := data.p.double', { input: { n: 4 } }).rows[0]?.x, 8, 'queries share the pool');
  const inner: unknown[] = [];
  const outer = p.evaluate('p.loud', {
    input: { n: 9 },
    // a nested evaluation of the same policy while the outer one holds its cache
    print: () => inner.push(toJSON(p.evaluate('p.double', { input: { n: 100 } }).value!)),
  });
  t.same(inner, [200], 'the nested evaluation saw its own input');
  t.equal(outer.value, true, 'the outer evaluation kept its own values');
  t.equal(p.evaluate('p.double', { input: { n: 11 } }).value, 22, 'and neither left values in the pool');
  t.equal(p.evaluate('p.r150', { input: { n: 1 } }).value, 151);
  t.equal(p.evaluate('p.r150', { input: { n: 2 } }).value, 152, 'a rule far into the node table, recomputed');
});
