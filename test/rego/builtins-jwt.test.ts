import t from 'tap';
import { fromJSON, type Value } from '../../src/rego/value.js';

import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { call, err, show } from '../helpers/builtin-harness.js';

function keyPair(type: 'rsa' | 'ec' | 'ed25519', opts: Record<string, unknown>): { publicKey: KeyObject; privateKey: KeyObject } {
  if (type === 'rsa') return generateKeyPairSync('rsa', { modulusLength: opts.modulusLength as number });
  if (type === 'ec') return generateKeyPairSync('ec', { namedCurve: opts.namedCurve as string });
  return generateKeyPairSync('ed25519');
}

const JWT_IO =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
const SECRET = 'your-256-bit-secret';

t.test('io.jwt.decode', async (t) => {
  const r = call('io.jwt.decode', JWT_IO) as Value[];
  t.equal(show(r[0]), '{"alg":"HS256","typ":"JWT"}');
  t.equal(show(r[1]), '{"iat":1516239022,"name":"John Doe","sub":"1234567890"}');
  t.equal(r[2], '49f94ac7044948c78a285d904f87f0a4c7897f7e8f3a4eb2255fda750b2cc397');
  t.equal(err('io.jwt.decode', 'abc').detail, 'io.jwt.decode: encoded JWT had no period separators');
  t.equal(err('io.jwt.decode', 'a.b').detail, 'io.jwt.decode: encoded JWT must have 3 sections, found 2');
  t.match(err('io.jwt.decode', 'eyJhbGciOiJIUzI1NiIsImVuYyI6IngifQ.e30.').detail, /JWE object/);
});

t.test('io.jwt.verify_hs256 and decode_verify with a secret', async (t) => {
  t.equal(call('io.jwt.verify_hs256', JWT_IO, SECRET), true);
  t.equal(call('io.jwt.verify_hs256', JWT_IO, 'wrong'), false);
  t.equal(call('io.jwt.verify_hs512', JWT_IO, SECRET), false);
  const ok = call('io.jwt.decode_verify', JWT_IO, fromJSON({ secret: SECRET })) as Value[];
  t.equal(ok[0], true);
  t.equal(show(ok[2]), '{"iat":1516239022,"name":"John Doe","sub":"1234567890"}');
  t.equal(show(call('io.jwt.decode_verify', JWT_IO, fromJSON({ secret: 'x' }))), '[false,{},{}]');
  t.equal(show(call('io.jwt.decode_verify', JWT_IO, fromJSON({ secret: SECRET, alg: 'RS256' }))), '[false,{},{}]');
  t.equal(show(call('io.jwt.decode_verify', JWT_IO, fromJSON({ secret: SECRET, aud: 'x' }))), '[false,{},{}]', 'aud required but absent');
  t.equal(err('io.jwt.decode_verify', JWT_IO, fromJSON({})).detail, 'io.jwt.decode_verify: no key constraint');
  t.equal(err('io.jwt.decode_verify', JWT_IO, fromJSON({ secret: 'a', nope: 1 })).detail, 'io.jwt.decode_verify: unknown token validation constraint: nope');
});

t.test('encode_sign then verify with RSA, PSS, EC and Ed25519 keys (PEM and JWK)', async (t) => {
  const now = 1703444325; // ctx.nowNs is 1703444325734390000
  const payload = fromJSON({ iss: 'pdp', aud: ['svc', 'other'], exp: now + 60, nbf: now - 60, sub: 'agent' });
  const cases: [string, 'rsa' | 'ec' | 'ed25519', Record<string, unknown>][] = [
    ['RS256', 'rsa', { modulusLength: 2048 }],
    ['PS384', 'rsa', { modulusLength: 2048 }],
    ['ES256', 'ec', { namedCurve: 'P-256' }],
    ['ES384', 'ec', { namedCurve: 'P-384' }],
    ['EdDSA', 'ed25519', {}],
  ];
  for (const [alg, type, opts] of cases) {
    const { publicKey, privateKey } = keyPair(type, opts);
    const jwk = fromJSON({ ...privateKey.export({ format: 'jwk' }), kid: 'k1' });
    const token = call('io.jwt.encode_sign', fromJSON({ alg, kid: 'k1' }), payload, jwk) as string;
    const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const pubJwks = JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg }] });
    const fn = alg === 'EdDSA' ? 'io.jwt.verify_eddsa' : `io.jwt.verify_${alg.toLowerCase()}`;
    t.equal(call(fn, token, pem), true, `${alg} verifies with a PEM public key`);
    t.equal(call(fn, token, pubJwks), true, `${alg} verifies with a JWKS`);
    const tampered = token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    t.equal(call(fn, tampered, pem), false, `${alg} rejects a tampered signature`);
    const dv = call('io.jwt.decode_verify', token, fromJSON({ cert: pem, iss: 'pdp', aud: 'svc' })) as Value[];
    t.equal(dv[0], true, `${alg} decode_verify`);
    t.equal(show(call('io.jwt.decode_verify', token, fromJSON({ cert: pem, iss: 'other' }))), '[false,{},{}]', `${alg} wrong issuer`);
    t.equal(show(call('io.jwt.decode_verify', token, fromJSON({ cert: pem, aud: 'svc', time: (now + 120) * 1e9 }))), '[false,{},{}]', `${alg} expired`);
    t.equal(show(call('io.jwt.decode_verify', token, fromJSON({ cert: pem, aud: 'svc', time: (now - 120) * 1e9 }))), '[false,{},{}]', `${alg} not yet valid`);
  }
});

t.test('encode_sign_raw with an oct JWK round-trips through verify_hs256', async (t) => {
  const jwk = JSON.stringify({ kty: 'oct', k: Buffer.from(SECRET).toString('base64url') });
  const token = call('io.jwt.encode_sign_raw', '{"alg":"HS256","typ":"JWT"}', '{"sub":"1234567890","name":"John Doe","iat":1516239022}', jwk) as string;
  t.equal(token, JWT_IO, 'same bytes in, same token out');
  t.match(err('io.jwt.encode_sign_raw', '{"alg":"none"}', '{}', jwk).detail, /unknown JWS algorithm: none/);
});
