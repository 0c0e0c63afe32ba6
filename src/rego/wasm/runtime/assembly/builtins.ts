// Builtins: the ones implemented here (OPA's semantics; wrong operand types give undefined,
// i.e. null here, as OPA's non-strict evaluation does) and the rest, which go to the host through
// env.opa_builtinN with their host id (see decode.ts).

import { Value, VNum, VStr, VArr, VObj, VSet, T_NULL, T_BOOL, T_NUM, T_STR, T_ARR, T_OBJ, T_SET, VBool, mkBool, equal, compare, sortValues, sortedKeyIndexes, asNum, asStr, asArr, asObj, asSet } from "./value";
import { dumpString, parseJSONString } from "./json";
import { isHigh, isLow, cpAt, cpWidth, cpCount } from "./text";
import { opa_builtin0, opa_builtin1, opa_builtin2, opa_builtin3, opa_builtin4 } from "./env";
import { builtinNative, builtinHost } from "./decode";
import { sprintf } from "./sprintf";

const NAMES: StaticArray<string> = [
  "equal", "neq", "lt", "lte", "gt", "gte", "plus", "minus", "mul", "div", "rem", "abs", "round", "ceil", "floor",
  "count", "sum", "product", "max", "min", "sort", "and", "or", "concat", "startswith", "endswith", "contains",
  "lower", "upper", "split", "replace", "trim", "trim_space", "trim_prefix", "trim_suffix", "trim_left", "trim_right",
  "substring", "indexof", "strings.replace_n", "format_int", "to_number", "is_string", "is_number", "is_boolean",
  "is_array", "is_object", "is_set", "is_null", "type_name", "object.get", "object.keys", "object.remove",
  "object.union", "array.concat", "array.slice", "array.reverse", "numbers.range", "internal.member_2",
  "internal.member_3", "json.marshal", "json.unmarshal", "walk", "intersection", "union", "sprintf",
  "internal.merge_docs",
];
const ARITY: StaticArray<i32> = [
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2,
  1, 1, 2, 3, 2, 1, 2, 2, 2, 2,
  3, 2, 2, 2, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 3, 1, 2,
  2, 2, 3, 1, 2, 2,
  3, 1, 1, 1, 1, 1, 2,
  2,
];

/** the native implementation's id of a builtin, -1 when the host implements it */
export function nativeId(name: string): i32 {
  for (let i = 0; i < NAMES.length; i++) if (NAMES[i] == name) return i;
  return -1;
}

export function nativeArity(id: i32): i32 {
  return ARITY[id];
}

/** the JSON object {name: host id} of the builtins the host implements (the `builtins` export) */
export function hostBuiltins(names: StaticArray<string>): VObj {
  const o = new VObj();
  for (let i = 0; i < names.length; i++) {
    const h = builtinHost[i];
    if (h >= 0) o.set(new VStr(names[i]), new VNum(<f64>h));
  }
  return o;
}

/** per evaluation: the host's answer to each builtin called without arguments (time.now_ns,
 * opa.runtime): the same within one evaluation, as OPA's evaluator keeps it */
let noArgs: StaticArray<Value | null> = new StaticArray<Value | null>(0);

/** a new evaluation: nothing is kept from the last one (the host reset the heap) */
export function resetBuiltinMemo(): void {
  noArgs = new StaticArray<Value | null>(builtinHost.length);
}

/** calls plan builtin b with n arguments; null: undefined */
export function callBuiltin(b: i32, n: i32, a: Value | null, x: Value | null, y: Value | null, z: Value | null): Value | null {
  const nat = unchecked(builtinNative[b]);
  if (nat >= 0) return native(nat, a, x, y);
  const id = unchecked(builtinHost[b]);
  let r: usize = 0;
  if (n == 0) {
    const kept = unchecked(noArgs[b]);
    if (kept !== null) return kept;
    r = opa_builtin0(id, 0);
    if (r != 0) unchecked((noArgs[b] = changetype<Value>(r)));
  }
  else if (n == 1) r = opa_builtin1(id, 0, changetype<usize>(a));
  else if (n == 2) r = opa_builtin2(id, 0, changetype<usize>(a), changetype<usize>(x));
  else if (n == 3) r = opa_builtin3(id, 0, changetype<usize>(a), changetype<usize>(x), changetype<usize>(y));
  else r = opa_builtin4(id, 0, changetype<usize>(a), changetype<usize>(x), changetype<usize>(y), changetype<usize>(z));
  return r == 0 ? null : changetype<Value>(r);
}

// ---- helpers ----

/** a builtin's number result; beyond doubles: undefined (a result never holds Infinity or NaN) */
function num(n: f64): Value | null {
  return isFinite(n) ? new VNum(n) : null;
}
function str(s: string): Value {
  return new VStr(s);
}
// @ts-ignore: decorator
@inline function isNum(v: Value): bool {
  return v.tag == T_NUM;
}
// @ts-ignore: decorator
@inline function isStr(v: Value): bool {
  return v.tag == T_STR;
}
function isInt(n: f64): bool {
  return isFinite(n) && n == Math.floor(n);
}
/** an integer operand, or NaN */
function intOf(v: Value): f64 {
  if (v.tag != T_NUM) return NaN;
  const n = asNum(v).n;
  return isInt(n) ? n : NaN;
}

/** the elements of an array or a set (sets in sorted order); null for anything else */
function elems(v: Value): Array<Value> | null {
  if (v.tag == T_ARR) return asArr(v).a;
  if (v.tag == T_SET) {
    const s = asSet(v);
    const idx = sortedKeyIndexes(s);
    const out = new Array<Value>(idx.length);
    for (let i = 0; i < idx.length; i++) unchecked((out[i] = s.keys[unchecked(idx[i])]));
    return out;
  }
  return null;
}

/** the unit index of code point k (s.length when beyond) */
function unitOf(s: string, k: i32): i32 {
  let i = 0;
  while (k > 0 && i < s.length) {
    i += cpWidth(cpAt(s, i));
    k--;
  }
  return i;
}

function cpIndexOfUnit(s: string, u: i32): i32 {
  let n = 0;
  for (let i = 0; i < u; i += cpWidth(cpAt(s, i))) n++;
  return n;
}

function splitString(s: string, d: string): Array<Value> {
  const out = new Array<Value>();
  if (d.length == 0) {
    for (let i = 0; i < s.length; ) {
      const w = cpWidth(cpAt(s, i));
      out.push(str(s.substring(i, i + w)));
      i += w;
    }
    return out;
  }
  let from = 0;
  while (true) {
    const j = s.indexOf(d, from);
    if (j < 0) break;
    out.push(str(s.substring(from, j)));
    from = j + d.length;
  }
  out.push(str(s.substring(from)));
  return out;
}

/** Go's strings.Replace(s, old, repl, -1) */
function replaceAll(s: string, old: string, repl: string): string {
  if (old.length == 0) {
    const parts = new Array<string>();
    parts.push(repl);
    for (let i = 0; i < s.length; ) {
      const w = cpWidth(cpAt(s, i));
      parts.push(s.substring(i, i + w));
      parts.push(repl);
      i += w;
    }
    return parts.join("");
  }
  if (s.indexOf(old) < 0) return s;
  const parts = new Array<string>();
  let from = 0;
  while (true) {
    const j = s.indexOf(old, from);
    if (j < 0) break;
    parts.push(s.substring(from, j));
    from = j + old.length;
  }
  parts.push(s.substring(from));
  return parts.join(repl);
}

/** strings.NewReplacer(pairs...).Replace(s): at each position the first pair that matches wins */
function replaceMany(s: string, olds: Array<string>, news: Array<string>): string {
  if (olds.length == 0) return s;
  if (olds.length == 1) return replaceAll(s, olds[0], news[0]);
  const out = new Array<string>();
  let i = 0;
  let emptyAt = -1;
  while (i <= s.length) {
    let matched = false;
    for (let p = 0; p < olds.length; p++) {
      const o = olds[p];
      if (o.length == 0) {
        if (emptyAt != i) {
          out.push(news[p]);
          emptyAt = i;
        }
        break;
      }
      if (s.startsWith(o, i)) {
        out.push(news[p]);
        i += o.length;
        matched = true;
        break;
      }
    }
    if (matched) continue;
    if (i >= s.length) break;
    const w = cpWidth(cpAt(s, i));
    out.push(s.substring(i, i + w));
    i += w;
  }
  return out.join("");
}

function inCutset(cs: string, cp: u32): bool {
  for (let i = 0; i < cs.length; ) {
    const c = cpAt(cs, i);
    if (c == cp) return true;
    i += cpWidth(c);
  }
  return false;
}

function isGoSpace(cp: u32): bool {
  if (cp <= 0xff) return cp == 0x20 || (cp >= 0x09 && cp <= 0x0d) || cp == 0x85 || cp == 0xa0;
  return cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

/** trims code points in cs (space: Go's unicode.IsSpace instead) from the left and/or right */
function trimWith(s: string, cs: string, space: bool, left: bool, right: bool): string {
  let i = 0;
  let j = s.length;
  if (left) {
    while (i < j) {
      const cp = cpAt(s, i);
      if (!(space ? isGoSpace(cp) : inCutset(cs, cp))) break;
      i += cpWidth(cp);
    }
  }
  if (right) {
    while (j > i) {
      let k = j - 1;
      if (isLow(<u32>s.charCodeAt(k)) && k > i && isHigh(<u32>s.charCodeAt(k - 1))) k--;
      const cp = cpAt(s, k);
      if (!(space ? isGoSpace(cp) : inCutset(cs, cp))) break;
      j = k;
    }
  }
  return s.substring(i, j);
}

function isASCII(s: string): bool {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

/** Go's unicode.ToLower/ToUpper per rune: a rune without a one-rune mapping stays as it is */
function mapCase(s: string, lower: bool): string {
  if (isASCII(s)) return lower ? s.toLowerCase() : s.toUpperCase();
  const out = new Array<string>();
  for (let i = 0; i < s.length; ) {
    const cp = cpAt(s, i);
    const w = cpWidth(cp);
    const ch = s.substring(i, i + w);
    const m = lower ? ch.toLowerCase() : ch.toUpperCase();
    if (cpCount(m) == 1) out.push(m);
    else if (lower && cp == 0x130) out.push("i");
    else out.push(ch);
    i += w;
  }
  return out.join("");
}

function roundHalfAway(x: f64): f64 {
  const t = Math.trunc(x);
  return Math.abs(x - t) >= 0.5 ? t + Math.sign(x) : t;
}

/** Go's strconv.ParseFloat for decimal text (no hex floats, inf or nan); NaN when invalid */
function parseNumberText(s: string): f64 {
  let i = 0;
  const n = s.length;
  if (i < n && (s.charCodeAt(i) == 0x2b || s.charCodeAt(i) == 0x2d)) i++;
  let digits = 0;
  while (i < n && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) {
    i++;
    digits++;
  }
  if (i < n && s.charCodeAt(i) == 0x2e) {
    i++;
    while (i < n && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) {
      i++;
      digits++;
    }
  }
  if (digits == 0) return NaN;
  if (i < n && (s.charCodeAt(i) | 0x20) == 0x65) {
    i++;
    if (i < n && (s.charCodeAt(i) == 0x2b || s.charCodeAt(i) == 0x2d)) i++;
    let ed = 0;
    while (i < n && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) {
      i++;
      ed++;
    }
    if (ed == 0) return NaN;
  }
  if (i != n) return NaN;
  const body = s.charCodeAt(0) == 0x2b ? s.substring(1) : s;
  const v = parseFloat(body);
  return isFinite(v) ? v : NaN;
}

function typeName(v: Value): string {
  switch (v.tag) {
    case T_NULL:
      return "null";
    case T_BOOL:
      return "boolean";
    case T_NUM:
      return "number";
    case T_STR:
      return "string";
    case T_ARR:
      return "array";
    case T_OBJ:
      return "object";
    default:
      return "set";
  }
}

/** OPA's Value.Find: a path through objects, arrays (integer indexes) and sets */
function findPath(v: Value, path: Array<Value>): Value | null {
  let cur = v;
  for (let i = 0; i < path.length; i++) {
    const seg = unchecked(path[i]);
    const t = cur.tag;
    if (t == T_OBJ) {
      const next = asObj(cur).get(seg);
      if (next === null) return null;
      cur = next;
    } else if (t == T_ARR) {
      const a = asArr(cur).a;
      const k = intOf(seg);
      if (isNaN(k) || k < 0 || k >= <f64>a.length) return null;
      cur = a[<i32>k];
    } else if (t == T_SET) {
      if (!asSet(cur).has(seg)) return null;
      cur = seg;
    } else return null;
  }
  return cur;
}

function mergeObjects(a: VObj, b: VObj): VObj {
  const out = a.copy();
  for (let i = 0; i < b.keys.length; i++) {
    const k = b.keys[i];
    const v = b.vals[i];
    const orig = out.get(k);
    if (orig !== null && orig.tag == T_OBJ && v.tag == T_OBJ) out.set(k, mergeObjects(asObj(orig), asObj(v)));
    else out.set(k, v);
  }
  return out;
}

function setOf(xs: Array<Value>): VSet {
  const s = new VSet();
  for (let i = 0; i < xs.length; i++) s.add(xs[i]);
  return s;
}

const MAX_RANGE: f64 = 10000000;

// ---- the natives ----

/** two documents at one path merged as the evaluator merges them: sets united, objects merged key
 * by key, anything else must be equal (else undefined) */
function mergeDocs(a: Value, b: Value): Value | null {
  if (a.tag == T_SET && b.tag == T_SET) {
    const out = new VSet();
    const x = asSet(a);
    const y = asSet(b);
    for (let i = 0; i < x.keys.length; i++) out.add(unchecked(x.keys[i]));
    for (let i = 0; i < y.keys.length; i++) out.add(unchecked(y.keys[i]));
    return out;
  }
  if (a.tag == T_OBJ && b.tag == T_OBJ) {
    const out = asObj(a).copy();
    const y = asObj(b);
    for (let i = 0; i < y.keys.length; i++) {
      const k = unchecked(y.keys[i]);
      const prev = out.get(k);
      const v = prev === null ? unchecked(y.vals[i]) : mergeDocs(prev, unchecked(y.vals[i]));
      if (v === null) return null;
      out.set(k, v);
    }
    return out;
  }
  return equal(a, b) ? a : null;
}

function walkInto(v: Value, path: Array<Value>, out: Array<Value>): void {
  const pair = new Array<Value>(2);
  unchecked((pair[0] = new VArr(path.slice(0))));
  unchecked((pair[1] = v));
  out.push(new VArr(pair));
  if (v.tag == T_ARR) {
    const xs = asArr(v).a;
    for (let i = 0; i < xs.length; i++) {
      path.push(VNum.int(<i64>i));
      walkInto(unchecked(xs[i]), path, out);
      path.pop();
    }
  } else if (v.tag == T_OBJ) {
    const o = asObj(v);
    const idx = sortedKeyIndexes(o);
    for (let i = 0; i < idx.length; i++) {
      path.push(unchecked(o.keys[unchecked(idx[i])]));
      walkInto(unchecked(o.vals[unchecked(idx[i])]), path, out);
      path.pop();
    }
  } else if (v.tag == T_SET) {
    const xs = sortValues(asSet(v).keys.slice(0));
    for (let i = 0; i < xs.length; i++) {
      path.push(unchecked(xs[i]));
      walkInto(unchecked(xs[i]), path, out);
      path.pop();
    }
  }
}

/** x + y, x - y or x * y (op: plus, minus, mul's id): exact while both are exact integers and the
 * result fits in 64 bits, else in doubles */
function arith(op: i32, x: VNum, y: VNum): VNum | null {
  if (x.exact && y.exact) {
    const a = x.i;
    const b = y.i;
    if (op == 6) {
      const r = a + b;
      if (((a ^ r) & (b ^ r)) >= 0) return VNum.int(r);
    } else if (op == 7) {
      const r = a - b;
      if (((a ^ b) & (a ^ r)) >= 0) return VNum.int(r);
    } else {
      const r = a * b;
      if (a == 0 || (r / a == b && !(a == -1 && b == i64.MIN_VALUE))) return VNum.int(r);
    }
  }
  const r = op == 6 ? x.n + y.n : op == 7 ? x.n - y.n : x.n * y.n;
  // beyond doubles (OPA would keep the digits): undefined, never Infinity or NaN in a result
  return isFinite(r) ? new VNum(r) : null;
}

function native(id: i32, a: Value | null, b: Value | null, c: Value | null): Value | null {
  switch (id) {
    case 0: // equal
      return mkBool(equal(a!, b!));
    case 1: // neq
      return mkBool(!equal(a!, b!));
    case 2:
      return mkBool(compare(a!, b!) < 0);
    case 3:
      return mkBool(compare(a!, b!) <= 0);
    case 4:
      return mkBool(compare(a!, b!) > 0);
    case 5:
      return mkBool(compare(a!, b!) >= 0);
    case 6: // plus
      if (!isNum(a!) || !isNum(b!)) return null;
      return arith(6, asNum(a!), asNum(b!));
    case 7: {
      // minus
      if (isNum(a!) && isNum(b!)) return arith(7, asNum(a!), asNum(b!));
      if (a!.tag == T_SET && b!.tag == T_SET) {
        const x = asSet(a!);
        const y = asSet(b!);
        const out = new VSet();
        for (let i = 0; i < x.keys.length; i++) if (y.find(x.keys[i], x.hashes[i]) < 0) out.add(x.keys[i]);
        return out;
      }
      return null;
    }
    case 8: // mul
      if (!isNum(a!) || !isNum(b!)) return null;
      return arith(8, asNum(a!), asNum(b!));
    case 9: {
      // div
      if (!isNum(a!) || !isNum(b!)) return null;
      const y = asNum(b!).n;
      if (y == 0) return null;
      const p = asNum(a!);
      const q = asNum(b!);
      if (p.exact && q.exact && q.i != -1 && p.i % q.i == 0) return VNum.int(p.i / q.i);
      const r = p.n / y;
      return isFinite(r) ? num(r) : null;
    }
    case 10: {
      // rem
      if (isNum(a!) && isNum(b!) && asNum(a!).exact && asNum(b!).exact) {
        const q = asNum(b!).i;
        if (q == 0) return null;
        return q == -1 ? VNum.int(0) : VNum.int(asNum(a!).i % q);
      }
      const x = intOf(a!);
      const y = intOf(b!);
      if (isNaN(x) || isNaN(y) || y == 0) return null;
      const r = x % y;
      return num(r == 0 ? 0 : r);
    }
    case 11:
    case 12:
    case 13:
    case 14: {
      if (!isNum(a!)) return null;
      const v = asNum(a!);
      if (v.exact) return id == 11 && v.i < 0 && v.i != i64.MIN_VALUE ? VNum.int(-v.i) : id == 11 && v.i == i64.MIN_VALUE ? num(-v.n) : v;
      const x = v.n;
      if (id == 11) return num(Math.abs(x));
      if (id == 12) return num(roundHalfAway(x));
      if (id == 13) return num(Math.ceil(x));
      return num(Math.floor(x));
    }
    case 15: {
      // count
      const t = a!.tag;
      if (t == T_ARR) return num(<f64>asArr(a!).a.length);
      if (t == T_OBJ || t == T_SET) return num(<f64>asObj(a!).keys.length);
      if (t == T_STR) return num(<f64>cpCount(asStr(a!).s));
      return null;
    }
    case 16:
    case 17: {
      // sum, product
      if (a!.tag != T_ARR && a!.tag != T_SET) return null;
      const xs = a!.tag == T_ARR ? asArr(a!).a : asSet(a!).keys;
      let acc: VNum | null = VNum.int(id == 16 ? 0 : 1);
      for (let i = 0; i < xs.length && acc !== null; i++) {
        const x = xs[i];
        if (!isNum(x)) return null;
        acc = arith(id == 16 ? 6 : 8, acc, asNum(x));
      }
      return acc;
    }
    case 18:
    case 19: {
      // max, min
      if (a!.tag != T_ARR && a!.tag != T_SET) return null;
      const xs = a!.tag == T_ARR ? asArr(a!).a : asSet(a!).keys;
      if (xs.length == 0) return null;
      let m = xs[0];
      for (let i = 1; i < xs.length; i++) {
        const c = compare(xs[i], m);
        if (id == 18 ? c > 0 : c < 0) m = xs[i];
      }
      return m;
    }
    case 20: {
      // sort
      if (a!.tag == T_ARR) return new VArr(sortValues(asArr(a!).a.slice(0)));
      const xs = elems(a!);
      return xs === null ? null : new VArr(xs);
    }
    case 21:
    case 22: {
      // and, or
      if (a!.tag != T_SET || b!.tag != T_SET) return null;
      const x = asSet(a!);
      const y = asSet(b!);
      const out = new VSet();
      if (id == 21) {
        for (let i = 0; i < x.keys.length; i++) if (y.find(x.keys[i], x.hashes[i]) >= 0) out.add(x.keys[i]);
      } else {
        for (let i = 0; i < x.keys.length; i++) out.add(x.keys[i]);
        for (let i = 0; i < y.keys.length; i++) out.add(y.keys[i]);
      }
      return out;
    }
    case 23: {
      // concat
      if (!isStr(a!)) return null;
      const xs = elems(b!);
      if (xs === null) return null;
      const parts = new Array<string>(xs.length);
      for (let i = 0; i < xs.length; i++) {
        if (!isStr(xs[i])) return null;
        parts[i] = asStr(xs[i]).s;
      }
      return str(parts.join(asStr(a!).s));
    }
    case 24:
    case 25:
    case 26: {
      if (!isStr(a!) || !isStr(b!)) return null;
      const s = asStr(a!).s;
      const t = asStr(b!).s;
      if (id == 24) return mkBool(s.startsWith(t));
      if (id == 25) return mkBool(s.endsWith(t));
      return mkBool(s.includes(t));
    }
    case 27:
    case 28:
      if (!isStr(a!)) return null;
      return str(mapCase(asStr(a!).s, id == 27));
    case 29: // split
      if (!isStr(a!) || !isStr(b!)) return null;
      return new VArr(splitString(asStr(a!).s, asStr(b!).s));
    case 30: // replace
      if (!isStr(a!) || !isStr(b!) || !isStr(c!)) return null;
      return str(replaceAll(asStr(a!).s, asStr(b!).s, asStr(c!).s));
    case 31: // trim
      if (!isStr(a!) || !isStr(b!)) return null;
      return str(trimWith(asStr(a!).s, asStr(b!).s, false, true, true));
    case 32: // trim_space
      if (!isStr(a!)) return null;
      return str(trimWith(asStr(a!).s, "", true, true, true));
    case 33: {
      // trim_prefix
      if (!isStr(a!) || !isStr(b!)) return null;
      const s = asStr(a!).s;
      const p = asStr(b!).s;
      return s.startsWith(p) ? str(s.substring(p.length)) : a;
    }
    case 34: {
      // trim_suffix
      if (!isStr(a!) || !isStr(b!)) return null;
      const s = asStr(a!).s;
      const p = asStr(b!).s;
      return p.length > 0 && s.endsWith(p) ? str(s.substring(0, s.length - p.length)) : a;
    }
    case 35:
    case 36:
      if (!isStr(a!) || !isStr(b!)) return null;
      return str(trimWith(asStr(a!).s, asStr(b!).s, false, id == 35, id == 36));
    case 37: {
      // substring
      if (!isStr(a!)) return null;
      const start = intOf(b!);
      const len = intOf(c!);
      if (isNaN(start) || isNaN(len) || start < 0) return null;
      const s = asStr(a!).s;
      const total = cpCount(s);
      if (start >= <f64>total) return str("");
      const i = unitOf(s, <i32>start);
      if (len < 0 || start + len >= <f64>total) return str(s.substring(i));
      return str(s.substring(i, unitOf(s, <i32>(start + len))));
    }
    case 38: {
      // indexof
      if (!isStr(a!) || !isStr(b!)) return null;
      const s = asStr(a!).s;
      const t = asStr(b!).s;
      if (t.length == 0) return null;
      const u = s.indexOf(t);
      return num(u < 0 ? -1 : <f64>cpIndexOfUnit(s, u));
    }
    case 39: {
      // strings.replace_n
      if (a!.tag != T_OBJ || !isStr(b!)) return null;
      const o = asObj(a!);
      const idx = sortedKeyIndexes(o);
      const olds = new Array<string>();
      const news = new Array<string>();
      for (let i = 0; i < idx.length; i++) {
        const k = o.keys[idx[i]];
        const v = o.vals[idx[i]];
        if (!isStr(k) || !isStr(v)) return null;
        olds.push(asStr(k).s);
        news.push(asStr(v).s);
      }
      return str(replaceMany(asStr(b!).s, olds, news));
    }
    case 40: {
      // format_int
      if (!isNum(a!) || !isNum(b!)) return null;
      const base = asNum(b!).n;
      if (base != 2 && base != 8 && base != 10 && base != 16) return null;
      const n = Math.trunc(asNum(a!).n);
      if (!isFinite(n)) return null;
      const neg = n < 0;
      const m = <u64>Math.abs(n);
      const t = m.toString(<i32>base);
      return str(neg ? "-" + t : t);
    }
    case 41: {
      // to_number
      const t = a!.tag;
      if (t == T_NULL) return num(0);
      if (t == T_BOOL) return num(changetype<VBool>(a!).b ? 1 : 0);
      if (t == T_NUM) return a;
      if (t == T_STR) {
        const v = parseNumberText(asStr(a!).s);
        return isNaN(v) ? null : num(v);
      }
      return null;
    }
    case 42:
      return mkBool(a!.tag == T_STR);
    case 43:
      return mkBool(a!.tag == T_NUM);
    case 44:
      return mkBool(a!.tag == T_BOOL);
    case 45:
      return mkBool(a!.tag == T_ARR);
    case 46:
      return mkBool(a!.tag == T_OBJ);
    case 47:
      return mkBool(a!.tag == T_SET);
    case 48:
      return mkBool(a!.tag == T_NULL);
    case 49:
      return str(typeName(a!));
    case 50: {
      // object.get
      if (a!.tag != T_OBJ) return null;
      if (b!.tag != T_ARR) {
        const r = asObj(a!).get(b!);
        return r === null ? c : r;
      }
      const path = asArr(b!).a;
      if (path.length == 0) return a;
      const r = findPath(a!, path);
      return r === null ? c : r;
    }
    case 51: {
      // object.keys
      if (a!.tag != T_OBJ) return null;
      return setOf(asObj(a!).keys);
    }
    case 52: {
      // object.remove
      if (a!.tag != T_OBJ) return null;
      const t = b!.tag;
      let drop: VSet;
      if (t == T_ARR) drop = setOf(asArr(b!).a);
      else if (t == T_SET) drop = asSet(b!);
      else if (t == T_OBJ) drop = setOf(asObj(b!).keys);
      else return null;
      const o = asObj(a!);
      const out = new VObj();
      for (let i = 0; i < o.keys.length; i++) if (!drop.has(o.keys[i])) out.set(o.keys[i], o.vals[i]);
      return out;
    }
    case 53: // object.union
      if (a!.tag != T_OBJ || b!.tag != T_OBJ) return null;
      if (equal(a!, b!)) return a;
      return mergeObjects(asObj(a!), asObj(b!));
    case 54: // array.concat
      if (a!.tag != T_ARR || b!.tag != T_ARR) return null;
      return new VArr(asArr(a!).a.concat(asArr(b!).a));
    case 55: {
      // array.slice
      if (a!.tag != T_ARR) return null;
      const xs = asArr(a!).a;
      let start = intOf(b!);
      let stop = intOf(c!);
      if (isNaN(start) || isNaN(stop)) return null;
      const len = <f64>xs.length;
      if (stop < 0) stop = 0;
      else if (stop > len) stop = len;
      if (start < 0) start = 0;
      else if (start > stop) start = stop;
      return new VArr(xs.slice(<i32>start, <i32>stop));
    }
    case 56: // array.reverse
      if (a!.tag != T_ARR) return null;
      return new VArr(asArr(a!).a.slice(0).reverse());
    case 57: {
      // numbers.range
      const x = intOf(a!);
      const y = intOf(b!);
      if (isNaN(x) || isNaN(y)) return null;
      const span = Math.abs(y - x);
      if (span + 1 > MAX_RANGE) return null;
      const n = <i32>span + 1;
      const out = new Array<Value>(n);
      const s: f64 = x <= y ? 1 : -1;
      for (let i = 0; i < n; i++) unchecked((out[i] = new VNum(x + s * <f64>i)));
      return new VArr(out);
    }
    case 58: {
      // internal.member_2
      const t = b!.tag;
      if (t == T_SET) return mkBool(asSet(b!).has(a!));
      if (t == T_ARR) {
        const xs = asArr(b!).a;
        for (let i = 0; i < xs.length; i++) if (equal(a!, xs[i])) return mkBool(true);
        return mkBool(false);
      }
      if (t == T_OBJ) {
        const vs = asObj(b!).vals;
        for (let i = 0; i < vs.length; i++) if (equal(a!, vs[i])) return mkBool(true);
      }
      return mkBool(false);
    }
    case 59: {
      // internal.member_3
      const t = c!.tag;
      if (t == T_SET) return mkBool(asSet(c!).has(a!) && equal(a!, b!));
      if (t == T_OBJ) {
        const got = asObj(c!).get(a!);
        return mkBool(got !== null && equal(got, b!));
      }
      if (t == T_ARR) {
        const k = intOf(a!);
        const xs = asArr(c!).a;
        return mkBool(!isNaN(k) && k >= 0 && k < <f64>xs.length && equal(xs[<i32>k], b!));
      }
      return mkBool(false);
    }
    case 60: // json.marshal
      return str(dumpString(a!, false));
    case 61: // json.unmarshal
      if (!isStr(a!)) return null;
      return parseJSONString(asStr(a!).s);
    case 62: {
      // walk: every [path, value] pair, pre-order, objects and sets in sorted order (the planner
      // iterates the array: `walk` is a relation)
      const out = new Array<Value>();
      walkInto(a!, new Array<Value>(), out);
      return new VArr(out);
    }
    case 63:
    case 64: {
      // intersection, union: of a set of sets
      if (a!.tag != T_SET) return null;
      const sets = asSet(a!);
      const out = new VSet();
      for (let i = 0; i < sets.keys.length; i++) if (unchecked(sets.keys[i]).tag != T_SET) return null;
      if (id == 64) {
        for (let i = 0; i < sets.keys.length; i++) {
          const x = asSet(unchecked(sets.keys[i]));
          for (let j = 0; j < x.keys.length; j++) out.add(unchecked(x.keys[j]));
        }
        return out;
      }
      if (sets.keys.length == 0) return out;
      const first = asSet(unchecked(sets.keys[0]));
      for (let j = 0; j < first.keys.length; j++) {
        const k = unchecked(first.keys[j]);
        let all = true;
        for (let i = 1; i < sets.keys.length && all; i++) all = asSet(unchecked(sets.keys[i])).has(k);
        if (all) out.add(k);
      }
      return out;
    }
    case 65: {
      // sprintf: Go's fmt.Sprintf over OPA's operand conversion (sprintf.ts)
      if (!isStr(a!) || b!.tag != T_ARR) return null;
      const s = sprintf(asStr(a!).s, asArr(b!).a);
      return s === null ? null : str(s);
    }
    case 66:
      // the planner's: a document below an object rule merged into its value
      return mergeDocs(a!, b!);
    default:
      unreachable();
      return null;
  }
}

