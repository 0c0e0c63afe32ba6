// The language examples of issue 14 ("Rego fidelity on real policy libraries"), each checked
// against OPA's documented behaviour: bodiless rule and function heads (OPA's parser turns a
// body statement such as `f("a", _)` into a rule), OPA's rewriting of negated calls (reference
// and call arguments are bound before the negation), and numbers kept exact as OPA keeps them.
import t from 'tap';
import { compile, parseJSONExact, RegoCompileErrors, stringify, toJSON } from '../../src/rego/index.js';
import { parseNumberText } from '../../src/rego/value.js';
import { pol, table } from '../helpers/engine-harness.js';

t.test('bodiless function heads are functions that are true for those arguments (v1 and v0)', async (t) => {
  const sources = {
    1: 'package p\nf("a", _)\nr1 if f("a", 1)\nr2 if not f("b", 1)\n',
    0: 'package p\nf("a", _)\nr1 { f("a", 1) }\nr2 { not f("b", 1) }\n',
  };
  for (const regoVersion of [1, 0] as const) {
    const c = compile([{ file: 'a.rego', source: sources[regoVersion], regoVersion }]);
    table(t, c, [
      [`v${regoVersion}: f("a", 1)`, 'p.r1', undefined, true],
      [`v${regoVersion}: not f("b", 1)`, 'p.r2', undefined, true],
    ]);
  }
});

t.test('bodiless ref heads: v0 reads them as OPA does, v1 refuses them as OPA does', async (t) => {
  const c = compile([{ file: 'a.rego', regoVersion: 0, source: 'package q\na.b.c\ns["x"]\ns[y] { y := "z" }\n' }]);
  t.strictSame(toJSON(c.evaluate('q').value!), { a: { b: { c: true } }, s: ['x', 'z'] });
  // OPA v1: "rule must have value assignment and/or body declaration"; p[x] needs `contains`.
  for (const src of ['p.a.b', 'p[x]', 'p']) {
    t.throws(() => compile([{ file: 'a.rego', source: `package q\n${src}\n` }]), RegoCompileErrors, `v1 refuses bodiless ${src}`);
  }
});

t.test('negation: reference arguments of a negated call are bound before it (OPA)', async (t) => {
  const p = pol(`
f(_) := true
r1 if not f(input.missing)
r2 if not startswith(input.missing, "a")
r3 if not startswith(input.x, "a")
r4 if not input.missing
r5 if not f(g(input.missing))
g(x) := x
r6 if not f(input.x) with input.x as 1
r7 if not [g(input.missing)]
none_is_3 if not input.xs[_] == 3
`);
  table(t, p, [
    ['not f(input.missing) is undefined', 't.r1', { x: 'b' }, undefined],
    ['not startswith(input.missing, "a") is undefined', 't.r2', { x: 'b' }, undefined],
    ['a defined argument is negated as before', 't.r3', { x: 'b' }, true],
    ['a negated reference is still true when undefined', 't.r4', { x: 'b' }, true],
    ['a nested call is bound before the negation', 't.r5', {}, undefined],
    ["the bound argument sees the expression's with", 't.r6', {}, undefined],
    ['calls inside a negated composite are bound first', 't.r7', {}, undefined],
    ['a wildcard only inside the negation stays inside it', 't.none_is_3', { xs: [1, 3] }, undefined],
    ['... and holds when no element matches', 't.none_is_3', { xs: [1, 2] }, true],
  ]);
});

t.test('numbers of any size and exponent are kept exact, as OPA keeps them', async (t) => {
  const p = pol(`
x := 1e1000
z := {"z": 123456789012345678901234567890e0}
y := 2.50e2
h := 0.5
eq if 1e1000 == 10e999
sum := 1e30 + 1
`);
  const v = p.evaluate('t').value!;
  t.equal(stringify(v), `{"eq":true,"h":0.5,"sum":1${'0'.repeat(29)}1,"x":1${'0'.repeat(1000)},"y":250,"z":{"z":123456789012345678901234567890}}`);
  t.throws(() => pol('x := 1e40000'), RegoCompileErrors, 'past OPA limit: number too big');
  t.equal(parseNumberText('123456789012345678901234567890e0'), 123456789012345678901234567890n);
  t.equal(parseNumberText('1.25e1'), 12.5);
  t.equal(parseNumberText('-1.20e1'), -12);
  t.equal(parseNumberText('0.0'), 0);
  t.equal(parseNumberText('1e-2'), 0.01);
  t.equal(parseNumberText('12a'), null);
  t.strictSame(parseJSONExact('{"a": 123456789012345678901234567890e0, "b": [1.5, 2]}'), { a: 123456789012345678901234567890n, b: [1.5, 2] });
});

t.test('rego.metadata.rule() and rego.metadata.chain() with # METADATA annotations and OPA scoping', async (t) => {
  const c = compile([
    {
      file: 'a.rego',
      source: `# METADATA
# scope: subpackages
# organizations: [Acme]
package lib

# METADATA
# title: root rule
r := rego.metadata.chain()
`,
    },
    {
      file: 'b.rego',
      source: `# METADATA
# description: The library
package lib.k8s

# METADATA
# scope: document
# title: Deny
# authors:
# - Jane Doe <jane@example.com>
# - Bob
# related_resources:
# - https://example.com/deny
deny contains msg if {
  false
  msg := "x"
}

# METADATA
# title: Deny pods
# custom:
#   severity: high
deny contains msg if {
  input.kind == "Pod"
  msg := sprintf("%s: %s", [rego.metadata.rule().title, rego.metadata.rule().custom.severity])
}

chain := rego.metadata.chain()
own := rego.metadata.rule()
`,
    },
  ]);
  t.strictSame(toJSON(c.evaluate('lib.k8s.deny', { input: { kind: 'Pod' } }).value!), ['Deny pods: high']);
  t.strictSame(toJSON(c.evaluate('lib.k8s.own').value!), {}, 'no rule-scoped annotation: an empty object');
  t.strictSame(toJSON(c.evaluate('lib.k8s.chain').value!), [
    { path: ['lib', 'k8s', 'chain'] },
    { path: ['lib', 'k8s'], annotations: { description: 'The library', scope: 'package' } },
    { path: ['lib'], annotations: { organizations: ['Acme'], scope: 'subpackages' } },
  ]);
  t.strictSame(toJSON(c.evaluate('lib.r').value!), [
    { path: ['lib', 'r'], annotations: { scope: 'rule', title: 'root rule' } },
    { path: ['lib'], annotations: { organizations: ['Acme'], scope: 'subpackages' } },
  ]);
  const withDoc = compile([
    {
      file: 'c.rego',
      source: `package d
# METADATA
# scope: document
# authors:
# - Jane Doe <jane@example.com>
# - Bob
# related_resources:
# - https://example.com/deny
p := 1 if false

p := rego.metadata.chain()
`,
    },
  ]);
  t.strictSame(toJSON(withDoc.evaluate('d.p').value!), [
    { path: ['d', 'p'] },
    {
      path: ['d', 'p'],
      annotations: {
        authors: [{ name: 'Jane Doe', email: 'jane@example.com' }, { name: 'Bob' }],
        related_resources: [{ ref: 'https://example.com/deny' }],
        scope: 'document',
      },
    },
  ]);
  t.throws(
    () => compile([{ file: 'e.rego', source: 'package e\n# METADATA\n# scope: package\np := 1\n' }]),
    RegoCompileErrors,
    'package scope on a rule is refused',
  );
  t.throws(() => compile([{ file: 'e.rego', source: 'package e\n# METADATA\n# nonsense: 1\np := 1\n' }]), RegoCompileErrors, 'unknown fields are refused');
});

t.test('rego.parse_module returns OPA AST JSON; a parse error is a builtin error', async (t) => {
  const p = pol(`
m := rego.parse_module("x.rego", input.src)
pkg := m.package.path[1].value
`);
  const src = 'package foo.bar\nimport rego.v1\nimport data.a\np if { a = true }\nf(x) := x + 1\n';
  t.equal(toJSON(p.evaluate('t.pkg', { input: { src } }).value!), 'foo');
  const m = toJSON(p.evaluate('t.m', { input: { src } }).value!) as { imports: unknown[]; rules: { head: { name: string } }[] };
  t.strictSame(m.imports[1], {
    path: {
      type: 'ref',
      value: [
        { type: 'var', value: 'data' },
        { type: 'string', value: 'a' },
      ],
    },
  });
  t.strictSame(
    m.rules.map((r) => r.head.name),
    ['p', 'f'],
  );
  t.strictSame((m.rules[0] as unknown as { body: unknown[] }).body, [
    {
      index: 0,
      terms: [
        { type: 'ref', value: [{ type: 'var', value: 'eq' }] },
        { type: 'var', value: 'a' },
        { type: 'boolean', value: true },
      ],
    },
  ]);
  t.throws(() => p.evaluate('t.m', { input: { src: 'package foo.' }, strict: true }), { code: 'eval_builtin_error', message: /rego_parse_error/ });
  t.equal(p.evaluate('t.m', { input: { src: 'package foo.' } }).defined, false, 'undefined when not strict');
});

t.test('OPA compile errors: a function argument reassigned with :=, some-in after a use', async (t) => {
  t.throws(() => pol('f(name) if { name := "alice" }'), { message: /var name assigned above/ });
  t.throws(() => pol('r if { value = 0; some value in [1, 2] }'), { message: /var value referenced above/ });
  t.equal(pol('f(x) := y if { y := x }\nr := f(1)').evaluate('t.r').value, 1, 'other locals are fine');
});

t.test('sprintf %v of a number beyond the double range prints it as written, as OPA does (opa-v1 strings "float too big")', async (t) => {
  const c = compile([{ file: 'a.rego', source: 'package p\na := sprintf("hi %v", [2e308])\nb := sprintf("%v", [-2.5e400])\nc := sprintf("%v", [2.5e300])\n' }]);
  t.equal(toJSON(c.evaluate('p.a').value!), 'hi 2e308');
  t.equal(toJSON(c.evaluate('p.b').value!), '-2.5e400');
  t.equal(toJSON(c.evaluate('p.c').value!), '2.5e+300', 'within the range: a float64, as Go prints it');
});
