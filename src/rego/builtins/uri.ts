// uri.parse and uri.is_valid: OPA runs Go's net/url.Parse, so this is that parser's grammar
// (scheme, opaque, authority with userinfo/host/port, path, query, fragment) and its errors,
// and the object OPA builds from the result: scheme, hostname, port, path, raw_path,
// raw_query, fragment, each present only when non-empty.

import { ObjectV, type Value } from '../value.js';
import type { Builtin } from './types.js';
import { decodeUtf8Go, def, fail, str, strCost, utf8 } from './util.js';

class UrlError extends Error {}

type Mode = 'path' | 'host' | 'zone' | 'userPassword' | 'fragment';

const isAlnum = (c: number): boolean => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39);
const isHex = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
const unhex = (c: number): number => (c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x61 + 10);

/** Go's shouldEscape for the modes url.Parse uses. */
function shouldEscape(c: number, mode: Mode): boolean {
  if (isAlnum(c)) return false;
  const ch = String.fromCharCode(c);
  if ((mode === 'host' || mode === 'zone') && `!$&'()*+,;=:[]<>"`.includes(ch)) return false;
  if ('-_.~'.includes(ch)) return false;
  if ('$&+,/:;=?@'.includes(ch)) {
    if (mode === 'path') return ch === '?';
    if (mode === 'userPassword') return ch === '@' || ch === '/' || ch === '?' || ch === ':';
    if (mode === 'fragment') return false;
  }
  if (mode === 'fragment' && '!()*'.includes(ch)) return false;
  return true;
}

/** Go's unescape: validates %XX (and host characters), then decodes to a (Go-lossy) string. */
function unescape(s: string, mode: Mode): string {
  const b = utf8(s);
  let n = 0;
  for (let i = 0; i < b.length;) {
    const c = b[i];
    if (c === 0x25) {
      n++;
      if (i + 2 >= b.length || !isHex(b[i + 1]) || !isHex(b[i + 2])) {
        throw new UrlError(`invalid URL escape ${JSON.stringify(decodeUtf8Go(b.subarray(i, i + 3)))}`);
      }
      // In a host, %-escapes are only for non-ASCII bytes (RFC 6874 allows %25 for zones).
      const esc = decodeUtf8Go(b.subarray(i, i + 3));
      if (mode === 'host' && unhex(b[i + 1]) < 8 && esc !== '%25') throw new UrlError(`invalid URL escape ${JSON.stringify(esc)}`);
      if (mode === 'zone') {
        const v = (unhex(b[i + 1]) << 4) | unhex(b[i + 2]);
        if (esc !== '%25' && v !== 0x20 && shouldEscape(v, 'host')) throw new UrlError(`invalid URL escape ${JSON.stringify(esc)}`);
      }
      i += 3;
    } else {
      if ((mode === 'host' || mode === 'zone') && c < 0x80 && shouldEscape(c, mode)) {
        throw new UrlError(`invalid character ${JSON.stringify(String.fromCharCode(c))} in host name`);
      }
      i++;
    }
  }
  if (n === 0) return s;
  const out: number[] = [];
  for (let i = 0; i < b.length;) {
    if (b[i] === 0x25) {
      out.push((unhex(b[i + 1]) << 4) | unhex(b[i + 2]));
      i += 3;
    } else out.push(b[i++]);
  }
  return decodeUtf8Go(Uint8Array.from(out));
}

/** Go's escape(s, encodePath). */
function escapePath(s: string): string {
  let out = '';
  for (const c of utf8(s)) out += shouldEscape(c, 'path') ? '%' + c.toString(16).toUpperCase().padStart(2, '0') : String.fromCharCode(c);
  return out;
}

function validOptionalPort(port: string): boolean {
  if (port === '') return true;
  if (port[0] !== ':') return false;
  for (const ch of port.slice(1)) if (ch < '0' || ch > '9') return false;
  return true;
}

function getScheme(raw: string): [string, string] {
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) continue;
    if ((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e) {
      if (i === 0) return ['', raw];
      continue;
    }
    if (c === 0x3a) {
      if (i === 0) throw new UrlError('missing protocol scheme');
      return [raw.slice(0, i), raw.slice(i + 1)];
    }
    return ['', raw];
  }
  return ['', raw];
}

function parseHost(host: string): string {
  if (host.startsWith('[')) {
    const i = host.lastIndexOf(']');
    if (i < 0) throw new UrlError("missing ']' in host");
    const colonPort = host.slice(i + 1);
    if (!validOptionalPort(colonPort)) throw new UrlError(`invalid port ${JSON.stringify(colonPort)} after host`);
    const zone = host.slice(0, i).indexOf('%25');
    if (zone >= 0) return unescape(host.slice(0, zone), 'host') + unescape(host.slice(zone, i), 'zone') + unescape(host.slice(i), 'host');
  } else {
    const i = host.lastIndexOf(':');
    if (i !== -1) {
      const colonPort = host.slice(i);
      if (!validOptionalPort(colonPort)) throw new UrlError(`invalid port ${JSON.stringify(colonPort)} after host`);
    }
  }
  return unescape(host, 'host');
}

function validUserinfo(s: string): boolean {
  for (const ch of s) {
    if (isAlnum(ch.charCodeAt(0)) && ch.length === 1) continue;
    if (!"-._:~!$&'()*+,;=%@".includes(ch)) return false;
  }
  return true;
}

function parseAuthority(authority: string): string {
  const i = authority.lastIndexOf('@');
  const host = parseHost(i < 0 ? authority : authority.slice(i + 1));
  if (i >= 0) {
    const userinfo = authority.slice(0, i);
    if (!validUserinfo(userinfo)) throw new UrlError('net/url: invalid userinfo');
    const colon = userinfo.indexOf(':');
    unescape(colon < 0 ? userinfo : userinfo.slice(0, colon), 'userPassword');
    if (colon >= 0) unescape(userinfo.slice(colon + 1), 'userPassword');
  }
  return host;
}

export interface GoURL {
  scheme: string;
  opaque: string;
  host: string;
  path: string;
  rawPath: string;
  rawQuery: string;
  fragment: string;
}

/** Go's url.Parse. Throws UrlError with Go's message (without the `parse "…": ` prefix). */
export function goParseURL(rawURL: string): GoURL {
  const hash = rawURL.indexOf('#');
  const u = hash < 0 ? rawURL : rawURL.slice(0, hash);
  const frag = hash < 0 ? '' : rawURL.slice(hash + 1);
  const url: GoURL = { scheme: '', opaque: '', host: '', path: '', rawPath: '', rawQuery: '', fragment: '' };
  for (const ch of u) {
    const c = ch.charCodeAt(0);
    if (c < 0x20 || c === 0x7f) throw new UrlError('net/url: invalid control character in URL');
  }
  if (u === '*') {
    url.path = '*';
  } else {
    const [scheme, afterScheme] = getScheme(u);
    url.scheme = scheme.toLowerCase();
    let rest = afterScheme;
    if (rest.endsWith('?') && rest.indexOf('?') === rest.length - 1) {
      rest = rest.slice(0, -1);
    } else {
      const q = rest.indexOf('?');
      if (q >= 0) {
        url.rawQuery = rest.slice(q + 1);
        rest = rest.slice(0, q);
      }
    }
    let opaque = false;
    if (!rest.startsWith('/')) {
      if (url.scheme !== '') {
        url.opaque = rest; // a rootless path after a scheme is opaque (RFC 3986)
        opaque = true;
      } else {
        const slash = rest.indexOf('/');
        if ((slash < 0 ? rest : rest.slice(0, slash)).includes(':')) throw new UrlError('first path segment in URL cannot contain colon');
      }
    }
    if (!opaque) {
      if ((url.scheme !== '' || !rest.startsWith('///')) && rest.startsWith('//')) {
        let authority = rest.slice(2);
        rest = '';
        const i = authority.indexOf('/');
        if (i >= 0) {
          rest = authority.slice(i);
          authority = authority.slice(0, i);
        }
        url.host = parseAuthority(authority);
      }
      url.path = unescape(rest, 'path');
      url.rawPath = rest === escapePath(url.path) ? '' : rest;
    }
  }
  if (hash >= 0 && frag !== '') url.fragment = unescape(frag, 'fragment');
  return url;
}

/** Go's splitHostPort as URL.Hostname()/Port() use it. */
function splitHostPort(hostPort: string): [string, string] {
  let host = hostPort;
  let port = '';
  const colon = host.lastIndexOf(':');
  if (colon !== -1 && validOptionalPort(host.slice(colon))) {
    port = host.slice(colon + 1);
    host = host.slice(0, colon);
  }
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return [host, port];
}

export const uri: Builtin[] = [
  def('uri.parse', ['string'], ([a], ctx) => {
    const s = str(a, 1);
    ctx.checkBudget(strCost(s));
    let u: GoURL;
    try {
      u = goParseURL(s);
    } catch (e) {
      if (e instanceof UrlError) throw fail(`parse ${JSON.stringify(s)}: ${e.message}`);
      throw e;
    }
    const out = new ObjectV();
    const put = (k: string, v: string): void => {
      if (v !== '') out.set(k, v);
    };
    const [hostname, port] = splitHostPort(u.host);
    put('scheme', u.scheme);
    put('hostname', hostname);
    put('port', port);
    if (u.path !== '') {
      out.set('path', u.path);
      out.set('raw_path', u.rawPath || u.path);
    }
    put('raw_query', u.rawQuery);
    put('fragment', u.fragment);
    return out satisfies Value;
  }),

  def('uri.is_valid', ['string'], ([a], ctx) => {
    if (typeof a !== 'string' || a === '') return false;
    ctx.checkBudget(strCost(a));
    try {
      goParseURL(a);
      return true;
    } catch (e) {
      if (e instanceof UrlError) return false;
      throw e;
    }
  }),
];
