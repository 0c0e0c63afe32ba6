// What authentication produces: who the caller is, how that was established, and what it may do.
import type { VerifiedCaller } from '../decisions/types.js';
import type { Grants } from './scopes.js';

/** The verified caller (recorded with every decision) and its grants. */
export interface AuthIdentity extends VerifiedCaller {
  readonly id: string;
  readonly grants: Grants;
  /** For client-certificate callers: what the policy-style authorization input shows. */
  readonly certificate?: CertificateInfo;
}

export interface CertificateInfo {
  readonly subject: Readonly<Record<string, string>>;
  /** SAN entries as Node prints them: "DNS:a.example", "URI:spiffe://…". */
  readonly san: readonly string[];
  readonly issuer: Readonly<Record<string, string>>;
  readonly fingerprint256: string;
  readonly serial: string;
}
