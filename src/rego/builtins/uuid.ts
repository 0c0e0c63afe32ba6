// uuid.rfc4122 (random v4, stable per key within an evaluation) and uuid.parse.

import { randomBytes } from 'node:crypto';
import { ObjectV, normNum } from '../value.js';
import { evalMemo } from './cache.js';
import type { Builtin } from './types.js';
import { def, str } from './util.js';

function v4(): string {
  const b = randomBytes(16);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** google/uuid's Parse: 36-char canonical, {braced}, urn:uuid: prefixed, or 32 bare hex digits. */
export function parseUUID(s: string): Buffer | null {
  let hex: string;
  if (s.length === 36 + 9) {
    if (s.slice(0, 9).toLowerCase() !== 'urn:uuid:') return null;
    s = s.slice(9);
  } else if (s.length === 36 + 2) {
    if (s[0] !== '{' || s[37] !== '}') return null;
    s = s.slice(1, 37);
  }
  if (s.length === 36) {
    if (s[8] !== '-' || s[13] !== '-' || s[18] !== '-' || s[23] !== '-') return null;
    hex = s.slice(0, 8) + s.slice(9, 13) + s.slice(14, 18) + s.slice(19, 23) + s.slice(24);
  } else if (s.length === 32) {
    hex = s;
  } else return null;
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) return null;
  return Buffer.from(hex, 'hex');
}

function variant(u: Buffer): string {
  if ((u[8] & 0xc0) === 0x80) return 'RFC4122';
  if ((u[8] & 0xe0) === 0xc0) return 'Microsoft';
  if ((u[8] & 0xe0) === 0xe0) return 'Future';
  return 'Reserved';
}

function macVars(b: number): string {
  if ((b & 0b11) === 0b11) return 'local:multicast';
  if ((b & 0b01) === 0b01) return 'global:multicast';
  if ((b & 0b10) === 0b10) return 'local:unicast';
  return 'global:unicast';
}

const DOMAINS = ['Person', 'Group', 'Org'];

export const uuid: Builtin[] = [
  def(
    'uuid.rfc4122',
    ['string'],
    ([k], ctx) => {
      const key = str(k, 1);
      ctx.markRandom();
      return evalMemo(ctx, 'uuid.rfc4122\u0000' + key, v4);
    },
    { nondeterministic: true },
  ),

  def('uuid.parse', ['string'], ([s]) => {
    const u = parseUUID(str(s, 1));
    if (u === null) return undefined;
    const version = u[6] >> 4;
    const out = new ObjectV();
    out.set('version', version);
    out.set('variant', variant(u));
    if (version === 1 || version === 2) {
      const t = (BigInt(u.readUInt16BE(6) & 0x0fff) << 48n) | (BigInt(u.readUInt16BE(4)) << 32n) | BigInt(u.readUInt32BE(0));
      const since = t - 122192928000000000n; // 100ns intervals since 1582-10-15 → since the Unix epoch
      const sec = since / 10000000n;
      const nsec = (since % 10000000n) * 100n;
      out.set('time', normNum(sec * 1000000000n + nsec));
      out.set('nodeid', [...u.subarray(10, 16)].map((b) => b.toString(16).padStart(2, '0')).join('-'));
      out.set('macvariables', macVars(u[10]));
      out.set('clocksequence', u.readUInt16BE(8) & 0x3fff);
      if (version === 2) {
        out.set('id', u.readUInt32BE(0));
        out.set('domain', DOMAINS[u[9]] ?? `Domain${u[9]}`);
      }
    }
    return out;
  }),
];
