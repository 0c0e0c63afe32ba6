// Tracing in the built-in Rego engine: OPA's trace events (ops, query ids, nodes, locals,
// locations), the explain modes' filters (OPA's lineage), the JSON and text renderings
// (topdown's PrettyTraceWithLocation layout), the profiler, coverage and the record of
// non-deterministic builtin results.
import t from 'tap';
import {
  compile,
  CoverageCollector,
  filterTrace,
  NdBuiltinCache,
  profile,
  goDuration,
  toJSON,
  traceJson,
  traceText,
  Tracer,
  type TraceEvent,
} from '../../src/rego/index.js';

const SRC = `package example

default allow := false

allow if {
	input.user == "alice"
	trace("checking items")
	some x in input.items
	x > 2
}
`;
const policy = compile([{ file: 'example.rego', source: SRC }]);
const ALICE = { user: 'alice', items: [1, 3] };

function traced(input: unknown, path = 'example/allow'): { value: unknown; events: TraceEvent[] } {
  const tracer = new Tracer();
  const r = policy.evaluate(path, { input, tracer });
  return { value: r.value === undefined ? undefined : toJSON(r.value), events: tracer.events };
}

t.test('full trace of a Data API path: OPA text layout, depth bars, Note, Fail/Redo', async (t) => {
  const { value, events } = traced(ALICE);
  t.equal(value, true);
  // location column: longest "file:row" (example.rego:10 would be 15; here example.rego:9 = 14) + 4
  t.same(traceText(filterTrace(events, 'full')), [
    'query:1            Enter data.example.allow',
    'query:1            | Eval data.example.allow',
    'query:1            | Index data.example.allow (matched 1 rule, early exit)',
    'example.rego:5     | Enter data.example.allow',
    'example.rego:6     | | Eval equal(input.user, "alice")',
    'example.rego:7     | | Eval trace("checking items")',
    'example.rego:7     | | Note "checking items"',
    'example.rego:8     | | Eval some x in input.items',
    'example.rego:9     | | Eval gt(x, 2)',
    'example.rego:9     | | Fail gt(x, 2)',
    'example.rego:8     | | Redo some x in input.items',
    'example.rego:9     | | Eval gt(x, 2)',
    'example.rego:5     | | Exit data.example.allow early',
    'query:1            | Exit data.example.allow',
    'query:1            Redo data.example.allow',
    'query:1            | Redo data.example.allow',
    // the rule's unwinding after its early exit follows the query's, as OPA's continuation runs it
    'example.rego:5     | Redo data.example.allow',
    'example.rego:9     | | Redo gt(x, 2)',
    'example.rego:8     | | Redo some x in input.items',
    'example.rego:7     | | Redo trace("checking items")',
    'example.rego:6     | | Redo equal(input.user, "alice")',
  ]);
});

t.test('JSON events: OPA field names, lower-case ops, AST nodes, locals as terms', async (t) => {
  const { events } = traced(ALICE);
  const json = traceJson(events) as Record<string, unknown>[];
  t.same(Object.keys(json[0]).sort(), ['locals', 'location', 'node', 'op', 'parent_id', 'query_id', 'type']);
  t.match(json[0], { op: 'enter', query_id: 0, parent_id: 0, type: 'body', locals: [] });
  t.same(json[0].node, [
    {
      index: 0,
      terms: {
        type: 'ref',
        value: [
          { type: 'var', value: 'data' },
          { type: 'string', value: 'example' },
          { type: 'string', value: 'allow' },
        ],
      },
    },
  ]);
  const enterRule = json.find((e) => e.op === 'enter' && e.type === 'rule')!;
  t.match(enterRule, { query_id: 1, parent_id: 0, location: { file: 'example.rego', row: 5, col: 1 } });
  t.match(enterRule.node, { head: { name: 'allow', value: { type: 'boolean', value: true } } });
  const note = json.find((e) => e.op === 'note')!;
  t.equal(note.message, 'checking items');
  t.equal(note.type, 'expr');
  // the last `x > 2` was evaluated with x bound to 3
  const lastEval = json.filter((e) => e.op === 'eval' && e.type === 'expr').at(-1)!;
  t.same(lastEval.locals, [{ key: { type: 'var', value: 'x' }, value: { type: 'number', value: 3 } }]);
  t.match(lastEval.node, {
    index: 3,
    terms: [
      { type: 'ref', value: [{ type: 'var', value: 'gt' }] },
      { type: 'var', value: 'x' },
      { type: 'number', value: 2 },
    ],
  });
  t.same(JSON.parse(JSON.stringify(json)), json, 'plain JSON (no bigints, no class instances)');
});

t.test('explain modes: notes and fails keep the lineage, full drops Unify, debug keeps all', async (t) => {
  const tracer = new Tracer();
  policy.query('x := data.example.allow', { input: { user: 'bob' }, tracer });
  const ev = tracer.events;
  t.ok(
    ev.some((e) => e.op === 'Unify'),
    'debug trace has Unify events',
  );
  t.same(filterTrace(ev, 'debug'), ev);
  t.notOk(filterTrace(ev, 'full').some((e) => e.op === 'Unify'));
  t.ok(filterTrace(ev, 'full').some((e) => e.op === 'Index'));
  t.equal(filterTrace(ev, 'full').length, ev.length - ev.filter((e) => e.op === 'Unify').length);
  const fails = traceText(filterTrace(ev, 'fails'));
  t.same(fails, [
    'query:1            Enter x = data.example.allow',
    'example.rego:5     | Enter data.example.allow',
    'example.rego:6     | | Fail equal(input.user, "alice")',
  ]);
  t.same(filterTrace(ev, 'notes'), [], 'no trace() call ran: no notes');
  const notes = traceText(filterTrace(traced(ALICE).events, 'notes'));
  t.same(notes, [
    'query:1            Enter data.example.allow',
    'example.rego:5     | Enter data.example.allow',
    'example.rego:7     | | Note "checking items"',
  ]);
  t.match(traceText(filterTrace(ev, 'debug')), [
    /Enter x = data.example.allow/,
    /Eval x = data.example.allow/,
    /Unify x = data.example.allow/,
    /Index data.example.allow \(matched 1 rule, early exit\)/,
  ]);
});

t.test('the default rule is traced when it applies; undefined paths end with Fail', async (t) => {
  const { value, events } = traced({ user: 'bob' });
  t.equal(value, false);
  const text = traceText(events);
  t.ok(text.includes('example.rego:3     | Enter data.example.allow'));
  // OPA runs the default under the rule set's early exit too (no rule indexing here: the rule was matched)
  t.ok(text.includes('example.rego:3     | | Exit data.example.allow early'));
  const undef = traced({}, 'example/nothing');
  t.equal(undef.value, undefined);
  t.match(traceText(undef.events).at(-1), /^query:1 +\| Fail data.example.nothing$/);
});

t.test('tracing changes no result and sees through the shared caches', async (t) => {
  const p = compile([{ file: 'c.rego', source: 'package c\nk := 7 if { 1 < 2 }\nf(x) := y if { y := x + 1 }\nr := f(k)\n' }]);
  t.same(toJSON(p.evaluate('c/r').value!), 8, 'untraced first: fills the constant and memo caches');
  for (let i = 0; i < 2; i++) {
    const tr = new Tracer();
    t.same(toJSON(p.evaluate('c/r', { tracer: tr }).value!), 8);
    const rules = tr.events.filter((e) => e.op === 'Enter' && e.type === 'rule').map((e) => e.rulePath);
    t.same(rules, ['data.c.r', 'data.c.k', 'data.c.f'], `run ${i}: every rule is entered, none answered from a cache`);
  }
  t.same(toJSON(p.evaluate('c/r').value!), 8);
});

t.test('a trace is bounded: past the limit one note says it was cut', async (t) => {
  const p = compile([{ file: 'big.rego', source: 'package big\nn := count([x | some x in numbers.range(1, 5000); x > 0])\n' }]);
  const tr = new Tracer(50);
  t.equal(toJSON(p.evaluate('big/n', { tracer: tr }).value!), 5000);
  t.equal(tr.events.length, 51);
  t.ok(tr.truncated);
  t.match(tr.events.at(-1), { op: 'Note', message: 'trace truncated after 50 events' });
});

t.test('with, comprehensions, every, negation and functions are traced without changing results', async (t) => {
  const src = `package w
f(x) := x * 2
g(x) := "small" if { x < 3 } else := "big"
ok if {
	every v in [1, 2] { v > 0 }
	not input.block
	ys := [f(v) | some v in input.xs]
	ys == [2, 4]
	input.a == 1 with input.a as 1
	g(5) == "big"
}
`;
  const p = compile([{ file: 'w.rego', source: src }]);
  const input = { xs: [1, 2] };
  t.equal(toJSON(p.evaluate('w/ok', { input }).value!), true);
  const tr = new Tracer();
  t.equal(toJSON(p.evaluate('w/ok', { input, tracer: tr }).value!), true);
  const text = traceText(tr.events);
  t.ok(text.some((l) => l.includes('Eval every v in [1, 2] { gt(v, 0) }')));
  t.ok(text.some((l) => l.includes('Eval not input.block')));
  t.ok(text.some((l) => l.includes('Eval equal(input.a, 1) with input.a as 1')));
  t.ok(text.some((l) => l.includes('Eval ys = [data.w.f(v) | some v in input.xs]')));
  t.ok(text.some((l) => l.includes('Enter data.w.g')));
  t.ok(text.some((l) => l.includes('Enter data.w.f')));
  t.ok(
    text.some((l) => /w.rego:3 +\| \| \| Fail lt\(x, 3\)/.test(l)),
    'the first body of g fails, then its else applies',
  );
});

t.test('the Note of trace() needs a tracer; the builtin still checks its operand', async (t) => {
  const p = compile([{ file: 'n.rego', source: 'package n\nr if { trace("a") }\ns if { x := input.n; trace(x) }\n' }]);
  t.equal(toJSON(p.evaluate('n/r').value!), true);
  t.equal(p.evaluate('n/s', { input: { n: 1 } }).defined, false, 'a non-string note is a type error (undefined unless strict)');
  t.throws(() => p.evaluate('n/s', { input: { n: 1 }, strict: true }), /operand 1 must be string/);
  const tr = new Tracer();
  p.evaluate('n/s', { input: { n: 1 }, tracer: tr });
  t.notOk(
    tr.events.some((e) => e.op === 'Note'),
    'no note for a refused operand',
  );
  t.ok(tr.events.some((e) => e.op === 'Fail' && e.location.row === 3));
});

t.test('profile: per expression location, OPA columns, sorted by time', async (t) => {
  const { events } = traced(ALICE);
  const rows = profile(events, 'line', 0);
  t.same(
    rows.map((r) => [r.location.row, r.num_eval, r.num_redo, r.num_gen_expr]),
    [
      // each expression is redone once more as the early exit unwinds (OPA emits those Redo events too)
      [6, 1, 1, 1],
      [7, 1, 1, 1],
      [8, 1, 2, 1],
      [9, 2, 1, 1],
    ],
  );
  t.ok(rows.every((r) => r.total_time_ns >= 0 && r.location.file === 'example.rego'));
  const byTime = profile(events);
  for (let i = 1; i < byTime.length; i++) t.ok(byTime[i - 1].total_time_ns >= byTime[i].total_time_ns);
  t.equal(profile(events, 'num_eval', 1)[0].location.row, 9);
  t.equal(goDuration(999), '999ns');
  t.equal(goDuration(20291), '20.291µs');
  t.equal(goDuration(1_500_000), '1.5ms');
  t.equal(goDuration(2_000_000_000), '2s');
});

t.test('coverage: OPA report shape, ranges of consecutive lines, percentages unrounded as current OPA (v1/cover)', async (t) => {
  const c = new CoverageCollector();
  c.add(traced({ user: 'bob' }).events);
  const r1 = c.report(policy.modules);
  // allow's body failed at line 6: lines 7-9 and the head of allow (5) are not covered
  t.same(r1.files['example.rego'], {
    covered: [
      { start: { row: 3 }, end: { row: 3 } },
      { start: { row: 6 }, end: { row: 6 } },
    ],
    not_covered: [
      { start: { row: 5 }, end: { row: 5 } },
      { start: { row: 7 }, end: { row: 9 } },
    ],
    covered_lines: 2,
    not_covered_lines: 4,
    coverage: 33.333333333333336, // 100 * 2 / 6 in float64, as Go's encoding/json writes it
  });
  t.match(r1, { covered_lines: 2, not_covered_lines: 4, coverage: (100 * 2) / 6 });
  t.equal(JSON.stringify(r1.coverage), '33.333333333333336');
  c.add(traced(ALICE).events);
  const r2 = c.report(policy.modules);
  t.same(r2.files['example.rego'], {
    covered: [
      { start: { row: 3 }, end: { row: 3 } },
      { start: { row: 5 }, end: { row: 9 } },
    ],
    covered_lines: 6,
    coverage: 100,
  });
  t.same(new CoverageCollector().report(policy.modules), {
    files: {
      'example.rego': {
        not_covered: [
          { start: { row: 3 }, end: { row: 3 } },
          { start: { row: 5 }, end: { row: 9 } },
        ],
        not_covered_lines: 6,
      },
    },
    covered_lines: 0,
    not_covered_lines: 6,
    coverage: 0,
  });
});

t.test('nd_builtin_cache: non-deterministic results keyed by builtin and JSON arguments', async (t) => {
  const p = compile([
    {
      file: 'nd.rego',
      source: 'package nd\nr := [time.now_ns(), rand.intn("seed", 10), rand.intn("seed", 10), count(uuid.rfc4122("k")) > 0, upper("x")]\n',
    },
  ]);
  const nd = new NdBuiltinCache();
  t.ok(nd.empty);
  const v = toJSON(p.evaluate('nd/r', { ndBuiltinCache: nd, nowNs: 1_700_000_000_000_000_000n }).value!) as unknown[];
  const cache = nd.toJSON();
  t.same(Object.keys(cache).sort(), ['rand.intn', 'time.now_ns', 'uuid.rfc4122'], 'deterministic builtins (upper, count) are not recorded');
  t.same(cache['time.now_ns'], { '[]': 1_700_000_000_000_000_000 });
  t.same(cache['rand.intn'], { '["seed",10]': v[1] });
  t.same(Object.keys(cache['uuid.rfc4122']), ['["k"]']);
  t.notOk(nd.empty);
  // a cache with nothing to record stays empty
  const none = new NdBuiltinCache();
  p.evaluate('nd/nothing', { ndBuiltinCache: none });
  t.ok(none.empty);
  t.same(none.toJSON(), {});
});

t.test('nd_builtin_cache is bounded per evaluation', async (t) => {
  const p = compile([{ file: 'b.rego', source: 'package b\nr := [rand.intn(sprintf("%d", [i]), 10) | some i in numbers.range(1, 1500)]\n' }]);
  const nd = new NdBuiltinCache();
  p.evaluate('b/r', { ndBuiltinCache: nd });
  t.equal(Object.keys(nd.toJSON()['rand.intn']).length, 1000);
});

t.test('nd_builtin_cache records mocked non-deterministic builtins with the mocked result', async (t) => {
  const p = compile([
    {
      file: 'm.rego',
      source: `package m
r := x if { x := http.send({"method": "get", "url": "http://x"}) with http.send as {"status_code": 200} }
f(_, _) := 4
s := x if { x := rand.intn("a", 10) with rand.intn as f }
u := x if { x := upper("a") with upper as "B" }
`,
    },
  ]);
  const nd = new NdBuiltinCache();
  for (const d of ['m/r', 'm/s', 'm/u']) t.ok(p.evaluate(d, { ndBuiltinCache: nd }).defined);
  t.same(nd.toJSON(), { 'http.send': { '[{"method":"get","url":"http://x"}]': { status_code: 200 } }, 'rand.intn': { '["a",10]': 4 } });
  t.equal(toJSON(p.evaluate('m/s').value!), 4, 'without a cache the mocks work as before');
});

t.test('text of every kind of expression and term, as the text trace prints them', async (t) => {
  const src = `package txt
import rego.v1
r if {
	some a, b
	a = null
	b = {"k": [1, 2.5], "x y": {3}}
	c := set()
	plus(1, 2, d)
	e := [v | some v in [1]]
	f := {v | some v in [1]}
	g := {k: v | some k, v in {"a": 1}}
	not startswith("abc", "z")
	every k, v in {"a": 1} { k != v }
	i := 1 - 2 * 3 / 3 % 5
	j := {1} | {2} & {3}
	k := count([1]) >= 1
	k2 := 1 <= 2
	k3 := 2 > 1
	l := true
	m := false
	n := concat(",", ["a"])
	x := "s" with input as {}
	h := input["x y"].z[0]
}
s contains msg if { msg := "m" }
o[key] := 1 if { key := "k" }
`;
  const p = compile([{ file: 'txt.rego', source: src }]);
  const tr = new Tracer();
  p.evaluate('txt', { tracer: tr });
  const evals = traceText(tr.events.filter((e) => e.op === 'Eval' && e.type === 'expr')).map((l) => l.replace(/^\S+\s+(\| )*Eval /, ''));
  t.same(evals, [
    'data.txt',
    'some a, b',
    'a = null',
    'b = {"k": [1, 2.5], "x y": {3}}',
    'c = set()',
    'plus(1, 2, d)',
    'e = [v | some v in [1]]',
    'some v in [1]',
    'f = {v | some v in [1]}',
    'some v in [1]',
    'g = {k: v | some k, v in {"a": 1}}',
    'some k, v in {"a": 1}',
    'not startswith("abc", "z")',
    'startswith("abc", "z")',
    'every k, v in {"a": 1} { neq(k, v) }',
    'neq(k, v)',
    'i = minus(1, rem(div(mul(2, 3), 3), 5))',
    'j = or({1}, and({2}, {3}))',
    'k = gte(count([1]), 1)',
    'k2 = lte(1, 2)',
    'k3 = gt(2, 1)',
    'l = true',
    'm = false',
    'n = concat(",", ["a"])',
    'x = "s" with input as {}',
    'h = input["x y"].z[0]',
    'msg = "m"',
    'key = "k"',
  ]);
  // the rule bodies' locals, as OPA terms
  const json = traceJson(tr.events.filter((e) => e.op === 'Eval' && e.type === 'expr' && e.location.row === 23)) as {
    locals: { key: unknown; value: unknown }[];
  }[];
  const locals = Object.fromEntries(json[0].locals.map((l) => [(l.key as { value: string }).value, l.value]));
  t.same(locals.a, { type: 'null' });
  t.same(locals.b, {
    type: 'object',
    value: [
      [
        { type: 'string', value: 'k' },
        {
          type: 'array',
          value: [
            { type: 'number', value: 1 },
            { type: 'number', value: 2.5 },
          ],
        },
      ],
      [
        { type: 'string', value: 'x y' },
        { type: 'set', value: [{ type: 'number', value: 3 }] },
      ],
    ],
  });
  t.same(locals.c, { type: 'set', value: [] });
  t.same(locals.d, { type: 'number', value: 3 });
  t.same(locals.e, { type: 'array', value: [{ type: 'number', value: 1 }] });
  const sets = traceText(tr.events.filter((e) => e.type === 'rule' && e.op === 'Exit'));
  t.ok(sets.some((l) => l.endsWith('Exit data.txt.s')));
  t.ok(sets.some((l) => l.endsWith('Exit data.txt.o')));
});

t.test('locals of big integers, booleans and strings as OPA terms', async (t) => {
  const p = compile([{ file: 'b.rego', source: 'package b\nr if {\n\tx := 12345678901234567890\n\ty := true\n\tz := "s"\n\tx > 1\n}\n' }]);
  const tr = new Tracer();
  p.evaluate('b/r', { tracer: tr });
  const last = (traceJson(tr.events).filter((e) => e.op === 'eval') as { locals: { key: { value: string }; value: unknown }[] }[]).at(-1)!;
  const locals = Object.fromEntries(last.locals.map((l) => [l.key.value, l.value]));
  t.same(locals, { x: { type: 'number', value: 12345678901234567890n }, y: { type: 'boolean', value: true }, z: { type: 'string', value: 's' } });
});
