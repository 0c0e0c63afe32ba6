// Documents compiled to JavaScript (src/rego/js: the planner's plan written as JavaScript source),
// through CompiledPolicy.compileJs + evaluate — the path the service's decision endpoints take:
//   1. OPA's conformance cases (../shared/conformance/opa-v1, when present): every case whose query
//      reads one document gives OPA's result through the generated code.
//   2. The repo's policies: all their test rules hold; every example gets the evaluator's decision.
//   3. What the generated code must keep from the evaluator: the step and time budgets, conflicts,
//      dependencies (time), the evaluator for traced and strict evaluations, fallback for paths
//      the planner cannot plan.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { assembleBundle } from '../../src/bundles/assemble.js';
import { DEFAULT_BUNDLE_LIMITS } from '../../src/bundles/limits.js';
import { readDirectory } from '../../src/bundles/read-dir.js';
import { compareRows } from '../../src/conformance/compare.js';
import { compile, RegoError, toJSON, Tracer, type CompiledPolicy } from '../../src/rego/index.js';
import { documentCases } from '../helpers/conformance-documents.js';

const repo = path.resolve(import.meta.dirname, '../..');
const conformanceDir = path.resolve(repo, '../shared/conformance/opa-v1');

const src = (source: string): CompiledPolicy => compile([{ file: 'p.rego', source }], {});

t.test(
  'OPA conformance cases through documents compiled to JavaScript',
  { skip: existsSync(conformanceDir) ? false : `${conformanceDir} is absent (only beside the repo, in ../shared)` },
  async (t) => {
    const tally = { passed: 0, errors: 0, notCompiled: 0 };
    const failed: string[] = [];
    for await (const { c, path: doc, variable, input, policy } of documentCases(conformanceDir)) {
      // strict cases run on the evaluator (builtin errors raised): not this path
      if (c.strict) continue;
      if (policy.compileJs([doc]).length !== 1) {
        tally.notCompiled++;
        continue;
      }
      let got: unknown[] | RegoError;
      try {
        const r = policy.evaluate(doc, { input });
        got = r.defined ? [r.value] : [];
      } catch (e) {
        if (!(e instanceof RegoError)) throw e;
        got = e;
      }
      const exp = c.expect;
      let why: string | undefined;
      if (exp.kind === 'error') {
        // builtin errors are undefined outside strict mode; conflicts and budgets are raised
        if (got instanceof RegoError) tally.errors++;
        else if (exp.code === 'eval_conflict_error') why = `want ${exp.code}, got ${JSON.stringify((got as unknown[]).map((v) => toJSON(v as never)))}`;
      } else if (exp.kind === 'rows') {
        const v = variable;
        why = got instanceof RegoError ? `${got.code}: ${got.message}` : compareRows(exp.rows, got.map((x) => ({ [v]: x })) as never, c.sortBindings);
      } else continue;
      if (why !== undefined) failed.push(`${c.key}: ${why}`);
      else tally.passed++;
    }
    t.same(failed, [], "every case gives OPA's result");
    t.ok(tally.passed >= 1200, `${tally.passed} cases passed`);
    // 7 today: rules with a variable inside their path next to rules below them (refheads)
    t.ok(tally.notCompiled <= 10, `${tally.notCompiled} cases not compiled (left to the evaluator)`);
    t.comment(JSON.stringify(tally));
  },
);

async function repoPolicies(): Promise<CompiledPolicy> {
  const { files } = await readDirectory(path.join(repo, 'policies'), { ...DEFAULT_BUNDLE_LIMITS });
  const bundle = assembleBundle('ai-governance', files);
  return compile(
    bundle.modules.map((m) => ({ file: `policies/${m.path}`, source: m.source })),
    bundle.data,
  );
}

t.test("the repo's policy tests hold through generated code", async (t) => {
  const policy = await repoPolicies();
  const tests = policy.tests().map((x) => [...x.package, x.name].join('/'));
  t.ok(tests.length >= 400, `${tests.length} test rules`);
  t.same(policy.compileJs(tests), tests, 'every test rule compiles');
  const failing = tests.filter((p) => {
    const r = policy.evaluate(p);
    return !(r.defined && r.value === true);
  });
  t.same(failing, [], 'every test rule is true');
});

t.test('every example request gets the evaluator’s decision from generated code', async (t) => {
  const interpreted = await repoPolicies();
  const compiled = await repoPolicies();
  const paths = ['ai/tools/decision', 'ai/deployment/decision'];
  t.same(compiled.compileJs(paths), paths, 'the decision endpoints compile');
  const nowNs = BigInt(Date.parse('2026-11-26T12:00:00Z')) * 1_000_000n;
  let n = 0;
  for (const [dir, p] of [
    ['tool-call', 'ai/tools/decision'],
    ['model-deployment', 'ai/deployment/decision'],
  ] as const) {
    const names = (await readdir(path.join(repo, 'examples', dir))).filter((x) => x.endsWith('.json'));
    for (const name of names) {
      const input: unknown = JSON.parse(await readFile(path.join(repo, 'examples', dir, name), 'utf8'));
      const want = interpreted.evaluate(p, { input, nowNs });
      const got = compiled.evaluate(p, { input, nowNs });
      t.ok(want.defined, `${dir}/${name}: defined`);
      t.same(toJSON(got.value!), toJSON(want.value!), `${dir}/${name}: same decision`);
      t.same(got.dependsOn, want.dependsOn, `${dir}/${name}: same dependencies`);
      n++;
    }
  }
  t.ok(n >= 20, `${n} examples`);
});

t.test('the step and time budgets hold in generated code', async (t) => {
  const p = src('package p\n\nn := count([x | some x in numbers.range(1, 200000)])\n');
  t.same(p.compileJs(['p/n']), ['p/n']);
  t.equal(p.evaluate('p/n').value, 200000, 'within the default budget');
  t.throws(() => p.evaluate('p/n', { maxSteps: 10_000 }), { code: 'eval_budget_exceeded', message: /budget of 10000 steps/ });
  let ms = 0;
  const clockMs = (): number => (ms += 5);
  t.throws(() => p.evaluate('p/n', { timeoutMs: 50, clockMs, clockCheckInterval: 100 }), { code: 'eval_budget_exceeded', message: /time budget of 50 ms/ });
  // a builtin's own work counts: 100,000 elements sorted in one call
  const s = src('package p\n\nx := sort(numbers.range(1, 100000))\n');
  t.same(s.compileJs(['p/x']), ['p/x']);
  t.throws(() => s.evaluate('p/x', { maxSteps: 1000 }), { code: 'eval_budget_exceeded' });
  // output budget
  t.throws(() => p.evaluate('p/n', { maxOutputSize: 10 }) && src('package p\n\nxs := numbers.range(1, 100)\n').evaluate('p/xs', { maxOutputSize: 10 }), {
    code: 'eval_output_too_large',
  });
});

t.test('generated code raises conflicts and records what a result depends on', async (t) => {
  const p = src('package p\n\nx := 1 if input.a\nx := 2 if input.b\n\nt := time.now_ns()\n');
  t.same(p.compileJs(['p/x', 'p/t']), ['p/x', 'p/t']);
  t.equal(p.evaluate('p/x', { input: { a: true } }).value, 1);
  t.throws(() => p.evaluate('p/x', { input: { a: true, b: true } }), {
    code: 'eval_conflict_error',
    message: 'complete rules must not produce multiple outputs',
  });
  const now = 1_700_000_000_000_000_000n;
  const r = p.evaluate('p/t', { nowNs: now });
  t.equal(r.value, now, 'the evaluation’s clock');
  t.same(r.dependsOn, { time: true, random: false, external: false });
  t.same(p.evaluate('p/x', { input: { a: true } }).dependsOn, { time: false, random: false, external: false });
});

t.test("arithmetic written inline gives the builtins' results, errors and number forms", async (t) => {
  const policy = 'package p\n\nsum := input.a + input.b\n\ndiff := input.a - input.b\n\nprod := input.a * input.b\n\nmod := input.a % input.b\n';
  const js = src(policy);
  t.same(js.compileJs(['p/sum', 'p/diff', 'p/prod', 'p/mod']), ['p/sum', 'p/diff', 'p/prod', 'p/mod']);
  const ev = src(policy);
  const big = 2 ** 53;
  const operands: unknown[] = [0, -0, 1, -1, 3, -4, 7, 0.5, -2.5, 1e300, big - 1, big, -big, 2n ** 70n, 'x', null, [1]];
  let compared = 0;
  for (const a of operands)
    for (const b of operands)
      for (const doc of ['sum', 'diff', 'prod', 'mod']) {
        const answer = (p: CompiledPolicy, strict: boolean): string => {
          try {
            const r = p.evaluate(`p/${doc}`, { input: { a, b }, strict });
            // Object.is: -0 must not come out of either path
            return r.defined ? `${typeof r.value}:${String(r.value)}:${Object.is(r.value, -0)}` : 'undefined';
          } catch (e) {
            return `error ${(e as RegoError).code}`;
          }
        };
        t.equal(answer(js, false), answer(ev, false), `${String(a)} ${doc} ${String(b)}`);
        compared++;
      }
  t.equal(compared, operands.length ** 2 * 4);
  t.equal(js.evaluate('p/prod', { input: { a: 0, b: -5 } }).value, 0);
  t.notOk(Object.is(js.evaluate('p/prod', { input: { a: 0, b: -5 } }).value, -0), '0 * -5 is 0, not -0');
  t.equal(js.evaluate('p/prod', { input: { a: big, b: 2 } }).value, 2n ** 54n, 'an unsafe product is an exact bigint');
  t.equal(js.evaluate('p/mod', { input: { a: 7, b: 0 } }).defined, false, 'modulo by zero: the builtin error, undefined');
});

t.test('lookups into rule results that are parts of data keep answers per source object, never a stale one', async (t) => {
  // cfg is a part of data, so lookups into it keep their answer per site (codegen dataFunctions);
  // `with` gives cfg another object each evaluation: the kept answer must not be reused for it
  const policy = compile(
    [
      {
        file: 'p.rego',
        source:
          'package p\n\ncfg := data.c\n\nv := cfg.k\n\nm := concat("|", cfg.words)\n\nw := x if {\n\tx := [v, m] with data.c as {"k": input.n, "words": [sprintf("%v", [input.n]), "x"]}\n}\n\nboth := [v, w, m]\n',
      },
    ],
    { c: { k: 0, words: ['a', 'b'] } },
  );
  t.same(policy.compileJs(['p/both']), ['p/both']);
  for (const n of [1, 2, 2, 1, 3]) {
    t.same(toJSON(policy.evaluate('p/both', { input: { n } }).value ?? null), [0, [n, `${n}|x`], 'a|b'], `n = ${n}`);
  }
});

t.test('sets built from hostile input: duplicates, near-equal composites and many elements, alike on both paths', async (t) => {
  // sets compare their first 8 elements with equal() and key the rest (value.ts SetV): input
  // crafted to be equal up to the last leaf, or large, must give the same sets, within bounds
  const policy = 'package p\n\ns := {x | some x in input.xs}\n\nn := count(s)\n\nhas := [x | some x in input.probe; s[x]]\n';
  const js = src(policy);
  t.same(js.compileJs(['p/n', 'p/has']), ['p/n', 'p/has']);
  const ev = src(policy);
  const deep = (leaf: number): unknown => {
    let v: unknown = { leaf };
    for (let i = 0; i < 200; i++) v = { a: v, b: [1, 2, 3] };
    return v;
  };
  const cases: [string, unknown[], unknown[]][] = [
    ['near-equal deep objects, repeated', [deep(1), deep(2), deep(1), deep(3), deep(2)], [deep(1), deep(4)]],
    [
      '8 then 9 distinct arrays',
      Array.from({ length: 9 }, (_, i) => [i, 'x']),
      [
        [8, 'x'],
        [9, 'x'],
      ],
    ],
    [
      '50,000 distinct arrays, each twice',
      Array.from({ length: 100_000 }, (_, i) => [i % 50_000, { k: i % 50_000 }]),
      [
        [49_999, { k: 49_999 }],
        [0, { k: 1 }],
      ],
    ],
    ['mixed scalars and composites', [1, '1', [1], { '1': 1 }, 1, '1', [1], { '1': 1 }, null, false], [1, '1', [1], true]],
  ];
  for (const [name, xs, probe] of cases) {
    const input = { xs, probe };
    const started = performance.now();
    const n = js.evaluate('p/n', { input }).value;
    const has = toJSON(js.evaluate('p/has', { input }).value ?? null);
    t.ok(performance.now() - started < 10_000, `${name}: bounded time`);
    t.equal(n, ev.evaluate('p/n', { input }).value, `${name}: count as the evaluator`);
    t.same(has, toJSON(ev.evaluate('p/has', { input }).value ?? null), `${name}: membership as the evaluator`);
  }
  t.equal(js.evaluate('p/n', { input: { xs: cases[2][1], probe: [] } }).value, 50_000);
  t.same(
    toJSON(js.evaluate('p/has', { input: { xs: cases[2][1], probe: cases[2][2] } }).value ?? null),
    [[49_999, { k: 49_999 }]],
    'the member, not the near miss',
  );
});

t.test('a bundle with a long chain of rules returning data compiles to JavaScript quickly', async (t) => {
  // which functions return parts of data is found to a fixpoint (codegen dataFunctions): a chain of
  // n rules takes n passes, each must stay cheap (a first version re-analysed every body per pass)
  const n = 2_000;
  let source = 'package p\n\nv := a0.k\n\n';
  for (let i = 0; i < n; i++) source += `a${i} := a${i + 1}\n\n`;
  source += `a${n} := data.d\n`;
  const p = compile([{ file: 'p.rego', source }], { d: { k: 7 } });
  const started = performance.now();
  t.same(p.compileJs(['p/v']), ['p/v']);
  t.ok(performance.now() - started < 10_000, `compiled in ${Math.round(performance.now() - started)} ms`);
  t.equal(p.evaluate('p/v').value, 7);
});

t.test('traced, strict and printing evaluations run on the evaluator; unplannable paths too', async (t) => {
  const p = src('package p\n\nx := y if y := to_number(input.s)\n');
  t.same(p.compileJs(['p/x']), ['p/x']);
  t.equal(p.evaluate('p/x', { input: { s: 'no' } }).defined, false, 'a builtin error is undefined');
  t.throws(() => p.evaluate('p/x', { input: { s: 'no' }, strict: true }), { code: 'eval_builtin_error' }, 'strict: raised by the evaluator');
  const tracer = new Tracer();
  t.equal(p.evaluate('p/x', { input: { s: '2' }, tracer }).value, 2);
  t.ok(tracer.events.length > 0, 'a traced evaluation has its trace');
  // a function read as a document is not planned: the path stays with the evaluator
  const fnDoc = 'package p\n\nf(x) := x\n\nq := data.p.f\n';
  const d = src(fnDoc);
  t.same(d.compileJs(['p/q']), [], 'not compiled');
  const answer = (p: CompiledPolicy): unknown => {
    try {
      return p.evaluate('p/q');
    } catch (e) {
      return e;
    }
  };
  t.same(answer(d), answer(src(fnDoc)), "the evaluator's answer");
  // a rule inside another rule's value is a conflict in OPA: not planned, the evaluator says so
  const overlap = src('package p\n\np[q].r := v if {\n\tq := "q"\n\tv := {"s": {"t": 1}}\n}\n\np.q.r.s.u := 42\n');
  t.same(overlap.compileJs(['p/p']), [], 'overlapping general refs are not compiled');
  t.throws(() => overlap.evaluate('p/p'), { code: 'eval_conflict_error' });
  t.same(src('package p\n\nx := 1\n').compileJs(['p/nothing', '']), [], 'paths nothing defines, and all of data, are not compiled');
});

t.test('hostile policy text and input cannot escape the generated code', async (t) => {
  // keys become string literals in the generated source: quotes, backslashes, template and line
  // separators must stay data
  const keys = ['"); globalThis.pwned = 1; ("', '\\', '`${globalThis.pwned = 2}`', 'a\u2028b\u2029c', '*/ globalThis.pwned = 3 /*', '\u0000nul'];
  const rules = keys.map((k, i) => `r${i} := input[${JSON.stringify(k)}]`).join('\n');
  const p = src(`package p\n\n${rules}\n\nall := [r0, r1, r2, r3, r4, r5]\n`);
  t.same(p.compileJs(['p/all']), ['p/all']);
  const input = Object.fromEntries(keys.map((k, i) => [k, i]));
  t.same(toJSON(p.evaluate('p/all', { input }).value!), [0, 1, 2, 3, 4, 5], 'each key read as itself');
  t.equal((globalThis as { pwned?: unknown }).pwned, undefined, 'nothing ran');
  // deep and large inputs: refused or answered, never a crash
  const q = src('package p\n\nn := count(input.xs)\n\nd := input.deep\n\nw := count([x | walk(input.deep, x)])\n');
  t.same(q.compileJs(['p/n', 'p/d', 'p/w']), ['p/n', 'p/d', 'p/w']);
  t.equal(q.evaluate('p/n', { input: { xs: Array.from({ length: 100_000 }, (_, i) => i) } }).value, 100_000);
  let deep: unknown = 1;
  for (let i = 0; i < 5_000; i++) deep = [deep];
  t.throws(
    () => q.evaluate('p/d', { input: { deep } }),
    { code: 'eval_type_error', message: /nested deeper than 512/ },
    'refused at conversion, as the evaluator refuses it',
  );
  let ok: unknown = 1;
  for (let i = 0; i < 400; i++) ok = [ok];
  t.equal(q.evaluate('p/w', { input: { deep: ok } }).value, 401, 'a deep walk within the bound');
  t.throws(() => q.evaluate('p/w', { input: { deep: ok }, maxSteps: 100 }), { code: 'eval_budget_exceeded' }, "the walk's work counts");
});

t.test('a policy whose plan would grow without bound is left to the evaluator, quickly', async (t) => {
  // every level calls the next under two different `with data…`: 2^18 worlds to plan each rule in
  const n = 18;
  const levels = Array.from(
    { length: n },
    (_, i) => `r${i} := [x, y] if {\n\tx := r${i + 1} with data.d.k${i}a as 1\n\ty := r${i + 1} with data.d.k${i}b as 2\n}`,
  );
  const p = compile([{ file: 'c.rego', source: ['package c', '', ...levels, `r${n} := 1`].join('\n') }], { d: {} });
  const t0 = Date.now();
  t.same(p.compileJs(['c/r0']), [], 'not compiled');
  t.ok(Date.now() - t0 < 10_000, `refused in ${Date.now() - t0} ms`);
  t.same(toJSON(p.evaluate('c/r16').value!), [
    [1, 1],
    [1, 1],
  ]);
});

// Policy.evaluate keeps the compiled document by the segments array itself when it is frozen (the
// service passes one frozen array per path): a mutable array that later names another path, or
// documents compiled after a first evaluation, must still reach the right document.
t.test('the compiled document found for a path array: frozen kept, mutable looked up each time', async (t) => {
  const policy = src('package p\n\na := 1\n\nb := 2\n\nc := input.x\n');
  const before = Object.freeze(['p', 'c']);
  t.same(toJSON(policy.evaluate(before, { input: { x: 'evaluator' } }).value as never), 'evaluator', 'before compileJs: the evaluator answers');
  t.same(policy.compileJs(['p/a', 'p/b', 'p/c']), ['p/a', 'p/b', 'p/c']);
  // (Which one answers is not visible here; what matters is that the answer is still this input's.)
  t.same(toJSON(policy.evaluate(before, { input: { x: 'compiled' } }).value as never), 'compiled');
  const frozen = Object.freeze(['p', 'a']);
  const values = [1, 2, 3].map(() => toJSON(policy.evaluate(frozen).value as never));
  t.same(values, [1, 1, 1], 'a frozen array, evaluated again and again');
  const mutable = ['p', 'a'];
  const first = toJSON(policy.evaluate(mutable).value as never);
  mutable[1] = 'b';
  t.same([first, toJSON(policy.evaluate(mutable).value as never)], [1, 2], 'a mutable array changed between evaluations');
  // More distinct frozen arrays than are kept: each still finds its own document.
  const many = Array.from({ length: 600 }, (_, i) => Object.freeze(['p', i % 2 === 0 ? 'a' : 'b']));
  t.ok(
    many.every((segs, i) => toJSON(policy.evaluate(segs).value as never) === (i % 2 === 0 ? 1 : 2)),
    '600 frozen arrays',
  );
});
