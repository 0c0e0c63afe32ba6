// Signing OPA bundles (`opa sign`, `opa build --signing-key`): `.signatures.json` is
// {"signatures": [JWS]} whose payload lists every file with its digest, as the service's verifier
// (src/bundles/signature.ts, whose digest() this reuses) checks them.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CompactSign } from 'jose';
import { digest } from '../bundles/signature.js';
import { describeThrown } from '../shared/errors.js';
import { CliError } from './io.js';

export const SIGNING_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'HS256', 'HS384', 'HS512'] as const;

export interface SigningOptions {
  /** PEM private key, or the HMAC secret (HS*). */
  key: string;
  alg: string;
  keyId?: string;
  scope?: string;
  /** Extra payload claims (--claims-file). */
  claims?: Record<string, unknown>;
}

/** --signing-key: a file (PEM or secret) when one exists at that path, else the value itself (as OPA). */
export async function readSigningKey(value: string, cwd: string): Promise<string> {
  return readFile(path.resolve(cwd, value), 'utf8').catch(() => value);
}

export async function readClaims(file: string, cwd: string): Promise<Record<string, unknown>> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(path.resolve(cwd, file), 'utf8'));
  } catch (e) {
    throw new CliError('load_error', `--claims-file ${file}: ${describeThrown(e)}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new CliError('load_error', `--claims-file ${file}: must hold a JSON object`);
  return doc as Record<string, unknown>;
}

function signingKey(opts: SigningOptions): KeyObject | Uint8Array {
  if (!(SIGNING_ALGS as readonly string[]).includes(opts.alg)) throw new CliError('usage', `--signing-alg must be one of ${SIGNING_ALGS.join(', ')}`);
  if (opts.alg.startsWith('HS')) return new TextEncoder().encode(opts.key);
  try {
    return createPrivateKey(opts.key);
  } catch (e) {
    throw new CliError('load_error', `--signing-key is not a PEM private key for ${opts.alg}: ${describeThrown(e)}`);
  }
}

/** The `.signatures.json` body for these files (bundle paths, no leading slash; `.signatures.json` itself excluded). */
export async function signBundleFiles(files: readonly { name: string; body: Uint8Array }[], opts: SigningOptions): Promise<Uint8Array> {
  const key = signingKey(opts);
  const payload: Record<string, unknown> = {
    ...(opts.claims ?? {}),
    files: files.map((f) => {
      const name = f.name.replace(/^\/+/, '');
      return { name, hash: digest(name, f.body, 'SHA-256'), algorithm: 'SHA-256' };
    }),
  };
  if (opts.keyId !== undefined) payload.keyid = opts.keyId;
  if (opts.scope !== undefined) payload.scope = opts.scope;
  let jws: string;
  try {
    jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ alg: opts.alg, ...(opts.keyId !== undefined ? { kid: opts.keyId } : {}) })
      .sign(key);
  } catch (e) {
    throw new CliError('load_error', `cannot sign with ${opts.alg}: ${describeThrown(e)}`);
  }
  return new TextEncoder().encode(JSON.stringify({ signatures: [jws] }, null, 2) + '\n');
}
