// Reads just the `package` line of a Rego module, so that a bundle's modules can be checked
// against its manifest roots before the (much more expensive) compile.

/** `package a.b["c-d"]` → ['a','b','c-d']; null when the module does not start with a package. */
export function packagePath(source: string): string[] | null {
  let i = skipBlank(source, 0);
  if (!source.startsWith('package', i) || !/\s/.test(source[i + 7] ?? '')) return null;
  i = skipBlank(source, i + 7);
  const segs: string[] = [];
  const first = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i, i + 256));
  if (!first) return null;
  segs.push(first[0]);
  i += first[0].length;
  for (;;) {
    if (source[i] === '.') {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i + 1, i + 257));
      if (!m) return null;
      segs.push(m[0]);
      i += 1 + m[0].length;
    } else if (source[i] === '[') {
      const m = /^\[\s*("(?:[^"\\\n]|\\.)*")\s*\]/.exec(source.slice(i, i + 1024));
      if (!m) return null;
      try {
        segs.push(JSON.parse(m[1]) as string);
      } catch {
        return null;
      }
      i += m[0].length;
    } else {
      break;
    }
  }
  return segs;
}

function skipBlank(s: string, i: number): number {
  for (;;) {
    while (i < s.length && /\s/.test(s[i])) i++;
    if (s[i] !== '#') return i;
    while (i < s.length && s[i] !== '\n') i++;
  }
}
