// `pdp bundle build --signing-key` and `pdp bundle sign` (src/cli/bundle-sign.ts) write OPA's
// `.signatures.json`; the service's own verifier (src/bundles/signature.ts) accepts what they sign
// and refuses it once a file is changed, with the wrong key or with another scope.
import { generateKeyPairSync } from 'node:crypto';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { DEFAULT_BUNDLE_LIMITS } from '../../src/bundles/limits.js';
import { readTarball } from '../../src/bundles/read-tarball.js';
import { prepareVerifier, verifyBundleSignature } from '../../src/bundles/signature.js';
import { runCli } from '../helpers/cli.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');

async function setup(teardown: (f: () => Promise<void>) => void): Promise<{ dir: string; priv: string; pub: string; otherPub: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pdp-sign-'));
  teardown(() => rm(dir, { recursive: true, force: true }));
  await cp(path.join(fixtures, 'pass'), path.join(dir, 'src'), { recursive: true });
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const priv = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  await writeFile(path.join(dir, 'key.pem'), priv);
  await writeFile(path.join(dir, 'claims.json'), JSON.stringify({ iss: 'pdp-tests' }));
  return {
    dir,
    priv,
    pub: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    otherPub: other.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

t.test('bundle build --signing-key: the service verifies the signed bundle', async (t) => {
  const { dir, pub, otherPub } = await setup((f) => t.teardown(f));
  const r = await runCli(
    ['bundle', 'build', 'src', '-o', 'b.tar.gz', '--signing-key', 'key.pem', '--signing-key-id', 'k1', '--scope', 'prod', '--claims-file', 'claims.json'],
    dir,
  );
  t.equal(r.code, 0, r.err);
  t.match(r.out, /signed/);
  const files = await readTarball(await readFile(path.join(dir, 'b.tar.gz')), DEFAULT_BUNDLE_LIMITS);
  t.ok(files.has('.signatures.json'));
  const sig = JSON.parse(new TextDecoder().decode(files.get('.signatures.json'))) as { signatures: string[] };
  t.equal(sig.signatures.length, 1);
  const payload = JSON.parse(Buffer.from(sig.signatures[0].split('.')[1], 'base64url').toString()) as {
    files: { name: string; algorithm: string }[];
    iss: string;
    scope: string;
    keyid: string;
  };
  t.same(payload.files.map((f) => f.name).sort(), ['.manifest', ...[...files.keys()].filter((k) => k !== '.signatures.json' && k !== '.manifest')].sort());
  t.same([payload.iss, payload.scope, payload.keyid, payload.files[0].algorithm], ['pdp-tests', 'prod', 'k1', 'SHA-256']);

  const verifier = prepareVerifier({ required: true, keys: [{ keyId: 'k1', algorithm: 'RS256', key: pub }], scope: 'prod' });
  const ok = await verifyBundleSignature(files, verifier);
  t.same([ok.signed, ok.keyId], [true, 'k1']);

  const tampered = new Map(files);
  const rego = [...files.keys()].find((k) => k.endsWith('.rego'))!;
  tampered.set(rego, new TextEncoder().encode('package authz\nallow := true\n'));
  await t.rejects(verifyBundleSignature(tampered, verifier), { code: 'BUNDLE_SIGNATURE_MISMATCH' }, 'a changed file is refused');
  await t.rejects(
    verifyBundleSignature(files, prepareVerifier({ required: true, keys: [{ keyId: 'k1', algorithm: 'RS256', key: otherPub }], scope: 'prod' })),
    { code: 'BUNDLE_SIGNATURE_INVALID' },
    'another key is refused',
  );
  await t.rejects(
    verifyBundleSignature(files, prepareVerifier({ required: true, keys: [{ keyId: 'k1', algorithm: 'RS256', key: pub }], scope: 'dev' })),
    { code: 'BUNDLE_SIGNATURE_INVALID' },
    'another scope is refused',
  );
});

t.test('bundle sign <dir> writes .signatures.json over the directory; HMAC secrets', async (t) => {
  const { dir } = await setup((f) => t.teardown(f));
  const r = await runCli(['bundle', 'sign', 'src', '--signing-key', 'not-a-file-so-the-secret', '--signing-alg', 'HS256'], dir);
  t.equal(r.code, 0, r.err);
  const files = new Map<string, Uint8Array>();
  const root = path.join(dir, 'src');
  for (const e of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const rel = path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/');
    files.set(rel, await readFile(path.join(e.parentPath, e.name)));
  }
  t.ok(files.has('.signatures.json'));
  const verifier = prepareVerifier({ required: true, keys: [{ keyId: 'hs', algorithm: 'HS256', key: 'not-a-file-so-the-secret' }] });
  t.same((await verifyBundleSignature(files, verifier)).signed, true);
});

t.test('signing input errors', async (t) => {
  const { dir } = await setup((f) => t.teardown(f));
  let r = await runCli(['bundle', 'sign', 'src'], dir);
  t.equal(r.code, 2);
  t.match(r.err, /--signing-key is required/);
  r = await runCli(['bundle', 'build', 'src', '-o', 'x.tar.gz', '--signing-key', 'key.pem', '--signing-alg', 'none'], dir);
  t.equal(r.code, 2);
  t.match(r.err, /--signing-alg must be one of/);
  r = await runCli(['bundle', 'build', 'src', '-o', 'x.tar.gz', '--signing-key', 'not a pem'], dir);
  t.equal(r.code, 1);
  t.match(r.err, /not a PEM private key/);
  r = await runCli(['bundle', 'build', 'src', '-o', 'x.tar.gz', '--signing-key', 'key.pem', '--claims-file', 'nope.json'], dir);
  t.equal(r.code, 1);
  t.match(r.err, /--claims-file nope\.json/);
  await writeFile(path.join(dir, 'arr.json'), '[1]');
  r = await runCli(['bundle', 'build', 'src', '-o', 'x.tar.gz', '--signing-key', 'key.pem', '--claims-file', 'arr.json'], dir);
  t.match(r.err, /must hold a JSON object/);
  r = await runCli(['bundle', 'sign', 'nodir', '--signing-key', 'key.pem'], dir);
  t.equal(r.code, 2);
  r = await runCli(['bundle', 'frob'], dir);
  t.equal(r.code, 2);
});
