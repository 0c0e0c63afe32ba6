// A minimal DER reader for the x509 builtins: tag-length-value nodes with their byte ranges
// (Go's x509 JSON carries the raw DER of several parts), object identifiers, integers and the
// PEM and strict base64 framing Go's encoding/pem and base64.StdEncoding accept.

export class DerError extends Error {}

export interface Node {
  /** The full identifier octet (class, constructed bit and tag number < 31). */
  tag: number;
  /** Start of the whole TLV in the buffer. */
  start: number;
  /** Start and end of the contents. */
  cs: number;
  end: number;
  buf: Uint8Array;
}

export function readNode(buf: Uint8Array, at: number, limit = buf.length): Node {
  if (at + 2 > limit) throw new DerError('truncated');
  const tag = buf[at];
  if ((tag & 0x1f) === 0x1f) throw new DerError('high tag numbers are not supported');
  let len = buf[at + 1];
  let cs = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new DerError('unsupported length');
    if (cs + n > limit) throw new DerError('truncated');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[cs + i];
    cs += n;
  }
  if (cs + len > limit) throw new DerError('truncated');
  return { tag, start: at, cs, end: cs + len, buf };
}

export function children(n: Node): Node[] {
  const out: Node[] = [];
  for (let at = n.cs; at < n.end;) {
    const c = readNode(n.buf, at, n.end);
    out.push(c);
    at = c.end;
  }
  return out;
}

export const contents = (n: Node): Uint8Array => n.buf.subarray(n.cs, n.end);
export const whole = (n: Node): Uint8Array => n.buf.subarray(n.start, n.end);

export function expect(n: Node | undefined, tag: number, what: string): Node {
  if (!n || n.tag !== tag) throw new DerError(`malformed ${what}`);
  return n;
}

/** An OBJECT IDENTIFIER's arcs. */
export function oidArcs(n: Node): number[] {
  const b = contents(n);
  if (b.length === 0) throw new DerError('malformed OID');
  const out: number[] = [];
  let v = 0;
  for (let i = 0; i < b.length; i++) {
    v = v * 128 + (b[i] & 0x7f);
    if (!(b[i] & 0x80)) {
      if (out.length === 0) {
        const first = v < 80 ? Math.floor(v / 40) : 2;
        out.push(first, v - first * 40);
      } else out.push(v);
      v = 0;
    }
  }
  return out;
}

export const oidString = (n: Node): string => oidArcs(n).join('.');

/** A two's-complement INTEGER as a bigint. */
export function bigInt(n: Node): bigint {
  const b = contents(n);
  if (b.length === 0) throw new DerError('malformed integer');
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  if (b[0] & 0x80) v -= 1n << BigInt(b.length * 8);
  return v;
}

/** The bytes of a BIT STRING (unused bits dropped from the count, not from the bytes). */
export function bitStringBytes(n: Node): Uint8Array {
  const b = contents(n);
  if (b.length === 0) throw new DerError('malformed bit string');
  return b.subarray(1);
}

/** Go's base64.StdEncoding.DecodeString: padded standard alphabet; \r and \n are ignored. */
export function strictBase64(s: string): Buffer | null {
  const t = s.replace(/[\r\n]/g, '');
  if (t.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(t)) return null;
  return Buffer.from(t, 'base64');
}

export interface PemBlock {
  type: string;
  bytes: Buffer;
}

/** The PEM blocks of a text, in order, as Go's pem.Decode finds them (junk between blocks is skipped). */
export function pemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  const re = /-----BEGIN ([^\r\n-]*)-----\r?\n([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    // Headers ("Key: value" lines) end at a blank line; the rest is base64.
    let body = m[2];
    if (/^[^\r\n]*:/.test(body)) {
      const blank = body.search(/\r?\n\r?\n/);
      body = blank < 0 ? '' : body.slice(blank);
    }
    const bytes = strictBase64(body.replace(/[ \t]/g, ''));
    if (bytes === null) continue;
    out.push({ type: m[1], bytes });
  }
  return out;
}
