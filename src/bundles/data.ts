// Base documents: parse data.json / data.yaml and mount each at its directory path, like OPA.
import { parse as parseYaml } from 'yaml';
import { parseJsonExact } from '../shared/exact-json.js';
import { mayEscapeSurrogate, wellFormed } from '../shared/well-formed.js';
import { BundleError } from './errors.js';
import { isRecord } from './manifest.js';
import { isPrefix, rootSegments, rootsContain } from './paths.js';

/** Digits of integers beyond 2^53 one data file may hold (bundle sizes are bounded anyway). */
const MAX_EXACT_DIGITS = 10_000_000;

export const DATA_FILE_NAMES: ReadonlySet<string> = new Set(['data.json', 'data.yaml', 'data.yml']);

export function parseDataFile(path: string, bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new BundleError('BUNDLE_INVALID_DATA', `${path} is not valid UTF-8`);
  }
  let value: unknown;
  try {
    value = path.endsWith('.json')
      ? // integers exact, as OPA reads them (json.Number): see src/shared/exact-json.ts
        parseJsonExact(text, MAX_EXACT_DIGITS)
      : // maxAliasCount bounds "billion laughs" alias expansion.
        parseYaml(text, { maxAliasCount: 100, uniqueKeys: true, prettyErrors: false });
  } catch (e) {
    throw new BundleError('BUNDLE_INVALID_DATA', `${path} does not parse: ${(e as Error).message}`);
  }
  assertJsonValue(value, path);
  // A signature hashes strings as Go decodes them (lone surrogates → U+FFFD); serve the same.
  return mayEscapeSurrogate(text) ? wellFormedDeep(value) : value;
}

function wellFormedDeep(v: unknown): unknown {
  if (typeof v === 'string') return wellFormed(v);
  if (Array.isArray(v)) return v.map(wellFormedDeep);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v))
    Object.defineProperty(out, wellFormed(k), { value: wellFormedDeep(x), enumerable: true, writable: true, configurable: true });
  return out;
}

/** YAML can produce values JSON cannot hold; a policy must never see them. */
function assertJsonValue(v: unknown, file: string): void {
  const stack: unknown[] = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (x === null || typeof x === 'string' || typeof x === 'boolean' || typeof x === 'bigint') continue;
    if (typeof x === 'number') {
      if (!Number.isFinite(x)) throw new BundleError('BUNDLE_INVALID_DATA', `${file} holds a non-finite number`);
      continue;
    }
    if (Array.isArray(x)) {
      stack.push(...x);
      continue;
    }
    if (isRecord(x) && Object.getPrototypeOf(x) === Object.prototype) {
      stack.push(...Object.values(x));
      continue;
    }
    throw new BundleError('BUNDLE_INVALID_DATA', `${file} holds a value that is not JSON (${typeof x})`);
  }
}

/** Mounts `value` at `at` in `tree`, merging objects; two files writing the same leaf is a conflict. */
export function mountData(tree: Record<string, unknown>, at: readonly string[], value: unknown, file: string): void {
  if (at.length === 0) {
    if (!isRecord(value)) throw new BundleError('BUNDLE_INVALID_DATA', `${file} is at the bundle root, so it must hold an object`);
    mergeInto(tree, value, [], file);
    return;
  }
  let node = tree;
  for (let i = 0; i < at.length - 1; i++) {
    const k = at[i];
    if (!Object.hasOwn(node, k)) setOwn(node, k, {});
    const next = node[k];
    if (!isRecord(next)) throw conflict(at.slice(0, i + 1), file);
    node = next;
  }
  const last = at[at.length - 1];
  if (!Object.hasOwn(node, last)) {
    setOwn(node, last, value);
  } else {
    const existing = node[last];
    if (!isRecord(existing) || !isRecord(value)) throw conflict(at, file);
    mergeInto(existing, value, [...at], file);
  }
}

function mergeInto(target: Record<string, unknown>, src: Record<string, unknown>, path: string[], file: string): void {
  for (const k of Object.keys(src)) {
    if (!Object.hasOwn(target, k)) {
      setOwn(target, k, src[k]);
      continue;
    }
    const a = target[k];
    const b = src[k];
    if (!isRecord(a) || !isRecord(b)) throw conflict([...path, k], file);
    mergeInto(a, b, [...path, k], file);
  }
}

// defineProperty, not assignment: a key named "__proto__" must stay data, not change a prototype.
function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

function conflict(path: readonly string[], file: string): BundleError {
  return new BundleError('BUNDLE_DATA_CONFLICT', `${file} writes data.${path.join('.')}, which another data file already sets`);
}

/** Like OPA: every piece of data must sit under one of the bundle's roots. */
export function checkDataRoots(data: Record<string, unknown>, roots: readonly string[]): void {
  const rootSegs = roots.map(rootSegments);
  const walk = (node: unknown, path: string[]): void => {
    if (rootsContain(roots, path)) return;
    if (!isRecord(node) || !rootSegs.some((r) => isPrefix(path, r))) {
      throw new BundleError('BUNDLE_OUTSIDE_ROOTS', `data.${path.join('.')} is outside the bundle roots ${JSON.stringify(roots)}`);
    }
    for (const k of Object.keys(node)) walk(node[k], [...path, k]);
  };
  walk(data, []);
}
