// net.cidr_merge (the smallest set of networks covering the given networks and addresses, per
// address family) and the deprecated net.cidr_overlap (net.cidr_contains under its old name).

import { SetV, type Value } from '../value.js';
import { formatIP, parseCIDR, parseIP } from './net.js';
import type { Builtin } from './types.js';
import { def, fail, str, typeErr } from './util.js';

interface Range {
  v4: boolean;
  first: bigint;
  last: bigint;
}

/** Go's IP.DefaultMask: the classful prefix of an IPv4 address (A /8, B /16, C /24). */
function defaultPrefix(n: bigint): number {
  const top = Number(n >> 24n);
  if (top < 0x80) return 8;
  if (top < 0xc0) return 16;
  if (top < 0xe0) return 24;
  return 32; // class D/E have no default mask in Go: taken as the single address
}

/** OPA's generateIPNet: an address stands for its classful network; IPv6 needs a prefix. */
function toRange(v: Value): Range {
  if (typeof v !== 'string') throw fail('invalid type');
  const ip = parseIP(v);
  let v4: boolean;
  let base: bigint;
  let prefix: number;
  if (ip !== null) {
    if (!ip.v4) throw fail('IPv6 invalid: needs prefix length');
    v4 = true;
    prefix = defaultPrefix(ip.n);
    base = (ip.n >> BigInt(32 - prefix)) << BigInt(32 - prefix);
  } else {
    const n = parseCIDR(v);
    if (n === null) throw fail(`invalid CIDR address: ${v}`);
    ({ v4, base, prefix } = n);
  }
  const host = BigInt((v4 ? 32 : 128) - prefix);
  return { v4, first: base, last: base | ((1n << host) - 1n) };
}

/** The fewest CIDR blocks that exactly cover [first, last]. */
function rangeToCIDRs(r: Range, out: SetV): void {
  const width = r.v4 ? 32 : 128;
  let cur = r.first;
  while (cur <= r.last) {
    // the largest block aligned at cur that does not pass last
    let size = 0;
    while (size < width && ((cur >> BigInt(size)) & 1n) === 0n && cur + (1n << BigInt(size + 1)) - 1n <= r.last) size++;
    out.add(`${formatIP({ v4: r.v4, n: cur })}/${width - size}`);
    cur += 1n << BigInt(size);
  }
}

export const cidrmerge: Builtin[] = [
  def('net.cidr_merge', ['array|set'], ([a], ctx) => {
    let items: Value[];
    if (Array.isArray(a)) items = a;
    else if (a instanceof SetV) items = a.sorted();
    else throw typeErr(1, a, 'array', 'set');
    ctx.checkBudget(1 + items.length);
    const ranges = items.map(toRange);
    ranges.sort((x, y) => (x.v4 !== y.v4 ? (x.v4 ? -1 : 1) : x.first < y.first ? -1 : x.first > y.first ? 1 : 0));
    const merged: Range[] = [];
    for (const r of ranges) {
      const top = merged[merged.length - 1];
      if (top && top.v4 === r.v4 && r.first <= top.last + 1n) {
        if (r.last > top.last) top.last = r.last;
      } else merged.push({ ...r });
    }
    const out = new SetV();
    for (const r of merged) rangeToCIDRs(r, out);
    ctx.checkBudget(out.size);
    return out;
  }),

  def(
    'net.cidr_overlap',
    ['string', 'string'],
    ([a, b]) => {
      const cidr = str(a, 1);
      const n = parseCIDR(cidr);
      if (n === null) throw fail(`invalid CIDR address: ${cidr}`);
      const addr = str(b, 2);
      const ip = parseIP(addr);
      if (ip === null) throw fail(`not a valid textual representation of an IP address: ${addr}`);
      if (ip.v4 !== n.v4) return false;
      const host = BigInt((n.v4 ? 32 : 128) - n.prefix);
      return ip.n >> host === n.base >> host;
    },
    { deprecated: true },
  ),
];
