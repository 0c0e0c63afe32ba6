// io.jwt.*: decode, decode_verify, verify_{hs,rs,ps,es}{256,384,512}, verify_eddsa, encode_sign,
// encode_sign_raw — JWS compact serialisation with node:crypto. Keys for verification are PEM
// certificates, PEM public keys, or a JWK / JWK set (keys matched by kid, then by alg), as in OPA.
// Signatures are handled as raw bytes (never through Rego strings, which cannot hold arbitrary bytes).

import {
  X509Certificate,
  constants,
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  sign as cryptoSign,
  timingSafeEqual,
  verify as cryptoVerify,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { errorMessage } from '../errors.js';
import { ObjectV, type Value } from '../value.js';
import { marshalJSON, padBase64url, parseJSON } from './encoding.js';
import type { Builtin, BuiltinContext } from './types.js';
import { BuiltinFailure, decodeUtf8Go, def, fail, obj, str, strCost, utf8 } from './util.js';

const ALGS = new Set(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'HS256', 'HS384', 'HS512', 'EdDSA']);
const MAX_NESTING = 8;

interface Token {
  header: string;
  payload: string;
  signature: string;
}

function splitJWT(v: Value): Token {
  const s = str(v, 1);
  if (!s.includes('.')) throw fail('encoded JWT had no period separators');
  const parts = s.split('.');
  if (parts.length !== 3) throw fail(`encoded JWT must have 3 sections, found ${parts.length}`);
  return { header: parts[0], payload: parts[1], signature: parts[2] };
}

/** OPA's base64url.decode (padding optional), to raw bytes. */
function b64url(s: string): Buffer {
  const x = padBase64url(s);
  if (x.length % 4 !== 0) throw fail(`illegal base64 data at input byte ${x.length - (x.length % 4)}`);
  const body = x.replace(/=?=$/, '');
  if (!/^[A-Za-z0-9_-]*$/.test(body)) throw fail('illegal base64 data');
  return Buffer.from(body, 'base64url');
}

function jsonObject(bytes: Buffer, what: string): ObjectV {
  let v: Value;
  try {
    v = parseJSON(decodeUtf8Go(bytes));
  } catch (e) {
    throw fail(`${what}invalid JSON: ${errorMessage(e)}`);
  }
  if (!(v instanceof ObjectV)) throw fail(`${what}decoded JSON type was not an Object`);
  return v;
}

function decodeHeader(t: Token): ObjectV {
  let bytes: Buffer;
  try {
    bytes = b64url(t.header);
  } catch (e) {
    throw fail(`JWT header had invalid encoding: ${errorMessage(e)}`);
  }
  const h = jsonObject(bytes, 'bad JWT header: ');
  if (h.getStr('enc') !== undefined) throw fail('JWT is a JWE object, which is not supported');
  return h;
}

function decodePayloadBytes(t: Token): Buffer {
  try {
    return b64url(t.payload);
  } catch (e) {
    throw fail(`JWT payload had invalid encoding: ${errorMessage(e)}`);
  }
}

function decodeSignature(t: Token): Buffer {
  try {
    return b64url(t.signature);
  } catch (e) {
    throw fail(`JWT signature had invalid encoding: ${errorMessage(e)}`);
  }
}

interface Header {
  alg: string;
  kid: string;
  cty: string;
  valid: boolean;
}

function parseHeader(h: ObjectV): Header {
  const out: Header = { alg: '', kid: '', cty: '', valid: true };
  const unknown: string[] = [];
  let crit: Set<string> | null = null;
  for (const [k, v] of h.entries()) {
    const key = k as string;
    switch (key) {
      case 'alg':
      case 'kid':
      case 'typ':
      case 'cty':
        if (typeof v !== 'string') throw fail(`${key}: must be a string`);
        if (key === 'alg') out.alg = v;
        else if (key === 'kid') out.kid = v;
        else if (key === 'cty') out.cty = v;
        break;
      case 'crit':
        if (!Array.isArray(v)) throw fail('crit: must be a list');
        crit = new Set(v.filter((x): x is string => typeof x === 'string'));
        if (crit.size === 0) throw fail('crit: must be a nonempty list');
        break;
      default:
        unknown.push(key);
    }
  }
  if (out.alg === '') out.valid = false;
  if (crit !== null) for (const u of unknown) if (crit.has(u)) out.valid = false;
  return out;
}

// ---- keys ----

interface VerificationKey {
  key: KeyObject;
  alg: string;
  kid: string;
}

function keysFromCertOrJWK(text: string): VerificationKey[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) {
    const blocks = trimmed.match(/-----BEGIN [A-Z0-9 ]+-----/g) ?? [];
    if (blocks.length > 1) throw fail('extra data after a PEM certificate block');
    if (trimmed.startsWith('-----BEGIN CERTIFICATE-----')) {
      try {
        return [{ key: new X509Certificate(trimmed).publicKey, alg: '', kid: '' }];
      } catch (e) {
        throw fail(`failed to parse a PEM certificate: ${errorMessage(e)}`);
      }
    }
    if (trimmed.startsWith('-----BEGIN PUBLIC KEY-----')) {
      try {
        return [{ key: createPublicKey(trimmed), alg: '', kid: '' }];
      } catch (e) {
        throw fail(`failed to parse a PEM public key: ${errorMessage(e)}`);
      }
    }
    throw fail('failed to extract a Key from the PEM certificate');
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw fail(`failed to parse a JWK key (set): ${errorMessage(e)}`);
  }
  const jwks: unknown[] =
    typeof doc === 'object' && doc !== null && Array.isArray((doc as { keys?: unknown }).keys) ? (doc as { keys: unknown[] }).keys : [doc];
  const out: VerificationKey[] = [];
  for (const k of jwks) {
    if (typeof k !== 'object' || k === null) throw fail('failed to parse a JWK key (set): invalid key');
    const jwk = k as Record<string, unknown>;
    const alg = typeof jwk.alg === 'string' ? jwk.alg : '';
    if (alg !== '' && !ALGS.has(alg)) continue;
    let key: KeyObject;
    try {
      key = jwk.kty === 'oct' ? createSecretFromJWK(jwk) : createPublicKey({ key: publicPart(jwk), format: 'jwk' });
    } catch (e) {
      throw fail(`failed to parse a JWK key (set): ${errorMessage(e)}`);
    }
    out.push({ key, alg, kid: typeof jwk.kid === 'string' ? jwk.kid : '' });
  }
  return out;
}

function publicPart(jwk: Record<string, unknown>): JsonWebKey {
  const pub: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(jwk)) if (!['d', 'p', 'q', 'dp', 'dq', 'qi'].includes(k)) pub[k] = v;
  return pub as JsonWebKey;
}

function createSecretFromJWK(jwk: Record<string, unknown>): KeyObject {
  if (typeof jwk.k !== 'string') throw new Error('oct key without "k"');
  return createSecretKey(Buffer.from(jwk.k, 'base64url'));
}

const HASH: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };

/** Verify a JWS signature for `alg` with `key` (a public key, or secret bytes for HS*). */
function verifySignature(key: KeyObject | Buffer, alg: string, data: Buffer, sig: Buffer): boolean {
  try {
    const family = alg.slice(0, 2);
    const hash = HASH[alg.slice(2)];
    if (family === 'HS') {
      const secret = Buffer.isBuffer(key) ? key : key.type === 'secret' ? key.export() : null;
      if (secret === null) return false;
      const mac = createHmac(hash, secret).update(data).digest();
      return mac.length === sig.length && timingSafeEqual(mac, sig);
    }
    if (Buffer.isBuffer(key) || key.type !== 'public') return false;
    const kt = key.asymmetricKeyType;
    if (family === 'RS') return kt === 'rsa' && cryptoVerify(hash, data, { key, padding: constants.RSA_PKCS1_PADDING }, sig);
    if (family === 'PS')
      return (
        (kt === 'rsa' || kt === 'rsa-pss') &&
        cryptoVerify(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, sig)
      );
    if (family === 'ES') return kt === 'ec' && cryptoVerify(hash, data, { key, dsaEncoding: 'ieee-p1363' }, sig);
    if (alg === 'EdDSA') return (kt === 'ed25519' || kt === 'ed448') && cryptoVerify(null, data, key, sig);
    return false;
  } catch {
    return false;
  }
}

/** OPA's key selection: a kid match decides alone; otherwise any key whose alg (if any) matches. */
function verifyWithKeys(keys: VerificationKey[], kid: string, alg: string, data: Buffer, sig: Buffer): boolean {
  if (kid !== '') {
    const k = keys.find((x) => x.kid === kid);
    if (k !== undefined) return verifySignature(k.key, alg, data, sig);
  }
  for (const k of keys) {
    if (k.alg !== '' && k.alg !== alg) continue;
    if (verifySignature(k.key, alg, data, sig)) return true;
  }
  return false;
}

function signingInput(t: Token): Buffer {
  return Buffer.from(`${t.header}.${t.payload}`, 'latin1');
}

function verifyBuiltin(alg: string): Builtin {
  const family = alg.slice(0, 2);
  const name = alg === 'EdDSA' ? 'io.jwt.verify_eddsa' : `io.jwt.verify_${alg.toLowerCase()}`;
  return def(name, ['string', 'string'], ([j, k], ctx) => {
    const t = splitJWT(j);
    const keyText = str(k, 2);
    ctx.checkBudget(strCost(t.payload));
    if (family === 'HS') {
      const sig = decodeSignature(t);
      return verifySignature(utf8(keyText), alg, signingInput(t), sig);
    }
    const keys = keysFromCertOrJWK(keyText);
    const sig = decodeSignature(t);
    const header = parseHeader(decodeHeader(t));
    return verifyWithKeys(keys, header.kid, alg, signingInput(t), sig);
  });
}

// ---- decode_verify ----

interface Constraints {
  secret: string;
  alg: string;
  iss: string;
  aud: string;
  keys: VerificationKey[] | null;
  time: number;
}

function timeFrom(v: Value): number {
  if (typeof v !== 'number' && typeof v !== 'bigint') throw fail('token time constraint: must be a number');
  const t = Number(v);
  if (t < 0) throw fail('token time constraint: must not be negative');
  return t;
}

function parseConstraints(o: ObjectV, ctx: BuiltinContext): Constraints {
  const c: Constraints = { secret: '', alg: '', iss: '', aud: '', keys: null, time: -1 };
  for (const [k, v] of o.entries()) {
    const name = typeof k === 'string' ? k : String(k);
    switch (name) {
      case 'cert':
        if (typeof v !== 'string') throw fail('cert constraint: must be a string');
        c.keys = keysFromCertOrJWK(v);
        break;
      case 'secret':
      case 'alg':
      case 'iss':
      case 'aud':
        if (typeof v !== 'string') throw fail(`${name} constraint: must be a string`);
        c[name] = v;
        break;
      case 'time':
        c.time = timeFrom(v);
        break;
      default:
        throw fail(`unknown token validation constraint: ${name}`);
    }
  }
  if (c.time === -1) c.time = Number(ctx.nowNs());
  const n = (c.keys !== null ? 1 : 0) + (c.secret !== '' ? 1 : 0);
  if (n > 1) throw fail('duplicate key constraints');
  if (n < 1) throw fail('no key constraint');
  return c;
}

function validAudience(aud: Value, want: string): boolean {
  if (typeof aud === 'string') return aud === want;
  if (Array.isArray(aud)) return aud.some((x) => x === want);
  return false;
}

function unverified(): Value {
  return [false, new ObjectV(), new ObjectV()];
}

function decodeVerify(jwt: Value, c: Constraints): Value {
  let a = jwt;
  let header: ObjectV | undefined;
  let payloadBytes: Buffer | undefined;
  for (let depth = 0; ; depth++) {
    if (depth > MAX_NESTING) throw fail('JWT nested too deeply');
    const t = splitJWT(a);
    const h = decodeHeader(t);
    const ph = parseHeader(h);
    if (!ph.valid) return unverified();
    if (c.alg !== '' && c.alg !== ph.alg) return unverified();
    const sig = decodeSignature(t);
    const data = signingInput(t);
    const ok =
      c.keys !== null ? verifyWithKeys(c.keys, ph.kid, ph.alg, data, sig) : ph.alg.startsWith('HS') && verifySignature(utf8(c.secret), ph.alg, data, sig);
    if (!ok) return unverified();
    header = h;
    payloadBytes = decodePayloadBytes(t);
    if (ph.cty.toUpperCase() === 'JWT') {
      a = decodeUtf8Go(payloadBytes);
      continue;
    }
    break;
  }
  const payload = jsonObject(payloadBytes, '');
  if (c.iss !== '') {
    const iss = payload.getStr('iss');
    if (iss === undefined || iss !== c.iss) return unverified();
  }
  const aud = payload.getStr('aud');
  if (aud !== undefined) {
    if (!validAudience(aud, c.aud)) return unverified();
  } else if (c.aud !== '') return unverified();
  const now = c.time / 1e9;
  const exp = payload.getStr('exp');
  if (exp !== undefined) {
    if (typeof exp !== 'number' && typeof exp !== 'bigint') throw fail('exp value must be a number');
    if (now >= Number(exp)) return unverified();
  }
  const nbf = payload.getStr('nbf');
  if (nbf !== undefined) {
    if (typeof nbf !== 'number' && typeof nbf !== 'bigint') throw fail('nbf value must be a number');
    if (now < Number(nbf)) return unverified();
  }
  return [true, header as ObjectV, payload];
}

// ---- decode ----

function decode(jwt: Value, depth: number): Value {
  if (depth > MAX_NESTING) throw fail('JWT nested too deeply');
  const t = splitJWT(jwt);
  const header = decodeHeader(t);
  const p = decodePayloadBytes(t);
  const cty = header.getStr('cty');
  if (cty === 'JWT') {
    const inner = decodeUtf8Go(p).replace(/^["']+|["']+$/g, '');
    return decode(inner, depth + 1);
  }
  const payload = jsonObject(p, '');
  const sig = decodeSignature(t);
  return [header, payload, sig.toString('hex')];
}

// ---- encode_sign ----

function encodeSign(headerJSON: string, payloadJSON: string, jwkText: string): string {
  let doc: unknown;
  try {
    doc = JSON.parse(jwkText);
  } catch (e) {
    throw fail(`failed to parse jwk: ${errorMessage(e)}`);
  }
  const jwks: unknown[] =
    typeof doc === 'object' && doc !== null && Array.isArray((doc as { keys?: unknown }).keys) ? (doc as { keys: unknown[] }).keys : [doc];
  if (jwks.length === 0) throw fail('no keys found in JWK set');
  const jwk = jwks[0] as Record<string, unknown>;
  let headers: unknown;
  try {
    headers = JSON.parse(headerJSON);
  } catch {
    throw fail("missing or invalid 'alg' header");
  }
  const alg = typeof headers === 'object' && headers !== null ? (headers as Record<string, unknown>).alg : undefined;
  if (typeof alg !== 'string') throw fail("missing or invalid 'alg' header");
  if (!ALGS.has(alg)) throw fail(`unknown JWS algorithm: ${alg}`);
  const typ = (headers as Record<string, unknown>).typ;
  if (typ === undefined || typ === 'JWT') {
    try {
      JSON.parse(payloadJSON);
    } catch {
      throw fail('type is JWT but payload is not JSON');
    }
  }
  const input = `${utf8(headerJSON).toString('base64url')}.${utf8(payloadJSON).toString('base64url')}`;
  const data = Buffer.from(input, 'latin1');
  const hash = HASH[alg.slice(2)];
  let sig: Buffer;
  try {
    if (alg.startsWith('HS')) {
      if (typeof jwk.k !== 'string') throw new Error('HS algorithms need an "oct" key');
      sig = createHmac(hash, Buffer.from(jwk.k, 'base64url')).update(data).digest();
    } else {
      const key = createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
      if (alg.startsWith('RS')) sig = cryptoSign(hash, data, { key, padding: constants.RSA_PKCS1_PADDING });
      else if (alg.startsWith('PS'))
        sig = cryptoSign(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST });
      else if (alg.startsWith('ES')) sig = cryptoSign(hash, data, { key, dsaEncoding: 'ieee-p1363' });
      else sig = cryptoSign(null, data, key);
    }
  } catch (e) {
    if (e instanceof BuiltinFailure) throw e;
    throw fail(errorMessage(e));
  }
  return `${input}.${sig.toString('base64url')}`;
}

export const jwt: Builtin[] = [
  def('io.jwt.decode', ['string'], ([j], ctx) => {
    ctx.checkBudget(strCost(str(j, 1)));
    return decode(j, 0);
  }),

  def(
    'io.jwt.decode_verify',
    ['string', 'object'],
    ([j, c], ctx) => {
      const constraints = parseConstraints(obj(c, 2), ctx);
      ctx.checkBudget(strCost(str(j, 1)));
      return decodeVerify(j, constraints);
    },
    // Without a `time` constraint the token's exp/nbf are checked against the clock.
    { readsClock: true },
  ),

  ...['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'].map(verifyBuiltin),

  def('io.jwt.encode_sign', ['object', 'object', 'object'], ([h, p, k]) => encodeSign(marshalJSON(obj(h, 1)), marshalJSON(obj(p, 2)), marshalJSON(obj(k, 3)))),

  def('io.jwt.encode_sign_raw', ['string', 'string', 'string'], ([h, p, k]) => encodeSign(str(h, 1), str(p, 2), str(k, 3))),
];
