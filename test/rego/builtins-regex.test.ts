import t from 'tap';
import { type Value } from '../../src/rego/value.js';
import { call, err, show } from '../helpers/builtin-harness.js';

t.test('regex.match: unanchored search with RE2 syntax', async (t) => {
  t.equal(call('regex.match', '^[a-z]+@example\\.com$', 'bob@example.com'), true);
  t.equal(call('regex.match', 'b+', 'abbbc'), true);
  t.equal(call('regex.match', '(?i)HELLO', 'say hello'), true);
  t.equal(call('regex.match', '\\p{Greek}', 'αβ'), true);
  t.equal(call('regex.match', '[[:digit:]]{3}', 'ab123'), true);
  t.equal(call('regex.match', 'a$', 'a\n'), false, '$ is end of text without (?m)');
  const e = err('regex.match', '(a', 'x');
  t.equal(e.code, 'eval_builtin_error');
  t.equal(e.detail, 'regex.match: error parsing regexp: missing closing ): `(a`');
  t.match(err('regex.match', '(?=x)', 'x').detail, /invalid or unsupported Perl syntax/, 'no lookahead (RE2)');
  t.match(err('regex.match', '(\\w)\\1', 'aa').detail, /invalid escape sequence/, 'no backreferences (RE2)');
  t.equal(err('regex.match', 1, 'x').detail, 'regex.match: operand 1 must be string but got number');
});

t.test('catastrophic patterns complete (linear-time engine)', async (t) => {
  const input = 'a'.repeat(50000) + '!';
  t.equal(call('regex.match', '(a+)+$', input), false);
  t.equal(call('regex.match', '(a|aa)*$', input), true);
  t.equal(show(call('regex.find_n', '(a+)+b', input, 1)), '[]');
  t.equal(call('regex.replace', input, '(a*)*!', 'x'), 'x');
  t.equal(call('glob.match', '*a*a*a*a*a*a*b', null, input), false);
});

t.test('regex.is_valid', async (t) => {
  t.equal(call('regex.is_valid', '.*'), true);
  t.equal(call('regex.is_valid', '(a'), false);
  t.equal(call('regex.is_valid', 'a{1001}'), false, 'RE2 repeat limit');
  t.equal(call('regex.is_valid', 5), false);
});

t.test('regex.split, regex.find_n, find_all_string_submatch_n follow Go', async (t) => {
  t.equal(show(call('regex.split', ',', 'a,b,,c')), '["a","b","","c"]');
  t.equal(show(call('regex.split', 'a*', 'baaab')), '["b","b"]');
  t.equal(show(call('regex.split', 'x*', '')), '[""]');
  t.equal(show(call('regex.find_n', 'a*', 'baaab', -1)), '["","aaa",""]', 'empty match after a match is skipped');
  t.equal(show(call('regex.find_n', '[0-9]+', 'a1b22c333', 2)), '["1","22"]');
  t.equal(show(call('regex.find_n', '[0-9]+', 'a1b22c333', 0)), '[]');
  t.equal(show(call('regex.find_n', '.', 'a😀b', -1)), '["a","😀","b"]');
  t.equal(show(call('regex.find_all_string_submatch_n', '(\\w)(\\d)?', 'a1 b', -1)), '[["a1","a","1"],["b","b",""]]');
  t.equal(err('regex.find_n', 'a', 'a', 1.5).detail, 'regex.find_n: operand 3 must be integer number but got floating-point number');
});

t.test('regex.replace expands $1, ${name} and $$ like Go', async (t) => {
  t.equal(call('regex.replace', 'abcabc', 'b', 'X'), 'aXcaXc');
  t.equal(call('regex.replace', 'hello world', '(\\w+) (\\w+)', '$2 ${1}!$$'), 'world hello!$');
  t.equal(call('regex.replace', 'ab', '(?P<l>a)', '[$l]'), '[a]b');
  t.equal(call('regex.replace', 'aaa', 'a', '$1x'), '', '$1x names group "1x"');
  t.equal(call('regex.replace', 'abc', 'x*', '-'), '-a-b-c-');
});

t.test('regex.template_match', async (t) => {
  t.equal(call('regex.template_match', 'urn:foo:{.*}', 'urn:foo:bar:baz', '{', '}'), true);
  t.equal(call('regex.template_match', 'urn:foo.bar.com:{.*}', 'urn:foo.com:bar:baz', '{', '}'), false);
  t.equal(call('regex.template_match', 'urn:foo:<[0-9]{2}>', 'urn:foo:42', '<', '>'), true);
  t.match(err('regex.template_match', 'urn:{', 'x', '{', '}').detail, /unbalanced braces/);
  t.match(err('regex.template_match', 'x', 'x', '{{', '}').detail, /start delimiter has to be exactly one character long/);
});

t.test('glob.match with default and explicit delimiters', async (t) => {
  const g = (p: string, d: Value, s: string): Value | undefined => call('glob.match', p, d, s);
  t.equal(g('api://*/appId', null, 'api://foo.com/appId'), true);
  t.equal(g('*.github.com', [], 'api.github.com'), true);
  t.equal(g('*.github.com', [], 'api.cdn.github.com'), false, '* stops at the default "." delimiter');
  t.equal(g('*hub.com', null, 'api.cdn.github.com'), true, 'null: no delimiters');
  t.equal(g('*:github:com', [':'], 'api:github:com'), true);
  t.equal(g('api.**.com', [], 'api.cdn.github.com'), true, '** crosses delimiters');
  t.equal(g('?at', [], 'cat'), true);
  t.equal(g('?at', [], 'at'), false);
  t.equal(g('[abc]at', [], 'bat'), true);
  t.equal(g('[!abc]at', [], 'cat'), false);
  t.equal(g('[!a-c]at', [], 'lat'), true);
  t.equal(g('{cat,bat,[fr]at}', [], 'rat'), true);
  t.equal(g('{cat,bat,[fr]at}', [], 'at'), false);
  t.equal(g('a\\*b', [], 'a*b'), true);
  t.equal(g('a\\*b', [], 'axb'), false);
  t.equal(g('a.b', [], 'axb'), false, 'regex metacharacters are literal');
  t.equal(g('{a,{b,c}d}', [], 'cd'), true);
  t.equal(err('glob.match', '*', 'x', 'a').detail, 'glob.match: operand 2 must be one of {array, null} but got string');
  t.equal(err('glob.match', '*', ['ab'], 'a').detail, 'glob.match: operand 2 must be array of runes but got array containing string');
  t.equal(err('glob.match', '[a-', [], 'a').code, 'eval_builtin_error');
  t.equal(call('glob.quote_meta', '*.github.com'), '\\*.github.com');
  t.equal(call('glob.quote_meta', '[a]{b}?\\'), '\\[a\\]\\{b\\}\\?\\\\');
  t.equal(g(call('glob.quote_meta', '*.x') as string, [], '*.x'), true);
});
