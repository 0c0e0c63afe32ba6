// Parses and validates `/.manifest`.
import { BundleError } from './errors.js';
import { normalizeBundlePath, normalizeRoot, rootsOverlap } from './paths.js';
import type { BundleManifest } from './types.js';

/** The manifest with defaults applied: roots normalized (`[""]`, the whole tree, when absent). */
export interface ParsedManifest extends BundleManifest {
  roots: string[];
  wasm: { entrypoint: string; module: string }[];
}

export function parseManifest(bytes: Uint8Array | undefined): ParsedManifest {
  if (bytes === undefined) return { roots: [''], wasm: [] };
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw invalid(`.manifest is not valid JSON: ${(e as Error).message}`);
  }
  if (!isRecord(doc)) throw invalid('.manifest must be a JSON object');

  const out: ParsedManifest = { roots: [''], wasm: [] };
  if (doc.revision !== undefined) {
    if (typeof doc.revision !== 'string') throw invalid('.manifest revision must be a string');
    out.revision = doc.revision;
  }
  if (doc.roots !== undefined) {
    if (!Array.isArray(doc.roots) || !doc.roots.every((r): r is string => typeof r === 'string')) {
      throw invalid('.manifest roots must be an array of strings');
    }
    out.roots = [...new Set(doc.roots.map(normalizeRoot))];
  }
  if (doc.rego_version !== undefined) {
    if (doc.rego_version !== 0 && doc.rego_version !== 1) throw invalid('.manifest rego_version must be 0 or 1');
    out.rego_version = doc.rego_version;
  }
  if (doc.metadata !== undefined) {
    if (!isRecord(doc.metadata)) throw invalid('.manifest metadata must be an object');
    out.metadata = doc.metadata;
  }
  if (doc.wasm !== undefined) {
    if (!Array.isArray(doc.wasm)) throw invalid('.manifest wasm must be an array');
    for (const w of doc.wasm) {
      if (!isRecord(w) || typeof w.entrypoint !== 'string' || typeof w.module !== 'string') {
        throw invalid('.manifest wasm entries need string "entrypoint" and "module"');
      }
      out.wasm.push({ entrypoint: normalizeRoot(w.entrypoint), module: normalizeBundlePath(w.module) });
    }
  }
  if (doc.file_rego_versions !== undefined) {
    // Per-file language versions would silently change how some modules parse; refuse rather than ignore.
    throw invalid('.manifest file_rego_versions is not supported; use one rego_version per bundle');
  }

  for (let i = 0; i < out.roots.length; i++) {
    for (let j = i + 1; j < out.roots.length; j++) {
      if (rootsOverlap(out.roots[i], out.roots[j])) {
        throw new BundleError('BUNDLE_ROOTS_OVERLAP', `.manifest has overlapping roots ${JSON.stringify(out.roots[i])} and ${JSON.stringify(out.roots[j])}`);
      }
    }
  }
  return out;
}

function invalid(msg: string): BundleError {
  return new BundleError('BUNDLE_INVALID_MANIFEST', msg);
}

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
