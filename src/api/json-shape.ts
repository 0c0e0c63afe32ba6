// The shape of JSON text, measured before parsing with one flat loop (no recursion): nesting
// depth, so a hostile body cannot overflow the stack of the parser, the validator or the engine;
// and the number of values, so the cost of parsing and validating a body stays bounded even
// when every value in it is wrong (1 MB of `[1,1,…]` is 500,000 values).

export type JsonShapeProblem = { kind: 'depth' } | { kind: 'values' };

export interface JsonShape {
  problem?: JsonShapeProblem;
  /** The text has a number with an exponent or more than 300 digits: JSON.parse may have turned
   * it into ±Infinity (see nonFinitePath). */
  mayOverflow: boolean;
  /** The text has a run of more than 15 digits or an exponent: an integer in it may be beyond
   * what a double holds exactly (see src/shared/exact-json.ts). */
  mayBeInexact: boolean;
  /** No string in the text is "__proto__" or "constructor", and none has an escape that could
   * spell one: the keys secure-json-parse looks for (prototype poisoning) cannot be in it. */
  noProtoKeys: boolean;
}

/** The first bound the text exceeds, if any. Values are counted as opening brackets plus
 * commas, plus one — exact for non-empty containers, an over-count by one per empty container.
 * Strings (and escapes in them) are skipped. */
export function measureJson(text: string, maxDepth: number, maxValues: number): JsonShape {
  let depth = 0;
  let values = 1;
  let digits = 0;
  let mayOverflow = false;
  let mayBeInexact = false;
  // One native scan: any backslash and the strings are not compared one by one.
  let noProtoKeys = text.indexOf('\\') < 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    // Whitespace first: indented bodies are mostly spaces and newlines between the tokens (other
    // control characters outside strings are not JSON: the parser refuses them).
    if (c <= 0x20) {
      digits = 0;
      continue;
    }
    if (c >= 0x30 && c <= 0x39) {
      if (++digits > 15) {
        mayBeInexact = true;
        if (digits > 300) mayOverflow = true;
      }
      continue;
    }
    // An exponent follows a digit (the e in true/false follows a letter).
    if ((c === 0x65 || c === 0x45) /* e E */ && digits > 0) mayOverflow = mayBeInexact = true;
    if (c !== 0x2e /* . */) digits = 0;
    if (c === 0x22 /* " */) {
      // Skip to the closing quote: the next one not escaped, i.e. after an even run of
      // backslashes (indexOf scans far faster than a loop over the characters).
      const open = i;
      for (let from = i + 1; ;) {
        const q = text.indexOf('"', from);
        if (q < 0) {
          i = n;
          break;
        }
        let b = q - 1;
        while (b > open && text.charCodeAt(b) === 0x5c /* \ */) b--;
        if ((q - 1 - b) % 2 === 0) {
          const len = q - open - 1;
          if ((len === 9 && text.startsWith('__proto__', open + 1)) || (len === 11 && text.startsWith('constructor', open + 1))) noProtoKeys = false;
          i = q;
          break;
        }
        from = q + 1;
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > maxDepth) return { problem: { kind: 'depth' }, mayOverflow, mayBeInexact, noProtoKeys };
      if (++values > maxValues) return { problem: { kind: 'values' }, mayOverflow, mayBeInexact, noProtoKeys };
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    } else if (c === 0x2c /* , */) {
      if (++values > maxValues) return { problem: { kind: 'values' }, mayOverflow, mayBeInexact, noProtoKeys };
    }
  }
  return { mayOverflow, mayBeInexact, noProtoKeys };
}

/** Whether a value JSON.parse made from a small text (fewer characters than the values bound: see
 * below) needs none of the checks measureJson's flags call for: nested at most `maxDepth` deep,
 * every number finite, no key named "__proto__" or "constructor". One recursive walk of the parsed
 * value, descending at most `maxDepth` levels — for a body of a few hundred bytes some 4 times
 * cheaper than measuring its text (bench/http/profile.mjs: measureJson ~10,000 instructions of a
 * small policy's decision). Values are not counted: a text of n characters holds at most n + 1
 * by measureJson's count (each is an opening bracket or a comma, plus one), so a text shorter than
 * the bound cannot pass it. Depth is that of what was parsed: a subtree a repeated key discarded
 * does not count (it reaches neither validator nor engine). False says nothing is wrong, only
 * that the text is to be measured. */
export function parsedWithin(v: unknown, maxDepth: number): boolean {
  if (typeof v !== 'object' || v === null) return typeof v !== 'number' || Number.isFinite(v);
  if (maxDepth === 0) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!parsedWithin(v[i], maxDepth - 1)) return false;
    return true;
  }
  // JSON.parse makes plain objects: enumerable own keys only, in the order written.
  for (const k in v) {
    if (k === '__proto__' || k === 'constructor' || !parsedWithin((v as Record<string, unknown>)[k], maxDepth - 1)) return false;
  }
  return true;
}

/** JSON pointer of the first number that parsed to ±Infinity (a number beyond the double
 * range), else undefined. */
export function nonFinitePath(value: unknown): string | undefined {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0) {
    const [v, path] = stack.pop() as [unknown, string];
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return path;
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}/${i}`]);
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, x] of Object.entries(v)) stack.push([x, `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`]);
    }
  }
  return undefined;
}
