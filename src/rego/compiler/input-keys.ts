// Which parts of `input` the document at a path can read, found from the compiled rules (directly
// and through every rule and function they may reach): each reference `input.a.b…` reads the
// value at its longest prefix of constant string keys, whole. A caller that knows this can reuse
// a result for another input that agrees on those keys — e.g. a decision-log mask that only reads
// input.input, input.result and input.path — or convert only those parts of an input (see
// fromJSON's `reads`). Conservative: anything that could read the whole input (a bare `input`, a
// non-constant first key, `with input…`) answers null ("any part").
import type { ReadPaths } from '../value.js';
import type { CBody, CExpr, CRule, CTerm, CWith } from './ir.js';
import type { DataNode } from './tree.js';

class AnyKey extends Error {}

/** The parts of `input` the document at `path` can read; null: any. */
export function inputReadsOf(root: DataNode, path: readonly string[]): ReadPaths | null {
  const reads: Map<string, ReadPaths | true> = new Map();
  /** The value at these keys is read, whole. */
  const read = (keys: readonly string[]): void => {
    let node = reads;
    for (let i = 0; i < keys.length - 1; i++) {
      const next = node.get(keys[i] as string);
      if (next === true) return;
      if (next === undefined) {
        const child = new Map<string, ReadPaths | true>();
        node.set(keys[i] as string, child);
        node = child;
      } else node = next as Map<string, ReadPaths | true>;
    }
    node.set(keys[keys.length - 1] as string, true);
  };
  const seen = new Set<DataNode>();
  const pending: DataNode[] = [];
  const visitNode = (n: DataNode): void => {
    if (!seen.has(n)) {
      seen.add(n);
      pending.push(n);
    }
  };
  /** Every rule node a data reference with this path may read. */
  const visitDataRef = (refPath: readonly CTerm[]): void => {
    let node: DataNode = root;
    for (const p of refPath) {
      if (node.kind !== null) break;
      if (p.t !== 'const' || typeof p.v !== 'string') break;
      const c = node.children.get(p.v);
      if (!c) return;
      node = c;
    }
    if (node.kind !== null) visitNode(node);
    else for (const n of node.ruleNodes()) visitNode(n);
  };
  const term = (t: CTerm): void => {
    switch (t.t) {
      case 'const':
      case 'var':
        return;
      case 'array':
      case 'set':
        t.items.forEach(term);
        return;
      case 'object':
        for (const [k, v] of t.items) {
          term(k);
          term(v);
        }
        return;
      case 'ref':
        if (t.head.h === 'input') {
          const keys: string[] = [];
          for (const p of t.path) {
            if (p.t !== 'const' || typeof p.v !== 'string') break;
            keys.push(p.v);
          }
          if (keys.length === 0) throw new AnyKey();
          read(keys);
        } else if (t.head.h === 'data') visitDataRef(t.path);
        else term(t.head.term);
        t.path.forEach(term);
        return;
      case 'call':
        if (t.fn.f === 'user') visitNode(t.fn.node);
        t.args.forEach(term);
        return;
      case 'arraycompr':
      case 'setcompr':
        term(t.term);
        body(t.body);
        return;
      case 'objectcompr':
        term(t.key);
        term(t.value);
        body(t.body);
        return;
    }
  };
  const withMod = (w: CWith): void => {
    if (w.kind === 'input') throw new AnyKey();
    term(w.value);
    if (w.replacement?.f === 'user') visitNode(w.replacement.node);
  };
  const expr = (e: CExpr): void => {
    e.withs?.forEach(withMod);
    switch (e.op) {
      case 'term':
        term(e.term);
        return;
      case 'unify':
        term(e.a);
        term(e.b);
        return;
      case 'call':
        if (e.fn.f === 'user') visitNode(e.fn.node);
        e.args.forEach(term);
        if (e.out) term(e.out);
        return;
      case 'somein':
        if (e.key) term(e.key);
        term(e.value);
        term(e.coll);
        return;
      case 'every':
        if (e.key) term(e.key);
        term(e.value);
        term(e.domain);
        body(e.body);
        return;
      case 'noop':
        return;
    }
  };
  const body = (b: CBody): void => b.forEach(expr);
  const rule = (r: CRule): void => {
    r.keyPath.forEach(term);
    if (r.key) term(r.key);
    term(r.value);
    r.args?.forEach(term);
    body(r.body);
    for (const e of r.elses) {
      term(e.value);
      body(e.body);
    }
  };
  try {
    visitDataRef(path.map((s): CTerm => ({ t: 'const', v: s })));
    for (let n = pending.pop(); n !== undefined; n = pending.pop()) {
      n.rules.forEach(rule);
      if (n.defaultRule) rule(n.defaultRule);
      n.objectDefaults.forEach(rule);
    }
  } catch (e) {
    if (e instanceof AnyKey) return null;
    throw e;
  }
  return reads;
}
