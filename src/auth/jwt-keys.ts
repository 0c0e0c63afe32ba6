// Static JWT verification keys (auth.jwt.key_file): one PEM public key or certificate, one JWK,
// or a JWKS. Parsed synchronously, so a bad file is a configuration error at start.
import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { createLocalJWKSet, type JSONWebKeySet, type JWK, type JWTVerifyGetKey } from 'jose';

export class JwtKeyError extends Error {
  readonly code = 'JWT_KEY_INVALID';
}

/** A key (jose verifies with a KeyObject directly) or a key set resolved by the token's kid/alg. */
export type JwtKeys = { kind: 'key'; key: KeyObject } | { kind: 'set'; resolve: JWTVerifyGetKey; count: number };

export function parseJwtKeys(text: string): JwtKeys {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) {
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(trimmed)) throw new JwtKeyError('holds a private key; give the public key (or a certificate)');
    try {
      const key = trimmed.includes('-----BEGIN CERTIFICATE-----') ? new X509Certificate(trimmed).publicKey : createPublicKey(trimmed);
      if (key.type !== 'public') throw new JwtKeyError('is not a public key');
      return { kind: 'key', key };
    } catch (e) {
      if (e instanceof JwtKeyError) throw e;
      throw new JwtKeyError(`is not a readable PEM public key or certificate (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    throw new JwtKeyError('is neither PEM nor JSON (a JWK or a JWKS)');
  }
  const keys: unknown = isObject(json) && Array.isArray(json.keys) ? json.keys : [json];
  if (!Array.isArray(keys) || keys.length === 0 || !keys.every(isObject)) throw new JwtKeyError('holds no JWK');
  for (const k of keys as Record<string, unknown>[]) {
    if (k.kty === 'oct') throw new JwtKeyError('holds a symmetric (oct) key; only public keys verify caller tokens');
    if ('d' in k) throw new JwtKeyError('holds a private JWK ("d"); give the public key');
  }
  try {
    const set: JSONWebKeySet = { keys: keys as JWK[] };
    return { kind: 'set', resolve: createLocalJWKSet(set), count: keys.length };
  } catch (e) {
    throw new JwtKeyError(`is not a valid JWKS (${e instanceof Error ? e.message : String(e)})`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
