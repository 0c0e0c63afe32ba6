import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { BuiltinContext } from '../../src/rego/builtins/types.js';
import { BUILTINS } from '../../src/rego/builtins/index.js';
import { ObjectV, SetV, type Value } from '../../src/rego/value.js';
import { hasOpenssl, makePki } from '../helpers/auth.js';
import { call, ctx, err, show } from '../helpers/builtin-harness.js';

const get = (v: Value | undefined, ...path: (string | number)[]): Value | undefined => {
  let cur = v;
  for (const p of path) cur = typeof p === 'number' ? (cur as Value[])[p] : (cur as ObjectV).getStr(p);
  return cur;
};

// Keys made here need no openssl; certificates do (the PKI helper uses the openssl CLI).
t.test('crypto.parse_private_keys and parse_rsa_private_key: Go key JSON and JWK', async (t) => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const pkcs1 = rsa.privateKey.export({ format: 'pem', type: 'pkcs1' }) as string;
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const sec1 = ec.privateKey.export({ format: 'pem', type: 'sec1' }) as string;
  const ed = generateKeyPairSync('ed25519');
  const pkcs8 = ed.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  const jwk = rsa.privateKey.export({ format: 'jwk' });
  const big = (s: string | undefined): bigint => BigInt('0x' + Buffer.from(s ?? '', 'base64url').toString('hex'));

  const keys = call('crypto.parse_private_keys', pkcs1 + 'junk between\n' + sec1 + pkcs8) as Value[];
  t.equal(keys.length, 3);
  t.equal(BigInt(get(keys[0], 'N') as bigint), big(jwk.n), 'RSA N');
  t.equal(get(keys[0], 'E'), 65537);
  t.equal(BigInt(get(keys[0], 'Primes', 1) as bigint), big(jwk.q));
  t.equal(BigInt(get(keys[0], 'Precomputed', 'Qinv') as bigint), big(jwk.qi));
  t.equal(show(get(keys[1], 'Curve')), '{}', 'elliptic curves marshal as {} in Go');
  t.equal(typeof get(keys[1], 'D'), 'bigint');
  t.equal(Buffer.from(keys[2] as string, 'base64').length, 64, 'ed25519 private key: seed and public key');
  t.same(call('crypto.parse_private_keys', Buffer.from(pkcs1).toString('base64')), [keys[0]], 'base64 of PEM');
  t.equal(call('crypto.parse_private_keys', ''), null);
  t.same(call('crypto.parse_private_keys', 'no pem here'), []);
  t.match(
    err('crypto.parse_private_keys', '-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----').detail,
    /failed to parse PKCS#1 private key/,
  );

  t.equal(show(call('crypto.x509.parse_rsa_private_key', pkcs1)), show(new ObjectV(Object.entries(jwk) as [string, Value][])), 'first key as JWK');
  t.equal(call('crypto.x509.parse_rsa_private_key', '-----BEGIN X-----\n-----END X-----'), null);
  t.match(err('crypto.x509.parse_rsa_private_key', '').detail, /input PEM data was empty/);
  t.match(err('crypto.x509.parse_rsa_private_key', '%%%').detail, /illegal base64 data/);
});

t.test('crypto.x509 certificates', { skip: hasOpenssl() ? false : 'needs the openssl CLI to make certificates' }, async (t) => {
  const pki = makePki(['alice']);
  const server = readFileSync(pki.server.certFile, 'utf8');
  const serverKey = readFileSync(pki.server.keyFile, 'utf8');
  const x = new X509Certificate(server);

  const [c] = call('crypto.x509.parse_certificates', server) as Value[];
  t.equal(get(c, 'Subject', 'CommonName'), 'localhost');
  t.equal(show(get(c, 'Subject', 'Names')), '[{"Type":[2,5,4,3],"Value":"localhost"}]');
  t.equal(get(c, 'Issuer', 'CommonName'), 'ca');
  t.equal((get(c, 'SerialNumber') as bigint).toString(16), BigInt('0x' + x.serialNumber).toString(16));
  t.equal(show(get(c, 'DNSNames')), '["localhost"]');
  t.equal(show(get(c, 'IPAddresses')), '["127.0.0.1"]');
  t.equal(show(get(c, 'ExtKeyUsage')), '[1]', 'serverAuth is Go ExtKeyUsage 1');
  t.equal(get(c, 'KeyUsage'), 1, 'digitalSignature');
  t.equal(get(c, 'Version'), 3);
  t.equal(get(c, 'PublicKeyAlgorithm'), 3, 'ECDSA');
  t.equal(get(c, 'SignatureAlgorithm'), 10, 'ECDSAWithSHA256');
  t.equal(get(c, 'NotAfter'), new Date(x.validTo).toISOString().replace('.000Z', 'Z'));
  t.equal(get(c, 'Raw'), x.raw.toString('base64'));
  t.equal(get(c, 'RawSubjectPublicKeyInfo'), x.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'));
  t.equal(get(c, 'URIStrings'), null);
  t.equal(get(c, 'BasicConstraintsValid'), false);
  t.equal(get(c, 'MaxPathLen'), 0);

  const [ca] = call('crypto.x509.parse_certificates', Buffer.from(pki.ca.cert).toString('base64')) as Value[];
  t.equal(get(ca, 'IsCA'), true);
  t.equal(get(ca, 'MaxPathLen'), -1, 'basic constraints without a path length');
  t.equal(get(ca, 'KeyUsage'), 32 | 64, 'keyCertSign and cRLSign');
  t.same(get(ca, 'UnhandledCriticalExtensions'), null);

  const [alice] = call('crypto.x509.parse_certificates', pki.clients.alice.cert) as Value[];
  t.equal(show(get(alice, 'URIStrings')), '["spiffe://test.example/alice"]');
  t.equal(get(alice, 'URIs', 0, 'Host'), 'test.example');
  const der = new X509Certificate(pki.clients.alice.cert).raw.toString('base64');
  t.same(call('crypto.x509.parse_certificates', der), [alice], 'base64 DER');

  t.match(err('crypto.x509.parse_certificates', serverKey).detail, /PEM block type is 'PRIVATE KEY', expected CERTIFICATE/);
  t.match(err('crypto.x509.parse_certificates', 'not base64!').detail, /illegal base64 data/);
  t.match(err('crypto.x509.parse_certificates', Buffer.from([0x30, 0x03, 0x02, 0x01]).toString('base64')).detail, /malformed certificate/);

  // Verification: root first, leaf last; the clock decides validity.
  const now = BigInt(Date.now()) * 1000000n;
  const opts = (o: [string, Value][]): ObjectV => new ObjectV(o);
  const verify = 'crypto.x509.parse_and_verify_certificates_with_options';
  const ok = call(verify, pki.ca.cert + server, opts([['CurrentTime', now]])) as Value[];
  t.equal(ok[0], true);
  t.equal(show(get(ok[1], 0, 'Subject', 'CommonName')), '"localhost"', 'the chain starts at the leaf');
  t.equal(get(ok[1], 1, 'Subject', 'CommonName'), 'ca');
  t.equal(get(ok[1], 0, 'URIStrings'), undefined, 'OPA adds URIStrings only without options');
  t.same(call(verify, pki.ca.cert + server, opts([['CurrentTime', now + 10n * 86400n * 1000000000n]])), [false, []], 'expired');
  t.same(
    call(
      verify,
      pki.ca.cert + server,
      opts([
        ['CurrentTime', now],
        ['DNSName', 'localhost'],
      ]),
    )?.valueOf(),
    ok,
  );
  t.same(
    call(
      verify,
      pki.ca.cert + server,
      opts([
        ['CurrentTime', now],
        ['DNSName', 'example.com'],
      ]),
    ),
    [false, []],
    'wrong host',
  );
  t.same(call(verify, pki.ca.cert + pki.clients.alice.cert, opts([['CurrentTime', now]])), [false, []], 'a client cert is not for serverAuth');
  t.equal(
    (
      call(
        verify,
        pki.ca.cert + pki.clients.alice.cert,
        opts([
          ['CurrentTime', now],
          ['KeyUsages', ['KeyUsageClientAuth']],
        ]),
      ) as Value[]
    )[0],
    true,
  );
  t.equal(
    (
      call(
        verify,
        pki.ca.cert + pki.clients.alice.cert,
        opts([
          ['CurrentTime', now],
          ['KeyUsages', new SetV(['KeyUsageAny'])],
        ]),
      ) as Value[]
    )[0],
    true,
  );
  t.same(call(verify, pki.ca.cert + pki.stranger.cert, opts([['CurrentTime', now]])), [false, []], 'another CA');
  t.same(call(verify, server, opts([['CurrentTime', now]])), [false, []], 'one certificate is not a chain');
  t.same(call(verify, 'garbage', opts([])), [false, []]);
  t.match(err(verify, pki.ca.cert + server, opts([['Bogus', 1]])).detail, /invalid key option/);
  t.match(err(verify, pki.ca.cert + server, opts([['KeyUsages', ['Nope']]])).detail, /invalid entries for 'KeyUsages' found: \[Nope\]/);
  t.match(err(verify, pki.ca.cert + server, opts([['DNSName', 1]])).detail, /'DNSName' should be a string/);
  t.match(err(verify, pki.ca.cert + server, opts([['CurrentTime', 'x']])).detail, /'CurrentTime' should be a number/);

  // Without options the evaluation's clock is "now".
  const live: BuiltinContext = { ...ctx, nowNs: () => now };
  const b = BUILTINS.get('crypto.x509.parse_and_verify_certificates');
  t.equal((b?.fn([pki.ca.cert + server], live) as Value[])[0], true);
  t.equal(get((b?.fn([pki.ca.cert + pki.clients.alice.cert], live) as Value[])[1], 0), undefined);
  t.equal(b?.readsClock, true);

  // Key pairs.
  const kp = call('crypto.x509.parse_keypair', server, serverKey);
  t.equal(get(kp, 'Certificate', 0), x.raw.toString('base64'));
  t.equal(get(kp, 'Leaf', 'Subject', 'CommonName'), 'localhost');
  t.equal(show(get(kp, 'PrivateKey', 'Curve')), '{}');
  t.match(err('crypto.x509.parse_keypair', server, pki.clients.alice.key).detail, /private key does not match public key/);
  t.match(err('crypto.x509.parse_keypair', server, 'AAAA').detail, /failed to parse private key/);

  // Certificate requests.
  const csr = readFileSync(`${pki.dir}/server.csr`, 'utf8');
  const r = call('crypto.x509.parse_certificate_request', csr);
  t.equal(get(r, 'Subject', 'CommonName'), 'localhost');
  t.equal(get(r, 'PublicKeyAlgorithm'), 3);
  t.equal(get(r, 'RawSubjectPublicKeyInfo'), get(c, 'RawSubjectPublicKeyInfo'), 'the request carries the certificate key');
  t.equal(get(r, 'Version'), 0);
  t.match(err('crypto.x509.parse_certificate_request', server).detail, /illegal base64 data/);
  t.match(err('crypto.x509.parse_certificate_request', Buffer.from(server).toString('base64')).detail, /invalid PEM-encoded certificate signing request/);
});

t.test(
  'hostile certificate bytes fail as builtin errors, never crash',
  { skip: hasOpenssl() ? false : 'needs the openssl CLI to make certificates' },
  async (t) => {
    const pki = makePki([]);
    const der = new X509Certificate(pki.ca.cert).raw;
    let seed = 7;
    const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    for (let i = 0; i < 300; i++) {
      const b = Buffer.from(der);
      for (let k = 0; k < 1 + rand(4); k++) b[rand(b.length)] = rand(256);
      const cut = rand(3) === 0 ? b.subarray(0, rand(b.length)) : b;
      try {
        call('crypto.x509.parse_certificates', cut.toString('base64'));
      } catch (e) {
        t.equal((e as { code?: string }).code, 'eval_builtin_error', `mutation ${i}`);
      }
    }
    t.match(
      err('crypto.x509.parse_certificates', Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).toString('base64')).detail,
      /malformed certificate \(truncated\)/,
    );
    t.match(err('crypto.x509.parse_certificates', Buffer.from([0x30, 0x80]).toString('base64')).detail, /malformed certificate/);
  },
);

/** A self-signed certificate with the given nameConstraints extension value (openssl syntax). */
function constrainedCert(constraints: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'pdp-nc-'));
  writeFileSync(join(dir, 'req.cnf'), '[req]\ndistinguished_name=dn\n[dn]\n[dn_sect]\nCN=x\n');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')].concat([
      '-days',
      '1',
      '-subj',
      '/CN=nc',
      '-config',
      join(dir, 'req.cnf'),
      '-addext',
      `nameConstraints=${constraints}`,
    ]),
    { stdio: 'ignore' },
  );
  return readFileSync(join(dir, 'c.pem'), 'utf8');
}

t.test(
  "crypto.x509.parse_certificates: name constraints as Go's x509.Certificate fields",
  { skip: hasOpenssl() ? false : 'needs the openssl CLI to make certificates' },
  async (t) => {
    // Go's parseNameConstraintsExtension fills Permitted*/Excluded* and PermittedDNSDomainsCritical;
    // IP ranges are net.IPNet values: IP as text, Mask ([]byte) as base64.
    const pem = constrainedCert(
      'critical,permitted;DNS:.example.com,permitted;IP:10.0.0.0/255.0.0.0,permitted;IP:2001:db8::/ffff:ffff::,' +
        'excluded;email:bad.com,permitted;email:ops@example.com,permitted;URI:.example.org,excluded;DNS:secret.example.com',
    );
    const [c] = call('crypto.x509.parse_certificates', pem) as Value[];
    t.equal(get(c, 'PermittedDNSDomainsCritical'), true);
    t.same(get(c, 'PermittedDNSDomains'), ['.example.com']);
    t.same(get(c, 'ExcludedDNSDomains'), ['secret.example.com']);
    t.equal(show(get(c, 'PermittedIPRanges')), '[{"IP":"10.0.0.0","Mask":"/wAAAA=="},{"IP":"2001:db8::","Mask":"/////wAAAAAAAAAAAAAAAA=="}]');
    t.equal(get(c, 'ExcludedIPRanges'), null, 'a category with no entries is a nil slice: null');
    t.same(get(c, 'PermittedEmailAddresses'), ['ops@example.com']);
    t.same(get(c, 'ExcludedEmailAddresses'), ['bad.com']);
    t.same(get(c, 'PermittedURIDomains'), ['.example.org']);
    t.equal(get(c, 'ExcludedURIDomains'), null);
    t.equal(get(c, 'UnhandledCriticalExtensions'), null, 'every form here is one Go handles');

    // A directory-name constraint is a form Go does not handle: critical, the extension is unhandled.
    const [d] = call('crypto.x509.parse_certificates', constrainedCert('critical,permitted;DNS:a.example,excluded;dirName:dn_sect')) as Value[];
    t.same(get(d, 'PermittedDNSDomains'), ['a.example']);
    t.same(get(d, 'UnhandledCriticalExtensions'), [[2, 5, 29, 30]]);
    const [e] = call('crypto.x509.parse_certificates', constrainedCert('permitted;DNS:a.example,excluded;dirName:dn_sect')) as Value[];
    t.equal(get(e, 'UnhandledCriticalExtensions'), null, 'not critical: not listed');
    t.equal(get(e, 'PermittedDNSDomainsCritical'), false);

    // Hostile values are refused as Go refuses them.
    t.match(
      err('crypto.x509.parse_certificates', constrainedCert('permitted;IP:10.0.0.0/255.0.255.0')).detail,
      /IP constraint contained invalid mask ff00ff00/,
    );
    t.match(err('crypto.x509.parse_certificates', constrainedCert('permitted;DNS:a..example')).detail, /failed to parse dnsName constraint "a\.\.example"/);
    t.match(err('crypto.x509.parse_certificates', constrainedCert('permitted;URI:10.1.2.3')).detail, /cannot be IP address/);
  },
);
