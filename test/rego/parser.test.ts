import t, { type Test } from 'tap';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import YAML from 'yaml';
import { parseModule, parseQuery, parseTerm, MAX_DEPTH } from '../../src/rego/parser.js';
import { tokenize } from '../../src/rego/lexer.js';
import { RegoError } from '../../src/rego/errors.js';
import type { Body, Module, Rule } from '../../src/rego/ast.js';

// ---- helpers ------------------------------------------------------------------------

/** Deep copy without `loc` fields, so expected shapes stay readable. */
function strip(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(strip);
  if (x !== null && typeof x === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) if (k !== 'loc') out[k] = strip(v);
    return out;
  }
  return x;
}

const v = (name: string) => ({ type: 'var', name });
const s = (value: string) => ({ type: 'string', value });
const n = (value: number | bigint, raw = String(value)) => ({ type: 'number', value, raw });
const b = (value: boolean) => ({ type: 'boolean', value });
const nul = { type: 'null' };
const ref = (head: unknown, ...path: unknown[]) => ({ type: 'ref', head, path });
const call = (name: string, ...args: unknown[]) => ({ type: 'call', name, args });
const arr = (...items: unknown[]) => ({ type: 'array', items });
const set = (...items: unknown[]) => ({ type: 'set', items });
const obj = (...items: [unknown, unknown][]) => ({ type: 'object', items });
/** A plain expression statement. */
const ex = (term: unknown, extra: Record<string, unknown> = {}) => ({ kind: 'term', term, negated: false, with: [], ...extra });

const term = (src: string) => strip(parseTerm(src));
const query = (src: string) => strip(parseQuery(src));
const mod = (src: string, regoVersion: 0 | 1 = 1): Module => parseModule('test.rego', src, { regoVersion });
/** Rules (without locs) of `package p` + src. */
const rules = (src: string, regoVersion: 0 | 1 = 1) => strip(mod(`package p\n${src}`, regoVersion).rules) as Rule[];
const rule1 = (src: string, regoVersion: 0 | 1 = 1) => {
  const r = rules(src, regoVersion);
  if (r.length !== 1) throw new Error(`expected one rule, got ${r.length}`);
  return r[0];
};

/** Asserts a parse error with code, position and message (substring). */
function parseError(tt: Test, f: () => unknown, row: number, col: number, message: string | RegExp, file = 'test.rego'): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  tt.ok(err instanceof RegoError, 'throws a RegoError');
  if (!(err instanceof RegoError)) return;
  tt.equal(err.code, 'rego_parse_error');
  tt.same(err.location, { file, row, col }, `location of: ${err.message}`);
  if (typeof message === 'string') tt.ok(err.detail.includes(message), `message "${err.detail}" includes "${message}"`);
  else tt.match(err.detail, message);
}

// ---- lexer ----------------------------------------------------------------------------

t.test('lexer: tokens, adjacency and new-line flags', async (t) => {
  const toks = tokenize('f.rego', 'a.b [1]\n  x := "s" # comment\n`raw`');
  t.same(
    toks.map((k) => [k.kind, k.text, k.row, k.col, k.ws, k.nl]),
    [
      ['ident', 'a', 1, 1, false, false],
      ['punct', '.', 1, 2, false, false],
      ['ident', 'b', 1, 3, false, false],
      ['punct', '[', 1, 5, true, false],
      ['number', '1', 1, 6, false, false],
      ['punct', ']', 1, 7, false, false],
      ['ident', 'x', 2, 3, true, true],
      ['punct', ':=', 2, 5, true, false],
      ['string', '"s"', 2, 8, true, false],
      ['string', '`raw`', 3, 1, true, true],
      ['eof', '', 3, 6, false, false],
    ],
  );
  t.equal(toks[8].value, 's');
});

// ---- package and imports ----------------------------------------------------------------

t.test('package: dotted and quoted segments', async (t) => {
  const m = parseModule('m.rego', '# header\npackage a.b["c-d"].e\n');
  t.same(m.package, ['a', 'b', 'c-d', 'e']);
  t.same(m.packageLoc, { file: 'm.rego', row: 2, col: 1 });
  t.equal(m.file, 'm.rego');
  t.equal(m.regoVersion, 1);
  t.same(m.rules, []);
  t.ok(m.source.startsWith('# header'));
});

t.test('imports: rego.v1, future keywords, aliases', async (t) => {
  const m = mod(`package p
import rego.v1
import future.keywords
import future.keywords.in
import future.keywords.every
import data.x.y as z
import input.z
import data.lib["my-lib"]
`);
  t.same(strip(m.imports), [
    { path: ['rego', 'v1'] },
    { path: ['future', 'keywords'] },
    { path: ['future', 'keywords', 'in'] },
    { path: ['future', 'keywords', 'every'] },
    { path: ['data', 'x', 'y'], alias: 'z' },
    { path: ['input', 'z'] },
    { path: ['data', 'lib', 'my-lib'] },
  ]);
  t.same(m.imports[4].loc, { file: 'test.rego', row: 6, col: 1 });
});

t.test('import errors', async (t) => {
  parseError(t, () => mod('package p\nimport foo.bar'), 2, 8, 'import path must start with data, input, future or rego');
  parseError(t, () => mod('package p\nimport rego.v2'), 2, 8, 'the only one is "import rego.v1"');
  parseError(t, () => mod('package p\nimport future.keywords.nope'), 2, 8, 'unknown future keyword "nope"');
  parseError(t, () => mod('package p\nimport data.x as if'), 2, 18, 'expected an alias name after "as"');
});

// ---- rules ----------------------------------------------------------------------------

t.test('default rules', async (t) => {
  t.same(rule1('default allow := false'), {
    head: { ref: [v('allow')], value: b(false), assign: true, contains: false },
    body: [],
    default: true,
    elses: [],
  });
  t.same(rule1('default f(_) := 1'), {
    head: { ref: [v('f')], args: [v('_')], value: n(1), assign: true, contains: false },
    body: [],
    default: true,
    elses: [],
  });
  t.same(rule1('default s = set()').head.value, call('set'), 'set() is allowed in a default value');
  t.same(rule1('default xs := [x | x := 1]').head.value?.type, 'arraycompr', 'comprehensions are allowed');
});

t.test('complete rules: :=, =, if with body, if with one expression', async (t) => {
  t.same(rule1('p := 1'), { head: { ref: [v('p')], value: n(1), assign: true, contains: false }, body: [], default: false, elses: [] });
  t.same(rule1('p = 1').head, { ref: [v('p')], value: n(1), assign: false, contains: false });
  t.same(rule1('p if {\n  input.x == 1\n}'), {
    head: { ref: [v('p')], assign: false, contains: false },
    body: [ex(call('equal', ref(v('input'), s('x')), n(1)))],
    default: false,
    elses: [],
  });
  const r = rule1('p := v if { v := input.v }');
  t.same(r.head, { ref: [v('p')], value: v('v'), assign: true, contains: false });
  t.same(r.body, [ex(call('assign', v('v'), ref(v('input'), s('v'))))]);
  t.same(rule1('p if input.x > 2').body, [ex(call('gt', ref(v('input'), s('x')), n(2)))]);
  t.same(rule1('p if not input.x').body, [ex(ref(v('input'), s('x')), { negated: true })]);
});

t.test('multi-value rules (contains)', async (t) => {
  t.same(rule1('p contains x if { some x in input.xs }'), {
    head: { ref: [v('p')], key: v('x'), assign: false, contains: true },
    body: [{ kind: 'somein', key: null, value: v('x'), collection: ref(v('input'), s('xs')), negated: false, with: [] }],
    default: false,
    elses: [],
  });
  t.same(rule1('a.b contains x if x := 1').head, { ref: [v('a'), s('b')], key: v('x'), assign: false, contains: true });
  t.same(rule1('p contains "a"'), { head: { ref: [v('p')], key: s('a'), assign: false, contains: true }, body: [], default: false, elses: [] });
});

t.test('ref heads', async (t) => {
  t.same(rule1('p[k] := v if { k := "a"; v := 1 }').head, { ref: [v('p'), v('k')], value: v('v'), assign: true, contains: false });
  t.same(rule1('a.b[x] := y if { x := 1; y := 2 }').head, { ref: [v('a'), s('b'), v('x')], value: v('y'), assign: true, contains: false });
  t.same(rule1('a.b.c := 1').head, { ref: [v('a'), s('b'), s('c')], value: n(1), assign: true, contains: false });
  t.same(rule1('p[x] if x := 1').head, { ref: [v('p'), v('x')], assign: false, contains: false }, 'p[x] if: single value true');
  t.same(rule1('p.q[r].s := 1 if r := "x"').head.ref, [v('p'), s('q'), v('r'), s('s')]);
  t.same(rule1('p["a b"] := 1').head.ref, [v('p'), s('a b')]);
  t.same(rule1('p.else.q := 1').head.ref, [v('p'), s('else'), s('q')], 'keywords after a dot are names');
});

t.test('else chains', async (t) => {
  const r = rule1(`p := 1 if {
  input.a
} else := 2 if {
  input.b
} else := 3`);
  t.same(r.head.value, n(1));
  t.same(strip(r.elses), [
    { value: n(2), body: [ex(ref(v('input'), s('b')))] },
    { value: n(3), body: [] },
  ]);
  t.same(strip(rule1('p = 1 if { false } else = x if { x := 2 }').elses), [{ value: v('x'), body: [ex(call('assign', v('x'), n(2)))] }]);
  // OPA's Rego v1 check covers every else branch: `if` is required before its body
  t.throws(() => rule1('p = 1 if { false } else = x { x := 2 }'), { message: /`if` keyword is required before rule body/ });
  t.same(strip(rule1('p if { false } else if { true } else := false').elses), [{ body: [ex(b(true))] }, { value: b(false), body: [] }]);
  t.same(strip(rule1('f(x) := 1 if x > 1 else := 2').elses), [{ value: n(2), body: [] }]);
  const withLoc = mod('package p\np := 1 if {\n  false\n} else := 2').rules[0];
  t.same(withLoc.elses[0].loc, { file: 'test.rego', row: 4, col: 3 });
});

t.test('functions', async (t) => {
  t.same(rule1('f(x) := y if { y := x + 1 }').head, { ref: [v('f')], args: [v('x')], value: v('y'), assign: true, contains: false });
  t.same(rule1('f(x, y) if { x == y }').head, { ref: [v('f')], args: [v('x'), v('y')], assign: false, contains: false });
  t.same(rule1('f(x) = y { y := x }', 0).head, { ref: [v('f')], args: [v('x')], value: v('y'), assign: false, contains: false });
  t.same(rule1('f(_) := 1').head.args, [v('_')]);
  t.same(rule1('f([a, b]) := a + b').head, {
    ref: [v('f')],
    args: [arr(v('a'), v('b'))],
    value: call('plus', v('a'), v('b')),
    assign: true,
    contains: false,
  });
  t.same(rule1('a.b.f(x) := x').head.ref, [v('a'), s('b'), s('f')]);
  t.same(rule1('f() := 1').head.args, []);
  const two = rules('f(1) := "one"\nf(2) := "two"');
  t.equal(two.length, 2, 'two definitions are two rules');
});

t.test('chained bodies give one rule per body', async (t) => {
  const r = rules('p if { input.a } { input.b }');
  t.equal(r.length, 2);
  t.same(r[1].head, r[0].head);
  t.same(r[1].body, [ex(ref(v('input'), s('b')))]);
});

t.test('rule and expression locations', async (t) => {
  const m = mod('package p\n\ndefault allow := false\n\nallow if {\n  x := 1\n  not y\n}');
  t.same(m.rules[0].loc, { file: 'test.rego', row: 3, col: 1 });
  t.same(m.rules[0].head.loc, { file: 'test.rego', row: 3, col: 9 });
  t.same(m.rules[1].loc, { file: 'test.rego', row: 5, col: 1 });
  t.same(m.rules[1].body[0].loc, { file: 'test.rego', row: 6, col: 3 });
  t.same(m.rules[1].body[1].loc, { file: 'test.rego', row: 7, col: 3 });
  const tm = m.rules[1].body[0];
  t.ok(tm.kind === 'term' && tm.term.type === 'call' && tm.term.args[1].loc.col === 8, 'term column');
});

// ---- bodies and expressions -------------------------------------------------------------

t.test('bodies: new lines, semicolons and comments separate expressions', async (t) => {
  const body = rule1('p if {\n  a := 1; b := 2 # two on one line\n  # a comment line\n  c := a + b\n}').body;
  t.same(
    body.map((e) => e.kind === 'term' && e.term.type === 'call' && e.term.name),
    ['assign', 'assign', 'assign'],
  );
});

t.test('infix operators become OPA calls', async (t) => {
  const ops: [string, string][] = [
    ['==', 'equal'],
    ['!=', 'neq'],
    ['<', 'lt'],
    ['<=', 'lte'],
    ['>', 'gt'],
    ['>=', 'gte'],
    ['+', 'plus'],
    ['-', 'minus'],
    ['*', 'mul'],
    ['/', 'div'],
    ['%', 'rem'],
    ['&', 'and'],
    ['|', 'or'],
  ];
  for (const [op, name] of ops) t.same(term(`a ${op} b`), call(name, v('a'), v('b')), op);
  t.same(query('x = 1'), [ex(call('eq', v('x'), n(1)))]);
  t.same(query('x := 1'), [ex(call('assign', v('x'), n(1)))]);
  t.same(term('x in xs'), call('internal.member_2', v('x'), v('xs')));
  t.same(term('k, v in xs'), call('internal.member_3', v('k'), v('v'), v('xs')));
});

t.test('precedence and associativity follow OPA', async (t) => {
  t.same(term('1 + 2 * 3'), call('plus', n(1), call('mul', n(2), n(3))));
  t.same(term('a - b - c'), call('minus', call('minus', v('a'), v('b')), v('c')));
  t.same(term('a / b * c'), call('mul', call('div', v('a'), v('b')), v('c')));
  t.same(term('a & b | c'), call('or', call('and', v('a'), v('b')), v('c')));
  t.same(term('a | b & c'), call('or', v('a'), call('and', v('b'), v('c'))));
  // OPA's parser binds | and & tighter than comparisons: `a == b | c` is equal(a, or(b, c)).
  t.same(term('a == b | c'), call('equal', v('a'), call('or', v('b'), v('c'))));
  t.same(term('a + 1 < b * 2'), call('lt', call('plus', v('a'), n(1)), call('mul', v('b'), n(2))));
  t.same(term('x + 1 in xs'), call('internal.member_2', call('plus', v('x'), n(1)), v('xs')));
  t.same(term('x == y in xs'), call('internal.member_2', call('equal', v('x'), v('y')), v('xs')));
  t.same(term('(a + b) * c'), call('mul', call('plus', v('a'), v('b')), v('c')));
  t.same(query('x := y == z'), [ex(call('assign', v('x'), call('equal', v('y'), v('z'))))]);
  t.same(query('x := a in b'), [ex(call('assign', v('x'), call('internal.member_2', v('a'), v('b'))))]);
  t.same(query('count(xs) > 0'), [ex(call('gt', call('count', v('xs')), n(0)))]);
});

t.test('unary minus', async (t) => {
  t.same(term('-1'), n(-1, '-1'));
  t.same(term('-1.5e3'), n(-1500, '-1.5e3'));
  // OPA's parser reads "-" only as the sign of a number literal (v1/ast/parser.go parseTerm →
  // parseNumber, "expected number"): a minus before anything else is a parse error.
  for (const src of ['-x', '-input.x', '-f(x)', '- -1', '--1', '2 * -x', '[1, -x]']) {
    t.throws(() => term(src), /expected a number after "-"/, src);
  }
  t.same(term('- 1'), n(-1, '-1'), 'whitespace between sign and digits, as OPA scans it');
  t.same(term('2 - -1'), call('minus', n(2), n(-1, '-1')));
  t.same(term('x-1'), call('minus', v('x'), n(1)));
  t.same(term('[1, -2]'), arr(n(1), n(-2, '-2')));
});

t.test('calls', async (t) => {
  t.same(term('f(x)'), call('f', v('x')));
  t.same(term('a.b.c(x, 1)'), call('a.b.c', v('x'), n(1)));
  t.same(term('data.lib.f(x)'), call('data.lib.f', v('x')));
  t.same(term('f()'), call('f'));
  t.same(term('f(x,)'), call('f', v('x')), 'trailing comma');
  t.same(term('set()'), call('set'));
  t.same(term('f(x).y[0]'), ref(call('f', v('x')), s('y'), n(0)));
  t.same(term('contains("abc", "b")'), call('contains', s('abc'), s('b')), 'contains is the builtin outside rule heads');
  t.same(term('f(g(x), [1])'), call('f', call('g', v('x')), arr(n(1))));
});

t.test('not, some, every, with', async (t) => {
  t.same(query('not x'), [ex(v('x'), { negated: true })]);
  t.same(query('not f(x) == 1'), [ex(call('equal', call('f', v('x')), n(1)), { negated: true })]);
  t.same(query('some x, y'), [{ kind: 'some', vars: [v('x'), v('y')], negated: false, with: [] }]);
  t.same(query('some x; x = 1'), [{ kind: 'some', vars: [v('x')], negated: false, with: [] }, ex(call('eq', v('x'), n(1)))]);
  t.same(query('some x in xs'), [{ kind: 'somein', key: null, value: v('x'), collection: v('xs'), negated: false, with: [] }]);
  t.same(query('some k, v in xs'), [{ kind: 'somein', key: v('k'), value: v('v'), collection: v('xs'), negated: false, with: [] }]);
  t.same(query('some [a, b] in xs'), [{ kind: 'somein', key: null, value: arr(v('a'), v('b')), collection: v('xs'), negated: false, with: [] }]);
  t.same(query('every x in xs { x > 0 }'), [
    { kind: 'every', key: null, value: v('x'), domain: v('xs'), body: [ex(call('gt', v('x'), n(0)))], negated: false, with: [] },
  ]);
  t.same(query('every k, v in {"a": 1} {\n  k != v\n}'), [
    {
      kind: 'every',
      key: v('k'),
      value: v('v'),
      domain: obj([s('a'), n(1)]),
      body: [ex(call('neq', v('k'), v('v')))],
      negated: false,
      with: [],
    },
  ]);
  t.same(strip(parseQuery('data.p with input.x as 1 with data.a.b as {"c": 2} with f as g with time.now_ns as 123')[0]), {
    kind: 'term',
    term: ref(v('data'), s('p')),
    negated: false,
    with: [
      { target: ref(v('input'), s('x')), value: n(1) },
      { target: ref(v('data'), s('a'), s('b')), value: obj([s('c'), n(2)]) },
      { target: v('f'), value: v('g') },
      { target: ref(v('time'), s('now_ns')), value: n(123) },
    ],
  });
  t.same(query('not allow with input as {}'), [ex(v('allow'), { negated: true, with: [{ target: v('input'), value: obj() }] })]);
});

// ---- terms ----------------------------------------------------------------------------

t.test('scalars', async (t) => {
  t.same(term('null'), nul);
  t.same(term('true'), b(true));
  t.same(term('false'), b(false));
  t.same(term('42'), n(42));
  t.same(term('0'), n(0));
  t.same(term('3.14'), n(3.14));
  t.same(term('1e3'), n(1000, '1e3'));
  t.same(term('2.5E-2'), n(0.025, '2.5E-2'));
  t.same(term('.5'), n(0.5, '.5'));
});

t.test('integers beyond 2^53 stay exact', async (t) => {
  t.same(term('9007199254740993'), n(9007199254740993n, '9007199254740993'));
  t.same(term('-9007199254740993'), n(-9007199254740993n, '-9007199254740993'));
  t.same(term('9007199254740991'), n(9007199254740991), 'the largest safe integer is a number');
  t.same(term('123456789012345678901234567890'), n(123456789012345678901234567890n, '123456789012345678901234567890'));
});

t.test('strings: escapes, unicode, raw strings', async (t) => {
  t.same(term(String.raw`"a\"b\\c\/d\be\ff\ng\rh\ti"`), s('a"b\\c/d\be\ff\ng\rh\ti'));
  t.same(term(String.raw`"\u00e9\u20AC"`), s('é€'));
  t.same(term(String.raw`"\ud83d\ude00"`), s('😀'), 'surrogate pair');
  t.same(term(String.raw`"\ud83d!"`), s('\ufffd!'), 'lone surrogate becomes U+FFFD');
  t.same(term('"héllo 😀"'), s('héllo 😀'));
  t.same(term('`a\\nb\n"c"`'), s('a\\nb\n"c"'), 'raw string: no escapes, may span lines');
  t.same(term('""'), s(''));
});

t.test('CRLF line endings, tabs, Unicode names', async (t) => {
  const m = mod('package p\r\n\r\nallow if {\r\n\tinput.x == 1\r\n}\r\n');
  t.same(m.rules[0].loc, { file: 'test.rego', row: 3, col: 1 });
  t.same(m.rules[0].body[0].loc, { file: 'test.rego', row: 4, col: 2 });
  t.same(term('straße.größe'), ref(v('straße'), s('größe')));
  t.same(term('"\u00e9" == é'), call('equal', s('é'), v('é')));
});

t.test('imports may follow rules; keywords become active from the import on (v0)', async (t) => {
  const m = mod('package p\np := 1\nimport data.x', 0);
  t.equal(m.imports.length, 1);
  t.equal(m.rules.length, 1);
});

t.test('vars and refs', async (t) => {
  t.same(term('x'), v('x'));
  t.same(term('input'), v('input'), 'a bare root document is a var');
  t.same(term('_'), v('_'));
  t.same(term('a.b[c]["d"][0]'), ref(v('a'), s('b'), v('c'), s('d'), n(0)));
  t.same(term('input.x[_].y'), ref(v('input'), s('x'), v('_'), s('y')));
  t.same(term('[1, 2][i]'), ref(arr(n(1), n(2)), v('i')));
  t.same(term('{"a": 1}.a'), ref(obj([s('a'), n(1)]), s('a')));
  t.same(term('[x | x := 1][0]'), { type: 'ref', head: { type: 'arraycompr', term: v('x'), body: [ex(call('assign', v('x'), n(1)))] }, path: [n(0)] });
  t.same(term('input.in.if.contains.not'), ref(v('input'), s('in'), s('if'), s('contains'), s('not')), 'keywords in refs');
  t.same(term('a[x + 1]'), ref(v('a'), call('plus', v('x'), n(1))));
  t.same(term('(a.b).c'), ref(v('a'), s('b'), s('c')));
  t.same(query('x := a\n[1] == y'), [ex(call('assign', v('x'), v('a'))), ex(call('equal', arr(n(1)), v('y')))], 'a [ on a new line is not a ref');
});

t.test('arrays, objects, sets', async (t) => {
  t.same(term('[]'), arr());
  t.same(term('[1, "a", [true]]'), arr(n(1), s('a'), arr(b(true))));
  t.same(term('[1, 2,]'), arr(n(1), n(2)), 'trailing comma');
  t.same(term('{}'), obj(), '{} is an empty object');
  t.same(term('{"a": 1, "b": [2]}'), obj([s('a'), n(1)], [s('b'), arr(n(2))]));
  t.same(term('{[1]: x, {2}: "y", k: 3}'), obj([arr(n(1)), v('x')], [set(n(2)), s('y')], [v('k'), n(3)]), 'keys can be any term');
  t.same(term('{1, 2}'), set(n(1), n(2)));
  t.same(term('{x}'), set(v('x')));
  t.same(term('{a + 1: b}'), obj([call('plus', v('a'), n(1)), v('b')]));
  t.same(term('{\n  "a": 1,\n  "b": 2,\n}'), obj([s('a'), n(1)], [s('b'), n(2)]));
});

t.test('comprehensions', async (t) => {
  t.same(term('[x | x := xs[_]]'), { type: 'arraycompr', term: v('x'), body: [ex(call('assign', v('x'), ref(v('xs'), v('_'))))] });
  t.same(term('{x | some x in xs; x > 1}'), {
    type: 'setcompr',
    term: v('x'),
    body: [{ kind: 'somein', key: null, value: v('x'), collection: v('xs'), negated: false, with: [] }, ex(call('gt', v('x'), n(1)))],
  });
  t.same(term('{k: v |\n  some k, v in o\n  v > 1\n}'), {
    type: 'objectcompr',
    key: v('k'),
    value: v('v'),
    body: [{ kind: 'somein', key: v('k'), value: v('v'), collection: v('o'), negated: false, with: [] }, ex(call('gt', v('v'), n(1)))],
  });
  t.same(parseTerm('[[x, y] | x := 1; y := 2]').type, 'arraycompr');
  // OPA: if the body is followed by a comma, the brackets are a list whose first item is a union.
  t.same(term('[x | y, 5]'), arr(call('or', v('x'), v('y')), n(5)));
  t.same(term('{x | y, 5}'), set(call('or', v('x'), v('y')), n(5)));
  t.same(term('[x | y, 5 in {5}]'), {
    type: 'arraycompr',
    term: v('x'),
    body: [ex(call('internal.member_3', v('y'), n(5), set(n(5))))],
  });
});

t.test('a rule body after "if" that is one brace-led expression', async (t) => {
  // As in OPA: `{ ... }` after `if` is first read as one expression, and is a body only
  // when that expression would be a set literal.
  t.same(
    rule1('x if { 1:2 | some p in [1, 2] }').body[0],
    ex({
      type: 'objectcompr',
      key: n(1),
      value: n(2),
      body: [{ kind: 'somein', key: null, value: v('p'), collection: arr(n(1), n(2)), negated: false, with: [] }],
    }),
  );
  t.same(rule1('x if { true }').body, [ex(b(true))]);
  t.same(rule1('x if { input.a == 1 }').body, [ex(call('equal', ref(v('input'), s('a')), n(1)))]);
});

// ---- queries and parseTerm ------------------------------------------------------------

t.test('queries', async (t) => {
  t.same(query('data.test.p = x'), [ex(call('eq', ref(v('data'), s('test'), s('p')), v('x')))]);
  t.same(query('x := 1; y := x + 1'), [ex(call('assign', v('x'), n(1))), ex(call('assign', v('y'), call('plus', v('x'), n(1))))]);
  const multi = parseQuery('x := [1,\n  2]\ny := count(x)\n', 'q.rego');
  t.equal(multi.length, 2);
  t.same(multi[1].loc, { file: 'q.rego', row: 3, col: 1 });
  const body: Body = parseQuery('true');
  t.equal(body.length, 1);
});

t.test('parseTerm', async (t) => {
  t.same(term('{"a": [1, {"b": null}]}'), obj([s('a'), arr(n(1), obj([s('b'), nul]))]));
  parseError(t, () => parseTerm('1 2'), 1, 3, 'unexpected input after the term', 'term');
});

// ---- Rego v0 ----------------------------------------------------------------------------

t.test('Rego v0: rules without if, p[x] partial sets, keywords only by import', async (t) => {
  const m = mod(
    `package p
allow { input.x }
deny[msg] { msg := "no" }
obj[k] = v { k := "a"; v := 1 }
default d = 1
e = 1 { false } else = 2 { true }
f(x) { contains(x, "a") }
`,
    0,
  );
  t.equal(m.regoVersion, 0);
  const r = strip(m.rules) as Rule[];
  t.same(r[0].head, { ref: [v('allow')], assign: false, contains: false });
  t.same(r[1].head, { ref: [v('deny')], key: v('msg'), assign: false, contains: true });
  t.same(r[2].head, { ref: [v('obj'), v('k')], value: v('v'), assign: false, contains: false });
  t.equal(r[3].default, true);
  t.same(strip(r[4].elses), [{ value: n(2), body: [ex(b(true))] }]);
  t.same(r[5].body, [ex(call('contains', v('x'), s('a')))], 'contains is a plain name in v0');
  t.same(rule1('p { x := in }', 0).body, [ex(call('assign', v('x'), v('in')))], '"in" is a var in v0 without the import');
});

t.test('Rego v0 with future keywords and rego.v1 imports', async (t) => {
  const m = mod('package p\nimport future.keywords.if\nimport future.keywords.in\np if { 1 in [1] }\nq { true }', 0);
  t.equal(m.regoVersion, 0);
  t.equal(m.rules.length, 2);
  const m1 = mod('package p\nimport rego.v1\np if { true }', 0);
  t.equal(m1.regoVersion, 1, 'import rego.v1 makes a v0 module v1');
  parseError(t, () => mod('package p\nimport rego.v1\nq { true }', 0), 3, 3, 'rule body must be introduced with "if"');
  parseError(t, () => mod('package p\np if { true }', 0), 2, 3, '"if" is a keyword only with "import rego.v1" or "import future.keywords.if"');
  parseError(t, () => mod('package p\np { x in [1] }', 0), 2, 7, '"in" is a keyword only with "import rego.v1"');
});

// ---- errors -----------------------------------------------------------------------------

t.test('parse errors name what was expected, with file:line:col', async (t) => {
  parseError(t, () => mod('package p\np if {\n  x ==\n}'), 4, 1, 'unexpected "}", expected a term');
  parseError(t, () => mod('package p\np { true }'), 2, 3, 'rule body must be introduced with "if" (Rego v1): write "p if { ... }"');
  parseError(t, () => mod('package p\np[x] { x := 1 }'), 2, 6, 'write "p[x] if { ... }", or "p contains x if { ... }" for a partial set');
  parseError(t, () => mod('package p\np.a { true }'), 2, 5, 'rule body must be introduced with "if" (Rego v1): write "p.a if { ... }"');
  parseError(t, () => mod('package p\np[x] := 1 { true }'), 2, 11, 'write "p[x] := 1 if { ... }"');
  parseError(t, () => mod('package p\np contains x { x := 1 }'), 2, 14, 'write "p contains x if { ... }"');
  parseError(t, () => mod('package p\np[x]'), 2, 1, 'in Rego v1 a partial set rule is written with "contains": p contains x');
  parseError(t, () => mod('package p\np.a'), 2, 1, 'p contains "a" (or give it a value: p.a := <value>)');
  parseError(t, () => mod('package p\nx := $"a{1"'), 2, 6, 'expected } to end template string expression');
  parseError(t, () => mod('package p\nx := $"a{1 +}"'), 2, 6, 'invalid template string expression {1 +}');
  parseError(t, () => mod('package p\np := "abc'), 2, 6, 'unterminated string');
  parseError(t, () => mod('package p\np := "abc\ndef"'), 2, 6, 'unterminated string');
  parseError(t, () => mod('package p\np := "a\\qb"'), 2, 8, 'invalid escape \\q in string');
  parseError(t, () => mod('package p\np := "\\u12"'), 2, 7, 'invalid escape \\u12 in string');
  parseError(t, () => mod('package p\np := `abc'), 2, 6, 'unterminated raw string');
  parseError(t, () => mod('package p\nf(x) if {\n  x == 1\n'), 4, 1, 'unexpected end of input, expected "}"');
  parseError(t, () => mod('p := 1'), 1, 1, 'expected "package <name>" as the first statement');
  parseError(t, () => mod(''), 1, 1, 'empty module');
  parseError(t, () => mod('package p\np := 01'), 2, 6, 'leading zeros');
  parseError(t, () => mod('package p\np := 1e'), 2, 6, 'the exponent needs digits');
  parseError(t, () => mod('package p\np := 1e40000'), 2, 6, 'too big'); // past OPA's limit (binary exponent 1e5)
  parseError(t, () => mod('package p\np if { x := 1 y := 2 }'), 2, 15, 'expected ";", a new line or "}" after an expression');
  parseError(t, () => mod('package p\np if { not some x in xs }'), 2, 12, '"some" cannot be negated');
  parseError(t, () => mod('package p\ndefault p := x'), 2, 14, 'default rule value must be a constant, not a variable');
  parseError(t, () => mod('package p\ndefault p := 1 if { true }'), 2, 16, 'a default rule cannot have a body');
  parseError(t, () => mod('package p\ndefault f(x, x) := 1'), 2, 14, 'default function argument "x" is repeated');
  parseError(t, () => mod('package p\np contains x if { x := 1 } else := 2'), 2, 28, '"else" cannot be used on multi-value');
  parseError(t, () => mod('package p\np := 1 else := 2'), 2, 8, '"else" must follow a rule body');
  parseError(t, () => mod('package p\np[x] := 1 if { x := 1 } else := 2'), 2, 25, 'variables in the head');
  parseError(t, () => mod('package p\np'), 2, 1, 'rule "p" needs a value');
  parseError(t, () => mod('package p\ninput.x == 1'), 2, 9, 'a module can only contain rules');
  parseError(t, () => mod('package p\npackage q'), 2, 1, 'only one "package"');
  parseError(t, () => mod('package p\np if { x := {} }\n@'), 3, 1, 'unexpected character "@"');
  parseError(t, () => mod('package p\np if { !x }'), 2, 8, 'use "not" to negate');
  parseError(t, () => mod('package p\np if { every x in xs }'), 2, 22, 'expected "{" to start the body of "every"');
  parseError(t, () => mod('package p\np if { every [a] in xs { true } }'), 2, 14, 'must be a variable');
  parseError(t, () => mod('package p\np if { some 1 }'), 2, 13, '"some" must be followed by variables');
  parseError(t, () => mod('package p\np if { x := "a"[0] }'), 2, 16, 'cannot index or call a string');
  parseError(t, () => mod('package p\np if { x with 1 as 2 }'), 2, 15, 'expected a "with" target');
  parseError(t, () => mod('package p\np if { x with input }'), 2, 21, 'expected "as" after the "with" target');
  parseError(t, () => mod('package p\np if { x := [1, 2 }'), 2, 19, 'expected "," or "]"');
  parseError(t, () => mod('package p\np if { x := {"a" 1} }'), 2, 18, 'expected "," or "}"');
  parseError(t, () => mod('package p\np if { x := [y | ] }'), 2, 18, 'empty body');
  parseError(t, () => mod('package p\np contains x if { x := 1 }\nf(x) contains 1'), 3, 6, '"contains" cannot be used in a function');
  parseError(t, () => parseQuery(''), 1, 1, 'empty query', 'query');
  parseError(t, () => parseQuery('x := 1;', 'q'), 1, 8, 'expected a term', 'q');
  parseError(t, () => mod('package p\np if { if }'), 2, 8, 'unexpected keyword "if", expected a term');
});

t.test('hostile nesting is a parse error, not a stack overflow', async (t) => {
  const nested = (depth: number) => `package p\nx := ${'['.repeat(depth)}1${']'.repeat(depth)}`;
  const ok = mod(nested(MAX_DEPTH - 10));
  t.equal(ok.rules.length, 1, 'deep but allowed nesting parses');
  parseError(t, () => mod(nested(MAX_DEPTH + 1)), 2, 6 + MAX_DEPTH, 'nested too deeply');
  let err: unknown;
  try {
    mod(nested(200000));
  } catch (e) {
    err = e;
  }
  t.ok(err instanceof RegoError && err.code === 'rego_parse_error', '200000 levels: a parse error');
  for (const src of [
    `x := ${'{"a": '.repeat(5000)}1${'}'.repeat(5000)}`,
    `x := ${'('.repeat(5000)}1${')'.repeat(5000)}`,
    `x := ${'f('.repeat(5000)}1${')'.repeat(5000)}`,
    `x := ${'a['.repeat(5000)}1${']'.repeat(5000)}`,
    `x if { ${'[y | '.repeat(3000)}1${']'.repeat(3000)} }`,
    `x if { ${'every x in xs { '.repeat(3000)}true${' }'.repeat(3000)} }`,
    `x := 1${' + 1'.repeat(5000)}`,
    `x := 1${' in 1'.repeat(5000)}`,
  ]) {
    let e2: unknown;
    try {
      mod(`package p\n${src}`);
    } catch (e) {
      e2 = e;
    }
    t.ok(e2 instanceof RegoError && e2.code === 'rego_parse_error' && /nested too deeply/.test(e2.message), `refused: ${src.slice(0, 20)}...`);
  }
  // A run of minus signs is refused at the second one (no unary minus), whatever its length.
  t.throws(() => mod(`package p\nx := ${'-'.repeat(5000)}y`), /expected a number after "-"/, 'many minus signs: a parse error');
  // Every construct nested just under the limit still parses on the default stack.
  const D = MAX_DEPTH - 5;
  const H = Math.floor(MAX_DEPTH / 2) - 5; // refs and comprehensions count two levels each
  for (const [name, src] of [
    ['objects', `x := ${'{"a": '.repeat(D)}1${'}'.repeat(D)}`],
    ['sets', `x := ${'{1, '.repeat(D)}1${'}'.repeat(D)}`],
    ['parens', `x := ${'(1 + '.repeat(D)}1${')'.repeat(D)}`],
    ['calls', `x := ${'f('.repeat(D)}1${')'.repeat(D)}`],
    ['refs', `x := ${'a['.repeat(H)}1${']'.repeat(H)}`],
    ['comprehensions', `x := ${'[y | '.repeat(H)}1${']'.repeat(H)}`],
    ['every', `x if { ${'every x in xs { '.repeat(D)}true${' }'.repeat(D)} }`],
    ['operators', `x := 1${' + 1'.repeat(D)}`],
  ]) {
    t.equal(mod(`package p\n${src}`).rules.length, 1, `${name} nested ${name === 'refs' || name === 'comprehensions' ? H : D} deep`);
  }
  // Backtracking points (comprehension vs. list, `k, v in`) must stay linear.
  const start = Date.now();
  const back = `package p\nx := ${'[y | '.repeat(400)}z, )${']'.repeat(400)}`;
  parseError(t, () => mod(back), 2, 6 + 5 * 400 + 3, 'unexpected ")", expected a term');
  const tricky = `package p\nx := ${'[a | b, '.repeat(300)}1${']'.repeat(300)}`;
  t.equal(mod(tricky).rules.length, 1);
  t.ok(Date.now() - start < 20000, 'no exponential backtracking');
});

// ---- conformance smoke test -------------------------------------------------------------

const CONFORMANCE = join(import.meta.dirname, '..', '..', '..', 'shared', 'conformance');

interface Case {
  note?: string;
  modules?: string[];
  query?: string;
  input_term?: string;
  error?: string;
}

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) yamlFiles(p, out);
    else if (e.endsWith('.yaml') || e.endsWith('.yml')) out.push(p);
  }
  return out;
}

// opa-v1 files whose modules are written in pre-v1 syntax (rule bodies without `if`) although
// they sit in OPA's v1 folder; shared/conformance/README.md lists them (the deprecated builtins
// `all`, `any`, `re_match`, `net.cidr_overlap`, `cast_*`). No case field marks them as v0, and
// OPA's own harness (topdown TestRego) compiles the whole v1 folder as Rego v1, so OPA rejects
// them too (they are known failures in conformance/known-failures.json). Each must fail to
// parse as v1 with the missing-`if` error, and parse as v0.
const PRE_V1_FILES = /^opa-v1\/(all\/|any\/|netcidroverlap\/|regexmatch\/test-regexmatch-08(5[5-9]|60)\.yaml$|casts\/test-casts-00(7[7-9]|8[0-3])\.yaml$)/;

// Modules OPA parses that this parser refuses on purpose, with the expected message. None
// now: number literals of any size parse (kept exact, as OPA keeps them).
const REFUSED_ON_PURPOSE: Record<string, RegExp> = {};

t.test('every v1 module of the conformance suites parses', { skip: existsSync(CONFORMANCE) ? false : `no conformance data at ${CONFORMANCE}` }, async (t) => {
  const failures: string[] = [];
  const counts = { v1: 0, v1ok: 0, v0: 0, v0ok: 0, preV1: 0, refused: 0, expectedError: 0, queries: 0, terms: 0 };
  const refusedSeen = new Set<string>();
  for (const file of yamlFiles(CONFORMANCE)) {
    const rel = relative(CONFORMANCE, file);
    for (const doc of YAML.parseAllDocuments(readFileSync(file, 'utf8'))) {
      const cases = ((doc.toJS() as { cases?: Case[] } | null)?.cases ?? []) as Case[];
      for (const c of cases) {
        if (c.error === undefined && typeof c.query === 'string') {
          counts.queries++;
          try {
            parseQuery(c.query, `${rel} query`);
          } catch (e) {
            failures.push(`${c.note ?? '?'} (query): ${e instanceof Error ? e.message : String(e)}`);
          }
        }
        if (typeof c.input_term === 'string') {
          counts.terms++;
          try {
            parseTerm(c.input_term);
          } catch (e) {
            failures.push(`${c.note ?? '?'} (input_term): ${e instanceof Error ? e.message : String(e)}`);
          }
        }
        (c.modules ?? []).forEach((src, idx) => {
          const name = `${rel}#${idx}`;
          const regorus = rel.startsWith('regorus/');
          if (PRE_V1_FILES.test(rel)) {
            counts.preV1++;
            let v1err: unknown;
            try {
              parseModule(name, src, { regoVersion: 1 });
            } catch (e) {
              v1err = e;
            }
            if (!(v1err instanceof RegoError && v1err.code === 'rego_parse_error' && v1err.detail.includes('rule body must be introduced with "if"'))) {
              failures.push(`${c.note ?? '?'}: listed as pre-v1 syntax but v1 parsing gave ${v1err instanceof Error ? v1err.message : 'no error'}`);
            }
            try {
              parseModule(name, src, { regoVersion: 0 });
            } catch (e) {
              failures.push(`${c.note ?? '?'} (as v0): ${e instanceof Error ? e.message : String(e)}`);
            }
            return;
          }
          const refused = REFUSED_ON_PURPOSE[name];
          if (refused !== undefined) {
            counts.refused++;
            refusedSeen.add(name);
            try {
              parseModule(name, src, { regoVersion: 1 });
              failures.push(`${c.note ?? '?'}: expected the parser to refuse it (${refused}), but it parsed`);
            } catch (e) {
              if (!(e instanceof RegoError && refused.test(e.message)))
                failures.push(`${c.note ?? '?'}: expected ${refused}, got ${e instanceof Error ? e.message : String(e)}`);
            }
            return;
          }
          // regorus modules without `import rego.v1` are v0 syntax.
          const v0 = regorus && !/^\s*import\s+rego\.v1\b/m.test(src);
          // regorus cases with `error` may fail at parse time on purpose; its `or` folder is a regorus-only extension.
          const mayFail = c.error !== undefined || rel.startsWith('regorus/rego-extensions/');
          if (mayFail) {
            counts.expectedError++;
            return;
          }
          let err = '';
          try {
            parseModule(name, src, { regoVersion: v0 ? 0 : 1 });
          } catch (e) {
            err = e instanceof Error ? e.message : String(e);
          }
          if (v0) {
            counts.v0++;
            if (!err) counts.v0ok++;
          } else {
            counts.v1++;
            if (!err) counts.v1ok++;
          }
          // v0-labelled regorus modules may use v1 syntax (regorus defaults to v1): accept either.
          if (err && v0 && regorus) {
            try {
              parseModule(name, src, { regoVersion: 1 });
              if (v0) counts.v0ok++;
              return;
            } catch {
              /* reported below */
            }
          }
          if (err) failures.push(`${c.note ?? '?'}: ${err}`);
        });
      }
    }
  }
  t.comment(
    `conformance modules: v1 ${counts.v1ok}/${counts.v1}, v0 ${counts.v0ok}/${counts.v0}, ` +
      `pre-v1 in a v1 folder (v1 error + v0 parse checked) ${counts.preV1}, refused on purpose ${counts.refused}, ` +
      `skipped (case expects an error) ${counts.expectedError}; queries ${counts.queries}, input terms ${counts.terms}`,
  );
  t.same(failures, [], 'no module that should parse fails');
  t.same(
    Object.keys(REFUSED_ON_PURPOSE).filter((k) => !refusedSeen.has(k)),
    [],
    'every module listed as refused on purpose was seen',
  );
  t.ok(counts.v1 > 1000, 'the suite was actually read');
});
