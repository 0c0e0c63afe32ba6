// object.get object.keys object.remove object.union object.union_n object.filter object.subset,
// json.filter json.remove json.patch. All operations build new values; inputs are never mutated.

import { ObjectV, SetV, equal, keyOf, typeName, type Key, type Value } from '../value.js';
import type { Builtin, BuiltinContext } from './types.js';
import { OperandError, arr, def, elemErr, obj, operandErr, typeErr } from './util.js';

function keysParam(v: Value): Value[] {
  if (Array.isArray(v)) return v;
  if (v instanceof SetV) return [...v.values()];
  if (v instanceof ObjectV) return v.keys();
  throw typeErr(2, v, 'object', 'set', 'array');
}

/** OPA's Value.Find: follow a path through objects, arrays (integer indexes) and sets (members). */
function find(v: Value, path: Value[], from = 0): Value | undefined {
  let cur = v;
  for (let i = from; i < path.length; i++) {
    const seg = path[i];
    if (cur instanceof ObjectV) {
      const next = cur.get(seg);
      if (next === undefined) return undefined;
      cur = next;
    } else if (Array.isArray(cur)) {
      if (typeof seg !== 'number' || !Number.isInteger(seg) || seg < 0 || seg >= cur.length) return undefined;
      cur = cur[seg];
    } else if (cur instanceof SetV) {
      if (!cur.has(seg)) return undefined;
      cur = seg;
    } else {
      return undefined;
    }
  }
  return cur;
}

/** Merge b into a recursively; where both values are objects they merge, otherwise b wins. */
function mergeWithOverwrite(a: ObjectV, b: ObjectV): ObjectV {
  const out = new ObjectV(a.entries());
  for (const [k, v] of b.entries()) {
    const orig = out.get(k);
    if (orig instanceof ObjectV && v instanceof ObjectV) out.set(k, mergeWithOverwrite(orig, v));
    else out.set(k, v);
  }
  return out;
}

// ---- object.filter / json.filter: OPA's Object.Filter with a filter tree (null leaves) ----

function filterValue(v: Value, filter: Value): Value {
  if (filter === null) return v;
  if (!(filter instanceof ObjectV)) throw new Error('invalid filter value, expected an object');
  if (v instanceof ObjectV) {
    const out = new ObjectV();
    const [iter, other] = v.size < filter.size ? [v, filter] : [filter, v];
    for (const k of iter.keys()) {
      if (other.has(k)) out.set(k, filterValue(v.get(k) as Value, filter.get(k) as Value));
    }
    return out;
  }
  if (Array.isArray(v)) {
    const out: Value[] = [];
    for (let i = 0; i < v.length; i++) {
      const sub = filter.get(String(i));
      if (sub !== undefined) out.push(filterValue(v[i], sub));
    }
    return out;
  }
  if (v instanceof SetV) {
    const out = new SetV();
    for (const t of v.sorted()) {
      const sub = filter.get(t);
      if (sub !== undefined) out.add(filterValue(t, sub));
    }
    return out;
  }
  return v;
}

/** json.remove's walk: drop the values at null leaves of the filter tree. */
function removeValue(v: Value, filter: Value | undefined): Value | undefined {
  if (filter === undefined) return v;
  if (filter === null) return undefined;
  if (!(filter instanceof ObjectV)) return v;
  if (v instanceof ObjectV) {
    const out = new ObjectV();
    for (const [k, x] of v.entries()) {
      const r = removeValue(x, filter.get(k));
      if (r !== undefined) out.set(k, r);
    }
    return out;
  }
  if (v instanceof SetV) {
    const out = new SetV();
    for (const x of v.values()) {
      const r = removeValue(x, filter.get(x));
      if (r !== undefined) out.add(r);
    }
    return out;
  }
  if (Array.isArray(v)) {
    const out: Value[] = [];
    for (let i = 0; i < v.length; i++) {
      const r = removeValue(v[i], filter.get(String(i)));
      if (r !== undefined) out.push(r);
    }
    return out;
  }
  return v;
}

/** A JSON pointer string ("/a/b~1c") or an array of segments. */
function parsePath(p: Value): Value[] {
  if (typeof p === 'string') {
    if (p === '') return [];
    return p
      .replace(/^\/+/, '')
      .split('/')
      .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'));
  }
  if (Array.isArray(p)) return p;
  throw operandErr(2, `must be one of {set, array} containing string paths or array of path segments but got ${typeName(p)}`);
}

function jsonPaths(v: Value): Value[][] {
  if (Array.isArray(v)) return v.map(parsePath);
  if (v instanceof SetV) return v.sorted().map(parsePath);
  throw typeErr(2, v, 'set', 'array');
}

function pathsToObject(paths: Value[][]): ObjectV {
  // Build mutable nested Maps first, then freeze into ObjectV (objects are immutable once built).
  type Node = Map<Key, { key: Value; child: Node | null }>;
  const root: Node = new Map();
  const k = keyOf;
  for (const path of paths) {
    if (path.length === 0) continue;
    let node: Node = root;
    let done = false;
    for (let i = 0; i < path.length - 1 && !done; i++) {
      const e = node.get(k(path[i]));
      if (e === undefined) {
        const child: Node = new Map();
        node.set(k(path[i]), { key: path[i], child });
        node = child;
      } else if (e.child === null) {
        done = true;
      } else {
        node = e.child;
      }
    }
    if (!done) node.set(k(path[path.length - 1]), { key: path[path.length - 1], child: null });
  }
  const freeze = (n: Node): ObjectV => {
    const o = new ObjectV();
    for (const { key, child } of n.values()) o.set(key, child === null ? null : freeze(child));
    return o;
  };
  return freeze(root);
}

// ---- json.patch ----

class PatchError extends Error {}

function arrayIndex(seg: Value, len: number, allowEnd: boolean): number {
  if (typeof seg === 'string') {
    if (seg === '-') {
      if (allowEnd) return len;
      throw new PatchError('"-" not allowed here');
    }
    if (!/^(0|[1-9][0-9]{0,15})$/.test(seg)) throw new PatchError(`invalid array index ${seg}`);
    seg = Number(seg);
  }
  if (typeof seg !== 'number' || !Number.isInteger(seg) || seg < 0) throw new PatchError('invalid array index');
  if (seg > len || (!allowEnd && seg === len)) throw new PatchError('array index out of range');
  return seg;
}

type Edit = (parent: Value, seg: Value) => Value;

/** Rebuild `doc` with `edit` applied to the container at path[0..n-1] and the last segment. */
function editAt(doc: Value, path: Value[], i: number, edit: Edit): Value {
  const seg = path[i];
  if (i === path.length - 1) return edit(doc, seg);
  if (doc instanceof ObjectV) {
    const child = doc.get(seg);
    if (child === undefined) throw new PatchError('path not found');
    const out = new ObjectV(doc.entries());
    out.set(seg, editAt(child, path, i + 1, edit));
    return out;
  }
  if (Array.isArray(doc)) {
    const idx = arrayIndex(seg, doc.length, false);
    const out = [...doc];
    out[idx] = editAt(doc[idx], path, i + 1, edit);
    return out;
  }
  if (doc instanceof SetV) {
    if (!doc.has(seg)) throw new PatchError('set member not found');
    const edited = editAt(seg, path, i + 1, edit);
    const out = new SetV();
    for (const x of doc.values()) if (!equal(x, seg)) out.add(x);
    out.add(edited);
    return out;
  }
  throw new PatchError('path not found');
}

function getAt(doc: Value | undefined, path: Value[]): Value {
  if (doc === undefined) throw new PatchError('document removed');
  let cur: Value = doc;
  for (const seg of path) {
    if (cur instanceof ObjectV) {
      const next = cur.get(seg);
      if (next === undefined) throw new PatchError('path not found');
      cur = next;
    } else if (Array.isArray(cur)) {
      cur = cur[arrayIndex(seg, cur.length, false)];
    } else if (cur instanceof SetV) {
      if (!cur.has(seg)) throw new PatchError('set member not found');
      cur = seg;
    } else {
      throw new PatchError('path not found');
    }
  }
  return cur;
}

function insertAt(doc: Value | undefined, path: Value[], value: Value): Value {
  if (path.length === 0) return value;
  if (doc === undefined) throw new PatchError('document removed');
  return editAt(doc, path, 0, (parent, seg) => {
    if (parent instanceof ObjectV) {
      const out = new ObjectV(parent.entries());
      out.set(seg, value);
      return out;
    }
    if (Array.isArray(parent)) {
      const idx = arrayIndex(seg, parent.length, true);
      return [...parent.slice(0, idx), value, ...parent.slice(idx)];
    }
    if (parent instanceof SetV) {
      if (!equal(seg, value)) throw new PatchError('set member must equal its key');
      const out = new SetV(parent.values());
      out.add(value);
      return out;
    }
    throw new PatchError('cannot insert into a scalar');
  });
}

function deleteAt(doc: Value | undefined, path: Value[]): Value | undefined {
  if (path.length === 0) return undefined;
  if (doc === undefined) throw new PatchError('document removed');
  return editAt(doc, path, 0, (parent, seg) => {
    if (parent instanceof ObjectV) {
      if (!parent.has(seg)) throw new PatchError('path not found');
      const out = new ObjectV(parent.entries());
      out.delete(seg);
      return out;
    }
    if (Array.isArray(parent)) {
      const idx = arrayIndex(seg, parent.length, false);
      return [...parent.slice(0, idx), ...parent.slice(idx + 1)];
    }
    if (parent instanceof SetV) {
      if (!parent.has(seg)) throw new PatchError('set member not found');
      const out = new SetV();
      for (const x of parent.values()) if (!equal(x, seg)) out.add(x);
      return out;
    }
    throw new PatchError('cannot delete from a scalar');
  });
}

function patchPath(p: Value): Value[] {
  if (typeof p === 'string' || Array.isArray(p)) return parsePath(p);
  throw new PatchError('invalid path');
}

function applyPatches(target: Value, ops: Value[], ctx: BuiltinContext): Value | undefined {
  let doc: Value | undefined = target;
  for (const op of ops) {
    ctx.checkBudget(1 + (doc === undefined ? 0 : size(doc))); // each edit copies the containers on its path
    if (!(op instanceof ObjectV)) throw new PatchError('must be an array of JSON-Patch objects');
    const attr = (name: string): Value => {
      const v = op.getStr(name);
      if (v === undefined) throw new PatchError(`missing '${name}' attribute`);
      return v;
    };
    const kind = attr('op');
    if (typeof kind !== 'string') throw new PatchError("attribute 'op' must be a string");
    if (!['add', 'remove', 'replace', 'move', 'copy', 'test'].includes(kind)) throw new PatchError(`unrecognized op '${kind}'`);
    const rawPath = attr('path');
    const from = kind === 'move' || kind === 'copy' ? attr('from') : undefined;
    const value = kind === 'add' || kind === 'replace' || kind === 'test' ? attr('value') : undefined;
    const path = patchPath(rawPath);
    switch (kind) {
      case 'add':
        doc = insertAt(doc, path, value as Value);
        break;
      case 'remove':
        doc = deleteAt(doc, path);
        break;
      case 'replace':
        doc = insertAt(deleteAt(doc, path), path, value as Value);
        break;
      case 'move': {
        const f = patchPath(from as Value);
        const chunk = getAt(doc, f);
        doc = insertAt(deleteAt(doc, f), path, chunk);
        break;
      }
      case 'copy': {
        const chunk = getAt(doc, patchPath(from as Value));
        doc = insertAt(doc, path, chunk);
        break;
      }
      case 'test':
        if (!equal(getAt(doc, path), value as Value)) throw new PatchError('test failed');
        break;
    }
  }
  return doc;
}

// ---- object.subset ----

function objectSubset(sup: ObjectV, sub: ObjectV): boolean {
  for (const [k, sv] of sub.entries()) {
    const pv = sup.get(k);
    if (pv === undefined) return false;
    if (equal(sv, pv)) continue;
    if (pv instanceof ObjectV && sv instanceof ObjectV) {
      if (!objectSubset(pv, sv)) return false;
    } else if (pv instanceof SetV && sv instanceof SetV) {
      if (!setSubset(pv, sv)) return false;
    } else if (Array.isArray(pv) && Array.isArray(sv)) {
      if (!arraySubset(pv, sv)) return false;
    } else return false;
  }
  return true;
}

function setSubset(sup: SetV, sub: SetV): boolean {
  for (const v of sub.values()) if (!sup.has(v)) return false;
  return true;
}

/** `sub` appears contiguously, in order, in `sup`. */
function arraySubset(sup: Value[], sub: Value[]): boolean {
  if (sub.length > sup.length) return false;
  outer: for (let start = 0; start + sub.length <= sup.length; start++) {
    for (let j = 0; j < sub.length; j++) if (!equal(sup[start + j], sub[j])) continue outer;
    return true;
  }
  return false;
}

function size(v: Value): number {
  if (Array.isArray(v)) return v.length;
  if (v instanceof ObjectV || v instanceof SetV) return v.size;
  return 1;
}

export const objects: Builtin[] = [
  def('object.get', ['object', 'any', 'any'], ([o, key, dflt]) => {
    const x = obj(o, 1);
    if (!Array.isArray(key)) {
      const r = x.get(key);
      return r === undefined ? dflt : r;
    }
    if (key.length === 0) return x;
    const r = find(x, key);
    return r === undefined ? dflt : r;
  }),

  def('object.keys', ['object'], ([o], ctx) => {
    const x = obj(o, 1);
    ctx.checkBudget(x.size);
    return new SetV(x.keys());
  }),

  def('object.remove', ['object', 'array|object|set'], ([o, k], ctx) => {
    const x = obj(o, 1);
    const drop = new SetV(keysParam(k));
    ctx.checkBudget(x.size + drop.size);
    const out = new ObjectV();
    for (const [key, v] of x.entries()) if (!drop.has(key)) out.set(key, v);
    return out;
  }),

  def('object.filter', ['object', 'array|object|set'], ([o, k], ctx) => {
    const x = obj(o, 1);
    const keep = keysParam(k);
    ctx.checkBudget(x.size + keep.length);
    const out = new ObjectV();
    for (const key of keep) {
      const v = x.get(key);
      if (v !== undefined) out.set(key, v);
    }
    return out;
  }),

  def('object.union', ['object', 'object'], ([a, b], ctx) => {
    const x = obj(a, 1);
    const y = obj(b, 2);
    ctx.checkBudget(x.size + y.size);
    if (equal(x, y)) return x;
    return mergeWithOverwrite(x, y);
  }),

  def('object.union_n', ['array'], ([a], ctx) => {
    const xs = arr(a, 1);
    let acc = new ObjectV();
    for (const x of xs) {
      if (!(x instanceof ObjectV)) throw elemErr(1, xs, x, 'object');
      ctx.checkBudget(x.size + 1);
      acc = mergeWithOverwrite(acc, x);
    }
    return acc;
  }),

  def('object.subset', ['array|object|set', 'array|object|set'], ([sup, sub], ctx) => {
    ctx.checkBudget(size(sup) + size(sub));
    if (sup instanceof ObjectV && sub instanceof ObjectV) return objectSubset(sup, sub);
    if (sup instanceof SetV && sub instanceof SetV) return setSubset(sup, sub);
    if (Array.isArray(sup) && Array.isArray(sub)) return arraySubset(sup, sub);
    if (Array.isArray(sup) && sub instanceof SetV) {
      const have = new SetV(sup);
      return setSubset(have, sub);
    }
    throw new OperandError('both arguments object.subset must be of the same type or array and set');
  }),

  def('json.filter', ['object', 'array|set'], ([o, p], ctx) => {
    const x = obj(o, 1);
    const paths = jsonPaths(p);
    ctx.checkBudget(x.size + paths.length);
    return filterValue(x, pathsToObject(paths));
  }),

  def('json.remove', ['object', 'array|set'], ([o, p], ctx) => {
    const x = obj(o, 1);
    const paths = jsonPaths(p);
    ctx.checkBudget(x.size + paths.length);
    return removeValue(x, pathsToObject(paths));
  }),

  def('json.patch', ['any', 'array'], ([target, p], ctx) => {
    const ops = arr(p, 2);
    try {
      return applyPatches(target, ops, ctx);
    } catch (e) {
      if (e instanceof PatchError) return undefined; // OPA: a failed patch is undefined, not an error
      throw e;
    }
  }),
];
