// crypto.x509.* and crypto.parse_private_keys. OPA returns Go's encoding/json form of Go's
// crypto/x509 structures (x509.Certificate, x509.CertificateRequest, tls.Certificate, the
// rsa/ecdsa/ed25519 private keys), so this builds those objects field by field from the DER:
// []byte as base64, big.Int as numbers, enums as Go's integers, nil slices as null, OIDs as
// arrays of arcs, time.Time as RFC 3339. Signatures and chains are checked with node:crypto.

import { X509Certificate, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { ObjectV, SetV, fromJSON, normNum, type Value } from '../value.js';
import {
  DerError,
  bigInt,
  bitStringBytes,
  children,
  contents,
  expect,
  oidArcs,
  oidString,
  pemBlocks,
  readNode,
  strictBase64,
  whole,
  type Node,
} from './der.js';
import type { Builtin, BuiltinContext } from './types.js';
import { decodeUtf8Go, def, fail, obj, str, strCost } from './util.js';
import { goParseURL } from './uri.js';

const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
const num = (n: bigint): Value => normNum(n);

// Go's x509.SignatureAlgorithm and PublicKeyAlgorithm enums, by algorithm OID.
const SIG_ALGS: Record<string, number> = {
  '1.2.840.113549.1.1.2': 1,
  '1.2.840.113549.1.1.4': 2,
  '1.2.840.113549.1.1.5': 3,
  '1.2.840.113549.1.1.11': 4,
  '1.2.840.113549.1.1.12': 5,
  '1.2.840.113549.1.1.13': 6,
  '1.2.840.10040.4.3': 7,
  '2.16.840.1.101.3.4.3.2': 8,
  '1.2.840.10045.4.1': 9,
  '1.2.840.10045.4.3.2': 10,
  '1.2.840.10045.4.3.3': 11,
  '1.2.840.10045.4.3.4': 12,
  '1.3.101.112': 16,
};
const PSS_BY_HASH: Record<string, number> = { '2.16.840.1.101.3.4.2.1': 13, '2.16.840.1.101.3.4.2.2': 14, '2.16.840.1.101.3.4.2.3': 15 };
const PK_ALGS: Record<string, number> = { '1.2.840.113549.1.1.1': 1, '1.2.840.10040.4.1': 2, '1.2.840.10045.2.1': 3, '1.3.101.112': 4 };

// Go's x509.ExtKeyUsage enum.
const EXT_KEY_USAGES: Record<string, number> = {
  '2.5.29.37.0': 0,
  '1.3.6.1.5.5.7.3.1': 1,
  '1.3.6.1.5.5.7.3.2': 2,
  '1.3.6.1.5.5.7.3.3': 3,
  '1.3.6.1.5.5.7.3.4': 4,
  '1.3.6.1.5.5.7.3.5': 5,
  '1.3.6.1.5.5.7.3.6': 6,
  '1.3.6.1.5.5.7.3.7': 7,
  '1.3.6.1.5.5.7.3.8': 8,
  '1.3.6.1.5.5.7.3.9': 9,
  '1.3.6.1.4.1.311.10.3.3': 10,
  '2.16.840.1.113730.4.1': 11,
  '1.3.6.1.4.1.311.2.1.22': 12,
  '1.3.6.1.4.1.311.61.1.1': 13,
};

/** pkix.Name fields filled from attribute OIDs (array fields, then the two string fields). */
const NAME_LISTS: Record<string, string> = {
  '2.5.4.6': 'Country',
  '2.5.4.10': 'Organization',
  '2.5.4.11': 'OrganizationalUnit',
  '2.5.4.7': 'Locality',
  '2.5.4.8': 'Province',
  '2.5.4.9': 'StreetAddress',
  '2.5.4.17': 'PostalCode',
};

const nullable = (xs: Value[]): Value => (xs.length === 0 ? null : xs);

function asnString(n: Node): string {
  const b = contents(n);
  switch (n.tag) {
    case 0x1e: {
      // BMPString: UTF-16BE
      let s = '';
      for (let i = 0; i + 1 < b.length; i += 2) s += String.fromCharCode((b[i] << 8) | b[i + 1]);
      return s;
    }
    case 0x0c:
    case 0x13:
    case 0x16:
    case 0x14:
    case 0x1a:
      return decodeUtf8Go(b);
    default:
      throw new DerError('unsupported string type in name');
  }
}

/** pkix.Name's JSON from an RDNSequence. */
function nameJSON(seq: Node): ObjectV {
  const lists: Record<string, Value[]> = {};
  let serial = '';
  let cn = '';
  const names: Value[] = [];
  for (const rdn of children(expect(seq, 0x30, 'name'))) {
    for (const atv of children(expect(rdn, 0x31, 'relative distinguished name'))) {
      const [t, v] = children(expect(atv, 0x30, 'attribute'));
      const oid = oidString(expect(t, 0x06, 'attribute type'));
      const value = asnString(v);
      names.push(
        new ObjectV([
          ['Type', oidArcs(t)],
          ['Value', value],
        ]),
      );
      if (NAME_LISTS[oid]) (lists[NAME_LISTS[oid]] ??= []).push(value);
      else if (oid === '2.5.4.5') serial = value;
      else if (oid === '2.5.4.3') cn = value;
    }
  }
  const out = new ObjectV();
  for (const f of Object.values(NAME_LISTS)) out.set(f, lists[f] ?? null);
  out.set('SerialNumber', serial);
  out.set('CommonName', cn);
  out.set('Names', nullable(names));
  out.set('ExtraNames', null);
  return out;
}

function timeJSON(n: Node): string {
  const s = decodeUtf8Go(contents(n));
  let m: RegExpExecArray | null;
  if (n.tag === 0x17 && (m = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s))) {
    const yy = Number(m[1]);
    return `${yy < 50 ? 2000 + yy : 1900 + yy}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`;
  }
  if (n.tag === 0x18 && (m = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s))) return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`;
  throw new DerError('malformed time');
}

/** The Go JSON of a public key (rsa.PublicKey, ecdsa.PublicKey, ed25519.PublicKey). */
function publicKeyJSON(spki: Uint8Array, alg: number): Value {
  if (alg === 0 || alg === 2) return null; // unknown algorithms and DSA: not decoded here
  const jwk = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).export({ format: 'jwk' });
  return keyJSON(jwk, false);
}

const jwkInt = (s: string | undefined): Value => num(BigInt('0x' + (Buffer.from(s ?? '', 'base64url').toString('hex') || '0')));

/** Go's JSON for a key, from its JWK form. Private keys carry D (and RSA's primes). */
function keyJSON(jwk: Record<string, unknown>, priv: boolean): Value {
  const f = (k: string): string | undefined => jwk[k] as string | undefined;
  if (jwk.kty === 'RSA') {
    const out = new ObjectV([
      ['N', jwkInt(f('n'))],
      ['E', jwkInt(f('e'))],
    ]);
    if (priv) {
      out.set('D', jwkInt(f('d')));
      out.set('Primes', [jwkInt(f('p')), jwkInt(f('q'))]);
      out.set(
        'Precomputed',
        new ObjectV([
          ['Dp', jwkInt(f('dp'))],
          ['Dq', jwkInt(f('dq'))],
          ['Qinv', jwkInt(f('qi'))],
          ['CRTValues', []],
        ]),
      );
    }
    return out;
  }
  if (jwk.kty === 'EC') {
    // elliptic.Curve values have no exported fields: Go marshals the curve as {}.
    const out = new ObjectV([
      ['Curve', new ObjectV()],
      ['X', jwkInt(f('x'))],
      ['Y', jwkInt(f('y'))],
    ]);
    if (priv) out.set('D', jwkInt(f('d')));
    return out;
  }
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') {
    const x = Buffer.from(f('x') ?? '', 'base64url');
    return b64(priv ? Buffer.concat([Buffer.from(f('d') ?? '', 'base64url'), x]) : x);
  }
  return null;
}

function urlJSON(u: string): Value {
  try {
    const p = goParseURL(u);
    return new ObjectV([
      ['Scheme', p.scheme],
      ['Opaque', p.opaque],
      ['User', null],
      ['Host', p.host],
      ['Path', p.path],
      ['RawPath', p.rawPath],
      ['OmitHost', false],
      ['ForceQuery', false],
      ['RawQuery', p.rawQuery],
      ['Fragment', p.fragment],
      ['RawFragment', ''],
    ]);
  } catch {
    throw new DerError(`cannot parse URI ${JSON.stringify(u)}`);
  }
}

function ipString(b: Uint8Array): string {
  if (b.length === 4) return [...b].join('.');
  if (b.length !== 16) throw new DerError('invalid IP address length');
  const isV4Mapped = b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
  if (isV4Mapped) return [...b.subarray(12)].join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i] << 8) | b[i + 1]);
  // The longest run (>= 2) of zero groups becomes "::", as Go's net.IP.String.
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return hex.slice(0, best).join(':') + '::' + hex.slice(best + bestLen).join(':');
}

interface SanOut {
  DNSNames: Value[];
  EmailAddresses: Value[];
  IPAddresses: Value[];
  URIs: Value[];
  uriStrings: string[];
}

function parseSAN(value: Node, out: SanOut): void {
  for (const g of children(expect(value, 0x30, 'subject alternative names'))) {
    const b = contents(g);
    if (g.tag === 0x81) out.EmailAddresses.push(decodeUtf8Go(b));
    else if (g.tag === 0x82) out.DNSNames.push(decodeUtf8Go(b));
    else if (g.tag === 0x86) {
      const u = decodeUtf8Go(b);
      out.URIs.push(urlJSON(u));
      out.uriStrings.push(u);
    } else if (g.tag === 0x87) out.IPAddresses.push(ipString(b));
  }
}

/** Go's domainToReverseLabels validity: non-empty labels of printable ASCII, no trailing dot. */
function validDomain(d: string): boolean {
  if (d === '') return true;
  if (d.endsWith('.')) return false;
  return d.split('.').every((l) => l.length > 0 && [...l].every((c) => c.charCodeAt(0) >= 33 && c.charCodeAt(0) <= 126));
}

/** Go's isIA5String: every rune below 128. */
function ia5(s: string): string {
  for (const c of s)
    if (c.codePointAt(0)! >= 128) throw new DerError(`x509: invalid constraint value: x509: ${JSON.stringify(s)} cannot be encoded as an IA5String`);
  return s;
}

/** Ones then zeros, as Go's isValidIPMask. */
function validMask(m: Uint8Array): boolean {
  let seenZero = false;
  for (const b of m) {
    for (let bit = 7; bit >= 0; bit--) {
      if ((b >> bit) & 1) {
        if (seenZero) return false;
      } else seenZero = true;
    }
  }
  return true;
}

interface NameConstraints {
  dns: Value[];
  ips: Value[];
  emails: Value[];
  uris: Value[];
}

/**
 * One GeneralSubtrees list of a NameConstraints extension, checked as Go's
 * parseNameConstraintsExtension checks it. `other` is set when a name form Go does not
 * handle appears (the extension is then unhandled, which matters when it is critical).
 */
function nameSubtrees(list: Node | undefined, other: { unhandled: boolean }): NameConstraints {
  const out: NameConstraints = { dns: [], ips: [], emails: [], uris: [] };
  if (list === undefined) return out;
  for (const sub of children(list)) {
    const base = children(expect(sub, 0x30, 'NameConstraints subtree'))[0];
    if (base === undefined) throw new DerError('x509: invalid NameConstraints extension');
    const raw = contents(base);
    const text = (): string => ia5(Buffer.from(raw).toString('latin1'));
    switch (base.tag) {
      case 0x82: {
        const d = text();
        if (!validDomain(d.startsWith('.') ? d.slice(1) : d)) throw new DerError(`x509: failed to parse dnsName constraint ${JSON.stringify(d)}`);
        out.dns.push(d);
        break;
      }
      case 0x87: {
        if (raw.length !== 8 && raw.length !== 32) throw new DerError(`x509: IP constraint contained value of length ${raw.length}`);
        const half = raw.length / 2;
        const mask = raw.subarray(half);
        if (!validMask(mask)) throw new DerError(`x509: IP constraint contained invalid mask ${Buffer.from(mask).toString('hex')}`);
        // net.IPNet: IP marshals as text, IPMask ([]byte) as base64.
        out.ips.push(
          new ObjectV([
            ['IP', ipString(raw.subarray(0, half))],
            ['Mask', b64(mask)],
          ]),
        );
        break;
      }
      case 0x81: {
        const c = text();
        const at = c.lastIndexOf('@');
        const domain = at >= 0 ? c.slice(at + 1) : c.startsWith('.') ? c.slice(1) : c;
        if ((at >= 0 && (at === 0 || domain === '')) || !validDomain(domain))
          throw new DerError(`x509: failed to parse rfc822Name constraint ${JSON.stringify(c)}`);
        out.emails.push(c);
        break;
      }
      case 0x86: {
        const d = text();
        if (/^\d{1,3}(\.\d{1,3}){3}$/.test(d) || d.includes(':'))
          throw new DerError(`x509: failed to parse URI constraint ${JSON.stringify(d)}: cannot be IP address`);
        if (!validDomain(d.startsWith('.') ? d.slice(1) : d)) throw new DerError(`x509: failed to parse URI constraint ${JSON.stringify(d)}`);
        out.uris.push(d);
        break;
      }
      default:
        other.unhandled = true;
    }
  }
  return out;
}

/** Extension OIDs Go's parser understands (others, when critical, are "unhandled"). */
const HANDLED = new Set([
  '2.5.29.15',
  '2.5.29.19',
  '2.5.29.17',
  '2.5.29.30',
  '2.5.29.31',
  '2.5.29.35',
  '2.5.29.37',
  '2.5.29.14',
  '2.5.29.32',
  '1.3.6.1.5.5.7.1.1',
]);

function uriFrom(n: Node): string {
  return decodeUtf8Go(contents(n));
}

/** x509.Certificate's JSON from one DER certificate. */
export function certificateJSON(der: Uint8Array, withURIStrings: boolean): ObjectV {
  const cert = readNode(der, 0);
  const [tbs, sigAlg, sig] = children(expect(cert, 0x30, 'certificate'));
  const parts = children(expect(tbs, 0x30, 'tbs certificate'));
  let i = 0;
  let version = 0;
  if (parts[0]?.tag === 0xa0) version = Number(bigInt(expect(children(parts[i++])[0], 0x02, 'version')));
  const serial = bigInt(expect(parts[i++], 0x02, 'serial number'));
  i++; // tbs signature algorithm
  const issuer = expect(parts[i++], 0x30, 'issuer');
  const validity = children(expect(parts[i++], 0x30, 'validity'));
  const subject = expect(parts[i++], 0x30, 'subject');
  const spki = expect(parts[i++], 0x30, 'public key info');
  const extsNode = parts.slice(i).find((p) => p.tag === 0xa3);

  const sigAlgParts = children(expect(sigAlg, 0x30, 'signature algorithm'));
  const sigOid = oidString(expect(sigAlgParts[0], 0x06, 'signature algorithm'));
  let sigAlgEnum = SIG_ALGS[sigOid] ?? 0;
  if (sigOid === '1.2.840.113549.1.1.10') {
    // RSASSA-PSS: the hash is in the parameters ([0] hashAlgorithm), SHA-1 by default (unsupported by Go: 0).
    const params = sigAlgParts[1] ? children(sigAlgParts[1]) : [];
    const hashAlg = params.find((p) => p.tag === 0xa0);
    const hashOid = hashAlg ? oidString(children(children(hashAlg)[0])[0]) : '';
    sigAlgEnum = PSS_BY_HASH[hashOid] ?? 0;
  }
  const pkOid = oidString(expect(children(expect(children(spki)[0], 0x30, 'public key algorithm'))[0], 0x06, 'public key algorithm'));
  const pkAlg = PK_ALGS[pkOid] ?? 0;

  const exts: Value[] = [];
  const unhandled: Value[] = [];
  const none = (): NameConstraints => ({ dns: [], ips: [], emails: [], uris: [] });
  let permitted = none();
  let excluded = none();
  let constraintsCritical = false;
  let keyUsage = 0;
  let extKeyUsage: Value[] = [];
  const unknownEKU: Value[] = [];
  let bcValid = false;
  let isCA = false;
  let maxPathLen = 0;
  let subjectKeyId: Value = null;
  let authorityKeyId: Value = null;
  const ocsp: Value[] = [];
  const issuingURL: Value[] = [];
  const crl: Value[] = [];
  const policyIds: Value[] = [];
  const policies: Value[] = [];
  const san: SanOut = { DNSNames: [], EmailAddresses: [], IPAddresses: [], URIs: [], uriStrings: [] };
  if (extsNode) {
    for (const e of children(expect(children(extsNode)[0], 0x30, 'extensions'))) {
      const ep = children(expect(e, 0x30, 'extension'));
      const id = expect(ep[0], 0x06, 'extension id');
      const critical = ep[1]?.tag === 0x01 ? contents(ep[1])[0] !== 0 : false;
      const valueNode = expect(ep[ep.length - 1], 0x04, 'extension value');
      const oid = oidString(id);
      exts.push(
        new ObjectV([
          ['Id', oidArcs(id)],
          ['Critical', critical],
          ['Value', b64(contents(valueNode))],
        ]),
      );
      const v = contents(valueNode).length ? readNode(contents(valueNode), 0) : undefined;
      if (!HANDLED.has(oid)) {
        if (critical) unhandled.push(oidArcs(id));
        continue;
      }
      if (!v) throw new DerError(`malformed extension ${oid}`);
      switch (oid) {
        case '2.5.29.15': {
          const bits = bitStringBytes(expect(v, 0x03, 'key usage'));
          for (let b = 0; b < 9; b++) if (b >> 3 < bits.length && (bits[b >> 3] >> (7 - (b & 7))) & 1) keyUsage |= 1 << b;
          break;
        }
        case '2.5.29.19': {
          const bc = children(expect(v, 0x30, 'basic constraints'));
          bcValid = true;
          isCA = bc[0]?.tag === 0x01 && contents(bc[0])[0] !== 0;
          const pl = bc.find((x) => x.tag === 0x02);
          maxPathLen = pl ? Number(bigInt(pl)) : -1;
          break;
        }
        case '2.5.29.17':
          parseSAN(v, san);
          break;
        case '2.5.29.37':
          extKeyUsage = [];
          for (const u of children(expect(v, 0x30, 'extended key usage'))) {
            const known = EXT_KEY_USAGES[oidString(u)];
            if (known === undefined) unknownEKU.push(oidArcs(u));
            else extKeyUsage.push(known);
          }
          break;
        case '2.5.29.14':
          subjectKeyId = b64(contents(expect(v, 0x04, 'subject key id')));
          break;
        case '2.5.29.35': {
          const k = children(expect(v, 0x30, 'authority key id')).find((x) => x.tag === 0x80);
          if (k) authorityKeyId = b64(contents(k));
          break;
        }
        case '1.3.6.1.5.5.7.1.1':
          for (const ad of children(expect(v, 0x30, 'authority info access'))) {
            const [m, loc] = children(ad);
            if (loc?.tag !== 0x86) continue;
            const method = oidString(m);
            if (method === '1.3.6.1.5.5.7.48.1') ocsp.push(uriFrom(loc));
            else if (method === '1.3.6.1.5.5.7.48.2') issuingURL.push(uriFrom(loc));
          }
          break;
        case '2.5.29.31':
          for (const dp of children(expect(v, 0x30, 'CRL distribution points'))) {
            const dpName = children(dp).find((x) => x.tag === 0xa0);
            const full = dpName ? children(dpName).find((x) => x.tag === 0xa0) : undefined;
            if (full) for (const g of children(full)) if (g.tag === 0x86) crl.push(uriFrom(g));
          }
          break;
        case '2.5.29.32':
          for (const p of children(expect(v, 0x30, 'certificate policies'))) {
            const pid = children(p)[0];
            policyIds.push(oidArcs(pid));
            policies.push(oidString(pid));
          }
          break;
        case '2.5.29.30': {
          // NameConstraints ::= SEQUENCE { permittedSubtrees [0] OPTIONAL, excludedSubtrees [1] OPTIONAL }
          const parts = children(expect(v, 0x30, 'NameConstraints'));
          const p = parts.find((x) => x.tag === 0xa0);
          const e = parts.find((x) => x.tag === 0xa1);
          if (parts.some((x) => x.tag !== 0xa0 && x.tag !== 0xa1)) throw new DerError('x509: invalid NameConstraints extension');
          if ((p === undefined || contents(p).length === 0) && (e === undefined || contents(e).length === 0)) {
            throw new DerError('x509: empty name constraints extension');
          }
          const other = { unhandled: false };
          permitted = nameSubtrees(p, other);
          excluded = nameSubtrees(e, other);
          constraintsCritical = critical;
          if (other.unhandled && critical) unhandled.push(oidArcs(id));
          break;
        }
        default:
          break;
      }
    }
  }

  const out = new ObjectV([
    ['Raw', b64(whole(cert))],
    ['RawTBSCertificate', b64(whole(tbs))],
    ['RawSubjectPublicKeyInfo', b64(whole(spki))],
    ['RawSubject', b64(whole(subject))],
    ['RawIssuer', b64(whole(issuer))],
    ['Signature', b64(bitStringBytes(expect(sig, 0x03, 'signature')))],
    ['SignatureAlgorithm', sigAlgEnum],
    ['PublicKeyAlgorithm', pkAlg],
    ['PublicKey', publicKeyJSON(whole(spki), pkAlg)],
    ['Version', version + 1],
    ['SerialNumber', num(serial)],
    ['Issuer', nameJSON(issuer)],
    ['Subject', nameJSON(subject)],
    ['NotBefore', timeJSON(validity[0])],
    ['NotAfter', timeJSON(validity[1])],
    ['KeyUsage', keyUsage],
    ['Extensions', nullable(exts)],
    ['ExtraExtensions', null],
    ['UnhandledCriticalExtensions', nullable(unhandled)],
    ['ExtKeyUsage', nullable(extKeyUsage)],
    ['UnknownExtKeyUsage', nullable(unknownEKU)],
    ['BasicConstraintsValid', bcValid],
    ['IsCA', isCA],
    ['MaxPathLen', maxPathLen],
    ['MaxPathLenZero', bcValid && maxPathLen === 0],
    ['SubjectKeyId', subjectKeyId],
    ['AuthorityKeyId', authorityKeyId],
    ['OCSPServer', nullable(ocsp)],
    ['IssuingCertificateURL', nullable(issuingURL)],
    ['DNSNames', nullable(san.DNSNames)],
    ['EmailAddresses', nullable(san.EmailAddresses)],
    ['IPAddresses', nullable(san.IPAddresses)],
    ['URIs', nullable(san.URIs)],
    ['PermittedDNSDomainsCritical', constraintsCritical],
    ['PermittedDNSDomains', nullable(permitted.dns)],
    ['ExcludedDNSDomains', nullable(excluded.dns)],
    ['PermittedIPRanges', nullable(permitted.ips)],
    ['ExcludedIPRanges', nullable(excluded.ips)],
    ['PermittedEmailAddresses', nullable(permitted.emails)],
    ['ExcludedEmailAddresses', nullable(excluded.emails)],
    ['PermittedURIDomains', nullable(permitted.uris)],
    ['ExcludedURIDomains', nullable(excluded.uris)],
    ['CRLDistributionPoints', nullable(crl)],
    ['PolicyIdentifiers', nullable(policyIds)],
    ['Policies', nullable(policies)],
    ['InhibitAnyPolicy', 0],
    ['InhibitAnyPolicyZero', false],
    ['InhibitPolicyMapping', 0],
    ['InhibitPolicyMappingZero', false],
    ['RequireExplicitPolicy', 0],
    ['RequireExplicitPolicyZero', false],
    ['PolicyMappings', null],
  ]);
  if (withURIStrings) out.set('URIStrings', san.uriStrings.length ? san.uriStrings : null);
  return out;
}

/** Split concatenated DER certificates (Go's x509.ParseCertificates). */
function splitDer(b: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < b.length;) {
    const n = readNode(b, at);
    out.push(b.subarray(n.start, n.end));
    at = n.end;
  }
  return out;
}

/** OPA's getX509CertsFromString: PEM, or base64 of PEM or DER. */
function certsFromString(input: string): Uint8Array[] {
  let pemText: string | null = null;
  let der: Uint8Array | null = null;
  if (input.startsWith('-----BEGIN')) pemText = input;
  else {
    const b = strictBase64(input);
    if (b === null) throw fail('illegal base64 data');
    if (b.subarray(0, 10).toString('latin1') === '-----BEGIN') pemText = b.toString('latin1');
    else der = b;
  }
  if (pemText !== null) {
    const parts: Buffer[] = [];
    for (const blk of pemBlocks(pemText)) {
      if (blk.type !== 'CERTIFICATE') throw fail(`PEM block type is '${blk.type}', expected CERTIFICATE`);
      parts.push(blk.bytes);
    }
    der = Buffer.concat(parts);
  }
  return splitDer(der as Uint8Array);
}

function parseCerts(input: string): { ders: Uint8Array[]; json: (withURIs: boolean) => Value[] } {
  let ders: Uint8Array[];
  try {
    ders = certsFromString(input);
    const json = ders.map((d) => certificateJSON(d, true)); // validates every certificate
    return { ders, json: (w) => (w ? json : ders.map((d) => certificateJSON(d, false))) };
  } catch (e) {
    if (e instanceof DerError) throw fail(`x509: malformed certificate (${e.message})`);
    throw e;
  }
}

interface VerifyOpts {
  dnsName?: string;
  timeMs?: number;
  keyUsages?: number[];
}

const EKU_NAMES: Record<string, number> = {
  KeyUsageAny: 0,
  KeyUsageServerAuth: 1,
  KeyUsageClientAuth: 2,
  KeyUsageCodeSigning: 3,
  KeyUsageEmailProtection: 4,
  KeyUsageIPSECEndSystem: 5,
  KeyUsageIPSECTunnel: 6,
  KeyUsageIPSECUser: 7,
  KeyUsageTimeStamping: 8,
  KeyUsageOCSPSigning: 9,
  KeyUsageMicrosoftServerGatedCrypto: 10,
  KeyUsageNetscapeServerGatedCrypto: 11,
  KeyUsageMicrosoftCommercialCodeSigning: 12,
  KeyUsageMicrosoftKernelCodeSigning: 13,
};

function verifyOpts(o: ObjectV): VerifyOpts {
  const out: VerifyOpts = {};
  for (const [k, v] of o.entries()) {
    if (typeof k !== 'string') continue;
    switch (k) {
      case 'DNSName':
        if (typeof v !== 'string') throw fail("'DNSName' should be a string");
        out.dnsName = v.replace(/^"+|"+$/g, '');
        break;
      case 'CurrentTime':
        if (typeof v !== 'number' && typeof v !== 'bigint') throw fail("'CurrentTime' should be a number");
        if (typeof v === 'number' && !Number.isInteger(v)) throw fail("'CurrentTime' should be a valid int64 number");
        out.timeMs = Number(BigInt(v) / 1000000n);
        break;
      case 'MaxConstraintComparisons':
        if (typeof v !== 'number' && typeof v !== 'bigint') throw fail("'MaxConstraintComparisons' should be a number");
        break; // name constraints are not checked here, so there is nothing to bound
      case 'KeyUsages': {
        if (!Array.isArray(v) && !(v instanceof SetV)) throw fail("'KeyUsages' should be an Array or Set");
        const bad: string[] = [];
        out.keyUsages = [];
        for (const u of Array.isArray(v) ? v : v.sorted()) {
          if (typeof u !== 'string') continue;
          const name = u.replace(/^"+|"+$/g, '');
          if (EKU_NAMES[name] === undefined) bad.push(name);
          else out.keyUsages.push(EKU_NAMES[name]);
        }
        if (bad.length) throw fail(`invalid entries for 'KeyUsages' found: [${bad.join(' ')}]`);
        break;
      }
      default:
        throw fail('invalid key option');
    }
  }
  return out;
}

/**
 * Go's leaf.Verify with the first certificate as the only root and the middle ones as
 * intermediates: a chain leaf → … → root where each certificate is signed by the next, every
 * certificate is within its validity at the given time, the issuers are CAs, the leaf matches
 * the DNS name, and the key usages are allowed along the chain. Returns the chain's indexes.
 */
function verifyChain(ders: Uint8Array[], json: Value[], opts: VerifyOpts, nowMs: number): number[] | null {
  if (ders.length < 2) return null;
  const x = ders.map((d) => new X509Certificate(Buffer.from(d)));
  const at = opts.timeMs ?? nowMs;
  const inTime = (c: X509Certificate): boolean => Date.parse(c.validFrom) <= at && at <= Date.parse(c.validTo);
  const field = (i: number, k: string): Value | undefined => (json[i] as ObjectV).getStr(k);
  const isCAOk = (i: number): boolean => field(i, 'Version') !== 3 || (field(i, 'BasicConstraintsValid') === true && field(i, 'IsCA') === true);
  const leaf = ders.length - 1;
  if (!inTime(x[leaf])) return null;
  if (opts.dnsName) {
    // Go's VerifyHostname: an IP literal matches IP SANs, anything else DNS SANs.
    const host = opts.dnsName.replace(/^\[(.*)\]$/, '$1');
    if (!(isIP(host) ? x[leaf].checkIP(host) : x[leaf].checkHost(host, { subject: 'never' }))) return null;
  }
  const wanted = opts.keyUsages && opts.keyUsages.length ? opts.keyUsages : [1];
  const ekuOk = (i: number): boolean => {
    const eku = field(i, 'ExtKeyUsage');
    const unknown = field(i, 'UnknownExtKeyUsage');
    if (eku === null && unknown === null) return true;
    const have = Array.isArray(eku) ? (eku as number[]) : [];
    if (have.includes(0) || wanted.includes(0)) return true;
    return wanted.some((w) => have.includes(w));
  };
  const search = (i: number, path: number[]): number[] | null => {
    if (i === 0) return path; // reached the root
    const issuers = [0, ...Array.from({ length: ders.length - 2 }, (_, k) => k + 1)];
    for (const j of issuers) {
      if (path.includes(j) || !inTime(x[j]) || !isCAOk(j) || !ekuOk(j)) continue;
      let ok: boolean;
      try {
        ok = x[i].checkIssued(x[j]) && x[i].verify(x[j].publicKey);
      } catch {
        ok = false;
      }
      if (!ok) continue;
      const found = search(j, [...path, j]);
      if (found) return found;
    }
    return null;
  };
  if (!ekuOk(leaf)) return null;
  return search(leaf, [leaf]);
}

function nowMs(ctx: BuiltinContext): number {
  return Number(ctx.nowNs() / 1000000n);
}

// ---- private keys ----

function privateKeyFromDer(der: Uint8Array, type: 'pkcs1' | 'pkcs8' | 'sec1'): KeyObject {
  try {
    return createPrivateKey({ key: Buffer.from(der), format: 'der', type });
  } catch {
    const what = { pkcs1: 'PKCS#1', pkcs8: 'PKCS#8', sec1: 'EC' }[type];
    throw fail(`x509: failed to parse ${what} private key`);
  }
}

/** OPA's getPrivateKeysFromPEMData: RSA, PKCS#8 and EC PEM blocks, in order (others skipped). */
function privateKeys(input: string): KeyObject[] {
  const decoded = strictBase64(input);
  const text = decoded === null ? input : decoded.toString('latin1');
  const out: KeyObject[] = [];
  for (const blk of pemBlocks(text)) {
    if (blk.type === 'RSA PRIVATE KEY') out.push(privateKeyFromDer(blk.bytes, 'pkcs1'));
    else if (blk.type === 'PRIVATE KEY') out.push(privateKeyFromDer(blk.bytes, 'pkcs8'));
    else if (blk.type === 'EC PRIVATE KEY') out.push(privateKeyFromDer(blk.bytes, 'sec1'));
  }
  return out;
}

const privJSON = (k: KeyObject): Value => keyJSON(k.export({ format: 'jwk' }) as Record<string, unknown>, true);

/** x509.CertificateRequest's JSON. */
function csrJSON(der: Uint8Array): ObjectV {
  const csr = readNode(der, 0);
  const [info, sigAlg, sig] = children(expect(csr, 0x30, 'certificate request'));
  const [ver, subject, spki, attrs] = children(expect(info, 0x30, 'certificate request info'));
  const sigOid = oidString(children(expect(sigAlg, 0x30, 'signature algorithm'))[0]);
  const pkOid = oidString(children(children(expect(spki, 0x30, 'public key info'))[0])[0]);
  const pkAlg = PK_ALGS[pkOid] ?? 0;
  const exts: Value[] = [];
  const attributes: Value[] = [];
  const san: SanOut = { DNSNames: [], EmailAddresses: [], IPAddresses: [], URIs: [], uriStrings: [] };
  if (attrs?.tag === 0xa0) {
    for (const a of children(attrs)) {
      const [t, vals] = children(a);
      if (oidString(t) !== '1.2.840.113549.1.9.14') continue;
      const attrValues: Value[] = [];
      for (const extSeq of children(vals)) {
        const row: Value[] = [];
        for (const e of children(extSeq)) {
          const ep = children(e);
          const critical = ep[1]?.tag === 0x01 ? contents(ep[1])[0] !== 0 : false;
          const value = contents(ep[ep.length - 1]);
          exts.push(
            new ObjectV([
              ['Id', oidArcs(ep[0])],
              ['Critical', critical],
              ['Value', b64(value)],
            ]),
          );
          row.push(
            new ObjectV([
              ['Type', oidArcs(ep[0])],
              ['Value', b64(value)],
            ]),
          );
          if (oidString(ep[0]) === '2.5.29.17') parseSAN(readNode(value, 0), san);
        }
        attrValues.push(row);
      }
      attributes.push(
        new ObjectV([
          ['Type', oidArcs(t)],
          ['Value', attrValues],
        ]),
      );
    }
  }
  return new ObjectV([
    ['Raw', b64(whole(csr))],
    ['RawTBSCertificateRequest', b64(whole(info))],
    ['RawSubjectPublicKeyInfo', b64(whole(spki))],
    ['RawSubject', b64(whole(subject))],
    ['Version', Number(bigInt(ver))],
    ['Signature', b64(bitStringBytes(sig))],
    ['SignatureAlgorithm', SIG_ALGS[sigOid] ?? 0],
    ['PublicKeyAlgorithm', pkAlg],
    ['PublicKey', publicKeyJSON(whole(spki), pkAlg)],
    ['Subject', nameJSON(subject)],
    ['Attributes', nullable(attributes)],
    ['Extensions', nullable(exts)],
    ['ExtraExtensions', null],
    ['DNSNames', nullable(san.DNSNames)],
    ['EmailAddresses', nullable(san.EmailAddresses)],
    ['IPAddresses', nullable(san.IPAddresses)],
    ['URIs', nullable(san.URIs)],
  ]);
}

function derFail<T>(f: () => T, what: string): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof DerError) throw fail(`x509: malformed ${what} (${e.message})`);
    throw e;
  }
}

/** Parse, then verify the chain: [true, the chain] or [false, []] — certificates that do not
 * parse are a false, not an error, as in OPA; the options are read only once they parse. */
function parseAndVerify(s: string, ctx: BuiltinContext, uriStrings: boolean, options: () => VerifyOpts): [boolean, Value[]] {
  ctx.checkBudget(strCost(s) * 4);
  let parsed;
  try {
    parsed = parseCerts(s);
  } catch {
    return [false, []];
  }
  const opts = options();
  const json = parsed.json(uriStrings);
  const chain = verifyChain(parsed.ders, json, opts, opts.timeMs ?? nowMs(ctx));
  return chain ? [true, chain.map((i) => json[i])] : [false, []];
}

export const x509: Builtin[] = [
  def('crypto.x509.parse_certificates', ['string'], ([a], ctx) => {
    const s = str(a, 1);
    ctx.checkBudget(strCost(s));
    return parseCerts(s).json(true);
  }),

  def('crypto.x509.parse_and_verify_certificates', ['string'], ([a], ctx) => parseAndVerify(str(a, 1), ctx, true, () => ({})), { readsClock: true }),

  def(
    'crypto.x509.parse_and_verify_certificates_with_options',
    ['string', 'object'],
    ([a, b], ctx) => {
      const s = str(a, 1);
      const o = obj(b, 2);
      // OPA does not add URIStrings here.
      return parseAndVerify(s, ctx, false, () => verifyOpts(o));
    },
    { readsClock: true },
  ),

  def('crypto.x509.parse_certificate_request', ['string'], ([a], ctx) => {
    const s = str(a, 1);
    ctx.checkBudget(strCost(s));
    let bytes: Uint8Array;
    if (s.startsWith('-----BEGIN CERTIFICATE REQUEST-----')) bytes = Buffer.from(s, 'latin1');
    else {
      const b = strictBase64(s);
      if (b === null) throw fail('illegal base64 data');
      bytes = b;
    }
    const text = Buffer.from(bytes).toString('latin1');
    if (text.startsWith('-----BEGIN')) {
      const blk = pemBlocks(text)[0];
      if (blk && blk.type !== 'CERTIFICATE REQUEST') throw fail('invalid PEM-encoded certificate signing request');
      if (blk) bytes = blk.bytes;
    }
    return derFail(() => csrJSON(bytes), 'certificate request');
  }),

  def('crypto.x509.parse_keypair', ['string', 'string'], ([a, b], ctx) => {
    const certIn = str(a, 1);
    const keyIn = str(b, 1); // OPA reports operand 1 for both
    ctx.checkBudget(strCost(certIn) + strCost(keyIn));
    const unb64 = (s: string): string => {
      if (s.startsWith('-----BEGIN ')) return s;
      const d = strictBase64(s);
      if (d === null) throw fail('illegal base64 data');
      return d.toString('latin1');
    };
    const certText = unb64(certIn);
    const keyText = unb64(keyIn);
    const certDers = certText.startsWith('-----BEGIN ')
      ? pemBlocks(certText)
          .filter((x) => x.type === 'CERTIFICATE')
          .map((x) => x.bytes)
      : [Buffer.from(certText, 'latin1')];
    if (certDers.length === 0) throw fail('tls: failed to find any PEM data in certificate input');
    const keyBlocks = keyText.startsWith('-----BEGIN')
      ? pemBlocks(keyText).filter((x) => x.type === 'PRIVATE KEY' || x.type.endsWith(' PRIVATE KEY'))
      : [{ type: 'PRIVATE KEY', bytes: Buffer.from(keyText, 'latin1') }];
    if (keyBlocks.length === 0) throw fail('tls: failed to find any PEM data in key input');
    const kb = keyBlocks[0];
    let key: KeyObject | undefined;
    for (const t of kb.type === 'RSA PRIVATE KEY'
      ? (['pkcs1'] as const)
      : kb.type === 'EC PRIVATE KEY'
        ? (['sec1'] as const)
        : (['pkcs1', 'pkcs8', 'sec1'] as const)) {
      try {
        key = createPrivateKey({ key: kb.bytes, format: 'der', type: t });
        break;
      } catch {
        /* try the next form, as Go's tls.parsePrivateKey */
      }
    }
    if (!key) throw fail('tls: failed to parse private key');
    const leaf = derFail(() => certificateJSON(certDers[0], false), 'certificate');
    const leafPub = createPublicKey(key).export({ format: 'der', type: 'spki' });
    if (!new X509Certificate(certDers[0]).publicKey.export({ format: 'der', type: 'spki' }).equals(leafPub)) {
      throw fail('tls: private key does not match public key');
    }
    return new ObjectV([
      ['Certificate', certDers.map(b64)],
      ['PrivateKey', privJSON(key)],
      ['SupportedSignatureAlgorithms', null],
      ['OCSPStaple', null],
      ['SignedCertificateTimestamps', null],
      ['Leaf', leaf],
    ]);
  }),

  def('crypto.x509.parse_rsa_private_key', ['string'], ([a], ctx) => {
    const s = str(a, 1);
    ctx.checkBudget(strCost(s));
    if (s === '') throw fail('input PEM data was empty');
    let text = s;
    if (!s.startsWith('-----BEGIN')) {
      const d = strictBase64(s);
      if (d === null) throw fail('illegal base64 data');
      text = d.toString('latin1');
    }
    const keys = privateKeys(text);
    if (keys.length === 0) return null;
    // OPA returns the first key as a JWK.
    return fromJSON(keys[0].export({ format: 'jwk' }));
  }),

  def('crypto.parse_private_keys', ['string'], ([a], ctx) => {
    const s = str(a, 1);
    ctx.checkBudget(strCost(s));
    if (s === '') return null;
    return privateKeys(s).map(privJSON);
  }),
];
