// regex.globs_match: whether two "glob-style" patterns can match a common non-empty string. OPA
// delegates this to the glob-intersection Go library (gintersect.NonEmpty); this follows its
// grammar, error texts and matching procedure so that answers agree, including where that
// procedure is a heuristic rather than an exact automaton intersection. Patterns are tokens: a
// character (`\` escapes), `.` (any character) or a set `[a-z0]`, each optionally followed by
// `+` or `*`. Every step of the search is charged to the evaluation budget.

import type { Builtin, BuiltinContext } from './types.js';
import { def, fail, str } from './util.js';

type Flag = '' | '+' | '*';
type Token = { kind: 'char'; c: number; flag: Flag } | { kind: 'dot'; flag: Flag } | { kind: 'set'; cs: Set<number>; flag: Flag };

const INVALID = 'the input provided is invalid';
const invalid = (pos: number, msg: string): Error => fail(`pos:${pos}:${msg}: ${INVALID}`);

/** The pattern's code points, read with `\` escapes: [codePoint, escaped, indexAfter]. */
function reader(runes: number[]) {
  return (i: number): [number, boolean, number] | null => {
    if (i >= runes.length) return null;
    if (runes[i] === 0x5c) {
      if (i === runes.length - 1) throw invalid(i, 'input ends with a \\ (escape) character');
      return [runes[i + 1], true, i + 2];
    }
    return [runes[i], false, i + 1];
  };
}

function tokenize(pattern: string, ctx: BuiltinContext): Token[] {
  const runes = Array.from(pattern, (c) => c.codePointAt(0)!);
  const next = reader(runes);
  const out: Token[] = [];
  let i = 0;
  for (;;) {
    const r = next(i);
    if (!r) return out;
    const [c, escaped, after] = r;
    i = after;
    let tok: Token;
    if (!escaped && c === 0x2e) tok = { kind: 'dot', flag: '' };
    else if (!escaped && c === 0x5d) throw invalid(i, "set-close ']' with no preceding '['");
    else if (!escaped && c === 0x5b) [tok, i] = readSet(runes, next, i, ctx);
    else if (!escaped && (c === 0x2b || c === 0x2a)) throw invalid(i, `flag '${String.fromCodePoint(c)}' must be preceded by a non-flag`);
    else tok = { kind: 'char', c, flag: '' };
    const f = next(i);
    if (f && !f[1] && (f[0] === 0x2b || f[0] === 0x2a)) {
      tok.flag = f[0] === 0x2b ? '+' : '*';
      i = f[2];
    }
    out.push(tok);
  }
}

function readSet(runes: number[], next: ReturnType<typeof reader>, start: number, ctx: BuiltinContext): [Token, number] {
  const cs = new Set<number>();
  let prev = -1;
  let i = start;
  for (;;) {
    const r = next(i);
    // The library reports an unclosed set at position 0 (its reader's index at end of input).
    if (!r) throw invalid(0, 'found [ without matching ]');
    const [c, escaped, after] = r;
    i = after;
    if (escaped) {
      cs.add(c);
      prev = c;
    } else if (c === 0x5d) {
      return [{ kind: 'set', cs, flag: '' }, i];
    } else if (c === 0x2d) {
      if (prev < 0) throw invalid(i, "range character '-' must be preceded by a Unicode character");
      if (i >= runes.length - 1) throw invalid(i, "range character '-' must be followed by a Unicode character");
      const [hi, hiEscaped, hiAfter] = next(i)!;
      i = hiAfter;
      if (!hiEscaped && (hi === 0x5d || hi === 0x2d)) throw invalid(i, "range character '-' cannot be followed by a special symbol");
      // An out-of-order range adds nothing (the library's error for it is overwritten before it is seen).
      if (hi >= prev) ctx.checkBudget(1 + Math.ceil((hi - prev) / 32));
      for (let x = prev; x <= hi; x++) cs.add(x);
      prev = -1;
    } else {
      cs.add(c);
      prev = c;
    }
  }
}

/** Whether two tokens can match the same character. */
function match(a: Token, b: Token): boolean {
  if (a.kind === 'dot' || b.kind === 'dot') return true;
  if (a.kind === 'char' && b.kind === 'char') return a.c === b.c;
  if (a.kind === 'char' && b.kind === 'set') return b.cs.has(a.c);
  if (a.kind === 'set' && b.kind === 'char') return a.cs.has(b.c);
  if (a.kind === 'set' && b.kind === 'set') {
    const [small, big] = a.cs.size <= b.cs.size ? [a.cs, b.cs] : [b.cs, a.cs];
    for (const c of small) if (big.has(c)) return true;
  }
  return false;
}

class Search {
  constructor(private readonly ctx: BuiltinContext) {}

  normal(g1: Token[], g2: Token[]): boolean {
    this.ctx.checkBudget(1);
    let i = 0;
    for (; i < g1.length && i < g2.length; i++) {
      if (g1[i].flag !== '' || g2[i].flag !== '') return this.special(g1.slice(i), g2.slice(i));
      if (!match(g1[i], g2[i])) return false;
    }
    return i === g1.length && i === g2.length;
  }

  private special(g1: Token[], g2: Token[]): boolean {
    const [flagged, other] = g1[0].flag !== '' ? [g1, g2] : [g2, g1];
    return flagged[0].flag === '+' ? this.plus(flagged, other) : this.star(flagged, other);
  }

  private plus(plussed: Token[], other: Token[]): boolean {
    if (!match(plussed[0], other[0])) return false;
    if (this.star(plussed, other.slice(1))) return true;
    return other[0].flag !== '' && this.normal(plussed.slice(1), other);
  }

  private star(starred: Token[], other: Token[]): boolean {
    this.ctx.checkBudget(1);
    const starTok = starred[0];
    const nextTok = starred.length > 1 ? starred[1] : undefined;
    for (let i = 0; i < other.length; i++) {
      const t = other[i];
      if (nextTok !== undefined && match(t, nextTok)) {
        if (this.normal(starred.slice(1), other.slice(i))) return true;
        if (!match(t, starTok)) return false;
      } else if (!match(t, starTok)) return false;
    }
    return nextTok === undefined;
  }
}

/** Drops the equal unflagged prefix and suffix (keeping one token each side), or null on a mismatch. */
function trim(g1: Token[], g2: Token[]): [Token[], Token[]] | null {
  let l = 0;
  for (; l < g1.length && l < g2.length && g1[l].flag === '' && g2[l].flag === ''; l++) if (!match(g1[l], g2[l])) return null;
  if (l > 0) l--;
  let r1 = g1.length - 1;
  let r2 = g2.length - 1;
  for (; r1 >= 0 && r1 >= l && r2 >= 0 && r2 >= l && g1[r1].flag === '' && g2[r2].flag === ''; r1--, r2--) if (!match(g1[r1], g2[r2])) return null;
  if (r1 < g1.length - 1) {
    r1++;
    r2++;
  }
  return [g1.slice(l, r1 + 1), g2.slice(l, r2 + 1)];
}

export const globsmatch: Builtin[] = [
  def('regex.globs_match', ['string', 'string'], ([a, b], ctx) => {
    const p1 = str(a, 1);
    const p2 = str(b, 2);
    ctx.checkBudget(1 + Math.ceil((p1.length + p2.length) / 32));
    const g1 = tokenize(p1, ctx);
    const g2 = tokenize(p2, ctx);
    const t = trim(g1, g2);
    if (!t) return false;
    return new Search(ctx).normal(t[0], t[1]);
  }),
];
