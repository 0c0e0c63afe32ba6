import t from 'tap';
import { ObjectV, SetV, fromJSON } from '../../src/rego/value.js';
import { call, err, show } from '../helpers/builtin-harness.js';

t.test('json.marshal: sorted keys, sets as arrays, HTML-safe escaping, non-string keys as Rego text', async (t) => {
  t.equal(call('json.marshal', fromJSON({ b: 1, a: [1, 'x'] })), '{"a":[1,"x"],"b":1}');
  t.equal(call('json.marshal', new SetV([2, 1])), '[1,2]');
  t.equal(call('json.marshal', '<a & b>'), '"\\u003ca \\u0026 b\\u003e"');
  t.equal(
    call(
      'json.marshal',
      new ObjectV([
        [1, 'x'],
        [[1, 2], null],
      ]),
    ),
    '{"1":"x","[1, 2]":null}',
  );
  t.equal(call('json.marshal', 2n ** 70n), '1180591620717411303424', 'big integers exact');
  t.equal(call('json.marshal_with_options', fromJSON({ a: [1] }), fromJSON({ pretty: true })), '{\n\t"a": [\n\t\t1\n\t]\n}');
  t.equal(call('json.marshal_with_options', fromJSON({ a: 1 }), fromJSON({ indent: '  ', prefix: '>' })), '>{\n>  "a": 1\n>}');
  t.equal(call('json.marshal_with_options', fromJSON({ a: 1 }), fromJSON({ indent: '  ', pretty: false })), '{"a":1}');
  t.equal(err('json.marshal_with_options', 1, fromJSON({ foo: 1 })).detail, 'json.marshal_with_options: operand 2 object contained unknown key foo');
});

t.test('json.unmarshal keeps integers exact and reports Go-style syntax errors', async (t) => {
  t.equal(
    show(call('json.unmarshal', '{"a": [1, 2.5, 9007199254740993, 1e3, -0], "b": null, "c": "\\u00e9"}')),
    '{"a":[1,2.5,9007199254740993,1000,0],"b":null,"c":"é"}',
  );
  t.equal(call('json.unmarshal', '12345678901234567890123'), 12345678901234567890123n);
  t.equal(err('json.unmarshal', '{"a": }').detail, "json.unmarshal: invalid character '}' looking for beginning of value");
  t.equal(err('json.unmarshal', '[1, 2').detail, 'json.unmarshal: unexpected end of JSON input');
  t.equal(err('json.unmarshal', '1 2').detail, "json.unmarshal: invalid character '2' after top-level value");
  t.equal(err('json.unmarshal', '['.repeat(5000)).code, 'eval_builtin_error', 'deep nesting refused, no stack overflow');
  t.equal(call('json.is_valid', '{"a": 1}'), true);
  t.equal(call('json.is_valid', '{a: 1}'), false);
  t.equal(call('json.is_valid', 5), false);
});

t.test('base64 / base64url with Go strictness', async (t) => {
  t.equal(call('base64.encode', 'hello é'), 'aGVsbG8gw6k=');
  t.equal(call('base64.decode', 'aGVsbG8gw6k='), 'hello é');
  t.equal(call('base64.decode', 'aGVs\nbG8='), 'hello', 'newlines ignored');
  t.equal(err('base64.decode', 'aGVsbG8').detail, 'base64.decode: illegal base64 data at input byte 4');
  t.equal(err('base64.decode', 'aGV*bG8=').detail, 'base64.decode: illegal base64 data at input byte 3');
  t.equal(call('base64.is_valid', 'aGVsbG8='), true);
  t.equal(call('base64.is_valid', 'aGVsbG8'), false);
  t.equal(call('base64url.encode', 'ÿþ?>'), 'w7_Dvj8-');
  t.equal(call('base64url.encode', 'a'), 'YQ==');
  t.equal(call('base64url.encode_no_pad', 'a'), 'YQ');
  t.equal(call('base64url.decode', 'YQ'), 'a', 'padding optional');
  t.equal(err('base64url.decode', 'YWJjZ').detail, 'base64url.decode: illegal base64url string: YWJjZ');
  const bytes = call('base64.decode', '2E84ZuPUd7zfvCZSNEchVpDEIj6PL7JfLpIqyxVG16k=') as string;
  t.equal(call('count', bytes), 30, 'invalid UTF-8 decodes to one U+FFFD per bad byte, as Go counts runes');
});

t.test('urlquery and hex', async (t) => {
  t.equal(call('urlquery.encode', 'a b&c=d/é~'), 'a+b%26c%3Dd%2F%C3%A9~');
  t.equal(call('urlquery.decode', 'a+b%26c%3Dd%2F%C3%A9~'), 'a b&c=d/é~');
  t.equal(err('urlquery.decode', '%zz').detail, 'urlquery.decode: invalid URL escape "%zz"');
  t.equal(call('urlquery.encode_object', fromJSON({ b: ['2', '1'], a: 'x y' })), 'a=x+y&b=2&b=1');
  t.equal(call('urlquery.encode_object', new ObjectV([['a', new SetV(['2', '1'])]])), 'a=1&a=2');
  t.equal(err('urlquery.encode_object', fromJSON({ a: 1 })).detail, 'urlquery.encode_object: operand 1 values must be string, array[string], or set[string]');
  t.equal(show(call('urlquery.decode_object', 'a=1&b=2&a=3&c')), '{"a":["1","3"],"b":["2"],"c":[""]}');
  t.equal(call('hex.encode', 'hi é'), '686920c3a9');
  t.equal(call('hex.decode', '686920c3a9'), 'hi é');
  t.equal(err('hex.decode', '6g').detail, "hex.decode: encoding/hex: invalid byte: U+0067 'g'");
  t.equal(err('hex.decode', '686').detail, 'hex.decode: encoding/hex: odd length hex string');
});

t.test('yaml.marshal / unmarshal / is_valid', async (t) => {
  t.equal(call('yaml.marshal', fromJSON({ b: { c: 'true', d: '' }, a: [1, 2] })), 'a:\n- 1\n- 2\nb:\n  c: "true"\n  d: ""\n');
  t.equal(show(call('yaml.unmarshal', 'a: [1, 2]\nb: yes\nc: 12345678901234567890\n1: x')), '{"1":"x","a":[1,2],"b":true,"c":12345678901234567890}');
  t.equal(show(call('yaml.unmarshal', 'a: 1\n---\nb: 2')), '{"a":1}', 'first document only');
  t.equal(err('yaml.unmarshal', 'a: [1, 2').code, 'eval_builtin_error');
  t.equal(
    err(
      'yaml.unmarshal',
      'a: &a [1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]',
    ).code,
    'eval_builtin_error',
    'alias bombs are refused',
  );
  t.equal(call('yaml.is_valid', 'a: ['), false);
  t.equal(call('yaml.is_valid', 'a: 1'), true);
});
