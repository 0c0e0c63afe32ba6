// The default bundle's audit mask (policies/system/log/mask.rego) as JavaScript: the same set of
// upsert rules `data.system.log.mask` produces, in the order the engine gives them (sorted by
// pointer, by code point), for a fraction of the CPU — the Rego mask walks the request one scalar
// at a time and was about as costly as the decision itself.
//
// The Rego stays the authority: this runs only where recognize-default-mask.ts found that exact
// program in the active bundle and checked this function against it on probe records. Its field
// lists are the ones the bundle's own Rego evaluates to, so editing them keeps the native path;
// editing anything else in the program leaves it.
// Strings are ordered and counted as Rego does (by code point: the engine's own functions).
import { runeCount } from '../../rego/builtins/util.js';
import { compareStrings } from '../../rego/value.js';
import { isDeeplyFrozen } from '../../shared/deep-freeze.js';
import { markSharedField } from '../record-json.js';
import { escapeSegment } from './pointer.js';

/** What the mask program reads from its own rules. */
export interface DefaultMaskLists {
  /** tool_call_fields: request field shape → the type it is kept with */
  toolCall: ReadonlyMap<string, string>;
  /** deployment_fields */
  deployment: ReadonlyMap<string, string>;
  /** kept_results: decision paths whose result is logged whole */
  keptResults: ReadonlySet<string>;
}

/** One rule as the Rego mask writes it (a summary object's keys in the engine's sorted order). */
export interface DefaultMaskRule {
  op: 'upsert';
  path: string;
  value: { length: number; type: 'string' } | { type: string };
}

/** The record fields the mask program reads. */
export interface MaskedRecordView {
  input?: unknown;
  result?: unknown;
  path?: unknown;
}

const TIMESTAMP = /^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$/;
const DIGEST = /^[a-z0-9]+:[0-9a-f]{32,128}$/;

/** A field list as a tree of keys: the walk follows it alongside the value instead of writing
 * each scalar's shape string and looking it up. */
interface Shapes {
  /** the type a scalar here is kept with */
  type?: string;
  /** object members, by their key as sent (unescaped) */
  keys?: Map<string, Shapes>;
  /** array elements (a "~" segment) */
  items?: Shapes;
  /** evaluation scores: a number directly below is kept, whatever its key or index */
  numbers?: boolean;
}

const NO_SHAPES: Shapes = {};
const shapesOf = new WeakMap<DefaultMaskLists, { toolCall: Shapes; deployment: Shapes }>();

function shapes(lists: DefaultMaskLists): { toolCall: Shapes; deployment: Shapes } {
  let s = shapesOf.get(lists);
  if (s === undefined) {
    s = { toolCall: shapeTree(lists.toolCall, false), deployment: shapeTree(lists.deployment, true) };
    shapesOf.set(lists, s);
  }
  return s;
}

function shapeTree(fields: ReadonlyMap<string, string>, metrics: boolean): Shapes {
  const root: Shapes = {};
  const at = (segs: readonly (string | null)[]): Shapes => {
    let n = root;
    for (const seg of segs) {
      if (seg === null) n = n.items ??= {};
      else {
        const keys = (n.keys ??= new Map());
        let c = keys.get(seg);
        if (c === undefined) keys.set(seg, (c = {}));
        n = c;
      }
    }
    return n;
  };
  for (const [shape, type] of fields) {
    const segs = shapeSegments(shape);
    if (segs !== null) at(segs).type = type;
  }
  // Rego: startswith(shape, "/model/evaluation/metrics/") with five "/"-separated parts.
  if (metrics) at(['model', 'evaluation', 'metrics']).numbers = true;
  return root;
}

/** A listed shape's segments (null: an array index), or null when no request field can have it —
 * a walked shape always starts with "/" and escapes "~" only as "~0" and "~1". */
function shapeSegments(shape: string): (string | null)[] | null {
  if (shape === '') return [];
  if (!shape.startsWith('/')) return null;
  const out: (string | null)[] = [];
  for (const seg of shape.slice(1).split('/')) {
    if (seg === '~') out.push(null);
    else if (/~[^01]|~$/.test(seg)) return null;
    else out.push(seg.replace(/~1/g, '/').replace(/~0/g, '~'));
  }
  return out;
}

/** A repeated body's parse is deeply frozen and shared by every request that sends it again
 * (src/api/repeated-bodies.ts): its masked form — a function of it and the field tree its path
 * selects — is kept with it, for the records of decisions that are not in-process cache hits
 * (those reuse the whole masked record): Redis-tier hits, decisions not cached. Lives as long as
 * the repeated body does. */
const maskedInputs = new WeakMap<object, { kept: Shapes; rules: readonly DefaultMaskRule[]; input: unknown }>();

/** data.system.log.mask for this record: the rules, and the record's input and result with them
 * applied (new objects where something was masked; the record's own where nothing was). Throws
 * on a value that is not JSON data (the caller fails closed). */
export function defaultMask(lists: DefaultMaskLists, record: MaskedRecordView): { rules: DefaultMaskRule[]; fields: { input?: unknown; result?: unknown } } {
  const path = typeof record.path === 'string' ? record.path : undefined;
  const tree = shapes(lists);
  const kept = path === undefined ? NO_SHAPES : under(path, 'ai/tools') ? tree.toolCall : under(path, 'ai/deployment') ? tree.deployment : NO_SHAPES;
  const rules: DefaultMaskRule[] = [];
  const masked: { input?: unknown; result?: unknown } = {};
  // The keys (as sent: escaped only when a rule's pointer is written) and array indices from the
  // root to the value being walked.
  const segs: string[] = [];
  let root = '';
  // Every "/input…" pointer sorts before every "/result…" one: the two parts are sorted apart.
  let inputRules: readonly DefaultMaskRule[] = [];
  const input = record.input;
  if (input !== undefined) {
    const frozen = isDeeplyFrozen(input);
    const known = frozen ? maskedInputs.get(input) : undefined;
    if (known !== undefined && known.kept === kept) {
      inputRules = known.rules;
      masked.input = known.input;
    } else {
      root = '/input';
      masked.input = walk(input, kept, false);
      inputRules = sortByPath(rules.splice(0));
      if (frozen) {
        // Never modified (records are serialized, not changed): its JSON is written once.
        markSharedField(masked.input);
        maskedInputs.set(input, { kept, rules: inputRules, input: masked.input });
      }
    }
  }
  if (record.result !== undefined) {
    // `not input.path in kept_results`: OPA binds input.path before the negation, so a record
    // without a path masks no result.
    const keep = record.path === undefined || (path !== undefined && lists.keptResults.has(path));
    root = '/result';
    masked.result = keep ? record.result : walk(record.result, NO_SHAPES, false);
  }
  return { rules: inputRules.concat(sortByPath(rules)), fields: masked };

  /** The value with its scalars summarized where not kept (a copy where one was); `node` is where
   * the value's shape is in the field list (undefined: nowhere), `numbers` its parent's flag. */
  function walk(v: unknown, node: Shapes | undefined, numbers: boolean): unknown {
    if (Array.isArray(v)) {
      const child = node?.items;
      const n = node?.numbers === true;
      let out: unknown[] | undefined;
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        segs.push(String(i));
        const y = walk(x, child, n);
        segs.pop();
        if (y !== x) (out ??= v.slice())[i] = y;
      }
      return out ?? v;
    }
    if (typeof v === 'object' && v !== null) {
      const keys = node?.keys;
      const n = node?.numbers === true;
      let out: Record<string, unknown> | undefined;
      for (const k of Object.keys(v)) {
        const x = (v as Record<string, unknown>)[k];
        segs.push(k);
        const y = walk(x, keys?.get(k), n);
        segs.pop();
        if (y !== x) define((out ??= { ...(v as Record<string, unknown>) }), k, y);
      }
      return out ?? v;
    }
    if (keptScalar(node?.type, numbers, v)) return v;
    const value = summary(v);
    rules.push({ op: 'upsert', path: pointer(root, segs), value });
    return { ...value };
  }
}

/** The rules alone (the form `data.system.log.mask` evaluates to). */
export function defaultMaskRules(lists: DefaultMaskLists, record: MaskedRecordView): DefaultMaskRule[] {
  return defaultMask(lists, record).rules;
}

/** The JSON pointer of a value under `root`: its keys escaped, indices as they are. */
function pointer(root: string, segs: readonly string[]): string {
  let p = root;
  for (const seg of segs) p += `/${escapeSegment(seg)}`;
  return p;
}

/** An own "__proto__" key (JSON allows it) must stay a key, not become the prototype. A copy made
 * by spreading keeps such a key (spread defines its properties, it does not assign them). */
function define(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

function keptScalar(want: string | undefined, numbers: boolean, v: unknown): boolean {
  if (want !== undefined) {
    if (want === typeName(v)) return true;
    if (want === 'timestamp' && typeof v === 'string' && TIMESTAMP.test(v)) return true;
    if (want === 'digest' && typeof v === 'string' && DIGEST.test(v)) return true;
  }
  return numbers && (typeof v === 'number' || typeof v === 'bigint');
}

function summary(v: unknown): DefaultMaskRule['value'] {
  return typeof v === 'string' ? { length: runeCount(v), type: 'string' } : { type: typeName(v) };
}

function typeName(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
    case 'bigint':
      return 'number';
    case 'boolean':
      return 'boolean';
    default:
      if (v === null) return 'null';
      throw new TypeError(`a ${typeof v} is not JSON data`);
  }
}

/** The rules by pointer, by code point as Rego orders strings. A record's pointers share long
 * prefixes ("/input/model/…"), which compareStrings walks unit by unit in JavaScript: sorting a
 * deployment record's ~30 rules cost ~17 µs. Where no pointer holds a unit at or above U+D800,
 * UTF-16 order is code point order, and the engine's native comparison sorts them (~3 µs). */
function sortByPath(rules: DefaultMaskRule[]): DefaultMaskRule[] {
  for (const r of rules) if (!belowSurrogates(r.path)) return rules.sort((a, b) => compareStrings(a.path, b.path));
  return rules.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function belowSurrogates(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0xd800) return false;
  return true;
}

function under(path: string, root: string): boolean {
  return path === root || path.startsWith(`${root}/`);
}
