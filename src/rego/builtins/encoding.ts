// json.* (marshal, marshal_with_options, unmarshal, is_valid), base64.*, base64url.*,
// urlquery.*, hex.*, yaml.* — with Go's output format and error messages where they matter.
// Decoded bytes become strings the way Go ranges over them (invalid UTF-8 → one U+FFFD per byte).

import YAML from 'yaml';
import { ObjectV, SetV, compareStrings, formatNumber, normNum, type Value } from '../value.js';
import type { Builtin, BuiltinContext } from './types.js';
import { decodeUtf8Go, def, fail, obj, operandErr, regoString, str, strCost, typeErr, utf8 } from './util.js';

/** Deepest nesting json.unmarshal / yaml.unmarshal accept (protects the evaluator's recursion). */
export const MAX_DOCUMENT_DEPTH = 1000;

// ---------------------------------------------------------------------------------------------
// JSON text of a value, as OPA produces it: ast.JSON (sets → arrays, non-string keys → their
// Rego text) then Go's encoding/json (sorted keys, HTML-safe escaping).

function goJSONString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    switch (c) {
      case 0x22:
        out += '\\"';
        break;
      case 0x5c:
        out += '\\\\';
        break;
      case 0x0a:
        out += '\\n';
        break;
      case 0x0d:
        out += '\\r';
        break;
      case 0x09:
        out += '\\t';
        break;
      case 0x3c:
      case 0x3e:
      case 0x26:
      case 0x2028:
      case 0x2029:
        out += '\\u' + c.toString(16).padStart(4, '0');
        break;
      default:
        if (c < 0x20) out += '\\u' + c.toString(16).padStart(4, '0');
        else if (c >= 0xd800 && c <= 0xdfff) {
          // keep valid pairs, replace lone surrogates as Go replaces invalid UTF-8
          const d = s.charCodeAt(i + 1);
          if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
            out += s[i] + s[i + 1];
            i++;
          } else out += '\ufffd';
        } else out += s[i];
    }
  }
  return out + '"';
}

function objectKeyText(k: Value): string {
  return typeof k === 'string' ? k : regoString(k);
}

/** JSON text of v; `indent` null for compact output. */
export function marshalJSON(v: Value, indent: string | null = null, prefix = ''): string {
  const nl = (depth: number): string => (indent === null ? '' : '\n' + prefix + indent.repeat(depth));
  const walk = (x: Value, depth: number): string => {
    switch (typeof x) {
      case 'string':
        return goJSONString(x);
      case 'number':
      case 'bigint':
        return formatNumber(x);
      case 'boolean':
        return x ? 'true' : 'false';
      default: {
        if (x === null) return 'null';
        let items: string[];
        let open: string;
        let close: string;
        if (Array.isArray(x) || x instanceof SetV) {
          const xs = Array.isArray(x) ? x : x.sorted();
          items = xs.map((y) => walk(y, depth + 1));
          open = '[';
          close = ']';
        } else {
          const byKey = new Map<string, Value>();
          for (const [k, y] of x.entries()) byKey.set(objectKeyText(k), y);
          const keys = [...byKey.keys()].sort(compareStrings);
          const sep = indent === null ? ':' : ': ';
          items = keys.map((k) => goJSONString(k) + sep + walk(byKey.get(k) as Value, depth + 1));
          open = '{';
          close = '}';
        }
        if (items.length === 0) return open + close;
        return open + nl(depth + 1) + items.join(',' + nl(depth + 1)) + nl(depth) + close;
      }
    }
  };
  return walk(v, 0);
}

// ---------------------------------------------------------------------------------------------
// JSON parsing that keeps integers exact (JSON.parse would round 2^53+1).

/** Exact value of a JSON/YAML number literal: integers (incl. 1e3, 1.50e2) as exact integers. */
export function parseNumberText(text: string): number | bigint {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (m !== null) {
    const [, sign, int, frac = '', expText] = m;
    const exp = expText === undefined ? 0 : Number(expText);
    let digits = (int + frac).replace(/^0+(?=\d)/, '');
    let e = exp - frac.length;
    // strip trailing zeros into the exponent
    while (e < 0 && digits.length > 1 && digits.endsWith('0')) {
      digits = digits.slice(0, -1);
      e++;
    }
    if (digits === '0') return 0;
    if (e >= 0 && e <= 400 && digits.length + e <= 1000) {
      const n = BigInt(digits) * 10n ** BigInt(e);
      return normNum(sign === '-' ? -n : n);
    }
  }
  const x = Number(text);
  if (!Number.isFinite(x)) throw fail(`number ${text} is not representable`);
  return normNum(x);
}

class JSONSyntax extends Error {}

function parseJSONText(text: string, ctx: BuiltinContext | null): Value {
  let i = 0;
  const n = text.length;
  const ws = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
  };
  const err = (what: string): never => {
    if (i >= n) throw new JSONSyntax('unexpected end of JSON input');
    const ch = text[i];
    const shown = ch === "'" ? "'\\''" : ch === '"' ? `'"'` : goRuneLiteral(ch);
    throw new JSONSyntax(`invalid character ${shown} ${what}`);
  };
  const parseString = (): string => {
    // at opening quote
    i++;
    let out = '';
    let start = i;
    for (;;) {
      if (i >= n) throw new JSONSyntax('unexpected end of JSON input');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(start, i);
        i++;
        return out;
      }
      if (c < 0x20) err('in string literal');
      if (c === 0x5c) {
        out += text.slice(start, i);
        i++;
        if (i >= n) throw new JSONSyntax('unexpected end of JSON input');
        const e = text[i];
        switch (e) {
          case '"':
          case '\\':
          case '/':
            out += e;
            i++;
            break;
          case 'b':
            out += '\b';
            i++;
            break;
          case 'f':
            out += '\f';
            i++;
            break;
          case 'n':
            out += '\n';
            i++;
            break;
          case 'r':
            out += '\r';
            i++;
            break;
          case 't':
            out += '\t';
            i++;
            break;
          case 'u': {
            const hex = text.slice(i + 1, i + 5);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
              i++;
              while (i < n && /[0-9a-fA-F]/.test(text[i])) i++;
              err('in \\u hexadecimal character escape');
            }
            out += String.fromCharCode(parseInt(hex, 16));
            i += 5;
            break;
          }
          default:
            err('in string escape code');
        }
        start = i;
        continue;
      }
      i++;
    }
  };
  const parseNumber = (): Value => {
    const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    m.lastIndex = i;
    const r = m.exec(text);
    if (r === null || r[0] === '-' || r[0] === '') {
      i++;
      err('in numeric literal');
    }
    const t = (r as RegExpExecArray)[0];
    i += t.length;
    return parseNumberText(t);
  };
  const value = (depth: number): Value => {
    if (depth > MAX_DOCUMENT_DEPTH) throw new JSONSyntax('exceeded max depth');
    ws();
    if (i >= n) throw new JSONSyntax('unexpected end of JSON input');
    const c = text[i];
    if (c === '{') {
      i++;
      const o = new ObjectV();
      ws();
      if (text[i] === '}') {
        i++;
        return o;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') err('looking for beginning of object key string');
        const k = parseString();
        ws();
        if (text[i] !== ':') err('after object key');
        i++;
        o.set(k, value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          if (ctx !== null) ctx.checkBudget(o.size);
          return o;
        }
        err('after object key:value pair');
      }
    }
    if (c === '[') {
      i++;
      const a: Value[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return a;
      }
      for (;;) {
        a.push(value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          if (ctx !== null) ctx.checkBudget(a.length);
          return a;
        }
        err('after array element');
      }
    }
    if (c === '"') return parseString();
    if (c === '-' || (c >= '0' && c <= '9')) return parseNumber();
    for (const [lit, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as [string, Value][]) {
      if (c === lit[0]) {
        for (let k = 0; k < lit.length; k++, i++) if (text[i] !== lit[k]) err(`in literal ${lit} (expecting '${lit[k]}')`);
        return v;
      }
    }
    return err('looking for beginning of value');
  };
  const v = value(0);
  ws();
  if (i < n) err('after top-level value');
  return v;
}

function goRuneLiteral(ch: string): string {
  return "'" + ch + "'";
}

export function parseJSON(text: string, ctx: BuiltinContext | null = null): Value {
  try {
    return parseJSONText(text, ctx);
  } catch (e) {
    if (e instanceof JSONSyntax) throw fail(e.message);
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// base64 with Go's strictness (padding required for the std and url encodings; \r and \n ignored).

const STD = /^[A-Za-z0-9+/]*$/;
const URL = /^[A-Za-z0-9_-]*$/;

function base64Decode(s: string, url: boolean): string {
  const clean = s.replace(/[\r\n]/g, '');
  if (clean.length % 4 !== 0) throw fail(`illegal base64 data at input byte ${clean.length - (clean.length % 4)}`);
  let body = clean;
  if (body.endsWith('=')) body = body.slice(0, -1);
  if (body.endsWith('=')) body = body.slice(0, -1);
  const alphabet = url ? URL : STD;
  if (!alphabet.test(body)) {
    let bad = 0;
    while (bad < body.length && alphabet.test(body[bad])) bad++;
    throw fail(`illegal base64 data at input byte ${bad}`);
  }
  return decodeUtf8Go(Buffer.from(body, url ? 'base64url' : 'base64'));
}

// ---------------------------------------------------------------------------------------------
// URL query escaping (Go's net/url QueryEscape / QueryUnescape / Values).

function queryEscape(s: string): string {
  let out = '';
  for (const b of utf8(s)) {
    const c = String.fromCharCode(b);
    if ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || c === '-' || c === '_' || c === '.' || c === '~') out += c;
    else if (b === 0x20) out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function queryUnescape(s: string): string {
  const bytes = utf8(s);
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x25) {
      if (i + 2 >= bytes.length || !isHex(bytes[i + 1]) || !isHex(bytes[i + 2])) {
        const rest = bytes.subarray(i, Math.min(i + 3, bytes.length)).toString('utf8');
        throw fail(`invalid URL escape ${JSON.stringify(rest)}`);
      }
      out.push(parseInt(String.fromCharCode(bytes[i + 1], bytes[i + 2]), 16));
      i += 2;
    } else if (b === 0x2b) out.push(0x20);
    else out.push(b);
  }
  return decodeUtf8Go(Uint8Array.from(out));
}

// ---------------------------------------------------------------------------------------------
// hex (Go's encoding/hex messages)

function goByteRune(b: number): string {
  const ch = String.fromCodePoint(b);
  const printable = b >= 0x20 && b !== 0x7f && !(b >= 0x80 && b < 0xa0);
  return `U+${b.toString(16).toUpperCase().padStart(4, '0')}` + (printable ? ` '${ch}'` : '');
}

function hexDecode(s: string): string {
  const bytes = utf8(s);
  const val = (c: number): number => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1);
  const out = new Uint8Array(bytes.length >> 1);
  let j = 1;
  for (; j < bytes.length; j += 2) {
    const a = val(bytes[j - 1]);
    const b = val(bytes[j]);
    if (a < 0) throw fail(`encoding/hex: invalid byte: ${goByteRune(bytes[j - 1])}`);
    if (b < 0) throw fail(`encoding/hex: invalid byte: ${goByteRune(bytes[j])}`);
    out[(j - 1) >> 1] = (a << 4) | b;
  }
  if (bytes.length % 2 === 1) {
    if (val(bytes[j - 1]) < 0) throw fail(`encoding/hex: invalid byte: ${goByteRune(bytes[j - 1])}`);
    throw fail('encoding/hex: odd length hex string');
  }
  return decodeUtf8Go(out);
}

// ---------------------------------------------------------------------------------------------
// YAML

function toPlainJS(v: Value): unknown {
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'bigint':
    case 'boolean':
      return v;
    default:
      if (v === null) return null;
      if (Array.isArray(v)) return v.map(toPlainJS);
      if (v instanceof SetV) return v.sorted().map(toPlainJS);
      {
        const byKey = new Map<string, unknown>();
        for (const [k, y] of v.entries()) byKey.set(objectKeyText(k), toPlainJS(y));
        const out: Record<string, unknown> = {};
        for (const k of [...byKey.keys()].sort(compareStrings)) {
          Object.defineProperty(out, k, { value: byKey.get(k), enumerable: true, writable: true, configurable: true });
        }
        return out;
      }
  }
}

function yamlKey(k: unknown): string {
  if (typeof k === 'string') return k;
  if (typeof k === 'number' || typeof k === 'bigint') return formatNumber(normNum(k));
  if (typeof k === 'boolean') return k ? 'true' : 'false';
  if (k === null || k === undefined) return 'null';
  throw fail('unsupported YAML map key (only scalar keys can become JSON object keys)');
}

function fromYAML(x: unknown, depth: number): Value {
  if (depth > MAX_DOCUMENT_DEPTH) throw fail('document nested too deeply');
  switch (typeof x) {
    case 'string':
    case 'boolean':
      return x;
    case 'number':
      if (!Number.isFinite(x)) throw fail(`json: unsupported value: ${x > 0 ? '+Inf' : x < 0 ? '-Inf' : 'NaN'}`);
      return normNum(x);
    case 'bigint':
      return normNum(x);
    case 'undefined':
      return null;
    case 'object': {
      if (x === null) return null;
      if (x instanceof Date) return isNaN(x.getTime()) ? null : x.toISOString().replace('.000Z', 'Z');
      if (Array.isArray(x)) return x.map((y) => fromYAML(y, depth + 1));
      if (x instanceof Map) {
        const o = new ObjectV();
        for (const [k, y] of x) o.set(yamlKey(k), fromYAML(y, depth + 1));
        return o;
      }
      if (x instanceof Set) return [...x].map((y) => fromYAML(y, depth + 1));
      if (x instanceof Uint8Array) return Buffer.from(x).toString('base64');
      const o = new ObjectV();
      for (const [k, y] of Object.entries(x)) o.set(k, fromYAML(y, depth + 1));
      return o;
    }
    default:
      throw fail(`unsupported YAML value of type ${typeof x}`);
  }
}

function yamlParse(s: string): Value {
  const docs = YAML.parseAllDocuments(s, { version: '1.1', intAsBigInt: true, uniqueKeys: false, prettyErrors: false });
  const doc = Array.isArray(docs) ? docs[0] : docs;
  if (doc === undefined) return null;
  if (doc.errors.length > 0) throw fail(doc.errors[0].message.split('\n')[0]);
  return fromYAML(doc.toJS({ mapAsMap: true, maxAliasCount: 100 }), 0);
}

function yamlStringify(v: Value): string {
  return YAML.stringify(toPlainJS(v), { indentSeq: false, lineWidth: 0, version: '1.1' });
}

// ---------------------------------------------------------------------------------------------

function charge(ctx: BuiltinContext, s: string): void {
  ctx.checkBudget(strCost(s));
}

function isString(v: Value): v is string {
  return typeof v === 'string';
}

export const encoding: Builtin[] = [
  def('json.marshal', ['any'], ([x], ctx) => {
    const out = marshalJSON(x);
    charge(ctx, out);
    return out;
  }),

  def('json.marshal_with_options', ['any', 'object'], ([x, o], ctx) => {
    const opts = obj(o, 2);
    let indent = '\t';
    let prefix = '';
    let implicit = false;
    let explicit: boolean | null = null;
    for (const [k, v] of opts.entries()) {
      if (typeof k !== 'string') throw operandErr(2, `failed to stringify key ${regoString(k)}`);
      switch (k) {
        case 'prefix':
          if (typeof v !== 'string') throw operandErr(2, `key ${k} failed cast to string`);
          prefix = v;
          implicit = true;
          break;
        case 'indent':
          if (typeof v !== 'string') throw operandErr(2, `key ${k} failed cast to string`);
          indent = v;
          implicit = true;
          break;
        case 'pretty':
          if (typeof v !== 'boolean') throw operandErr(2, `key ${k} failed cast to bool`);
          explicit = v;
          break;
        default:
          throw operandErr(2, `object contained unknown key ${k}`);
      }
    }
    const pretty = explicit ?? implicit;
    const out = pretty ? prefix + marshalJSON(x, indent, prefix) : marshalJSON(x);
    charge(ctx, out);
    return out;
  }),

  def('json.unmarshal', ['string'], ([s], ctx) => {
    const text = str(s, 1);
    charge(ctx, text);
    return parseJSON(text, ctx);
  }),

  def('json.is_valid', ['string'], ([s], ctx) => {
    if (!isString(s)) return false;
    charge(ctx, s);
    try {
      parseJSONText(s, null);
      return true;
    } catch {
      return false;
    }
  }),

  def('base64.encode', ['string'], ([s], ctx) => {
    const x = str(s, 1);
    charge(ctx, x);
    return utf8(x).toString('base64');
  }),

  def('base64.decode', ['string'], ([s], ctx) => {
    const x = str(s, 1);
    charge(ctx, x);
    return base64Decode(x, false);
  }),

  def('base64.is_valid', ['string'], ([s], ctx) => {
    if (!isString(s)) return false;
    charge(ctx, s);
    try {
      base64Decode(s, false);
      return true;
    } catch {
      return false;
    }
  }),

  def('base64url.encode', ['string'], ([s], ctx) => {
    const x = str(s, 1);
    charge(ctx, x);
    const raw = utf8(x).toString('base64url');
    return raw + '='.repeat((4 - (raw.length % 4)) % 4);
  }),

  def('base64url.encode_no_pad', ['string'], ([s], ctx) => {
    const x = str(s, 1);
    charge(ctx, x);
    return utf8(x).toString('base64url');
  }),

  def('base64url.decode', ['string'], ([s], ctx) => {
    const x = str(s, 1);
    charge(ctx, x);
    return base64Decode(padBase64url(x), true);
  }),

  def('urlquery.encode', ['string'], ([s], ctx) => {
    const x = str(s, 1);
    charge(ctx, x);
    return queryEscape(x);
  }),

  def('urlquery.decode', ['string'], ([s], ctx) => {
    const x = str(s, 1);
    charge(ctx, x);
    return queryUnescape(x);
  }),

  def('urlquery.encode_object', ['object'], ([o], ctx) => {
    if (!(o instanceof ObjectV)) throw typeErr(1, o, 'object');
    const byKey = new Map<string, string[]>();
    for (const [k, v] of o.entries()) {
      const key = objectKeyText(k);
      if (typeof v === 'string') byKey.set(key, [v]);
      else if (Array.isArray(v) || v instanceof SetV) {
        const xs = Array.isArray(v) ? v : v.sorted();
        const vals: string[] = [];
        for (const y of xs) {
          if (typeof y !== 'string') throw operandErr(1, 'values must be string, array[string], or set[string]');
          vals.push(y);
        }
        byKey.set(key, [...(byKey.get(key) ?? []), ...vals]);
      } else throw operandErr(1, 'values must be string, array[string], or set[string]');
    }
    ctx.checkBudget(byKey.size);
    const parts: string[] = [];
    for (const k of [...byKey.keys()].sort(compareStrings)) {
      for (const v of byKey.get(k) as string[]) parts.push(queryEscape(k) + '=' + queryEscape(v));
    }
    return parts.join('&');
  }),

  def('urlquery.decode_object', ['string'], ([s], ctx) => {
    const q = str(s, 1);
    charge(ctx, q);
    const out = new Map<string, string[]>();
    let firstErr: Error | null = null;
    for (const part of q.split('&')) {
      if (part === '') continue;
      if (part.includes(';')) {
        firstErr ??= fail('invalid semicolon separator in query');
        continue;
      }
      const eq = part.indexOf('=');
      const rawK = eq < 0 ? part : part.slice(0, eq);
      const rawV = eq < 0 ? '' : part.slice(eq + 1);
      let k: string;
      let v: string;
      try {
        k = queryUnescape(rawK);
        v = queryUnescape(rawV);
      } catch (e) {
        firstErr ??= e as Error;
        continue;
      }
      out.set(k, [...(out.get(k) ?? []), v]);
    }
    if (firstErr !== null) throw firstErr;
    const o = new ObjectV();
    for (const [k, vs] of out) o.set(k, vs);
    return o;
  }),

  def('hex.encode', ['string'], ([s], ctx) => {
    const x = str(s, 1);
    charge(ctx, x);
    return utf8(x).toString('hex');
  }),

  def('hex.decode', ['string'], ([s], ctx) => {
    const x = str(s, 1);
    charge(ctx, x);
    return hexDecode(x);
  }),

  def('yaml.marshal', ['any'], ([x], ctx) => {
    const out = yamlStringify(x);
    charge(ctx, out);
    return out;
  }),

  def('yaml.unmarshal', ['string'], ([s], ctx) => {
    const x = str(s, 1);
    charge(ctx, x);
    return yamlParse(x);
  }),

  def('yaml.is_valid', ['string'], ([s], ctx) => {
    if (!isString(s)) return false;
    charge(ctx, s);
    try {
      yamlParse(s);
      return true;
    } catch {
      return false;
    }
  }),
];

/** base64url with optional padding (as OPA accepts it): add the missing `=`s. */
export function padBase64url(x: string): string {
  if (x.endsWith('=')) return x;
  switch (x.length % 4) {
    case 0:
      return x;
    case 2:
      return x + '==';
    case 3:
      return x + '=';
    default:
      throw fail(`illegal base64url string: ${x}`);
  }
}
