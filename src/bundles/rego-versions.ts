// Per-file Rego versions (OPA's manifest `file_rego_versions`): glob pattern → 0 | 1, overriding
// the bundle's `rego_version` for the modules whose path matches.
//
// OPA compiles each pattern with gobwas/glob and no separators, so `*` also matches "/":
// `*` any run of characters, `?` one character, `[abc]`, `[!a-z]`, `{a,b}`, `\` escapes.
// Paths are matched with and without a leading "/" (`opa build` writes "/dir/file.rego").
import { BundleError } from './errors.js';

export interface FileRegoVersion {
  pattern: string;
  version: 0 | 1;
  matcher: RegExp;
}

export function compileFileRegoVersions(doc: Record<string, unknown>): FileRegoVersion[] {
  return Object.entries(doc).map(([pattern, v]) => {
    if (v !== 0 && v !== 1) throw invalid(`.manifest file_rego_versions[${JSON.stringify(pattern)}] must be 0 or 1`);
    return { pattern, version: v, matcher: globToRegExp(pattern) };
  });
}

/**
 * The version for a module at `path` (relative to the bundle root), or undefined when no pattern
 * matches. OPA takes the first match in Go's random map order; here an exact path wins over
 * globs, and globs that match with different versions are refused rather than decided at random.
 */
export function regoVersionForFile(entries: readonly FileRegoVersion[], path: string): 0 | 1 | undefined {
  const bare = path.replace(/^\/+/, '');
  const exact = entries.find((e) => e.pattern.replace(/^\/+/, '') === bare);
  if (exact) return exact.version;
  const hits = entries.filter((e) => e.matcher.test(bare) || e.matcher.test(`/${bare}`));
  if (hits.length === 0) return undefined;
  if (hits.some((h) => h.version !== hits[0].version)) {
    throw invalid(`.manifest file_rego_versions: ${path} matches ${hits.map((h) => JSON.stringify(h.pattern)).join(' and ')}, which give different versions`);
  }
  return hits[0].version;
}

export function globToRegExp(pattern: string): RegExp {
  let re = '';
  let depth = 0; // inside {…}
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      if (i >= pattern.length) throw badGlob(pattern, 'ends with an escape');
      re += escapeRe(pattern[i]);
    } else if (c === '*') {
      while (pattern[i + 1] === '*') i++;
      re += '[\\s\\S]*';
    } else if (c === '?') {
      re += '[\\s\\S]';
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) throw badGlob(pattern, 'unclosed [');
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith('!');
      if (negate) body = body.slice(1);
      re += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else if (c === '{') {
      depth++;
      re += '(?:';
    } else if (c === '}' && depth > 0) {
      depth--;
      re += ')';
    } else if (c === ',' && depth > 0) {
      re += '|';
    } else {
      re += escapeRe(c);
    }
  }
  if (depth !== 0) throw badGlob(pattern, 'unclosed {');
  return new RegExp(`^${re}$`);
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

function badGlob(pattern: string, why: string): BundleError {
  return invalid(`.manifest file_rego_versions pattern ${JSON.stringify(pattern)} is not a valid glob: ${why}`);
}

function invalid(msg: string): BundleError {
  return new BundleError('BUNDLE_INVALID_MANIFEST', msg);
}
