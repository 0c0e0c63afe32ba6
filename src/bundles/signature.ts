// OPA bundle signatures: `.signatures.json` holds one JWS whose payload lists every file of the
// bundle with its digest. Verified like OPA: the key comes from configuration (chosen by `kid`),
// the scope must match, and the listed files must be exactly the bundle's files.
import { createHash, createPublicKey, KeyObject, X509Certificate } from 'node:crypto';
import { compactVerify, decodeProtectedHeader } from 'jose';
import { SIGNATURES_FILE } from './assemble.js';
import { canonicalFromJsonText, canonicalFromValue } from './canonical-json.js';
import { parseDataFile } from './data.js';
import { BundleError } from './errors.js';
import { describeThrown } from '../shared/errors.js';
import { isRecord } from './manifest.js';
import { normalizeBundlePath } from './paths.js';

export interface VerificationKey {
  keyId: string;
  algorithm: string;
  /** PEM public key or certificate (RSA, ECDSA, EdDSA), or the HMAC secret itself. */
  key: string;
}
export interface SignatureVerification {
  /** Refuse bundles without `.signatures.json`. */
  required: boolean;
  keys: VerificationKey[];
  /** Must equal the payload's `scope` claim (both absent also matches). */
  scope?: string;
  /** Refuse a signature issued (iat) before the active bundle's. */
  rejectRollback?: boolean;
}

/** Per bundle: which key may verify it, and what the active revision's signature said. */
export interface VerifyOptions {
  /** Only this key verifies the bundle (OPA: bundles.<name>.signing.keyid). */
  keyId?: string;
  /** `iat` of the active revision's signature (checked with Verifier.rejectRollback). */
  activeIssuedAt?: number;
  /** Seconds since the epoch (tests). */
  now?: number;
}

/** Clock skew allowed between the signer and this host for exp/nbf/iat. */
const CLOCK_TOLERANCE_SECONDS = 60;

interface PreparedKey {
  keyId: string;
  algorithm: string;
  key: KeyObject | Uint8Array;
}
/** Keys parsed once, at start: a bad PEM is a configuration error, not a per-bundle one. */
export interface Verifier {
  required: boolean;
  scope: string;
  keys: Map<string, PreparedKey>;
  rejectRollback: boolean;
}

const HMAC = new Set(['HS256', 'HS384', 'HS512']);
const ASYMMETRIC = new Set(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519']);

export function prepareVerifier(cfg: SignatureVerification | undefined): Verifier | null {
  if (!cfg) return null;
  const keys = new Map<string, PreparedKey>();
  for (const k of cfg.keys) {
    if (keys.has(k.keyId)) throw configError(`signing key id ${k.keyId} is configured twice`);
    if (HMAC.has(k.algorithm)) {
      keys.set(k.keyId, { keyId: k.keyId, algorithm: k.algorithm, key: new TextEncoder().encode(k.key) });
    } else if (ASYMMETRIC.has(k.algorithm)) {
      try {
        const key = k.key.includes('BEGIN CERTIFICATE') ? new X509Certificate(k.key).publicKey : createPublicKey(k.key);
        keys.set(k.keyId, { keyId: k.keyId, algorithm: k.algorithm, key });
      } catch (e) {
        throw configError(`signing key ${k.keyId} is not a usable PEM public key: ${describeThrown(e)}`);
      }
    } else {
      throw configError(`signing key ${k.keyId} has unsupported algorithm ${k.algorithm}`);
    }
  }
  if (cfg.required && keys.size === 0) throw configError('signing is required but no keys are configured');
  return { required: cfg.required, scope: cfg.scope ?? '', keys, rejectRollback: cfg.rejectRollback ?? false };
}

export interface VerificationResult {
  signed: boolean;
  keyId?: string;
  /** The signature's `iat`, when it has one. */
  issuedAt?: number;
}

export async function verifyBundleSignature(
  files: ReadonlyMap<string, Uint8Array>,
  verifier: Verifier | null,
  opts: VerifyOptions = {},
): Promise<VerificationResult> {
  const sigFile = files.get(SIGNATURES_FILE);
  if (sigFile === undefined) {
    if (verifier?.required) throw new BundleError('BUNDLE_SIGNATURE_MISSING', `signing is required but the bundle has no ${SIGNATURES_FILE}`);
    return { signed: false };
  }
  // As in OPA: a signature nobody can check is a failure, not something to ignore.
  if (!verifier || verifier.keys.size === 0) throw invalid(`bundle carries ${SIGNATURES_FILE} but no verification keys are configured`);

  const token = singleToken(sigFile);
  const key = pickKey(token, verifier, opts.keyId);
  let payloadBytes: Uint8Array;
  try {
    ({ payload: payloadBytes } = await compactVerify(token, key.key, { algorithms: [key.algorithm] }));
  } catch (e) {
    throw invalid(`signature does not verify with key ${key.keyId}: ${describeThrown(e)}`);
  }
  const payload = parseJsonObject(payloadBytes, 'signature payload');
  const scope = typeof payload.scope === 'string' ? payload.scope : '';
  if (scope !== verifier.scope) throw invalid(`signature scope ${JSON.stringify(scope)} does not match the configured scope`);

  const issuedAt = checkTimes(payload, verifier, opts);

  const listed = listedFiles(payload);
  for (const [path, bytes] of files) {
    if (path === SIGNATURES_FILE) continue;
    const entry = listed.get(path);
    if (!entry) throw mismatch(`${path} is in the bundle but not in its signature`);
    const actual = digest(path, bytes, entry.algorithm);
    if (actual !== entry.hash.toLowerCase()) throw mismatch(`${path}: digest mismatch (signed ${entry.hash}, got ${actual})`);
    listed.delete(path);
  }
  if (listed.size > 0) throw mismatch(`signature lists files the bundle lacks: ${[...listed.keys()].join(', ')}`);
  return { signed: true, keyId: key.keyId, ...(issuedAt !== undefined ? { issuedAt } : {}) };
}

/** exp, nbf and iat as JWT defines them (seconds since the epoch), with a small clock tolerance;
 * and, with rejectRollback, no signature older than the active one's. Returns iat. */
function checkTimes(payload: Record<string, unknown>, verifier: Verifier, opts: VerifyOptions): number | undefined {
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  const claim = (name: string): number | undefined => {
    const v = payload[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(`signature claim ${name} must be a number (seconds since the epoch)`);
    return v;
  };
  const exp = claim('exp');
  const nbf = claim('nbf');
  const iat = claim('iat');
  const at = (s: number): string => new Date(s * 1000).toISOString();
  if (exp !== undefined && now > exp + CLOCK_TOLERANCE_SECONDS) throw expired(`signature expired at ${at(exp)}`);
  if (nbf !== undefined && now < nbf - CLOCK_TOLERANCE_SECONDS) throw expired(`signature is not valid before ${at(nbf)}`);
  if (iat !== undefined && now < iat - CLOCK_TOLERANCE_SECONDS) throw expired(`signature issued in the future (${at(iat)})`);
  if (verifier.rejectRollback && opts.activeIssuedAt !== undefined) {
    if (iat === undefined)
      throw new BundleError('BUNDLE_ROLLBACK', 'signature has no iat while the active revision was signed at a known time (signing.reject_rollback)');
    if (iat < opts.activeIssuedAt)
      throw new BundleError(
        'BUNDLE_ROLLBACK',
        `signature issued ${at(iat)}, before the active revision's (${at(opts.activeIssuedAt)}) (signing.reject_rollback)`,
      );
  }
  return iat;
}

function singleToken(sigFile: Uint8Array): string {
  const doc = parseJsonObject(sigFile, SIGNATURES_FILE);
  const sigs = doc.signatures;
  if (!Array.isArray(sigs) || sigs.length !== 1 || typeof sigs[0] !== 'string') {
    throw invalid(`${SIGNATURES_FILE} must hold exactly one JWT in "signatures"`);
  }
  return sigs[0];
}

/** The header `kid` picks the key (then the deprecated payload `keyid`); with one key configured, it
 * is used. A bundle bound to a key id accepts that key only. */
function pickKey(token: string, verifier: Verifier, boundKeyId: string | undefined): PreparedKey {
  let kid: unknown;
  let legacyKeyId: unknown;
  try {
    kid = decodeProtectedHeader(token).kid;
    const payloadPart = token.split('.')[1] ?? '';
    legacyKeyId = (JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8')) as { keyid?: unknown }).keyid;
  } catch (e) {
    throw invalid(`malformed signature JWT: ${describeThrown(e)}`);
  }
  const id = typeof kid === 'string' && kid !== '' ? kid : typeof legacyKeyId === 'string' && legacyKeyId !== '' ? legacyKeyId : null;
  if (boundKeyId !== undefined) {
    if (id !== null && id !== boundKeyId)
      throw invalid(`signature names key ${JSON.stringify(id)}, but this bundle is verified only by key ${JSON.stringify(boundKeyId)}`);
    const bound = verifier.keys.get(boundKeyId);
    if (!bound) throw invalid(`this bundle's signing key ${JSON.stringify(boundKeyId)} is not configured`);
    return bound;
  }
  if (id === null) {
    if (verifier.keys.size === 1) return [...verifier.keys.values()][0];
    throw invalid('signature names no key id (kid) and several keys are configured');
  }
  const key = verifier.keys.get(id);
  if (!key) throw invalid(`signature key id ${JSON.stringify(id)} is not configured`);
  return key;
}

interface ListedFile {
  hash: string;
  algorithm: string;
}

function listedFiles(payload: Record<string, unknown>): Map<string, ListedFile> {
  if (!Array.isArray(payload.files)) throw invalid('signature payload has no "files" list');
  const out = new Map<string, ListedFile>();
  for (const f of payload.files) {
    if (!isRecord(f) || typeof f.name !== 'string' || typeof f.hash !== 'string' || typeof f.algorithm !== 'string') {
      throw invalid('signature payload files need string name, hash and algorithm');
    }
    let name: string;
    try {
      name = normalizeBundlePath(f.name);
    } catch (e) {
      throw invalid(`signature lists an impossible path: ${describeThrown(e)}`);
    }
    out.set(name, { hash: f.hash, algorithm: f.algorithm });
  }
  return out;
}

const HASHES: Record<string, string> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-224': 'sha224',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
  'SHA-512-224': 'sha512-224',
  'SHA-512-256': 'sha512-256',
};

/** Hex digest of a file as OPA computes it: structured files are hashed in canonical form. */
export function digest(path: string, bytes: Uint8Array, algorithm: string): string {
  const alg = HASHES[algorithm];
  if (!alg) throw invalid(`${path}: unsupported hashing algorithm ${algorithm}`);
  const h = createHash(alg);
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (base === 'data.json' || base === '.manifest') {
    const text = new TextDecoder().decode(bytes);
    try {
      JSON.parse(text);
    } catch {
      throw mismatch(`${path} is signed as JSON but does not parse`);
    }
    h.update(canonicalFromJsonText(text));
  } else if (base === 'data.yaml') {
    // OPA treats only data.yaml (not data.yml) as structured when hashing.
    h.update(canonicalFromValue(parseDataFile(path, bytes)));
  } else {
    h.update(bytes);
  }
  return h.digest('hex');
}

function parseJsonObject(bytes: Uint8Array, what: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw invalid(`${what} is not valid JSON`);
  }
  if (!isRecord(doc)) throw invalid(`${what} must be a JSON object`);
  return doc;
}

function invalid(msg: string): BundleError {
  return new BundleError('BUNDLE_SIGNATURE_INVALID', msg);
}
function expired(msg: string): BundleError {
  return new BundleError('BUNDLE_SIGNATURE_EXPIRED', msg);
}
function mismatch(msg: string): BundleError {
  return new BundleError('BUNDLE_SIGNATURE_MISMATCH', msg);
}
function configError(msg: string): BundleError {
  return new BundleError('BUNDLE_CONFIG_INVALID', msg);
}
