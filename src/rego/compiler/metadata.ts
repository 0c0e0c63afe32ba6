// The annotations of all modules by scope, and what rego.metadata.rule() and
// rego.metadata.chain() return for a rule (OPA's AnnotationSet and its Chain): the rule's own
// `rule`-scoped annotation (or just its path), then its document's, its package's, and the
// `subpackages` annotations of its package and every package above it, nearest first.

import type { Module, Rule } from '../ast.js';
import { ObjectV, type Value } from '../value.js';

export function isMetadataCall(name: string): boolean {
  return name === 'rego.metadata.rule' || name === 'rego.metadata.chain';
}

const key = (path: readonly string[]): string => path.join('\u0000');

/** A rule's path below data: the package, then the head's name and constant parts. */
export function rulePath(rule: Rule, pkg: readonly string[]): string[] {
  const out = [...pkg];
  for (const t of rule.head.ref) {
    if (t.type === 'var' && out.length === pkg.length) out.push(t.name);
    else if (t.type === 'string') out.push(t.value);
    else break;
  }
  return out;
}

export class MetadataIndex {
  private readonly ruleScope = new Map<Rule, Value>();
  private readonly documentScope = new Map<string, Value>();
  private readonly packageScope = new Map<string, Value>();
  private readonly subpackagesScope = new Map<string, Value>();

  add(m: Module): void {
    for (const a of m.annotations ?? []) {
      switch (a.scope) {
        case 'rule':
          if (a.rule && !this.ruleScope.has(a.rule)) this.ruleScope.set(a.rule, a.value);
          break;
        case 'document':
          if (a.rule) {
            const k = key(rulePath(a.rule, m.package));
            if (!this.documentScope.has(k)) this.documentScope.set(k, a.value);
          }
          break;
        case 'package':
          if (!this.packageScope.has(key(m.package))) this.packageScope.set(key(m.package), a.value);
          break;
        case 'subpackages':
          if (!this.subpackagesScope.has(key(m.package))) this.subpackagesScope.set(key(m.package), a.value);
          break;
      }
    }
  }

  /** rego.metadata.rule(): the rule's own annotation, {} without one. */
  rule(rule: Rule): Value {
    return this.ruleScope.get(rule) ?? new ObjectV();
  }

  /** rego.metadata.chain(): [{path, annotations}], the rule first, then outwards. */
  chain(rule: Rule, pkg: readonly string[]): Value {
    const path = rulePath(rule, pkg);
    const entry = (p: readonly string[], annotations: Value | undefined): Value => {
      const o = new ObjectV();
      o.set('path', [...p]);
      if (annotations !== undefined) o.set('annotations', annotations);
      return o;
    };
    const out: Value[] = [entry(path, this.ruleScope.get(rule))];
    const doc = this.documentScope.get(key(path));
    if (doc !== undefined) out.push(entry(path, doc));
    const own = this.packageScope.get(key(pkg));
    if (own !== undefined) out.push(entry(pkg, own));
    for (let n = pkg.length; n >= 0; n--) {
      const sub = this.subpackagesScope.get(key(pkg.slice(0, n)));
      if (sub !== undefined) out.push(entry(pkg.slice(0, n), sub));
    }
    return out;
  }
}
