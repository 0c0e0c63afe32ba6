// Template strings ($"…{expr}…", $`…{expr}…`), OPA v1.12+: the parser rewrites them to
// internal.template_string over one set comprehension per expression, as OPA's compiler does.
import t from 'tap';
import { compile, parseModule } from '../../src/rego/index.js';
import { RegoError } from '../../src/rego/errors.js';
import { stringify } from '../../src/rego/value.js';

const evalRule = (src: string, rule: string, input: unknown = {}): string => {
  const p = compile([{ file: 'p.rego', source: `package p\n${src}` }], {}, { regoVersion: 1 });
  const r = p.evaluate(['p', rule], { input });
  return r.defined && r.value !== undefined ? stringify(r.value) : 'undefined';
};

t.test("OPA's documented examples", async (t) => {
  const policy = [
    'allowed_roles := ["admin", "employee"]',
    'default role := "guest"',
    'role := input.role',
    "deny contains $\"User {input.username}'s role was '{role}', but must be one of {allowed_roles}\" if { not role in allowed_roles }",
  ].join('\n');
  t.equal(evalRule(policy, 'deny', { username: 'bob', role: 'x' }), '["User bob\'s role was \'x\', but must be one of [\\"admin\\", \\"employee\\"]"]');
  t.equal(evalRule('a := $"{1} {2.3} {"foo"} {false} {null}"', 'a'), '"1 2.3 foo false null"', 'primitive values');
  t.equal(evalRule('a := $"{[true, false]} {{1, 2}} {{"a": "b"}}"', 'a'), '"[true, false] {1, 2} {\\"a\\": \\"b\\"}"', 'composite values');
  t.equal(
    evalRule('a := $"In this template-string, \\{ will not start a template-expression."', 'a'),
    '"In this template-string, { will not start a template-expression."',
  );
});

t.test('raw, undefined, nested and computed expressions', async (t) => {
  t.equal(evalRule('a := $`raw {input.u} \\{x}\nline2`', 'a', { u: 'bob' }), '"raw bob {x}\\nline2"');
  t.equal(evalRule('a := $"undefined: {input.nope}"', 'a'), '"undefined: <undefined>"', 'an undefined expression does not make the string undefined');
  t.equal(evalRule('a := $"nested {$"inner {1 + 2}"}"', 'a'), '"nested inner 3"');
  t.equal(evalRule('a := $"{count([x | some x in [1, 2, 3]])} \\n {"}"}"', 'a'), '"3 \\n }"', 'escapes, and braces inside strings in an expression');
  t.equal(evalRule('a := $""', 'a'), '""');
  t.equal(evalRule('f(x) := $"<{x}>"\na := f(7)', 'a'), '"<7>"');
  const e = t.throws(() => evalRule('s := {1, 2}\na := $"{s[_]}"', 'a'), 'an expression with two values') as unknown as RegoError;
  t.equal(e.code, 'eval_conflict_error');
});

t.test('malformed template strings are parse errors', async (t) => {
  for (const [src, msg] of [
    ['x := $"{"', 'expected } to end template string expression'],
    ['x := $"{}"', 'empty template string expression'],
    ['x := $"abc', 'unterminated template string'],
    ['x := $"a\nb"', 'unterminated template string'],
    ['x := $`abc', 'unterminated template string'],
    ['x := $"{1 +}"', 'invalid template string expression {1 +}'],
    ['x := $"\\q"', 'invalid escape in template string'],
  ]) {
    const e = t.throws(() => parseModule('p.rego', `package p\n${src}`)) as unknown as RegoError;
    t.equal(e.code, 'rego_parse_error', src);
    t.match(e.message, msg, src);
  }
});
