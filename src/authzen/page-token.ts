// Search page tokens: opaque to the PEP, HMAC-SHA256-signed by the service, and bound to the
// request they continue (a digest of every entity and paging parameter but the token itself). A
// forged token, one from another request, or one from another endpoint is refused (400); the
// specification asks for an error when parameters change mid-pagination.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { canonicalFromValue } from '../bundles/canonical-json.js';

export type SearchTarget = 'subject' | 'resource' | 'action';

export type TokenCheck = { ok: true; offset: number } | { ok: false; reason: string };

interface Payload {
  v: 1;
  /** which search */
  t: SearchTarget;
  /** digest of the request without page.token */
  d: string;
  /** index of the next candidate */
  o: number;
}

const MAX_OFFSET = 1_000_000;

export class PageTokens {
  private readonly key: Buffer;

  /** `secret` "" = a random key for this process (tokens do not survive a restart and are not
   * shared between replicas; set authzen.page_token_secret for that). */
  constructor(secret: string) {
    this.key = secret === '' ? randomBytes(32) : Buffer.from(secret, 'utf8');
  }

  /** The digest that binds a token to its request: the search body without page.token. */
  static requestDigest(target: SearchTarget, body: Record<string, unknown>): string {
    const page = body.page as Record<string, unknown> | undefined;
    const { token: _token, ...pageRest } = page ?? {};
    const bound = { ...body, page: pageRest, target };
    return createHash('sha256').update(canonicalFromValue(bound)).digest('base64url');
  }

  issue(target: SearchTarget, digest: string, offset: number): string {
    const payload = Buffer.from(JSON.stringify({ v: 1, t: target, d: digest, o: offset } satisfies Payload)).toString('base64url');
    return `${payload}.${this.mac(payload)}`;
  }

  check(token: string, target: SearchTarget, digest: string): TokenCheck {
    const dot = token.indexOf('.');
    if (dot <= 0 || dot !== token.lastIndexOf('.')) return { ok: false, reason: 'not a page token of this service' };
    const payload = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.mac(payload), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'page token signature is not valid' };
    let p: Partial<Payload>;
    try {
      p = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<Payload>;
    } catch {
      return { ok: false, reason: 'not a page token of this service' };
    }
    if (p.v !== 1 || p.t !== target) return { ok: false, reason: `page token belongs to another search (not ${target} search)` };
    if (p.d !== digest)
      return { ok: false, reason: 'page token was issued for other request parameters; send the same entities and page.limit as the first request' };
    if (typeof p.o !== 'number' || !Number.isInteger(p.o) || p.o < 0 || p.o > MAX_OFFSET) return { ok: false, reason: 'page token offset is not valid' };
    return { ok: true, offset: p.o };
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}
