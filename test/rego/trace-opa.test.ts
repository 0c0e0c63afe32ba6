// Trace parity with OPA: the event sequences (ops, query and parent ids, node text) that OPA's
// evaluator emits for small policies. Expectations come from OPA's own trace tests
// (v1/topdown/trace_test.go: TestPrettyTrace, TestTraceEveryEvaluation) and from the order its
// evaluator (v1/topdown/eval.go) emits events in: a new query id for each rule body,
// comprehension, negation, `every` domain and `every` body, whose parent is the query that
// started it; Index before a rule set is entered; Exit "early" under early exit; Redo on the way
// back out, after the rest of the query ran.
import t from 'tap';
import { compile, filterTrace, traceJson, traceText, Tracer, type ExplainMode, type TraceEvent } from '../../src/rego/index.js';

function run(src: string, query: string, input?: unknown, data?: Record<string, unknown>): TraceEvent[] {
  const policy = compile([{ file: 'test.rego', source: src }], data ?? {});
  const tracer = new Tracer();
  policy.query(query, { input, tracer });
  return tracer.events;
}

/** OPA's PrettyTrace (no location column): depth bars, op, node. */
function pretty(events: TraceEvent[], mode: ExplainMode = 'full'): string[] {
  return traceText(filterTrace(events, mode)).map((l) => l.replace(/^\S+ +/, ''));
}

/** op, query id, parent id and the text after the bars, as OPA's Event.String() lists them. */
function ids(events: TraceEvent[], mode: ExplainMode = 'full'): [string, number, number, string][] {
  const f = filterTrace(events, mode);
  const text = traceText(f).map((l) => l.replace(/^\S+ +(\| )*/, '').replace(/^\w+ /, ''));
  return f.map((e, i) => [e.op, e.queryId, e.parentId, text[i]]);
}

t.test("OPA's TestPrettyTrace: rule ids, Index, early exit, Redo after the query's own", async (t) => {
  const src = 'package test\n\np if { q[x]; plus(x, 1, n) }\nq contains x if { x = data.a[_] }\n';
  const events = run(src, 'data.test.p = _', undefined, { a: [1, 2, 3, 4] });
  t.same(pretty(events), [
    'Enter data.test.p = _',
    '| Eval data.test.p = _',
    '| Index data.test.p (matched 1 rule, early exit)',
    '| Enter data.test.p',
    '| | Eval data.test.q[x]',
    '| | Index data.test.q (matched 1 rule)',
    '| | Enter data.test.q',
    '| | | Eval x = data.a[_]',
    '| | | Exit data.test.q',
    '| | Redo data.test.q',
    '| | | Redo x = data.a[_]',
    '| | | Exit data.test.q',
    '| | Redo data.test.q',
    '| | | Redo x = data.a[_]',
    '| | | Exit data.test.q',
    '| | Redo data.test.q',
    '| | | Redo x = data.a[_]',
    '| | | Exit data.test.q',
    '| | Redo data.test.q',
    '| | | Redo x = data.a[_]',
    '| | Eval plus(x, 1, n)',
    '| | Exit data.test.p early',
    '| Exit data.test.p = _',
    'Redo data.test.p = _',
    '| Redo data.test.p = _',
    '| Redo data.test.p',
    '| | Redo plus(x, 1, n)',
    '| | Redo data.test.q[x]',
  ]);
  const byOp = ids(events);
  t.same(byOp.slice(0, 7), [
    ['Enter', 0, 0, 'data.test.p = _'],
    ['Eval', 0, 0, 'data.test.p = _'],
    ['Index', 0, 0, 'data.test.p (matched 1 rule, early exit)'],
    ['Enter', 1, 0, 'data.test.p'],
    ['Eval', 1, 0, 'data.test.q[x]'],
    ['Index', 1, 0, 'data.test.q (matched 1 rule)'],
    ['Enter', 2, 1, 'data.test.q'],
  ]);
  t.same(byOp.at(-1), ['Redo', 1, 0, 'data.test.q[x]']);
});

t.test("OPA's TestTraceEveryEvaluation: the domain and each body are queries of their own", async (t) => {
  const every = (body: string): [string, number, number, string][] =>
    ids(run(`package test\np if { ${body} }\n`, 'data.test.p = x')).filter(([op, q]) => q >= 2 && op !== 'Eval');
  t.same(every('every k, v in [] { k != v }'), [
    ['Enter', 2, 1, 'every k, v in [] { neq(k, v) }'],
    ['Exit', 2, 1, 'every k, v in [] { neq(k, v) }'],
  ]);
  t.same(every('every k, v in [1] { k != v }'), [
    ['Enter', 2, 1, 'every k, v in [1] { neq(k, v) }'],
    ['Enter', 3, 2, 'neq(k, v)'],
    ['Exit', 3, 2, 'neq(k, v) early'],
    ['Redo', 3, 2, 'neq(k, v)'],
    ['Redo', 3, 2, 'neq(k, v)'],
    ['Redo', 2, 1, 'every k, v in [1] { neq(k, v) }'],
    ['Exit', 2, 1, 'every k, v in [1] { neq(k, v) }'],
  ]);
  // failure in the first body: its query fails, then the domain's `every` fails
  const first = every('every v in [1, 2] { 1 != v }');
  t.same(
    first.map(([op, q, p]) => [op, q, p]),
    [
      ['Enter', 2, 1],
      ['Enter', 3, 2],
      ['Fail', 3, 2],
      ['Redo', 2, 1],
      ['Fail', 2, 1],
    ],
  );
  // failure in the last body: one query per element, each a child of the domain's
  const last = every('every v in [0, 1] { 1 != v }');
  t.same(
    last.filter(([op]) => op === 'Enter' || op === 'Fail').map(([op, q, p]) => [op, q, p]),
    [
      ['Enter', 2, 1],
      ['Enter', 3, 2],
      ['Enter', 4, 2],
      ['Fail', 4, 2],
      ['Fail', 2, 1],
    ],
  );
});

t.test('not: the negated expression is a child query; `not` fails when it holds, else no Redo of `not`', async (t) => {
  const src = 'package test\np if { not q }\nq if { input.x == 1 }\n';
  t.same(ids(run(src, 'data.test.p = _', { x: 2 })).slice(3, 12), [
    ['Enter', 1, 0, 'data.test.p'],
    ['Eval', 1, 0, 'not data.test.q'],
    ['Enter', 2, 1, 'data.test.q'],
    ['Eval', 2, 1, 'data.test.q'],
    ['Index', 2, 1, 'data.test.q (matched 1 rule, early exit)'],
    ['Enter', 3, 2, 'data.test.q'],
    ['Eval', 3, 2, 'equal(input.x, 1)'],
    ['Fail', 3, 2, 'equal(input.x, 1)'],
    ['Fail', 2, 1, 'data.test.q'],
  ]);
  const held = pretty(run(src, 'data.test.p = _', { x: 1 }));
  t.same(held.slice(5), [
    '| | Enter data.test.q',
    '| | | Eval data.test.q',
    '| | | Index data.test.q (matched 1 rule, early exit)',
    '| | | Enter data.test.q',
    '| | | | Eval equal(input.x, 1)',
    '| | | | Exit data.test.q early',
    '| | | Exit data.test.q',
    '| | Redo data.test.q',
    '| | | Redo data.test.q',
    '| | | Redo data.test.q',
    '| | | | Redo equal(input.x, 1)',
    '| | Fail not data.test.q',
    '| Fail data.test.p = _',
  ]);
  t.notOk(
    pretty(run(src, 'data.test.p = _', { x: 2 })).some((l) => /Redo not /.test(l)),
    'no Redo of a `not` that held',
  );
});

t.test('comprehensions: the body is a child query (Enter, Exit and Redo of the body)', async (t) => {
  const src = 'package test\np if { c := [x | x := input.xs[_]; x > 1]; count(c) == 1 }\n';
  const lines = ids(run(src, 'data.test.p = _', { xs: [1, 2] }));
  const inner = lines.filter(([, q]) => q === 2);
  t.same(inner, [
    ['Enter', 2, 1, 'x = input.xs[_]; gt(x, 1)'],
    ['Eval', 2, 1, 'x = input.xs[_]'],
    ['Eval', 2, 1, 'gt(x, 1)'],
    ['Fail', 2, 1, 'gt(x, 1)'],
    ['Redo', 2, 1, 'x = input.xs[_]'],
    ['Eval', 2, 1, 'gt(x, 1)'],
    ['Exit', 2, 1, 'x = input.xs[_]; gt(x, 1)'],
    ['Redo', 2, 1, 'x = input.xs[_]; gt(x, 1)'],
    ['Redo', 2, 1, 'gt(x, 1)'],
    ['Redo', 2, 1, 'x = input.xs[_]'],
  ]);
  t.same(lines[4], ['Eval', 1, 0, 'c = [x | x = input.xs[_]; gt(x, 1)]'], '`:=` prints as the `=` it compiles to');
});

t.test('functions: Index with the rules matched, a query per call, early exit for constant values', async (t) => {
  const src = 'package test\nf(x) := y if { y := x + 1 }\ng(x) if { x > 0 }\ng(x) if { x > 10 }\np if { f(1) == 2; g(5) }\n';
  const lines = ids(run(src, 'data.test.p = _'));
  t.same(
    lines.filter(([op]) => op === 'Index' || op === 'Enter' || op === 'Exit'),
    [
      ['Enter', 0, 0, 'data.test.p = _'],
      ['Index', 0, 0, 'data.test.p (matched 1 rule, early exit)'],
      ['Enter', 1, 0, 'data.test.p'],
      ['Index', 1, 0, 'data.test.f (matched 1 rule)'],
      ['Enter', 2, 1, 'data.test.f'],
      ['Exit', 2, 1, 'data.test.f'],
      ['Index', 1, 0, 'data.test.g (matched 2 rules, early exit)'],
      ['Enter', 3, 1, 'data.test.g'],
      // the first rule gave the value every rule gives: the second is not entered
      ['Exit', 3, 1, 'data.test.g early'],
      ['Exit', 1, 0, 'data.test.p early'],
      ['Exit', 0, 0, 'data.test.p = _'],
    ],
  );
  t.ok(lines.some(([op, , , text]) => op === 'Eval' && text === 'equal(data.test.f(1), 2)'));
});

t.test('Unify events: in debug only, one per unification with bound variables as their values', async (t) => {
  const events = run('package test\np if { x := 1; [x, 2] = [y, z]; y == z - 1 }\n', 'data.test.p = _');
  const unify = ids(events, 'debug').filter(([op]) => op === 'Unify');
  t.same(unify, [
    ['Unify', 0, 0, 'data.test.p = _'],
    ['Unify', 1, 0, 'x = 1'],
    ['Unify', 1, 0, '[x, 2] = [y, z]'],
  ]);
  t.notOk(
    filterTrace(events, 'full').some((e) => e.op === 'Unify'),
    'full leaves Unify out (OPA: lineage.Full)',
  );
  const bound = ids(run('package test\np if { x := 1; x = 1 }\n', 'data.test.p = _'), 'debug').filter(([op]) => op === 'Unify');
  t.same(bound.at(-1), ['Unify', 1, 0, '1 = 1'], 'a bound variable shows its value');
  const json = traceJson(filterTrace(events, 'debug')).find((e) => e.op === 'unify')!;
  t.match(json, { query_id: 0, parent_id: 0, type: 'expr' });
});

t.test('a rule held back events only until its reader finished: complete rules with several results', async (t) => {
  // OPA evaluates the rest of the query in the callback of the first result, then the remaining
  // bodies' events; this engine computes the value first and holds those events back
  const src = 'package test\nv := 1 if { input.a }\nv := 1 if { input.b }\np if { v == 1 }\n';
  const lines = pretty(run(src, 'data.test.p', { a: true, b: true }));
  const exitP = lines.indexOf('| | Exit data.test.p early');
  const firstV = lines.indexOf('| | | Exit data.test.v early');
  t.ok(firstV > 0 && firstV < exitP, 'the first value of v comes before p exits');
  t.ok(lines.indexOf('| | Redo data.test.v') > lines.indexOf('| | Redo equal(data.test.v, 1)'), "v's Redo follows its reader's");
});

t.test('without early exit (rules give different values) every solution of a body is traced, as OPA looks for all', async (t) => {
  const src = 'package test\nv := 1 if { input.xs[_] > 0 }\nv := 2 if { input.none }\n';
  const lines = pretty(run(src, 'data.test.v', { xs: [1, 2] }));
  t.ok(lines.includes('| Index data.test.v (matched 2 rules)'));
  t.equal(lines.filter((l) => l === '| | Exit data.test.v').length, 2, 'one Exit per solution, none marked early');
  t.equal(lines.filter((l) => l.startsWith('| Enter data.test.v')).length, 2, 'both rules are entered');
});

t.test('an error while a rule holds events back loses none of them', async (t) => {
  const policy = compile([{ file: 'test.rego', source: 'package test\nv := 1 if { input.a }\nv := 2 if { input.b }\n' }]);
  const tracer = new Tracer();
  t.throws(() => policy.query('data.test.v', { input: { a: true, b: true }, tracer }), /complete rules must not produce multiple outputs/);
  const lines = pretty(tracer.events, 'debug');
  t.equal(lines.filter((l) => l === '| Enter data.test.v').length, 2, 'the second rule, entered after the first value, is in the trace');
  const again = new Tracer();
  t.equal(policy.query('data.test.v', { input: { a: true }, tracer: again }).rows.length, 1);
  t.same(pretty(again.events).slice(0, 3), ['Enter data.test.v', '| Eval data.test.v', '| Index data.test.v (matched 2 rules)']);
});

t.test('nodes carry names as OPA compiles them: rules, functions and imports as data references, `=` for `:=`', async (t) => {
  const policy = compile([
    { file: 'lib.rego', source: 'package lib\nf(x) := x\n' },
    { file: 'test.rego', source: 'package test\nimport data.lib\nq contains 1\np if { q[y]; z := lib.f(y); z == 1 }\n' },
  ]);
  const tracer = new Tracer();
  policy.query('data.test.p', { tracer });
  const evals = pretty(tracer.events).filter((l) => l.includes('Eval'));
  t.same(evals, ['| Eval data.test.p', '| | Eval data.test.q[y]', '| | Eval z = data.lib.f(y)', '| | Eval equal(z, 1)']);
  const json = traceJson(tracer.events).filter((e) => e.op === 'eval' && e.query_id === 1);
  t.same(json[0].node, {
    index: 0,
    terms: {
      type: 'ref',
      value: [
        { type: 'var', value: 'data' },
        { type: 'string', value: 'test' },
        { type: 'string', value: 'q' },
        { type: 'var', value: 'y' },
      ],
    },
  });
  t.match(json[1].node, {
    terms: [
      { type: 'ref', value: [{ type: 'var', value: 'eq' }] },
      { type: 'var', value: 'z' },
      {
        type: 'call',
        value: [
          {
            type: 'ref',
            value: [
              { type: 'var', value: 'data' },
              { type: 'string', value: 'lib' },
              { type: 'string', value: 'f' },
            ],
          },
          { type: 'var', value: 'y' },
        ],
      },
    ],
  });
});
