// regex.globs_match: OPA answers with the glob-intersection library (gintersect.NonEmpty); these
// cases follow its grammar (characters, `.`, `[sets]`, each optionally `+` or `*`; `\` escapes)
// and its error texts ("pos:N:...: the input provided is invalid").
import t from 'tap';
import { compile, toJSON } from '../../src/rego/index.js';
import { budget, call, err } from '../helpers/builtin-harness.js';

t.test('intersections', async (t) => {
  const cases: [string, string, boolean][] = [
    ['abc', 'abc', true],
    ['abc', 'abd', false],
    ['a.c', 'abc', true],
    ['.*', 'abc', true],
    ['a+', 'aaa', true],
    ['a+', 'b+', false],
    ['a*', 'b*', false], // only the empty string is common: not a non-empty string
    ['[a-c]+x', 'bbx', true],
    ['[0-9]+', '[a-z]+', false],
    ['[0-9]+', '[5-7]', true],
    ['a.a[0-9]+', 'a.a[5]', true],
    ['\\.', 'x', false],
    ['\\.', '.', true],
    ['a\\*', 'a*', false], // a literal '*' is not an 'a'
    ['foo.*bar', 'foo123bar', true],
    ['foo.*bar', 'foo123baz', false],
  ];
  for (const [a, b, want] of cases) {
    t.equal(call('regex.globs_match', a, b), want, `${a} ∩ ${b}`);
    t.equal(call('regex.globs_match', b, a), want, `${b} ∩ ${a}`);
  }
});

t.test("invalid patterns: the library's messages", async (t) => {
  t.equal(
    err('regex.globs_match', '[a-', 'a').detail,
    "regex.globs_match: pos:3:range character '-' must be followed by a Unicode character: the input provided is invalid",
  );
  t.equal(err('regex.globs_match', 'a]', 'a').detail, "regex.globs_match: pos:2:set-close ']' with no preceding '[': the input provided is invalid");
  t.equal(err('regex.globs_match', 'a**', 'a').detail, "regex.globs_match: pos:3:flag '*' must be preceded by a non-flag: the input provided is invalid");
  t.equal(err('regex.globs_match', '[ab', 'a').detail, 'regex.globs_match: pos:0:found [ without matching ]: the input provided is invalid');
  t.equal(err('regex.globs_match', 'a\\', 'a').detail, 'regex.globs_match: pos:1:input ends with a \\ (escape) character: the input provided is invalid');
  t.equal(err('regex.globs_match', 1, 'a').detail, 'regex.globs_match: operand 1 must be string but got number');
});

t.test('work is charged to the budget; through the engine', async (t) => {
  budget.length = 0;
  call('regex.globs_match', 'a*b*c*d*e*f*g*h*', 'a*b*c*d*e*f*g*h*z');
  t.ok(budget.length > 1, 'each search step is charged');
  const p = compile([{ file: 'x.rego', source: 'package p\nr := regex.globs_match("a.a[0-9]+", "a.a[5]")\n' }]);
  t.equal(toJSON(p.evaluate('p.r').value!), true);
});
