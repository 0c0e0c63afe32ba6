// Registry authentication as Docker's token authentication specification describes it (and OPA's
// OCI downloader performs it through containerd): a 401 with `WWW-Authenticate: Bearer realm=…,
// service=…,scope=…` sends the client to the realm (GET with service and scope as query
// parameters, the configured credentials if any, else anonymous); the JSON answer's `token` (or
// `access_token`) goes as `Authorization: Bearer …` until its `expires_in` (default 60 s) nearly
// passes (then the exchange is done again before the next request) or the registry answers 401. A `Basic` challenge is answered with the configured
// credentials.
//
// The realm is named by the registry's answer, so it is untrusted: configured credentials never go
// to another origin over plain http (unless loopback), its answer is bounded in size and time,
// redirects are followed by hand (bounded, credentials dropped when the origin changes), and no
// token or credential ever appears in an error message.
import type { Dispatcher } from 'undici';
import { deadline } from './deadline.js';
import { BundleError } from './errors.js';
import { describeThrown } from '../shared/errors.js';
import { readBounded } from '../shared/read-bounded.js';
import { parseChallenges, type Challenge } from './oci-challenge.js';
import { redactUrl } from './source-http.js';

/** A token answer is a JSON object with a JWT or so in it: a few KiB. */
export const MAX_TOKEN_ANSWER_BYTES = 64 * 1024;
/** Docker's token spec: without expires_in a token lives 60 s. */
export const DEFAULT_TOKEN_TTL_S = 60;
const MAX_REDIRECTS = 5;

export interface RegistryAuthOptions {
  /** scheme://host[:port] of the registry: where the configured credentials were meant to go */
  registry: string;
  repository: string;
  /** what messages call the source */
  shown: string;
  timeoutMs: number;
  /** the bundle size limit: a token answer is never allowed more */
  maxBytes: number;
  stop: AbortSignal;
  dispatcher?: Dispatcher;
}

/** What a request carried, so a 401 can tell "no credentials" from "refused credentials". */
export type Sent = 'token' | 'credentials' | 'none';

interface BearerChallenge {
  realm: string;
  service?: string;
  scope?: string;
}

export class RegistryAuth {
  private readonly o: RegistryAuthOptions;
  private token: { value: string; expiresAt: number } | null = null;
  /** The last Bearer challenge: an expired token is renewed before the next request, not after a 401. */
  private bearer: BearerChallenge | null = null;

  constructor(o: RegistryAuthOptions) {
    this.o = o;
  }

  /**
   * The Authorization for the next registry request: a live token, else the configured
   * credentials (`credentials`, computed per request: a token file is read each time).
   */
  async authorization(credentials: string | undefined): Promise<{ value?: string; sent: Sent }> {
    if (this.token && Date.now() >= this.token.expiresAt) {
      this.token = null;
      if (this.bearer) await this.exchange(this.bearer, credentials);
    }
    if (this.token) return { value: `Bearer ${this.token.value}`, sent: 'token' };
    return credentials !== undefined ? { value: credentials, sent: 'credentials' } : { sent: 'none' };
  }

  /**
   * Answers a 401: resolves when a second attempt may succeed (a fresh token, or the configured
   * credentials where a token was sent); throws a BundleError naming why it cannot.
   */
  async unauthorized(header: string | null, sent: Sent, credentials: string | undefined, what: string): Promise<void> {
    const challenges = parseChallenges(header);
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer) {
      const ch = this.bearerChallenge(bearer);
      this.token = null;
      this.bearer = ch;
      await this.exchange(ch, credentials);
      return;
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      this.token = null;
      if (credentials !== undefined && sent !== 'credentials') return;
      throw this.fail(
        credentials === undefined
          ? `${what}: HTTP 401: the registry asks for Basic credentials and none are configured`
          : `${what}: HTTP 401: the registry refused the configured credentials`,
      );
    }
    const scheme = challenges[0]?.scheme;
    throw this.fail(
      scheme === undefined
        ? `${what}: HTTP 401 without a WWW-Authenticate challenge`
        : `${what}: HTTP 401: unsupported authentication scheme ${JSON.stringify(scheme.slice(0, 40))} (Bearer and Basic are supported)`,
    );
  }

  private bearerChallenge(c: Challenge): BearerChallenge {
    const realm = c.params.realm;
    if (realm === undefined || realm === '') throw this.fail(`${this.o.shown}: the registry's Bearer challenge names no realm`);
    return {
      realm,
      ...(c.params.service !== undefined ? { service: c.params.service } : {}),
      ...(c.params.scope !== undefined ? { scope: c.params.scope } : {}),
    };
  }

  /** GET the realm; on success the token is cached. */
  private async exchange(ch: BearerChallenge, credentials: string | undefined): Promise<void> {
    let url: URL;
    try {
      url = new URL(ch.realm);
    } catch {
      throw this.fail(`${this.o.shown}: the token realm ${JSON.stringify(ch.realm.slice(0, 200))} is not a URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw this.fail(`${this.o.shown}: the token realm is not an http(s) URL`);
    if (url.username || url.password) throw this.fail(`${this.o.shown}: the token realm ${redactUrl(url.href)} carries credentials of its own`);
    if (ch.service !== undefined) url.searchParams.set('service', ch.service);
    // Without a scope in the challenge, ask for what a pull needs (as containerd does).
    url.searchParams.set('scope', ch.scope ?? `repository:${this.o.repository}:pull`);
    const shown = `token realm ${redactUrl(url.href)}`;
    const dl = deadline(this.o.stop, this.o.timeoutMs);
    try {
      const body = await this.fetchRealm(url, credentials, shown, dl.signal);
      this.token = this.readAnswer(body, shown);
    } catch (e) {
      if (e instanceof BundleError) throw e;
      if (dl.expired()) throw new BundleError('BUNDLE_FETCH_TIMEOUT', `${this.o.shown}: ${shown}: no complete answer within ${this.o.timeoutMs} ms`);
      const cause = (e as { cause?: unknown }).cause;
      throw this.fail(`${this.o.shown}: ${shown}: ${cause ? `${describeThrown(e)} (${describeThrown(cause)})` : describeThrown(e)}`);
    } finally {
      dl.done();
    }
  }

  private async fetchRealm(first: URL, credentials: string | undefined, shown: string, signal: AbortSignal): Promise<Uint8Array> {
    let url = first;
    let creds = credentials;
    for (let hop = 0; ; hop++) {
      if (creds !== undefined && !this.mayCarryCredentials(url)) {
        throw this.fail(
          `${this.o.shown}: refusing to send the configured credentials to ${shown} over plain http (another origin than the registry ${this.o.registry}, not loopback)`,
        );
      }
      const init: RequestInit & { dispatcher?: Dispatcher } = {
        headers: { accept: 'application/json', ...(creds !== undefined ? { authorization: creds } : {}) },
        redirect: 'manual',
        signal,
      };
      if (this.o.dispatcher) init.dispatcher = this.o.dispatcher;
      const res = await fetch(url, init);
      if (res.status >= 300 && res.status < 400 && res.headers.has('location')) {
        await res.body?.cancel();
        if (hop >= MAX_REDIRECTS) throw this.fail(`${this.o.shown}: ${shown}: more than ${MAX_REDIRECTS} redirects`);
        let next: URL;
        try {
          next = new URL(res.headers.get('location') ?? '', url);
        } catch {
          throw this.fail(`${this.o.shown}: ${shown}: a redirect to an invalid URL`);
        }
        if (next.protocol !== 'https:' && next.protocol !== 'http:') throw this.fail(`${this.o.shown}: ${shown}: a redirect to a non-http(s) URL`);
        // As fetch does: credentials stay with the origin they were sent to.
        if (next.origin !== url.origin) creds = undefined;
        url = next;
        continue;
      }
      if (res.status !== 200) {
        await res.body?.cancel();
        const why = res.status === 401 || res.status === 403 ? (credentials !== undefined ? ' (credentials refused)' : ' (anonymous access refused)') : '';
        throw this.fail(`${this.o.shown}: ${shown}: HTTP ${res.status}${why}`);
      }
      return this.readBounded(res, shown);
    }
  }

  private async readBounded(res: Response, shown: string): Promise<Uint8Array> {
    const limit = Math.min(MAX_TOKEN_ANSWER_BYTES, this.o.maxBytes);
    const tooLarge = (): BundleError => this.fail(`${this.o.shown}: ${shown}: the token answer is over ${limit} bytes`);
    if (Number(res.headers.get('content-length') ?? NaN) > limit) {
      await res.body?.cancel();
      throw tooLarge();
    }
    const body = await readBounded(res, limit);
    if (body === null) throw tooLarge();
    return new Uint8Array(body);
  }

  private readAnswer(body: Uint8Array, shown: string): { value: string; expiresAt: number } {
    let answer: unknown;
    try {
      answer = JSON.parse(new TextDecoder().decode(body));
    } catch {
      // The parser's message quotes the body, which may hold a token: not shown.
      throw this.fail(`${this.o.shown}: ${shown}: the token answer is not JSON`);
    }
    if (answer === null || typeof answer !== 'object' || Array.isArray(answer))
      throw this.fail(`${this.o.shown}: ${shown}: the token answer is not a JSON object`);
    const a = answer as { token?: unknown; access_token?: unknown; expires_in?: unknown };
    const token = typeof a.token === 'string' && a.token !== '' ? a.token : a.access_token;
    if (typeof token !== 'string' || token === '') throw this.fail(`${this.o.shown}: ${shown}: the token answer has no token (nor access_token)`);
    // One header value of visible ASCII: anything else would be a header injection or garbage.
    if (!/^[\x21-\x7e]+$/.test(token)) throw this.fail(`${this.o.shown}: ${shown}: the token is not a valid header value`);
    const ttl = typeof a.expires_in === 'number' && Number.isFinite(a.expires_in) && a.expires_in > 0 ? a.expires_in : DEFAULT_TOKEN_TTL_S;
    // Renewed a little early (a tenth of its life, at most 10 s): the realm counted from before
    // this answer arrived, so a token used to its last millisecond may already be refused.
    return { value: token, expiresAt: Date.now() + ttl * 1000 - Math.min(ttl * 100, 10_000) };
  }

  /** https anywhere; plain http only to the registry's own origin or to loopback. */
  private mayCarryCredentials(url: URL): boolean {
    if (url.protocol === 'https:') return true;
    if (url.origin === new URL(this.o.registry).origin) return true;
    return isLoopback(url.hostname);
  }

  private fail(message: string): BundleError {
    return new BundleError('BUNDLE_AUTH_FAILED', message);
  }
}

export function isLoopback(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === 'localhost' || h === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}
