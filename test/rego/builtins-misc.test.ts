import t from 'tap';
import { BUILTINS } from '../../src/rego/builtins/index.js';
import type { BuiltinContext } from '../../src/rego/builtins/types.js';
import { ObjectV, SetV, fromJSON, type Value } from '../../src/rego/value.js';
import { call, ctx, err, show } from '../helpers/builtin-harness.js';

t.test('semver', async (t) => {
  t.same(
    ['1.9.10', '1.8.15', '1.1', '1.1.12-rc1+foo', 'v1.0.0', '1.0.0-', '1.0.0+a..b', 'a.b.c'].map((v) => call('semver.is_valid', v)),
    [true, true, false, true, true, true, false, false],
  );
  t.equal(call('semver.is_valid', 1), false);
  t.same(
    [
      ['1.9.10', '1.8.15'],
      ['1.8.15', '1.9.10'],
      ['1.9.10', '1.9.10'],
      ['1.0.0-alpha', '1.0.0-alpha.1'],
      ['1.0.0-alpha.beta', '1.0.0-beta'],
      ['1.0.0-beta.2', '1.0.0-beta.11'],
      ['1.0.0-rc.1', '1.0.0'],
      ['1.0.0+build1', '1.0.0+build2'],
    ].map(([a, b]) => call('semver.compare', a, b)),
    [1, -1, 0, -1, -1, -1, -1, 0],
  );
  t.equal(err('semver.compare', '1.1', '1.0.0').detail, 'semver.compare: operand 1: string 1.1 is not a valid SemVer');
  t.equal(err('semver.compare', '', 1).detail, 'semver.compare: operand 2 must be string but got number');
});

t.test('units.parse and units.parse_bytes', async (t) => {
  t.same(
    ['1E', '1e', '1P', '1T', '1G', '1M', '1K', '1k', '1m'].map((s) => call('units.parse', s)),
    [10n ** 18n, 10n ** 18n, 10n ** 15n, 10 ** 12, 10 ** 9, 10 ** 6, 1000, 1000, 0.001],
  );
  t.same(
    ['1ki', '1Ki', '1kI', '1KI', '1Mi', '1Gi', '1Ti', '1Pi', '1Ei'].map((s) => call('units.parse', s)),
    [1024, 1024, 1024, 1024, 2 ** 20, 2 ** 30, 2 ** 40, 2 ** 50, 2n ** 60n],
  );
  t.equal(call('units.parse', '"1"'), 1);
  t.equal(call('units.parse', '1.5Gi'), 1610612736);
  t.equal(call('units.parse', '0.3333m'), 0.0003333);
  t.equal(call('units.parse', '1e3m'), 1);
  t.equal(err('units.parse', '1 m').detail, 'units.parse: spaces not allowed in resource strings');
  t.equal(err('units.parse', '1mb').detail, 'units.parse: unit mb not recognized');
  t.equal(err('units.parse', 'm').detail, 'units.parse: no amount provided');
  t.equal(err('units.parse', ['1']).detail, 'units.parse: operand 1 must be string but got array');
  t.same(
    ['1KiB', '1kib', '1KI', '1kb', '1K', '1.5gb', '1EiB', '12345'].map((s) => call('units.parse_bytes', s)),
    [1024, 1024, 1024, 1000, 1000, 1500000000, 2n ** 60n, 12345],
  );
  t.equal(err('units.parse_bytes', '1 kb').detail, 'units.parse_bytes: spaces not allowed in resource strings');
  t.equal(err('units.parse_bytes', '1yib').detail, 'units.parse_bytes: byte unit yib not recognized');
  t.equal(err('units.parse_bytes', '1.1.1mb').detail, 'units.parse_bytes: could not parse byte amount to a number');
  t.equal(err('units.parse_bytes', '1e1234567').detail, 'units.parse_bytes: exponent too large');
});

t.test('uuid.rfc4122 is stable per key within an evaluation and marks randomness', async (t) => {
  let marked = 0;
  const c1: BuiltinContext = { ...ctx, markRandom: () => void marked++ };
  const c2: BuiltinContext = { ...ctx };
  const u = BUILTINS.get('uuid.rfc4122') as NonNullable<ReturnType<typeof BUILTINS.get>>;
  const a = u.fn(['1'], c1) as string;
  t.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  t.equal(u.fn(['1'], c1), a);
  t.not(u.fn(['2'], c1), a);
  t.not(u.fn(['1'], c2), a, 'another evaluation draws again');
  t.ok(marked >= 1);
  t.equal(u.nondeterministic, true);
  t.equal(show(call('uuid.parse', a)), '{"variant":"RFC4122","version":4}');
});

t.test('uuid.parse', async (t) => {
  t.equal(
    show(call('uuid.parse', 'b01d0062-a116-11ee-822b-7ab0b9e5e0c0')),
    '{"clocksequence":555,"macvariables":"local:unicast","nodeid":"7a-b0-b9-e5-e0-c0","time":1703282931110717000,"variant":"RFC4122","version":1}',
  );
  t.equal(
    show(call('uuid.parse', '000003e8-a129-21ee-ae00-325096b39f47')),
    '{"clocksequence":11776,"domain":"Person","id":1000,"macvariables":"local:unicast","nodeid":"32-50-96-b3-9f-47","time":1703290796079613600,"variant":"RFC4122","version":2}',
  );
  t.equal(show(call('uuid.parse', 'c6db027c-615c-3b4d-959e-1a917747ca5a')), '{"variant":"RFC4122","version":3}');
  t.equal(show(call('uuid.parse', '{a6342df8-7801-469c-b3f3-c5317a0ebdaa}')), '{"variant":"RFC4122","version":4}');
  t.equal(show(call('uuid.parse', 'urn:uuid:a6342df8-7801-469c-b3f3-c5317a0ebdaa')), '{"variant":"RFC4122","version":4}');
  t.equal(call('uuid.parse', 'not-valid'), undefined);
  t.equal(err('uuid.parse', 42).detail, 'uuid.parse: operand 1 must be string but got number');
});

t.test('bits', async (t) => {
  t.same([call('bits.and', 1, 0), call('bits.or', 1, 0), call('bits.xor', 1, 1), call('bits.negate', 9), call('bits.negate', -50)], [0, 1, 0, -10, 49]);
  t.equal(call('bits.lsh', 9, 2), 36);
  t.equal(call('bits.rsh', 9, 2), 2);
  t.equal(call('bits.lsh', 1, 70), 2n ** 70n, 'exact past 2^53');
  t.equal(call('bits.rsh', -9, 1000), -1);
  t.equal(call('bits.and', 2n ** 70n + 3n, 7), 3);
  t.equal(err('bits.and', 1, 'str').detail, 'bits.and: operand 2 must be integer but got string');
  t.equal(err('bits.xor', 1.5, 1).detail, 'bits.xor: operand 1 must be integer number but got floating-point number');
  t.equal(err('bits.lsh', 1, -1).detail, 'bits.lsh: operand 2 must be an unsigned integer number but got a negative integer');
  t.match(err('bits.lsh', 1, 2n ** 40n).detail, /exceeds the limit/);
});

t.test('net.cidr_*', async (t) => {
  t.equal(call('net.cidr_contains', '10.0.0.0/8', '10.1.2.3'), true);
  t.equal(call('net.cidr_contains', '10.0.0.0/8', '11.1.2.3'), false);
  t.equal(call('net.cidr_contains', '10.0.0.0/8', '10.1.0.0/16'), true);
  t.equal(call('net.cidr_contains', '10.0.0.0/8', '10.0.0.0/7'), false);
  t.equal(call('net.cidr_contains', '2001:db8::/32', '2001:db8:1::1'), true);
  t.equal(call('net.cidr_contains', '2001:db8::/32', '10.0.0.1'), false);
  t.equal(call('net.cidr_contains', '10.0.0.0/8', '::ffff:10.2.3.4'), true, 'IPv4-mapped addresses are IPv4');
  t.equal(err('net.cidr_contains', '10.0.0.0/8', 'junk').detail, 'net.cidr_contains: not a valid textual representation of an IP address or CIDR: junk');
  t.equal(err('net.cidr_contains', '10.0.0.0/33', '10.0.0.1').detail, 'net.cidr_contains: invalid CIDR address: 10.0.0.0/33');
  t.equal(call('net.cidr_intersects', '192.168.0.0/16', '192.168.1.0/24'), true);
  t.equal(call('net.cidr_intersects', '192.168.0.0/24', '192.168.1.0/24'), false);
  t.same(
    ['10.0.0.0/8', '010.0.0.0/8', '10.0.0.0', '::/0', '1.2.3.4/32', 'fe80::1%eth0/64'].map((c) => call('net.cidr_is_valid', c)),
    [true, false, false, true, true, false],
  );
  t.equal(show(call('net.cidr_expand', '192.168.1.0/30')), '["192.168.1.0","192.168.1.1","192.168.1.2","192.168.1.3"]');
  t.equal(show(call('net.cidr_expand', '2001:db8::/127')), '["2001:db8::","2001:db8::1"]');
  t.match(err('net.cidr_expand', '10.0.0.0/8').detail, /more than/, 'huge expansions refused');
  t.equal(show(call('net.cidr_contains_matches', ['1.1.1.0/24', '1.1.2.0/24'], '1.1.1.128')), '[[0,"1.1.1.128"]]');
  t.equal(show(call('net.cidr_contains_matches', fromJSON({ a: '10.0.0.0/8' }), new SetV(['10.1.1.1', '11.1.1.1']))), '[["a","10.1.1.1"]]');
});

t.test('crypto', async (t) => {
  t.equal(call('crypto.sha256', 'abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  t.equal(call('crypto.md5', 'abc'), '900150983cd24fb0d6963f7d28e17f72');
  t.equal(call('crypto.sha1', 'abc'), 'a9993e364706816aba3e25717850c26c9cd0d89d');
  t.equal(call('crypto.hmac.sha256', 'The quick brown fox jumps over the lazy dog', 'key'), 'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8');
  t.equal(call('crypto.hmac.equal', 'abc', 'abc'), true);
  t.equal(call('crypto.hmac.equal', 'abc', 'abd'), false);
  t.equal(err('crypto.sha256', 1).detail, 'crypto.sha256: operand 1 must be string but got number');
});

t.test('to_number', async (t) => {
  t.same([call('to_number', null), call('to_number', true), call('to_number', false), call('to_number', 5)], [0, 1, 0, 5]);
  t.equal(call('to_number', '1.5'), 1.5);
  t.equal(call('to_number', '-3'), -3);
  t.equal(call('to_number', '12345678901234567890'), 12345678901234567890n);
  t.equal(call('to_number', '1e3'), 1000);
  t.equal(err('to_number', 'inf').detail, 'to_number: operand 1 must be valid number string but got string');
  t.equal(err('to_number', 'abc').code, 'eval_builtin_error');
  t.equal(err('to_number', ' 1').code, 'eval_builtin_error', 'no trimming, like strconv.ParseFloat');
  t.equal(err('to_number', []).detail, 'to_number: operand 1 must be one of {null, boolean, number, string} but got array');
});

t.test('print, trace, opa.runtime, rand.intn', async (t) => {
  const printed: string[] = [];
  const pctx: BuiltinContext = { ...ctx, print: (m) => void printed.push(m) };
  const p = BUILTINS.get('print') as NonNullable<ReturnType<typeof BUILTINS.get>>;
  t.equal(p.arity, -1, 'variadic');
  t.equal(p.fn(['Hello', ['Hello'], [new ObjectV([[1, 2]]), new SetV([1, 2])]], pctx), true);
  p.fn([undefined as unknown as Value, 'hello\nworld', new SetV(), new ObjectV(), 1.1, -1, null], pctx);
  t.same(printed, ['Hello ["Hello"] [{1: 2}, {1, 2}]', '<undefined> hello\nworld set() {} 1.1 -1 null']);
  t.equal(call('trace', 'note'), true);
  t.equal(show(call('opa.runtime')), '{}');
  let marked = 0;
  const rctx: BuiltinContext = { ...ctx, markRandom: () => void marked++ };
  const r = BUILTINS.get('rand.intn') as NonNullable<ReturnType<typeof BUILTINS.get>>;
  const x = r.fn(['x', 50000], rctx) as number;
  t.ok(Number.isInteger(x) && x >= 0 && x < 50000);
  t.equal(r.fn(['x', 50000], rctx), x, 'same key and bound: same number within the evaluation');
  t.equal(r.fn(['x', -50000], rctx), x, 'negative bound is its absolute value');
  t.equal(r.fn(['b', 0], rctx), 0);
  t.ok(marked >= 1);
  t.equal(err('rand.intn', 'a', 10.3).detail, 'rand.intn: operand 2 must be integer number but got floating-point number');
  t.equal(err('rand.intn', 1, 2).detail, 'rand.intn: operand 1 must be string but got number');
});
