// Bundle signatures, checked like OPA: keys generated here, bundles signed here with jose, and
// every way a bundle can be unsigned, re-signed, or tampered with.
import { createHash, generateKeyPairSync } from 'node:crypto';
import t from 'tap';
import { BundleError } from '../../src/bundles/errors.js';
import { digest, prepareVerifier, verifyBundleSignature, type SignatureVerification } from '../../src/bundles/signature.js';
import { signBundle, toMap, type FileSpec } from '../helpers/bundle-files.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = (k: typeof rsa.publicKey) => k.export({ type: 'spki', format: 'pem' }).toString();

const FILES: FileSpec = {
  '.manifest': '{"revision": "r1", "roots": ["ai"]}',
  'ai/policy.rego': 'package ai\n\nallow := true\n',
  'ai/data.json': '{"threshold": 0.90, "b": [1, "x"], "a": {"z": null, "y": true}}',
};

const CONFIG: SignatureVerification = {
  required: true,
  keys: [
    { keyId: 'release-rsa', algorithm: 'RS256', key: pem(rsa.publicKey) },
    { keyId: 'release-ec', algorithm: 'ES256', key: pem(ec.publicKey) },
    { keyId: 'ci-hmac', algorithm: 'HS256', key: 'a shared secret of reasonable length!' },
  ],
};

/** `null`: no signing configuration at all. */
async function verify(files: FileSpec, cfg: SignatureVerification | null = CONFIG): Promise<string> {
  try {
    const r = await verifyBundleSignature(toMap(files), prepareVerifier(cfg ?? undefined));
    return r.signed ? `signed:${r.keyId}` : 'unsigned';
  } catch (e) {
    if (e instanceof BundleError) return e.code;
    throw e;
  }
}

t.test('bundles signed with RSA, ECDSA and HMAC keys verify', async (t) => {
  t.equal(await verify(await signBundle(FILES, { alg: 'RS256', key: rsa.privateKey, kid: 'release-rsa' })), 'signed:release-rsa');
  t.equal(await verify(await signBundle(FILES, { alg: 'ES256', key: ec.privateKey, kid: 'release-ec' })), 'signed:release-ec');
  t.equal(
    await verify(await signBundle(FILES, { alg: 'HS256', key: new TextEncoder().encode('a shared secret of reasonable length!'), kid: 'ci-hmac' })),
    'signed:ci-hmac',
  );
});

t.test('require-signature mode refuses unsigned bundles; optional mode accepts them', async (t) => {
  t.equal(await verify(FILES), 'BUNDLE_SIGNATURE_MISSING');
  t.equal(await verify(FILES, { ...CONFIG, required: false }), 'unsigned');
  t.equal(await verify(FILES, null), 'unsigned');
});

t.test('a signed bundle with no keys configured is refused, as in OPA', async (t) => {
  t.equal(await verify(await signBundle(FILES, { alg: 'RS256', key: rsa.privateKey, kid: 'release-rsa' }), null), 'BUNDLE_SIGNATURE_INVALID');
});

t.test('tampering is caught', async (t) => {
  const signed = await signBundle(FILES, { alg: 'RS256', key: rsa.privateKey, kid: 'release-rsa' });
  t.equal(await verify({ ...signed, 'ai/policy.rego': 'package ai\n\nallow := false\n' }), 'BUNDLE_SIGNATURE_MISMATCH', 'changed file');
  t.equal(await verify({ ...signed, 'ai/extra.rego': 'package ai\n\nbackdoor := true\n' }), 'BUNDLE_SIGNATURE_MISMATCH', 'added file');
  const removed = { ...signed };
  delete removed['ai/data.json'];
  t.equal(await verify(removed), 'BUNDLE_SIGNATURE_MISMATCH', 'removed file');
  t.equal(await verify({ ...signed, 'ai/data.json': '{"threshold": 0.5, "b": [1, "x"], "a": {"z": null, "y": true}}' }), 'BUNDLE_SIGNATURE_MISMATCH');

  const sig = JSON.parse(signed['.signatures.json'] as string) as { signatures: string[] };
  const [h, p, s] = sig.signatures[0].split('.');
  const forgedPayload = Buffer.from(JSON.stringify({ files: [] })).toString('base64url');
  t.equal(
    await verify({ ...signed, '.signatures.json': JSON.stringify({ signatures: [`${h}.${forgedPayload}.${s}`] }) }),
    'BUNDLE_SIGNATURE_INVALID',
    'payload swapped under the signature',
  );
  t.equal(
    await verify({ ...signed, '.signatures.json': JSON.stringify({ signatures: [`${h}.${p}.${s}`, `${h}.${p}.${s}`] }) }),
    'BUNDLE_SIGNATURE_INVALID',
    'exactly one JWT',
  );
  t.equal(await verify({ ...signed, '.signatures.json': '{not json' }), 'BUNDLE_SIGNATURE_INVALID');
});

t.test('wrong keys, unknown key ids and algorithm confusion are refused', async (t) => {
  t.equal(
    await verify(await signBundle(FILES, { alg: 'RS256', key: other.privateKey, kid: 'release-rsa' })),
    'BUNDLE_SIGNATURE_INVALID',
    'signed by another key',
  );
  t.equal(await verify(await signBundle(FILES, { alg: 'RS256', key: rsa.privateKey, kid: 'nobody' })), 'BUNDLE_SIGNATURE_INVALID', 'unknown kid');
  t.equal(await verify(await signBundle(FILES, { alg: 'RS256', key: rsa.privateKey })), 'BUNDLE_SIGNATURE_INVALID', 'no kid with several keys');
  // HS256 "signed" with the RSA public key's PEM text: the classic confusion attack.
  t.equal(
    await verify(await signBundle(FILES, { alg: 'HS256', key: new TextEncoder().encode(pem(rsa.publicKey)), kid: 'release-rsa' })),
    'BUNDLE_SIGNATURE_INVALID',
  );
  const single: SignatureVerification = { required: true, keys: [CONFIG.keys[0]] };
  t.equal(await verify(await signBundle(FILES, { alg: 'RS256', key: rsa.privateKey }), single), 'signed:release-rsa', 'no kid, one key');
});

t.test('scope must match exactly', async (t) => {
  const scoped = await signBundle(FILES, { alg: 'RS256', key: rsa.privateKey, kid: 'release-rsa', scope: 'write' });
  t.equal(await verify(scoped), 'BUNDLE_SIGNATURE_INVALID', 'payload scope, none configured');
  t.equal(await verify(scoped, { ...CONFIG, scope: 'write' }), 'signed:release-rsa');
  t.equal(await verify(scoped, { ...CONFIG, scope: 'read' }), 'BUNDLE_SIGNATURE_INVALID');
});

t.test('configuration errors surface at construction', async (t) => {
  const bad = (cfg: SignatureVerification) => {
    try {
      prepareVerifier(cfg);
      return 'ok';
    } catch (e) {
      return (e as BundleError).code;
    }
  };
  t.equal(bad({ required: true, keys: [{ keyId: 'k', algorithm: 'RS256', key: 'not a pem' }] }), 'BUNDLE_CONFIG_INVALID');
  t.equal(bad({ required: true, keys: [{ keyId: 'k', algorithm: 'none', key: 'x' }] }), 'BUNDLE_CONFIG_INVALID');
  t.equal(bad({ required: true, keys: [] }), 'BUNDLE_CONFIG_INVALID');
});

t.test('structured files hash in OPA canonical form (computed independently here)', async (t) => {
  const bytes = new TextEncoder().encode(FILES['ai/data.json'] as string);
  // Keys sorted, no whitespace, number literals exactly as written.
  const canonical = '{"a":{"y":true,"z":null},"b":[1,"x"],"threshold":0.90}';
  t.equal(digest('ai/data.json', bytes, 'SHA-256'), createHash('sha256').update(canonical).digest('hex'));
  const pretty = new TextEncoder().encode('{\n  "threshold": 0.90,\n  "a": {"y": true, "z": null},\n  "b": [1, "x"]\n}');
  t.equal(digest('ai/data.json', pretty, 'SHA-256'), digest('ai/data.json', bytes, 'SHA-256'), 'whitespace and key order do not matter');
  t.equal(digest('ai/x.json', bytes, 'SHA-256'), createHash('sha256').update(bytes).digest('hex'), 'other files hash as bytes');
  t.equal(
    digest('d/data.json', new TextEncoder().encode('{"é": "<&>\u2028", "e": "\\u00e9"}'), 'SHA-256'),
    createHash('sha256').update('{"e":"é","é":"<&>\\u2028"}').digest('hex'),
    'keys in UTF-8 byte order, no HTML escaping, U+2028 escaped',
  );
  t.equal(
    digest('d/data.yaml', new TextEncoder().encode('b: 2\na: [x, 1.5]\n'), 'SHA-512'),
    createHash('sha512').update('{"a":["x",1.5],"b":2}').digest('hex'),
  );
  t.throws(() => digest('x', bytes, 'SHA-3'), { code: 'BUNDLE_SIGNATURE_INVALID' });
});
