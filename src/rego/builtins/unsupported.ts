// OPA builtins this engine does not implement, with their arity and the reason: deliberately
// (they call outside the process) or not yet.
// The compiler consults this table: a call to one of these is refused at load time with
// `builtin X is not supported by this engine (<reason>)` (an unknown name stays
// `undefined function X`). When some module replaces the builtin with `with X as mock` (how OPA
// users test policies that call out), the name compiles to a stub instead, so the mock can stand
// in for it; a call the mock does not cover fails at evaluation with the same message.

import { RegoError } from '../errors.js';
import type { Builtin } from './types.js';

export interface Unsupported {
  arity: number;
  reason: string;
}

/** Why a builtin is refused: it would reach outside the process (network, host environment). */
export const CALLS_OUTSIDE = 'calls outside the process';

/** Why a builtin is refused: on OPA's list, but this engine has no implementation of it yet. */
export const NOT_YET = 'not implemented yet';

export const UNSUPPORTED_BUILTINS: ReadonlyMap<string, Unsupported> = new Map([
  ['http.send', { arity: 1, reason: CALLS_OUTSIDE }],
  ['net.lookup_ip_addr', { arity: 1, reason: CALLS_OUTSIDE }],
]);

export function unsupportedMessage(name: string): string {
  const u = UNSUPPORTED_BUILTINS.get(name);
  return `builtin ${name} is not supported by this engine (${u ? u.reason : 'unknown builtin'})`;
}

/** The load-time refusal of a call to an unsupported builtin. */
export function unsupportedError(name: string, loc?: RegoError['location']): RegoError {
  return new RegoError('rego_unsupported_error', unsupportedMessage(name), loc);
}

/**
 * A stand-in for an unsupported builtin that some module mocks with `with`: it has the
 * builtin's arity, is never treated as constant, and fails when actually called.
 */
export function unsupportedStub(name: string): Builtin {
  const u = UNSUPPORTED_BUILTINS.get(name);
  return {
    name,
    arity: u ? u.arity : 0,
    nondeterministic: true,
    fn(): never {
      throw new RegoError('eval_builtin_error', `${name}: ${unsupportedMessage(name)}`);
    },
  };
}

/**
 * Names of unsupported builtins that appear as a `with` target anywhere in the given ASTs
 * (modules or queries). Walks the tree generically: every `with` list sits on an expression,
 * and expressions nest in rule bodies, else branches, comprehensions and `every`.
 */
export function mockedUnsupported(trees: readonly unknown[]): Set<string> {
  const found = new Set<string>();
  const stack: unknown[] = [...trees];
  while (stack.length) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      for (const x of node) stack.push(x);
      continue;
    }
    const rec = node as Record<string, unknown>;
    if (Array.isArray(rec.with)) {
      for (const w of rec.with as { target?: unknown }[]) {
        const name = dottedName(w.target);
        if (name && UNSUPPORTED_BUILTINS.has(name)) found.add(name);
      }
    }
    for (const [k, v] of Object.entries(rec)) if (k !== 'loc' && v !== null && typeof v === 'object') stack.push(v);
  }
  return found;
}

/** `http.send` from a var or a ref with constant string parts; null otherwise. */
function dottedName(t: unknown): string | null {
  if (t === null || typeof t !== 'object') return null;
  const term = t as { type?: string; name?: string; head?: { type?: string; name?: string }; path?: { type?: string; value?: unknown }[] };
  if (term.type === 'var' && typeof term.name === 'string') return term.name;
  if (term.type !== 'ref' || term.head?.type !== 'var' || typeof term.head.name !== 'string' || !Array.isArray(term.path)) return null;
  const parts = [term.head.name];
  for (const p of term.path) {
    if (p.type !== 'string' || typeof p.value !== 'string') return null;
    parts.push(p.value);
  }
  return parts.join('.');
}
