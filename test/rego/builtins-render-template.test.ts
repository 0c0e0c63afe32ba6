import t from 'tap';
import { compile } from '../../src/rego/index.js';
import type { RegoError } from '../../src/rego/errors.js';
import { ObjectV, SetV, type Value } from '../../src/rego/value.js';
import { call, err } from '../helpers/builtin-harness.js';

const o = (x: Record<string, Value>): ObjectV => new ObjectV(Object.entries(x));
const render = (tpl: string, vars: Record<string, Value> = {}): Value | undefined => call('strings.render_template', tpl, o(vars));
const fails = (tpl: string, vars: Record<string, Value> = {}): string => err('strings.render_template', tpl, o(vars)).detail;

// Expected values follow Go's text/template on OPA's decoding of the variables (json.Number).
t.test('strings.render_template renders Go text/template', async (t) => {
  t.equal(render('{{.test}}', { test: 'hello' }), 'hello', "OPA's documented example");
  t.equal(render('{{range $i, $name := .items}}{{if $i}}, {{end}}{{$name}}{{end}}', { items: ['a', 'b', 'c'] }), 'a, b, c');
  t.equal(render('{{range .m}}{{.}};{{end}}', { m: o({ b: 2, a: 1 }) }), '1;2;', 'maps range in key order');
  t.equal(render('{{range .xs}}x{{else}}empty{{end}}', { xs: [] }), 'empty');
  t.equal(render('{{.n}} {{if .z}}true{{end}}', { n: 1.5, z: 0 }), '1.5 true', 'numbers are json.Number: a non-empty string is true');
  t.equal(
    render('{{len .s}} {{index .xs 1}} {{index .m "k"}} {{slice .s 1 3}}', { s: 'héllo', xs: ['a', 'b'], m: o({ k: 'v' }) }),
    '6 b v é',
    'len and slice count bytes',
  );
  t.equal(render('{{printf "%05.1f|%s" 3.14159 .s}}', { s: 'x' }), '003.1|x');
  t.equal(render('{{.m}} {{.a}} {{print 1 2 "a" 3}}', { m: o({ b: 1, a: [1, 2] }), a: [true, null] }), 'map[a:[1 2] b:1] [true <nil>] 1 2a3');
  t.equal(render('{{.s}}', { s: new SetV([2, 1]) }), '[1 2]', 'sets decode as arrays');
  t.equal(render('{{eq .s "x" "y"}} {{ne 1 2}} {{lt 1 2}} {{ge "b" "a"}}', { s: 'y' }), 'true true true true');
  t.equal(render('{{html "<a>"}} {{js "it\'s"}} {{urlquery "a b&c"}} {{not true}} {{and 1 0}} {{or 0 "x"}}'), "&lt;a&gt; it\\'s a+b%26c false 0 x");
  t.equal(render('{{define "T"}}[{{.}}]{{end}}{{template "T" .x}}', { x: 'y' }), '[y]');
  t.equal(render('{{with .x}}{{.}}{{else}}none{{end}} {{$v := 1}}{{$v = 2}}{{$v}}', { x: '' }), 'none 2');
  t.equal(render('a  {{- " b " -}}  c'), 'a b c', 'trim markers');
  t.equal(render('{{/* a comment */}}x'), 'x');
});

t.test('strings.render_template errors', async (t) => {
  t.match(fails('{{.missing}}'), /map has no entry for key "missing"/, 'missingkey=error, as OPA sets it');
  t.match(fails('{{.s.x}}', { s: 'str' }), /can't evaluate field x in type string/);
  t.match(fails('{{eq .n 1}}', { n: 1 }), /incompatible types for comparison/, 'json.Number is not an int');
  t.match(fails('{{ if'), /unclosed action/);
  t.match(fails('{{`abc}}'), /unclosed action|unterminated/);
  t.match(fails('{{"abc}}'), /unclosed action|unterminated/);
  t.match(fails('{{nope 1}}'), /function "nope" not defined/);
  t.match(fails('{{if 1}}x'), /missing \{\{ end \}\}/);
  t.match(fails('{{template "none"}}'), /no such template "none"/);
  t.match(fails('{{index .xs 5}}', { xs: [] }), /index out of range/);
  t.match(fails('{{range 1.5}}{{end}}'), /range can't iterate/);
  t.equal(err('strings.render_template', 1, o({})).detail, 'strings.render_template: operand 1 must be string but got number');
  t.equal(err('strings.render_template', '', 'x').detail, 'strings.render_template: operand 2 must be object but got string');
  t.match(err('strings.render_template', '{{.}}', new ObjectV([[1, 2]])).detail, /non-string keys/);
});

t.test("strings.render_template errors carry text/template's prefix, as OPA returns them", async (t) => {
  // OPA returns Go's error as is (v1/topdown/template.go); execution errors are state.errorf's
  // "template: NAME:LINE:COL: executing "NAME" at <NODE>: …" with parse.Tree.ErrorContext's
  // location (byte offset in the line) and the node's text.
  t.equal(fails('hi {{.x}}'), 'strings.render_template: template: template:1:5: executing "template" at <.x>: map has no entry for key "x"');
  t.equal(
    fails('line\n  {{ .x.y }}', { x: 1 }),
    'strings.render_template: template: template:2:5: executing "template" at <.x.y>: can\'t evaluate field y in type json.Number',
  );
  t.equal(fails('{{len 3}}'), 'strings.render_template: template: template:1:2: executing "template" at <len 3>: error calling len: len of type int');
  t.equal(
    fails('{{if eq .n 1}}x{{end}}', { n: 1 }),
    'strings.render_template: template: template:1:5: executing "template" at <eq .n 1>: error calling eq: incompatible types for comparison',
  );
  t.equal(
    fails('{{3 | len}}'),
    'strings.render_template: template: template:1:6: executing "template" at <len>: error calling len: len of type int',
    'a piped command is located at its own start',
  );
  t.equal(
    fails('{{define "T"}}{{.q}}{{end}}{{template "T" .}}'),
    'strings.render_template: template: template:1:16: executing "T" at <.q>: map has no entry for key "q"',
    'inside a defined template its name is the one executing',
  );
  t.equal(
    fails('é{{$.m.k}}', { m: o({}) }),
    'strings.render_template: template: template:1:4: executing "template" at <$.m.k>: map has no entry for key "k"',
    'byte offsets, as Go counts',
  );
  t.equal(fails('{{ if'), 'strings.render_template: template: template:1: unclosed action', 'parse errors keep "template: NAME:LINE:"');
});

t.test('strings.render_template: hostile templates are bounded', async (t) => {
  // 2^20 iterations of nested ranges: the evaluation budget stops it with a typed error.
  const nested = '{{range $.xs}}'.repeat(20) + 'x' + '{{end}}'.repeat(20);
  const policy = compile(
    [{ file: 'p.rego', source: `package p\nr := strings.render_template(${JSON.stringify(nested)}, {"xs": [1, 2]})` }],
    {},
    { regoVersion: 1 },
  );
  const e = t.throws(() => policy.evaluate('p.r', { maxSteps: 100_000, strict: true })) as unknown as RegoError;
  t.equal(e.code, 'eval_budget_exceeded');
  t.equal(render('{{range $.xs}}{{range $.xs}}x{{end}}{{end}}', { xs: [1, 2] }), 'xxxx', 'the same shape renders when small');
});
