// semver.is_valid and semver.compare (OPA's internal semver: optional "v" prefix, MAJOR.MINOR.PATCH
// as int64s, optional -prerelease and +metadata identifiers).

import type { Builtin } from './types.js';
import { def, fail, str } from './util.js';

interface Version {
  major: bigint;
  minor: bigint;
  patch: bigint;
  pre: string;
  meta: string;
}

const IDENT = /^[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*$/;
const INT64_MAX = 2n ** 63n - 1n;

function parseInt64(s: string): bigint | null {
  if (!/^[+-]?[0-9]+$/.test(s)) return null;
  const n = BigInt(s);
  return n > INT64_MAX || n < -INT64_MAX - 1n ? null : n;
}

function cut(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)];
}

export function parseSemver(version: string): Version | null {
  let v = version.startsWith('v') ? version.slice(1) : version;
  let meta: string;
  let pre: string;
  [v, meta] = cut(v, '+');
  if (meta !== '' && !IDENT.test(meta)) return null;
  [v, pre] = cut(v, '-');
  if (pre !== '' && !IDENT.test(pre)) return null;
  if (v.split('.').length !== 3) return null;
  const [a, b, c] = v.split('.');
  const major = parseInt64(a);
  const minor = parseInt64(b);
  const patch = parseInt64(c);
  if (major === null || minor === null || patch === null) return null;
  return { major, minor, patch, pre, meta };
}

function cmp<T>(a: T, b: T): number {
  return a > b ? 1 : a < b ? -1 : 0;
}

function isAllDecimals(s: string): boolean {
  return s !== '' && /^[0-9]+$/.test(s);
}

export function compareSemver(a: Version, b: Version): number {
  const c = cmp(a.major, b.major) || cmp(a.minor, b.minor) || cmp(a.patch, b.patch);
  if (c !== 0) return c;
  if (a.pre === b.pre) return 0;
  if (a.pre === '') return 1;
  if (b.pre === '') return -1;
  const xs = a.pre.split('.');
  const ys = b.pre.split('.');
  for (let i = 0; ; i++) {
    if (i >= xs.length && i >= ys.length) return 0;
    if (i >= xs.length) return -1;
    if (i >= ys.length) return 1;
    const x = xs[i];
    const y = ys[i];
    const xi = isAllDecimals(x);
    const yi = isAllDecimals(y);
    if (xi && !yi) return -1;
    if (!xi && yi) return 1;
    const r = xi && yi ? cmp(BigInt(x), BigInt(y)) : cmp(x, y);
    if (r !== 0) return r;
  }
}

export const semver: Builtin[] = [
  def('semver.is_valid', ['any'], ([v]) => typeof v === 'string' && parseSemver(v) !== null),
  def('semver.compare', ['string', 'string'], ([a, b]) => {
    const sa = str(a, 1);
    const sb = str(b, 2);
    const va = parseSemver(sa);
    if (va === null) throw fail(`operand 1: string ${sa} is not a valid SemVer`);
    const vb = parseSemver(sb);
    if (vb === null) throw fail(`operand 2: string ${sb} is not a valid SemVer`);
    return compareSemver(va, vb);
  }),
];
