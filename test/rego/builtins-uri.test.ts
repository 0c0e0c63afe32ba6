import t from 'tap';
import { call, err, show } from '../helpers/builtin-harness.js';

// Expected values follow Go's net/url.Parse, which OPA's uri.parse runs.
t.test('uri.parse returns the non-empty parts OPA reports', async (t) => {
  t.equal(
    show(call('uri.parse', 'HTTPS://user:pw@example.com:8443/a/c?x=1&y=2#frag%21')),
    '{"fragment":"frag!","hostname":"example.com","path":"/a/c","port":"8443","raw_path":"/a/c","raw_query":"x=1&y=2","scheme":"https"}',
    'scheme lower-cased, userinfo dropped, fragment unescaped',
  );
  t.equal(show(call('uri.parse', 'http://a/%2Fb')), '{"hostname":"a","path":"//b","raw_path":"/%2Fb","scheme":"http"}', 'raw_path keeps the escaping');
  t.equal(show(call('uri.parse', 'http://[::1]:80/')), '{"hostname":"::1","path":"/","port":"80","raw_path":"/","scheme":"http"}');
  t.equal(show(call('uri.parse', 'mailto:a@b.c')), '{"scheme":"mailto"}', 'an opaque URI has no path');
  t.equal(show(call('uri.parse', '/rel/path?q')), '{"path":"/rel/path","raw_path":"/rel/path","raw_query":"q"}');
  t.equal(show(call('uri.parse', 'foo/a:b')), '{"path":"foo/a:b","raw_path":"foo/a:b"}');
  t.equal(show(call('uri.parse', 'http://h/p?')), '{"hostname":"h","path":"/p","raw_path":"/p","scheme":"http"}', 'a lone trailing ? is no query');
  t.equal(show(call('uri.parse', '')), '{}');
});

t.test('uri.parse errors carry Go messages; uri.is_valid is false for them', async (t) => {
  const bad: [string, string][] = [
    ['http://exa mple.com/', 'invalid character " " in host name'],
    ['http://h:xx/', 'invalid port ":xx" after host'],
    [':foo', 'missing protocol scheme'],
    ['%zz', 'invalid URL escape "%zz"'],
    ['http://%41/', 'invalid URL escape "%41"'],
    ['1:x', 'first path segment in URL cannot contain colon'],
    ['http://[::1/', "missing ']' in host"],
    ['http://a\nb/', 'net/url: invalid control character in URL'],
    ['http://us er@h/', 'net/url: invalid userinfo'],
  ];
  for (const [u, msg] of bad) {
    const e = err('uri.parse', u);
    t.equal(e.code, 'eval_builtin_error');
    t.equal(e.detail, `uri.parse: parse ${JSON.stringify(u)}: ${msg}`);
    t.equal(call('uri.is_valid', u), false, u);
  }
  t.equal(err('uri.parse', 1).detail, 'uri.parse: operand 1 must be string but got number');
  t.equal(call('uri.is_valid', 'https://example.com/x'), true);
  t.equal(call('uri.is_valid', ''), false, 'OPA rejects the empty string');
  t.equal(call('uri.is_valid', 7), false, 'a non-string is not valid (no error)');
});

t.test('strings.split_n: first n fields, last -n fields, [] for 0', async (t) => {
  t.equal(show(call('strings.split_n', 'a,b,c', ',', 2)), '["a","b"]');
  t.equal(show(call('strings.split_n', 'a,b,c', ',', 0)), '[]');
  t.equal(show(call('strings.split_n', 'a,b,c', ',', -2)), '["b","c"]');
  t.equal(show(call('strings.split_n', 'a,b,c', ',', 10)), '["a","b","c"]');
  t.equal(show(call('strings.split_n', 'a,b,c', ',', -10)), '["a","b","c"]');
  t.equal(show(call('strings.split_n', 'aéc', '', 2)), '["a","é"]', 'empty separator splits runes');
  t.equal(show(call('strings.split_n', '', ',', 1)), '[""]');
  t.equal(show(call('strings.split_n', '', '', 1)), '[]');
  t.equal(show(call('strings.split_n', 'a,b', ',', 1e300)), '["a","b"]', 'huge n');
  t.equal(err('strings.split_n', 'a', ',', 1.5).detail, 'strings.split_n: operand 3 must be integer number but got floating-point number');
});
