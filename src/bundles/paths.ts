// Paths of files inside a bundle, and the data paths (roots) a bundle owns.
import { BundleError } from './errors.js';

/**
 * Normalizes a path inside a bundle to `a/b/c`. A leading `/` or `./` means the bundle root
 * (OPA itself writes `/policy.wasm`), so it is stripped rather than refused: nothing is ever
 * extracted to disk, so it cannot escape anywhere. What would mean "outside the bundle" on some
 * system is refused: `..` segments, backslashes, drive letters, NUL.
 */
export function normalizeBundlePath(name: string): string {
  if (name.includes('\0')) throw traversal(name, 'NUL byte');
  if (name.includes('\\')) throw traversal(name, 'backslash');
  const segs: string[] = [];
  for (const seg of name.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') throw traversal(name, '".." segment');
    segs.push(seg);
  }
  if (segs.length > 0 && /^[A-Za-z]:$/.test(segs[0])) throw traversal(name, 'drive letter');
  return segs.join('/');
}

function traversal(name: string, why: string): BundleError {
  return new BundleError('BUNDLE_PATH_TRAVERSAL', `refused bundle path ${JSON.stringify(name)}: ${why}`);
}

/** `"/a/b/"` → `"a/b"`; `""` is the whole data tree. */
export function normalizeRoot(root: string): string {
  return root.replace(/^\/+|\/+$/g, '');
}

export function rootSegments(root: string): string[] {
  const r = normalizeRoot(root);
  return r === '' ? [] : r.split('/');
}

export function isPrefix(prefix: readonly string[], path: readonly string[]): boolean {
  if (prefix.length > path.length) return false;
  for (let i = 0; i < prefix.length; i++) if (prefix[i] !== path[i]) return false;
  return true;
}

/** Segment-wise: `a/b` and `a/b/c` overlap, `a/b` and `a/bc` do not. */
export function rootsOverlap(a: string, b: string): boolean {
  const x = rootSegments(a);
  const y = rootSegments(b);
  return isPrefix(x, y) || isPrefix(y, x);
}

/** True when some root is a prefix of (or equal to) the path. */
export function rootsContain(roots: readonly string[], path: readonly string[]): boolean {
  return roots.some((r) => isPrefix(rootSegments(r), path));
}
