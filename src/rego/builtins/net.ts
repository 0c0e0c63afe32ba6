// net.cidr_contains net.cidr_intersects net.cidr_is_valid net.cidr_expand net.cidr_contains_matches,
// with Go's net.ParseIP / net.ParseCIDR syntax (no leading zeros in IPv4 octets, no zones) and
// IPv4-mapped IPv6 addresses treated as IPv4 (Go's To4).

import { ObjectV, SetV, type Value } from '../value.js';
import type { Builtin, BuiltinContext } from './types.js';
import { def, fail, str } from './util.js';

interface IP {
  v4: boolean;
  n: bigint; // 32 or 128 bits
}

interface Net {
  v4: boolean;
  base: bigint;
  prefix: number;
}

/** Largest network net.cidr_expand enumerates. */
export const MAX_EXPAND = 1 << 20;

function parseV4(s: string): bigint | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  let n = 0n;
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p) || (p.length > 1 && p[0] === '0')) return null;
    const v = Number(p);
    if (v > 255) return null;
    n = (n << 8n) | BigInt(v);
  }
  return n;
}

function parseV6(s: string): bigint | null {
  if (s.includes('%')) return null;
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (part: string): bigint[] | null => {
    if (part === '') return [];
    const out: bigint[] = [];
    const fields = part.split(':');
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i];
      if (i === fields.length - 1 && f.includes('.')) {
        const v4 = parseV4(f);
        if (v4 === null) return null;
        out.push(v4 >> 16n, v4 & 0xffffn);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(f)) return null;
        out.push(BigInt(parseInt(f, 16)));
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (head === null || tail === null) return null;
  if (halves.length === 2 && halves[0].includes('.')) return null;
  let all: bigint[];
  if (halves.length === 2) {
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return null;
    all = [...head, ...new Array<bigint>(missing).fill(0n), ...tail];
  } else {
    all = head;
  }
  if (all.length !== 8) return null;
  return all.reduce((acc, g) => (acc << 16n) | g, 0n);
}

export function parseIP(s: string): IP | null {
  if (s.includes(':')) {
    const n = parseV6(s);
    if (n === null) return null;
    if (n >> 32n === 0xffffn) return { v4: true, n: n & 0xffffffffn };
    return { v4: false, n };
  }
  const n = parseV4(s);
  return n === null ? null : { v4: true, n };
}

export function parseCIDR(s: string): Net | null {
  const slash = s.indexOf('/');
  if (slash < 0) return null;
  const addr = s.slice(0, slash);
  const mask = s.slice(slash + 1);
  if (!/^[0-9]+$/.test(mask)) return null;
  const prefix = Number(mask);
  const ip = parseIP(addr);
  if (ip === null) return null;
  const masked = (n: bigint, width: number, p: number): bigint => {
    const host = BigInt(width - p);
    return (n >> host) << host;
  };
  if (addr.includes(':')) {
    if (prefix > 128) return null;
    if (ip.v4) {
      // IPv4-mapped IPv6 network: Go ends up comparing the low 32 bits of address and mask
      const p = Math.max(0, prefix - 96);
      return { v4: true, base: masked(ip.n, 32, p), prefix: p };
    }
    return { v4: false, base: masked(ip.n, 128, prefix), prefix };
  }
  if (prefix > 32) return null;
  return { v4: true, base: masked(ip.n, 32, prefix), prefix };
}

function contains(net: Net, ip: IP): boolean {
  if (net.v4 !== ip.v4) return false;
  const hostBits = BigInt((net.v4 ? 32 : 128) - net.prefix);
  return ip.n >> hostBits === net.base >> hostBits;
}

function lastOf(net: Net): bigint {
  const hostBits = BigInt((net.v4 ? 32 : 128) - net.prefix);
  return net.base | ((1n << hostBits) - 1n);
}

export function formatIP(ip: IP): string {
  if (ip.v4) return [24n, 16n, 8n, 0n].map((s) => String((ip.n >> s) & 0xffn)).join('.');
  const g: number[] = [];
  for (let i = 7; i >= 0; i--) g.push(Number((ip.n >> BigInt(i * 16)) & 0xffffn));
  if (ip.n >> 32n === 0xffffn) return formatIP({ v4: true, n: ip.n & 0xffffffffn });
  // longest run of zero groups (length >= 2), first one on ties
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestStart < 0) return hex.join(':');
  return hex.slice(0, bestStart).join(':') + '::' + hex.slice(bestStart + bestLen).join(':');
}

function netOperand(v: Value, pos: number): Net {
  const s = str(v, pos);
  const n = parseCIDR(s);
  if (n === null) throw fail(`invalid CIDR address: ${s}`);
  return n;
}

function cidrContains(a: Net, bStr: string): boolean {
  const ip = parseIP(bStr);
  if (ip !== null) return contains(a, ip);
  const b = parseCIDR(bStr);
  if (b === null) throw fail(`not a valid textual representation of an IP address or CIDR: ${bStr}`);
  return contains(a, { v4: b.v4, n: b.base }) && contains(a, { v4: b.v4, n: lastOf(b) });
}

function matchOperands(v: Value, operand: number): [string, Value][] {
  const pick = (x: Value): string => {
    if (typeof x === 'string') return x;
    if (Array.isArray(x) && x.length > 0 && typeof x[0] === 'string') return x[0];
    if (Array.isArray(x) && x.length > 0) throw fail(`invalid CIDR address: ${String(x[0])}`);
    throw fail(`operand ${operand}: element must be string or non-empty array`);
  };
  if (typeof v === 'string') return [[v, v]];
  if (Array.isArray(v)) return v.map((x, i) => [pick(x), i]);
  if (v instanceof SetV) return v.sorted().map((x) => [pick(x), x]);
  if (v instanceof ObjectV) return [...v.entries()].map(([k, x]) => [pick(x), k]);
  return [];
}

function charge(ctx: BuiltinContext, n: number): void {
  ctx.checkBudget(n);
}

export const net: Builtin[] = [
  def('net.cidr_contains', ['string', 'string'], ([a, b]) => cidrContains(netOperand(a, 1), str(b, 1))),

  def('net.cidr_intersects', ['string', 'string'], ([a, b]) => {
    const x = netOperand(a, 1);
    const y = netOperand(b, 2);
    return contains(x, { v4: y.v4, n: y.base }) || contains(y, { v4: x.v4, n: x.base });
  }),

  def('net.cidr_is_valid', ['any'], ([a]) => typeof a === 'string' && parseCIDR(a) !== null),

  def('net.cidr_expand', ['string'], ([a], ctx) => {
    const s = str(a, 1);
    const n = parseCIDR(s);
    if (n === null) throw fail(`invalid CIDR address: ${s}`);
    const hostBits = (n.v4 ? 32 : 128) - n.prefix;
    if (hostBits > 20) throw fail(`network ${s} has more than ${MAX_EXPAND} addresses`);
    const count = 1 << hostBits;
    charge(ctx, count);
    const out = new SetV();
    for (let i = 0; i < count; i++) out.add(formatIP({ v4: n.v4, n: n.base + BigInt(i) }));
    return out;
  }),

  def('net.cidr_contains_matches', ['string|array|object|set', 'string|array|object|set'], ([a, b], ctx) => {
    const xs = matchOperands(a, 1);
    const ys = matchOperands(b, 2);
    charge(ctx, xs.length * ys.length);
    const out = new SetV();
    for (const [c1, i1] of xs) {
      const n1 = parseCIDR(c1);
      if (n1 === null) throw fail(`invalid CIDR address: ${c1}`);
      for (const [c2, i2] of ys) if (cidrContains(n1, c2)) out.add([i1, i2]);
    }
    return out;
  }),
];
