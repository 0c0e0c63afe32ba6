// Client-certificate (mTLS) callers. The TLS layer has already verified the chain against the
// configured client CA (socket.authorized); here the certificate becomes an identity: the name
// of the matching auth.mtls_identities entry (matched against the subject CN and every SAN
// value), else the subject CN, else the first SAN. Worked out once per connection.
import type { TLSSocket, PeerCertificate } from 'node:tls';
import type { MtlsIdentityConfig } from '../config/types.js';
import { AuthFailure } from './failures.js';
import type { AuthIdentity, CertificateInfo } from './identity.js';
import { grantsOf, SCOPE, type Grants } from './scopes.js';

const NO_GRANTS: Grants = grantsOf([]);
const UNTRUSTED = new AuthFailure('untrusted_certificate', 'the client certificate is not issued by the trusted client CA');

export class CertificateAuthenticator {
  private readonly scopesByName = new Map<string, Grants>();
  private readonly perSocket = new WeakMap<TLSSocket, AuthIdentity | AuthFailure | null>();

  constructor(identities: readonly MtlsIdentityConfig[]) {
    for (const i of identities) this.scopesByName.set(i.name, grantsOf(i.scopes));
  }

  /** The certificate's identity; null when the client sent none (or the connection is not TLS);
   * a failure for a certificate the CA did not issue (client_auth "optional" lets those through
   * the handshake). */
  identify(socket: unknown): AuthIdentity | AuthFailure | null {
    const tls = socket as Partial<TLSSocket>;
    if (typeof tls.getPeerCertificate !== 'function') return null;
    const s = socket as TLSSocket;
    const known = this.perSocket.get(s);
    if (known !== undefined) return known;
    const result = this.fromSocket(s);
    this.perSocket.set(s, result);
    return result;
  }

  private fromSocket(s: TLSSocket): AuthIdentity | AuthFailure | null {
    const cert = s.getPeerCertificate();
    if (!cert || Object.keys(cert).length === 0) return null;
    if (!s.authorized) return UNTRUSTED;
    const info = certificateInfo(cert);
    const cn = info.subject.CN;
    const sanValues = info.san.map((e) => e.slice(e.indexOf(':') + 1));
    const candidates = [...(cn !== undefined ? [cn] : []), ...sanValues];
    let id = candidates.find((c) => this.scopesByName.has(c));
    const grants = id !== undefined ? (this.scopesByName.get(id) as Grants) : NO_GRANTS;
    id ??= candidates[0] ?? `sha256:${info.fingerprint256}`;
    return Object.freeze({ id, method: 'mtls', mayAssertOnBehalfOf: grants.has(SCOPE.assertOnBehalfOf), grants, certificate: info });
  }
}

function firstValues(name: PeerCertificate['subject'] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!name) return out;
  for (const [k, v] of Object.entries(name)) {
    // Multi-valued attributes come as arrays; the first one is the one people read.
    const s = Array.isArray(v) ? v[0] : v;
    if (typeof s === 'string') out[k] = s;
  }
  return out;
}

export function certificateInfo(cert: PeerCertificate): CertificateInfo {
  const san = (cert.subjectaltname ?? '')
    .split(', ')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  return Object.freeze({
    subject: firstValues(cert.subject),
    san,
    issuer: firstValues(cert.issuer),
    fingerprint256: cert.fingerprint256 ?? '',
    serial: cert.serialNumber ?? '',
  });
}
