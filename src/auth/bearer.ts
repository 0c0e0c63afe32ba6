// `Authorization: Bearer <credential>` (RFC 6750), read strictly: one header, the Bearer scheme,
// one token68 credential of bounded length. Anything else is refused before a credential is
// looked at (no hashing, no JWT parsing of hostile input).
import type { IncomingMessage } from 'node:http';
import { AuthFailure } from './failures.js';

/** RFC 7235 token68. */
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

/** The credential; null when no Authorization header was sent; a failure when it is unusable. */
export function bearerCredential(req: IncomingMessage, maxBytes: number): string | null | AuthFailure {
  const header = req.headers.authorization;
  if (header === undefined) return null;
  // Node keeps only the first of repeated Authorization headers; two credentials in one request
  // are ambiguous (which one is the caller?), so they are refused outright.
  let seen = 0;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length === 13 && name.toLowerCase() === 'authorization' && ++seen > 1) {
      return new AuthFailure('repeated_authorization', 'more than one Authorization header');
    }
  }
  if (header.length > maxBytes + 7) return new AuthFailure('token_too_large', `the credential is longer than ${maxBytes} bytes`);
  const space = header.indexOf(' ');
  if (space < 0 || header.slice(0, space).toLowerCase() !== 'bearer') {
    return new AuthFailure('malformed_authorization', 'the Authorization header must be "Bearer <credential>"');
  }
  const token = header.slice(space + 1).trim();
  if (token === '' || !TOKEN68.test(token)) return new AuthFailure('malformed_authorization', 'the bearer credential is not a token68 string');
  return token;
}

/** A compact JWS has exactly two dots; API keys have none. */
export function looksLikeJwt(token: string): boolean {
  const a = token.indexOf('.');
  if (a < 0) return false;
  const b = token.indexOf('.', a + 1);
  return b > a && token.indexOf('.', b + 1) < 0;
}
