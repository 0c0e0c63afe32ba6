import t from 'tap';
import { ObjectV, SetV, type Value } from '../../src/rego/value.js';
import { call, err, show } from '../helpers/builtin-harness.js';

t.test('concat over arrays and sets (sets in sorted order)', async (t) => {
  t.equal(call('concat', ', ', ['Hello', 'world']), 'Hello, world');
  t.equal(call('concat', '/', ['', 'foo', 'bar', '0', 'baz']), '/foo/bar/0/baz');
  t.equal(call('concat', ', ', new SetV(['world', 'Hello'])), 'Hello, world');
  t.equal(call('concat', ',', []), '');
  t.equal(err('concat', 1, []).detail, 'concat: operand 1 must be string but got number');
  t.equal(err('concat', '', 'x').detail, 'concat: operand 2 must be one of {set, array} but got string');
  t.equal(err('concat', '', [1]).detail, 'concat: operand 2 must be array of strings but got array containing number');
});

t.test('contains startswith endswith', async (t) => {
  t.equal(call('contains', 'Hello, world', ', '), true);
  t.equal(call('contains', '', ''), true);
  t.equal(call('contains', '', ','), false);
  t.equal(call('startswith', 'abcdefgh', 'abcd'), true);
  t.equal(call('startswith', 'abcdefgh', 'bcd'), false);
  t.equal(call('endswith', 'abcdefgh', 'fgh'), true);
  t.equal(call('endswith', '', 'ld'), false);
  t.equal(err('contains', null, '').detail, 'contains: operand 1 must be string but got null');
  t.equal(err('endswith', '', []).detail, 'endswith: operand 2 must be string but got array');
});

t.test('indexof, indexof_n and substring count code points', async (t) => {
  t.equal(call('indexof', 'Hello world', 'llo'), 2);
  t.equal(call('indexof', 'Hello world', 'hel'), -1);
  t.equal(call('indexof', 'μx', 'x'), 1);
  t.equal(call('indexof', 'skön var våren', 'vår'), 9);
  t.equal(call('indexof', '😀x', 'x'), 1);
  t.equal(err('indexof', '', '').detail, 'indexof: empty search character');
  t.equal(show(call('indexof_n', 'aaa', 'aa')), '[0,1]', 'overlapping matches');
  t.equal(show(call('indexof_n', 'åxåx', 'x')), '[1,3]');
  t.equal(call('substring', 'abcdefgh', 2, 3), 'cde');
  t.equal(call('substring', 'åäö', 0, 2), 'åä');
  t.equal(call('substring', 'aåäö', 2, -1), 'äö');
  t.equal(call('substring', 'abcdefgh', 2, 10000), 'cdefgh');
  t.equal(call('substring', 'aaa', 4, -1), '');
  const e = err('substring', 'aaa', -1, -1);
  t.equal(e.code, 'eval_builtin_error');
  t.equal(e.detail, 'substring: negative offset');
  t.equal(err('substring', 'aaa', 1.5, 1).detail, 'substring: operand 2 must be integer number but got floating-point number');
});

t.test('lower and upper use per-rune simple case mapping (as Go)', async (t) => {
  t.equal(call('lower', 'AbCd09_'), 'abcd09_');
  t.equal(call('upper', 'AbCdEf'), 'ABCDEF');
  t.equal(call('lower', 'Σ'), 'σ');
  t.equal(call('lower', 'ὈΔΥΣΣΕΎΣ'), 'ὀδυσσεύσ', 'no final-sigma rule in Go');
  t.equal(call('lower', 'LONG\u2C6FSTRING'), 'long\u0250string');
  t.equal(call('upper', 'straße'), 'STRAßE', 'ß has no single-rune upper case');
});

t.test('split, replace, strings.replace_n, strings.count, strings.reverse', async (t) => {
  t.equal(show(call('split', 'foo.bar.baz', '.')), '["foo","bar","baz"]');
  t.equal(show(call('split', 'test', '')), '["t","e","s","t"]');
  t.equal(show(call('split', '', '')), '[]');
  t.equal(show(call('split', '', '.')), '[""]');
  t.equal(show(call('split', 'a😀b', '')), '["a","😀","b"]');
  t.equal(call('replace', 'foo...bar', '..', ',,'), 'foo,,.bar');
  t.equal(call('replace', 'a$1b', 'a', '$&'), '$&$1b', 'no replacement patterns');
  t.equal(call('replace', 'ab', '', 'X'), 'XaXbX');
  t.equal(
    call(
      'strings.replace_n',
      new ObjectV([
        ['a', 'b'],
        ['b', 'c'],
      ]),
      'abc',
    ),
    'bcc',
    'single pass, keys in sorted order',
  );
  t.equal(
    call(
      'strings.replace_n',
      new ObjectV([
        ['ab', 'X'],
        ['a', 'Y'],
      ]),
      'abab',
    ),
    'YbYb',
    'first key in order wins',
  );
  t.equal(err('strings.replace_n', new ObjectV([[1, 'x']]), 'a').detail, 'strings.replace_n: operand 1 non-string key found in pattern object');
  t.equal(call('strings.count', 'cheese', 'e'), 3);
  t.equal(call('strings.count', 'five', ''), 5);
  t.equal(call('strings.reverse', 'ab😀'), '😀ba');
});

t.test('trimming with cutsets, prefixes and Go whitespace', async (t) => {
  t.equal(call('trim', 'foo.bar...', '.'), 'foo.bar');
  t.equal(call('trim', '  xx  ', ' x'), '');
  t.equal(call('trim', 'abc', ''), 'abc');
  t.equal(call('trim_left', 'xxabcxx', 'x'), 'abcxx');
  t.equal(call('trim_right', 'xxabcxx', 'x'), 'xxabc');
  t.equal(call('trim_prefix', 'foo.bar', 'foo.'), 'bar');
  t.equal(call('trim_prefix', 'foo.bar', 'bar'), 'foo.bar');
  t.equal(call('trim_suffix', 'foo.bar', '.bar'), 'foo');
  t.equal(call('trim_space', ' \t\n x y \u00a0\u3000'), 'x y');
  t.equal(call('trim_space', '\ufeffx'), '\ufeffx', 'BOM is not white space in Go');
});

t.test('format_int', async (t) => {
  t.same(
    [2, 8, 10, 16].map((b) => call('format_int', 10, b)),
    ['1010', '12', '10', 'a'],
  );
  t.same(
    [2, 8, 10, 16].map((b) => call('format_int', -10.765, b)),
    ['-1010', '-12', '-10', '-a'],
  );
  t.equal(call('format_int', 15.5, 16), 'f');
  t.equal(call('format_int', 2n ** 70n, 16), '400000000000000000');
  const e = err('format_int', 4.1, 199);
  t.equal(e.code, 'eval_type_error');
  t.equal(e.detail, 'format_int: operand 2 must be one of {2, 8, 10, 16}');
  t.equal(err('format_int', '10', 2).detail, 'format_int: operand 1 must be number but got string');
});

t.test('strings.any_prefix_match / any_suffix_match', async (t) => {
  t.equal(call('strings.any_prefix_match', ['a/b/c', 'e/f/g'], ['x/', 'e/']), true);
  t.equal(call('strings.any_prefix_match', 'a/b/c', 'a/'), true);
  t.equal(call('strings.any_prefix_match', new SetV(['a/b/c']), new SetV(['f/'])), false);
  t.equal(call('strings.any_prefix_match', [], ['a']), false);
  t.equal(call('strings.any_suffix_match', ['a/b/c', 'a/b/d'], ['/d']), true);
  t.equal(call('strings.any_suffix_match', 'a/b/g', ['/c', '/a']), false);
  t.equal(err('strings.any_prefix_match', [1], 'a').detail, 'strings.any_prefix_match: operand 1 must be array of strings but got array containing number');
  t.equal(err('strings.any_suffix_match', 'a', 1).detail, 'strings.any_suffix_match: operand 2 must be one of {string, set, array} but got number');
});

t.test('sprintf formats like Go fmt, with Rego values printed as OPA prints them', async (t) => {
  const f = (fmt: string, ...args: Value[]): Value | undefined => call('sprintf', fmt, args);
  t.equal(f('User %s from %s has access', 'alice', 'engineering'), 'User alice from engineering has access');
  t.equal(f('%d items', 42), '42 items');
  t.equal(f('%v', 0.81), '0.81');
  t.equal(f('%f', 3.14), '3.140000');
  t.equal(f('%.2f', 3.14159), '3.14');
  t.equal(f('%.2f', 1.005), '1.00', 'rounds the exact binary value');
  t.equal(f('%.0f|%.0f|%.0f', 0.5, 1.5, 2.5), '0|2|2', 'ties go to even');
  t.equal(f('%x|%X|%o|%b', 255, 255, 64, 5), 'ff|FF|100|101');
  t.equal(f('%5d|%-5d|%05d|%+d', 42, 42, 42, 42), '   42|42   |00042|+42');
  t.equal(f('%08.3f|%-8.2e|', -3.14159, 1234.5678), '-003.142|1.23e+03|');
  t.equal(f('%e|%g|%G', 123456.789, 0.00001234, 1e-10), '1.234568e+05|1.234e-05|1E-10');
  t.equal(f('%v|%v|%v', 1000000.5, 1.5e-7, 123456789.5), '1.0000005e+06|1.5e-07|1.234567895e+08');
  t.equal(f('%q|%v', 'a"b', 'plain'), '"a\\"b"|plain');
  t.equal(f('%s', 5), '%!s(int=5)');
  t.equal(f('%d', 'x'), '%!d(string=x)');
  t.equal(f('Value: %s %d', 'only_one'), 'Value: only_one %!d(MISSING)');
  t.equal(f('a', 1, 'x'), 'a%!(EXTRA int=1, string=x)');
  t.equal(f('%[2]d %[1]d', 1, 2), '2 1');
  t.equal(f('%*d|', 5, 1), '    1|');
  t.equal(f('100%%'), '100%');
  t.equal(f('%'), '%!(NOVERB)');
  t.equal(f('%d', 12345678901234567890n), '12345678901234567890');
  t.equal(f('%x', 2n ** 70n), '400000000000000000');
  t.equal(f('%v', new ObjectV([['key', 'value']])), '{"key": "value"}');
  t.equal(f('%v', new SetV([2, 1])), '{1, 2}');
  t.equal(f('%v', new SetV()), 'set()');
  t.equal(f('%v %v %v', [1, 'a'], null, true), '[1, "a"] null true');
  t.equal(f('%s', new ObjectV([[1, new SetV(['x'])]])), '{1: {"x"}}');
  t.equal(err('sprintf', '%d', 1).detail, 'sprintf: operand 2 must be array but got number');
});

t.test('hostile inputs fail instead of building huge strings', async (t) => {
  const big = 'a'.repeat(1 << 20);
  t.match(err('replace', big, 'a', 'x'.repeat(100)).detail, /exceeds the limit/);
  t.match(
    err(
      'sprintf',
      '%*d'.repeat(100),
      new Array<Value>(200).fill(1000000).map((x, i) => (i % 2 === 0 ? x : 1)),
    ).detail,
    /exceeds/,
  );
  t.match(err('concat', 'x'.repeat(1 << 16), new Array<Value>(1000).fill('y')).detail, /exceeds the limit/);
  t.match(err('regex.replace', big, 'a', 'x'.repeat(100)).detail, /exceeds the limit/);
});

t.test('sprintf %v of big floats prints them as OPA does (issue 14: was a 301-digit integer)', async (t) => {
  const { compile, toJSON } = await import('../../src/rego/index.js');
  const p = compile([
    {
      file: 'x.rego',
      source: `package p
issue14 := sprintf("%v", [2.5e300])
negative := sprintf("%v", [-2.5e300])
whole := sprintf("%v", [123456789123456789123])
round := sprintf("%d", [100000000000000000000])
power := sprintf("%x", [1180591620717411303424])
`,
    },
  ]);
  t.equal(toJSON(p.evaluate('p.issue14').value!), '2.5e+300');
  t.equal(toJSON(p.evaluate('p.negative').value!), '-2.5e+300');
  t.equal(toJSON(p.evaluate('p.whole').value!), '123456789123456789123', 'whole-number literals stay integers (opa-v1/sprintf)');
  t.equal(toJSON(p.evaluate('p.round').value!), '100000000000000000000');
  t.equal(toJSON(p.evaluate('p.power').value!), '400000000000000000', '2^70 is an integer, not a float');
});

t.test('sprintf of an exponent literal beyond float64 prints it in exponent form, as OPA prints its text', async (t) => {
  t.equal(call('sprintf', 'hi %v', [2n * 10n ** 308n]), 'hi 2e308');
  t.equal(call('sprintf', '%v', [-25n * 10n ** 400n]), '-2.5e401');
  t.equal(call('sprintf', '%v', [25n * 10n ** 299n]), '2.5e+300', 'within float64: a float');
});
